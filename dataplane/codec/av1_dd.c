/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Dependency Descriptor: reading it (AV1 RTP specification, appendix A,
 * section A.8) and rewriting its active decode targets for a receiver
 * (section A.4).
 *
 * A.8.2: "f(n) - unsigned n-bit number appearing directly in the bitstream.
 * The bits are read from high to low order."  A descriptor is
 *
 *     dependency_descriptor( sz ) {
 *       TotalConsumedBits = 0
 *       mandatory_descriptor_fields()
 *       if (sz > 3) {
 *         extended_descriptor_fields()
 *       } else {
 *         no_extended_descriptor_fields()
 *       }
 *       frame_dependency_definition()
 *       zero_padding = f(sz * 8 - TotalConsumedBits)
 *     }
 *
 * and A.8.3 says of the last field: "zero_padding MUST be set to 0 and be
 * ignored by receivers", so bits left over are not looked at.
 */
#include <stdbool.h>
#include <string.h>

#include "av1_dd.h"

static const char *const status_names[DP_AV1_DD_N_STATUS] = {
	"ok",
#define DP_AV1_DD_NAME(name, str) str,
	DP_AV1_DD_FOREACH_ERROR(DP_AV1_DD_NAME)
#undef DP_AV1_DD_NAME
};

const char *dp_av1_dd_status_name(enum dp_av1_dd_status s)
{
	return (unsigned)s < DP_AV1_DD_N_STATUS ? status_names[s] : "unknown";
}

/* ---- Bits in, bits out ------------------------------------------------ */

/* A reader over n bits; reading past them yields zeros and sets `over`. */
struct bits {
	const uint8_t *p;
	size_t n, pos;
	bool over;
};

/* f(n), n <= 32. */
static uint32_t get(struct bits *b, unsigned n)
{
	uint32_t v = 0;

	if (n > b->n - b->pos) {
		b->over = true;
		b->pos = b->n;
		return 0;
	}
	while (n) {
		unsigned avail = 8 - (unsigned)(b->pos & 7);
		unsigned take = n < avail ? n : avail;
		unsigned byte = b->p[b->pos >> 3];

		v = (v << take) | ((byte >> (avail - take)) & ((1u << take) - 1));
		b->pos += take;
		n -= take;
	}
	return v;
}

/*
 * A.8.2: "ns(n) - non-symmetric unsigned encoded integer with maximum number
 * of values n (i.e., output in range 0..n-1)."
 *
 *     ns(n) {
 *       w = 0
 *       x = n
 *       while (x != 0) {
 *         x = x >> 1
 *         w++
 *       }
 *       m = (1 << w) - n
 *       v = f(w - 1)
 *       if (v < m)
 *         return v
 *       extra_bit = f(1)
 *       return (v << 1) - m + extra_bit
 *     }
 */
static uint32_t get_ns(struct bits *b, uint32_t n)
{
	unsigned w = 0;

	for (uint32_t x = n; x; x >>= 1)
		w++;
	uint32_t m = (1u << w) - n;
	uint32_t v = get(b, w - 1);
	if (v < m)
		return v;
	return (v << 1) - m + get(b, 1);
}

/* A writer into a buffer of enough octets (the caller checked). */
struct wbits {
	uint8_t *p;
	size_t pos;
};

static void put(struct wbits *w, unsigned n, uint32_t v)
{
	while (n) {
		unsigned room = 8 - (unsigned)(w->pos & 7);
		unsigned take = n < room ? n : room;
		uint8_t *byte = &w->p[w->pos >> 3];

		if ((w->pos & 7) == 0)
			*byte = 0;
		*byte |= (uint8_t)(((v >> (n - take)) & ((1u << take) - 1)) << (room - take));
		w->pos += take;
		n -= take;
	}
}

/* Copies bits [from, to) of src: eight at a time, each put at once from
 * the two octets it straddles, then the rest. */
static void put_copy(struct wbits *w, const uint8_t *src, size_t from, size_t to)
{
	while (to - from >= 8) {
		size_t i = from >> 3;
		unsigned sh = (unsigned)(from & 7);

		put(w, 8, sh ? (uint8_t)(src[i] << sh | src[i + 1] >> (8 - sh)) : src[i]);
		from += 8;
	}
	if (from < to) {
		struct bits b = { .p = src, .n = to, .pos = from };
		put(w, (unsigned)(to - from), get(&b, (unsigned)(to - from)));
	}
}

