/* SPDX-License-Identifier: BSD-3-Clause */
/* Session-key derivation of RFC 3711 section 4.3 (and RFC 6188, RFC 7714). */
#ifndef STRATA_SRTP_KDF_H
#define STRATA_SRTP_KDF_H

#include <stddef.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>

/* RFC 3711 section 4.3.2: the labels of the six session keys. */
enum strata_srtp_kdf_label {
	STRATA_KDF_RTP_ENCRYPTION = 0x00,
	STRATA_KDF_RTP_AUTH = 0x01,
	STRATA_KDF_RTP_SALT = 0x02,
	STRATA_KDF_RTCP_ENCRYPTION = 0x03,
	STRATA_KDF_RTCP_AUTH = 0x04,
	STRATA_KDF_RTCP_SALT = 0x05,
};

/*
 * Writes out_len bytes of the AES-CM PRF output for `label` (key derivation
 * rate 0).  key_len is 16 or 32; salt_len is 14, or 12 for the AEAD
 * profiles, whose salt is padded with 16 zero bits (RFC 7714 erratum 4938).
 * out_len is at most 32.  Returns 0, or -1 for a bad length.
 */
int strata_srtp_kdf(IMB_MGR *mgr, const uint8_t *master_key, size_t key_len,
		    const uint8_t *master_salt, size_t salt_len, uint8_t label,
		    uint8_t *out, size_t out_len);

#endif /* STRATA_SRTP_KDF_H */
