/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 3711 section 4.3.1, Key Derivation Algorithm:
 *
 *   * Let r = index DIV key_derivation_rate (with DIV as defined above).
 *   * Let key_id = <label> || r.
 *   * Let x = key_id XOR master_salt, where key_id and master_salt are
 *     aligned so that their least significant bits agree (right-
 *     alignment).
 *
 * Section 4.3.3, AES-CM PRF: "PRF_n(k_master, x) = AES_CM(k_master, x*2^16),
 * truncated to the n first (left-most) bits", i.e. AES in counter mode with
 * the IV x*2^16, keyed with the master key.  RFC 6188 section 7 uses AES-256
 * in the same construction for 256-bit master keys.
 *
 * Strata supports a key derivation rate of 0 only, so r = 0 and key_id is
 * the label followed by 48 zero bits: the label lands on byte 7 of x.
 *
 * RFC 7714 erratum 4938: "the 96-bit master salt specified in this document
 * must be multiplied by 2^16 to form the 112-bit salt used as the master
 * salt in those key derivation functions": the AEAD profiles' 12-byte salt
 * is padded on the right with two zero bytes.
 */
#include <string.h>

#include "srtp_kdf.h"

int strata_srtp_kdf(IMB_MGR *mgr, const uint8_t *master_key, size_t key_len,
		    const uint8_t *master_salt, size_t salt_len, uint8_t label,
		    uint8_t *out, size_t out_len)
{
	uint8_t enc[16 * 15] __attribute__((aligned(16)));
	uint8_t dec[16 * 15] __attribute__((aligned(16)));
	uint8_t iv[16] = {0};
	uint8_t zeros[32] = {0};
	int rc = 0;

	if ((key_len != 16 && key_len != 32) || (salt_len != 14 && salt_len != 12) ||
	    out_len > sizeof(zeros))
		return -1;

	if (key_len == 16)
		IMB_AES_KEYEXP_128(mgr, master_key, enc, dec);
	else
		IMB_AES_KEYEXP_256(mgr, master_key, enc, dec);

	memcpy(iv, master_salt, salt_len);
	iv[7] ^= label;

	IMB_JOB *job = IMB_GET_NEXT_JOB(mgr);
	job->cipher_mode = IMB_CIPHER_CNTR;
	job->cipher_direction = IMB_DIR_ENCRYPT;
	job->chain_order = IMB_ORDER_CIPHER_HASH;
	job->hash_alg = IMB_AUTH_NULL;
	job->enc_keys = enc;
	job->dec_keys = enc;
	job->key_len_in_bytes = key_len;
	job->src = zeros;
	job->dst = out;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = out_len;
	job->iv = iv;
	job->iv_len_in_bytes = sizeof(iv);
	/* The engine's queue is empty between bursts, so this job is the one
	 * that comes back. */
	job = IMB_SUBMIT_JOB(mgr);
	if (job == NULL)
		job = IMB_FLUSH_JOB(mgr);
	if (job == NULL || job->status != IMB_STATUS_COMPLETED)
		rc = -1;

	explicit_bzero(enc, sizeof(enc));
	explicit_bzero(dec, sizeof(dec));
	return rc;
}
