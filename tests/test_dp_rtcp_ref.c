/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/rtcp against tests/rtcp_ref.py, an independent Python reading
 * of the same feedback messages (transport-wide CC, REMB, NACK, PLI, FIR).
 *
 * Both read the same byte strings and must print the same rt_dump() text
 * (test_dp_rtcp.h), item for item and refusal for refusal:
 *
 *  - published packets: pion/rtcp's TWCC examples, libwebrtc's and
 *    mediasoup's REMB and NACK packets;
 *  - random TWCC feedback from test_dp_rtcp.h's encoder, random REMBs of
 *    every exponent (overflowing ones included) and SSRC count (wrong ones
 *    included), random NACKs, and compounds of them;
 *  - each of those damaged: octets changed, the length field shortened, the
 *    status count raised, the buffer cut.
 *
 * The script's path comes from meson (DP_RTCP_REF_PY).  Without python3
 * the test is skipped (exit 77), as meson expects.
 */
#include <errno.h>
#include <unistd.h>

#include "test_dp_rtcp.h"
#include "test_util.h"

#ifndef DP_RTCP_REF_PY
#define DP_RTCP_REF_PY "tests/rtcp_ref.py"
#endif

#define MAX_VECTORS 6000
#define MAX_LEN 4096

struct vectors {
	uint8_t *data[MAX_VECTORS];
	uint32_t len[MAX_VECTORS];
	unsigned n;
};

/*
 * The script reads feedback messages only: cut a vector before the first
 * packet, found by walking the length fields, whose type is not 205 or
 * 206.  Cuts before any packet leave nothing, and the vector is dropped
 * unless it was empty to begin with.
 */
static void add(struct vectors *v, const uint8_t *p, uint32_t len)
{
	uint32_t off = 0, cut = len;

	while (len - off >= 4 && (p[off] >> 6) == 2) {
		if (p[off + 1] != 205 && p[off + 1] != 206) {
			cut = off;
			break;
		}
		uint32_t size = 4u * ((uint32_t)(p[off + 2] << 8 | p[off + 3]) + 1);
		if (size > len - off)
			break;
		off += size;
	}
	if ((cut == 0 && len > 0) || v->n == MAX_VECTORS)
		return;
	v->data[v->n] = rt_exact(p, cut);
	v->len[v->n] = cut;
	v->n++;
}

static void add_hex(struct vectors *v, const char *hex)
{
	static uint8_t b[MAX_LEN];
	add(v, b, (uint32_t)test_hex(hex, b, sizeof(b)));
}

static const char *const published[] = {
	/* pion/rtcp transport_layer_cc_test.go */
	"afcd0005 fa17fa17 43032fa0 00990001 3de80217 20019401",
	"afcd0006 fa17fa17 193dd8bb 0174000e 45b15a40 d800f0ff d0000003",
	"afcd0007 fa17fa17 193dd8bb 01740006 45b15a40 40022004 1ffe1f9a d000d000",
	"afcd0007 fa17fa17 193dd8bb 00040007 10636e01 20074c24 24100c0c 10000003",
	"afcd0006 fa17fa17 193dd8bb 0001000e 10636d00 ba00100c 0c100003",
	"afcd0007 9b74f61f 9371dcbc 853c0009 63f916b3 d5520030 9baa6aaa 7b010901",
	"8fcd0004 9acb0442 00000000 00000000 00000000",
	"afcd0005 fa17fa17 43032fa0 00990003 3de80217 20039401",
	"afcd0005 fa17fa17 43032fa0 00990002 3de80217 40029401",
	"afcd0006 fa17fa17 193dd8bb 0001000e 10636d00 ba00100c 0c100002",
	"afcd0007 fa17fa17 43032fa0 9c14000c 75842000 bec0c13f 3b3f5390 3b000003",
	/* libwebrtc remb_unittest.cc, and its broken variants */
	"8fce0007 12345678 00000000 52454d42 0307fb93 23456789 2345678a 2345678b",
	"8fce0007 12345678 00000000 52454d42 0407fb93 23456789 2345678a 2345678b",
	"8fce0007 12345678 00000000 52454d42 03fffb93 23456789 2345678a 2345678b",
	"8fce0007 12345678 00000000 4e454d42 0307fb93 23456789 2345678a 2345678b",
	"8fce0003 12345678 00000000 52454d42",
	/* mediasoup's REMB */
	"8fce0006 fa17fa17 00000000 52454d42 0201df82 02d03702 04a76747",
	/* libwebrtc nack_unittest.cc */
	"81cd0003 12345678 23456789 00008085",
	"81cd0006 12345678 23456789 ffdc8000 fffe0017 00140000 00640000",
	"81cd0002 12345678 23456789",
	/* a PLI, a FIR, and a compound of everything */
	"81ce0002 11223344 55667788",
	"84ce0006 11223344 00000000 55667788 07000000 99aabbcc ff000000",
	"81ce0002 11223344 55667788 81cd0003 12345678 23456789 00008085 "
	"8fce0007 12345678 00000000 52454d42 0307fb93 23456789 2345678a 2345678b "
	"afcd0005 fa17fa17 43032fa0 00990001 3de80217 20019401",
	"",
};

