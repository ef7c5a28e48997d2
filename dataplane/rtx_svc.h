/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A retransmission as the receiver got the packet the first time.
 *
 * The fan-out rewrites, per receiver, more than the RTP numbers: the codec
 * payload descriptor's PictureID and TL0PICIDX (VP8, RFC 7741; VP9, RFC
 * 9628 section 4.2), the RTP marker of a receiver that gets only the lower
 * spatial layers (RFC 9628 section 4.1; AV1 RTP specification, the end of
 * a temporal unit) and the dependency descriptor (dd_out.h: the receiver's
 * active decode targets and frame numbers).  A retransmission of the
 * cached input must carry them again as the receiver saw them, or its
 * depacketiser and decoder are told another picture, another layer
 * structure or another set of decode targets than the first copy said.
 *
 * They are made again from the receiver's state now, the same
 * computations as the fan-out's on a copy of that state: so the copy is
 * the first one's while the receiver's numbering and layers are those it
 * had then, which the NACK's own mapping (only numbers since the
 * receiver's last rebase, seqmap_reverse.h) mostly guarantees.  What can
 * be told to have changed since is refused rather than sent wrong: the
 * descriptor's structure (the stream's or the receiver's), the receiver's
 * decode target (the frame is not in it) or its active decode targets.
 */
#ifndef STRATA_DP_RTX_SVC_H
#define STRATA_DP_RTX_SVC_H

#include <stdbool.h>
#include <stdint.h>

#include "dp.h"

enum dp_rtx_svc {
	DP_RTX_SVC_OK = 0,
	DP_RTX_SVC_DD_STALE,   /* the descriptor's structure changed since */
	DP_RTX_SVC_DD_CHANGED, /* the receiver's decode target or set did */
};

/*
 * The RTP header of receiver sub's copy of the cached input (rtp, meta; of
 * stream st) into hdr[0..cap), its length in *hdr_len, and its marker bit
 * in *marker: the input's header, with the receiver's dependency
 * descriptor on DP_PATH_DD.  The numbers, SSRC and payload type are the
 * caller's to write.
 */
enum dp_rtx_svc dp_rtx_svc_header(const struct dp_sub *sub, const struct dp_stream *st,
				  const struct dp_mbuf_meta *meta, const uint8_t *rtp, uint8_t *hdr,
				  uint32_t cap, uint32_t *hdr_len, bool *marker);

/*
 * Whether receiver sub gets the packet at all, by its layers now: for a
 * repair of a packet the router never had (rtx_repair.h), which the
 * receiver's numbering cannot tell apart from one of layers it does not
 * get (its sequence numbers close up only over packets the router saw).
 * A receiver never gets a frame of a layer above its own.
 */
bool dp_rtx_svc_wanted(const struct dp_sub *sub, const struct dp_mbuf_meta *meta);

/* Rewrites in place the payload descriptor desc (the receiver's copy of
 * the input's, fi->desc_len octets) with the receiver's PictureID and
 * TL0PICIDX, for VP8 and VP9 (sub's state is not moved). */
void dp_rtx_svc_payload(const struct dp_sub *sub, uint8_t codec, const struct dp_frame_info *fi,
			uint8_t *desc);

#endif /* STRATA_DP_RTX_SVC_H */
