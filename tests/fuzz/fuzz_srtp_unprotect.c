/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: SRTP and SRTCP unprotect on hostile packets.
 *
 * The input layout (selector byte, then one or several packets) is in
 * fuzz_keys.h.  Every packet is copied into a heap buffer of exactly its
 * length, so ASan reports the first byte the engine reads or writes past
 * it.  Beyond memory safety the target checks what the API promises for
 * any input, and abort()s when a promise breaks:
 *
 *   - every status is a known one, and neither BAD_PARAM (no pointer is
 *     NULL) nor CRYPTO (ipsec-mb refusing a job the engine built is a bug);
 *   - the return value counts the OK statuses, and the engine's counters
 *     grew by exactly the statuses reported;
 *   - the session changed only in its packet count, by the OKs;
 *   - a call that refused everything left the stream untouched, and one
 *     that accepted something changed it;
 *   - an accepted packet lost at least its tag (and SRTCP trailer), and
 *     protecting the plaintext again gives back the very bytes received, at
 *     an index near the stream's (so the decryption was right, and tells
 *     which index the packet was accepted at);
 *   - within one call no two accepted packets share an index, and an
 *     accepted packet received again is refused.
 *
 * Only packets made under the fixed keys reach the OK paths: the seed corpus
 * (gen_srtp_seeds.c) has such packets, which the fuzzer then recombines,
 * reorders and duplicates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_invariant.h"
#include "fuzz_keys.h"
#include "rtp_header.h"
#include "srtp.h"

#define NPROFILES (STRATA_SRTP_PROFILE_COUNT - 1)
#define SRTCP_INDEX_MASK 0x7fffffffu
/* The stream's SSRC when the first packet is too short to carry one. */
#define FALLBACK_SSRC 0x5354524fu

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct strata_srtp_engine *engine;
/* [profile - 1][policy2]: sessions that receive, and copies of them that
 * protect again, so re-protecting does not count against the receiver. */
static struct strata_srtp_session rx_sessions[NPROFILES][2];
static struct strata_srtp_session tx_sessions[NPROFILES][2];

/* Session setup expands keys: far too slow to repeat for every input. */
static void setup_once(void)
{
	if (engine != NULL)
		return;
	engine = strata_srtp_engine_create();
	INVARIANT(engine != NULL);
	for (unsigned p = 0; p < NPROFILES; p++) {
		for (unsigned v = 0; v < 2; v++) {
			struct strata_srtp_policy pol = fuzz_policy(p + 1, v);

			INVARIANT(strata_srtp_session_init(&rx_sessions[p][v], engine, &pol) ==
				  STRATA_SRTP_OK);
			memcpy(&tx_sessions[p][v], &rx_sessions[p][v], sizeof(rx_sessions[p][v]));
		}
	}
}

/* One received packet: where it is in the fuzz input. */
struct pkt {
	const uint8_t *in;
	uint32_t len;
};

/* What one input exercises. */
struct ctx {
	bool rtcp;
	struct strata_srtp_session *rx_session;
	struct strata_srtp_session *tx_session;
	struct strata_srtp_rx *rx;
};

/* A heap copy of exactly len bytes, so any byte past it is a redzone. */
static uint8_t *exact_copy(const uint8_t *p, uint32_t len)
{
	uint8_t *b = malloc(len);

	INVARIANT(b != NULL);
	if (len > 0)
		memcpy(b, p, len);
	return b;
}

static uint32_t overhead(const struct ctx *c)
{
	const struct strata_srtp_profile *p = c->rx_session->profile;

	return c->rtcp ? STRATA_SRTCP_TRAILER_LEN + p->rtcp_tag_len : p->rtp_tag_len;
}

/* The SRTCP index a packet claims: its E||index word is last for AEAD,
 * before the tag for AES-CM (RFC 7714 section 9, RFC 3711 section 3.4). */
static uint32_t srtcp_index(const struct ctx *c, const struct pkt *pk)
{
	const struct strata_srtp_profile *p = c->rx_session->profile;
	uint32_t at = pk->len - STRATA_SRTCP_TRAILER_LEN - (p->aead ? 0 : p->rtcp_tag_len);

	return strata_be32(pk->in + at) & SRTCP_INDEX_MASK;
}

/*
 * Protects an accepted packet's plaintext at index `index` and tells whether
 * that gives back the very bytes received.  A fresh sender whose highest
 * index used is index - 1 picks exactly `index` for the next packet.
 */
