/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Payload formats of the browser captures (webrtc_payload.h).
 */
#include <string.h>
#include <strings.h>

#include "webrtc_payload.h"

int wrtc_codec_from_name(const char *name)
{
	if (!strcasecmp(name, "VP8"))
		return WRTC_CODEC_VP8;
	if (!strcasecmp(name, "VP9"))
		return WRTC_CODEC_VP9;
	if (!strcasecmp(name, "AV1"))
		return WRTC_CODEC_AV1;
	if (!strcasecmp(name, "H264"))
		return WRTC_CODEC_H264;
	return -1;
}

/*
 * RFC 7741 section 4.2:
 *
 *        0 1 2 3 4 5 6 7
 *       +-+-+-+-+-+-+-+-+
 *       |X|R|N|S|R| PID | (REQUIRED)
 *       +-+-+-+-+-+-+-+-+
 *  X:   |I|L|T|K| RSV   | (OPTIONAL)
 *       +-+-+-+-+-+-+-+-+
 *  I:   |M| PictureID   | (OPTIONAL)
 *       +-+-+-+-+-+-+-+-+
 *  L:   |   TL0PICIDX   | (OPTIONAL)
 *       +-+-+-+-+-+-+-+-+
 *  T/K: |TID|Y| KEYIDX  | (OPTIONAL)
 *       +-+-+-+-+-+-+-+-+
 *
 * Section 4.3: in the payload header, "P: Inverse key frame flag.  When
 * set to 0, the current frame is a key frame."
 */
int wrtc_vp8_desc_parse(const uint8_t *p, size_t len, struct wrtc_vp8_desc *d)
{
	size_t at = 1;

	memset(d, 0, sizeof(*d));
	if (len < 1)
		return -1;
	d->start = (p[0] >> 4) & 1;
	d->partition = p[0] & 7;
	if (p[0] & 0x80) {
		if (len < 2)
			return -1;
		uint8_t x = p[1];
		at = 2;
		if (x & 0x80) {
			if (at >= len)
				return -1;
			d->has_picture_id = 1;
			if (p[at] & 0x80) {
				if (at + 2 > len)
					return -1;
				d->picture_id = (p[at] & 0x7fu) << 8 | p[at + 1];
				at += 2;
			} else {
				d->picture_id = p[at++];
			}
		}
		if (x & 0x40) {
			if (at >= len)
				return -1;
			d->has_tl0 = 1;
			d->tl0picidx = p[at++];
		}
		if (x & 0x30) {
			if (at >= len)
				return -1;
			d->has_tid = (x & 0x20) != 0;
			d->tid = p[at] >> 6;
			d->y = (p[at] >> 5) & 1;
			at++;
		}
	}
	if (at > len)
		return -1;
	d->len = at;
	d->keyframe = d->start && d->partition == 0 && at < len && !(p[at] & 1);
	return 0;
}

/*
 * RFC 9628 section 4.2 (the descriptor's fields in order: I, M, L, then
 * TL0PICIDX in non-flexible mode or P_DIFFs in flexible mode, then SS):
 *
 *         0 1 2 3 4 5 6 7
 *        +-+-+-+-+-+-+-+-+
 *        |I|P|L|F|B|E|V|Z| (REQUIRED)
 *        +-+-+-+-+-+-+-+-+
 *   I:   |M| PICTURE ID  | (REQUIRED)
 *        +-+-+-+-+-+-+-+-+
 *   M:   | EXTENDED PID  | (RECOMMENDED)
 *        +-+-+-+-+-+-+-+-+
 *   L:   | TID |U| SID |D| (CONDITIONALLY RECOMMENDED)
 *        +-+-+-+-+-+-+-+-+
 *        |   TL0PICIDX   | (CONDITIONALLY REQUIRED)     (F = 0)
 *        +-+-+-+-+-+-+-+-+                             -\
 *  P,F:  | P_DIFF      |N| (CONDITIONALLY REQUIRED)    - up to 3 times
 *        +-+-+-+-+-+-+-+-+                             -/
 *   V:   | SS            |
 *
 * Section 4.2.1, the scalability structure: "N_S | Y | G | - - -", then
 * with Y a 16-bit WIDTH and HEIGHT for each of the N_S + 1 spatial layers,
 * with G an N_G and N_G pictures of "TID | U | R | - -" and R P_DIFFs.
 */
