/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Gapless renumbering for one receiver of a source.
 *
 * A receiver that is sent only some of a source's packets (temporal layers
 * filtered out) must still see consecutive RTP sequence numbers, or it
 * takes the missing ones for losses and asks for them; likewise VP8
 * PictureIDs for the frames it gets.  The map turns an input number into an
 * output number: out = in - (packets dropped on purpose before in).
 *
 * It remembers which of the last DP_SEQMAP_WINDOW inputs were dropped on
 * purpose, so a reordered packet gets the number it would have had in
 * order.  Numbers are modular (16 bits for RTP sequence numbers, 15 for VP8
 * PictureIDs): `mask` is 2^bits - 1 and "newer" means ahead by less than
 * half the space.  A packet dropped late (older than the newest) leaves a
 * gap rather than renumbering what was already sent.
 */
#ifndef STRATA_DP_SEQMAP_H
#define STRATA_DP_SEQMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define DP_SEQMAP_WINDOW 256
#define DP_SEQMAP_WORDS (DP_SEQMAP_WINDOW / 64)

struct dp_seqmap {
	uint32_t highest_in;  /* newest input seen */
	uint32_t delta;       /* inputs dropped on purpose up to highest_in */
	uint32_t last_out;    /* newest output number given */
	uint32_t base_in;     /* the first input since the start or last rebase */
	uint8_t started;
	uint8_t base_near;    /* base_in is within the window behind highest_in */
	uint8_t pad[2];
	uint64_t dropped[DP_SEQMAP_WORDS]; /* ring: bit (in % WINDOW) */
};

enum dp_seqmap_result {
	DP_SEQMAP_OK = 0,
	DP_SEQMAP_TOO_LATE = 1, /* older than the window: its number is unknown */
};

/* in - from, as a signed distance in a space of mask + 1 numbers. */
static inline int32_t dp_seq_diff(uint32_t in, uint32_t from, uint32_t mask)
{
	uint32_t d = (in - from) & mask;

	return d > (mask >> 1) ? (int32_t)d - (int32_t)mask - 1 : (int32_t)d;
}

static inline bool dp_seqmap_is_dropped(const struct dp_seqmap *m, uint32_t in)
{
	uint32_t bit = in % DP_SEQMAP_WINDOW;

	return (m->dropped[bit / 64] >> (bit % 64)) & 1;
}

/*
 * base_in matters (seqmap_reverse.h) only while the window behind
 * highest_in reaches back to it.  Once passed it is forgotten: numbers are
 * modular, and 2^15 inputs later a comparison with it would take every new
 * number for one from before it.
 */
static inline void dp_seqmap_pass_base(struct dp_seqmap *m, uint32_t mask)
{
	if (m->base_near && ((m->highest_in - m->base_in) & mask) >= DP_SEQMAP_WINDOW)
		m->base_near = 0;
}

/* Moves highest_in to `in` (newer), clearing the bits it passes. */
static inline void dp_seqmap_advance(struct dp_seqmap *m, uint32_t in, uint32_t mask)
{
	int32_t ahead = dp_seq_diff(in, m->highest_in, mask);

	if (ahead >= DP_SEQMAP_WINDOW) {
		memset(m->dropped, 0, sizeof(m->dropped));
	} else {
		for (int32_t k = 1; k <= ahead; k++) {
			uint32_t bit = ((m->highest_in + (uint32_t)k) & mask) % DP_SEQMAP_WINDOW;
			m->dropped[bit / 64] &= ~(1ull << (bit % 64));
		}
	}
	m->highest_in = in;
	dp_seqmap_pass_base(m, mask);
}

/* Starts (or restarts, at a simulcast switch) so that input `in` becomes
 * output `out`. */
static inline void dp_seqmap_rebase(struct dp_seqmap *m, uint32_t in, uint32_t out, uint32_t mask)
{
	memset(m->dropped, 0, sizeof(m->dropped));
	m->highest_in = (in - 1) & mask;
	m->delta = (in - out) & mask;
	m->last_out = (out - 1) & mask;
	m->base_in = in;
	m->started = 1;
	m->base_near = 1;
}

/* The output number of a forwarded input. */
static inline enum dp_seqmap_result dp_seqmap_forward(struct dp_seqmap *m, uint32_t in,
						      uint32_t mask, uint32_t *out)
{
	if (!m->started)
		dp_seqmap_rebase(m, in, in, mask);

	int32_t ahead = dp_seq_diff(in, m->highest_in, mask);
	uint32_t delta = m->delta;

	if (ahead == 1) {
		/* The next input, the common case: only its own bit to clear. */
		uint32_t bit = in % DP_SEQMAP_WINDOW;
		m->dropped[bit / 64] &= ~(1ull << (bit % 64));
		m->highest_in = in;
		dp_seqmap_pass_base(m, mask);
	} else if (ahead > 0) {
		dp_seqmap_advance(m, in, mask);
	} else {
		if (-ahead >= DP_SEQMAP_WINDOW)
			return DP_SEQMAP_TOO_LATE;
		/* Drops in [in, highest_in] came after this packet. */
		for (uint32_t k = 0; k <= (uint32_t)-ahead; k++)
			delta -= dp_seqmap_is_dropped(m, (in + k) & mask);
	}
	*out = (in - delta) & mask;
	if (dp_seq_diff(*out, m->last_out, mask) > 0)
		m->last_out = *out;
	return DP_SEQMAP_OK;
}

/* An input dropped on purpose: later inputs move down by one. */
static inline void dp_seqmap_drop(struct dp_seqmap *m, uint32_t in, uint32_t mask)
{
	if (!m->started)
		dp_seqmap_rebase(m, in, in, mask);
	if (dp_seq_diff(in, m->highest_in, mask) <= 0)
		return; /* late: a gap, not a renumbering */
	dp_seqmap_advance(m, in, mask);
	uint32_t bit = in % DP_SEQMAP_WINDOW;
	m->dropped[bit / 64] |= 1ull << (bit % 64);
	m->delta = (m->delta + 1) & mask;
}

#endif /* STRATA_DP_SEQMAP_H */
