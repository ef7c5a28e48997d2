/* SPDX-License-Identifier: BSD-3-Clause */
/* Installing session keys: private to the engine and its known-answer tests. */
#ifndef STRATA_SRTP_SESSION_H
#define STRATA_SRTP_SESSION_H

#include "srtp.h"

/*
 * Expands session keys that are already derived: the AES round keys (or the
 * GCM key data) of enc_key, the HMAC-SHA1 pads of auth_key (20 bytes; NULL
 * for AEAD profiles) and the salt (profile->salt_len bytes).
 */
void strata_srtp_keys_install(struct strata_srtp_keys *k, IMB_MGR *mgr,
			      const struct strata_srtp_profile *p, const uint8_t *enc_key,
			      const uint8_t *auth_key, const uint8_t *salt);

/*
 * Sets up a session from session keys rather than a master key: RFC 7714's
 * test vectors give session keys.  The RTCP keys are the same as the RTP
 * keys.  Returns STRATA_SRTP_OK or STRATA_SRTP_BAD_PARAM.
 */
int strata_srtp_session_init_raw(struct strata_srtp_session *s, IMB_MGR *mgr,
				 enum strata_srtp_profile_id profile, const uint8_t *enc_key,
				 const uint8_t *auth_key, const uint8_t *salt);

#endif /* STRATA_SRTP_SESSION_H */
