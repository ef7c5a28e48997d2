/* SPDX-License-Identifier: BSD-3-Clause */
/* Reproducible random packets for the interop tests: see interop_packets.h. */
#include <stdlib.h>
#include <string.h>

#include "interop_packets.h"
#include "rtp_header.h"
#include "srtp_fixture.h"
#include "test_util.h"

#define SEED_DEFAULT 0x5354524154410001ull /* "STRATA" 0001 */

uint64_t base_seed = SEED_DEFAULT;

void seed_from_env(void)
{
	const char *env = getenv("STRATA_SRTP_INTEROP_SEED");

	if (env != NULL && *env != '\0')
		base_seed = strtoull(env, NULL, 0);
}

uint64_t case_rng(unsigned tag, unsigned a, unsigned b)
{
	uint64_t z = base_seed ^ ((uint64_t)tag << 40) ^ ((uint64_t)a << 20) ^ b;

	/* splitmix64's finaliser: nearby tags give unrelated streams. */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void fill_random(uint64_t *rng, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(test_rand(rng) >> 7);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint16_t start_seq(uint64_t *rng, unsigned most)
{
	return (uint16_t)(65536 - 40 - test_rand(rng) % (most - 40 + 1));
}

/*
 * RFC 8285 section 4.2 one-byte header elements filling n bytes: ID 1-14
 * and length 1-16 in the first byte, then the data; zero bytes are padding,
 * between elements and at the end.
 */
static void fill_one_byte_ext(uint64_t *rng, uint8_t *p, uint32_t n)
{
	uint32_t i = 0;

	while (i + 2 <= n) {
		uint32_t room = n - i - 1;
		uint32_t len = 1 + test_rand(rng) % (room < 16 ? room : 16);

		p[i++] = (uint8_t)((1 + test_rand(rng) % 14) << 4 | (len - 1));
		fill_random(rng, p + i, len);
		i += len;
		if (i < n && test_rand(rng) % 4 == 0)
			p[i++] = 0;
	}
	while (i < n)
		p[i++] = 0;
}

uint32_t gen_rtp(uint64_t *rng, uint8_t *p, uint32_t ssrc, uint16_t seq, uint32_t ts,
		 unsigned pkt_no)
{
	uint32_t r = test_rand(rng);
	unsigned cc = r % 4 == 0 ? (r >> 2) % 16 : 0; /* CSRCs on a quarter */
	bool ext = (r >> 8) % 2;
	uint32_t n = 12;

	/* Marker and payload type 0-127 at random. */
	fx_rtp_header(p, (uint8_t)(0x80 | (ext ? 0x10 : 0) | cc), (uint8_t)((r >> 9) % 256), seq,
		      ts, ssrc);
	for (unsigned i = 0; i < cc; i++, n += 4)
		strata_put_be32(p + n, test_rand(rng));
	if (ext) {
		uint16_t words = (uint16_t)(test_rand(rng) % 17);

		put_be16(p + n, 0xbede); /* RFC 8285 one-byte header profile */
		put_be16(p + n + 2, words);
		fill_one_byte_ext(rng, p + n + 4, 4u * words);
		n += 4 + 4u * words;
	}
	uint32_t payload = pkt_no % 97 == 0 ? 0 : test_rand(rng) % (MAX_PAYLOAD + 1);
	fill_random(rng, p + n, payload);
	return n + payload;
}

void gen_rtcp(uint64_t *rng, uint8_t *p, uint32_t ssrc, uint32_t len)
{
	for (uint32_t off = 0; off < len;) {
		uint32_t left = len - off, sub = left;

		if (left >= 16 && test_rand(rng) % 2)
			sub = 8 + 4 * (test_rand(rng) % ((left - 16) / 4 + 1));
		p[off] = (uint8_t)(0x80 | test_rand(rng) % 32);
		p[off + 1] = (uint8_t)(200 + test_rand(rng) % 2);
		put_be16(p + off + 2, (uint16_t)(sub / 4 - 1));
		strata_put_be32(p + off + 4, off == 0 ? ssrc : test_rand(rng));
		fill_random(rng, p + off + 8, sub - 8);
		off += sub;
	}
}

uint32_t rtcp_len(uint64_t *rng, unsigned pkt_no)
{
	if (pkt_no < 2)
		return 8 + 4 * pkt_no;
	return 8 + 4 * (test_rand(rng) % ((MAX_RTCP - 8) / 4 + 1));
}

void flow_start(struct flow *f, uint64_t *rng, bool rtcp, unsigned most)
{
	memset(f, 0, sizeof(*f));
	f->rtcp = rtcp;
	f->ssrc = test_rand(rng);
	if (most == 0)
		return;
	f->ts = test_rand(rng);
	f->seq = start_seq(rng, most);
}

uint32_t flow_next(struct flow *f, uint64_t *rng, uint8_t *p, unsigned pkt_no)
{
	if (f->rtcp) {
		uint32_t len = rtcp_len(rng, pkt_no);

		gen_rtcp(rng, p, f->ssrc, len);
		return len;
	}
	f->ts += 3000;
	return gen_rtp(rng, p, f->ssrc, f->seq++, f->ts, pkt_no);
}
