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
	uint64_t earlier;    /* outputs of an earlier trial seen in this one (not above) */
	int started;
};

void run_loss_init(struct run_loss *l);
/* One received RTP sequence number (the receiver's, after the router):
 * 1 if counted in received, 0 for a duplicate. */
int run_loss_seq(struct run_loss *l, uint16_t seq);
/* Lost packets: expected minus distinct received (0 if more arrived). */
uint64_t run_loss_lost(const struct run_loss *l);
void run_loss_merge(struct run_loss *dst, const struct run_loss *src);

/*
 * Which trial an output comes from.  strata-dp writes a receiver's RTP
 * timestamp as its input's plus a constant (dataplane/fanout.c: out = in +
 * ts_delta, which changes only at a simulcast switch, and strata-bench's
 * streams have one encoding), so the input's timestamp -- in the clear on
 * every output, unlike the payload's stamp -- says when it was sent.  The
 * generator keeps each stream's timestamps 64-bit (the RTP field is the low
 * 32 bits, so the output's is extended below the newest one sent) and
 * starts every trial on a new frame: a trial's inputs are exactly those
 * from its first timestamp to the newest; an earlier trial's are below.
 * Sequence numbers would not do: strata-dp renumbers them without gaps
 * (dataplane/seqmap.h), so where it drops on purpose they move.
 */
struct run_epoch {              /* one stream's timestamps, 64-bit */
	uint64_t run_first;         /* its first input's (nothing below was sent) */
	uint64_t trial_first;       /* this trial's first input's */
	uint64_t newest;            /* the newest input's sent (< run_first: none) */
};

enum run_origin {
	RUN_ORIGIN_THIS_TRIAL,
	RUN_ORIGIN_EARLIER_TRIAL,   /* late: counted apart, never as this trial's */
	RUN_ORIGIN_NEVER_SENT,      /* a timestamp the generator did not send */
};

/* The origin of an input timestamp (the output's minus the receiver's
 * offset).  Exact while a trial's timestamps span less than 2^32 and an
 * earlier trial's output is less than 2^32 - that span old. */
enum run_origin run_origin_of(const struct run_epoch *e, uint32_t in_ts);

/* One output of this receiver in the current trial: counted with its
 * sequence number (run_loss_seq) if it is this trial's, in `earlier` if an
 * earlier trial's, not at all if never sent.  Returns its origin. */
enum run_origin run_loss_output(struct run_loss *l, const struct run_epoch *e, uint32_t in_ts,
				uint16_t seq);

/* 0, or -1 when this trial counted more distinct outputs than it sent inputs
 * towards the receiver: impossible unless the attribution is broken. */
int run_loss_check(const struct run_loss *l);

#endif
