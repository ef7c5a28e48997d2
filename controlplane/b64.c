/* SPDX-License-Identifier: BSD-3-Clause */
#include "b64.h"

static const char alphabet[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

long cp_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	size_t need = cp_b64_encoded_len(n), o = 0, i = 0;

	if (need >= cap)
		return -1;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);

		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = 0;
	return (long)o;
}

/* The 6-bit value of c, or -1 for anything outside the standard alphabet. */
static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long cp_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
	size_t data = len, pad = 0, o = 0, i;
	uint32_t acc = 0;
	int v = 0;

	while (pad < 2 && data > 0 && in[data - 1] == '=') {
		data--;
		pad++;
	}
	/* Padding, when present, completes the last group exactly. */
	if (pad && (len % 4 != 0 || data % 4 != 4 - pad))
		return -1;
	if (data % 4 == 1)
		return -1;
	if (data / 4 * 3 + (data % 4 ? data % 4 - 1 : 0) > cap)
		return -1;
	for (i = 0; i < data; i++) {
		v = b64_value((unsigned char)in[i]);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		if (i % 4 == 3) {
			out[o++] = (uint8_t)(acc >> 16);
			out[o++] = (uint8_t)(acc >> 8);
			out[o++] = (uint8_t)acc;
			acc = 0;
		}
	}
	/* A tail of 2 characters carries 1 byte and 4 unused bits, one of 3
	 * carries 2 bytes and 2 unused bits; the unused bits must be zero. */
	if (data % 4 == 2) {
		if (v & 0x0f)
			return -1;
		out[o++] = (uint8_t)(acc >> 4);
	} else if (data % 4 == 3) {
		if (v & 0x03)
			return -1;
		out[o++] = (uint8_t)(acc >> 10);
		out[o++] = (uint8_t)(acc >> 2);
	}
	return (long)o;
}
