/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/select.c for streams with spatial layers (VP9, RFC 9628):
 * random streams against a model of what each layer frame references.
 *
 * The model stream: 1 to 3 spatial layers, 3 temporal layers, in
 *  - non-flexible mode: libwebrtc's picture group of 4 (TIDs 0, 2, 1, 2;
 *    P_DIFFs 4, 1, 2, 1) restarting at each key picture, TL0PICIDX, U on
 *    every picture (as libwebrtc) or on TID 0 pictures only;
 *  - flexible mode: random TIDs and U bits, and per layer frame one to
 *    three random P_DIFFs among the earlier pictures the RFC's U rule
 *    still allows ("subsequent higher temporal layer pictures will not
 *    depend on any picture before the current picture [...] with temporal
 *    layer ID greater than TID").
 * Full SVC (D on every upper layer frame) or k-SVC (D on key pictures
 * only); key pictures (the first, random ones, and a few pictures after
 * the receiver asks for one: KEYFRAME_NEEDED); layer refreshes (a TID 0
 * upper layer frame with P = 0 and D = 1, after which its layer references
 * nothing earlier); one to three packets per layer frame, sometimes
 * reordered within the picture or one held back past the next picture's
 * first packet; targets that move, sometimes mid-picture, and hold at the
 * top at the end.
 *
 * Checked: every packet of a layer frame gets one decision; no forwarded
 * layer frame references (P_DIFF, the picture group, TL0PICIDX, D) one
 * that was not forwarded; the receiver reaches its target; every picture
 * the receiver gets has the marker bit on the last packet of its top
 * layer, and nowhere else unless the receiver went up in its middle.
 */
#include "select.h"
#include "test_util.h"

enum { PICTURES = 3000, LAYERS = 3, MAX_PACKETS = 3, HOLD_END = 250 };

struct layer_frame {
	uint8_t p, d;
	uint8_t n_ref;
	uint32_t ref[3];   /* picture indices (same layer) */
	uint8_t packets;
	int8_t decision;   /* -1 not seen yet */
	uint8_t marks;     /* forwarded copies with the marker bit */
	uint8_t end_marked;/* the forwarded E packet had it */
};

struct picture {
	uint8_t key, tid, u, tl0;
	uint32_t tl0_picture; /* the TID 0 picture TL0PICIDX names */
	uint8_t up_inside;    /* the receiver went up after its first packet */
	uint8_t sent;         /* a packet of it has been sent */
	struct layer_frame lf[LAYERS];
};

struct config {
	const char *name;
	uint8_t layers, flexible, ksvc, u_all, reorder;
};

static const struct config configs[] = {
	{ "L3T3 non-flexible full SVC, U everywhere", 3, 0, 0, 1, 0 },
	{ "L3T3 non-flexible k-SVC, U everywhere, reordered", 3, 0, 1, 1, 1 },
	{ "L3T3 non-flexible full SVC, U on TID 0 only, reordered", 3, 0, 0, 0, 1 },
	{ "L2T3 flexible full SVC", 2, 1, 0, 0, 0 },
	{ "L3T3 flexible k-SVC, reordered", 3, 1, 1, 0, 1 },
	{ "L1T3 flexible, reordered", 1, 1, 0, 0, 1 },
};

static struct picture pics[PICTURES];

/* May picture q (earlier than p) still be referenced by a frame of TID tid
 * at p, under the U bits of the pictures between? */
static bool u_allows(uint32_t q, uint32_t p, uint8_t tid)
{
	for (uint32_t w = q + 1; w < p; w++)
		if (pics[w].u && pics[w].tid < tid && pics[q].tid > pics[w].tid)
			return false;
	return true;
}

struct gen {
	uint64_t rng;
	uint32_t last_key, last_tl0_pic;
	uint32_t barrier[LAYERS];
	int key_at;      /* a key picture asked for, or -1 */
	uint8_t tl0;
};

static void make_picture(struct gen *g, const struct config *c, uint32_t p)
{
	struct picture *pc = &pics[p];

	memset(pc, 0, sizeof(*pc));
	pc->key = p == 0 || (int)p == g->key_at || test_rand(&g->rng) % 200 == 0;
	if (pc->key) {
		g->key_at = -1;
		g->last_key = p;
	}
	uint32_t pos = (p - g->last_key) % 4;
	if (pc->key) {
		pc->tid = 0;
		pc->u = 1;
	} else if (!c->flexible) {
		static const uint8_t tids[4] = { 0, 2, 1, 2 };
		pc->tid = tids[pos];
		pc->u = c->u_all || pc->tid == 0;
	} else {
		pc->tid = (uint8_t)(test_rand(&g->rng) % 3);
		if (p - g->last_tl0_pic >= 6)
			pc->tid = 0;
		pc->u = test_rand(&g->rng) % 2;
	}
	if (pc->tid == 0) {
		g->tl0++;
		g->last_tl0_pic = p;
	}
	pc->tl0 = g->tl0;
	pc->tl0_picture = g->last_tl0_pic;

	/* A layer refresh: a TID 0 picture (position 0 of the group in
	 * non-flexible mode), one upper layer. */
	int refresh = -1;
	if (!pc->key && c->layers > 1 && pc->tid == 0 && (c->flexible || pos == 0) &&
	    test_rand(&g->rng) % 12 == 0)
		refresh = 1 + (int)(test_rand(&g->rng) % (c->layers - 1u));

	for (unsigned s = 0; s < c->layers; s++) {
		struct layer_frame *lf = &pc->lf[s];
		lf->decision = -1;
		lf->packets = (uint8_t)(1 + test_rand(&g->rng) % MAX_PACKETS);
		lf->p = !pc->key && (int)s != refresh;
		lf->d = s > 0 && (pc->key || (int)s == refresh || !c->ksvc);
		if (!lf->p) {
			g->barrier[s] = p;
			continue;
		}
		if (!c->flexible) {
			static const uint8_t diffs[4] = { 4, 1, 2, 1 };
			lf->n_ref = 1;
			lf->ref[0] = p - diffs[pos];
			continue;
		}
		/* Candidates: this layer's pictures since the last key picture,
		 * of a TID <= ours, that the U bits between still allow; of
		 * those before the layer's last refresh (P = 0 at TID 0), none of
		 * TID 0 (the refresh replaces them; higher TIDs only the U bits
		 * keep out). */
		uint32_t cand[127];
		unsigned n = 0;
		uint32_t from = g->last_key > p - 100 || p < 100 ? g->last_key : p - 100;
		for (uint32_t q = from; q < p; q++)
			if (pics[q].tid <= pc->tid && u_allows(q, p, pc->tid) &&
			    (q >= g->barrier[s] || pics[q].tid > 0))
				cand[n++] = q;
		if (n == 0) {
			/* cannot happen: the last TID 0 picture always qualifies */
			CHECK(0, "model: no reference for picture %u layer %u", p, s);
			lf->p = 0;
			continue;
		}
		lf->n_ref = (uint8_t)(1 + test_rand(&g->rng) % 3);
		for (unsigned k = 0; k < lf->n_ref; k++)
			lf->ref[k] = cand[n - 1 - test_rand(&g->rng) % (n < 4 ? n : 4)];
	}
}

struct pkt {
	uint8_t s, k, last;
};

struct run_state {
	struct dp_sub sub;
	struct dp_stream stream;
	uint8_t ts, tt;
	unsigned hold;
	unsigned forwarded_frames, frames;
	uint64_t seed;
	const struct config *c;
	struct pkt held;
	int held_picture;
};

static void send_packet(struct run_state *r, struct gen *g, uint32_t p, struct pkt pk)
{
	struct picture *pc = &pics[p];
	struct layer_frame *lf = &pc->lf[pk.s];
	const struct config *c = r->c;
	struct dp_frame_info fi = {
		.frame_start = pk.k == 0,
		.keyframe = pc->key && pk.s == 0 && pk.k == 0,
		.temporal = pc->tid,
		.sync = pc->u,
		.has_layers = 1,
		.has_picture_id = 1,
		.picture_id_bits = 15,
		.picture_id = (uint16_t)((p + 32000) & 0x7fff),
		.has_tl0 = !c->flexible,
		.tl0picidx = pc->tl0,
	};
	struct dp_frame_svc svc = {
		.kind = DP_SVC_VP9,
		.spatial = pk.s,
		.inter_picture = lf->p,
		.inter_layer = lf->d,
		.frame_end = pk.last,
		.ss_layers = fi.keyframe ? c->layers : 0,
		.flexible = c->flexible,
	};
	struct dp_select_target t = { .encoding = 0, .spatial = r->ts, .temporal = r->tt };
	uint8_t layer_before = r->sub.frame.layer;
	bool started = r->sub.cur_spatial != DP_NONE;

	enum dp_select got = dp_select_layers(&r->sub, &r->sub.frame, &r->stream, &fi, &svc, &t);
	int fwd = dp_select_reason(got) == DP_SELECT_FORWARD;

	if (lf->decision < 0)
		lf->decision = (int8_t)fwd;
	CHECK(lf->decision == fwd, "%s seed %llu: picture %u layer %u packet %u: decision %d, "
	      "the layer frame's first seen got %d", c->name, (unsigned long long)r->seed, p,
	      pk.s, pk.k, fwd, lf->decision);
	if (started && pc->sent && r->sub.frame.layer > layer_before)
		pc->up_inside = 1;
	pc->sent = 1;
	if (fwd) {
		bool in_marker = pk.last && pk.s == c->layers - 1;
		bool m = dp_select_marker(&r->sub.frame, &fi, &svc, in_marker);
		lf->marks += m;
		if (pk.last)
			lf->end_marked = m;
	}
	/* The publisher answers a keyframe request a little later, sometimes. */
	if ((got & DP_SELECT_KEYFRAME_NEEDED) && g->key_at < 0 && test_rand(&g->rng) % 3 == 0)
		g->key_at = (int)(p + 2 + test_rand(&g->rng) % 4);
}

static void send_picture(struct run_state *r, struct gen *g, uint32_t p)
{
	const struct config *c = r->c;
	struct picture *pc = &pics[p];
	struct pkt list[LAYERS * MAX_PACKETS];
	unsigned n = 0;

	for (uint8_t s = 0; s < c->layers; s++)
		for (uint8_t k = 0; k < pc->lf[s].packets; k++)
			list[n++] = (struct pkt){ s, k, (uint8_t)(k + 1 == pc->lf[s].packets) };
	/* Reordering within the picture, never ahead of a key picture's first
	 * packet (a keyframe is known by it). */
	if (c->reorder && n > 2 && test_rand(&g->rng) % 4 == 0) {
		unsigned a = 1 + test_rand(&g->rng) % (n - 1), b = 1 + test_rand(&g->rng) % (n - 1);
		struct pkt tmp = list[a];
		list[a] = list[b];
		list[b] = tmp;
		if (!pc->key && test_rand(&g->rng) % 2) {
			tmp = list[0];
			list[0] = list[a];
			list[a] = tmp;
		}
	}
	/* One packet held back past the next picture's first. */
	int hold = -1;
	if (c->reorder && n > 1 && test_rand(&g->rng) % 8 == 0)
		hold = (int)(1 + test_rand(&g->rng) % (n - 1));

	for (unsigned i = 0; i < n; i++) {
		if ((int)i == hold) {
			r->held = list[i];
			r->held_picture = (int)p;
			continue;
		}
		/* Targets move now and then, sometimes mid-picture. */
		if (p < PICTURES - HOLD_END && test_rand(&g->rng) % 16 == 0) {
			r->ts = (uint8_t)(test_rand(&g->rng) % 3);
			r->tt = (uint8_t)(test_rand(&g->rng) % 3);
		}
		send_packet(r, g, p, list[i]);
		if (i == 0 && r->held_picture >= 0 && r->held_picture != (int)p) {
			send_packet(r, g, (uint32_t)r->held_picture, r->held);
			r->held_picture = -1;
		}
	}
}

static void check_references(struct run_state *r)
{
	const struct config *c = r->c;
	unsigned broken = 0, bad_markers = 0;

	for (uint32_t p = 0; p < PICTURES; p++) {
		const struct picture *pc = &pics[p];
		int top = -1;

		for (unsigned s = 0; s < c->layers; s++) {
			const struct layer_frame *lf = &pc->lf[s];
			r->frames++;
			if (lf->decision != 1)
				continue;
			r->forwarded_frames++;
			top = (int)s;
			bool ok = true;
			for (unsigned k = 0; lf->p && k < lf->n_ref; k++)
				ok &= pics[lf->ref[k]].lf[s].decision == 1;
			if (lf->p && !c->flexible && pc->tid > 0)
				ok &= pics[pc->tl0_picture].lf[s].decision == 1;
			if (lf->d)
				ok &= pc->lf[s - 1].decision == 1;
			if (!ok && broken++ < 5)
				CHECK(0, "%s seed %llu: picture %u layer %u (TID %u P %u D %u) forwarded,"
				      " but a frame it references was not", c->name,
				      (unsigned long long)r->seed, p, s, pc->tid, lf->p, lf->d);
		}
		if (top < 0)
			continue;
		/* The marker: on the top layer's last packet; elsewhere only when
		 * the receiver went up in the middle of the picture. */
		unsigned marks = 0;
		for (int s = 0; s <= top; s++)
			marks += pc->lf[s].decision == 1 ? pc->lf[s].marks : 0;
		bool ok = pc->lf[top].end_marked && (pc->up_inside || marks == 1);
		if (!ok && bad_markers++ < 5)
			CHECK(0, "%s seed %llu: picture %u: top layer %d, its end marked %u, %u marks",
			      c->name, (unsigned long long)r->seed, p, top, pc->lf[top].end_marked,
			      marks);
	}
	CHECK(broken == 0, "%s seed %llu: %u forwarded frames reference frames not forwarded",
	      c->name, (unsigned long long)r->seed, broken);
	CHECK(bad_markers == 0, "%s seed %llu: %u pictures with a wrong marker", c->name,
	      (unsigned long long)r->seed, bad_markers);
}

static void random_run(uint64_t seed, const struct config *c)
{
	static struct run_state r;
	struct gen g = { .rng = seed * 7919 + 17, .key_at = -1 };

	memset(&r, 0, sizeof(r));
	r.sub.cur_spatial = DP_NONE;
	r.sub.cur_temporal = DP_NONE;
	r.seed = seed;
	r.c = c;
	r.held_picture = -1;
	r.ts = 2;
	r.tt = 2;
	for (uint32_t p = 0; p < PICTURES; p++) {
		if (p == PICTURES - HOLD_END) {
			r.ts = 2;
			r.tt = 2;
		}
		make_picture(&g, c, p);
		send_picture(&r, &g, p);
	}
	if (r.held_picture >= 0)
		send_packet(&r, &g, (uint32_t)r.held_picture, r.held);
	check_references(&r);
	CHECK(r.sub.frame.layer == c->layers - 1 && r.sub.cur_temporal == 2,
	      "%s seed %llu: stuck at layer %u, temporal %u", c->name, (unsigned long long)seed,
	      r.sub.frame.layer, r.sub.cur_temporal);
	CHECK(r.forwarded_frames > r.frames / 5, "%s seed %llu: only %u of %u layer frames "
	      "forwarded", c->name, (unsigned long long)seed, r.forwarded_frames, r.frames);
}

int main(void)
{
	for (unsigned k = 0; k < ARRAY_LEN(configs); k++)
		for (uint64_t seed = 1; seed <= 12; seed++)
			random_run(seed, &configs[k]);
	return test_summary("dp_select_svc_model");
}