/* ---- The template dependency structure -------------------------------- */

/*
 *     template_layers() {
 *       temporalId = 0
 *       spatialId = 0
 *       TemplateCnt = 0;
 *       MaxTemporalId = 0
 *       do {
 *         TemplateSpatialId[TemplateCnt] = spatialId
 *         TemplateTemporalId[TemplateCnt] = temporalId
 *         TemplateCnt++
 *         next_layer_idc = f(2)
 *         // next_layer_idc == 0 - same sid and tid
 *         if (next_layer_idc == 1) {
 *           temporalId++
 *           if (temporalId > MaxTemporalId) {
 *             MaxTemporalId = temporalId
 *           }
 *         } else if (next_layer_idc == 2) {
 *           temporalId = 0
 *           spatialId++
 *         }
 *       } while (next_layer_idc != 3)
 *       MaxSpatialId = spatialId
 *     }
 *
 * "A next_layer_idc equal to 3 indicates that no more Frame dependency
 * templates are present."
 */
static enum dp_av1_dd_status read_template_layers(struct bits *b, struct dp_av1_dd_structure *s)
{
	unsigned spatial = 0, temporal = 0, cnt = 0, idc;

	do {
		if (cnt == DP_AV1_DD_MAX_TEMPLATES)
			return DP_AV1_DD_TOO_MANY_TEMPLATES;
		s->templates[cnt].spatial = (uint8_t)spatial;
		s->templates[cnt].temporal = (uint8_t)temporal;
		cnt++;
		idc = get(b, 2);
		if (b->over)
			return DP_AV1_DD_TRUNCATED;
		if (idc == 1) {
			temporal++;
			if (temporal > s->max_temporal)
				s->max_temporal = (uint8_t)temporal;
		} else if (idc == 2) {
			temporal = 0;
			spatial++;
		}
		if (spatial >= DP_AV1_DD_MAX_SPATIAL || temporal >= DP_AV1_DD_MAX_TEMPORAL)
			return DP_AV1_DD_LAYER_TOO_HIGH;
	} while (idc != 3);
	s->template_cnt = (uint8_t)cnt;
	s->max_spatial = (uint8_t)spatial;
	return DP_AV1_DD_OK;
}

/*
 *     template_fdiffs() {
 *       for (templateIndex = 0; templateIndex < TemplateCnt; templateIndex++) {
 *         fdiffCnt = 0
 *         fdiff_follows_flag = f(1)
 *         while (fdiff_follows_flag) {
 *           fdiff_minus_one = f(4)
 *           TemplateFdiff[templateIndex][fdiffCnt] = fdiff_minus_one + 1
 *           fdiffCnt++
 *           fdiff_follows_flag = f(1)
 *         }
 *         TemplateFdiffCnt[templateIndex] = fdiffCnt
 *       }
 *     }
 */
static enum dp_av1_dd_status read_template_fdiffs(struct bits *b, struct dp_av1_dd_structure *s)
{
	for (unsigned i = 0; i < s->template_cnt; i++) {
		struct dp_av1_dd_template *t = &s->templates[i];

		while (get(b, 1)) {
			if (t->fdiff_cnt == DP_AV1_DD_MAX_FDIFFS)
				return DP_AV1_DD_TOO_MANY_FDIFFS;
			t->fdiff[t->fdiff_cnt++] = (uint8_t)(get(b, 4) + 1);
		}
		if (b->over)
			return DP_AV1_DD_TRUNCATED;
	}
	return DP_AV1_DD_OK;
}

/*
 *     template_chains() {
 *       chain_cnt = ns(DtCnt + 1)
 *       if (chain_cnt == 0) {
 *         return
 *       }
 *       for (dtIndex = 0; dtIndex < DtCnt; dtIndex++) {
 *         decode_target_protected_by[dtIndex] = ns(chain_cnt)
 *       }
 *       for (templateIndex = 0; templateIndex < TemplateCnt; templateIndex++) {
 *         for (chainIndex = 0; chainIndex < chain_cnt; chainIndex++) {
 *           template_chain_fdiff[templateIndex][chainIndex] = f(4)
 *         }
 *       }
 *     }
 */
