/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTCP: protecting and unprotecting RTCP packets in bursts.
 *
 * RFC 3711 section 3.4:
 *
 *    |V=2|P|    RC   |   PT=SR or RR   |             length          | |
 *    |                         SSRC of sender                        | |
 *  +>+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |
 *  | ~                          sender info                          ~ |
 *  | ~                         report block 1                        ~ |
 *  | ~                              ...                              ~ |
 *  +>+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |
 *  | |E|                         SRTCP index                         | |
 *  | +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+<+
 *  | ~                     SRTCP MKI (OPTIONAL)                      ~ |
 *  | :                     authentication tag                        : |
 *  +-- Encrypted Portion                    Authenticated Portion -----+
 *
 * With AES-GCM (RFC 7714 section 9) the tag follows the ciphertext and the
 * E||index word comes last: header | ciphertext | tag | E||index.  With
 * E=1 the AAD is the 8-byte header followed by the E||index word (section
 * 9.1); with E=0 nothing is encrypted and the AAD is the whole packet
 * followed by the word (section 9.3).
 *
 * The E flag is the session's policy.  A received packet whose E flag
 * differs is refused before any crypto: an attacker must not be able to
 * choose whether the router decrypts.
 */
#include <string.h>

#include "../rtp/rtp_header.h"
#include "srtp_engine.h"
#include "srtp_jobs.h"
#include "srtp_replay.h"

#define SRTCP_MAX_PACKETS (1ull << 31) /* RFC 3711 section 9.2 */
#define SRTCP_MAX_INDEX 0x7fffffffu
#define SRTCP_E_BIT 0x80000000u
#define SRTCP_RX_WORDS STRATA_ARRAY_LEN(((struct strata_srtp_rx *)0)->rtcp_bits)
#define HDR STRATA_RTCP_FIXED_HEADER_LEN

static inline int rtcp_header(const uint8_t *p, uint32_t len)
{
	if (len < HDR)
		return STRATA_SRTP_TOO_SHORT;
	if ((p[0] >> 6) != 2)
		return STRATA_SRTP_BAD_VERSION;
	return STRATA_SRTP_OK;
}

static inline int rtcp_protect_prepare(const struct strata_srtp_engine *e, unsigned queued,
                                       struct strata_srtp_op *op, struct srtp_scratch *sc, IMB_JOB *job)
{
	(void)e, (void)queued; /* only the first-burst estimate needs them */
	struct strata_srtp_session *s = op->session;
	struct strata_srtp_tx *tx = op->tx;
	const uint8_t *src = op->src;
	uint8_t *buf = op->buf;
	uint32_t len = op->len;
	int st;

	if (s == NULL || s->profile == NULL || tx == NULL || src == NULL || buf == NULL)
		return STRATA_SRTP_BAD_PARAM;
	const struct strata_srtp_profile *p = s->profile;
	uint32_t grow = STRATA_SRTCP_TRAILER_LEN + p->rtcp_tag_len;
	if (len > STRATA_SRTP_MAX_PACKET - grow)
		return STRATA_SRTP_TOO_LONG;
	if ((st = rtcp_header(src, len)) != STRATA_SRTP_OK)
		return st;
	if (op->cap < len + grow)
		return STRATA_SRTP_NO_ROOM;
	uint32_t ssrc = strata_rtcp_ssrc(src);
	if (ssrc != tx->ssrc)
		return STRATA_SRTP_SSRC_MISMATCH;
	if (tx->rtcp_index > SRTCP_MAX_INDEX || s->srtcp_packets >= SRTCP_MAX_PACKETS)
		return STRATA_SRTP_KEY_EXPIRED;

	uint32_t index = tx->rtcp_index++;
	uint32_t word = index | (s->rtcp_encrypt ? SRTCP_E_BIT : 0);
	s->srtcp_packets++;
	if (buf != src)
		memcpy(buf, src, s->rtcp_encrypt ? HDR : len);
	uint32_t enc_len = s->rtcp_encrypt ? len - HDR : 0;

	if (p->aead) {
		srtp_iv_gcm(sc->iv, &s->rtcp, ssrc, index);
		sc->tag_at = len + 16;
		if (s->rtcp_encrypt) {
			memcpy(sc->aad, buf, HDR);
			strata_put_be32(sc->aad + HDR, word);
			srtp_job_gcm(job, &s->rtcp, p->key_len, 1, src + HDR, buf + HDR, enc_len,
				     sc->aad, HDR + 4, sc->iv, buf + len);
		} else {
			/* The word sits where the tag will go while it is AAD. */
			strata_put_be32(buf + len, word);
			srtp_job_gcm(job, &s->rtcp, p->key_len, 1, NULL, NULL, 0, buf, len + 4, sc->iv,
				     sc->tag);
		}
	} else {
		strata_put_be32(buf + len, word);
		srtp_iv_cm(sc->iv, &s->rtcp, ssrc, index);
		srtp_job_cm_hmac(job, &s->rtcp, p->key_len, 1, src + HDR, buf + HDR, enc_len, buf,
				 len + 4, sc->iv, sc->tag);
		sc->tag_at = len + 4;
	}
	sc->index = word;
	sc->out_len = len + grow;
	return STRATA_SRTP_OK;
}

