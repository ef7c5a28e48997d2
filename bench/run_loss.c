/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sequence continuity per receiver (see run_loss.h).
 *
 * RFC 3550 A.1: "the extended highest sequence number received" -- the
 * 16-bit sequence number is extended with a count of wraps; a number within
 * half the space ahead of the highest seen is new (wrapping if it is
 * numerically smaller), one behind it is late or a duplicate.  A 64-entry
 * window of recently seen numbers tells a late packet (fills a gap) from a
 * duplicate.
 */
#include "run_loss.h"

void run_loss_init(struct run_loss *l)
{
	*l = (struct run_loss){ 0 };
}

void run_loss_seq(struct run_loss *l, uint16_t seq)
{
	if (!l->started) {
		l->started = 1;
		l->max_ext = (1u << 16) + seq; /* room to go back before the first */
		l->window = 1;
		l->received = 1;
		return;
	}
	uint16_t delta = (uint16_t)(seq - (uint16_t)l->max_ext);
	if (delta == 0) {
		l->duplicates++;
		return;
	}
	if (delta < 0x8000) {
		/* Ahead: everything between is (for now) missing. */
		if (delta > 1) {
			l->gaps++;
			l->missing += delta - 1u;
		}
		l->window = delta >= 64 ? 1 : (l->window << delta) | 1;
		l->max_ext += delta;
		l->received++;
		return;
	}
	uint16_t back = (uint16_t)(-(int)delta);
	if (back >= 64) {
		/* Too old to tell; count it as late, not as a hole filled. */
		l->late++;
		l->received++;
		return;
	}
	if (l->window & (UINT64_C(1) << back)) {
		l->duplicates++;
		return;
	}
	l->window |= UINT64_C(1) << back;
	l->late++;
	if (l->missing > 0)
		l->missing--;
	l->received++;
}

uint64_t run_loss_lost(const struct run_loss *l)
{
	return l->expected > l->received ? l->expected - l->received : 0;
}

void run_loss_merge(struct run_loss *dst, const struct run_loss *src)
{
	dst->expected += src->expected;
	dst->received += src->received;
	dst->duplicates += src->duplicates;
	dst->gaps += src->gaps;
	dst->missing += src->missing;
	dst->late += src->late;
}
