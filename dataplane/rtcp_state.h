/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-dp's RTCP state, kept beside the tables (tables.h) in arrays
 * indexed by the same leg, subscription and stream ids, so that the tables
 * the forwarding path reads stay as they are.
 *
 * Writers follow the tables' rule: [owner] is the worker that owns the leg
 * (for a subscription, the receiver leg's worker; for a stream, the
 * publisher leg's worker); [main] is the main lcore.  A slot whose leg,
 * subscription or stream was deleted and reused is noticed by its
 * generation and reset by its writer, so no command has to reach into
 * this state.
 *
 * Who sends what:
 *  - workers answer receivers' NACKs (RTX or the original packet), under
 *    the receiver leg's SRTP session (its worker owns the sub's SRTP state);
 *  - the main lcore sends everything the router says of its own accord:
 *    keyframe requests (PLI, FIR) and NACKs to publishers, receiver reports
 *    to publishers, translated sender reports to receivers.  It has its own
 *    SRTCP sender state ([main] below) for each SSRC it speaks as, so the
 *    SRTCP indices of one SSRC have one writer.
 */
#ifndef STRATA_DP_RTCP_STATE_H
#define STRATA_DP_RTCP_STATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "dp.h"
#include "rtx_cache.h"

/* RTCP sender SSRCs that are not published streams, per leg (a receive-only
 * client speaks RTCP as an SSRC of its own). */
#define DP_RTCP_LEG_PEERS 4
/* The subscriptions of one leg, by the SSRC the receiver sees: a hash
 * (power of two, at most half full in practice). */
#define DP_RTCP_LEG_SUBS 256

/* Notifications to the main lcore (the ring entry of dp_notify_pack, with
 * an extra 16-bit argument in bits 40..55).  Numbered apart from enum
 * dp_notify. */
enum dp_rtcp_notify {
	DP_RTCP_NOTIFY_PLI = 16,   /* id: stream */
	DP_RTCP_NOTIFY_FIR = 17,   /* id: stream */
	DP_RTCP_NOTIFY_NACK = 18,  /* id: stream, arg: the publisher's sequence number */
};

static inline void *dp_rtcp_notify_pack(enum dp_rtcp_notify type, uint32_t id, uint16_t arg)
{
	return (void *)(uintptr_t)(((uint64_t)type << 32) | ((uint64_t)arg << 40) | id |
				   (1ull << 63));
}

struct dp_rtcp_peer {
	uint32_t ssrc;
	uint8_t used;      /* 0 free, 1 authenticated, 2 waiting for its first check */
	uint32_t stamp;    /* when last used (the leg's counter): the oldest goes first */
	struct strata_srtp_rx rx;
};

/* What a receiver's report blocks said about one subscription. */
struct dp_rtcp_rx_report {
	uint64_t blocks;          /* report blocks read */
	uint32_t fraction_lost;   /* last block's, / 256 */
	int32_t cumulative_lost;
	uint32_t ext_highest_seq;
	uint32_t jitter;          /* RTP timestamp units */
	int64_t rtt_us;           /* -1 until an LSR names one of our SRs */
};

struct dp_rtcp_leg {
	/* [owner] */
	uint32_t gen;
	uint8_t valid;
	/* ... and one more, where a new sender waits for its first packet to
	 * authenticate while the others are taken. */
	struct dp_rtcp_peer peers[DP_RTCP_LEG_PEERS + 1];
	uint32_t peer_stamp;
	struct dp_rtcp_rx_report report; /* the leg's latest, over its subs */
	/* The publisher's NTP clock: ours minus theirs, in NTP units (the
	 * least over the SRs on the leg), so its streams' SRs translate alike. */
	int64_t ntp_offset;
	uint8_t have_ntp_offset;

	/* [main] the router's own SRTCP sender on this leg. */
	uint32_t main_gen;
	uint8_t main_valid;
	uint32_t router_ssrc;
	struct strata_srtp_tx tx;

	/* [main] writes, [owner] reads: subscription by SSRC, each entry
	 * (ssrc << 32 | sub id); 0 empty, sub id 0 a deleted entry. */
	_Atomic uint64_t subs[DP_RTCP_LEG_SUBS];
} __attribute__((aligned(64)));

struct dp_rtcp_sub {
	/* [owner] */
	uint32_t gen;
	uint8_t valid;
	uint16_t rtx_seq;              /* RFC 4588: the RTX stream's own numbers */
	struct strata_srtp_tx rtx_tx;  /* SRTP of the RTX SSRC */
	struct dp_rtcp_rx_report report;

	/* [main] SRTCP of the sender reports sent as sub->ssrc, and the
	 * packet counts at the last two report rounds (RFC 3550 6.4: a
	 * sender is one that sent "since the second previous report"). */
	uint32_t main_gen;
	uint8_t main_valid;
	struct strata_srtp_tx sr_tx;
	uint64_t packets_at[2];
} __attribute__((aligned(64)));

