/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/select_dd.c: one receiver's layer decision from the Dependency
 * Descriptor.
 *
 * Streams are generated from the structures of test_dp_av1_dd_builder.c
 * (the AV1 RTP specification's L1T3, L3T3 full SVC and L3T3 K-SVC, and an
 * L2T2), each frame's descriptors encoded by the builder and parsed as
 * strata-dp parses them; every receiver also parses what it gets (rewritten
 * when told), as a browser would.
 *
 *  - Scenarios as tables: each step is one frame (lost or not, a new
 *    keyframe or not, the receiver's targets, the publisher's active decode
 *    targets), the outcome expected for its packets and the decode target
 *    after it.
 *  - Reach: from every decode target to every other, without a keyframe
 *    or, when the structure cannot, by asking for one; once there, exactly
 *    the frames of the decode target are forwarded.
 *  - A model check on random streams (losses, reordering, keyframes,
 *    structure changes, moving targets, the publisher's bitmask), with
 *    several receivers: no receiver gets a frame that references one it did
 *    not get; every packet of a frame gets one decision; forwarded frames
 *    belong to the receiver's decode target; the receiver can always parse
 *    what it gets and knows its active decode targets; flags only where
 *    they make sense.
 */
#include "av1_dd.h"
#include "select_dd.h"
#include "test_dp_av1_dd_builder.h"
#include "test_util.h"

#define FWD DP_SELECT_DD_FORWARD
#define NP DP_SELECT_DD_NOT_PRESENT
#define ND DP_SELECT_DD_NOT_DECODABLE
#define WAIT DP_SELECT_DD_WAITING
#define SW DP_SELECT_DD_SWITCHED
#define KN DP_SELECT_DD_KEYFRAME_NEEDED
#define RW DP_SELECT_DD_REWRITE
#define MK DP_SELECT_DD_MARKER
#define NONE DP_SELECT_DD_NONE
#define ANY (-1)

/* ---- The publisher ------------------------------------------------------ */

struct pkt {
	uint8_t dd[512];
	size_t len;
};

struct gen {
	const struct ddb_structure *s;
	unsigned k;          /* frame index since the last keyframe */
	uint16_t fn;         /* the next frame number */
	bool mask_present;   /* the publisher sends a bitmask... */
	bool mask_every_packet; /* ... in every packet, or in first packets only */
	uint32_t mask;
};

/* The next frame's packets (n of them); a keyframe when key. */
static unsigned gen_frame(struct gen *g, bool key, unsigned n, struct pkt *out)
{
	bool first, last;

	if (key)
		g->k = 0;
	int t = ddb_template_at(g->s, g->k, &first, &last);
	for (unsigned p = 0; p < n; p++) {
		struct ddb_desc d = {
			.sof = p == 0, .eof = p + 1 == n,
			.template_id = (uint8_t)((g->s->offset + t) % 64),
			.frame_number = g->fn, .ref = g->s,
			.attach = key && p == 0 ? g->s : NULL,
			.active_present = g->mask_present && (p == 0 || g->mask_every_packet),
			.active_mask = g->mask,
		};
		out[p].len = ddb_encode(&d, out[p].dd, sizeof(out[p].dd));
	}
	g->k++;
	g->fn++;
	return n;
}

/* strata-dp's view: the stream state and each packet's frame. */
static void sfu_parse(struct dp_av1_dd_stream *sfu, const struct pkt *p,
		      struct dp_av1_dd_frame *f)
{
	enum dp_av1_dd_status r = dp_av1_dd_parse(sfu, p->dd, p->len, f);
	if (r != DP_AV1_DD_OK) {
		fprintf(stderr, "the publisher's descriptor does not parse: %s\n",
			dp_av1_dd_status_name(r));
		exit(2);
	}
}

/* ---- A receiver, and what must hold for it ------------------------------ */

#define MAX_FRAMES (1u << 20)

struct rxh {
	struct dp_select_dd_state sel;
	struct dp_av1_dd_stream *view; /* the receiver's own parser */
	uint8_t ts, tt;
	uint8_t *decision;             /* per frame: 0 none, 1 forwarded, 2 dropped */
	unsigned kn, switches, forwarded_packets;
	const char *name;
};

static void rxh_init(struct rxh *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	dp_select_dd_reset(&r->sel);
	r->view = malloc(sizeof(*r->view));
	dp_av1_dd_stream_init(r->view);
	r->decision = calloc(MAX_FRAMES, 1);
	r->name = name;
}

static void rxh_free(struct rxh *r)
{
	free(r->view);
	free(r->decision);
}

static uint32_t frame_slot(const struct dp_av1_dd_frame *f)
{
	return (uint32_t)((f->frame_number - DP_AV1_DD_FRAME_BASE) % MAX_FRAMES);
}

/* One packet to one receiver: the decision, and every invariant. */
static enum dp_select_dd deliver(struct rxh *r, const struct pkt *p,
				 const struct dp_av1_dd_frame *f)
{
	uint8_t dt_before = r->sel.dt;
	bool restart = f->structure_attached && r->sel.structure_gen != f->structure_gen;
	enum dp_select_dd out = dp_select_dd_packet(&r->sel, f, r->ts, r->tt);
	enum dp_select_dd why = dp_select_dd_reason(out);
	unsigned flags = (unsigned)out & ~(unsigned)DP_SELECT_DD_REASON_MASK;
	bool fwd = why == FWD;
	uint32_t slot = frame_slot(f);

	CHECK(why <= DP_SELECT_DD_TOO_OLD, "%s: reason %u", r->name, why);
	CHECK((flags & ~(unsigned)(SW | KN | RW | MK)) == 0, "%s: flags %#x", r->name, flags);
	CHECK(fwd || !(flags & (RW | MK)), "%s: rewrite or marker on a drop", r->name);
	CHECK(!(flags & SW) || fwd || why == NP || why == ND, "%s: switched with reason %u",
	      r->name, why);
	CHECK(!(flags & MK) || f->end_of_frame, "%s: marker without end of frame", r->name);
	CHECK(((flags & SW) != 0) == (r->sel.dt != dt_before) || (flags & SW && restart) ||
		      (restart && why == WAIT && r->sel.dt == NONE),
	      "%s: SWITCHED %u but dt %u -> %u", r->name, !!(flags & SW), dt_before, r->sel.dt);
	CHECK(r->sel.dt == NONE || r->sel.dt < f->dt_cnt, "%s: dt %u of %u", r->name, r->sel.dt,
	      f->dt_cnt);
	if (flags & KN)
		r->kn++;
	if (flags & SW)
		r->switches++;

	/* One decision per frame (late packets of old frames aside). */
	bool first_decision = r->decision[slot] == 0;
	if (why != DP_SELECT_DD_TOO_OLD) {
		uint8_t d = fwd ? 1 : 2;
		CHECK(r->decision[slot] == 0 || r->decision[slot] == d,
		      "%s: frame %llu: %s after %s", r->name,
		      (unsigned long long)(f->frame_number - DP_AV1_DD_FRAME_BASE),
		      fwd ? "forwarded" : "dropped", r->decision[slot] == 1 ? "forwarded" : "dropped");
		if (r->decision[slot] == 0 || d == 1)
			r->decision[slot] = d;
	}
	if (!fwd)
		return out;

	r->forwarded_packets++;
	/* Everything it references went to the receiver. */
	for (unsigned i = 0; i < f->fdiff_cnt; i++) {
		uint64_t ref = f->frame_number - f->fdiff[i];
		CHECK(r->decision[(ref - DP_AV1_DD_FRAME_BASE) % MAX_FRAMES] == 1,
		      "%s: frame %llu forwarded, but not the frame %u before it it references",
		      r->name, (unsigned long long)(f->frame_number - DP_AV1_DD_FRAME_BASE),
		      f->fdiff[i]);
	}
	CHECK(!first_decision || dp_av1_dd_dti_of(f->dti, r->sel.dt) != DP_AV1_DD_NOT_PRESENT,
	      "%s: a frame not in decode target %u forwarded", r->name, r->sel.dt);

	/* The receiver reads it (rewritten when told) and knows its active
	 * decode targets. */
	uint8_t buf[600];
	const uint8_t *dd = p->dd;
	size_t len = p->len;
	if (flags & RW) {
		len = dp_av1_dd_rewrite(p->dd, p->len, f->structure, r->sel.rx_mask, buf, sizeof(buf));
		CHECK(len > 0, "%s: rewrite refused", r->name);
		dd = buf;
	}
	struct dp_av1_dd_frame got;
	enum dp_av1_dd_status st = dp_av1_dd_parse(r->view, dd, len, &got);
	CHECK(st == DP_AV1_DD_OK, "%s: the receiver cannot parse frame %llu: %s", r->name,
	      (unsigned long long)(f->frame_number - DP_AV1_DD_FRAME_BASE),
	      dp_av1_dd_status_name(st));
	if (st == DP_AV1_DD_OK) {
		uint32_t want = f->structure->subset[r->sel.dt] & f->active_mask;
		CHECK(r->sel.rx_mask == want, "%s: rx_mask %#x, expected %#x", r->name,
		      r->sel.rx_mask, want);
		CHECK(got.active_mask == want, "%s: the receiver thinks %#x are active, not %#x",
		      r->name, got.active_mask, want);
		CHECK(got.dti == f->dti && got.spatial == f->spatial &&
			      (uint16_t)got.frame_number == (uint16_t)f->frame_number,
		      "%s: the receiver reads another frame", r->name);
	}
	return out;
}

/* ---- Scenarios ------------------------------------------------------------ */

/* Step flags. */
#define KEY 0x01     /* a keyframe (with the structure) */
#define LOST 0x02    /* the frame never arrives */
#define ABSENT 0x04  /* the receiver is not there yet */
#define NEXT 0x08    /* a keyframe of the scenario's second structure */
#define MASK 0x10    /* the publisher sends `mask` in every packet from here */

struct step {
	uint8_t flags;
	uint8_t ts, tt;
	int expect;     /* for every packet; MK on the last one only */
	int dt;         /* after the frame, or ANY */
	uint32_t mask;  /* with MASK */
};

struct scenario {
	const char *name;
	const struct ddb_structure *s, *next;
	unsigned packets; /* per frame */
	struct step steps[40];
};

#define END { .flags = 0xff }

static const struct scenario scenarios[] = {
	{ "1 L1T3: 7.5 fps, up to 30 at a switch point, down to 15 at once", &ddb_l1t3, NULL, 1, {
		{ KEY, 0, 0, FWD | SW | RW, 2 },  /* k0 T0 key */
		{ 0, 0, 0, NP, 2 },                /* k1 T2 */
		{ 0, 0, 0, NP, 2 },                /* k2 T1 */
		{ 0, 0, 0, NP, 2 },                /* k3 T2 */
		{ 0, 0, 0, FWD | RW, 2 },          /* k4 T0 */
		{ 0, 0, 2, NP, 2 },                /* k5 T2: DISCARDABLE for 30 fps, no switch */
		{ 0, 0, 2, FWD | SW | RW, 0 },     /* k6 T1: SWITCH for 30 fps; still explicit */
		{ 0, 0, 2, FWD | RW, 0 },          /* k7 T2 */
		{ 0, 0, 2, FWD | RW, 0 },          /* k8 T0 */
		{ 0, 0, 1, NP | SW, 1 },           /* k9 T2: down at once, not part of 15 fps */
		{ 0, 0, 1, FWD | RW, 1 },          /* k10 T1 */
		{ 0, 0, 1, NP, 1 },                /* k11 T2 */
		{ 0, 0, 1, FWD | RW, 1 },          /* k12 T0 */
		{ KEY, 0, 2, FWD | SW, 0 },        /* a keyframe: up, and the structure says all */
		{ 0, 0, 2, FWD, 0 },
		END,
	} },
	{ "2 L1T3: a late joiner waits for the keyframe", &ddb_l1t3, NULL, 2, {
		{ KEY | ABSENT, 0, 2, ANY, ANY },
		{ ABSENT, 0, 2, ANY, ANY },
		{ ABSENT, 0, 2, ANY, ANY },
		{ 0, 0, 2, WAIT | KN, NONE },
		{ 0, 0, 2, WAIT | KN, NONE },
		{ KEY, 0, 2, FWD | SW, 0 },
		{ 0, 0, 2, FWD, 0 },
		{ 0, 0, 2, FWD, 0 },
		END,
	} },
	{ "3 L1T3: a lost T0 frame breaks the chain until the next keyframe", &ddb_l1t3, NULL, 1, {
		{ KEY, 0, 2, FWD | SW, 0 },
		{ 0, 0, 2, FWD, 0 },
		{ 0, 0, 2, FWD, 0 },
		{ 0, 0, 2, FWD, 0 },
		{ LOST, 0, 2, ANY, ANY },         /* k4 T0 */
		{ 0, 0, 2, ND, 0 },               /* k5 T2 refs k4; one frame of grace */
		{ 0, 0, 2, ND | KN, 0 },          /* k6 T1 refs k4; k4 now taken as lost */
		{ 0, 0, 2, ND | KN, 0 },          /* k7 T2 refs k6 */
		{ 0, 0, 2, ND | KN, 0 },          /* k8 T0 refs k4 */
		{ 0, 0, 2, ND | KN, 0 },
		{ KEY, 0, 2, FWD, 0 },
		{ 0, 0, 2, FWD, 0 },
		END,
	} },
	{ "4 L3T3: VGA; up to HD needs a keyframe; down to QVGA at once", &ddb_l3t3, NULL, 2, {
		{ KEY, 1, 2, FWD | SW | RW, 3 },  /* k0 S0 key */
		{ 0, 1, 2, FWD | RW | MK, 3 },    /* k1 S1, the top of VGA: marker */
		{ 0, 1, 2, NP, 3 },               /* k2 S2 */
		{ 0, 1, 2, FWD | RW, 3 },         /* k3 S0T2 */
		{ 0, 1, 2, FWD | RW | MK, 3 },    /* k4 S1T2 */
		{ 0, 1, 2, NP, 3 },               /* k5 S2T2 */
		{ 0, 2, 2, FWD | RW, 3 },         /* k6 S0T1 */
		{ 0, 2, 2, FWD | RW | MK, 3 },    /* k7 S1T1 */
		{ 0, 2, 2, NP | KN, 3 },          /* k8 S2T1: SWITCH for HD, refs k2 */
		{ 0, 2, 2, FWD | RW, 3 },         /* k9 S0T2 */
		{ 0, 2, 2, FWD | RW | MK, 3 },    /* k10 S1T2 */
		{ 0, 2, 2, NP, 3 },               /* k11 S2T2 */
		{ 0, 2, 2, FWD | RW, 3 },         /* k12 S0T0 */
		{ 0, 2, 2, FWD | RW | MK, 3 },    /* k13 S1T0 */
		{ 0, 2, 2, NP | KN, 3 },          /* k14 S2T0: SWITCH for HD, refs k2 */
		{ KEY, 2, 2, FWD | SW, 0 },       /* k15 key: HD; the structure says all */
		{ 0, 2, 2, FWD, 0 },
		{ 0, 2, 2, FWD, 0 },
		{ 0, 0, 0, NP | SW, 8 },          /* S0T2: down to QVGA 7.5 at once */
		{ 0, 0, 0, NP, 8 },
		{ 0, 0, 0, NP, 8 },
		{ 0, 0, 0, NP, 8 },               /* S0T1 */
		{ 0, 0, 0, NP, 8 },
		{ 0, 0, 0, NP, 8 },
		{ 0, 0, 0, NP, 8 },               /* S0T2 */
		{ 0, 0, 0, NP, 8 },
		{ 0, 0, 0, NP, 8 },
		{ 0, 0, 0, FWD | RW | MK, 8 },    /* S0T0 */
		{ 0, 0, 0, NP, 8 },
		END,
	} },
	{ "5 L3T3: a lost S2 T0 frame breaks chain 2: down to VGA, keyframe asked", &ddb_l3t3, NULL,
	  1, {
		{ KEY, 2, 2, FWD | SW, 0 },
		{ 0, 2, 2, FWD, 0 }, { 0, 2, 2, FWD, 0 },
		{ 0, 2, 2, FWD, 0 }, { 0, 2, 2, FWD, 0 }, { 0, 2, 2, FWD, 0 },
		{ 0, 2, 2, FWD, 0 }, { 0, 2, 2, FWD, 0 }, { 0, 2, 2, FWD, 0 },
		{ 0, 2, 2, FWD, 0 }, { 0, 2, 2, FWD, 0 }, { 0, 2, 2, FWD, 0 },
		{ 0, 2, 2, FWD, 0 }, { 0, 2, 2, FWD, 0 },
		{ LOST, 2, 2, ANY, ANY },             /* k14 S2T0 */
		{ 0, 2, 2, FWD, 0 },                  /* k15 S0T2: one frame of grace */
		{ 0, 2, 2, FWD | SW | KN | RW | MK, 3 }, /* k16 S1T2: chain 2 broken */
		{ 0, 2, 2, NP, 3 },                   /* k17 S2T2 */
		{ 0, 2, 2, FWD | RW, 3 },             /* k18 S0T1 */
		{ 0, 2, 2, FWD | RW | MK, 3 },        /* k19 S1T1 */
		{ 0, 2, 2, NP | KN, 3 },              /* k20 S2T1: SWITCH for HD, refs k14 */
		{ KEY, 2, 2, FWD | SW, 0 },
		{ 0, 2, 2, FWD, 0 },
		END,
	} },
	{ "6 L3T3 K-SVC: HD; QVGA needs a keyframe, meanwhile the lowest HD", &ddb_l3t3_ksvc, NULL,
	  1, {
		{ KEY, 2, 2, FWD | SW | RW, 0 },  /* k0 S0 key */
		{ 0, 2, 2, FWD | RW, 0 },         /* k1 S1 */
		{ 0, 2, 2, FWD | RW, 0 },         /* k2 S2 */
		{ 0, 2, 2, NP, 0 },               /* k3 S0T0 */
		{ 0, 2, 2, NP, 0 },               /* k4 S1T2 */
		{ 0, 2, 2, FWD | RW, 0 },         /* k5 S2T2 */
		{ 0, 2, 2, NP, 0 },               /* k6 S0T2 */
		{ 0, 2, 2, NP, 0 },               /* k7 S1T0 */
		{ 0, 2, 2, FWD | RW, 0 },         /* k8 S2T1 */
		{ 0, 0, 0, NP | SW | KN, 2 },     /* k9 S0T1: down to HD 7.5; QVGA 30 unreachable */
		{ 0, 0, 0, NP, 2 },               /* k10 S1T2 */
		{ 0, 0, 0, NP, 2 },               /* k11 S2T2 */
		{ 0, 0, 0, NP, 2 },               /* k12 S0T2 */
		{ 0, 0, 0, NP | KN, 2 },          /* k13 S1T1: SWITCH for VGA 30, refs k7 */
		{ 0, 0, 0, FWD | RW, 2 },         /* k14 S2T0 */
		{ 0, 0, 0, NP | KN, 2 },          /* k15 S0T0: SWITCH for QVGA, refs k3 */
		{ KEY, 0, 0, FWD | SW | RW | MK, 8 },
		{ 0, 0, 0, NP, 8 },
		{ 0, 0, 0, NP, 8 },
		{ 0, 0, 0, FWD | RW | MK, 8 },    /* S0T0 */
		END,
	} },
	{ "7 L3T3: the publisher stops the HD layer: down to VGA at once", &ddb_l3t3, NULL, 1, {
		{ KEY, 2, 2, FWD | SW, 0 },
		{ 0, 2, 2, FWD, 0 }, { 0, 2, 2, FWD, 0 },
		{ 0, 2, 2, FWD, 0 }, { 0, 2, 2, FWD, 0 }, { 0, 2, 2, FWD, 0 },
		{ MASK, 2, 2, FWD | SW, 3, 0x1f8 }, /* k6 S0T1: its own bitmask goes through */
		{ 0, 2, 2, FWD | MK, 3 },           /* k7 S1T1 */
		{ 0, 2, 2, NP, 3 },                 /* k8 S2T1 */
		{ MASK, 2, 2, FWD | RW, 3, 0x1ff }, /* k9 S0T2: HD back, not a switch point */
		END,
	} },
	{ "8 a new structure: the receiver starts again on it", &ddb_l1t3, &ddb_l2t2, 1, {
		{ KEY, 0, 2, FWD | SW, 0 },
		{ 0, 0, 2, FWD, 0 },
		{ NEXT, 0, 2, FWD | SW | RW | MK, 1 }, /* L2T2's key: S0 T1 is decode target 1 */
		{ 0, 0, 2, NP, 1 },                 /* S1 */
		{ 0, 0, 2, FWD | RW | MK, 1 },      /* S0T1: the top of what it gets */
		{ 0, 0, 2, NP, 1 },                 /* S1T1 */
		{ 0, 1, 2, FWD | RW | MK, 1 },      /* S0T0: REQUIRED for S1, no switch */
		{ 0, 1, 2, NP | KN, 1 },            /* S1T0: SWITCH for S1, refs what it lacks */
		{ KEY | NEXT, 1, 2, FWD | SW, 3 },  /* the same structure again: a keyframe */
		{ 0, 1, 2, FWD, 3 },
		END,
	} },
};

static void run_scenario(const struct scenario *sc)
{
	struct gen g = { .s = sc->s, .fn = 65530 };
	struct dp_av1_dd_stream *sfu = malloc(sizeof(*sfu));
	struct rxh r;
	struct pkt pkts[4];

	dp_av1_dd_stream_init(sfu);
	rxh_init(&r, sc->name);
	for (unsigned i = 0; sc->steps[i].flags != 0xff; i++) {
		const struct step *st = &sc->steps[i];
		if (st->flags & NEXT)
			g.s = sc->next;
		if (st->flags & MASK) {
			g.mask_present = true;
			g.mask_every_packet = true;
			g.mask = st->mask;
		}
		unsigned n = gen_frame(&g, st->flags & (KEY | NEXT), sc->packets, pkts);
		if (st->flags & LOST)
			continue;
		r.ts = st->ts;
		r.tt = st->tt;
		for (unsigned p = 0; p < n; p++) {
			struct dp_av1_dd_frame f;
			sfu_parse(sfu, &pkts[p], &f);
			if (st->flags & ABSENT)
				continue;
			int got = (int)deliver(&r, &pkts[p], &f);
			int want = st->expect;
			/* The marker is on the last packet; the switch and the
			 * keyframe request are said once, at the frame's first
			 * (but on every packet while waiting for a structure). */
			if (want != ANY && p + 1 != n)
				want &= ~MK;
			if (want != ANY && p > 0)
				want &= ~(SW | ((want & DP_SELECT_DD_REASON_MASK) == WAIT ? 0 : KN));
			CHECK(want == ANY || got == want, "%s: step %u packet %u: %#x, expected %#x",
			      sc->name, i, p, got, want);
		}
		if (!(st->flags & ABSENT))
			CHECK(st->dt == ANY || r.sel.dt == st->dt, "%s: step %u: dt %u, expected %d",
			      sc->name, i, r.sel.dt, st->dt);
	}
	rxh_free(&r);
	free(sfu);
}

/* ---- The decode target for target layers --------------------------------- */

static void test_target(void)
{
	static const struct {
		const struct ddb_structure *s;
		uint32_t active;
		uint8_t ts, tt;
		int expect;
	} rows[] = {
		{ &ddb_l1t3, 0x7, 0, 2, 0 },
		{ &ddb_l1t3, 0x7, 0, 1, 1 },
		{ &ddb_l1t3, 0x7, 0, 0, 2 },
		{ &ddb_l1t3, 0x7, 5, 7, 0 },      /* above everything: the highest */
		{ &ddb_l1t3, 0x6, 0, 2, 1 },      /* 30 fps inactive */
		{ &ddb_l1t3, 0x1, 0, 0, 0 },      /* only 30 fps: the lowest active, though above */
		{ &ddb_l1t3, 0x0, 0, 2, NONE },
		{ &ddb_l3t3, 0x1ff, 1, 1, 4 },    /* VGA 15 */
		{ &ddb_l3t3, 0x1ff, 0, 2, 6 },    /* QVGA 30 */
		{ &ddb_l3t3, 0x1ff, 2, 0, 2 },    /* HD 7.5 */
		{ &ddb_l3t3, 0x1ff, 1, 5, 3 },
		{ &ddb_l3t3, 0x1f8, 2, 2, 3 },    /* HD inactive: VGA 30 */
		{ &ddb_l3t3, 0x03f, 0, 0, 5 },    /* QVGA inactive: VGA 7.5 */
		{ &ddb_l3t3, 0x1c0, 2, 2, 6 },    /* only QVGA */
		{ &ddb_l3t3, 0x007, 0, 0, 2 },    /* only HD: the closest above, HD 7.5 */
		{ &ddb_l3t3, 0x003, 1, 0, 1 },    /* HD 30 and 15: HD 15 */
		{ &ddb_l2t2, 0xf, 1, 0, 2 },
		{ &ddb_l2t2, 0xf, 0, 1, 1 },
		{ &ddb_l2t2, 0xf, 1, 1, 3 },
		{ &ddb_l3t3_ksvc, 0x1ff, 0, 0, 8 },
	};
	for (unsigned i = 0; i < ARRAY_LEN(rows); i++) {
		struct dp_av1_dd_stream *st = malloc(sizeof(*st));
		struct gen g = { .s = rows[i].s };
		struct pkt p;
		struct dp_av1_dd_frame f;

		dp_av1_dd_stream_init(st);
		gen_frame(&g, true, 1, &p);
		sfu_parse(st, &p, &f);
		uint8_t got = dp_select_dd_target(f.structure, rows[i].active, rows[i].ts, rows[i].tt);
		CHECK(got == rows[i].expect, "target row %u (%s S%uT%u active %#x): %u, expected %d",
		      i, rows[i].s->name, rows[i].ts, rows[i].tt, rows[i].active, got,
		      rows[i].expect);
		free(st);
	}
}

/* ---- Reach ---------------------------------------------------------------- */

/* Frames of one cycle of the structure's pattern. */
static unsigned cycle_frames(const struct ddb_structure *s)
{
	unsigned n = 0;
	for (unsigned u = 0; u < s->n_cycle_units; u++)
		for (unsigned k = 0; k < 4 && s->cycle_units[u][k] >= 0; k++)
			n++;
	return n;
}

static void test_reach(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(ddb_all); i++) {
		const struct ddb_structure *s = ddb_all[i];
		unsigned cycle = cycle_frames(s);

		for (unsigned from = 0; from < s->dt_cnt; from++) {
			for (unsigned to = 0; to < s->dt_cnt; to++) {
				struct dp_av1_dd_stream *sfu = malloc(sizeof(*sfu));
				struct gen g = { .s = s, .fn = 1000 };
				struct rxh r;
				struct pkt p;
				struct dp_av1_dd_frame f;
				char name[96];
				unsigned hops = 0;

				snprintf(name, sizeof(name), "%s reach %u -> %u", s->name, from, to);
				dp_av1_dd_stream_init(sfu);
				rxh_init(&r, name);
				/* Layers of a decode target, from the table. */
				const struct dp_av1_dd_structure *ps = NULL;
				for (unsigned k = 0; k < 2 * cycle + 4; k++) {
					gen_frame(&g, k == 0, 1, &p);
					sfu_parse(sfu, &p, &f);
					ps = f.structure;
					r.ts = ps->dt_spatial[from];
					r.tt = ps->dt_temporal[from];
					deliver(&r, &p, &f);
				}
				CHECK(r.sel.dt == from, "%s: did not start at %u (%u)", name, from, r.sel.dt);
				r.ts = ps->dt_spatial[to];
				r.tt = ps->dt_temporal[to];
				unsigned kn_before = r.kn;
				for (unsigned k = 0; k < 3 * cycle && r.sel.dt != to; k++, hops++) {
					gen_frame(&g, false, 1, &p);
					sfu_parse(sfu, &p, &f);
					deliver(&r, &p, &f);
				}
				bool within = (ps->subset[from] >> to) & 1;
				if (r.sel.dt != to)
					CHECK(r.kn > kn_before, "%s: stuck at %u without asking for a keyframe",
					      name, r.sel.dt);
				if (within)
					CHECK(r.sel.dt == to && hops <= 1 && r.kn == kn_before,
					      "%s: down took %u frames (dt %u, kn %u)", name, hops, r.sel.dt,
					      r.kn - kn_before);
				if (s == &ddb_l1t3)
					CHECK(r.sel.dt == to, "%s: L1T3 needs no keyframe", name);
				/* A keyframe gets it there in any case; then exactly its
				 * frames go, two cycles long. */
				unsigned wrong = 0;
				for (unsigned k = 0; k < 3 * cycle; k++) {
					gen_frame(&g, k == 0, 1, &p);
					sfu_parse(sfu, &p, &f);
					enum dp_select_dd out = deliver(&r, &p, &f);
					bool in_dt = dp_av1_dd_dti_of(f.dti, to) != DP_AV1_DD_NOT_PRESENT;
					if (k >= cycle && (dp_select_dd_reason(out) == FWD) != in_dt)
						wrong++;
				}
				CHECK(r.sel.dt == to, "%s: not there after a keyframe (%u)", name, r.sel.dt);
				CHECK(wrong == 0, "%s: %u frames forwarded or dropped wrongly", name, wrong);
				rxh_free(&r);
				free(sfu);
			}
		}
	}
}