static uint32_t random_twcc(uint64_t *rs, uint8_t *buf, uint32_t cap)
{
	static uint8_t status[1500];
	static int32_t delta[1500];
	struct rt_twcc_spec sp = {
		.sender_ssrc = test_rand(rs), .media_ssrc = test_rand(rs),
		.base_seq = (uint16_t)test_rand(rs),
		.reference_time = (int32_t)(test_rand(rs) % 0x1000000) - 0x800000,
		.fb_count = (uint8_t)test_rand(rs),
		.count = 1 + test_rand(rs) % (test_rand(rs) % 8 ? 40 : 1500),
		.status = status, .delta = delta, .pad = (int)(test_rand(rs) % 2),
	};
	uint8_t s = 0;
	for (uint32_t i = 0; i < sp.count; i++) {
		if (test_rand(rs) % 6 == 0)
			s = (uint8_t)(test_rand(rs) % 3);
		status[i] = s;
		delta[i] = s == 1 ? (int32_t)(test_rand(rs) % 256) :
			   s == 2 ? (int32_t)(test_rand(rs) % 65536) - 32768 : 0;
	}
	return rt_twcc_encode(buf, cap, &sp, rs);
}

/* A REMB written octet by octet: any exponent, any mantissa, and a Num
 * SSRC that is usually, but not always, the number present. */
static uint32_t random_remb(uint64_t *rs, uint8_t *b)
{
	unsigned n = test_rand(rs) % 4 ? test_rand(rs) % 8 : test_rand(rs) % 80;
	unsigned num = test_rand(rs) % 8 ? n : (unsigned)test_rand(rs) % 256;
	uint32_t len = 20 + 4 * n;
	uint32_t w = test_rand(rs) ^ test_rand(rs) << 16; /* test_rand has 31 bits */

	b[0] = 0x8f, b[1] = 206, b[2] = (uint8_t)((len / 4 - 1) >> 8), b[3] = (uint8_t)(len / 4 - 1);
	for (unsigned i = 4; i < 12; i++)
		b[i] = (uint8_t)test_rand(rs);
	memcpy(b + 12, "REMB", 4);
	b[16] = (uint8_t)num;
	b[17] = (uint8_t)(w >> 24), b[18] = (uint8_t)(w >> 16), b[19] = (uint8_t)(w >> 8);
	for (unsigned i = 0; i < 4 * n; i++)
		b[20 + i] = (uint8_t)test_rand(rs);
	return len;
}

static uint32_t random_nack(uint64_t *rs, uint8_t *b)
{
	unsigned pairs = test_rand(rs) % 6;
	uint32_t len = 12 + 4 * pairs;
	b[0] = 0x81, b[1] = 205, b[2] = 0, b[3] = (uint8_t)(len / 4 - 1);
	for (unsigned i = 4; i < len; i++)
		b[i] = (uint8_t)test_rand(rs);
	return len;
}

static uint32_t random_packet(uint64_t *rs, uint8_t *buf, uint32_t cap)
{
	switch (test_rand(rs) % 4) {
	case 0:
	case 1:
		return random_twcc(rs, buf, cap);
	case 2:
		return random_remb(rs, buf);
	default:
		return random_nack(rs, buf);
	}
}

