/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet groups and the delay variation between them: the arrival-time
 * model and pre-filtering of draft-ietf-rmcat-gcc-02 sections 5.1 and 5.2,
 * fed packet by packet with the send and arrival times of the packets a
 * receiver acknowledged (twcc_send.h).
 *
 * Section 5.1: "We define the inter-arrival time, t(i) - t(i-1), as the
 * difference in arrival time of two groups of packets.  Correspondingly,
 * the inter-departure time, T(i) - T(i-1), is defined as the difference in
 * departure-time of two groups of packets.  Finally, the inter-group delay
 * variation, d(i), is defined as the difference between the inter-arrival
 * time and the inter-departure time. ...
 *
 *      d(i) = t(i) - t(i-1) - (T(i) - T(i-1))
 *
 * An inter-departure time is computed between consecutive groups as T(i) -
 * T(i-1), where T(i) is the departure timestamp of the last packet in the
 * current packet group being processed.  Any packets received out of order
 * are ignored by the arrival-time model.
 *
 * Each group is assigned a receive time t(i), which corresponds to the time
 * at which the last packet of the group was received."
 *
 * Section 5.2: "The pre-filtering aims at handling delay transients caused
 * by channel outages. ... Packets are merged in the same group if one of
 * these two conditions holds:
 *
 *   - A sequence of packets which are sent within a burst_time interval
 *     constitute a group.
 *   - A Packet which has an inter-arrival time less than burst_time and an
 *     inter-group delay variation d(i) less than 0 is considered being part
 *     of the current group of packets."
 *
 * burst_time is 5 ms (section 5.6).  Choices of our own, as libwebrtc's
 * InterArrival makes them:
 *  - T(i) is the latest send time in the group and t(i) the latest
 *    arrival (packets are fed in sequence order, not arrival order).
 *  - The second condition merges only while the group spans less than
 *    100 ms of arrival time, so that a long burst still yields samples.
 *  - "Out of order" is a send time before the current group's first: the
 *    packet is skipped.  A group that completes before its predecessor
 *    (negative inter-arrival time) gives no sample; three in a row, or an
 *    inter-arrival time 3 s away from the inter-departure time (the
 *    receiver's clock jumped, or an outage), start the model afresh.
 */
#ifndef STRATA_DP_BWE_INTER_ARRIVAL_H
#define STRATA_DP_BWE_INTER_ARRIVAL_H

#include <stdbool.h>
#include <stdint.h>

#define DP_GCC_BURST_TIME_US 5000        /* burst_time, section 5.6 */
#define DP_GCC_MAX_BURST_US 100000       /* the second condition's cap */
#define DP_GCC_REORDERED_RESET 3         /* reordered groups before a reset */
#define DP_GCC_ARRIVAL_JUMP_US 3000000   /* |d(i)| beyond this: a reset */

struct dp_packet_group {
	int64_t first_send_us;    /* the group is what is sent within burst_time of it */
	int64_t last_send_us;     /* T(i) */
	int64_t first_arrival_us;
	int64_t last_arrival_us;  /* t(i) */
	uint32_t size;            /* octets */
	uint32_t n;               /* packets; 0: no group */
};

/* One sample: group i against group i-1. */
struct dp_group_delta {
	int64_t send_delta_us;    /* T(i) - T(i-1) */
	int64_t arrival_delta_us; /* t(i) - t(i-1) */
	int64_t arrival_us;       /* t(i) */
	int64_t size_delta;       /* octets of group i - octets of group i-1 */
};

struct dp_inter_arrival {
	struct dp_packet_group cur, prev;
	uint32_t reordered;  /* consecutive groups that completed early */
	uint64_t groups;     /* samples given */
	uint64_t skipped;    /* packets out of order */
	uint64_t resets;
};

void dp_inter_arrival_init(struct dp_inter_arrival *ia);

/*
 * Adds one received packet.  Returns true, with *out filled, when it
 * starts a new group and so completes a sample of the two before it.
 */
bool dp_inter_arrival_add(struct dp_inter_arrival *ia, int64_t send_us, int64_t arrival_us,
			  uint32_t size, struct dp_group_delta *out);

#endif /* STRATA_DP_BWE_INTER_ARRIVAL_H */
