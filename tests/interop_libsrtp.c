/* SPDX-License-Identifier: BSD-3-Clause */
/* libsrtp2 as the interop tests' reference peer: see interop_libsrtp.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interop_libsrtp.h"
#include "interop_packets.h"
#include "test_util.h"

void master_random(struct master *m, uint64_t *rng, enum strata_srtp_profile_id id,
		   bool rtcp_auth_only)
{
	memset(m, 0, sizeof(*m));
	m->prof = strata_srtp_profile_get(id);
	fill_random(rng, m->key, m->prof->key_len);
	fill_random(rng, m->salt, m->prof->salt_len);
	m->rtcp_auth_only = rtcp_auth_only;
}

/* libsrtp's crypto policies for each profile.  For _32 only the SRTP tag
 * is short: SRTCP keeps 80 bits (RFC 4568 section 6.2.2). */
static void lib_crypto_policy(enum strata_srtp_profile_id id, srtp_crypto_policy_t *rtp,
			      srtp_crypto_policy_t *rtcp)
{
	switch (id) {
	case STRATA_SRTP_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_rtp_default(rtp);
		srtp_crypto_policy_set_rtcp_default(rtcp);
		break;
	case STRATA_SRTP_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(rtp);
		srtp_crypto_policy_set_rtcp_default(rtcp);
		break;
	case STRATA_SRTP_AES_256_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtcp);
		break;
	case STRATA_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(rtcp);
		break;
	default:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(rtcp);
		break;
	}
}

srtp_t lib_session(const struct master *m, bool inbound)
{
	srtp_policy_t pol;
	uint8_t key_salt[STRATA_SRTP_MAX_KEY_LEN + STRATA_SRTP_MAX_SALT_LEN];
	srtp_t s = NULL;

	memset(&pol, 0, sizeof(pol));
	lib_crypto_policy(m->prof->id, &pol.rtp, &pol.rtcp);
	if (m->rtcp_auth_only)
		pol.rtcp.sec_serv = sec_serv_auth;
	memcpy(key_salt, m->key, m->prof->key_len);
	memcpy(key_salt + m->prof->key_len, m->salt, m->prof->salt_len);
	pol.key = key_salt;
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	pol.window_size = 1024;
	pol.next = NULL;
	srtp_err_status_t st = srtp_create(&s, &pol);
	explicit_bzero(key_salt, sizeof(key_salt));
	if (st != srtp_err_status_ok) {
		fprintf(stderr, "srtp_create(%s) failed: %d\n", m->prof->name, (int)st);
		exit(2);
	}
	return s;
}

void lib_peer_open(struct lib_peer *lp, uint64_t *rng, enum strata_srtp_profile_id id,
		   bool rtcp_auth_only)
{
	master_random(&lp->m, rng, id, rtcp_auth_only);
	lp->snd = lib_session(&lp->m, false);
	lp->ref = lib_session(&lp->m, false);
	lp->rcv = lib_session(&lp->m, true);
}

void lib_peer_close(struct lib_peer *lp)
{
	srtp_dealloc(lp->snd);
	srtp_dealloc(lp->ref);
	srtp_dealloc(lp->rcv);
}

void strata_session(struct strata_srtp_session *s, struct strata_srtp_engine *e,
		    const struct master *m)
{
	struct strata_srtp_policy pol = {
		.profile = m->prof->id,
		.master_key = m->key,
		.master_salt = m->salt,
		.rtcp_unencrypted = m->rtcp_auth_only,
	};
	int st = strata_srtp_session_init(s, e, &pol);

	CHECK(st == STRATA_SRTP_OK, "session_init(%s): %s", m->prof->name,
	      strata_srtp_status_name(st));
}

srtp_err_status_t lib_protect(srtp_t s, bool rtcp, uint8_t *pkt, int *len)
{
	return rtcp ? srtp_protect_rtcp(s, pkt, len) : srtp_protect(s, pkt, len);
}

srtp_err_status_t lib_unprotect(srtp_t s, bool rtcp, uint8_t *pkt, int *len)
{
	return rtcp ? srtp_unprotect_rtcp(s, pkt, len) : srtp_unprotect(s, pkt, len);
}
