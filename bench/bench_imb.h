/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ceiling of strata-bench's measurements: raw intel-ipsec-mb doing the
 * cipher and MAC work of SRTP packets and nothing else -- no parsing, no
 * index or IV computation (each job slot has a fixed IV), no replay window,
 * no tag copy or compare.  Shared by `crypto` (one operation per packet)
 * and `fwd` (one decrypt and F encrypts per forwarded input).
 *
 * The jobs are the ones Strata's engine submits (dataplane/srtp/srtp_jobs.h):
 *   CM:  AES-CTR over the payload, src -> dst; HMAC-SHA1 over dst's header,
 *        payload and 4 more bytes (where SRTP puts the ROC), 12-byte output.
 *   GCM: AES-GCM over the payload with the header as AAD, 16-byte tag.
 *   GCM, assembled protect with a per-receiver prefix (a rewritten payload
 *        descriptor already in the output): ipsec-mb's scatter-gather GCM
 *        over two segments, the prefix in place and the rest src -> dst.
 */
#ifndef STRATA_BENCH_IMB_H
#define STRATA_BENCH_IMB_H

#include <stdint.h>

#include "srtp.h"

/*
 * One packet of len bytes (hdr_len of header, then the payload) from src
 * to dst; both point at the header.  Decrypting, src == dst (in place).
 * Encrypting with GCM the tag goes where SRTP puts it, at dst + len;
 * otherwise to `tag` (16 bytes).
 */
static inline void bench_imb_fill(IMB_JOB *job, const struct strata_srtp_profile *p,
				  const struct strata_srtp_keys *k, int encrypt, const uint8_t *src,
				  uint8_t *dst, uint32_t hdr_len, uint32_t len, const uint8_t *iv,
				  uint8_t *tag)
{
	uint32_t payload = len - hdr_len;

	job->cipher_direction = encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	job->chain_order = encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->key_len_in_bytes = p->key_len;
	job->src = src;
	job->dst = dst + hdr_len;
	job->cipher_start_src_offset_in_bytes = hdr_len;
	job->msg_len_to_cipher_in_bytes = payload;
	job->iv = iv;
	if (p->aead) {
		job->cipher_mode = IMB_CIPHER_GCM;
		job->enc_keys = &k->gcm;
		job->dec_keys = &k->gcm;
		job->iv_len_in_bytes = 12;
		job->hash_alg = IMB_AUTH_AES_GMAC;
		job->hash_start_src_offset_in_bytes = hdr_len;
		job->msg_len_to_hash_in_bytes = payload;
		job->u.GCM.aad = src;
		job->u.GCM.aad_len_in_bytes = hdr_len;
		job->auth_tag_output = encrypt ? dst + len : tag;
		job->auth_tag_output_len_in_bytes = 16;
	} else {
		job->cipher_mode = IMB_CIPHER_CNTR;
		job->enc_keys = k->cm.aes_enc;
		job->dec_keys = k->cm.aes_enc;
		job->iv_len_in_bytes = 16;
		job->hash_alg = IMB_AUTH_HMAC_SHA_1;
		/* ipsec-mb hashes from src + offset; out of place, the MAC
		 * must cover the ciphertext written at dst. */
		job->hash_start_src_offset_in_bytes = (uint64_t)((uintptr_t)dst - (uintptr_t)src);
		job->msg_len_to_hash_in_bytes = len + 4;
		job->auth_tag_output = tag;
		job->auth_tag_output_len_in_bytes = 12;
		job->u.HMAC._hashed_auth_key_xor_ipad = k->cm.hmac_ipad;
		job->u.HMAC._hashed_auth_key_xor_opad = k->cm.hmac_opad;
	}
}

/*
 * GCM encryption of a payload in two pieces, as the engine's assembled
 * protect does it when a receiver's prefix was rewritten: prefix bytes at
 * dst + hdr_len (in place), the rest read at `rest` and written after
 * them.  segs and ctx live until the job completes.  The tag goes to
 * dst + len.
 */
static inline void bench_imb_fill_gcm_sgl(IMB_JOB *job, const struct strata_srtp_profile *p,
					  const struct strata_srtp_keys *k, const uint8_t *rest,
					  uint8_t *dst, uint32_t hdr_len, uint32_t len,
					  uint32_t prefix, struct IMB_SGL_IOV segs[2],
					  struct gcm_context_data *ctx, const uint8_t *iv)
{
	uint8_t *payload = dst + hdr_len;
	uint32_t payload_len = len - hdr_len;

	segs[0] = (struct IMB_SGL_IOV){ payload, payload, prefix };
	segs[1] = (struct IMB_SGL_IOV){ rest, payload + prefix, payload_len - prefix };
	job->cipher_mode = IMB_CIPHER_GCM_SGL;
	job->hash_alg = IMB_AUTH_GCM_SGL;
	job->cipher_direction = IMB_DIR_ENCRYPT;
	job->chain_order = IMB_ORDER_CIPHER_HASH;
	job->enc_keys = &k->gcm;
	job->dec_keys = &k->gcm;
	job->key_len_in_bytes = p->key_len;
	job->sgl_io_segs = segs;
	job->num_sgl_io_segs = payload_len > prefix ? 2 : 1;
	job->sgl_state = IMB_SGL_ALL;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = payload_len;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = payload_len;
	job->iv = iv;
	job->iv_len_in_bytes = 12;
	job->u.GCM.aad = dst;
	job->u.GCM.aad_len_in_bytes = hdr_len;
	job->u.GCM.ctx = ctx;
	job->auth_tag_output = dst + len;
	job->auth_tag_output_len_in_bytes = 16;
}

/* Fills job i of a burst. */
typedef void (*bench_imb_fill_fn)(void *arg, IMB_JOB *job, unsigned i);

/*
 * The burst API as the engine uses it: get n jobs, fill them, submit them
 * in one call, flush the rest.  n <= IMB_MAX_BURST_SIZE.  Returns NULL, or
 * what went wrong (a job not completed, the library refusing the burst).
 * Always inlined, so that a constant `fill` is a direct call.
 */
static inline __attribute__((always_inline)) const char *
bench_imb_run(IMB_MGR *mgr, IMB_JOB **jobs, unsigned n, bench_imb_fill_fn fill, void *arg)
{
	if (IMB_GET_NEXT_BURST(mgr, n, jobs) < n)
		return "IMB_GET_NEXT_BURST gave fewer jobs than asked";
	for (unsigned i = 0; i < n; i++)
		fill(arg, jobs[i], i);
	unsigned done = IMB_SUBMIT_BURST(mgr, n, jobs);
	if (done == 0 && imb_get_errno(mgr) != 0)
		return imb_get_strerror(imb_get_errno(mgr));
	for (unsigned left = n - done;; ) {
		for (unsigned i = 0; i < done; i++)
			if (jobs[i]->status != IMB_STATUS_COMPLETED)
				return "ipsec-mb job not completed";
		if (left == 0)
			return NULL;
		done = IMB_FLUSH_BURST(mgr, left, jobs);
		if (done == 0)
			return "IMB_FLUSH_BURST returned no job";
		left -= done;
	}
}

#endif /* STRATA_BENCH_IMB_H */