int wrtc_vp9_desc_parse(const uint8_t *p, size_t len, struct wrtc_vp9_desc *d)
{
	size_t at = 1;

	memset(d, 0, sizeof(*d));
	if (len < 1)
		return -1;
	d->i = p[0] >> 7 & 1, d->p = p[0] >> 6 & 1, d->l = p[0] >> 5 & 1, d->f = p[0] >> 4 & 1;
	d->b = p[0] >> 3 & 1, d->e = p[0] >> 2 & 1, d->v = p[0] >> 1 & 1, d->z = p[0] & 1;
	if (d->i) {
		if (at >= len)
			return -1;
		if (p[at] & 0x80) {
			if (at + 2 > len)
				return -1;
			d->picture_id = (p[at] & 0x7fu) << 8 | p[at + 1];
			at += 2;
		} else {
			d->picture_id = p[at++];
		}
	}
	if (d->l) {
		if (at >= len)
			return -1;
		d->tid = p[at] >> 5, d->u = p[at] >> 4 & 1, d->sid = p[at] >> 1 & 7, d->d = p[at] & 1;
		at++;
		if (!d->f) {
			if (at >= len)
				return -1;
			d->tl0picidx = p[at++];
		}
	}
	if (d->f && d->p) {
		int more = 1;
		while (more) {
			if (at >= len || d->p_diff_cnt == 3)
				return -1;
			d->p_diff[d->p_diff_cnt++] = p[at] >> 1;
			more = p[at++] & 1;
		}
	}
	if (d->v) {
		if (at >= len)
			return -1;
		unsigned ns = (p[at] >> 5) + 1, y = p[at] >> 4 & 1, g = p[at] >> 3 & 1;
		at++;
		d->ss_layers = ns;
		d->ss_has_resolution = (int)y;
		if (y) {
			if (at + 4 * ns > len)
				return -1;
			for (unsigned i = 0; i < ns; i++, at += 4) {
				d->ss_width[i] = (uint16_t)(p[at] << 8 | p[at + 1]);
				d->ss_height[i] = (uint16_t)(p[at + 2] << 8 | p[at + 3]);
			}
		}
		if (g) {
			if (at >= len)
				return -1;
			d->ss_groups = p[at++];
			for (unsigned i = 0; i < d->ss_groups; i++) {
				if (at >= len)
					return -1;
				unsigned r = p[at] >> 2 & 3;
				at += 1 + r;
			}
			if (at > len)
				return -1;
		}
	}
	d->len = at;
	/* VP9 bitstream section 6.2, uncompressed_header(): frame_marker (2),
	 * profile_low_bit, profile_high_bit, (reserved_zero for profile 3),
	 * show_existing_frame, frame_type (0: KEY_FRAME). */
	if (d->b && !d->p && d->sid == 0 && at < len) {
		uint8_t h = p[at];
		unsigned profile = (h >> 5 & 1) | (h >> 3 & 2);
		/* Bit positions from the least significant: show_existing_frame
		 * is bit 3, or bit 2 after profile 3's reserved bit. */
		unsigned se = profile == 3 ? 2 : 3;
		int show_existing = h >> se & 1, frame_type = h >> (se - 1) & 1;
		d->keyframe = (h >> 6) == 2 && !show_existing && frame_type == 0;
	}
	return 0;
}

