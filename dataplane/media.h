/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef STRATA_DP_MEDIA_H
#define STRATA_DP_MEDIA_H

#include "dp.h"

/* Authenticates and decrypts a burst of media on legs this worker owns
 * (dp_meta(m)->leg set), then fans the RTP out.  Takes the mbufs. */
void dp_media_process(struct dp_worker *w, struct rte_mbuf **pkts, unsigned n);

#endif /* STRATA_DP_MEDIA_H */
