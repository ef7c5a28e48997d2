/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libsrtp2 as Strata's benchmarks use it: the independent implementation
 * that the crypto benchmark compares against and that plays the clients
 * (publisher and receivers) in the forwarding benchmark.
 */
#ifndef STRATA_BENCH_LIBSRTP_H
#define STRATA_BENCH_LIBSRTP_H

#include <stdbool.h>

#include <srtp2/srtp.h>

#include "srtp.h"
#include "strata/messages.h"

/* libsrtp2's RTP crypto policy for a Strata profile; false if it has none. */
static inline bool bench_libsrtp_policy(enum strata_srtp_profile_id id, srtp_crypto_policy_t *rtp)
{
	switch (id) {
	case STRATA_SRTP_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtp);
		return true;
	case STRATA_SRTP_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(rtp);
		return true;
	case STRATA_SRTP_AES_256_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtp);
		return true;
	case STRATA_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(rtp);
		return true;
	case STRATA_SRTP_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(rtp);
		return true;
	default:
		return false;
	}
}

/*
 * A libsrtp2 context for one SSRC with one direction of a leg's keying (the
 * same policy for RTP and RTCP: libsrtp2 cuts its one key string by both
 * policies' sizes, and AES-CM's 14-byte salt would misread a GCM key).
 * window: the replay window, 0 for libsrtp2's default.  bench_fail on any
 * error.
 */
srtp_t bench_libsrtp_create(const struct strata_keying *k, uint32_t ssrc, unsigned long window);

#endif /* STRATA_BENCH_LIBSRTP_H */
