/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Feeding a leg's estimator (bwe.h) from what dataplane/rtcp parsed out of
 * the receiver's RTCP: transport-wide feedback, REMB, and the fraction
 * lost of its report blocks.  Kept apart from bwe.c so that the estimator
 * itself does not depend on the parser.
 */
#ifndef STRATA_DP_BWE_BWE_RTCP_H
#define STRATA_DP_BWE_BWE_RTCP_H

#include <stdint.h>

#include "../rtcp/rtcp.h"
#include "bwe.h"

/*
 * One transport feedback message, status by status through
 * dp_rtcp_twcc_iter_next; returns the new estimate.
 */
uint32_t dp_bwe_on_twcc(struct dp_bwe *b, const struct dp_rtcp_twcc *fb, int64_t now_us);

/*
 * One item of the receiver's RTCP (dp_rtcp_next):
 *  - TWCC: dp_bwe_on_twcc;
 *  - REMB: its bit rate (dp_bwe_on_remb);
 *  - SR and RR: the fraction lost of their report blocks, averaged over
 *    the blocks as one report (every block of this receiver's reports is
 *    about a stream the router sends it; their packet counts are not in
 *    the block, so they weigh the same);
 *  - anything else: nothing.
 * Returns the estimate.
 */
uint32_t dp_bwe_on_rtcp(struct dp_bwe *b, const struct dp_rtcp_item *item, int64_t now_us);

#endif /* STRATA_DP_BWE_BWE_RTCP_H */
