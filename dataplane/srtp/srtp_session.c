/* SPDX-License-Identifier: BSD-3-Clause */
/* Sessions (the keys of one master key) and the per-SSRC stream states. */
#include <string.h>

#include "srtp_kdf.h"
#include "srtp_session.h"

/*
 * RFC 2104: HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)).  The key is
 * shorter than the 64-byte SHA-1 block, so both padded keys are one block;
 * their compression-function outputs are computed here once and handed to
 * ipsec-mb for every packet, which then hashes only the message.
 */
static void hmac_sha1_pads(IMB_MGR *mgr, const uint8_t *key, size_t key_len, uint8_t *ipad,
			   uint8_t *opad)
{
	uint8_t block[IMB_SHA1_BLOCK_SIZE];

	memset(block, 0x36, sizeof(block));
	for (size_t i = 0; i < key_len; i++)
		block[i] ^= key[i];
	IMB_SHA1_ONE_BLOCK(mgr, block, ipad);

	memset(block, 0x5c, sizeof(block));
	for (size_t i = 0; i < key_len; i++)
		block[i] ^= key[i];
	IMB_SHA1_ONE_BLOCK(mgr, block, opad);

	explicit_bzero(block, sizeof(block));
}

void strata_srtp_keys_install(struct strata_srtp_keys *k, IMB_MGR *mgr,
			      const struct strata_srtp_profile *p, const uint8_t *enc_key,
			      const uint8_t *auth_key, const uint8_t *salt)
{
	memset(k, 0, sizeof(*k));
	if (p->aead) {
		if (p->key_len == 16)
			IMB_AES128_GCM_PRE(mgr, enc_key, &k->gcm);
		else
			IMB_AES256_GCM_PRE(mgr, enc_key, &k->gcm);
	} else {
		uint8_t dec[16 * 15] __attribute__((aligned(16)));

		if (p->key_len == 16)
			IMB_AES_KEYEXP_128(mgr, enc_key, k->cm.aes_enc, dec);
		else
			IMB_AES_KEYEXP_256(mgr, enc_key, k->cm.aes_enc, dec);
		explicit_bzero(dec, sizeof(dec));
		hmac_sha1_pads(mgr, auth_key, IMB_SHA1_DIGEST_SIZE_IN_BYTES, k->cm.hmac_ipad,
			       k->cm.hmac_opad);
	}
	memcpy(k->salt, salt, p->salt_len);
}

static void session_reset(struct strata_srtp_session *s, const struct strata_srtp_profile *p)
{
	s->profile = p;
	s->srtp_packets = 0;
	s->srtcp_packets = 0;
	s->replay_window = STRATA_SRTP_WINDOW_DEFAULT;
	s->rtcp_encrypt = true;
}

/* Derives one set of session keys (RTP: labels 0-2, RTCP: labels 3-5). */
static int derive_keys(struct strata_srtp_keys *k, IMB_MGR *mgr,
		       const struct strata_srtp_profile *p, const struct strata_srtp_policy *pol,
		       uint8_t label_enc, uint8_t label_auth, uint8_t label_salt)
{
	uint8_t enc[STRATA_SRTP_MAX_KEY_LEN];
	uint8_t auth[IMB_SHA1_DIGEST_SIZE_IN_BYTES];
	uint8_t salt[STRATA_SRTP_MAX_SALT_LEN];
	int rc = 0;

	rc |= strata_srtp_kdf(mgr, pol->master_key, p->key_len, pol->master_salt, p->salt_len,
			      label_enc, enc, p->key_len);
	rc |= strata_srtp_kdf(mgr, pol->master_key, p->key_len, pol->master_salt, p->salt_len,
			      label_salt, salt, p->salt_len);
	if (!p->aead)
		rc |= strata_srtp_kdf(mgr, pol->master_key, p->key_len, pol->master_salt,
				      p->salt_len, label_auth, auth, sizeof(auth));
	if (rc == 0)
		strata_srtp_keys_install(k, mgr, p, enc, p->aead ? NULL : auth, salt);

	explicit_bzero(enc, sizeof(enc));
	explicit_bzero(auth, sizeof(auth));
	explicit_bzero(salt, sizeof(salt));
	return rc;
}

int strata_srtp_session_init(struct strata_srtp_session *s, struct strata_srtp_engine *e,
			     const struct strata_srtp_policy *pol)
{
	const struct strata_srtp_profile *p;

	if (s == NULL || e == NULL || pol == NULL || pol->master_key == NULL ||
	    pol->master_salt == NULL || (p = strata_srtp_profile_get(pol->profile)) == NULL)
		return STRATA_SRTP_BAD_PARAM;
	if (pol->replay_window != 0 && (pol->replay_window < STRATA_SRTP_WINDOW_MIN ||
					pol->replay_window > STRATA_SRTP_WINDOW_MAX))
		return STRATA_SRTP_BAD_PARAM;

	IMB_MGR *mgr = strata_srtp_engine_mgr(e);
	session_reset(s, p);
	if (derive_keys(&s->rtp, mgr, p, pol, STRATA_KDF_RTP_ENCRYPTION, STRATA_KDF_RTP_AUTH,
			STRATA_KDF_RTP_SALT) != 0 ||
	    derive_keys(&s->rtcp, mgr, p, pol, STRATA_KDF_RTCP_ENCRYPTION, STRATA_KDF_RTCP_AUTH,
			STRATA_KDF_RTCP_SALT) != 0) {
		strata_srtp_session_wipe(s);
		return STRATA_SRTP_BAD_PARAM;
	}
	if (pol->replay_window != 0)
		s->replay_window = pol->replay_window;
	s->rtcp_encrypt = !pol->rtcp_unencrypted;
	return STRATA_SRTP_OK;
}

int strata_srtp_session_init_raw(struct strata_srtp_session *s, IMB_MGR *mgr,
				 enum strata_srtp_profile_id profile, const uint8_t *enc_key,
				 const uint8_t *auth_key, const uint8_t *salt)
{
	const struct strata_srtp_profile *p = strata_srtp_profile_get(profile);

	if (s == NULL || p == NULL || enc_key == NULL || salt == NULL ||
	    (!p->aead && auth_key == NULL))
		return STRATA_SRTP_BAD_PARAM;
	session_reset(s, p);
	strata_srtp_keys_install(&s->rtp, mgr, p, enc_key, auth_key, salt);
	strata_srtp_keys_install(&s->rtcp, mgr, p, enc_key, auth_key, salt);
	return STRATA_SRTP_OK;
}

void strata_srtp_session_wipe(struct strata_srtp_session *s)
{
	if (s != NULL)
		explicit_bzero(s, sizeof(*s));
}

void strata_srtp_rx_init(struct strata_srtp_rx *rx, const struct strata_srtp_session *s,
			 uint32_t ssrc)
{
	memset(rx, 0, sizeof(*rx));
	rx->ssrc = ssrc;
	rx->window = s->replay_window;
}

void strata_srtp_tx_init(struct strata_srtp_tx *tx, uint32_t ssrc)
{
	memset(tx, 0, sizeof(*tx));
	tx->ssrc = ssrc;
}