/* RFC 3550 Appendix A.1 and A.8: what is received on one stream. */
struct dp_rtcp_rx_stats {
	uint32_t gen;
	uint8_t valid;
	uint16_t max_seq;
	uint32_t cycles;          /* << 16 */
	uint32_t base_seq;
	uint32_t received;
	uint32_t expected_prior;  /* [main] */
	uint32_t received_prior;  /* [main] */
	uint32_t received_at[2];  /* [main] at the last two report rounds */
	int64_t transit;
	uint32_t jitter;          /* * 16, as in A.8 */
	uint64_t clock_mult;      /* clock_rate << 32 / tsc_hz */
};

struct dp_rtcp_stream {
	/* [owner] receive statistics. */
	struct dp_rtcp_rx_stats rx;
	/* [owner] the publisher's last SR, under a sequence count (odd while
	 * written) for the main lcore to read. */
	_Atomic uint32_t sr_seq;
	uint64_t sr_ntp;
	uint32_t sr_rtp;
	uint64_t sr_tsc;          /* when it arrived */

	/* [main] the keyframe request throttle. */
	uint64_t last_request_tsc;
	uint8_t fir_seq;          /* RFC 5104 4.3.1.1: + 1 per new request */
	/* [owner of each receiver worker] when it last asked: the worker-side
	 * filter that keeps a thousand PLIs off the notify ring. */
	uint64_t asked_tsc[DP_MAX_WORKERS];
} __attribute__((aligned(64)));

struct dp_rtcp_config {
	uint32_t rtx_cache_ms;       /* how long a packet stays retransmittable */
	uint32_t rtx_cache_mbufs;    /* all workers' caches together */
	uint32_t report_interval_ms; /* RFC 3550 6.2: the mean report interval */
};

struct dp_rtcp {
	struct dp *dp;
	struct dp_rtcp_config cfg;
	struct dp_rtcp_leg *legs;       /* [max_legs + 1] */
	struct dp_rtcp_sub *subs;       /* [max_subs + 1] */
	struct dp_rtcp_stream *streams; /* [max_streams + 1] */
	struct dp_rtx_caches rtx;
	uint64_t keyframe_interval_tsc;
	/* Our NTP clock: NTP time ntp0 at TSC tsc0, hz TSC ticks a second.
	 * Re-anchored to CLOCK_REALTIME by the main lcore at every report
	 * round, hz measured between anchors (DPDK's estimate of the TSC rate
	 * can be off by a fraction of a percent, tens of ms in a minute),
	 * under a sequence count (odd while written) for the workers. */
	_Atomic uint32_t clock_seq;
	uint64_t tsc0, ntp0, hz;
	uint64_t anchor_tsc, anchor_ns; /* [main] the last anchor, for hz */
	uint64_t start_tsc;             /* for dp_bwe_feedback.now_us */
	/* [main] the next report round, and the NACKs waiting to be sent. */
	uint64_t next_report_tsc;
	unsigned n_nack;
	struct {
		uint32_t stream;
		uint16_t seq;
	} nack[256];
};

/* The one instance (strata-dp has one struct dp); NULL when not set up
 * (strata-bench fwd), and then every hook does nothing. */
extern struct dp_rtcp *dp_rtcp_g;

/* Our NTP time at TSC t (RFC 3550 section 4: 32.32 seconds since 1900). */
static inline uint64_t dp_rtcp_ntp_at(const struct dp_rtcp *g, uint64_t tsc)
{
	uint64_t tsc0, ntp0, hz;
	uint32_t seq;

	do {
		seq = atomic_load_explicit(&g->clock_seq, memory_order_acquire);
		tsc0 = g->tsc0;
		ntp0 = g->ntp0;
		hz = g->hz;
		atomic_thread_fence(memory_order_acquire);
	} while ((seq & 1) || atomic_load_explicit(&g->clock_seq, memory_order_relaxed) != seq);
	int64_t d = (int64_t)(tsc - tsc0);
	uint64_t ad = (uint64_t)(d < 0 ? -d : d);
	uint64_t off = ((ad / hz) << 32) + (((ad % hz) << 32) / hz);
	return d < 0 ? ntp0 - off : ntp0 + off;
}

/* Re-anchors our NTP clock to CLOCK_REALTIME [main]. */
void dp_rtcp_clock_anchor(struct dp_rtcp *g, uint64_t tsc);

/* Set-up at start (main lcore, after the tables), and teardown. */
int dp_rtcp_init(struct dp *dp, const struct dp_rtcp_config *cfg);
void dp_rtcp_fini(void);
void dp_rtcp_config_defaults(struct dp_rtcp_config *cfg);

/* The per-leg table of subscriptions by SSRC [main]. */
void dp_rtcp_sub_added(struct dp *dp, uint32_t sub_id);
void dp_rtcp_sub_removed(struct dp *dp, uint32_t sub_id);
/* The subscription of leg_id whose SSRC is ssrc, or 0 [owner]. */
uint32_t dp_rtcp_sub_by_ssrc(const struct dp *dp, uint32_t leg_id, uint32_t ssrc);

/* The leg's state, reset if the leg slot was reused [owner]. */
struct dp_rtcp_leg *dp_rtcp_leg_owner(struct dp *dp, uint32_t leg_id);
struct dp_rtcp_sub *dp_rtcp_sub_owner(struct dp *dp, uint32_t sub_id);

#endif /* STRATA_DP_RTCP_STATE_H */
