/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/seqmap_reverse.h: from a receiver's output number back to the
 * input it was given for (what a NACK names, rtcp_nack.c).  Numbered cases,
 * then random streams of forwards and drops across each wrap, checking
 * every output number still in the window maps back to its input, and
 * that numbers not given (dropped inputs' would-be numbers, the future,
 * before a rebase) map to nothing.
 */
#include "seqmap_reverse.h"
#include "test_util.h"

#define SEQ16 0xffffu

static void case_basic(void)
{
	struct dp_seqmap m = {0};
	uint32_t out, in;

	/* 1 in order, nothing dropped: out == in. */
	for (uint32_t s = 100; s < 110; s++)
		dp_seqmap_forward(&m, s, SEQ16, &out);
	CHECK(dp_seqmap_reverse(&m, 105, SEQ16, &in) && in == 105, "1: 105 -> %u", in);
	CHECK(!dp_seqmap_reverse(&m, 110, SEQ16, &in), "1: 110 not given yet");
	/* 2 drops: 110 and 111 dropped, 112 becomes 110. */
	dp_seqmap_drop(&m, 110, SEQ16);
	dp_seqmap_drop(&m, 111, SEQ16);
	dp_seqmap_forward(&m, 112, SEQ16, &out);
	CHECK(out == 110, "2: 112 forwarded as %u", out);
	CHECK(dp_seqmap_reverse(&m, 110, SEQ16, &in) && in == 112, "2: 110 -> %u", in);
	CHECK(dp_seqmap_reverse(&m, 109, SEQ16, &in) && in == 109, "2: 109 -> %u", in);
	CHECK(!dp_seqmap_reverse(&m, 111, SEQ16, &in), "2: 111 not given yet");
	/* 3 a rebase (simulcast switch): input 5000 continues at 111; the
	 * numbers before it were another stream's. */
	dp_seqmap_rebase(&m, 5000, 111, SEQ16);
	dp_seqmap_forward(&m, 5000, SEQ16, &out);
	dp_seqmap_forward(&m, 5001, SEQ16, &out);
	CHECK(out == 112, "3: 5001 forwarded as %u", out);
	CHECK(dp_seqmap_reverse(&m, 111, SEQ16, &in) && in == 5000, "3: 111 -> %u", in);
	CHECK(!dp_seqmap_reverse(&m, 110, SEQ16, &in), "3: 110 is from before the switch");
	/* 4 not started: nothing. */
	struct dp_seqmap empty = {0};
	CHECK(!dp_seqmap_reverse(&empty, 0, SEQ16, &in), "4: a map not started");
}

/*
 * `total` random forwards and drops from `start`; checks the last window's
 * outputs every `every` inputs.  Long streams go past 2^15 and 2^16 inputs
 * from the start, where a modular comparison with the stream's first input
 * once took every new number for one from before it.
 */
static void random_stream(uint32_t start, unsigned seed, uint32_t total, uint32_t every)
{
	enum { RING = 4096 };
	struct dp_seqmap m = {0};
	static uint32_t out_of[RING];
	static uint8_t dropped[RING];
	uint32_t given = 0;

	srand(seed);
	for (uint32_t k = 0; k < total; k++) {
		uint32_t in = (start + k) & SEQ16;
		dropped[k % RING] = (rand() % 3) == 0;
		if (dropped[k % RING]) {
			dp_seqmap_drop(&m, in, SEQ16);
		} else {
			dp_seqmap_forward(&m, in, SEQ16, &out_of[k % RING]);
			given++;
		}
		if (k < 300 || k % every != 0)
			continue;
		/* Every output within the window maps back exactly. */
		for (uint32_t j = k - DP_SEQMAP_WINDOW + 1; j <= k; j++) {
			uint32_t in_j = (start + j) & SEQ16, got = 0;
			if (dropped[j % RING])
				continue;
			bool ok = dp_seqmap_reverse(&m, out_of[j % RING], SEQ16, &got);
			if (!ok || got != in_j) {
				CHECK(0, "seed %u: input %u: output %u of input %u maps to %s %u",
				      seed, k, out_of[j % RING], in_j, ok ? "input" : "nothing", got);
				return;
			}
		}
	}
	uint32_t in;
	CHECK(!dp_seqmap_reverse(&m, (m.last_out + 1) & SEQ16, SEQ16, &in),
	      "seed %u: the next number is not given yet", seed);
	CHECK(given > 2000, "seed %u: %u forwarded", seed, given);
}

int main(void)
{
	case_basic();
	random_stream(100, 1, 4096, 1);
	random_stream(65000, 2, 4096, 1); /* across the wrap */
	random_stream(65535, 3, 4096, 1);
	random_stream(1, 4, 140000, 97);  /* past 2^15 and 2^16 inputs */
	return test_summary("dp_seqmap_reverse");
}