/* The vector, then damaged copies of it. */
static void add_with_damage(struct vectors *v, uint64_t *rs, uint8_t *b, uint32_t len)
{
	static uint8_t d[MAX_LEN + 64];

	add(v, b, len);
	if (len < 8)
		return;
	/* A few octets changed anywhere but the packet type. */
	memcpy(d, b, len);
	for (unsigned k = 0; k < 1 + test_rand(rs) % 3; k++) {
		uint32_t at = test_rand(rs) % len;
		if (at != 1)
			d[at] = (uint8_t)test_rand(rs);
	}
	add(v, d, len);
	/* The length field one or more words short: the tail becomes a packet. */
	memcpy(d, b, len);
	uint16_t words = (uint16_t)(d[2] << 8 | d[3]);
	words = (uint16_t)(words - 1 - test_rand(rs) % (words ? words : 1));
	d[2] = (uint8_t)(words >> 8), d[3] = (uint8_t)words;
	add(v, d, len);
	/* A TWCC's status count raised (or, now and then, zeroed). */
	if (b[1] == 205 && (b[0] & 0x1f) == 15 && len >= 20) {
		memcpy(d, b, len);
		uint16_t c = (uint16_t)((d[14] << 8 | d[15]) + 1 + test_rand(rs) % 20);
		if (test_rand(rs) % 8 == 0)
			c = 0;
		d[14] = (uint8_t)(c >> 8), d[15] = (uint8_t)c;
		add(v, d, len);
	}
	/* Cut short. */
	add(v, b, test_rand(rs) % len);
}

static void build_vectors(struct vectors *v)
{
	static uint8_t b[MAX_LEN];
	uint64_t rs = 0x70797468u;

	for (unsigned i = 0; i < ARRAY_LEN(published); i++)
		add_hex(v, published[i]);
	while (v->n < MAX_VECTORS - 8) {
		uint32_t len = 0;
		unsigned parts = 1 + (test_rand(&rs) % 5 == 0 ? test_rand(&rs) % 3 : 0);
		for (unsigned k = 0; k < parts; k++) {
			uint32_t n = random_packet(&rs, b + len, MAX_LEN - len);
			if (n == 0)
				break;
			len += n;
		}
		add_with_damage(v, &rs, b, len);
	}
}

/* Runs the script over every vector; returns its whole output or NULL. */
static char *run_reference(const struct vectors *v, int *status)
{
	char path[] = "/tmp/strata-rtcp-ref.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w");
	for (unsigned i = 0; i < v->n; i++) {
		for (uint32_t k = 0; k < v->len[i]; k++)
			fprintf(f, "%02x", v->data[i][k]);
		fputc('\n', f);
	}
	fclose(f);

	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "python3 '%s' < '%s'", DP_RTCP_REF_PY, path);
	FILE *p = popen(cmd, "r");
	struct rt_text out = { 0 };
	char line[8192];
	if (p) {
		rt_printf(&out, "%s", "");
		while (fgets(line, sizeof(line), p))
			rt_printf(&out, "%s", line);
		*status = pclose(p);
	}
	unlink(path);
	return out.s;
}

int main(void)
{
	static struct vectors v;

	if (access(DP_RTCP_REF_PY, R_OK) != 0 || system("python3 -c '' 2>/dev/null") != 0) {
		printf("dp_rtcp_ref: python3 or %s missing: skipped\n", DP_RTCP_REF_PY);
		return 77;
	}
	build_vectors(&v);

	int status = -1;
	char *ref = run_reference(&v, &status);
	CHECK(ref && status == 0, "rtcp_ref.py failed (status %d)", status);
	if (!ref)
		return test_summary("dp_rtcp_ref");

	/* Vector by vector: C's dump against the script's lines up to "end". */
	char *r = ref;
	unsigned mismatches = 0, compared = 0;
	for (unsigned i = 0; i < v.n && *r; i++) {
		char *mine = rt_dump_exact(v.data[i], v.len[i], 0);
		char *end = strstr(r, "\nend ");
		char *stop = end ? strchr(end + 1, '\n') : NULL;
		if (strncmp(r, "end ", 4) == 0)
			stop = strchr(r, '\n');
		if (!stop) {
			CHECK(0, "vector %u: the script's output ended early", i);
			free(mine);
			break;
		}
		size_t n = (size_t)(stop + 1 - r);
		bool same = strlen(mine) == n && strncmp(mine, r, n) == 0;
		if (!same && mismatches++ < 5) {
			fprintf(stderr, "vector %u (%u octets): ", i, v.len[i]);
			for (uint32_t k = 0; k < v.len[i]; k++)
				fprintf(stderr, "%02x", v.data[i][k]);
			fprintf(stderr, "\n  C:      %s  Python: %.*s", mine, (int)n, r);
		}
		CHECK(same, "vector %u differs", i);
		compared++;
		r = stop + 1;
		free(mine);
	}
	CHECK(compared == v.n, "compared %u of %u vectors", compared, v.n);
	printf("dp_rtcp_ref: %u vectors compared with %s\n", compared, DP_RTCP_REF_PY);
	free(ref);
	for (unsigned i = 0; i < v.n; i++)
		free(v.data[i]);
	return test_summary("dp_rtcp_ref");
}
