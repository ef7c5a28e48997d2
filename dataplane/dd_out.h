/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A receiver's dependency descriptor (codec/av1_dd.h), and the RTP header
 * that carries it: what the fan-out writes into each receiver's copy of a
 * DP_PATH_DD input, and what a retransmission must carry again so that it
 * equals that copy (rtx_svc.h).
 *
 * The receiver's descriptor is the input's with, when the layer selection
 * says so (select_dd.h: DP_SELECT_DD_REWRITE), its own active decode
 * targets (dp_av1_dd_rewrite), and with its own frame numbers (out = in -
 * sub->dd_fn_delta) after a move between simulcast encodings, whose frame
 * numbers are unrelated.  A rewritten descriptor may be longer than the
 * input's: the header extension grows (strata_rtp_ext_replace).
 */
#ifndef STRATA_DP_DD_OUT_H
#define STRATA_DP_DD_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "codec/av1_dd.h"
#include "rtp/rtp_ext.h"
#include "rtp/rtp_ext_replace.h"

/* The longest descriptor dp_dd_out writes (the input's is at most 255). */
#define DP_DD_OUT_MAX (UINT8_MAX + DP_AV1_DD_REWRITE_GROWTH)

/*
 * Writes into out[0..cap) the receiver's descriptor for the input's
 * descriptor in[0..in_len) of structure s: rewritten with active_mask when
 * `rewrite`, renumbered by fn_delta.  Returns its length; 0 when it is the
 * input's unchanged (neither applies); -1 when the rewrite refused the
 * input or out is too small.
 */
static inline int dp_dd_out(const uint8_t *in, uint32_t in_len,
			    const struct dp_av1_dd_structure *s, uint32_t active_mask, bool rewrite,
			    uint16_t fn_delta, uint8_t *out, uint32_t cap)
{
	uint32_t len;

	if (in_len < DP_AV1_DD_MIN_LEN)
		return -1;
	if (rewrite) {
		len = (uint32_t)dp_av1_dd_rewrite(in, in_len, s, active_mask, out, cap);
	} else if (fn_delta != 0) {
		if (in_len > cap)
			return -1;
		memcpy(out, in, in_len);
		len = in_len;
	} else {
		return 0;
	}
	if (len == 0)
		return -1;
	dp_av1_dd_put_frame_number(out, (uint16_t)((in[1] << 8 | in[2]) - fn_delta));
	return (int)len;
}

/*
 * The RTP header rtp[0..hdr_len) with its descriptor (extension id `ext`,
 * at dd_off, dd_len octets) replaced by dd[0..len), into out[0..cap).
 * Returns the new header's length, 0 when it does not fit or the element
 * cannot be replaced; *out_dd_off (when not NULL) is where the descriptor
 * is in it.
 */
static inline uint32_t dp_dd_out_header(const uint8_t *rtp, uint32_t hdr_len, uint8_t ext,
					uint32_t dd_off, uint32_t dd_len, const uint8_t *dd,
					uint32_t len, uint8_t *out, uint32_t cap, uint32_t *out_dd_off)
{
	if (len == dd_len) {
		if (hdr_len > cap || dd_off + len > hdr_len)
			return 0;
		memcpy(out, rtp, hdr_len);
		memcpy(out + dd_off, dd, len);
		if (out_dd_off != NULL)
			*out_dd_off = dd_off;
		return hdr_len;
	}
	uint32_t l = 0, out_len = strata_rtp_ext_replace(rtp, hdr_len, ext, dd, len, out, cap);
	const uint8_t *d = out_len ? strata_rtp_ext_find(out, out_len, ext, &l) : NULL;
	if (d == NULL || l != len)
		return 0;
	if (out_dd_off != NULL)
		*out_dd_off = (uint32_t)(d - out);
	return out_len;
}

#endif /* STRATA_DP_DD_OUT_H */
