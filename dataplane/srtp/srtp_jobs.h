/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Filling ipsec-mb jobs for the two SRTP transforms, shared by RTP and RTCP.
 */
#ifndef STRATA_SRTP_JOBS_H
#define STRATA_SRTP_JOBS_H

#include <stdint.h>
#include <string.h>

#include "srtp.h"

/* ipsec-mb returns HMAC-SHA1 tags of 12 (IPsec) or 20 bytes; SRTP keeps
 * the first 10 or 4 (RFC 3711 section 4.2.1). */
#define SRTP_HMAC_TAG_OUT 12

/*
 * AES-CM (RFC 3711 section 4.1.1) with HMAC-SHA1 (section 4.2.1).
 *
 * The cipher reads cipher_len bytes at `in` and writes them at `out` (the
 * same place, or the receiver's buffer); the HMAC covers mac[0, mac_len).
 * Protecting, the cipher runs first and the MAC covers the ciphertext it
 * wrote; unprotecting, the MAC runs first, then the cipher decrypts in place.
 *
 * ipsec-mb hashes from job->src + hash_start_src_offset_in_bytes.  When the
 * MAC'd buffer is not the cipher's input (copy-and-encrypt for a receiver),
 * the offset is mac - in modulo 2^64, so the MAC covers what was written, in
 * the same job; DPDK's ipsec_mb driver computes out-of-place cipher-then-hash
 * offsets the same way.
 */
static inline void srtp_job_cm_hmac(IMB_JOB *job, const struct strata_srtp_keys *k,
				    uint8_t key_len, int encrypt, const uint8_t *in, uint8_t *out,
				    uint32_t cipher_len, const uint8_t *mac, uint32_t mac_len,
				    const uint8_t *iv, uint8_t *tag_out)
{
	/* ipsec-mb refuses zero-length counter-mode jobs; an SRTCP packet
	 * that is only a header has nothing to encrypt but still a MAC. */
	if (cipher_len == 0)
		in = mac;
	job->cipher_mode = cipher_len ? IMB_CIPHER_CNTR : IMB_CIPHER_NULL;
	job->cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	job->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->enc_keys = k->cm.aes_enc;
	job->dec_keys = k->cm.aes_enc;
	job->key_len_in_bytes = key_len;
	job->src = in;
	job->dst = out;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = cipher_len;
	job->iv = iv;
	job->iv_len_in_bytes = 16;
	job->hash_alg = IMB_AUTH_HMAC_SHA_1;
	job->hash_start_src_offset_in_bytes = (uint64_t)((uintptr_t)mac - (uintptr_t)in);
	job->msg_len_to_hash_in_bytes = mac_len;
	job->auth_tag_output = tag_out;
	job->auth_tag_output_len_in_bytes = SRTP_HMAC_TAG_OUT;
	job->u.HMAC._hashed_auth_key_xor_ipad = k->cm.hmac_ipad;
	job->u.HMAC._hashed_auth_key_xor_opad = k->cm.hmac_opad;
}

/*
 * AES-GCM (RFC 7714): encrypts or decrypts cipher_len bytes from `in` to
 * `out`, authenticating aad[0, aad_len) and the ciphertext; the 16-byte
 * tag goes to tag_out.
 */
static inline void srtp_job_gcm(IMB_JOB *job, const struct strata_srtp_keys *k, uint8_t key_len,
				int encrypt, const uint8_t *in, uint8_t *out, uint32_t cipher_len,
				const uint8_t *aad, uint32_t aad_len, const uint8_t *iv,
				uint8_t *tag_out)
{
	job->cipher_mode = IMB_CIPHER_GCM;
	job->cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	job->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->enc_keys = &k->gcm;
	job->dec_keys = &k->gcm;
	job->key_len_in_bytes = key_len;
	job->src = in;
	job->dst = out;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = cipher_len;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = cipher_len;
	job->iv = iv;
	job->iv_len_in_bytes = 12;
	job->hash_alg = IMB_AUTH_AES_GMAC;
	job->u.GCM.aad = aad;
	job->u.GCM.aad_len_in_bytes = aad_len;
	job->auth_tag_output = tag_out;
	job->auth_tag_output_len_in_bytes = 16;
}

/*
 * AES-GCM encryption of a plaintext in two pieces (ipsec-mb's scatter-gather
 * GCM): the per-receiver prefix already in the output buffer, and the rest
 * read from the input packet.  One pass over the data, one tag.
 */
