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

#endif /* STRATA_BENCH_LIBSRTP_H */
