/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the Dependency Descriptor (dataplane/codec/av1_dd.c) and
 * the layer selection by decode target (dataplane/select_dd.c) on hostile
 * descriptors.
 *
 * The input is a sequence of records
 *
 *     [control] [length] [length octets: one packet's descriptor]
 *
 * parsed in turn by one stream, each from a heap buffer of exactly its
 * length (ASan sees any read past it).  For each:
 *
 *  - A refusal leaves the stream state as it was.
 *  - An accepted descriptor is consistent with itself and with the
 *    structure it refers to (layers within the structure's, DTIs and the
 *    active bitmask within its decode targets, the template id in its
 *    range, frame differences within 1..4096, the frame number the one on
 *    the wire, a structure only with the flag), and the structure with
 *    itself (templates in layer order, chains protecting existing decode
 *    targets, each decode target containing itself).
 *  - dp_av1_dd_rewrite to three masks (all decode targets, none, one taken
 *    from the control octet), into exact-size buffers: it succeeds, grows
 *    by at most DP_AV1_DD_REWRITE_GROWTH, parses back (for a receiver that
 *    knows the structure) to the same frame with the new bitmask, and a
 *    second rewrite changes nothing; dp_av1_dd_rewrite_frame, from the
 *    parsed frame, writes the same octets.
 *  - Two receivers select with targets from the control octet (bits 0-1
 *    spatial and 2-4 temporal for the first, 5-6 and 7 for the second):
 *    known reasons and flags, and no frame is forwarded that references a
 *    frame that receiver did not get (checked at the frame's first
 *    forwarded packet); each receiver parses what it gets, rewritten when
 *    told -- so it got the structure first -- and its active decode
 *    targets are the ones it was told.
 *
 * Finally the whole input, as one descriptor, goes through the same checks
 * against a fresh stream.  Any broken promise abort()s.
 *
 * Seeds (corpus/av1_dd/, written by `test_dp_av1_dd DIR`, kept in step by
 * the suite's fuzz_av1_dd_seeds_fresh):
 * stream-*.bin are a keyframe with its structure and a cycle and a half of
 * frames (two packets each) of each structure of test_dp_av1_dd_builder.c
 * (L1T3, L2T2, L3T3 full SVC, L3T3 K-SVC); keyframe-*.bin one keyframe with
 * a structure and a bitmask.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "av1_dd.h"
#include "fuzz_invariant.h"
#include "select_dd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_structure(const struct dp_av1_dd_structure *s)
{
	uint32_t all = dp_av1_dd_all_dts(s);

	INVARIANT(s->dt_cnt >= 1 && s->dt_cnt <= DP_AV1_DD_MAX_DTS);
	INVARIANT(s->template_cnt >= 1 && s->template_cnt <= DP_AV1_DD_MAX_TEMPLATES);
	INVARIANT(s->chain_cnt <= s->dt_cnt && s->template_id_offset < 64);
	INVARIANT(s->max_spatial < DP_AV1_DD_MAX_SPATIAL && s->max_temporal < DP_AV1_DD_MAX_TEMPORAL);
	for (unsigned i = 0; i < s->template_cnt; i++) {
		const struct dp_av1_dd_template *t = &s->templates[i];
		INVARIANT(t->spatial <= s->max_spatial && t->temporal <= s->max_temporal);
		INVARIANT(s->dt_cnt == 32 || (t->dti >> (2 * s->dt_cnt)) == 0);
		INVARIANT(t->fdiff_cnt <= DP_AV1_DD_MAX_FDIFFS);
		for (unsigned k = 0; k < t->fdiff_cnt; k++)
			INVARIANT(t->fdiff[k] >= 1 && t->fdiff[k] <= 16);
		for (unsigned c = 0; c < DP_AV1_DD_MAX_CHAINS; c++)
			INVARIANT(t->chain_fdiff[c] <= 15 && (c < s->chain_cnt || t->chain_fdiff[c] == 0));
		if (i > 0) {
			const struct dp_av1_dd_template *p = &s->templates[i - 1];
			/* Table A.2: same layers, temporal + 1, or spatial + 1 at T0. */
			INVARIANT((t->spatial == p->spatial && (t->temporal == p->temporal ||
								 t->temporal == p->temporal + 1)) ||
				  (t->spatial == p->spatial + 1 && t->temporal == 0));
		}
	}
	INVARIANT(s->templates[s->template_cnt - 1].spatial == s->max_spatial);
	for (unsigned dt = 0; dt < s->dt_cnt; dt++) {
		INVARIANT(s->chain_cnt == 0 || s->protected_by[dt] < s->chain_cnt);
		INVARIANT(s->dt_spatial[dt] <= s->max_spatial && s->dt_temporal[dt] <= s->max_temporal);
		INVARIANT((s->subset[dt] >> dt) & 1);
		INVARIANT((s->subset[dt] & ~all) == 0);
	}
}

static void check_frame(const uint8_t *p, size_t len, const struct dp_av1_dd_frame *f)
{
	const struct dp_av1_dd_structure *s = f->structure;

	check_structure(s);
	INVARIANT(f->len == (len > 0xffff ? 0xffff : len) && len >= DP_AV1_DD_MIN_LEN);
	INVARIANT(f->start_of_frame == p[0] >> 7 && f->end_of_frame == ((p[0] >> 6) & 1));
	INVARIANT(f->template_id == (p[0] & 0x3f));
	INVARIANT((uint16_t)f->frame_number == (uint16_t)(p[1] << 8 | p[2]));
	INVARIANT((f->template_id + 64u - s->template_id_offset) % 64u < s->template_cnt);
	INVARIANT(f->dt_cnt == s->dt_cnt && f->chain_cnt == s->chain_cnt);
	INVARIANT(f->spatial <= s->max_spatial && f->temporal <= s->max_temporal);
	INVARIANT(s->dt_cnt == 32 || (f->dti >> (2 * s->dt_cnt)) == 0);
	INVARIANT((f->active_mask & ~dp_av1_dd_all_dts(s)) == 0);
	INVARIANT(f->fdiff_cnt <= DP_AV1_DD_MAX_FDIFFS);
	for (unsigned i = 0; i < f->fdiff_cnt; i++)
		INVARIANT(f->fdiff[i] >= 1 && f->fdiff[i] <= 4096);
	INVARIANT(f->structure_attached == (len > 3 && (p[3] & 0x80)));
	INVARIANT(f->active_present == (len > 3 && ((p[3] >> 6) & 1)));
	INVARIANT(!f->structure_changed || f->structure_attached);
	INVARIANT(f->frame_number >= DP_AV1_DD_FRAME_BASE - 0x8000);
}

static bool same_frame(const struct dp_av1_dd_frame *a, const struct dp_av1_dd_frame *b)
{
	return (uint16_t)a->frame_number == (uint16_t)b->frame_number &&
	       a->start_of_frame == b->start_of_frame && a->end_of_frame == b->end_of_frame &&
	       a->template_id == b->template_id && a->spatial == b->spatial &&
	       a->temporal == b->temporal && a->dti == b->dti && a->fdiff_cnt == b->fdiff_cnt &&
	       memcmp(a->fdiff, b->fdiff, sizeof(a->fdiff)) == 0 &&
	       memcmp(a->chain_fdiff, b->chain_fdiff, sizeof(a->chain_fdiff)) == 0 &&
	       a->structure_attached == b->structure_attached;
}

/* A receiver's parser that knows structure s (or none, for a descriptor
 * that carries its own). */
static void receiver_view(struct dp_av1_dd_stream *v, const struct dp_av1_dd_structure *s)
{
	dp_av1_dd_stream_init(v);
	if (s) {
		v->slot[0] = *s;
		v->has_structure = 1;
		v->structure_gen = 1;
		v->active_mask = dp_av1_dd_all_dts(s);
	}
}

static void check_rewrite(const uint8_t *p, size_t len, const struct dp_av1_dd_frame *f,
			  uint32_t mask, struct dp_av1_dd_stream *view)
{
	const struct dp_av1_dd_structure *s = f->structure;
	size_t cap = len + DP_AV1_DD_REWRITE_GROWTH;
	uint8_t *out = malloc(cap), *again = malloc(cap + DP_AV1_DD_REWRITE_GROWTH);
	size_t n = dp_av1_dd_rewrite(p, len, s, mask, out, cap);

	INVARIANT(n > DP_AV1_DD_MIN_LEN || (n == len && n == DP_AV1_DD_MIN_LEN &&
					    memcmp(out, p, n) == 0));
	INVARIANT(n <= cap);
	uint8_t *fast = malloc(n);
	INVARIANT(dp_av1_dd_rewrite_frame(p, len, f, mask, fast, n) == n &&
		  memcmp(fast, out, n) == 0);
	free(fast);
	receiver_view(view, f->structure_attached ? NULL : s);
	struct dp_av1_dd_frame g;
	INVARIANT(dp_av1_dd_parse(view, out, n, &g) == DP_AV1_DD_OK);
	INVARIANT(same_frame(f, &g));
	bool unchanged = n == len && memcmp(out, p, n) == 0;
	INVARIANT(unchanged || (g.active_present && g.active_mask == (mask & dp_av1_dd_all_dts(s))));
	INVARIANT(!unchanged || g.active_mask == (mask & dp_av1_dd_all_dts(s)) ||
		  (!g.active_present && !g.structure_attached));
	size_t n2 = dp_av1_dd_rewrite(out, n, s, mask, again, n + DP_AV1_DD_REWRITE_GROWTH);
	INVARIANT(n2 == n && memcmp(again, out, n) == 0);
	free(out);
	free(again);
}

/* One receiver of the fuzzed stream. */
#define SEEN 4096
struct receiver {
	struct dp_select_dd_state sel;
	struct dp_av1_dd_stream view;
	uint64_t forwarded[SEEN]; /* frame numbers forwarded, by number % SEEN */
};

static void check_select(struct receiver *r, const uint8_t *p, size_t len,
			 const struct dp_av1_dd_frame *f, uint8_t ts, uint8_t tt)
{
	uint8_t before = r->sel.dt;
	enum dp_select_dd out = dp_select_dd_packet(&r->sel, f, ts, tt);
	enum dp_select_dd why = dp_select_dd_reason(out);
	unsigned flags = (unsigned)out & ~(unsigned)DP_SELECT_DD_REASON_MASK;

	INVARIANT(why <= DP_SELECT_DD_TOO_OLD);
	INVARIANT((flags & ~(unsigned)(DP_SELECT_DD_SWITCHED | DP_SELECT_DD_KEYFRAME_NEEDED |
				       DP_SELECT_DD_REWRITE | DP_SELECT_DD_MARKER)) == 0);
	INVARIANT(why == DP_SELECT_DD_FORWARD ||
		  !(flags & (DP_SELECT_DD_REWRITE | DP_SELECT_DD_MARKER)));
	INVARIANT(!(flags & DP_SELECT_DD_MARKER) || f->end_of_frame);
	INVARIANT(r->sel.dt == DP_SELECT_DD_NONE || r->sel.dt < f->dt_cnt);
	INVARIANT(!(flags & DP_SELECT_DD_SWITCHED) || r->sel.dt != DP_SELECT_DD_NONE);
	INVARIANT((flags & DP_SELECT_DD_SWITCHED) || r->sel.dt == before ||
		  (why == DP_SELECT_DD_WAITING && r->sel.dt == DP_SELECT_DD_NONE));
	if (why != DP_SELECT_DD_FORWARD)
		return;

	/* At a frame's first forwarded packet, every frame it references
	 * (within what the selection remembers) went to the receiver.  (Later
	 * packets of the frame get its decision: a publisher that gives them
	 * other dependencies breaks A.8.3, "frame_dependency_template_id MUST
	 * be the same for all packets of the same frame", and only its own
	 * receivers suffer.) */
	for (unsigned i = 0; r->forwarded[f->frame_number % SEEN] != f->frame_number &&
			     i < f->fdiff_cnt; i++) {
		uint64_t ref = f->frame_number - f->fdiff[i];
		if (ref >= r->sel.start && f->frame_number - ref < DP_SELECT_DD_WINDOW)
			INVARIANT(r->forwarded[ref % SEEN] == ref);
	}
	r->forwarded[f->frame_number % SEEN] = f->frame_number;

	uint8_t buf[300 + DP_AV1_DD_REWRITE_GROWTH];
	const uint8_t *dd = p;
	size_t n = len;
	if (flags & DP_SELECT_DD_REWRITE) {
		n = dp_av1_dd_rewrite(p, len, f->structure, r->sel.rx_mask, buf, sizeof(buf));
		INVARIANT(n > 0);
		dd = buf;
	}
	struct dp_av1_dd_frame g;
	INVARIANT(dp_av1_dd_parse(&r->view, dd, n, &g) == DP_AV1_DD_OK);
	INVARIANT(g.active_mask == r->sel.rx_mask);
	INVARIANT(r->sel.rx_mask == (f->structure->subset[r->sel.dt] & f->active_mask));
}

/* Parses one descriptor from an exact heap copy; checks what it gives. */
static bool one(struct dp_av1_dd_stream *st, struct dp_av1_dd_stream *scratch,
		const uint8_t *data, size_t len, uint32_t mask, struct dp_av1_dd_frame *f)
{
	uint8_t *p = malloc(len ? len : 1);
	memcpy(p, data, len);
	memcpy(scratch, st, sizeof(*st));
	enum dp_av1_dd_status r = dp_av1_dd_parse(st, p, len, f);

	INVARIANT((unsigned)r < DP_AV1_DD_N_STATUS);
	if (r != DP_AV1_DD_OK) {
		INVARIANT(memcmp(scratch, st, sizeof(*st)) == 0);
		free(p);
		return false;
	}
	check_frame(p, len, f);
	check_rewrite(p, len, f, dp_av1_dd_all_dts(f->structure), scratch);
	check_rewrite(p, len, f, 0, scratch);
	check_rewrite(p, len, f, mask, scratch);
	free(p);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_av1_dd_stream *st = malloc(sizeof(*st)), *scratch = malloc(sizeof(*st));
	struct receiver *rx = calloc(2, sizeof(*rx));
	struct dp_av1_dd_frame f;

	dp_av1_dd_stream_init(st);
	for (unsigned i = 0; i < 2; i++) {
		dp_select_dd_reset(&rx[i].sel);
		dp_av1_dd_stream_init(&rx[i].view);
	}
	size_t at = 0;
	while (at + 2 <= size) {
		uint8_t ctl = data[at], n = data[at + 1];
		at += 2;
		if (n > size - at)
			n = (uint8_t)(size - at);
		const uint8_t *p = data + at;
		at += n;
		if (!one(st, scratch, p, n, ctl * 0x01010101u, &f))
			continue;
		/* The receivers see the packet as strata-dp got it. */
		uint8_t *copy = malloc(n);
		memcpy(copy, p, n);
		check_select(&rx[0], copy, n, &f, ctl & 3, (ctl >> 2) & 7);
		check_select(&rx[1], copy, n, &f, (ctl >> 5) & 3, ctl >> 7 ? 7 : 0);
		free(copy);
	}

	dp_av1_dd_stream_init(st);
	one(st, scratch, data, size, 0x5555, &f);

	free(st);
	free(scratch);
	free(rx);
	return 0;
}