static inline void srtp_job_gcm_sgl(IMB_JOB *job, const struct strata_srtp_keys *k,
				    uint8_t key_len, const struct IMB_SGL_IOV *segs,
				    unsigned n_segs, uint32_t total_len,
				    struct gcm_context_data *ctx, const uint8_t *aad,
				    uint32_t aad_len, const uint8_t *iv, uint8_t *tag_out)
{
	job->cipher_mode = IMB_CIPHER_GCM_SGL;
	job->hash_alg = IMB_AUTH_GCM_SGL;
	job->cipher_direction = IMB_DIR_ENCRYPT;
	job->chain_order = IMB_ORDER_CIPHER_HASH;
	job->enc_keys = &k->gcm;
	job->dec_keys = &k->gcm;
	job->key_len_in_bytes = key_len;
	job->sgl_io_segs = segs;
	job->num_sgl_io_segs = n_segs;
	job->sgl_state = IMB_SGL_ALL;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = total_len;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = total_len;
	job->iv = iv;
	job->iv_len_in_bytes = 12;
	job->u.GCM.aad = aad;
	job->u.GCM.aad_len_in_bytes = aad_len;
	job->u.GCM.ctx = ctx;
	job->auth_tag_output = tag_out;
	job->auth_tag_output_len_in_bytes = 16;
}

/* Compares two tags in time that does not depend on where they differ. */
static inline int srtp_tag_equal(const uint8_t *a, const uint8_t *b, unsigned len)
{
	uint8_t diff = 0;

	for (unsigned i = 0; i < len; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

/*
 * Copies a tag of one of the lengths SRTP uses (4, 10 or 16 bytes) with
 * fixed-size copies: a variable-length memcpy compiles to `rep movs`, whose
 * start-up cost showed in profiles of every packet.  Reads and writes
 * exactly len bytes: the packet may end right after the tag.
 */
static inline void srtp_copy_tag(uint8_t *dst, const uint8_t *src, unsigned len)
{
	switch (len) {
	case 4: memcpy(dst, src, 4); break;
	case 10: memcpy(dst, src, 10); break;
	case 16: memcpy(dst, src, 16); break;
	default: memcpy(dst, src, len); break;
	}
}

/*
 * The IVs are built in two 64-bit registers and stored once: building them
 * byte by byte over a copied salt made the CPU wait on store forwarding.
 * `be` holds the big-endian bytes 0-7 or 8-15 of the block as a number.
 */
static inline void srtp_iv_store(uint8_t *iv, const struct strata_srtp_keys *k, uint64_t be0,
				 uint64_t be1)
{
	uint64_t salt0, salt1;

	memcpy(&salt0, k->salt, 8);
	memcpy(&salt1, k->salt + 8, 8);
	salt0 ^= __builtin_bswap64(be0);
	salt1 ^= __builtin_bswap64(be1);
	memcpy(iv, &salt0, 8);
	memcpy(iv + 8, &salt1, 8);
}

/*
 * RFC 3711 section 4.1.1: "IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR
 * (i * 2^16)", where i is the 48-bit SRTP index or the 31-bit SRTCP index.
 * The session salt occupies bytes 0-13 (bytes 14-15 of k->salt are zero),
 * the SSRC bytes 4-7 and the index bytes 8-13.
 */
static inline void srtp_iv_cm(uint8_t *iv, const struct strata_srtp_keys *k, uint32_t ssrc,
			      uint64_t index)
{
	srtp_iv_store(iv, k, ssrc, index << 16);
}

/*
 * RFC 7714 section 8.1: "The 12-octet IV used by AES-GCM SRTP is formed by
 * first concatenating 2 octets of zeroes, the 4-octet SSRC, the 4-octet
 * rollover counter (ROC), and the 2-octet sequence number (SEQ).  The
 * resulting 12-octet value is then XORed to the 12-octet salt to form the
 * 12-octet IV."  Section 9.1 forms the SRTCP IV the same way from 2 zero
 * octets, the SSRC, 2 zero octets, a zero bit and the 31-bit SRTCP index:
 * both are the index, right-aligned in octets 6-11.  Octets 12-15 of the
 * block are zero salt and are not read (the IV is 12 octets).
 */
static inline void srtp_iv_gcm(uint8_t *iv, const struct strata_srtp_keys *k, uint32_t ssrc,
			       uint64_t index)
{
	srtp_iv_store(iv, k, ((uint64_t)ssrc << 16) | (index >> 32), index << 32);
}

#endif /* STRATA_SRTP_JOBS_H */
