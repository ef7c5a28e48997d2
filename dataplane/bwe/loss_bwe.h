/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loss-based estimate As_hat of draft-ietf-rmcat-gcc-02 section 6:
 *
 *   "The available bandwidth estimates A_hat produced by the delay-based
 *    controller are only reliable when the size of the queues along the
 *    path sufficiently large.  If the queues are very short, over-use will
 *    only be visible through packet losses, which are not used by the
 *    delay-based controller.
 *
 *    The loss-based controller SHOULD run every time feedback from the
 *    receiver is received.
 *
 *    o  If 2-10% of the packets have been lost since the previous report
 *       from the receiver, the sender available bandwidth estimate
 *       As_hat(i) will be kept unchanged.
 *    o  If more than 10% of the packets have been lost a new estimate is
 *       calculated as As_hat(i) = As_hat(i-1)(1-0.5p), where p is the loss
 *       ratio.
 *    o  As long as less than 2% of the packets have been lost As_hat(i)
 *       will be increased as As_hat(i) = 1.05(As_hat(i-1))
 *
 *    The loss-based estimate As_hat is compared with the delay-based
 *    estimate A_hat.  The actual sending rate is set as the minimum
 *    between As_hat and A_hat."
 *
 * The losses come from transport-wide feedback (twcc_send.h: lost, and
 * recovered when a packet reported lost turns up) or, for a receiver
 * without it, from the fraction lost of its RTCP receiver reports (section
 * 7: "it is suggested that the sender monitors RTCP receiver reports and
 * uses the fraction of lost packets and the round-trip time as input to
 * the loss-based controller").
 *
 * Choices of our own, each for a reason:
 *  - "Since the previous report": a transport feedback every 50 ms holds
 *    a handful of packets, and one lost of five is not 20% loss.  Losses
 *    are summed over a judgement window of at least DP_LOSS_MIN_PACKETS
 *    packets and DP_LOSS_WINDOW_US (500 ms, about twice the receiver
 *    report rate), then judged.  A shorter window (libwebrtc judges every
 *    20 packets) makes 5% random loss look like more than 10% too often:
 *    of 20 packets, 3 or more are lost 7.5% of the time.  A receiver
 *    report is judged as one window when it does not say how many packets
 *    it covers.
 *  - As_hat follows the bound it is compared with (A_hat, or REMB) while
 *    loss is low: without that, 5% per report would run it up to the
 *    ceiling in seconds, and a later 1 - 0.5p decrease from there would
 *    not reach the actual rate.  A decrease starts from min(As_hat, bound)
 *    and from then on As_hat is "limiting"; it stops when it has grown back
 *    to the bound, or the bound fell below it.
 *  - A decrease at most once per 300 ms + rtt: the losses reported just
 *    after a decrease were caused before it took effect (with the window
 *    this matters only on long paths).
 *  - An increase at most once per second, so "1.05 per report" is 5% per
 *    second however often the receiver reports (receiver reports come about
 *    once a second; transport feedback twenty times as often).
 */
#ifndef STRATA_DP_BWE_LOSS_BWE_H
#define STRATA_DP_BWE_LOSS_BWE_H

#include <stdbool.h>
#include <stdint.h>

#define DP_LOSS_LOW 0.02             /* below: increase */
#define DP_LOSS_HIGH 0.10            /* above: decrease */
#define DP_LOSS_INCREASE 1.05
#define DP_LOSS_MIN_PACKETS 20       /* judged together, at least ... */
#define DP_LOSS_WINDOW_US 500000     /* ... over at least this long */
#define DP_LOSS_INCREASE_US 1000000  /* at most one increase per second */
#define DP_LOSS_DECREASE_US 300000   /* + rtt between decreases */

struct dp_loss_bwe {
	double estimate_bps;        /* As_hat, while limiting */
	bool limiting;
	uint32_t lost, total;       /* since the last judgement ... */
	int64_t window_us;          /* ... which was then */
	bool windowed;              /* window_us is set */
	bool report;                /* a receiver report was counted: judge it */
	double last_loss;           /* the ratio last judged */
	int64_t last_increase_us, last_decrease_us;
	bool increased_once, decreased_once;
	uint64_t decreases, increases, reports;
};

void dp_loss_bwe_init(struct dp_loss_bwe *l);

/* Packets reported: `lost` of `total` (transport feedback). */
void dp_loss_bwe_count(struct dp_loss_bwe *l, uint32_t lost, uint32_t total);

/* A packet counted lost before was received after all. */
void dp_loss_bwe_recovered(struct dp_loss_bwe *l);

/*
 * A receiver report's fraction lost (RFC 3550 section 6.4.1, lost * 256 /
 * expected) over `packets` expected packets (0: unknown, counted as
 * DP_LOSS_MIN_PACKETS).  A report is a window of its own: the next update
 * judges it whatever the window's length.
 */
void dp_loss_bwe_count_fraction(struct dp_loss_bwe *l, uint8_t fraction_lost, uint32_t packets);

/*
 * Judges what was counted if there is enough of it, against `bound_bps`
 * (the other estimate, A_hat or REMB), and returns min(As_hat, bound).
 */
double dp_loss_bwe_update(struct dp_loss_bwe *l, double bound_bps, int64_t rtt_us,
			  int64_t now_us);

#endif /* STRATA_DP_BWE_LOSS_BWE_H */
