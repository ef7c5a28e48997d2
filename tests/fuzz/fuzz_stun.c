/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: cp_stun_answer (controlplane/stun.c) on hostile
 * datagrams, as a punted packet from an IPv4 and from an IPv6 client.
 *
 * Promises, each checked with abort():
 *   - the result is one of CP_STUN_FOREACH_RESULT;
 *   - an answer only to a Binding request (0x0001, the cookie, a length
 *     that is the datagram's), never to one carrying USERNAME (0x0006) or
 *     MESSAGE-INTEGRITY (0x0008) anywhere in a well-formed attribute list;
 *   - an answer is a Binding success response (0x0101) of the request's
 *     transaction id, exactly XOR-MAPPED-ADDRESS and FINGERPRINT, whose
 *     length field, address (XORed back) and CRC-32 all check out.
 *
 * Seeds (corpus/stun/): a plain Binding request, one with FINGERPRINT,
 * RFC 5769's sample request (an ICE check), a success response.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_stun: %s\n", what);
		abort();
	}
}

static void one(const uint8_t *data, size_t size, const struct strata_addr *remote)
{
	uint8_t out[128];
	size_t n = 0, ipn = remote->family == STRATA_AF_INET ? 4 : 16;
	enum cp_stun_result r = cp_stun_answer(data, size, remote, out, sizeof(out), &n);

	check(r < CP_STUN_RESULT_COUNT, "result");
	if (r != CP_STUN_ANSWERED)
		return;
	check(size >= 20 && data[0] == 0 && data[1] == 1 &&
		      ((size_t)data[2] << 8 | data[3]) == size - 20 && data[4] == 0x21 &&
		      data[5] == 0x12 && data[6] == 0xa4 && data[7] == 0x42,
	      "answered something that is not a Binding request");
	for (size_t off = 20; off + 4 <= size;) {
		unsigned type = (unsigned)data[off] << 8 | data[off + 1];
		size_t alen = (size_t)data[off + 2] << 8 | data[off + 3];

		check(type != 0x0006 && type != 0x0008, "answered an ICE check");
		off += 4 + ((alen + 3) & ~(size_t)3);
	}
	check(n == 20 + 8 + ipn + 8, "answer length");
	check(out[0] == 1 && out[1] == 1 && ((size_t)out[2] << 8 | out[3]) == n - 20,
	      "answer header");
	check(memcmp(out + 4, data + 4, 16) == 0, "transaction id");
	check(out[20] == 0 && out[21] == 0x20 && out[23] == 4 + ipn, "XOR-MAPPED-ADDRESS");
	check(((out[26] << 8 | out[27]) ^ 0x2112) == remote->port, "port");
	for (size_t i = 0; i < ipn; i++)
		check((out[28 + i] ^ data[4 + i]) == remote->ip[i], "address");
	uint32_t fp = cp_stun_crc32(out, n - 8) ^ 0x5354554eu;
	check(out[n - 8] == 0x80 && out[n - 7] == 0x28 && out[n - 4] == (uint8_t)(fp >> 24) &&
		      out[n - 3] == (uint8_t)(fp >> 16) && out[n - 2] == (uint8_t)(fp >> 8) &&
		      out[n - 1] == (uint8_t)fp,
	      "FINGERPRINT");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct strata_addr v4 = { .family = STRATA_AF_INET, .port = 50000,
					       .ip = { 192, 0, 2, 1 } };
	static const struct strata_addr v6 = { .family = STRATA_AF_INET6, .port = 3478,
					       .ip = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };

	one(data, size, &v4);
	one(data, size, &v6);
	return 0;
}
