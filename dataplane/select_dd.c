/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One receiver's layer decision from the Dependency Descriptor.  See
 * select_dd.h for the rules; why they are what they are (quotes from the
 * AV1 RTP specification, appendix A):
 *
 * A.1: "Typically an SFM would select one Decode target for each endpoint,
 * and forward all frames associated with that target."  A frame belongs to
 * a decode target unless its DTI for it is NOT_PRESENT; DISCARDABLE frames
 * are forwarded too (dropping them would save bandwidth, not correctness).
 *
 * A.1 again, on what an SFM can decide at once: "All frames referenced by
 * the current frame have been forwarded to the endpoint. This is determined
 * from the frame difference values."  We remember which of the last
 * DP_SELECT_DD_WINDOW frames went to the receiver and forward a frame only
 * when everything it references did: a frame lost upstream, or dropped
 * here, makes the frames that depend on it undecodable, and sending them
 * would only make the receiver's decoder fail.
 *
 * A.7: "An SFM MAY begin forwarding packets belonging to a new Decode
 * target beginning with a decodable frame containing a Switch indication to
 * that Decode target."  That is the rule for going up (and for a start).
 * "When Chains are used, an SFM MAY switch to a Decode target at any point
 * if the Chain tracking that Decode target is intact."  We use it for going
 * down, to a decode target contained in the current one: the receiver
 * already got its frames, and the check that its chain's last frame did
 * reach the receiver catches the case where it did not.
 *
 * A.5: "A Chain defines a sequence of frames essential to decode Decode
 * targets protected by that Chain. Every packet includes, for every Chain,
 * the frame_number of the previous frame in that Chain. The Chain is intact
 * as long as every frame in the Chain is received, otherwise it is broken."
 * and A.6: "an SFM can detect a broken Chain regardless of whether the
 * first packet received after a loss is part of that Chain or not."  A
 * broken chain for the receiver's decode target means it will not decode
 * it again before a keyframe: we say so, and fall back to a decode target
 * whose chain is intact when there is one.  A previous chain frame counts
 * as lost only when known to be (decided and not forwarded, or before the
 * receiver's start); one not seen yet may be late, and if it never comes
 * the frames that reference it are refused, which the next chain check
 * sees.  A.5 also says "Chains protecting no active Decode targets MUST be
 * ignored": we only look at the chain of the receiver's own, active, target.
 *
 * The structure: a receiver can read the descriptors only once it got the
 * structure they refer to, so it starts (and starts again when the
 * structure changes) at a packet that carries it.
 *
 * A.4: "Whenever the set of active Decode targets changes, the sender MUST
 * signal the new set of active Decode targets to the receiver."  The
 * receiver of decode target t can decode t and the decode targets t
 * contains (structure->subset[t]), those the publisher has active; when
 * that differs from what the receiver would otherwise believe, its own set
 * is written into its packets (forward_flags).
 *
 * The marker bit: for AV1 it ends a temporal unit; a receiver that does not
 * get the highest spatial layers must see it on the last packet of the
 * highest one it gets.
 */
#include <stdbool.h>
#include <string.h>

#include "select_dd.h"

#define W DP_SELECT_DD_WINDOW
#define NONE DP_SELECT_DD_NONE

/* Per receiver and per packet: what dp_select_dd_packet does on every
 * packet is inlined into it (a call costs a tenth of a decision). */
#define HOT static inline __attribute__((always_inline))

void dp_select_dd_reset(struct dp_select_dd_state *rx)
{
	memset(rx, 0, sizeof(*rx));
	rx->dt = NONE;
}

/* ---- Frames the receiver got ------------------------------------------ */

static bool bit(const uint64_t *map, uint64_t n)
{
	return (map[(n % W) / 64] >> (n % 64)) & 1;
}

static void set_bit(uint64_t *map, uint64_t n, bool v)
{
	uint64_t m = 1ull << (n % 64);

	if (v)
		map[(n % W) / 64] |= m;
	else
		map[(n % W) / 64] &= ~m;
}

/* Moves the window to end at n (newer than newest), forgetting what it
 * passes. */
HOT void advance(struct dp_select_dd_state *rx, uint64_t n)
{
	if (n - rx->newest >= W) {
		memset(rx->decided, 0, sizeof(rx->decided));
		memset(rx->forwarded, 0, sizeof(rx->forwarded));
	} else {
		for (uint64_t k = rx->newest + 1; k <= n; k++) {
			set_bit(rx->decided, k, false);
			set_bit(rx->forwarded, k, false);
		}
	}
	rx->newest = n;
}

/*
 * The receiver has frame m, referenced by frame n: m was forwarded.  A
 * reference further back than the window (a long-term reference) is taken
 * as received when it is after the receiver's start; but a frame the
 * window has already passed while n is close to it (n late, or after a
 * jump of the window) is not known to be there, so not taken.
 */
static bool has_frame(const struct dp_select_dd_state *rx, uint64_t m, uint64_t n)
{
	if (m < rx->start || m > rx->newest)
		return false;
	if (rx->newest - m >= W)
		return n - m >= W;
	return bit(rx->forwarded, m);
}

/*
 * Frame m is known not to have reached the receiver, as seen from frame n
 * (newer, being decided).  A frame not seen at all may only be late, but
 * frames are sent in decode order: once DP_SELECT_DD_REORDER frames after
 * it have come (n included), it is taken as lost.  A.6: "Chains provide the
 * ability to decide immediately upon receiving the very first packet after
 * packet loss" -- immediately, but for the reordering we tolerate.
 */
HOT bool lost_frame(const struct dp_select_dd_state *rx, uint64_t m, uint64_t n)
{
	if (m < rx->start)
		return true;
	if (m > rx->newest || rx->newest - m >= W)
		return false;
	if (bit(rx->decided, m))
		return !bit(rx->forwarded, m);
	unsigned later = 1;
	for (uint64_t k = m + 1; k < n && later < DP_SELECT_DD_REORDER; k++)
		later += bit(rx->decided, k);
	return later >= DP_SELECT_DD_REORDER;
}

/* Every frame f references reached the receiver. */
HOT bool decodable(const struct dp_select_dd_state *rx, const struct dp_av1_dd_frame *f)
{
	for (unsigned i = 0; i < f->fdiff_cnt; i++)
		if (!has_frame(rx, f->frame_number - f->fdiff[i], f->frame_number))
			return false;
	return true;
}

/* A.8.3: "frame_chain_fdiff[chainIdx] indicates the difference between the
 * frame_number and the frame_number of the previous frame in the Chain
 * having index equal to chainIdx. A value of 0 indicates no previous frames
 * are needed for the Chain." */
static bool chain_intact(const struct dp_select_dd_state *rx, const struct dp_av1_dd_frame *f,
			 unsigned dt)
{
	uint8_t fd = f->chain_fdiff[f->structure->protected_by[dt]];

	return fd == 0 || has_frame(rx, f->frame_number - fd, f->frame_number);
}

HOT bool chain_broken(const struct dp_select_dd_state *rx, const struct dp_av1_dd_frame *f,
		      unsigned dt)
{
	if (f->structure->chain_cnt == 0)
		return false;
	uint8_t fd = f->chain_fdiff[f->structure->protected_by[dt]];

	return fd != 0 && lost_frame(rx, f->frame_number - fd, f->frame_number);
}

/* ---- Which decode target ---------------------------------------------- */

/* Sort key: fitting targets first, best (highest layers) first; then the
 * others, closest (lowest layers) first; then by index. */
static unsigned rank(const struct dp_av1_dd_structure *s, unsigned dt, uint8_t ts, uint8_t tt)
{
	unsigned layers = s->dt_spatial[dt] * 16u + s->dt_temporal[dt];

	if (s->dt_spatial[dt] <= ts && s->dt_temporal[dt] <= tt)
		return (0x100u - layers) << 8 | dt;
	return (0x200u + layers) << 8 | dt;
}

/* The active decode targets in order of preference; returns their count. */
static unsigned preference(const struct dp_av1_dd_structure *s, uint32_t active, uint8_t ts,
			   uint8_t tt, uint8_t order[DP_AV1_DD_MAX_DTS])
{
	unsigned keys[DP_AV1_DD_MAX_DTS], n = 0;

	for (unsigned dt = 0; dt < s->dt_cnt; dt++) {
		if (!((active >> dt) & 1))
			continue;
		unsigned k = rank(s, dt, ts, tt), i = n++;
		for (; i > 0 && keys[i - 1] > k; i--) {
			keys[i] = keys[i - 1];
			order[i] = order[i - 1];
		}
		keys[i] = k;
		order[i] = (uint8_t)dt;
	}
	return n;
}

uint8_t dp_select_dd_target(const struct dp_av1_dd_structure *s, uint32_t active,
			    uint8_t target_spatial, uint8_t target_temporal)
{
	uint8_t order[DP_AV1_DD_MAX_DTS];

	if (preference(s, active, target_spatial, target_temporal, order) == 0)
		return NONE;
	return order[0];
}

/*
 * Whether the receiver can move to decode target t at new frame f (`dec`:
 * f is decodable).  `within`: t is contained in the receiver's current
 * decode target, so it already got t's frames: the move is down, at once,
 * whether or not f itself belongs to t, provided t's chain is intact.
 * Otherwise f must be a decodable switch point to t.
 */
static bool can_switch(const struct dp_select_dd_state *rx, const struct dp_av1_dd_frame *f,
		       unsigned t, bool dec, bool within)
{
	if (within) {
		/* Without chains, going down is taken on trust; the
		 * decodability check still guards every frame. */
		return f->structure->chain_cnt == 0 || chain_intact(rx, f, t);
	}
	return dp_av1_dd_dti_of(f->dti, t) == DP_AV1_DD_SWITCH && dec;
}

/* ---- Decisions -------------------------------------------------------- */

/*
 * Flags for a packet that goes to the receiver: the rewrite of its active
 * decode targets, the marker.
 *
 * A.4 lists, among the ways to signal the set of active decode targets so
 * that "a receiver, even after packet loss, will immediately either know
 * the new set of active Decode targets or [...] at least one Chain will
 * break": "Send the active_decode_targets_bitmask in every packet."  What
 * the receiver believes after this packet, if it went unchanged, follows
 * from what it was told before (rx->rx_mask): the packet's own bitmask, or
 * all of a structure, or what it believed.  The packet is rewritten when
 * that is not the receiver's set; and once it has been, every packet
 * carries the receiver's set until one that signals it by itself.  (The
 * publisher's own updates may come in frames this receiver does not get,
 * so its belief is tracked, not assumed.)
 */
HOT unsigned forward_flags(struct dp_select_dd_state *rx, const struct dp_av1_dd_frame *f)
{
	const struct dp_av1_dd_structure *s = f->structure;
	unsigned flags = 0;
	uint32_t want = s->subset[rx->dt] & f->active_mask;
	bool signals = f->active_present || f->structure_attached;
	uint32_t after = f->active_present ? f->active_mask :
			 f->structure_attached ? dp_av1_dd_all_dts(s) : rx->rx_mask;

	if (after != want) {
		rx->explicit_mask = 1;
		flags |= DP_SELECT_DD_REWRITE;
	} else if (rx->explicit_mask) {
		if (signals)
			rx->explicit_mask = 0;
		else
			flags |= DP_SELECT_DD_REWRITE;
	}
	rx->rx_mask = want;
	if (f->end_of_frame && f->spatial == s->dt_spatial[rx->dt] &&
	    s->dt_spatial[rx->dt] < s->max_spatial)
		flags |= DP_SELECT_DD_MARKER;
	return flags;
}

static enum dp_select_dd drop_reason(const struct dp_select_dd_state *rx,
				     const struct dp_av1_dd_frame *f)
{
	if (rx->dt == NONE)
		return DP_SELECT_DD_WAITING;
	if (dp_av1_dd_dti_of(f->dti, rx->dt) == DP_AV1_DD_NOT_PRESENT)
		return DP_SELECT_DD_NOT_PRESENT;
	return DP_SELECT_DD_NOT_DECODABLE;
}

/* Decides frame f (already in the window) for the receiver's decode
 * target, remembers it, and says how the packet goes. */
HOT enum dp_select_dd judge(struct dp_select_dd_state *rx, const struct dp_av1_dd_frame *f,
			    bool dec, unsigned flags)
{
	bool forward = rx->dt != NONE &&
		       dp_av1_dd_dti_of(f->dti, rx->dt) != DP_AV1_DD_NOT_PRESENT && dec;

	set_bit(rx->decided, f->frame_number, true);
	set_bit(rx->forwarded, f->frame_number, forward);
	if (!forward) {
		/* Without chains, a needed frame the receiver cannot decode is
		 * the only sign that it lost one. */
		if (rx->dt != NONE && f->structure->chain_cnt == 0 &&
		    dp_av1_dd_dti_of(f->dti, rx->dt) >= DP_AV1_DD_SWITCH)
			flags |= DP_SELECT_DD_KEYFRAME_NEEDED;
		if (rx->dt == NONE)
			flags |= DP_SELECT_DD_KEYFRAME_NEEDED;
		return (enum dp_select_dd)(drop_reason(rx, f) | flags);
	}
	return (enum dp_select_dd)(DP_SELECT_DD_FORWARD | flags | forward_flags(rx, f));
}

/* The first packet seen of a frame newer than any decided: the decode
 * target may change here. */
HOT enum dp_select_dd decide_new(struct dp_select_dd_state *rx, const struct dp_av1_dd_frame *f,
				 uint8_t ts, uint8_t tt)
{
	const struct dp_av1_dd_structure *s = f->structure;
	uint8_t order[DP_AV1_DD_MAX_DTS];
	unsigned n, flags = 0;
	uint8_t cur = rx->dt < s->dt_cnt ? rx->dt : NONE;
	bool dec = decodable(rx, f);
	bool cur_active = cur != NONE && ((f->active_mask >> cur) & 1);
	bool broken = cur != NONE && chain_broken(rx, f, cur);

	if (broken)
		flags |= DP_SELECT_DD_KEYFRAME_NEEDED;
	/* The common case: the receiver is at the best target, and sound
	 * there; the loop below would stop at once. */
	if (rx->best_gen != f->structure_gen || rx->best_active != f->active_mask ||
	    rx->best_ts != ts || rx->best_tt != tt) {
		rx->best = dp_select_dd_target(s, f->active_mask, ts, tt);
		rx->best_gen = f->structure_gen;
		rx->best_active = f->active_mask;
		rx->best_ts = ts;
		rx->best_tt = tt;
	}
	if (cur != NONE && rx->best == cur && cur_active && !broken)
		return judge(rx, f, dec, flags);
	n = preference(s, f->active_mask, ts, tt, order);
	/* While the current target is sound, only better ones are tried (they
	 * come before it); otherwise any. */
	for (unsigned i = 0; i < n; i++) {
		unsigned t = order[i];

		if (t == cur) {
			if (cur_active && !broken)
				break;
			continue;
		}
		bool within = cur != NONE && ((s->subset[cur] >> t) & 1);
		if (can_switch(rx, f, t, dec, within)) {
			rx->dt = (uint8_t)t;
			flags |= DP_SELECT_DD_SWITCHED;
			break;
		}
		if (dp_av1_dd_dti_of(f->dti, t) == DP_AV1_DD_SWITCH && !dec)
			flags |= DP_SELECT_DD_KEYFRAME_NEEDED; /* a switch point it cannot use */
	}
	return judge(rx, f, dec, flags);
}

enum dp_select_dd dp_select_dd_packet(struct dp_select_dd_state *rx, const struct dp_av1_dd_frame *f,
				      uint8_t target_spatial, uint8_t target_temporal)
{
	uint64_t n = f->frame_number;

	if (!rx->started || rx->structure_gen != f->structure_gen) {
		if (!f->structure_attached)
			return (enum dp_select_dd)(DP_SELECT_DD_WAITING | DP_SELECT_DD_KEYFRAME_NEEDED);
		/* (Re)start on the structure: nothing before it counts.  The
		 * receiver has the structure only if this packet goes to it. */
		dp_select_dd_reset(rx);
		rx->started = 1;
		rx->structure_gen = f->structure_gen;
		rx->start = n;
		rx->newest = n;
		enum dp_select_dd out = decide_new(rx, f, target_spatial, target_temporal);
		if (dp_select_dd_reason(out) != DP_SELECT_DD_FORWARD)
			rx->structure_gen = 0;
		return out;
	}
	if (n > rx->newest) {
		advance(rx, n);
		return decide_new(rx, f, target_spatial, target_temporal);
	}
	if (n < rx->start || rx->newest - n >= W)
		return DP_SELECT_DD_TOO_OLD;
	if (bit(rx->decided, n)) {
		if (!bit(rx->forwarded, n))
			return drop_reason(rx, f);
		return (enum dp_select_dd)(DP_SELECT_DD_FORWARD | forward_flags(rx, f));
	}
	/* A frame seen for the first time after newer ones: judged as it is. */
	return judge(rx, f, decodable(rx, f), 0);
}
