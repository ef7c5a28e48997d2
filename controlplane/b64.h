/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Base64 (RFC 4648 section 4, the standard alphabet) as tokens use it.
 *
 * The decoder is strict, because a token is an authenticator and there
 * should be one way to write each: only A-Z a-z 0-9 + /, padding "=" either
 * complete or absent (back ends that strip it still work), no whitespace,
 * no URL-safe "-" "_", no "=" anywhere but the end, no length that no
 * encoder produces (4k+1), and the unused low bits of the last character
 * zero (RFC 4648 section 3.5's canonical encoding; every encoder writes
 * them so).
 */
#ifndef STRATA_CP_B64_H
#define STRATA_CP_B64_H

#include <stddef.h>
#include <stdint.h>

/* Characters cp_b64_encode writes for n bytes, padding included, without
 * the NUL. */
static inline size_t cp_b64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

/* Upper bound of the bytes len characters decode to. */
static inline size_t cp_b64_decoded_max(size_t len)
{
	return len / 4 * 3 + 2;
}

/* Writes n bytes as padded base64 and a NUL into out; returns the length
 * written (without the NUL), or -1 when cap is smaller than
 * cp_b64_encoded_len(n) + 1. */
long cp_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap);

/* Decodes len characters; returns the byte count, or -1 on any input the
 * rules above refuse or when the result would not fit in cap bytes. */
long cp_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap);

#endif /* STRATA_CP_B64_H */
