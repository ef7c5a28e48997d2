/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside dataplane/rtcp: the per-type parsers that rtcp_parse.c's
 * dispatcher calls once the common header has been checked.  Each gets an
 * item whose type, pt, count, ssrc, body and body_len are set (body is the
 * packet after its 4-octet header, padding removed), fills in its part of
 * the union and returns OK or the first thing wrong.
 */
#ifndef STRATA_DP_RTCP_PARSE_PRIV_H
#define STRATA_DP_RTCP_PARSE_PRIV_H

#include "rtcp.h"

/* SR and RR (rtcp_report.c). */
enum dp_rtcp_error dp_rtcp_parse_report(struct dp_rtcp_item *item);

/* SDES (rtcp_sdes.c). */
enum dp_rtcp_error dp_rtcp_parse_sdes(struct dp_rtcp_item *item);

/* BYE (rtcp_bye.c). */
enum dp_rtcp_error dp_rtcp_parse_bye(struct dp_rtcp_item *item);

/* RTPFB and PSFB: the common part, PLI and FIR, then the others (rtcp_fb.c). */
enum dp_rtcp_error dp_rtcp_parse_fb(struct dp_rtcp_item *item);

/* The FCI of a Generic NACK (rtcp_nack.c). */
enum dp_rtcp_error dp_rtcp_parse_nack(struct dp_rtcp_item *item, const uint8_t *fci,
				      uint32_t fci_len);

/* The FCI of an AFB message; sets type REMB or leaves FB_OTHER (rtcp_remb.c). */
enum dp_rtcp_error dp_rtcp_parse_afb(struct dp_rtcp_item *item, const uint8_t *fci,
				     uint32_t fci_len);

/* The FCI of transport-wide CC feedback (rtcp_twcc.c). */
enum dp_rtcp_error dp_rtcp_parse_twcc(struct dp_rtcp_item *item, const uint8_t *fci,
				      uint32_t fci_len);

#endif /* STRATA_DP_RTCP_PARSE_PRIV_H */
