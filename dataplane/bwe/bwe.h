/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bandwidth estimate of one receiver leg: how many bits per second
 * the router may send this receiver.  It combines
 *  - the delay-based estimate A_hat (delay_bwe.h), fed by the receiver's
 *    transport-wide feedback through twcc_send.h;
 *  - the receiver's own estimate, when it sends REMB
 *    (draft-alvestrand-rmcat-remb-03) instead of or as well as transport
 *    feedback;
 *  - the loss-based estimate As_hat (loss_bwe.h), from the losses the
 *    transport feedback reports or, without it, the fraction lost of the
 *    receiver's RTCP receiver reports;
 * as draft-ietf-rmcat-gcc-02 section 6 says: "The actual sending rate is
 * set as the minimum between As_hat and A_hat", and section 3 for REMB:
 * "At the sender the bitrate in the REMB message and the fraction of
 * packets lost are fed into the loss-based controller, which outputs a
 * final target bitrate."
 *
 * What bounds the loss-based estimate ("the bound"):
 *  - transport feedback within the last DP_BWE_FEEDBACK_TIMEOUT_US: A_hat;
 *  - else whichever of the last A_hat and the last REMB came later (a
 *    receiver that only sends REMB has said nothing newer; one whose
 *    feedback stopped keeps its last A_hat), or, before either, the
 *    configured start rate;
 * and a REMB received within DP_BWE_FEEDBACK_TIMEOUT_US caps it in every
 * case (a receiver sending both says it cannot take more, and a stale REMB
 * must not cap a leg whose transport feedback says otherwise).  The result
 * is clamped to [min_bps, max_bps].
 *
 * Everything is in the caller's struct (65 KiB, nearly all of it the
 * packet ring); no call allocates, blocks or reads a clock: times are
 * passed in microseconds of one monotonic clock (the arrival times in
 * feedback are the receiver's and only ever compared with each other).
 */
#ifndef STRATA_DP_BWE_BWE_H
#define STRATA_DP_BWE_BWE_H

#include <stdbool.h>
#include <stdint.h>

#include "delay_bwe.h"
#include "loss_bwe.h"
#include "twcc_send.h"

#define DP_BWE_START_BPS 300000u
#define DP_BWE_MIN_BPS 30000u
#define DP_BWE_MAX_BPS 50000000u
#define DP_BWE_RTT_DEFAULT_US 200000         /* until the caller knows one */
#define DP_BWE_FEEDBACK_TIMEOUT_US 5000000   /* TWCC or REMB older: stale */

struct dp_bwe_config {
	uint32_t start_bps; /* the estimate before any feedback */
	uint32_t min_bps;   /* floor */
	uint32_t max_bps;   /* ceiling */
};

/* Which input bounds the estimate now (for telemetry). */
enum dp_bwe_source {
	DP_BWE_SOURCE_START = 0,   /* nothing heard yet */
	DP_BWE_SOURCE_DELAY,       /* A_hat */
	DP_BWE_SOURCE_REMB,        /* the receiver's REMB */
	DP_BWE_SOURCE_LOSS,        /* As_hat, below the others */
};

const char *dp_bwe_source_name(int source);

struct dp_bwe {
	struct dp_bwe_config cfg;
	struct dp_twcc_send twcc;
	struct dp_delay_bwe delay;
	struct dp_loss_bwe loss;
	int64_t rtt_us;
	bool have_twcc;          /* a transport feedback was read */
	int64_t twcc_us;         /* ... last at */
	bool have_remb;
	uint64_t remb_bps;
	int64_t remb_us;
	bool in_feedback;        /* between twcc_begin and twcc_end */
	uint32_t estimate_bps;
	enum dp_bwe_source source;
	uint64_t remb_count, report_count;
};

/* The defaults: 300 kbit/s start, 30 kbit/s .. 50 Mbit/s. */
void dp_bwe_config_default(struct dp_bwe_config *cfg);

/* A leg's estimator (cfg NULL: the defaults).  first_seq: the first
 * transport-wide sequence number dp_bwe_on_send gives. */
void dp_bwe_init(struct dp_bwe *b, const struct dp_bwe_config *cfg, uint16_t first_seq);

/*
 * A packet about to be sent on the leg with size octets: returns the
 * transport-wide sequence number for its header extension (when the leg
 * negotiated transport-cc; a leg without it never calls this).
 */
static inline uint16_t dp_bwe_on_send(struct dp_bwe *b, uint32_t size, int64_t now_us)
{
	return dp_twcc_send_stamp(&b->twcc, now_us, size);
}

/*
 * A transport feedback message, status by status (what
 * dp_rtcp_twcc_iter_next gives): begin, one call per status, end.  end
 * runs the rate control and returns the new estimate.
 */
void dp_bwe_twcc_begin(struct dp_bwe *b, int32_t reference_time, uint8_t fb_count);
void dp_bwe_twcc_packet(struct dp_bwe *b, uint16_t seq, bool received, int64_t arrival_rel_us);
uint32_t dp_bwe_twcc_end(struct dp_bwe *b, int64_t now_us);

/* A REMB's bit rate; returns the new estimate. */
uint32_t dp_bwe_on_remb(struct dp_bwe *b, uint64_t bitrate_bps, int64_t now_us);

/*
 * A receiver report block's fraction lost (over `packets` expected, 0 if
 * unknown); used when the leg has no live transport feedback.  Returns the
 * new estimate.
 */
uint32_t dp_bwe_on_loss_report(struct dp_bwe *b, uint8_t fraction_lost, uint32_t packets,
			       int64_t now_us);

/* The round trip time, from the receiver's reports (LSR/DLSR). */
void dp_bwe_set_rtt(struct dp_bwe *b, int64_t rtt_us);

/* Re-evaluates timeouts without new input; returns the estimate. */
uint32_t dp_bwe_update(struct dp_bwe *b, int64_t now_us);

static inline uint32_t dp_bwe_estimate(const struct dp_bwe *b)
{
	return b->estimate_bps;
}

#endif /* STRATA_DP_BWE_BWE_H */
