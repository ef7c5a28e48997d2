/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A receiver leg's bandwidth estimate inside strata-dp: the estimator of
 * dataplane/bwe (bwe.h) wired to the packet path.
 *
 * Who writes what.  The leg's worker owns the estimator: it stamps the
 * transport-wide sequence number on everything it sends the leg
 * (twcc_stamp.h, from the fan-out) and it reads the leg's RTCP, whose REMB,
 * transport-cc feedback and report blocks come here through
 * dp_bwe_on_feedback (bwe_hook.h).  After each feedback the worker
 * publishes the estimate in a few relaxed atomics; the main lcore reads
 * them on its adaptation timer (adapt.h) and never touches the estimator.
 * So the estimator has one writer and needs no lock, and the packet path
 * neither allocates nor waits: the state is allocated by the main lcore at
 * the leg slot's first LEG_ADD and reused by every later leg in the slot.
 *
 * Times are microseconds of the TSC (rte_rdtsc() / tsc_per_us): the send
 * times recorded at stamping and the feedback's processing times are on
 * one clock, which is all the estimator asks (bwe.h).
 */
#ifndef STRATA_DP_LEG_BWE_H
#define STRATA_DP_LEG_BWE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "bwe/bwe.h"
#include "rtcp/rtcp.h"

/*
 * Where a leg's estimate starts: above GCC's 300 kbit/s, because a router's
 * receiver already gets what its cap gives before any feedback, and the
 * delay-based estimate may only grow to 1.5 times what the receiver is
 * sent (aimd.h): started low, it would cut every receiver to its base
 * layer at the first feedback and, until the router probes, keep it there.
 */
#define DP_LEG_BWE_START_BPS 1500000u

struct dp_leg;

struct dp_leg_bwe {
	/* [owner] */
	struct dp_bwe bwe;
	uint64_t tsc_per_us;       /* [const] */

	/* Published by the owner after each feedback, read by main. */
	_Atomic uint32_t estimate_bps;
	_Atomic uint8_t source;    /* enum dp_bwe_source */
	_Atomic uint8_t live;      /* REMB or transport feedback was read */
	_Atomic uint64_t stamped, feedbacks, rembs;
	/* Packets left unstamped [owner, read by main]: the MTU was reached,
	 * or the publisher's extension block could not take the number. */
	_Atomic uint64_t unstamped;
} __attribute__((aligned(64)));

/*
 * Main lcore, LEG_ADD: gives the leg a reset estimator (allocating it the
 * first time the slot is used).  -1 when out of memory.
 */
int dp_leg_bwe_attach(struct dp_leg *leg, uint64_t tsc_hz);

/* Main lcore, at exit: frees the leg slot's estimator. */
void dp_leg_bwe_free(struct dp_leg *leg);

/*
 * The leg's worker, for one item of the leg's (decrypted, parsed) RTCP:
 * transport-cc feedback, REMB and report blocks feed the estimator
 * (bwe_rtcp.h); other items are ignored.  Publishes the estimate.
 */
void dp_leg_bwe_on_rtcp(struct dp_leg *leg, const struct dp_rtcp_item *item, uint64_t now_tsc);

static inline int64_t dp_leg_bwe_us(const struct dp_leg_bwe *lb, uint64_t tsc)
{
	return (int64_t)(tsc / lb->tsc_per_us);
}

/* What main reads: the estimate, 0 while no feedback was heard. */
static inline uint32_t dp_leg_bwe_estimate(const struct dp_leg_bwe *lb)
{
	if (lb == NULL || !atomic_load_explicit(&lb->live, memory_order_acquire))
		return 0;
	return atomic_load_explicit(&lb->estimate_bps, memory_order_relaxed);
}

#endif /* STRATA_DP_LEG_BWE_H */
