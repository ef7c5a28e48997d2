/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP: protecting and unprotecting RTP packets in bursts.
 *
 * RFC 3711 section 3.1:
 *
 *     0                   1                   2                   3
 *     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+<+
 *    |V=2|P|X|  CC   |M|     PT      |       sequence number         | |
 *    |                           timestamp                           | |
 *    |           synchronization source (SSRC) identifier            | |
 *    |            contributing source (CSRC) identifiers             | |
 *    |                   RTP extension (OPTIONAL)                    | |
 *  +>+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |
 *  | |                          payload  ...                         | |
 *  | |                               +-------------------------------+ |
 *  | |                               | RTP padding   | RTP pad count | |
 *  +>+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+<+
 *  | ~                     SRTP MKI (OPTIONAL)                       ~ |
 *  | :                 authentication tag (RECOMMENDED)              : |
 *  |                                                                   |
 *  +- Encrypted Portion*                      Authenticated Portion ---+
 *
 * Section 4.2: the tag is computed over "the Authenticated Portion of the
 * packet ... concatenated with the ROC", M = Authenticated Portion || ROC.
 * For AES-GCM (RFC 7714 section 8.2) the header is the AAD and the 16-byte
 * tag follows the ciphertext; the ROC enters through the IV.
 */
#include <string.h>

#include "../rtp/rtp_header.h"
#include "srtp_engine.h"
#include "srtp_jobs.h"
#include "srtp_replay.h"

#define SRTP_MAX_PACKETS (1ull << 48) /* RFC 3711 section 9.2 */
#define SRTP_TX_WORDS STRATA_ARRAY_LEN(((struct strata_srtp_tx *)0)->rtp_bits)
#define SRTP_RX_WORDS STRATA_ARRAY_LEN(((struct strata_srtp_rx *)0)->rtp_bits)

static inline int rtp_header(const uint8_t *p, uint32_t len, uint32_t *hdr_len)
{
	switch (strata_rtp_header_len(p, len, hdr_len)) {
	case STRATA_RTP_PARSE_OK: return STRATA_SRTP_OK;
	case STRATA_RTP_PARSE_TOO_SHORT: return STRATA_SRTP_TOO_SHORT;
	case STRATA_RTP_PARSE_BAD_VERSION: return STRATA_SRTP_BAD_VERSION;
	default: return STRATA_SRTP_BAD_HEADER;
	}
}

/*
 * The assembled form with a prefix, AES-CM: the first keystream block is
 * applied here, to the first (up to) 16 payload bytes gathered in buf --
 * the receiver's rewritten prefix and the input's next bytes -- and the job
 * encrypts the rest straight from the input, starting at counter block 1.
 * Returns how many payload bytes are done.
 */
static inline uint32_t cm_first_block(struct srtp_scratch *sc, const struct strata_srtp_keys *k,
				      uint8_t key_len, uint8_t *payload_out, uint32_t prefix,
				      const uint8_t *rest, uint32_t payload_len)
{
	uint32_t first = payload_len < 16 ? payload_len : 16;
	uint8_t ks[16];

	memcpy(payload_out + prefix, rest, first - prefix);
	strata_srtp_aes_block(k->cm.aes_enc, key_len, sc->iv, ks);
	for (uint32_t i = 0; i < first; i++)
		payload_out[i] ^= ks[i];
	sc->iv[15] = 1; /* counter block 1: the IV's last two bytes are zero */
	return first;
}

static inline int rtp_protect_prepare(const struct strata_srtp_engine *e, unsigned queued,
				      struct strata_srtp_op *op, struct srtp_scratch *sc, IMB_JOB *job)
{
	(void)e, (void)queued; /* only the first-burst estimate needs them */
	struct strata_srtp_session *s = op->session;
	struct strata_srtp_tx *tx = op->tx;
	uint8_t *buf = op->buf;
	uint32_t len = op->len, hdr_len, prefix = 0;
	uint64_t index;
	int st;