static bool protects_to(const struct ctx *c, const struct strata_srtp_op *op,
			const struct pkt *pk, uint64_t index)
{
	struct strata_srtp_tx tx;
	uint8_t *out = malloc(pk->len);

	INVARIANT(out != NULL);
	if (c->rtcp) {
		strata_srtp_tx_init(&tx, strata_rtcp_ssrc(pk->in));
		tx.rtcp_index = (uint32_t)index;
	} else {
		strata_srtp_tx_init(&tx, strata_rtp_ssrc(pk->in));
		tx.rtp.started = index > 0;
		tx.rtp.top = index - (index > 0);
	}
	struct strata_srtp_op p = {
		.session = c->tx_session, .tx = &tx, .src = op->buf, .buf = out,
		.len = op->len, .cap = pk->len,
	};
	if (c->rtcp)
		strata_srtcp_protect(engine, &p, 1);
	else
		strata_srtp_protect(engine, &p, 1);
	INVARIANT(p.status == STRATA_SRTP_OK);
	bool same = p.len == pk->len && memcmp(out, pk->in, pk->len) == 0;
	free(out);
	return same;
}

/*
 * The index an accepted packet was unprotected at, found by protecting its
 * plaintext again: only the right plaintext at the right index gives back
 * the packet received, tag included.  SRTCP carries its index; for SRTP
 * only the ROC is unknown, and an accepted index is at most the stream's
 * highest, and not many ROCs below it (each packet of a call is estimated
 * within 2^15 of the stream's state or of the packets queued before it).
 */
static uint64_t accepted_index(const struct ctx *c, const struct strata_srtp_op *op,
			       const struct pkt *pk)
{
	if (c->rtcp) {
		uint64_t index = srtcp_index(c, pk);

		INVARIANT(protects_to(c, op, pk, index));
		return index;
	}
	uint64_t seq = strata_rtp_seq(pk->in);
	uint64_t roc = c->rx->rtp.top >> 16;
	for (uint64_t k = 0; k <= FUZZ_MAX_OPS && k <= roc; k++) {
		uint64_t index = ((roc - k) << 16) | seq;

		if (protects_to(c, op, pk, index))
			return index;
	}
	INVARIANT(!"no index re-protects the accepted packet");
	return 0;
}

static unsigned unprotect(const struct ctx *c, struct strata_srtp_op *ops, unsigned n)
{
	return c->rtcp ? strata_srtcp_unprotect(engine, ops, n)
		       : strata_srtp_unprotect(engine, ops, n);
}

/*
 * Unprotects pk[0, n) in one call on the context's stream and checks the
 * invariants.  replay: these packets were all accepted before, so every
 * one must be refused now.
 */
