/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/seqmap.h: gapless renumbering for one receiver, as tables of
 * numbered cases (each a sequence of packets forwarded or dropped on
 * purpose, with the output numbers expected), then a randomised check that
 * forwarded packets delivered out of order still get their in-order
 * numbers across the wrap of every number space.
 */
#include "seqmap.h"
#include "test_util.h"

#define SEQ16 0xffffu
#define PIC15 0x7fffu
#define PIC7 0x7fu

enum op_kind {
	END = 0,
	FWD,  /* forward `in`, expect output `out` */
	DROP, /* drop `in` on purpose */
	LATE, /* forward `in`, expect DP_SEQMAP_TOO_LATE */
	REBASE, /* dp_seqmap_rebase(in -> out) */
};

struct op {
	enum op_kind kind;
	uint32_t in, out;
};

struct seqmap_case {
	const char *name;
	uint32_t mask;
	struct op ops[16];
};

static const struct seqmap_case cases[] = {
	{ "1 in order, nothing dropped: numbers pass unchanged", SEQ16,
	  { { FWD, 100, 100 }, { FWD, 101, 101 }, { FWD, 102, 102 }, { FWD, 103, 103 } } },
	{ "2 drops move the packets after them down", SEQ16,
	  { { FWD, 100, 100 }, { DROP, 101 }, { FWD, 102, 101 }, { DROP, 103 }, { DROP, 104 },
	    { FWD, 105, 102 }, { FWD, 106, 103 } } },
	{ "3 the first packet dropped: the stream starts one lower", SEQ16,
	  { { DROP, 500 }, { FWD, 501, 500 }, { FWD, 502, 501 } } },
	{ "4 a reordered forwarded packet gets its in-order number", SEQ16,
	  { { FWD, 100, 100 }, { DROP, 101 }, { FWD, 103, 102 }, { FWD, 102, 101 },
	    { FWD, 104, 103 } } },
	{ "5 reordered across several drops", SEQ16,
	  { { FWD, 10, 10 }, { DROP, 11 }, { DROP, 12 }, { FWD, 14, 12 }, { FWD, 13, 11 },
	    { FWD, 15, 13 } } },
	{ "6 a drop that comes after a newer packet leaves a gap", SEQ16,
	  { { FWD, 100, 100 }, { FWD, 102, 102 }, { DROP, 101 }, { FWD, 103, 103 } } },
	{ "7 a late drop among drops: its number stays a gap", SEQ16,
	  { { FWD, 100, 100 }, { DROP, 101 }, { FWD, 103, 102 }, { DROP, 102 },
	    { FWD, 104, 103 } } },
	{ "8 a duplicate gets the same number", SEQ16,
	  { { FWD, 7, 7 }, { DROP, 8 }, { FWD, 9, 8 }, { FWD, 9, 8 }, { FWD, 7, 7 } } },
	{ "9 wrap at 65535", SEQ16,
	  { { FWD, 65533, 65533 }, { DROP, 65534 }, { FWD, 65535, 65534 }, { DROP, 0 },
	    { FWD, 1, 65535 }, { FWD, 2, 0 }, { FWD, 3, 1 } } },
	{ "10 reordered across the wrap at 65535", SEQ16,
	  { { FWD, 65534, 65534 }, { DROP, 65535 }, { FWD, 1, 0 }, { FWD, 0, 65535 },
	    { FWD, 2, 1 } } },
	{ "11 15-bit PictureIDs wrap at 32767", PIC15,
	  { { FWD, 32766, 32766 }, { DROP, 32767 }, { FWD, 0, 32767 }, { DROP, 1 },
	    { FWD, 2, 0 }, { FWD, 3, 1 } } },
	{ "12 7-bit PictureIDs wrap at 127", PIC7,
	  { { FWD, 126, 126 }, { DROP, 127 }, { FWD, 0, 127 }, { FWD, 1, 0 }, { DROP, 2 },
	    { FWD, 4, 2 }, { FWD, 3, 1 } } },
	{ "13 rebase: input 5000 becomes 200, then a switch to another stream", SEQ16,
	  { { REBASE, 5000, 200 }, { FWD, 5000, 200 }, { DROP, 5001 }, { FWD, 5002, 201 },
	    { REBASE, 9000, 202 }, { FWD, 9000, 202 }, { FWD, 9001, 203 }, { DROP, 9002 },
	    { FWD, 9003, 204 } } },
	{ "14 rebase across the wrap", SEQ16,
	  { { REBASE, 10, 65535 }, { FWD, 10, 65535 }, { FWD, 11, 0 }, { DROP, 12 },
	    { FWD, 13, 1 } } },
	{ "15 older than the window is too late; just inside is not", SEQ16,
	  { { FWD, 1000, 1000 }, { DROP, 1001 }, { FWD, 1255, 1254 }, { FWD, 1300, 1299 },
	    { LATE, 1044 }, { FWD, 1045, 1045 - 1 }, { LATE, 1000 }, { FWD, 1301, 1300 } } },
	{ "16 a jump ahead past the window keeps the numbering", SEQ16,
	  { { FWD, 100, 100 }, { DROP, 101 }, { FWD, 1100, 1099 }, { FWD, 1101, 1100 },
	    { FWD, 1099, 1098 } } },
	{ "17 too late across the wrap", SEQ16,
	  { { FWD, 65500, 65500 }, { FWD, 300, 300 }, { LATE, 65500 }, { FWD, 45, 45 } } },
};