int wrtc_av1_elements(const uint8_t *p, size_t len, struct wrtc_av1_agg *agg,
		      wrtc_av1_element_fn fn, void *ctx)
{
	size_t at = 1;
	unsigned count = 0;

	if (len < 1)
		return -1;
	agg->z = p[0] >> 7 & 1;
	agg->y = p[0] >> 6 & 1;
	agg->w = p[0] >> 4 & 3;
	agg->n = p[0] >> 3 & 1;
	/* Section 4.4: "W: two bit field that describes the number of OBU
	 * elements in the packet ... if W is 0, each OBU element MUST be
	 * preceded by a length field"; otherwise the last of the W elements
	 * has none and extends to the end of the packet. */
	while (at < len) {
		uint64_t elen;
		int last_by_count = agg->w && count + 1 == agg->w;

		if (last_by_count) {
			elen = len - at;
		} else {
			size_t n = wrtc_leb128_read(p + at, len - at, &elen);
			if (!n || elen > len - at - n)
				return -1;
			at += n;
		}
		count++;
		int last = at + elen == len;
		fn(ctx, p + at, (size_t)elen, count == 1, last);
		at += (size_t)elen;
		if (last_by_count)
			break;
	}
	return 0;
}

/*
 * AV1 section 5.3.2, obu_header(): obu_forbidden_bit (1), obu_type (4),
 * obu_extension_flag (1), obu_has_size_field (1), obu_reserved_1bit (1);
 * section 5.3.3, obu_extension_header(): temporal_id (3), spatial_id (2),
 * extension_header_reserved_3bits (3).
 */
int wrtc_obu_header_parse(const uint8_t *p, size_t len, struct wrtc_obu_header *h)
{
	memset(h, 0, sizeof(*h));
	if (len < 1 || (p[0] & 0x80))
		return -1;
	h->type = p[0] >> 3 & 15;
	h->has_extension = p[0] >> 2 & 1;
	h->has_size = p[0] >> 1 & 1;
	h->header_len = 1;
	if (h->has_extension) {
		if (len < 2)
			return -1;
		h->tid = p[1] >> 5;
		h->sid = p[1] >> 3 & 3;
		h->header_len = 2;
	}
	return 0;
}

size_t wrtc_leb128_read(const uint8_t *p, size_t len, uint64_t *value)
{
	*value = 0;
	for (size_t i = 0; i < 8 && i < len; i++) {
		*value |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80))
			return i + 1;
	}
	return 0;
}

size_t wrtc_leb128_write(uint8_t *p, uint64_t value)
{
	size_t n = 0;

	do {
		uint8_t b = value & 0x7f;
		value >>= 7;
		p[n++] = (uint8_t)(b | (value ? 0x80 : 0));
	} while (value);
	return n;
}

static int h264_nal_starts_keyframe(unsigned type)
{
	return type == 5 || type == 7; /* IDR slice, sequence parameter set */
}

int wrtc_starts_keyframe(int codec, const uint8_t *p, size_t len)
{
	struct wrtc_vp8_desc v8;
	struct wrtc_vp9_desc v9;

	switch (codec) {
	case WRTC_CODEC_VP8:
		return wrtc_vp8_desc_parse(p, len, &v8) == 0 && v8.keyframe;
	case WRTC_CODEC_VP9:
		return wrtc_vp9_desc_parse(p, len, &v9) == 0 && v9.keyframe;
	case WRTC_CODEC_AV1:
		/* Section 4.4: "N: MUST be set to 1 if the packet is the first
		 * packet of a coded video sequence". */
		return len > 0 && (p[0] & 0x08);
	case WRTC_CODEC_H264:
		if (len < 1)
			return 0;
		if ((p[0] & 0x1f) == 24)
			return len > 3 && h264_nal_starts_keyframe(p[3] & 0x1f);
		if ((p[0] & 0x1f) == 28)
			return len > 1 && (p[1] & 0x80) && h264_nal_starts_keyframe(p[1] & 0x1f);
		return h264_nal_starts_keyframe(p[0] & 0x1f);
	}
	return 0;
}
