/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One AES block encryption with AES-NI, for the first counter block of an
 * assembled protect (srtp_rtp.c).  ipsec-mb has no single-block AES-256 call;
 * its expanded encryption keys are the standard FIPS-197 round keys, 16
 * bytes each, which the AES-NI instructions take as they are.
 */
#include <immintrin.h>
#include <stdint.h>

#include "srtp_engine.h"

__attribute__((target("aes,sse2"))) void
strata_srtp_aes_block(const uint8_t *round_keys, unsigned key_len, const uint8_t in[16],
		      uint8_t out[16])
{
	const __m128i *rk = (const __m128i *)round_keys;
	unsigned rounds = key_len == 16 ? 10 : 14;
	__m128i b = _mm_xor_si128(_mm_loadu_si128((const __m128i *)in), _mm_load_si128(&rk[0]));

	for (unsigned r = 1; r < rounds; r++)
		b = _mm_aesenc_si128(b, _mm_load_si128(&rk[r]));
	b = _mm_aesenclast_si128(b, _mm_load_si128(&rk[rounds]));
	_mm_storeu_si128((__m128i *)out, b);
}