static void run_case(const struct seqmap_case *c)
{
	struct dp_seqmap m;

	memset(&m, 0, sizeof(m));
	for (unsigned i = 0; i < ARRAY_LEN(c->ops) && c->ops[i].kind != END; i++) {
		const struct op *op = &c->ops[i];
		uint32_t out = 0xdeadbeef;
		enum dp_seqmap_result r;

		switch (op->kind) {
		case FWD:
			r = dp_seqmap_forward(&m, op->in, c->mask, &out);
			CHECK(r == DP_SEQMAP_OK && out == op->out,
			      "case \"%s\" step %u: forward %u gave %d/%u, expected %u", c->name, i,
			      op->in, r, out, op->out);
			break;
		case DROP:
			dp_seqmap_drop(&m, op->in, c->mask);
			break;
		case LATE:
			r = dp_seqmap_forward(&m, op->in, c->mask, &out);
			CHECK(r == DP_SEQMAP_TOO_LATE, "case \"%s\" step %u: forward %u gave %d/%u, "
			      "expected TOO_LATE", c->name, i, op->in, r, out);
			break;
		case REBASE:
			dp_seqmap_rebase(&m, op->in, op->out, c->mask);
			break;
		case END:
			break;
		}
	}
}

/*
 * Random streams: each input is forwarded or dropped; forwarded ones may
 * be delivered up to a few places late (dropped ones are decided in
 * order, as a forwarder decides them on arrival), and each must get
 * in - (drops before it), with the outputs gapless.
 */
static void random_streams(uint32_t mask, uint32_t start, uint64_t seed)
{
	enum { N = 3000, MAXDELAY = 6 };
	static uint8_t dropped[N];
	static uint32_t expect[N];
	static uint8_t delivered[N];
	uint64_t rng = seed;
	struct dp_seqmap m;
	uint32_t drops = 0, outs = 0;
	uint32_t pending[MAXDELAY + 1];
	unsigned npending = 0;

	memset(&m, 0, sizeof(m));
	memset(delivered, 0, sizeof(delivered));
	for (unsigned k = 0; k < N; k++) {
		dropped[k] = test_rand(&rng) % 3 == 0;
		expect[k] = (start + k - drops) & mask;
		drops += dropped[k];
	}

	for (unsigned k = 0; k <= N; k++) {
		/* Deliver some held-back packets, oldest-first or not. */
		while (npending && (k == N || npending > MAXDELAY || test_rand(&rng) % 3 == 0)) {
			unsigned pick = test_rand(&rng) % npending;
			uint32_t idx = pending[pick];
			uint32_t out = 0;

			pending[pick] = pending[--npending];
			enum dp_seqmap_result r =
				dp_seqmap_forward(&m, (start + idx) & mask, mask, &out);
			CHECK(r == DP_SEQMAP_OK && out == expect[idx],
			      "random mask %#x seed %llu: input #%u got %d/%u, expected %u", mask,
			      (unsigned long long)seed, idx, r, out, expect[idx]);
			delivered[idx] = 1;
			outs++;
		}
		if (k == N)
			break;
		if (dropped[k]) {
			/* A drop decided now must not come after a newer forwarded packet
			 * already seen, or it would be a late drop (a gap); deliver
			 * what is held first. */
			while (npending) {
				uint32_t idx = pending[--npending], out = 0;
				dp_seqmap_forward(&m, (start + idx) & mask, mask, &out);
				CHECK(out == expect[idx], "random mask %#x: flushed #%u got %u, "
				      "expected %u", mask, idx, out, expect[idx]);
				delivered[idx] = 1;
				outs++;
			}
			dp_seqmap_drop(&m, (start + k) & mask, mask);
		} else {
			pending[npending++] = k;
		}
	}
	CHECK(outs + drops == N, "random mask %#x: %u forwarded + %u dropped != %u", mask, outs,
	      drops, N);
	for (unsigned k = 0; k < N; k++)
		if (!dropped[k] && !delivered[k]) {
			CHECK(0, "random mask %#x: input #%u never delivered", mask, k);
			break;
		}
	unsigned newest = N - 1;
	while (dropped[newest])
		newest--;
	CHECK(m.last_out == expect[newest], "random mask %#x: last_out %u, expected %u", mask,
	      m.last_out, expect[newest]);
}

int main(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(cases); i++)
		run_case(&cases[i]);

	/* Starts chosen to cross each wrap. */
	random_streams(SEQ16, 64000, 1);
	random_streams(SEQ16, 65535, 2);
	random_streams(PIC15, 31000, 3);
	random_streams(PIC7, 100, 4);
	return test_summary("dp_seqmap");
}
