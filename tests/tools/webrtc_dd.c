/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dependency descriptor (webrtc_dd.h), following the syntax of the AV1
 * RTP specification, appendix A.8; the names are the specification's.
 */
#include <string.h>

#include "webrtc_dd.h"

struct bits {
	const uint8_t *p;
	size_t len, pos; /* in bits */
	int overrun;
};

/* f(n): "unsigned n-bit number appearing directly in the bitstream. The
 * bits are read from high to low order." */
static uint32_t f(struct bits *b, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		if (b->pos >= b->len * 8) {
			b->overrun = 1;
			return 0;
		}
		v = v << 1 | ((b->p[b->pos / 8] >> (7 - b->pos % 8)) & 1);
		b->pos++;
	}
	return v;
}

/* ns(n): "non-symmetric unsigned encoded integer with maximum number of
 * values n". */
static uint32_t ns(struct bits *b, uint32_t n)
{
	unsigned w = 0;
	uint32_t x = n, m, v;

	while (x != 0) {
		x >>= 1;
		w++;
	}
	m = (1u << w) - n;
	v = f(b, w - 1);
	if (v < m)
		return v;
	return (v << 1) - m + f(b, 1);
}

static enum wrtc_dd_result template_dependency_structure(struct bits *b,
							  struct wrtc_dd_structure *s)
{
	unsigned temporal_id = 0, spatial_id = 0, next_layer_idc;

	memset(s, 0, sizeof(*s));
	s->template_id_offset = f(b, 6);
	s->dt_cnt = f(b, 5) + 1;
	/* template_layers() */
	do {
		if (s->template_cnt == WRTC_DD_MAX_TEMPLATES || spatial_id >= WRTC_DD_MAX_SPATIAL)
			return WRTC_DD_TOO_BIG;
		s->template_sid[s->template_cnt] = (uint8_t)spatial_id;
		s->template_tid[s->template_cnt] = (uint8_t)temporal_id;
		s->template_cnt++;
		next_layer_idc = f(b, 2);
		if (next_layer_idc == 1) {
			temporal_id++;
			if (temporal_id > s->max_temporal_id)
				s->max_temporal_id = temporal_id;
		} else if (next_layer_idc == 2) {
			temporal_id = 0;
			spatial_id++;
		}
	} while (next_layer_idc != 3 && !b->overrun);
	s->max_spatial_id = spatial_id;
	/* template_dtis() */
	for (unsigned t = 0; t < s->template_cnt; t++)
		for (unsigned dt = 0; dt < s->dt_cnt; dt++)
			s->template_dti[t][dt] = (uint8_t)f(b, 2);
	/* template_fdiffs() */
	for (unsigned t = 0; t < s->template_cnt; t++) {
		while (f(b, 1)) {
			if (s->template_fdiff_cnt[t] == WRTC_DD_MAX_FDIFFS || b->overrun)
				return b->overrun ? WRTC_DD_SHORT : WRTC_DD_TOO_BIG;
			s->template_fdiff[t][s->template_fdiff_cnt[t]++] = (uint8_t)(f(b, 4) + 1);
		}
	}
	/* template_chains() */
	s->chain_cnt = ns(b, s->dt_cnt + 1);
	if (s->chain_cnt) {
		for (unsigned dt = 0; dt < s->dt_cnt; dt++)
			s->dt_protected_by[dt] = (uint8_t)ns(b, s->chain_cnt);
		for (unsigned t = 0; t < s->template_cnt; t++)
			for (unsigned c = 0; c < s->chain_cnt; c++)
				s->template_chain_fdiff[t][c] = (uint8_t)f(b, 4);
	}
	/* decode_target_layers() */
	for (unsigned dt = 0; dt < s->dt_cnt; dt++) {
		for (unsigned t = 0; t < s->template_cnt; t++) {
			if (!s->template_dti[t][dt])
				continue;
			if (s->template_sid[t] > s->dt_sid[dt])
				s->dt_sid[dt] = s->template_sid[t];
			if (s->template_tid[t] > s->dt_tid[dt])
				s->dt_tid[dt] = s->template_tid[t];
		}
	}
	/* render_resolutions() */
	s->resolutions_present = (int)f(b, 1);
	if (s->resolutions_present) {
		for (unsigned sid = 0; sid <= s->max_spatial_id; sid++) {
			s->width[sid] = (uint16_t)(f(b, 16) + 1);
			s->height[sid] = (uint16_t)(f(b, 16) + 1);
		}
	}
	if (b->overrun)
		return WRTC_DD_SHORT;
	s->valid = 1;
	return WRTC_DD_OK;
}