	if (s == NULL || s->profile == NULL || tx == NULL || buf == NULL ||
	    (op->src == NULL && op->payload == NULL))
		return STRATA_SRTP_BAD_PARAM;
	const struct strata_srtp_profile *p = s->profile;
	/* The classic form reads the whole packet at src; the assembled form
	 * finds the header (and prefix) already at buf. */
	const uint8_t *hdr = op->src ? op->src : buf;
	if (len > STRATA_SRTP_MAX_PACKET - p->rtp_tag_len)
		return STRATA_SRTP_TOO_LONG;
	if (op->src == NULL && op->hdr_len >= STRATA_RTP_FIXED_HEADER_LEN && op->hdr_len <= len)
		hdr_len = op->hdr_len; /* the forwarder wrote it from a parsed header */
	else if ((st = rtp_header(hdr, len, &hdr_len)) != STRATA_SRTP_OK)
		return st;
	const uint8_t *rest = hdr + hdr_len;
	if (op->src == NULL) {
		prefix = op->prefix;
		rest = op->payload;
		if (prefix > STRATA_SRTP_MAX_PREFIX || prefix > len - hdr_len)
			return STRATA_SRTP_BAD_PARAM;
	}
	if (op->cap < len + p->rtp_tag_len)
		return STRATA_SRTP_NO_ROOM;
	uint32_t ssrc = strata_rtp_ssrc(hdr);
	if (ssrc != tx->ssrc)
		return STRATA_SRTP_SSRC_MISMATCH;
	if ((st = strata_srtp_estimate_index(&tx->rtp, strata_rtp_seq(hdr), &index)) != 0)
		return st;
	/* Never encrypt two packets under one index: the keystream would
	 * repeat (RFC 3711 section 9.1). */
	if ((st = strata_replay_check(&tx->rtp, tx->rtp_bits, SRTP_TX_WORDS,
				      STRATA_SRTP_TX_WINDOW, index)) != 0)
		return st;
	if (s->srtp_packets >= SRTP_MAX_PACKETS)
		return STRATA_SRTP_KEY_EXPIRED;

	/* Nothing can fail from here on: commit the sender's state. */
	strata_replay_accept(&tx->rtp, tx->rtp_bits, SRTP_TX_WORDS, index);
	s->srtp_packets++;
	if (op->src != NULL && buf != op->src)
		memcpy(buf, op->src, hdr_len);
	sc->tag_at = len;
	sc->out_len = len + p->rtp_tag_len;

	uint8_t *payload = buf + hdr_len;
	uint32_t payload_len = len - hdr_len;
	if (p->aead) {
		srtp_iv_gcm(sc->iv, &s->rtp, ssrc, index);
		if (prefix == 0) {
			srtp_job_gcm(job, &s->rtp, p->key_len, 1, rest, payload, payload_len, buf,
				     hdr_len, sc->iv, buf + len);
		} else {
			sc->segs[0] = (struct IMB_SGL_IOV){payload, payload, prefix};
			sc->segs[1] = (struct IMB_SGL_IOV){rest, payload + prefix,
							   payload_len - prefix};
			srtp_job_gcm_sgl(job, &s->rtp, p->key_len, sc->segs,
					 payload_len > prefix ? 2 : 1, payload_len, &sc->gcm_ctx, buf,
					 hdr_len, sc->iv, buf + len);
		}
	} else {
		/* The ROC goes where the tag will be, so the MAC input
		 * Authenticated Portion || ROC is one contiguous buffer. */
		strata_put_be32(buf + len, (uint32_t)(index >> 16));
		srtp_iv_cm(sc->iv, &s->rtp, ssrc, index);
		uint32_t done = prefix ? cm_first_block(sc, &s->rtp, p->key_len, payload, prefix,
							rest, payload_len)
				       : 0;
		srtp_job_cm_hmac(job, &s->rtp, p->key_len, 1, rest + (done - prefix), payload + done,
				 payload_len - done, buf, len + 4, sc->iv, sc->tag);
	}
	return STRATA_SRTP_OK;
}

static inline int rtp_protect_finish(struct strata_srtp_op *op, struct srtp_scratch *sc)
{
	const struct strata_srtp_profile *p = op->session->profile;

	if (!p->aead)
		srtp_copy_tag(op->buf + sc->tag_at, sc->tag, p->rtp_tag_len);
	op->len = sc->out_len;
	return STRATA_SRTP_OK;
}

/*
 * A received stream's state is committed only when a packet authenticates,
 * after the burst's crypto.  Until the stream's first packet is accepted
 * there is no state to estimate a second packet against (seq 65535 then 0
 * must give ROC 1), and an unauthenticated neighbour must not stand in for
 * it: a forgery could then cost a genuine packet.  So while a stream has not
 * started, only its first packet of a pass is queued; the others wait for
 * the driver's next pass (SRTP_DEFERRED), when the first one's outcome is
 * known.  Later bursts use the committed state: a burst spans far fewer than
 * 2^15 sequence numbers, so the estimate is the one a packet-at-a-time
 * receiver would make.
 */
