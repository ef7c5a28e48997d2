/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VP9 RTP payload descriptor (RFC 9628 section 4.2) and its scalability
 * structure (section 4.2.1): what a receiver's layer decision needs from
 * each packet, the in-place rewrite of the fields that must stay continuous
 * for each receiver (PictureID, TL0PICIDX), and the RTP marker bit of a
 * receiver that gets only the lower spatial layers (section 4.1).
 */
#ifndef STRATA_DP_VP9_H
#define STRATA_DP_VP9_H

#include <stdbool.h>
#include <stdint.h>

#include "tables.h"

#define DP_VP9_MAX_LAYERS 8   /* N_S is 3 bits: up to 8 spatial layers */
#define DP_VP9_MAX_REFS 3     /* P_DIFFs per layer frame or PG picture */
#define DP_VP9_MAX_PG 255     /* N_G is 8 bits */

/* The descriptor's octets a rewrite may change, and the ones before them:
 * the first octet, two PictureID octets, the layer indices octet and
 * TL0PICIDX.  dp_vp9_parse's fi->desc_len is at most this. */
#define DP_VP9_MAX_REWRITE_LEN 5

/* One picture of a picture group (the SS's N_G part). */
struct dp_vp9_pg_picture {
	uint8_t tid;
	uint8_t u;
	uint8_t n_ref;                   /* R */
	uint8_t p_diff[DP_VP9_MAX_REFS]; /* 1..255 */
};

/* A scalability structure (V = 1), as dp_vp9_parse_desc fills it. */
struct dp_vp9_ss {
	uint8_t n_layers;       /* N_S + 1 */
	uint8_t has_resolution; /* Y */
	uint8_t has_pg;         /* G */
	uint8_t n_pg;           /* N_G (0 without G) */
	uint16_t width[DP_VP9_MAX_LAYERS];  /* with Y, else 0 */
	uint16_t height[DP_VP9_MAX_LAYERS];
	struct dp_vp9_pg_picture pg[DP_VP9_MAX_PG];
};

/* Every field of a descriptor. */
struct dp_vp9_desc {
	/* The first octet.  f is F with I: "if the I bit is set to zero, then
	 * [F] MUST also be set to zero and ignored by receivers". */
	uint8_t i, p, l, f, b, e, v, z;
	uint8_t picture_id_bits;          /* 7 or 15 with I, else 0 */
	uint16_t picture_id;
	uint8_t tid, u, sid, d;           /* with L, else 0 */
	uint8_t has_tl0, tl0picidx;       /* L in non-flexible mode */
	uint8_t n_ref;                    /* P in flexible mode: 1..3 */
	uint8_t p_diff[DP_VP9_MAX_REFS];  /* 1..127 */
	uint8_t ss_layers;                /* with V: N_S + 1 */
	uint8_t keyframe;                 /* the first packet of a key picture */
	uint16_t len;                     /* descriptor octets, SS included */
	uint16_t ss_len;                  /* the SS's octets, with V */
};

/*
 * Parses the descriptor at the start of an RTP payload (`len` bytes, RTP
 * header and padding already removed) into *d, which it overwrites, and,
 * when ss is not NULL and V is set, the scalability structure into *ss.
 * Returns 0, or -1 when the payload is truncated or inconsistent: a field
 * the I/M/L/F/P/N/V/Y/G bits or R announce runs past the end, a P_DIFF is 0
 * or more than three follow each other, D is set on spatial layer 0, the
 * SID is outside the packet's own SS, a picture group does not begin with
 * TID 0, or no VP9 data follows the descriptor.
 */
int dp_vp9_parse_desc(const uint8_t *payload, uint32_t len, struct dp_vp9_desc *d,
		      struct dp_vp9_ss *ss);

/*
 * The same checks, for the packet path: fills *fi (which it overwrites)
 * and *svc:
 *   keyframe     the first packet of a key picture (dp_vp9_parse_desc's
 *                keyframe, see vp9.c)
 *   frame_start  B: the first packet of a layer frame
 *   temporal     TID, sync U, has_layers L
 *   desc_len     the octets up to the last one dp_vp9_rewrite may change
 *                (at most DP_VP9_MAX_REWRITE_LEN; not the whole
 *                descriptor, which may carry a long SS)
 *   picture_id   PictureID, has_tl0/tl0picidx in non-flexible mode
 * and svc->kind = DP_SVC_VP9 with SID, P, D, E, Z, F and the SS's layer
 * count.  Returns 0 or -1 as dp_vp9_parse_desc.
 */
int dp_vp9_parse(const uint8_t *payload, uint32_t len, struct dp_frame_info *fi,
		 struct dp_frame_svc *svc);

/*
 * Rewrites, in place, the PictureID and TL0PICIDX of a descriptor that
 * dp_vp9_parse described in *fi (the receiver's copy of its first
 * fi->desc_len octets).  The length does not change: a 7-bit PictureID
 * stays 7 bits (picture_id is taken modulo 2^7 or 2^15); fields the
 * descriptor lacks are left absent.  P_DIFFs are differences of
 * PictureIDs: a receiver's PictureIDs must therefore differ from the
 * input's by a constant (changed only where the stream restarts, at a key
 * picture), never be renumbered without gaps.
 */
void dp_vp9_rewrite(uint8_t *desc, const struct dp_frame_info *fi, uint16_t picture_id,
		    uint8_t tl0picidx);

/*
 * The RTP marker bit of a receiver's copy of a VP9 packet, for a receiver
 * that gets spatial layers up to `layer` of the packet's picture.  RFC 9628
 * section 4.1:
 *
 *   "Marker bit (M): MUST be set to 1 for the final packet of the highest
 *   spatial layer frame (the final packet of the picture), and 0
 *   otherwise. [...] Note this bit MUST be set to 1 for the target spatial
 *   layer frame if a stream is being rewritten to remove higher spatial
 *   layers."
 *
 * So: the input's marker (the picture's last packet, forwarded only to
 * receivers of every layer it has), or the last packet (E) of the layer
 * frame of SID `layer`.  Never cleared: a packet the input marks is the
 * last of its picture for every receiver that gets it.
 */
static inline bool dp_vp9_marker(bool marker_in, const struct dp_frame_info *fi,
				 const struct dp_frame_svc *svc, uint8_t layer)
{
	return marker_in || (svc->frame_end && (!fi->has_layers || svc->spatial == layer));
}

#endif /* STRATA_DP_VP9_H */