enum wrtc_dd_result wrtc_dd_parse(const uint8_t *p, size_t len, struct wrtc_dd_structure *st,
				  struct wrtc_dd_frame *fr)
{
	struct bits b = { p, len, 0, 0 };
	struct wrtc_dd_structure fresh;
	const struct wrtc_dd_structure *s = st;
	int custom_dtis = 0, custom_fdiffs = 0, custom_chains = 0;
	enum wrtc_dd_result r;

	memset(fr, 0, sizeof(*fr));
	if (len < 3)
		return WRTC_DD_SHORT;
	/* mandatory_descriptor_fields() */
	fr->start_of_frame = (int)f(&b, 1);
	fr->end_of_frame = (int)f(&b, 1);
	fr->template_id = f(&b, 6);
	fr->frame_number = f(&b, 16);
	if (len > 3) {
		/* extended_descriptor_fields() */
		fr->extended = 1;
		fr->has_structure = (int)f(&b, 1);
		fr->has_active_decode_targets = (int)f(&b, 1);
		custom_dtis = (int)f(&b, 1);
		custom_fdiffs = (int)f(&b, 1);
		custom_chains = (int)f(&b, 1);
		if (fr->has_structure) {
			r = template_dependency_structure(&b, &fresh);
			if (r != WRTC_DD_OK)
				return r;
			s = &fresh;
			fr->active_decode_targets = (uint32_t)((1ull << s->dt_cnt) - 1);
		}
		if (fr->has_active_decode_targets) {
			if (!s->valid)
				return WRTC_DD_NO_STRUCTURE;
			fr->active_decode_targets = f(&b, s->dt_cnt);
		}
	}
	if (!s->valid)
		return WRTC_DD_NO_STRUCTURE;
	/* frame_dependency_definition() */
	unsigned t = (fr->template_id + 64 - s->template_id_offset) % 64;
	if (t >= s->template_cnt)
		return WRTC_DD_BAD_TEMPLATE;
	fr->sid = s->template_sid[t];
	fr->tid = s->template_tid[t];
	for (unsigned dt = 0; dt < s->dt_cnt; dt++)
		fr->dti[dt] = custom_dtis ? (uint8_t)f(&b, 2) : s->template_dti[t][dt];
	if (custom_fdiffs) {
		unsigned size;
		while ((size = f(&b, 2)) != 0 && !b.overrun) {
			if (fr->fdiff_cnt == WRTC_DD_MAX_FDIFFS)
				return WRTC_DD_TOO_BIG;
			fr->fdiff[fr->fdiff_cnt++] = f(&b, 4 * size) + 1;
		}
	} else {
		fr->fdiff_cnt = s->template_fdiff_cnt[t];
		for (unsigned i = 0; i < fr->fdiff_cnt; i++)
			fr->fdiff[i] = s->template_fdiff[t][i];
	}
	for (unsigned c = 0; c < s->chain_cnt; c++)
		fr->chain_fdiff[c] = custom_chains ? (uint8_t)f(&b, 8) : s->template_chain_fdiff[t][c];
	if (b.overrun)
		return WRTC_DD_SHORT;
	if (s == &fresh)
		*st = fresh;
	return WRTC_DD_OK;
}

const char *wrtc_dd_result_name(enum wrtc_dd_result r)
{
	switch (r) {
	case WRTC_DD_OK: return "ok";
	case WRTC_DD_SHORT: return "too short";
	case WRTC_DD_NO_STRUCTURE: return "no structure yet";
	case WRTC_DD_BAD_TEMPLATE: return "template id outside the structure";
	case WRTC_DD_TOO_BIG: return "structure too big for this reader";
	}
	return "?";
}