static inline int rx_wait_for_first(const struct strata_srtp_engine *e, unsigned queued,
				    const struct strata_srtp_rx *rx)
{
	if (rx->rtp.started)
		return 0;
	for (unsigned i = 0; i < queued; i++)
		if (e->pending[i]->rx == rx)
			return 1;
	return 0;
}

static inline int rtp_unprotect_prepare(const struct strata_srtp_engine *e, unsigned queued,
                                        struct strata_srtp_op *op, struct srtp_scratch *sc, IMB_JOB *job)
{
	struct strata_srtp_session *s = op->session;
	struct strata_srtp_rx *rx = op->rx;
	uint8_t *buf = op->buf;
	uint32_t len = op->len, hdr_len;
	uint64_t index;
	int st;

	if (s == NULL || s->profile == NULL || rx == NULL || buf == NULL)
		return STRATA_SRTP_BAD_PARAM;
	const struct strata_srtp_profile *p = s->profile;
	if (len > STRATA_SRTP_MAX_PACKET)
		return STRATA_SRTP_TOO_LONG;
	if ((st = rtp_header(buf, len, &hdr_len)) != STRATA_SRTP_OK)
		return st;
	if (len - hdr_len < p->rtp_tag_len)
		return STRATA_SRTP_NO_TAG;
	uint32_t ssrc = strata_rtp_ssrc(buf);
	if (ssrc != rx->ssrc)
		return STRATA_SRTP_SSRC_MISMATCH;
	if (rx_wait_for_first(e, queued, rx))
		return SRTP_DEFERRED;
	if ((st = strata_srtp_estimate_index(&rx->rtp, strata_rtp_seq(buf), &index)) != 0)
		return st;
	if ((st = strata_replay_check(&rx->rtp, rx->rtp_bits, SRTP_RX_WORDS, rx->window,
				      index)) != 0)
		return st;
	if (s->srtp_packets >= SRTP_MAX_PACKETS)
		return STRATA_SRTP_KEY_EXPIRED;

	uint32_t body = len - p->rtp_tag_len;
	sc->index = index;
	sc->tag_at = body;
	sc->out_len = body;
	srtp_copy_tag(sc->rx_tag, buf + body, p->rtp_tag_len);

	if (p->aead) {
		srtp_iv_gcm(sc->iv, &s->rtp, ssrc, index);
		srtp_job_gcm(job, &s->rtp, p->key_len, 0, buf + hdr_len, buf + hdr_len,
			     body - hdr_len, buf, hdr_len, sc->iv, sc->tag);
	} else {
		/* The received tag is saved; its first four bytes now hold
		 * the ROC for the MAC, as on the sending side. */
		strata_put_be32(buf + body, (uint32_t)(index >> 16));
		srtp_iv_cm(sc->iv, &s->rtp, ssrc, index);
		srtp_job_cm_hmac(job, &s->rtp, p->key_len, 0, buf + hdr_len, buf + hdr_len,
				 body - hdr_len, buf, body + 4, sc->iv, sc->tag);
	}
	return STRATA_SRTP_OK;
}

static inline int rtp_unprotect_finish(struct strata_srtp_op *op, struct srtp_scratch *sc)
{
	struct strata_srtp_session *s = op->session;
	struct strata_srtp_rx *rx = op->rx;
	int st;

	if (!srtp_tag_equal(sc->tag, sc->rx_tag, s->profile->rtp_tag_len))
		return STRATA_SRTP_AUTH_FAIL;
	if ((st = strata_replay_commit(&rx->rtp, rx->rtp_bits, SRTP_RX_WORDS, rx->window,
				       sc->index)) != 0)
		return st;
	s->srtp_packets++;
	op->len = sc->out_len;
	return STRATA_SRTP_OK;
}

unsigned strata_srtp_protect(struct strata_srtp_engine *e, struct strata_srtp_op *ops, unsigned n)
{
	return srtp_run_burst(e, ops, n, STRATA_SRTP_RTP_PROTECT, rtp_protect_prepare,
			      rtp_protect_finish);
}

unsigned strata_srtp_unprotect(struct strata_srtp_engine *e, struct strata_srtp_op *ops,
			       unsigned n)
{
	return srtp_run_burst(e, ops, n, STRATA_SRTP_RTP_UNPROTECT, rtp_unprotect_prepare,
			      rtp_unprotect_finish);
}
