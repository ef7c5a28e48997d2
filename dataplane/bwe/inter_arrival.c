/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet groups (draft-ietf-rmcat-gcc-02 sections 5.1 and 5.2; the header
 * quotes them).
 */
#include <string.h>

#include "inter_arrival.h"

void dp_inter_arrival_init(struct dp_inter_arrival *ia)
{
	memset(ia, 0, sizeof(*ia));
}

static void start_group(struct dp_packet_group *g, int64_t send_us, int64_t arrival_us,
			uint32_t size)
{
	g->first_send_us = g->last_send_us = send_us;
	g->first_arrival_us = g->last_arrival_us = arrival_us;
	g->size = size;
	g->n = 1;
}

/*
 * The second condition of section 5.2: arrives within burst_time of the
 * group's last packet and with a negative delay variation against it (it
 * was queued behind the group and released with it), as long as the
 * group's arrivals span less than DP_GCC_MAX_BURST_US.  A packet sent at
 * the same instant as the group's last belongs to it whatever its arrival.
 */
static bool in_burst(const struct dp_packet_group *g, int64_t send_us, int64_t arrival_us)
{
	int64_t arrival_delta = arrival_us - g->last_arrival_us;
	int64_t send_delta = send_us - g->last_send_us;

	if (send_delta == 0)
		return true;
	return arrival_delta - send_delta < 0 && arrival_delta <= DP_GCC_BURST_TIME_US &&
	       arrival_us - g->first_arrival_us < DP_GCC_MAX_BURST_US;
}

static void reset(struct dp_inter_arrival *ia)
{
	ia->prev.n = 0;
	ia->cur.n = 0;
	ia->reordered = 0;
	ia->resets++;
}

bool dp_inter_arrival_add(struct dp_inter_arrival *ia, int64_t send_us, int64_t arrival_us,
			  uint32_t size, struct dp_group_delta *out)
{
	struct dp_packet_group *cur = &ia->cur;
	bool sample = false;

	if (cur->n == 0) {
		start_group(cur, send_us, arrival_us, size);
		return false;
	}
	if (send_us < cur->first_send_us) {
		/* "Any packets received out of order are ignored". */
		ia->skipped++;
		return false;
	}
	if (send_us - cur->first_send_us <= DP_GCC_BURST_TIME_US ||
	    in_burst(cur, send_us, arrival_us)) {
		if (send_us > cur->last_send_us)
			cur->last_send_us = send_us;
		if (arrival_us > cur->last_arrival_us)
			cur->last_arrival_us = arrival_us;
		cur->size += size;
		cur->n++;
		return false;
	}

	/* The packet starts group i + 1, so group i is complete. */
	if (ia->prev.n > 0) {
		int64_t send_delta = cur->last_send_us - ia->prev.last_send_us;
		int64_t arrival_delta = cur->last_arrival_us - ia->prev.last_arrival_us;
		int64_t d = arrival_delta - send_delta;

		if (d > DP_GCC_ARRIVAL_JUMP_US || d < -DP_GCC_ARRIVAL_JUMP_US) {
			reset(ia);
			start_group(cur, send_us, arrival_us, size);
			return false;
		}
		if (arrival_delta < 0) {
			if (++ia->reordered >= DP_GCC_REORDERED_RESET) {
				reset(ia);
				start_group(cur, send_us, arrival_us, size);
				return false;
			}
		} else {
			ia->reordered = 0;
			out->send_delta_us = send_delta;
			out->arrival_delta_us = arrival_delta;
			out->arrival_us = cur->last_arrival_us;
			out->size_delta = (int64_t)cur->size - (int64_t)ia->prev.size;
			ia->groups++;
			sample = true;
		}
	}
	ia->prev = *cur;
	start_group(cur, send_us, arrival_us, size);
	return sample;
}
