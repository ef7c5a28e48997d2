/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transport-wide sequence numbers out, feedback in: the ring of packets
 * sent on one leg and the mapping of feedback statuses onto it.
 */
#include <string.h>

#include "twcc_send.h"

_Static_assert((DP_TWCC_SEND_RING & (DP_TWCC_SEND_RING - 1)) == 0,
	       "the ring is indexed by the low bits of the sequence number");
_Static_assert(DP_TWCC_SEND_RING <= 0x8000,
	       "numbers in the ring must stay within half the 16-bit space");
_Static_assert(sizeof(struct dp_twcc_sent) == 16, "one ring slot is 16 octets");

static const char *const outcome_names[] = {
#define DP_TWCC_NAME(name, str) str,
	DP_TWCC_OUTCOMES(DP_TWCC_NAME)
#undef DP_TWCC_NAME
};

const char *dp_twcc_outcome_name(int outcome)
{
	if (outcome < 0 || outcome >= DP_TWCC_OUTCOME_COUNT)
		return "?";
	return outcome_names[outcome];
}

void dp_twcc_send_init(struct dp_twcc_send *t, uint16_t first_seq)
{
	memset(t, 0, sizeof(*t));
	t->first_seq = first_seq;
	t->next_seq = first_seq;
}

uint16_t dp_twcc_send_stamp(struct dp_twcc_send *t, int64_t send_us, uint32_t size)
{
	int64_t seq = t->next_seq++;
	struct dp_twcc_sent *s = &t->ring[seq & (DP_TWCC_SEND_RING - 1)];

	s->send_us = send_us;
	s->seq = (uint32_t)seq;
	s->size = size > UINT16_MAX ? UINT16_MAX : (uint16_t)size;
	s->state = DP_TWCC_IN_FLIGHT;
	t->stamped++;
	return (uint16_t)seq;
}

/* A 24-bit two's complement value as a signed number. */
static int32_t sext24(uint32_t v)
{
	v &= 0xffffff;
	return (v & 0x800000) ? (int32_t)v - 0x1000000 : (int32_t)v;
}

/*
 * Section 3.1: "reference time: 24 bits Signed integer indicating an
 * absolute reference time in some (unknown) time base chosen by the
 * sender of the feedback packets.  The value is to be interpreted in
 * multiples of 64ms. ... The reference time makes it possible to calculate
 * the delta between feedbacks even if some feedback packets are lost,
 * since it always uses the same time base."  Successive reference times
 * are compared modulo 2^24 (half the range is 6.2 days), which also places
 * an older, reordered feedback correctly.
 *
 * "feedback packet count: 8 bits A counter incremented by one for each
 * feedback packet sent.  Used to detect feedback packet losses."
 */
void dp_twcc_send_feedback_begin(struct dp_twcc_send *t, int32_t reference_time,
				 uint8_t fb_count)
{
	uint32_t ref24 = (uint32_t)reference_time & 0xffffff;

	if (!t->have_feedback) {
		t->ref_units = sext24(ref24);
		t->last_fb_count = fb_count;
		t->have_feedback = true;
	} else {
		t->ref_units += sext24(ref24 - t->last_ref24);
		uint8_t gap = (uint8_t)(fb_count - t->last_fb_count);
		if (gap == 0 || gap >= 128) {
			/* The same count again or an older one: a repeated
			 * or reordered feedback.  Its statuses are still read:
			 * the ring's states keep them from counting twice. */
			t->feedback_reordered++;
		} else {
			t->feedback_lost += gap - 1u;
			t->last_fb_count = fb_count;
		}
	}
	t->last_ref24 = ref24;
	t->ref_us = t->ref_units * 64000;
	t->feedbacks++;
}

/*
 * The number a 16-bit one stands for: the latest number sent with those
 * low 16 bits, no later than the newest number sent.  Returns false for a
 * number ahead of the newest (within half the space) or before the first.
 */
static bool unwrap(const struct dp_twcc_send *t, uint16_t seq16, int64_t *seq)
{
	if (t->next_seq == t->first_seq)
		return false;
	int64_t newest = t->next_seq - 1;
	uint16_t behind = (uint16_t)((uint16_t)newest - seq16);
	if (behind >= 0x8000)
		return false;
	*seq = newest - behind;
	return *seq >= t->first_seq;
}

static enum dp_twcc_outcome count(struct dp_twcc_send *t, enum dp_twcc_outcome o)
{
	t->outcomes[o]++;
	return o;
}

enum dp_twcc_outcome dp_twcc_send_packet(struct dp_twcc_send *t, uint16_t seq16, bool received,
					 int64_t arrival_rel_us, struct dp_twcc_result *res)
{
	int64_t seq;

	if (!unwrap(t, seq16, &seq))
		return count(t, DP_TWCC_UNKNOWN);
	if (t->next_seq - seq > (int64_t)DP_TWCC_SEND_RING)
		return count(t, DP_TWCC_TOO_OLD);
	struct dp_twcc_sent *s = &t->ring[seq & (DP_TWCC_SEND_RING - 1)];
	if (s->state == DP_TWCC_EMPTY || s->seq != (uint32_t)seq)
		return count(t, DP_TWCC_TOO_OLD);

	bool recovered = false;
	switch (s->state) {
	case DP_TWCC_RECEIVED:
		/* Received again, or "not received" in a window that
		 * overlaps an earlier feedback (section 3.1.1's note). */
		return count(t, DP_TWCC_DUPLICATE);
	case DP_TWCC_LOST:
		if (!received)
			return count(t, DP_TWCC_STILL_LOST);
		recovered = true;
		break;
	default:
		break;
	}

	s->state = received ? DP_TWCC_RECEIVED : DP_TWCC_LOST;
	res->seq = seq;
	res->send_us = s->send_us;
	res->arrival_us = received ? t->ref_us + arrival_rel_us : 0;
	res->size = s->size;
	res->received = received;
	res->recovered = recovered;
	return count(t, DP_TWCC_RESULT);
}