static void read_template_chains(struct bits *b, struct dp_av1_dd_structure *s)
{
	s->chain_cnt = (uint8_t)get_ns(b, s->dt_cnt + 1u);
	if (s->chain_cnt == 0)
		return;
	for (unsigned dt = 0; dt < s->dt_cnt; dt++)
		s->protected_by[dt] = (uint8_t)get_ns(b, s->chain_cnt);
	for (unsigned i = 0; i < s->template_cnt; i++)
		for (unsigned c = 0; c < s->chain_cnt; c++)
			s->templates[i].chain_fdiff[c] = (uint8_t)get(b, 4);
}

/*
 *     decode_target_layers() {
 *       for (dtIndex = 0; dtIndex < dtCnt; dtIndex++) {
 *         spatialId = 0
 *         temporalId = 0
 *         for (templateIndex = 0; templateIndex < TemplateCnt; templateIndex++) {
 *           if (template_dti[templateIndex][dtIndex] != 0) {
 *             if (TemplateSpatialId[templateIndex] > spatialId) {
 *               spatialId = TemplateSpatialId[templateIndex]
 *             }
 *             if (TemplateTemporalId[templateIndex] > temporalId) {
 *               temporalId = TemplateTemporalId[templateIndex]
 *             }
 *           }
 *         }
 *         DecodeTargetSpatialId[dtIndex] = spatialId
 *         DecodeTargetTemporalId[dtIndex] = temporalId
 *       }
 *     }
 *
 * and, ours, which decode targets each one contains (subset[]).
 */
static void derive_decode_targets(struct dp_av1_dd_structure *s)
{
	uint32_t present[DP_AV1_DD_MAX_DTS] = { 0 }; /* bit i: template i in dt (low 32) */
	uint32_t present_hi[DP_AV1_DD_MAX_DTS] = { 0 }; /* templates 32..63 */

	for (unsigned dt = 0; dt < s->dt_cnt; dt++) {
		for (unsigned i = 0; i < s->template_cnt; i++) {
			const struct dp_av1_dd_template *t = &s->templates[i];

			if (dp_av1_dd_dti_of(t->dti, dt) == DP_AV1_DD_NOT_PRESENT)
				continue;
			if (t->spatial > s->dt_spatial[dt])
				s->dt_spatial[dt] = t->spatial;
			if (t->temporal > s->dt_temporal[dt])
				s->dt_temporal[dt] = t->temporal;
			if (i < 32)
				present[dt] |= 1u << i;
			else
				present_hi[dt] |= 1u << (i - 32);
		}
	}
	for (unsigned t = 0; t < s->dt_cnt; t++)
		for (unsigned d = 0; d < s->dt_cnt; d++)
			if ((present[d] & ~present[t]) == 0 && (present_hi[d] & ~present_hi[t]) == 0)
				s->subset[t] |= 1u << d;
}

/*
 *     template_dependency_structure() {
 *       template_id_offset = f(6)
 *       dt_cnt_minus_one = f(5)
 *       DtCnt = dt_cnt_minus_one + 1
 *       template_layers()
 *       template_dtis()
 *       template_fdiffs()
 *       template_chains()
 *       decode_target_layers()
 *       resolutions_present_flag = f(1)
 *       if (resolutions_present_flag) {
 *         render_resolutions()
 *       }
 *     }
 *
 * template_dtis() reads f(2) for each template and each decode target in
 * turn; render_resolutions() reads max_render_width_minus_1 and
 * max_render_height_minus_1, f(16) each, for spatial ids 0..MaxSpatialId.
 */
static enum dp_av1_dd_status read_structure(struct bits *b, struct dp_av1_dd_structure *s)
{
	enum dp_av1_dd_status st;
	size_t begin = b->pos;

