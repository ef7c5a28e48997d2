/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loss accounting for one receiver of strata-bench run: what the generator
 * sent towards it against what the sink saw, and whether the sequence numbers
 * strata-dp wrote for it are continuous (it renumbers each receiver's stream,
 * so any gap is a packet the router dropped or the sink missed).
 */
#ifndef STRATA_BENCH_RUN_LOSS_H
#define STRATA_BENCH_RUN_LOSS_H

#include <stdint.h>

struct run_loss {
	uint64_t expected;   /* packets the generator sent that should reach this receiver */
	uint64_t received;   /* distinct packets the sink counted */
	uint64_t duplicates; /* a sequence number seen twice within the window */
	uint64_t gaps;       /* times the sequence jumped forward by more than one */
	uint64_t missing;    /* sequence numbers skipped and not (yet) filled in late */
	uint64_t late;       /* arrived after a higher sequence number */
	uint64_t max_ext;    /* highest extended sequence number seen */
	uint64_t window;     /* bit i: max_ext - i was seen */
	int started;
};

void run_loss_init(struct run_loss *l);
/* One received RTP sequence number (the receiver's, after the router). */
void run_loss_seq(struct run_loss *l, uint16_t seq);
/* Lost packets: expected minus distinct received (0 if more arrived). */
uint64_t run_loss_lost(const struct run_loss *l);
void run_loss_merge(struct run_loss *dst, const struct run_loss *src);

#endif
