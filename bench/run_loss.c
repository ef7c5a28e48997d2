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

int run_loss_seq(struct run_loss *l, uint16_t seq)
{
	if (!l->started) {
		l->started = 1;
		l->max_ext = (1u << 16) + seq; /* room to go back before the first */
		l->window = 1;
		l->received = 1;
		return 1;
	}
	uint16_t delta = (uint16_t)(seq - (uint16_t)l->max_ext);
	if (delta == 0) {
		l->duplicates++;
		return 0;
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
		return 1;
	}
	uint16_t back = (uint16_t)(-(int)delta);
	if (back >= 64) {
		/* Too old to tell; count it as late, not as a hole filled. */
		l->late++;
		l->received++;
		return 1;
	}
	if (l->window & (UINT64_C(1) << back)) {
		l->duplicates++;
		return 0;
	}
	l->window |= UINT64_C(1) << back;
	l->late++;
	if (l->missing > 0)
		l->missing--;
	l->received++;
	return 1;
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
	dst->earlier += src->earlier;
}

enum run_origin run_origin_of(const struct run_epoch *e, uint32_t in_ts)
{
	/* The 64-bit timestamp with these low bits at or below the newest
	 * sent (none can be above it). */
	uint32_t back = (uint32_t)e->newest - in_ts;
	if (e->newest < e->run_first || back > e->newest)
		return RUN_ORIGIN_NEVER_SENT;
	uint64_t in = e->newest - back;
	if (in >= e->trial_first)
		return RUN_ORIGIN_THIS_TRIAL;
	return in >= e->run_first ? RUN_ORIGIN_EARLIER_TRIAL : RUN_ORIGIN_NEVER_SENT;
}

enum run_origin run_loss_output(struct run_loss *l, const struct run_epoch *e, uint32_t in_ts,
				uint16_t seq)
{
	enum run_origin o = run_origin_of(e, in_ts);
	if (o == RUN_ORIGIN_THIS_TRIAL)
		run_loss_seq(l, seq);
	else if (o == RUN_ORIGIN_EARLIER_TRIAL)
		l->earlier++;
	return o;
}

int run_loss_check(const struct run_loss *l)
{
	return l->received > l->expected ? -1 : 0;
}