	memset(s, 0, sizeof(*s));
	s->template_id_offset = (uint8_t)get(b, 6);
	s->dt_cnt = (uint8_t)(get(b, 5) + 1);
	if (b->over)
		return DP_AV1_DD_TRUNCATED;
	st = read_template_layers(b, s);
	if (st != DP_AV1_DD_OK)
		return st;
	for (unsigned i = 0; i < s->template_cnt; i++)
		for (unsigned dt = 0; dt < s->dt_cnt; dt++)
			s->templates[i].dti |= (uint64_t)get(b, 2) << (2 * dt);
	st = read_template_fdiffs(b, s);
	if (st != DP_AV1_DD_OK)
		return st;
	read_template_chains(b, s);
	derive_decode_targets(s);
	s->resolutions_present = (uint8_t)get(b, 1);
	if (s->resolutions_present) {
		for (unsigned sid = 0; sid <= s->max_spatial; sid++) {
			s->max_width[sid] = (uint16_t)(get(b, 16) + 1);
			s->max_height[sid] = (uint16_t)(get(b, 16) + 1);
		}
	}
	s->bits = (uint16_t)(b->pos - begin);
	return b->over ? DP_AV1_DD_TRUNCATED : DP_AV1_DD_OK;
}

/* ---- One descriptor --------------------------------------------------- */

/* Where a descriptor's parts are, in bits, and what the rewrite needs to
 * know of them. */
struct dp_av1_dd_layout {
	uint16_t structure_end;   /* after the structure, when structure_present */
	uint16_t def_begin, def_end; /* the frame dependency definition */
	uint8_t dt_cnt;           /* of the structure the template id refers to */
	uint8_t extended;         /* longer than the mandatory fields */
	uint8_t structure_present, active_present;
	uint32_t active_mask;     /* the input's own bitmask, when active_present */
	uint32_t all;             /* every decode target of that structure */
};

/*
 *     mandatory_descriptor_fields() {
 *       start_of_frame = f(1)
 *       end_of_frame = f(1)
 *       frame_dependency_template_id = f(6)
 *       frame_number = f(16)
 *     }
 *
 *     extended_descriptor_fields() {
 *       template_dependency_structure_present_flag = f(1)
 *       active_decode_targets_present_flag = f(1)
 *       custom_dtis_flag = f(1)
 *       custom_fdiffs_flag = f(1)
 *       custom_chains_flag = f(1)
 *
 *       if (template_dependency_structure_present_flag) {
 *         template_dependency_structure()
 *         active_decode_targets_bitmask = (1 << DtCnt) - 1
 *       }
 *
 *       if (active_decode_targets_present_flag) {
 *         active_decode_targets_bitmask = f(DtCnt)
 *       }
 *     }
 *
 *     no_extended_descriptor_fields() {
 *       custom_dtis_flag = 0
 *       custom_fdiffs_flag = 0
 *       custom_chains_flag = 0
 *     }
 *
 *     frame_dependency_definition() {
 *       templateIndex = (frame_dependency_template_id + 64 - template_id_offset) % 64
 *       If (templateIndex >= TemplateCnt) {
 *         return  // error
 *       }
 *       FrameSpatialId = TemplateSpatialId[templateIndex]
 *       FrameTemporalId = TemplateTemporalId[templateIndex]
 *       if (custom_dtis_flag) {
 *         frame_dtis()           -- frame_dti[dtIndex] = f(2), DtCnt times
 *       } else {
 *         frame_dti = template_dti[templateIndex]
 *       }
 *       if (custom_fdiffs_flag) {
 *         frame_fdiffs()
 *       } else {
 *         FrameFdiffCnt = TemplateFdiffCnt[templateIndex]
 *         FrameFdiff = TemplateFdiff[templateIndex]
 *       }
 *       if (custom_chains_flag) {
 *         frame_chains()         -- frame_chain_fdiff[chainIndex] = f(8), chain_cnt times
 *       } else {
 *         frame_chain_fdiff = template_chain_fdiff[templateIndex]
 *       }
 *       ...
 *     }
 *
 *     frame_fdiffs() {
 *       FrameFdiffCnt = 0
 *       next_fdiff_size = f(2)
 *       while (next_fdiff_size) {
 *         fdiff_minus_one = f(4 * next_fdiff_size)
 *         FrameFdiff[FrameFdiffCnt] = fdiff_minus_one + 1
 *         FrameFdiffCnt++
 *         next_fdiff_size = f(2)
 *       }
 *     }
 *
 * A descriptor without a structure refers to the last one the stream sent
 * (`current`, NULL when none); one with a structure is read into *attached,
 * and refers to it.  A.8.3 on the template id: "values outside of the valid
 * range may be caused by a change of the template dependency structure,
 * that is a packet with the new template dependency structure was lost or
 * delayed" -- the reason for DP_AV1_DD_UNKNOWN_TEMPLATE.
 */
