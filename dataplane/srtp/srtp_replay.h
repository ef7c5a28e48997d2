/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet index estimation and replay windows (RFC 3711 sections 3.3.1,
 * 3.3.2 and appendix A).  Inline: both run once per packet.
 */
#ifndef STRATA_SRTP_REPLAY_H
#define STRATA_SRTP_REPLAY_H

#include <stdint.h>
#include <string.h>

#include "srtp.h"

/*
 * RFC 3711 appendix A, "Pseudocode for Index Determination":
 *
 *    if (s_l < 32,768)
 *       if (SEQ - s_l > 32,768)
 *          set v to (ROC-1) mod 2^32
 *       else
 *          set v to ROC
 *       endif
 *    else
 *       if (s_l - 32,768 > SEQ)
 *          set v to (ROC+1) mod 2^32
 *       else
 *          set v to ROC
 *       endif
 *    endif
 *    return SEQ + v*65,536
 *
 * Here ROC || s_l is the highest index accepted so far (r->top).  Strata
 * does not let v wrap: ROC-1 below zero is a packet from before the stream
 * began (REPLAY_OLD), and ROC+1 beyond 2^32-1 would reuse an index, so the
 * key is exhausted (KEY_EXPIRED).  Before the first packet the ROC is 0
 * (section 3.3.1: "the ROC MUST be set to zero" at the start).
 */
static inline int strata_srtp_estimate_index(const struct strata_srtp_replay *r, uint16_t seq,
					     uint64_t *index)
{
	if (!r->started) {
		*index = seq;
		return STRATA_SRTP_OK;
	}
	int64_t roc = (int64_t)(r->top >> 16);
	int32_t s_l = (int32_t)(r->top & 0xffff);
	int64_t v = roc;

	if (s_l < 32768) {
		if ((int32_t)seq - s_l > 32768)
			v = roc - 1;
	} else if (s_l - 32768 > (int32_t)seq) {
		v = roc + 1;
	}
	if (v < 0)
		return STRATA_SRTP_REPLAY_OLD;
	if (v > UINT32_MAX)
		return STRATA_SRTP_KEY_EXPIRED;
	*index = ((uint64_t)v << 16) | seq;
	return STRATA_SRTP_OK;
}

/*
 * RFC 3711 section 3.3.2: "If the packet index is outside the window (i.e.,
 * too old) or has already been received, the packet MUST be discarded."
 * The window covers (top - window, top]; `words` is a power of two and
 * 64 * (words - 1) >= window, so every index in the window has its own bit.
 */
static inline int strata_replay_check(const struct strata_srtp_replay *r, const uint64_t *bits,
				      unsigned words, uint64_t window, uint64_t index)
{
	if (!r->started || index > r->top)
		return STRATA_SRTP_OK;
	if (r->top - index >= window)
		return STRATA_SRTP_REPLAY_OLD;
	if (bits[(index >> 6) & (words - 1)] & (1ull << (index & 63)))
		return STRATA_SRTP_REPLAY_DUP;
	return STRATA_SRTP_OK;
}

/* Records an index that passed strata_replay_check (and authentication). */
static inline void strata_replay_accept(struct strata_srtp_replay *r, uint64_t *bits,
					unsigned words, uint64_t index)
{
	if (!r->started) {
		memset(bits, 0, words * sizeof(*bits));
		r->top = index;
		r->started = true;
	} else if (index > r->top) {
		/* Clear the words the window slides onto, at most all of them. */
		uint64_t from = r->top >> 6, to = index >> 6;
		uint64_t n = to - from < words ? to - from : words;

		for (uint64_t k = 1; k <= n; k++)
			bits[(from + k) & (words - 1)] = 0;
		r->top = index;
	}
	bits[(index >> 6) & (words - 1)] |= 1ull << (index & 63);
}

/*
 * The last step of every unprotect, once the tag verified: check the index
 * again (an earlier packet of the same burst may have taken it), then
 * accept it.
 */
static inline int strata_replay_commit(struct strata_srtp_replay *r, uint64_t *bits,
				       unsigned words, uint64_t window, uint64_t index)
{
	int st = strata_replay_check(r, bits, words, window, index);

	if (st == STRATA_SRTP_OK)
		strata_replay_accept(r, bits, words, index);
	return st;
}

#define STRATA_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif /* STRATA_SRTP_REPLAY_H */
