/* SPDX-License-Identifier: BSD-3-Clause */
/* STUN Binding answers (RFC 5389): see stun.h. */
#include <stdbool.h>
#include <string.h>

#include "stun.h"

static const char *const result_names[] = {
#define CP_STUN_NAME(name, str) str,
	CP_STUN_FOREACH_RESULT(CP_STUN_NAME)
#undef CP_STUN_NAME
};

const char *cp_stun_result_name(enum cp_stun_result r)
{
	return r < CP_STUN_RESULT_COUNT ? result_names[r] : "unknown";
}

uint32_t cp_stun_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#define ATTR_USERNAME 0x0006
#define ATTR_MESSAGE_INTEGRITY 0x0008
#define ATTR_XOR_MAPPED_ADDRESS 0x0020
#define ATTR_FINGERPRINT 0x8028
#define FINGERPRINT_XOR 0x5354554eu

enum cp_stun_result cp_stun_answer(const uint8_t *req, size_t len,
				   const struct strata_addr *remote, uint8_t *out, size_t cap,
				   size_t *out_len)
{
	size_t off = CP_STUN_HEADER, n;

	/*
	 * RFC 5389 section 6: the two most significant bits are zero, the
	 * length counts the attributes after the 20-byte header and is a
	 * multiple of 4, the magic cookie is 0x2112A442.
	 */
	if (len < CP_STUN_HEADER || (req[0] & 0xc0) || get16(req + 2) != len - CP_STUN_HEADER ||
	    (len & 3) || get32(req + 4) != CP_STUN_MAGIC)
		return CP_STUN_MALFORMED;
	/* Section 18.1: Binding is method 0x001; a request has class 00. */
	if (get16(req) != 0x0001)
		return CP_STUN_NOT_REQUEST;
	/* Section 15: type, length, value padded to 4 bytes.  The whole list is
	 * checked first; then an ICE check (credentials) is told apart from a
	 * request with an attribute nobody here knows. */
	bool authenticated = false, unknown = false;

	while (off < len) {
		uint16_t type, alen;

		if (len - off < 4)
			return CP_STUN_MALFORMED;
		type = get16(req + off);
		alen = get16(req + off + 2);
		if ((size_t)alen + 4 > len - off || (((size_t)alen + 3) & ~(size_t)3) + 4 > len - off)
			return CP_STUN_MALFORMED;
		if (type == ATTR_USERNAME || type == ATTR_MESSAGE_INTEGRITY) {
			authenticated = true;
		} else if (type == ATTR_FINGERPRINT) {
			/* Section 15.5: the last attribute, CRC-32 of the message
			 * before it, XORed with 0x5354554e. */
			if (alen != 4 || off + 8 != len)
				return CP_STUN_MALFORMED;
			if (get32(req + off + 4) != (cp_stun_crc32(req, off) ^ FINGERPRINT_XOR))
				return CP_STUN_BAD_FINGERPRINT;
		} else if (type < 0x8000) {
			/* Section 7.3.1: an unknown comprehension-required
			 * attribute fails the request. */
			unknown = true;
		}
		off += 4 + (((size_t)alen + 3) & ~(size_t)3);
	}
	if (authenticated)
		return CP_STUN_AUTHENTICATED;
	if (unknown)
		return CP_STUN_UNKNOWN_ATTRIBUTE;
	if (remote->family != STRATA_AF_INET && remote->family != STRATA_AF_INET6)
		return CP_STUN_MALFORMED;
	n = remote->family == STRATA_AF_INET ? 4 : 16;
	if (cap < CP_STUN_HEADER + 4 + 4 + n + 8)
		return CP_STUN_MALFORMED;

	/* Section 7.3.1.1: a success response, the request's transaction id. */
	memcpy(out, req, CP_STUN_HEADER);
	put16(out, 0x0101);
	off = CP_STUN_HEADER;
	/*
	 * Section 15.2: XOR-MAPPED-ADDRESS: family, the port XORed with the
	 * cookie's high 16 bits, the address XORed with the cookie (IPv4) or
	 * with the cookie and the transaction id (IPv6).
	 */
	put16(out + off, ATTR_XOR_MAPPED_ADDRESS);
	put16(out + off + 2, (uint16_t)(4 + n));
	out[off + 4] = 0;
	out[off + 5] = remote->family == STRATA_AF_INET ? 0x01 : 0x02;
	put16(out + off + 6, remote->port ^ (uint16_t)(CP_STUN_MAGIC >> 16));
	for (size_t i = 0; i < n; i++)
		out[off + 8 + i] = remote->ip[i] ^ req[4 + i]; /* cookie, then transaction id */
	off += 8 + n;
	/* FINGERPRINT last, with the length already counting it. */
	put16(out + 2, (uint16_t)(off + 8 - CP_STUN_HEADER));
	put16(out + off, ATTR_FINGERPRINT);
	put16(out + off + 2, 4);
	put32(out + off + 4, cp_stun_crc32(out, off) ^ FINGERPRINT_XOR);
	*out_len = off + 8;
	return CP_STUN_ANSWERED;
}
