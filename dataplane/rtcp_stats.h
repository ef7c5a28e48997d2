/* SPDX-License-Identifier: BSD-3-Clause */
/* Receive statistics of a published stream, for the router's RRs. */
#ifndef STRATA_DP_RTCP_STATS_H
#define STRATA_DP_RTCP_STATS_H

#include <stdint.h>

#include "dp.h"

/* One authenticated RTP packet of stream [publisher worker]. */
void dp_rtcp_on_rtp(struct dp_worker *w, uint32_t stream, const uint8_t *rtp, uint64_t now);

#endif /* STRATA_DP_RTCP_STATS_H */