static inline int rtcp_protect_finish(struct strata_srtp_op *op, struct srtp_scratch *sc)
{
	const struct strata_srtp_session *s = op->session;
	const struct strata_srtp_profile *p = s->profile;
	uint32_t len = sc->out_len - STRATA_SRTCP_TRAILER_LEN - p->rtcp_tag_len;

	if (!p->aead) {
		srtp_copy_tag(op->buf + sc->tag_at, sc->tag, p->rtcp_tag_len);
	} else {
		if (!s->rtcp_encrypt)
			memcpy(op->buf + len, sc->tag, 16);
		strata_put_be32(op->buf + sc->tag_at, (uint32_t)sc->index);
	}
	op->len = sc->out_len;
	return STRATA_SRTP_OK;
}

static inline int rtcp_unprotect_prepare(const struct strata_srtp_engine *e, unsigned queued,
                                         struct strata_srtp_op *op, struct srtp_scratch *sc, IMB_JOB *job)
{
	(void)e, (void)queued; /* only the first-burst estimate needs them */
	struct strata_srtp_session *s = op->session;
	struct strata_srtp_rx *rx = op->rx;
	uint8_t *buf = op->buf;
	uint32_t len = op->len;
	int st;

	if (s == NULL || s->profile == NULL || rx == NULL || buf == NULL)
		return STRATA_SRTP_BAD_PARAM;
	const struct strata_srtp_profile *p = s->profile;
	uint32_t grow = STRATA_SRTCP_TRAILER_LEN + p->rtcp_tag_len;
	if (len > STRATA_SRTP_MAX_PACKET)
		return STRATA_SRTP_TOO_LONG;
	if ((st = rtcp_header(buf, len)) != STRATA_SRTP_OK)
		return st;
	if (len - HDR < grow)
		return STRATA_SRTP_NO_TAG;
	uint32_t ssrc = strata_rtcp_ssrc(buf);
	if (ssrc != rx->ssrc)
		return STRATA_SRTP_SSRC_MISMATCH;

	/* Where the E||index word is: last for AEAD, before the tag for CM. */
	uint32_t word_at = p->aead ? len - STRATA_SRTCP_TRAILER_LEN : len - grow;
	uint32_t word = strata_be32(buf + word_at);
	uint32_t index = word & SRTCP_MAX_INDEX;
	if (((word & SRTCP_E_BIT) != 0) != s->rtcp_encrypt)
		return STRATA_SRTP_E_FLAG;
	if ((st = strata_replay_check(&rx->rtcp, rx->rtcp_bits, SRTCP_RX_WORDS,
				      STRATA_SRTCP_WINDOW, index)) != 0)
		return st;
	if (s->srtcp_packets >= SRTCP_MAX_PACKETS)
		return STRATA_SRTP_KEY_EXPIRED;

	uint32_t body = len - grow; /* the RTCP packet without SRTCP fields */
	uint32_t enc_len = s->rtcp_encrypt ? body - HDR : 0;
	sc->index = index;
	sc->out_len = body;

	if (p->aead) {
		sc->tag_at = body;
		memcpy(sc->rx_tag, buf + body, 16);
		srtp_iv_gcm(sc->iv, &s->rtcp, ssrc, index);
		if (s->rtcp_encrypt) {
			memcpy(sc->aad, buf, HDR);
			strata_put_be32(sc->aad + HDR, word);
			srtp_job_gcm(job, &s->rtcp, p->key_len, 0, buf + HDR, buf + HDR, enc_len,
				     sc->aad, HDR + 4, sc->iv, sc->tag);
		} else {
			/* Move the word next to the packet: AAD = packet || word. */
			strata_put_be32(buf + body, word);
			srtp_job_gcm(job, &s->rtcp, p->key_len, 0, NULL, NULL, 0, buf, body + 4, sc->iv,
				     sc->tag);
		}
	} else {
		sc->tag_at = len - p->rtcp_tag_len;
		srtp_copy_tag(sc->rx_tag, buf + sc->tag_at, p->rtcp_tag_len);
		srtp_iv_cm(sc->iv, &s->rtcp, ssrc, index);
		srtp_job_cm_hmac(job, &s->rtcp, p->key_len, 0, buf + HDR, buf + HDR, enc_len, buf,
				 body + STRATA_SRTCP_TRAILER_LEN, sc->iv, sc->tag);
	}
	return STRATA_SRTP_OK;
}

static inline int rtcp_unprotect_finish(struct strata_srtp_op *op, struct srtp_scratch *sc)
{
	struct strata_srtp_session *s = op->session;
	struct strata_srtp_rx *rx = op->rx;
	int st;

	if (!srtp_tag_equal(sc->tag, sc->rx_tag, s->profile->rtcp_tag_len))
		return STRATA_SRTP_AUTH_FAIL;
	if ((st = strata_replay_commit(&rx->rtcp, rx->rtcp_bits, SRTCP_RX_WORDS,
				       STRATA_SRTCP_WINDOW, sc->index)) != 0)
		return st;
	s->srtcp_packets++;
	op->len = sc->out_len;
	return STRATA_SRTP_OK;
}

unsigned strata_srtcp_protect(struct strata_srtp_engine *e, struct strata_srtp_op *ops,
			      unsigned n)
{
	return srtp_run_burst(e, ops, n, STRATA_SRTP_RTCP_PROTECT, rtcp_protect_prepare,
			      rtcp_protect_finish);
}

unsigned strata_srtcp_unprotect(struct strata_srtp_engine *e, struct strata_srtp_op *ops,
				unsigned n)
{
	return srtp_run_burst(e, ops, n, STRATA_SRTP_RTCP_UNPROTECT, rtcp_unprotect_prepare,
			      rtcp_unprotect_finish);
}
