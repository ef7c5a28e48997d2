/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sender's half of transport-wide congestion control
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01) for one receiver
 * leg: the router stamps every packet it sends on the leg with the next
 * transport-wide sequence number and remembers when it sent it and how
 * big it was; when the receiver's feedback names that number again
 * (dataplane/rtcp/rtcp_twcc.h walks it packet by packet), this turns the
 * (number, received?, arrival time) into a packet result for the
 * estimators: send time, arrival time, size, lost or not.
 *
 * Section 2.1: "This RTP header extension is added on the transport
 * layer, and uses the same counter for all packets which are sent over
 * the same connection (for instance as defined by bundle)."  Section 2.2:
 * "This sequence number is incremented by 1 for each packet being sent
 * over the same socket."  So the numbering is the leg's, not a stream's:
 * a router that forwards a source to a receiver gives its copy a number of
 * the receiver leg's sequence, whatever number the publisher's packet had.
 *
 * Section 3: "The sender keeps a map of in-flight packets, and upon
 * feedback arrival it looks up the on-wire timestamp (S) of the
 * corresponding packet."  The map here is a ring of DP_TWCC_SEND_RING
 * packets indexed by the low bits of the 16-bit number unwrapped to 64
 * bits: no allocation, and a packet is forgotten only when the ring comes
 * round to its slot again (4096 packets: seconds of video even at 10
 * Mbit/s, far longer than feedback takes).
 *
 * What the feedback can say, and what becomes of it:
 *  - Section 3.1.1: "Packets with status "Packet not received" should
 *    not necessarily be interpreted as lost.  They might just not have
 *    arrived yet."  A packet first reported not received is given as lost
 *    (the loss estimator needs to know now); if a later feedback reports
 *    it received after all, it is given again as received and `recovered`,
 *    so the loss count can take it back.  Reported not received twice:
 *    the second is STILL_LOST and nothing is given.
 *  - "In the case the base sequence number is decreased, creating a window
 *    overlapping the previous feedback messages, the status for any
 *    packets previously reported as received must be marked as "Packet not
 *    received"": a packet already received and now "not received", or
 *    received again, is a DUPLICATE and ignored.  So reordered and
 *    repeated feedback never counts a packet twice.
 *  - Section 3: "lost feedback messages are handled by ignoring packets
 *    which would have been reported as lost or received in the lost
 *    feedback messages": a packet no feedback names stays in the ring
 *    until overwritten and is never given.  Gaps in the feedback packet
 *    count are counted (feedback_lost).
 *  - A number ahead of the last one sent (never sent) is UNKNOWN; one
 *    whose slot has been reused is TOO_OLD.  Neither is given.
 */
#ifndef STRATA_DP_BWE_TWCC_SEND_H
#define STRATA_DP_BWE_TWCC_SEND_H

#include <stdbool.h>
#include <stdint.h>

/* Packets remembered per leg (a power of two): 16 octets each, 64 KiB. */
#define DP_TWCC_SEND_RING 4096u

/* What one feedback status did: the enum and the counter names. */
#define DP_TWCC_OUTCOMES(X)                                                                  \
	X(RESULT, "result")         /* *res filled: the estimators get it */               \
	X(DUPLICATE, "duplicate")   /* already reported received: ignored */               \
	X(STILL_LOST, "still_lost") /* reported not received again: ignored */             \
	X(UNKNOWN, "unknown")       /* never sent on this leg: ignored */                  \
	X(TOO_OLD, "too_old")       /* its slot has been reused: ignored */

enum dp_twcc_outcome {
#define DP_TWCC_ENUM(name, str) DP_TWCC_##name,
	DP_TWCC_OUTCOMES(DP_TWCC_ENUM)
#undef DP_TWCC_ENUM
	DP_TWCC_OUTCOME_COUNT
};

/* "result", "duplicate", ...; "?" out of range. */
const char *dp_twcc_outcome_name(int outcome);

enum dp_twcc_sent_state {
	DP_TWCC_EMPTY = 0,   /* slot never used */
	DP_TWCC_IN_FLIGHT,   /* sent, no feedback yet */
	DP_TWCC_LOST,        /* reported not received (given once, as lost) */
	DP_TWCC_RECEIVED,    /* reported received (given once) */
};

/* One packet sent: 16 octets. */
struct dp_twcc_sent {
	int64_t send_us; /* when it was stamped, in the router's clock */
	uint32_t seq;    /* low 32 bits of its unwrapped number (checks the slot) */
	uint16_t size;   /* octets as sent (what the estimators count) */
	uint8_t state;   /* enum dp_twcc_sent_state */
	uint8_t unused;
};

/* One packet the feedback reported on, for the estimators. */
struct dp_twcc_result {
	int64_t seq;        /* unwrapped transport-wide sequence number */
	int64_t send_us;    /* the router's clock */
	int64_t arrival_us; /* the receiver's clock (unknown base); 0 when lost */
	uint32_t size;
	bool received;
	bool recovered;     /* received after an earlier feedback reported it lost */
};

struct dp_twcc_send {
	struct dp_twcc_sent ring[DP_TWCC_SEND_RING];
	int64_t first_seq;  /* the unwrapped number of the first packet stamped */
	int64_t next_seq;   /* the number the next stamp gets */
	/* The feedback being read: its reference time unwrapped. */
	bool have_feedback;
	uint8_t last_fb_count;  /* of the newest feedback so far */
	uint32_t last_ref24;    /* reference time field of the last feedback */
	int64_t ref_units;      /* ... unwrapped, in 64 ms units */
	int64_t ref_us;         /* ... in microseconds */
	/* Counters (one writer: the leg's worker). */
	uint64_t outcomes[DP_TWCC_OUTCOME_COUNT];
	uint64_t stamped;
	uint64_t feedbacks;
	uint64_t feedback_lost;      /* feedback packet count gaps */
	uint64_t feedback_reordered; /* a feedback older than one already read */
};

/* Empties the ring; the first packet stamped gets `first_seq`. */
void dp_twcc_send_init(struct dp_twcc_send *t, uint16_t first_seq);

/*
 * Records a packet sent at send_us (size octets, clamped to 65535) and
 * returns the transport-wide sequence number to write into its header
 * extension.
 */
uint16_t dp_twcc_send_stamp(struct dp_twcc_send *t, int64_t send_us, uint32_t size);

/*
 * Starts reading one feedback message: its 24-bit signed reference time
 * (struct dp_rtcp_twcc's reference_time) and feedback packet count.  The
 * reference time is unwrapped against the previous feedback's (libwebrtc
 * lets it wrap modulo 2^24), so arrival times of successive feedbacks are
 * on one time line.
 */
void dp_twcc_send_feedback_begin(struct dp_twcc_send *t, int32_t reference_time,
				 uint8_t fb_count);

/*
 * One packet status of the feedback begun: its 16-bit number, whether it
 * was received and, if so, its arrival time relative to the reference time
 * (struct dp_rtcp_twcc_packet's arrival_us).  Fills *res and returns
 * DP_TWCC_RESULT, or returns why nothing is given.
 */
enum dp_twcc_outcome dp_twcc_send_packet(struct dp_twcc_send *t, uint16_t seq, bool received,
					 int64_t arrival_rel_us, struct dp_twcc_result *res);

#endif /* STRATA_DP_BWE_TWCC_SEND_H */