static enum dp_av1_dd_status read_descriptor(struct bits *b,
					     const struct dp_av1_dd_structure *current,
					     struct dp_av1_dd_structure *attached,
					     struct dp_av1_dd_layout *l, struct dp_av1_dd_frame *f)
{
	enum dp_av1_dd_status st;
	const uint8_t *p = b->p;

	memset(l, 0, sizeof(*l));
	memset(f, 0, sizeof(*f));
	if (b->n < 8 * DP_AV1_DD_MIN_LEN)
		return DP_AV1_DD_TRUNCATED;
	f->len = (uint16_t)(b->n / 8 > 0xffff ? 0xffff : b->n / 8);
	/* The mandatory fields fill the first three octets. */
	f->start_of_frame = p[0] >> 7;
	f->end_of_frame = (p[0] >> 6) & 1;
	f->template_id = p[0] & 0x3f;
	f->frame_number = (uint16_t)(p[1] << 8 | p[2]); /* unwrapped by the caller */
	b->pos = 8 * DP_AV1_DD_MIN_LEN;

	if (b->n > 8 * DP_AV1_DD_MIN_LEN) {
		/* The five flags: the top of the fourth octet. */
		l->extended = 1;
		l->structure_present = p[3] >> 7;
		l->active_present = (p[3] >> 6) & 1;
		f->custom_dtis = (p[3] >> 5) & 1;
		f->custom_fdiffs = (p[3] >> 4) & 1;
		f->custom_chains = (p[3] >> 3) & 1;
		b->pos += 5;
		if (l->structure_present) {
			st = read_structure(b, attached);
			if (st != DP_AV1_DD_OK)
				return st;
			l->structure_end = (uint16_t)b->pos;
			current = attached;
		}
	}
	if (current == NULL)
		return DP_AV1_DD_NO_STRUCTURE;
	l->dt_cnt = current->dt_cnt;
	l->all = dp_av1_dd_all_dts(current);
	if (l->active_present) {
		l->active_mask = get(b, current->dt_cnt);
		if (b->over)
			return DP_AV1_DD_TRUNCATED;
	}

	l->def_begin = (uint16_t)b->pos;
	unsigned index = (f->template_id + 64u - current->template_id_offset) % 64u;
	if (index >= current->template_cnt)
		return DP_AV1_DD_UNKNOWN_TEMPLATE;
	const struct dp_av1_dd_template *t = &current->templates[index];

	f->spatial = t->spatial;
	f->temporal = t->temporal;
	f->dt_cnt = current->dt_cnt;
	f->chain_cnt = current->chain_cnt;
	if (f->custom_dtis) {
		for (unsigned dt = 0; dt < current->dt_cnt; dt++)
			f->dti |= (uint64_t)get(b, 2) << (2 * dt);
	} else {
		f->dti = t->dti;
	}
	if (f->custom_fdiffs) {
		for (unsigned size = get(b, 2); size; size = get(b, 2)) {
			if (f->fdiff_cnt == DP_AV1_DD_MAX_FDIFFS)
				return DP_AV1_DD_TOO_MANY_FDIFFS;
			f->fdiff[f->fdiff_cnt++] = (uint16_t)(get(b, 4 * size) + 1);
		}
	} else {
		f->fdiff_cnt = t->fdiff_cnt;
		for (unsigned i = 0; i < t->fdiff_cnt; i++)
			f->fdiff[i] = t->fdiff[i];
	}
	if (f->custom_chains) {
		for (unsigned c = 0; c < current->chain_cnt; c++)
			f->chain_fdiff[c] = (uint8_t)get(b, 8);
	} else {
		memcpy(f->chain_fdiff, t->chain_fdiff, sizeof(f->chain_fdiff));
	}
	if (b->over)
		return DP_AV1_DD_TRUNCATED;
	l->def_end = (uint16_t)b->pos;
	return DP_AV1_DD_OK;
}

