/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STUN Binding answers (controlplane/stun.c) against RFC 5769's test
 * vectors:
 *
 *   2.1  the sample request ("STUN test client"; Python's zlib.crc32 agrees
 *        on its FINGERPRINT): its FINGERPRINT is our CRC-32's; it carries
 *        USERNAME and MESSAGE-INTEGRITY (an ICE check), so no answer
 *   2.2  XOR-MAPPED-ADDRESS of 192.0.2.1:32853 with that transaction id:
 *        our answer's attribute is the RFC's bytes
 *   2.3  the same for 2001:db8:1234:5678:11:2233:4455:6677 port 32853
 * and the refusals: short, wrong cookie, length not the datagram's, an
 * attribute past the end, a response, a wrong FINGERPRINT, an unknown
 * comprehension-required attribute; a right FINGERPRINT is answered.
 */
#include <arpa/inet.h>

#include "stun.h"
#include "test_util.h"

/* RFC 5769 section 2.1. */
static const uint8_t sample_request[] = {
	0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
	0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e,
	0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24,
	0x00, 0x04, 0x6e, 0x00, 0x01, 0xff, 0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1,
	0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68,
	0x36, 0x76, 0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c,
	0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5,
	0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};

/* A plain Binding request with the RFC's transaction id. */
static void plain_request(uint8_t req[20])
{
	memcpy(req, sample_request, 20);
	req[2] = req[3] = 0;
}

static void check_answer(const struct strata_addr *remote, const uint8_t *want, size_t want_len,
			 const char *what)
{
	uint8_t req[20], out[128];
	size_t n = 0;

	plain_request(req);
	CHECK(cp_stun_answer(req, sizeof(req), remote, out, sizeof(out), &n) == CP_STUN_ANSWERED,
	      "%s: not answered", what);
	CHECK(n == 20 + 4 + want_len + 8, "%s: %zu bytes", what, n);
	if (n != 20 + 4 + want_len + 8)
		return;
	CHECK(out[0] == 0x01 && out[1] == 0x01 && out[2] == 0 && out[3] == n - 20,
	      "%s: header", what);
	CHECK_MEM(out + 4, req + 4, 16, "cookie and transaction id");
	CHECK(out[20] == 0x00 && out[21] == 0x20 && out[23] == want_len, "%s: attribute", what);
	CHECK_MEM(out + 24, want, want_len, what);
	/* The answer's own FINGERPRINT holds: it parses as a valid message. */
	uint32_t fp = cp_stun_crc32(out, n - 8) ^ 0x5354554eu;
	CHECK(out[n - 8] == 0x80 && out[n - 7] == 0x28 && out[n - 4] == (uint8_t)(fp >> 24) &&
		      out[n - 1] == (uint8_t)fp,
	      "%s: fingerprint", what);
}

int main(void)
{
	uint8_t req[64], out[128];
	size_t n;
	struct strata_addr v4 = { .family = STRATA_AF_INET, .port = 32853 };
	struct strata_addr v6 = { .family = STRATA_AF_INET6, .port = 32853 };
	static const uint8_t xma4[] = { 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43 };
	static const uint8_t xma6[] = { 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
					0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5,
					0xbe, 0xd2, 0xb9, 0xd9 };

	/* 2.1 */
	CHECK((cp_stun_crc32(sample_request, sizeof(sample_request) - 8) ^ 0x5354554eu) ==
		      0xe57a3bcfu,
	      "RFC 5769 2.1: FINGERPRINT");
	CHECK(cp_stun_answer(sample_request, sizeof(sample_request), &v4, out, sizeof(out), &n) ==
		      CP_STUN_AUTHENTICATED,
	      "RFC 5769 2.1: an ICE check is not answered");
	/* 2.2, 2.3 */
	inet_pton(AF_INET, "192.0.2.1", v4.ip);
	inet_pton(AF_INET6, "2001:db8:1234:5678:11:2233:4455:6677", v6.ip);
	check_answer(&v4, xma4, sizeof(xma4), "RFC 5769 2.2 XOR-MAPPED-ADDRESS");
	check_answer(&v6, xma6, sizeof(xma6), "RFC 5769 2.3 XOR-MAPPED-ADDRESS");

	/* refusals */
	plain_request(req);
	CHECK(cp_stun_answer(req, 19, &v4, out, sizeof(out), &n) == CP_STUN_MALFORMED, "short");
	req[7] ^= 1;
	CHECK(cp_stun_answer(req, 20, &v4, out, sizeof(out), &n) == CP_STUN_MALFORMED, "cookie");
	plain_request(req);
	req[3] = 4;
	CHECK(cp_stun_answer(req, 20, &v4, out, sizeof(out), &n) == CP_STUN_MALFORMED, "length");
	memset(req + 20, 0, 4);
	req[22] = 0;
	req[23] = 8; /* an attribute of 8 bytes in a 4-byte body */
	req[20] = 0x80;
	CHECK(cp_stun_answer(req, 24, &v4, out, sizeof(out), &n) == CP_STUN_MALFORMED, "overrun");
	plain_request(req);
	req[1] = 0x01;
	req[0] = 0x01; /* 0x0101: a success response */
	CHECK(cp_stun_answer(req, 20, &v4, out, sizeof(out), &n) == CP_STUN_NOT_REQUEST,
	      "response");
	/* A request with FINGERPRINT: right, then wrong. */
	plain_request(req);
	req[3] = 8;
	req[20] = 0x80;
	req[21] = 0x28;
	req[22] = 0;
	req[23] = 4;
	uint32_t fp = cp_stun_crc32(req, 20) ^ 0x5354554eu;
	req[24] = (uint8_t)(fp >> 24);
	req[25] = (uint8_t)(fp >> 16);
	req[26] = (uint8_t)(fp >> 8);
	req[27] = (uint8_t)fp;
	CHECK(cp_stun_answer(req, 28, &v4, out, sizeof(out), &n) == CP_STUN_ANSWERED,
	      "a right FINGERPRINT");
	req[27] ^= 0x40;
	CHECK(cp_stun_answer(req, 28, &v4, out, sizeof(out), &n) == CP_STUN_BAD_FINGERPRINT,
	      "a wrong FINGERPRINT");
	/* PRIORITY (0x0024) without credentials: unknown here. */
	plain_request(req);
	req[3] = 8;
	req[20] = 0x00;
	req[21] = 0x24;
	req[22] = 0;
	req[23] = 4;
	CHECK(cp_stun_answer(req, 28, &v4, out, sizeof(out), &n) == CP_STUN_UNKNOWN_ATTRIBUTE,
	      "an unknown comprehension-required attribute");
	return test_summary("cp_stun");
}
