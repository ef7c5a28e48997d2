/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transport-wide congestion control feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1), packet
 * by packet: each transport-wide sequence number the feedback covers,
 * whether it arrived, and when, relative to the feedback's reference time.
 *
 * The item (rtcp.h) was checked whole when it was parsed: its chunks cover
 * the packet status count, no status within the count is the reserved
 * symbol, and a receive delta is there for every packet received.  So the
 * iterator returns exactly status_count packets and never reads past the
 * FCI.
 */
#ifndef STRATA_DP_RTCP_TWCC_H
#define STRATA_DP_RTCP_TWCC_H

#include <stdbool.h>
#include <stdint.h>

#include "rtcp.h"

/* Section 3.1.1, the 2-bit packet status symbols (11 is reserved). */
enum dp_rtcp_twcc_status {
	DP_RTCP_TWCC_NOT_RECEIVED = 0,
	DP_RTCP_TWCC_SMALL_DELTA = 1, /* received, 8-bit unsigned delta */
	DP_RTCP_TWCC_LARGE_DELTA = 2, /* received, 16-bit signed delta */
};

/* Section 3.1.5: "Deltas are represented as multiples of 250us". */
#define DP_RTCP_TWCC_DELTA_US 250
/* Section 3.1: the reference time "is to be interpreted in multiples of 64ms". */
#define DP_RTCP_TWCC_REFERENCE_US 64000

struct dp_rtcp_twcc_packet {
	uint16_t seq;        /* transport-wide sequence number */
	uint8_t status;      /* enum dp_rtcp_twcc_status */
	bool received;       /* status is SMALL_DELTA or LARGE_DELTA */
	int32_t delta_ticks; /* its receive delta, 250 us units (0 if lost) */
	int64_t arrival_us;  /* arrival - reference time, in us (0 if lost) */
};

struct dp_rtcp_twcc_iter {
	const uint8_t *chunk; /* the next chunk to load */
	const uint8_t *delta; /* the next receive delta */
	const uint8_t *end;   /* end of the FCI */
	uint32_t left;        /* statuses not yet returned */
	uint32_t in_chunk;    /* statuses of the loaded chunk not yet returned */
	uint16_t word;        /* the loaded chunk */
	uint8_t pos;          /* the next symbol of a vector chunk */
	uint16_t seq;
	int64_t arrival_us;
};

/* The reference time in microseconds (of the sender's unknown time base). */
static inline int64_t dp_rtcp_twcc_reference_us(const struct dp_rtcp_twcc *t)
{
	return (int64_t)t->reference_time * DP_RTCP_TWCC_REFERENCE_US;
}

void dp_rtcp_twcc_iter_init(struct dp_rtcp_twcc_iter *it, const struct dp_rtcp_twcc *t);

/* The next packet's status; false after the last of status_count. */
bool dp_rtcp_twcc_iter_next(struct dp_rtcp_twcc_iter *it, struct dp_rtcp_twcc_packet *pkt);

/*
 * Writes the first min(cap, status_count) packets to out and returns
 * status_count (as snprintf does, so a short array is noticed).
 */
uint32_t dp_rtcp_twcc_decode(const struct dp_rtcp_twcc *t, struct dp_rtcp_twcc_packet *out,
			     uint32_t cap);

#endif /* STRATA_DP_RTCP_TWCC_H */