void dp_av1_dd_stream_init(struct dp_av1_dd_stream *st)
{
	memset(st, 0, sizeof(*st));
}

/*
 * A.8.3: "frame_number is represented using 16 bits and increases strictly
 * monotonically in decode order. frame_number MAY start on a random number,
 * and MUST wrap after reaching the maximum value."  Unwrapped against the
 * newest: a number within half the space ahead is newer, else older.
 */
static uint64_t unwrap(const struct dp_av1_dd_stream *st, uint16_t fn)
{
	if (!st->started)
		return DP_AV1_DD_FRAME_BASE + fn;
	int32_t d = (int32_t)((fn - (uint16_t)st->newest_frame) & 0xffff);
	if (d >= 0x8000)
		d -= 0x10000;
	return st->newest_frame + (uint64_t)(int64_t)d;
}

enum dp_av1_dd_status dp_av1_dd_parse(struct dp_av1_dd_stream *st, const uint8_t *dd, size_t len,
				      struct dp_av1_dd_frame *f)
{
	/* A structure is read aside and kept only if the whole descriptor is
	 * good and it differs from the current one (keyframes repeat theirs). */
	struct dp_av1_dd_structure attached;
	struct bits b = { .p = dd, .n = 8 * len };
	struct dp_av1_dd_layout l;
	enum dp_av1_dd_status status;

	status = read_descriptor(&b, st->has_structure ? &st->slot[st->cur] : NULL, &attached, &l,
				 f);
	if (status != DP_AV1_DD_OK)
		return status;

	if (l.structure_present) {
		/* A.8.3: "When template_id_offset of a new
		 * template_dependency_structure is the same as in the existing
		 * template_dependency_structure, all fields in both
		 * template_dependency_structures MUST have identical values."
		 * A sender that breaks this still gets its new structure. */
		if (!st->has_structure ||
		    memcmp(&attached, &st->slot[st->cur], sizeof(attached)) != 0) {
			st->cur ^= 1;
			st->slot[st->cur] = attached;
			st->has_structure = 1;
			st->structure_gen++;
			f->structure_changed = 1;
		}
		f->structure_attached = 1;
		/* A.4: "Active Decode targets are signaled either explicitly,
		 * when active_decode_targets_present_flag is equal to 1, or
		 * implicitly, when template_dependency_structure_present_flag is
		 * equal to 1 and active_decode_targets_present_flag is equal to
		 * 0, in which case all Decode targets are active." */
		st->active_mask = dp_av1_dd_all_dts(&st->slot[st->cur]);
	}
	/* A.4: "When an update to the set of active decode targets is
	 * received it is valid until the next update in RTP packet sequence
	 * number order."  (Taken here in arrival order.) */
	if (l.active_present) {
		st->active_mask = l.active_mask;
		f->active_present = 1;
	}
	f->structure = &st->slot[st->cur];
	f->structure_gen = st->structure_gen;
	f->active_mask = st->active_mask;

	f->frame_number = unwrap(st, (uint16_t)f->frame_number);
	if (!st->started || f->frame_number > st->newest_frame)
		st->newest_frame = f->frame_number;
	st->started = 1;
	return DP_AV1_DD_OK;
}

/* ---- The rewrite ------------------------------------------------------ */

/*
 * A.4: "When an SFM changes the set of forwarded Decode targets or an
 * encoder changes the set of produced Decode targets, some Decode targets
 * may become unavailable for decoding. Whenever the set of active Decode
 * targets changes, the sender MUST signal the new set of active Decode
 * targets to the receiver."  Among the techniques it lists: "Send the
 * active_decode_targets_bitmask in every packet."
 *
 * The output keeps the input's fields and inserts (or replaces) the
 * bitmask: the mandatory fields, the five flags with
 * active_decode_targets_present_flag set, the structure if any, the
 * bitmask (DtCnt bits), then the frame dependency definition, then zero
 * padding to the octet.
 */