static void run(const struct ctx *c, const struct pkt *pk, unsigned n, bool replay)
{
	enum strata_srtp_direction dir =
		c->rtcp ? STRATA_SRTP_RTCP_UNPROTECT : STRATA_SRTP_RTP_UNPROTECT;
	struct strata_srtp_op ops[FUZZ_MAX_OPS];
	struct strata_srtp_rx rx_before;
	struct strata_srtp_session s_expect;
	struct strata_srtp_counters cnt_expect;

	memcpy(&rx_before, c->rx, sizeof(rx_before));
	memcpy(&s_expect, c->rx_session, sizeof(s_expect));
	memcpy(&cnt_expect, strata_srtp_engine_counters(engine), sizeof(cnt_expect));
	for (unsigned i = 0; i < n; i++) {
		ops[i] = (struct strata_srtp_op){
			.session = c->rx_session, .rx = c->rx,
			.buf = exact_copy(pk[i].in, pk[i].len), .len = pk[i].len,
			.status = -1,
		};
	}

	unsigned ok = unprotect(c, ops, n);

	unsigned n_ok = 0;
	for (unsigned i = 0; i < n; i++) {
		int st = ops[i].status;

		INVARIANT(st >= 0 && st < STRATA_SRTP_STATUS_COUNT);
		INVARIANT(st != STRATA_SRTP_BAD_PARAM && st != STRATA_SRTP_CRYPTO);
		cnt_expect.status[dir][st]++;
		n_ok += st == STRATA_SRTP_OK;
	}
	INVARIANT(ok == n_ok);
	INVARIANT(!replay || n_ok == 0);
	INVARIANT(memcmp(&cnt_expect, strata_srtp_engine_counters(engine), sizeof(cnt_expect)) == 0);
	if (c->rtcp)
		s_expect.srtcp_packets += n_ok;
	else
		s_expect.srtp_packets += n_ok;
	INVARIANT(memcmp(&s_expect, c->rx_session, sizeof(s_expect)) == 0);
	/* An accepted index sets a bit that was clear, so the stream must
	 * differ; a refused packet must leave no trace (srtp_status.h). */
	INVARIANT((memcmp(&rx_before, c->rx, sizeof(rx_before)) != 0) == (n_ok > 0));

	/* After the checks above: protecting again moves the counters. */
	uint64_t index[FUZZ_MAX_OPS];
	for (unsigned i = 0; i < n; i++) {
		if (ops[i].status != STRATA_SRTP_OK)
			continue;
		INVARIANT(ops[i].len <= pk[i].len && pk[i].len - ops[i].len >= overhead(c));
		index[i] = accepted_index(c, &ops[i], &pk[i]);
		for (unsigned j = 0; j < i; j++)
			INVARIANT(ops[j].status != STRATA_SRTP_OK || index[j] != index[i]);
	}

	/* Receiving one accepted packet again is a duplicate.  When several
	 * were accepted, the later ones may have moved the window past the
	 * earlier (REPLAY_OLD), or far enough that the same sequence number
	 * now means the next ROC (AUTH_FAIL): refused is all one can say. */
	struct pkt again[FUZZ_MAX_OPS];
	unsigned n_again = 0;
	for (unsigned i = 0; i < n; i++) {
		if (replay) {
			INVARIANT(n > 1 || ops[i].status == STRATA_SRTP_REPLAY_DUP);
		} else if (ops[i].status == STRATA_SRTP_OK) {
			again[n_again++] = pk[i];
		}
		free(ops[i].buf);
	}
	if (n_again > 0)
		run(c, again, n_again, true);
}

/* Cuts the packets out of the input (layout in fuzz_keys.h). */
static unsigned split(const uint8_t *p, size_t n, bool multi, struct pkt *pk)
{
	if (!multi) {
		pk[0] = (struct pkt){ p, (uint32_t)n };
		return 1;
	}
	unsigned k = 0;
	while (n >= 2 && k < FUZZ_MAX_OPS) {
		size_t len = strata_be16(p);

		p += 2;
		n -= 2;
		if (len > n)
			len = n;
		pk[k++] = (struct pkt){ p, (uint32_t)len };
		p += len;
		n -= len;
	}
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Longer than any datagram: the engine must say TOO_LONG, but a
	 * uint32_t length must still hold it. */
	if (size < 1 || size > UINT32_MAX)
		return 0;
	setup_once();

	uint8_t sel = data[0];
	unsigned prof = fuzz_sel_profile(sel) - 1;
	bool policy2 = (sel & FUZZ_SEL_POLICY2) != 0;
	struct strata_srtp_rx rx;
	struct ctx c = {
		.rtcp = (sel & FUZZ_SEL_RTCP) != 0,
		.rx_session = &rx_sessions[prof][policy2],
		.tx_session = &tx_sessions[prof][policy2],
		.rx = &rx,
	};
	struct pkt pk[FUZZ_MAX_OPS];
	unsigned n = split(data + 1, size - 1, (sel & FUZZ_SEL_MULTI) != 0, pk);
	if (n == 0)
		return 0;

	/* The stream takes the first packet's SSRC, or the checks stop at
	 * SSRC_MISMATCH and the fuzzer never reaches the crypto. */
	uint32_t hdr = c.rtcp ? STRATA_RTCP_FIXED_HEADER_LEN : STRATA_RTP_FIXED_HEADER_LEN;
	uint32_t ssrc = FALLBACK_SSRC;
	if (pk[0].len >= hdr)
		ssrc = c.rtcp ? strata_rtcp_ssrc(pk[0].in) : strata_rtp_ssrc(pk[0].in);
	if (sel & FUZZ_SEL_SSRC_MISMATCH)
		ssrc ^= 1;
	strata_srtp_rx_init(&rx, c.rx_session, ssrc);

	if (!(sel & FUZZ_SEL_MULTI) || (sel & FUZZ_SEL_BURST)) {
		run(&c, pk, n, false);
	} else {
		for (unsigned i = 0; i < n; i++)
			run(&c, &pk[i], 1, false);
	}
	return 0;
}
