/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VP9 payload descriptor and its scalability structure.
 *
 * RFC 9628 section 4.2, in flexible mode (F = 1) and non-flexible mode
 * (F = 0):
 *
 *          0 1 2 3 4 5 6 7                      0 1 2 3 4 5 6 7
 *         +-+-+-+-+-+-+-+-+                    +-+-+-+-+-+-+-+-+
 *         |I|P|L|F|B|E|V|Z| (REQUIRED)         |I|P|L|F|B|E|V|Z| (REQUIRED)
 *         +-+-+-+-+-+-+-+-+                    +-+-+-+-+-+-+-+-+
 *    I:   |M| PICTURE ID  | (REQUIRED)    I:   |M| PICTURE ID  | (RECOMMENDED)
 *         +-+-+-+-+-+-+-+-+                    +-+-+-+-+-+-+-+-+
 *    M:   | EXTENDED PID  | (RECOMMENDED) M:   | EXTENDED PID  | (RECOMMENDED)
 *         +-+-+-+-+-+-+-+-+                    +-+-+-+-+-+-+-+-+
 *    L:   | TID |U| SID |D|               L:   | TID |U| SID |D|
 *         +-+-+-+-+-+-+-+-+                    +-+-+-+-+-+-+-+-+
 *    P,F: | P_DIFF      |N| up to 3 times      |   TL0PICIDX   |
 *         +-+-+-+-+-+-+-+-+                    +-+-+-+-+-+-+-+-+
 *    V:   | SS            |               V:   | SS            |
 *         | ..            |                    | ..            |
 *         +-+-+-+-+-+-+-+-+                    +-+-+-+-+-+-+-+-+
 *
 * Fields appear in this order, each moving up when an earlier one is
 * absent.  In the RFC's words and ours:
 *
 *   I  a PictureID follows; its first bit M says 7 or 15 bits.  "All
 *      frames of the same picture" carry the same one.
 *   P  "Inter-picture predicted frame.  When set to zero, the frame does
 *      not utilize inter-picture prediction.  In this case, up-switching
 *      to a current spatial layer's frame is possible from a directly
 *      lower spatial layer frame."  (Its other MUST, "When P is set to
 *      zero, the TID field [...] MUST also be set to 0", is the sender's:
 *      a packet that breaks it is still parsed, and selection treats such
 *      a frame by its TID like any other.)
 *   L  the layer indices follow: one octet, and TL0PICIDX after it in
 *      non-flexible mode.
 *   F  flexible mode.  "This MUST only be set to 1 if the I bit is also
 *      set to one; if the I bit is set to zero, then this MUST also be set
 *      to zero and ignored by receivers."  So without I we read the
 *      non-flexible layout.
 *   B  "Start of a frame.  MUST be set to 1 if the first payload octet of
 *      the RTP packet is the beginning of a new VP9 frame [...] Note that
 *      this frame might not be the first frame of a picture."  A frame
 *      here is a layer frame: one spatial layer of a picture.
 *   E  "End of a frame.  MUST be set to 1 for the final RTP packet of a
 *      VP9 frame [...] if spatial scalability is in use, more frames from
 *      the same picture may follow in the same RTP timestamp."
 *   V  the scalability structure follows (below).
 *   Z  "Not a reference frame for upper spatial layers.  If set to 1,
 *      indicates that frames with higher spatial layers SID+1 and greater
 *      of the current and following pictures do not depend on the current
 *      spatial layer SID frame."
 *   TID, SID  the temporal and spatial layer (3 bits each).
 *   U  "Switching up point.  If this bit is set to 1 for the current
 *      picture with temporal layer ID equal to TID, then "switch up" to a
 *      higher frame rate is possible as subsequent higher temporal layer
 *      pictures will not depend on any picture before the current picture
 *      (in coding order) with temporal layer ID greater than TID."
 *   D  inter-layer dependency: the layer frame depends on the frame of
 *      spatial layer SID - 1 of the same picture.  "For the base layer
 *      frame (with SID equal to 0), this D bit MUST be set to zero": a
 *      dependency that cannot exist, refused.
 *   TL0PICIDX  "a running index for the temporal base layer pictures [...]
 *      If TID is larger than 0, TL0PICIDX indicates which temporal base
 *      layer picture the current picture depends on."
 *   P_DIFF, N  "The reference index (in 7 bits) specified as the relative
 *      PID from the current picture [...] A P_DIFF value of 0 is invalid."
 *      N: another P_DIFF follows; at most three.  Present when P and F are
 *      both set ("at least one reference index MUST be specified").
 *
 * Section 4.2.1, the scalability structure:
 *
 *         +-+-+-+-+-+-+-+-+
 *    V:   | N_S |Y|G|-|-|-|
 *         +-+-+-+-+-+-+-+-+              -\
 *    Y:   |     WIDTH     | (OPTIONAL)    .
 *         +               +               .
 *         |               | (OPTIONAL)    .
 *         +-+-+-+-+-+-+-+-+               . - N_S + 1 times
 *         |     HEIGHT    | (OPTIONAL)    .
 *         +               +               .
 *         |               | (OPTIONAL)    .
 *         +-+-+-+-+-+-+-+-+              -/
 *    G:   |      N_G      | (OPTIONAL)
 *         +-+-+-+-+-+-+-+-+                           -\
 *    N_G: | TID |U| R |-|-| (OPTIONAL)                 .
 *         +-+-+-+-+-+-+-+-+              -\            . - N_G times
 *         |    P_DIFF     | (OPTIONAL)    . - R times  .
 *         +-+-+-+-+-+-+-+-+              -/           -/
 *
 *   N_S + 1 spatial layers; Y: a 16-bit width and height per layer; G: a
 *   picture group (PG) of N_G pictures, each with its TID, U and R
 *   P_DIFFs of 8 bits.  "The first picture specified in the PG MUST have
 *   TID set to 0" (refused otherwise), and a P_DIFF of 0 would name the
 *   picture itself (refused, as in the descriptor).  "-" bits are
 *   reserved, ignored.
 *
 * The key picture.  Section 4.2, on F: "A key picture is a picture whose
 * base spatial layer frame is a key frame, and which thus completely
 * resets the encoder state.  This packet will have its P bit equal to
 * zero, SID or L bit [...] equal to zero, and B bit [...] equal to 1."
 * We take exactly that packet as a keyframe's first packet, and one more
 * case: a picture whose lower layers the encoder switched off begins at a
 * higher SID, and libwebrtc then sends the SS with it, giving the layers
 * below a resolution of 0x0.  So: B = 1, P = 0, D = 0, and SID 0, no
 * layer indices, or every layer below SID 0x0 in the packet's own SS.  We
 * do not look into the VP9 frame header: the RFC's bits say it, as they
 * do for the receivers (libwebrtc's depacketizer too), and they stay
 * readable when the payload is end-to-end encrypted.
 */
#include <string.h>

#include "vp9.h"

#define VP9_I 0x80
#define VP9_P 0x40
#define VP9_L 0x20
#define VP9_F 0x10
#define VP9_B 0x08
#define VP9_E 0x04
#define VP9_V 0x02
#define VP9_Z 0x01

#define VP9_M 0x80
#define VP9_N 0x01

#define SS_Y 0x10
#define SS_G 0x08

/* Walks the scalability structure at p[*n], within len.  Fills ss when not
 * NULL; *first_active is the lowest layer whose resolution is not 0x0 (0
 * without Y). */
static int parse_ss(const uint8_t *p, uint32_t len, uint32_t *n, struct dp_vp9_ss *ss,
		    uint8_t *n_layers, uint8_t *first_active)
{
	uint32_t at = *n;

	if (at >= len)
		return -1;
	uint8_t hdr = p[at++];
	uint8_t layers = (uint8_t)((hdr >> 5) + 1);

	*n_layers = layers;
	*first_active = 0;
	if (ss) {
		memset(ss, 0, sizeof(*ss));
		ss->n_layers = layers;
		ss->has_resolution = !!(hdr & SS_Y);
		ss->has_pg = !!(hdr & SS_G);
	}
	if (hdr & SS_Y) {
		bool active_seen = false;

		if (len - at < 4u * layers)
			return -1;
		for (uint8_t s = 0; s < layers; s++, at += 4) {
			uint16_t w = (uint16_t)(p[at] << 8 | p[at + 1]);
			uint16_t h = (uint16_t)(p[at + 2] << 8 | p[at + 3]);

			if (!active_seen && w == 0 && h == 0)
				*first_active = (uint8_t)(s + 1);
			else
				active_seen = true;
			if (ss) {
				ss->width[s] = w;
				ss->height[s] = h;
			}
		}
		if (!active_seen)
			*first_active = 0; /* all 0x0: no layer is named active */
	}
	if (hdr & SS_G) {
		if (at >= len)
			return -1;
		uint8_t n_g = p[at++];

		if (ss)
			ss->n_pg = n_g;
		for (unsigned k = 0; k < n_g; k++) {
			if (at >= len)
				return -1;
			uint8_t pic = p[at++];
			uint8_t tid = pic >> 5, r = (pic >> 2) & 3;

			if (k == 0 && tid != 0)
				return -1;
			if (len - at < r)
				return -1;
			for (unsigned j = 0; j < r; j++)
				if (p[at + j] == 0)
					return -1;
			if (ss) {
				struct dp_vp9_pg_picture *g = &ss->pg[k];
				g->tid = tid;
				g->u = (pic >> 4) & 1;
				g->n_ref = r;
				memcpy(g->p_diff, p + at, r);
			}
			at += r;
		}
	}
	*n = at;
	return 0;
}

int dp_vp9_parse_desc(const uint8_t *p, uint32_t len, struct dp_vp9_desc *d,
		      struct dp_vp9_ss *ss)
{
	uint32_t n = 1;

	memset(d, 0, sizeof(*d));
	if (len < 1)
		return -1;
	uint8_t b0 = p[0];
	d->i = !!(b0 & VP9_I);
	d->p = !!(b0 & VP9_P);
	d->l = !!(b0 & VP9_L);
	d->f = d->i && (b0 & VP9_F);
	d->b = !!(b0 & VP9_B);
	d->e = !!(b0 & VP9_E);
	d->v = !!(b0 & VP9_V);
	d->z = !!(b0 & VP9_Z);

	if (d->i) {
		if (n >= len)
			return -1;
		if (p[n] & VP9_M) {
			if (n + 1 >= len)
				return -1;
			d->picture_id = (uint16_t)((p[n] & 0x7f) << 8 | p[n + 1]);
			d->picture_id_bits = 15;
			n += 2;
		} else {
			d->picture_id = p[n] & 0x7f;
			d->picture_id_bits = 7;
			n += 1;
		}
	}
	if (d->l) {
		if (n >= len)
			return -1;
		uint8_t li = p[n++];
		d->tid = li >> 5;
		d->u = (li >> 4) & 1;
		d->sid = (li >> 1) & 7;
		d->d = li & 1;
		if (d->d && d->sid == 0)
			return -1;
		if (!d->f) {
			if (n >= len)
				return -1;
			d->has_tl0 = 1;
			d->tl0picidx = p[n++];
		}
	}
	if (d->p && d->f) {
		for (;;) {
			if (n >= len)
				return -1;
			uint8_t r = p[n++];
			if ((r >> 1) == 0)
				return -1;
			d->p_diff[d->n_ref++] = r >> 1;
			if (!(r & VP9_N))
				break;
			if (d->n_ref == DP_VP9_MAX_REFS)
				return -1;
		}
	}
	uint8_t first_active = 0;
	if (d->v) {
		uint32_t at = n;
		if (parse_ss(p, len, &n, ss, &d->ss_layers, &first_active) != 0)
			return -1;
		if (d->l && d->sid >= d->ss_layers)
			return -1;
		d->ss_len = (uint16_t)(n - at);
	}

	/* A packet carries at least one octet of VP9 data. */
	if (n >= len)
		return -1;
	d->len = (uint16_t)n;
	d->keyframe = d->b && !d->p && !d->d &&
		      (!d->l || d->sid == 0 || (d->v && d->sid <= first_active));
	return 0;
}

int dp_vp9_parse(const uint8_t *p, uint32_t len, struct dp_frame_info *fi,
		 struct dp_frame_svc *svc)
{
	struct dp_vp9_desc d;

	memset(fi, 0, sizeof(*fi));
	memset(svc, 0, sizeof(*svc));
	if (dp_vp9_parse_desc(p, len, &d, NULL) != 0)
		return -1;
	fi->keyframe = d.keyframe;
	fi->frame_start = d.b;
	fi->has_layers = d.l;
	fi->temporal = d.tid;
	fi->sync = d.u;
	fi->has_picture_id = d.i;
	fi->picture_id = d.picture_id;
	fi->picture_id_bits = d.picture_id_bits;
	fi->has_tl0 = d.has_tl0;
	fi->tl0picidx = d.tl0picidx;
	/* Up to TL0PICIDX (after the layer indices octet), else the PictureID. */
	fi->desc_len = (uint8_t)(1 + (d.i ? d.picture_id_bits / 8 + 1 : 0) + (d.has_tl0 ? 2 : 0));

	svc->kind = DP_SVC_VP9;
	svc->spatial = d.sid;
	svc->inter_picture = d.p;
	svc->inter_layer = d.d;
	svc->frame_end = d.e;
	svc->not_ref_upper = d.z;
	svc->ss_layers = d.ss_layers;
	svc->flexible = d.f;
	return 0;
}

void dp_vp9_rewrite(uint8_t *desc, const struct dp_frame_info *fi, uint16_t picture_id,
		    uint8_t tl0picidx)
{
	uint32_t n = 1;

	if (fi->has_picture_id) {
		if (fi->picture_id_bits == 15) {
			desc[n] = (uint8_t)(VP9_M | ((picture_id >> 8) & 0x7f));
			desc[n + 1] = (uint8_t)picture_id;
			n += 2;
		} else {
			desc[n] = picture_id & 0x7f;
			n += 1;
		}
	}
	/* TL0PICIDX comes after the layer indices octet. */
	if (fi->has_tl0)
		desc[n + 1] = tl0picidx;
}
