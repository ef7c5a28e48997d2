/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * seqmap.h backwards: the input number that became a receiver's output
 * number, for answering the receiver's NACK (rtcp_nack.c) with the input
 * packet the router still holds.
 *
 * "out = in - (packets dropped on purpose before in)" (seqmap.h), and the
 * map remembers which of the last DP_SEQMAP_WINDOW inputs were dropped: so
 * walking back from the newest input, the delta of each older input is one
 * less below each dropped one.  A number older than the window, from
 * before the last rebase (base_in: a simulcast switch, while the window
 * still reaches back to it), or not given yet is not found.
 */
#ifndef STRATA_DP_SEQMAP_REVERSE_H
#define STRATA_DP_SEQMAP_REVERSE_H

#include <stdbool.h>
#include <stdint.h>

#include "seqmap.h"

static inline bool dp_seqmap_reverse(const struct dp_seqmap *m, uint32_t out, uint32_t mask,
				     uint32_t *in)
{
	uint32_t delta = m->delta;

	if (!m->started)
		return false;
	for (uint32_t k = 0; k < DP_SEQMAP_WINDOW; k++) {
		uint32_t i = (m->highest_in - k) & mask;
		if (dp_seqmap_is_dropped(m, i)) {
			delta = (delta - 1) & mask;
			continue;
		}
		/* Before the start or the last rebase (a simulcast switch)
		 * the receiver's numbers were another stream's. */
		if (m->base_near && dp_seq_diff(i, m->base_in, mask) < 0)
			return false;
		if (((i - delta) & mask) == (out & mask)) {
			/* Not given yet: newer than anything forwarded. */
			if (dp_seq_diff(out, m->last_out, mask) > 0)
				return false;
			*in = i;
			return true;
		}
	}
	return false;
}

#endif /* STRATA_DP_SEQMAP_REVERSE_H */