/* ---- The model check -------------------------------------------------------- */

#define RECEIVERS 3

/* Whether two structures' template ids overlap (or are the same one). */
static bool ranges_overlap(const struct ddb_structure *a, const struct ddb_structure *b)
{
	if (a == b)
		return false;
	for (unsigned i = 0; i < a->n_templates; i++)
		for (unsigned k = 0; k < b->n_templates; k++)
			if ((a->offset + i) % 64 == (b->offset + k) % 64)
				return true;
	return false;
}

static void model_run(const struct ddb_structure *first, uint64_t seed, unsigned frames)
{
	uint64_t rng = seed;
	struct dp_av1_dd_stream *sfu = malloc(sizeof(*sfu));
	struct gen g = { .s = first, .fn = (uint16_t)test_rand(&rng) };
	struct rxh r[RECEIVERS];
	char names[RECEIVERS][80];
	struct pkt held;
	bool have_held = false;
	unsigned forwarded = 0;

	dp_av1_dd_stream_init(sfu);
	for (unsigned i = 0; i < RECEIVERS; i++) {
		snprintf(names[i], sizeof(names[i]), "model %s seed %llu receiver %u", first->name,
			 (unsigned long long)seed, i);
		rxh_init(&r[i], names[i]);
	}
	for (unsigned k = 0; k < frames; k++) {
		struct pkt pkts[3];
		unsigned u = test_rand(&rng) % 1000;
		bool key = k == 0 || u < 8;

		if (key && test_rand(&rng) % 4 == 0) {
			/* Sometimes a new structure; a sender keeps the template ids
			 * of the new one clear of the old one's (A.8.3). */
			const struct ddb_structure *next = ddb_all[test_rand(&rng) % ARRAY_LEN(ddb_all)];
			if (!ranges_overlap(g.s, next))
				g.s = next;
		}
		if (test_rand(&rng) % 100 == 0) { /* the publisher's active decode targets */
			g.mask_present = test_rand(&rng) % 2;
			g.mask_every_packet = test_rand(&rng) % 2;
			g.mask = test_rand(&rng) & ((1u << g.s->dt_cnt) - 1);
		}
		for (unsigned i = 0; i < RECEIVERS; i++) {
			if (test_rand(&rng) % 60 == 0) {
				r[i].ts = (uint8_t)(test_rand(&rng) % 4);
				r[i].tt = (uint8_t)(test_rand(&rng) % 4);
			}
		}
		unsigned n = gen_frame(&g, key, 1 + test_rand(&rng) % 3, pkts);
		if (!key && test_rand(&rng) % 40 == 0)
			continue; /* the whole frame lost */
		for (unsigned p = 0; p < n; p++) {
			if (!(key && p == 0) && test_rand(&rng) % 50 == 0)
				continue; /* one packet lost */
			struct pkt *now = &pkts[p];
			/* Reordering: hold a packet back behind the next one. */
			if (!have_held && test_rand(&rng) % 30 == 0) {
				held = *now;
				have_held = true;
				continue;
			}
			for (unsigned pass = 0; pass < 2; pass++) {
				struct dp_av1_dd_frame f;
				if (dp_av1_dd_parse(sfu, now->dd, now->len, &f) == DP_AV1_DD_OK)
					for (unsigned i = 0; i < RECEIVERS; i++)
						forwarded += dp_select_dd_reason(deliver(&r[i], now, &f)) == FWD;
				if (!have_held || pass == 1)
					break;
				now = &held;
				have_held = false;
			}
		}
	}
	CHECK(forwarded > frames / 4, "model %s seed %llu: only %u packets forwarded", first->name,
	      (unsigned long long)seed, forwarded);
	for (unsigned i = 0; i < RECEIVERS; i++)
		rxh_free(&r[i]);
	free(sfu);
}

static void test_model(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(ddb_all); i++)
		for (uint64_t seed = 1; seed <= 12; seed++)
			model_run(ddb_all[i], seed * 7919 + i, 3000);
}

int main(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(scenarios); i++)
		run_scenario(&scenarios[i]);
	test_target();
	test_reach();
	test_model();
	return test_summary("dp_select_dd");
}