static size_t rewrite_layout(const uint8_t *in, size_t in_len, const struct dp_av1_dd_layout *l,
			     uint32_t active_mask, uint8_t *out, size_t cap)
{
	active_mask &= l->all;
	if (l->active_present ? l->active_mask == active_mask :
				l->structure_present && active_mask == l->all) {
		if (cap < in_len)
			return 0;
		memmove(out, in, in_len);
		return in_len;
	}

	/* The mandatory fields, the five flags and the structure keep their
	 * places in the output: `head` bits, copied as octets. */
	size_t head = l->structure_present ? l->structure_end : 8 * DP_AV1_DD_MIN_LEN + 5;
	size_t bits = head + l->dt_cnt + (size_t)(l->def_end - l->def_begin);
	size_t len = (bits + 7) / 8;
	if (len > cap)
		return 0;
	memcpy(out, in, l->extended ? (head + 7) / 8 : DP_AV1_DD_MIN_LEN);
	if (!l->extended)
		out[DP_AV1_DD_MIN_LEN] = 0; /* no structure, no custom fields */
	if (head & 7) /* what followed the head in the input */
		out[head >> 3] &= (uint8_t)(0xff00u >> (head & 7));
	out[DP_AV1_DD_MIN_LEN] |= 0x40; /* active_decode_targets_present_flag */

	/* Then the bitmask, then the frame dependency definition.  The writer
	 * only ORs into an octet begun (whose bits after it are zero) and
	 * zeroes an octet it begins: the padding comes out zero. */
	struct wbits w = { .p = out, .pos = head };
	put(&w, l->dt_cnt, active_mask);
	put_copy(&w, in, l->def_begin, l->def_end);
	return len;
}

size_t dp_av1_dd_rewrite(const uint8_t *in, size_t in_len, const struct dp_av1_dd_structure *s,
			 uint32_t active_mask, uint8_t *out, size_t cap)
{
	struct dp_av1_dd_structure attached;
	struct dp_av1_dd_frame f;
	struct bits b = { .p = in, .n = 8 * in_len };
	struct dp_av1_dd_layout l;

	if (read_descriptor(&b, s, &attached, &l, &f) != DP_AV1_DD_OK)
		return 0;
	return rewrite_layout(in, in_len, &l, active_mask, out, cap);
}

/*
 * The layout of a parsed descriptor, from what read_descriptor found: the
 * mandatory fields, the flags when extended, the structure (s->bits), the
 * bitmask (DtCnt bits), then the frame dependency definition, whose custom
 * fields have known lengths but for the frame differences, which are read
 * again (frame_fdiffs(), above).
 */
size_t dp_av1_dd_rewrite_frame(const uint8_t *in, size_t in_len, const struct dp_av1_dd_frame *f,
			       uint32_t active_mask, uint8_t *out, size_t cap)
{
	const struct dp_av1_dd_structure *s = f->structure;
	struct dp_av1_dd_layout l = { 0 };

	if (s == NULL || in_len < DP_AV1_DD_MIN_LEN || s->dt_cnt != f->dt_cnt ||
	    f->len != (in_len > 0xffff ? 0xffff : in_len))
		return 0;
	l.extended = in_len > DP_AV1_DD_MIN_LEN;
	l.structure_present = f->structure_attached;
	l.active_present = f->active_present;
	l.dt_cnt = f->dt_cnt;
	l.all = dp_av1_dd_all_dts(s);
	l.active_mask = f->active_mask;
	size_t pos = 8 * DP_AV1_DD_MIN_LEN + (l.extended ? 5 : 0);
	if (l.structure_present) {
		pos += s->bits;
		l.structure_end = (uint16_t)pos;
	}
	if (l.active_present)
		pos += l.dt_cnt;
	l.def_begin = (uint16_t)pos;
	if (f->custom_dtis)
		pos += 2u * f->dt_cnt;
	if (pos > 8 * in_len)
		return 0;
	if (f->custom_fdiffs) {
		struct bits b = { .p = in, .n = 8 * in_len, .pos = pos };
		for (unsigned size = get(&b, 2); size; size = get(&b, 2))
			get(&b, 4 * size);
		if (b.over)
			return 0;
		pos = b.pos;
	}
	if (f->custom_chains)
		pos += 8u * f->chain_cnt;
	if (pos > 8 * in_len)
		return 0;
	l.def_end = (uint16_t)pos;
	return rewrite_layout(in, in_len, &l, active_mask, out, cap);
}
