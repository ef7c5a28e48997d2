/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_classify (dataplane/net/classify.c) over whole ranges of frames made
 * by classify_fixture.h's builder:
 *
 *   truncation    valid frames cut at every length, each cut expected to
 *                 fail at the layer it falls in;
 *   demux         every value of the first payload byte (RFC 7983) and of
 *                 the second (RFC 5761);
 *   checksums     payloads of every size through the software UDP
 *                 checksum, half of them with a bit flipped.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify_fixture.h"
#include "test_util.h"

/* --------------------------------------------------------- truncation */

/* The reason a valid frame cut to `cut` bytes must be dropped for. */
static enum dp_drop truncation_reason(uint32_t cut, uint16_t l2, bool v6)
{
	if (cut < l2)
		return DP_DROP_ETH_TRUNCATED;
	if (cut < l2 + (v6 ? 40u : 20u))
		return v6 ? DP_DROP_IPV6_TRUNCATED : DP_DROP_IPV4_TRUNCATED;
	return v6 ? DP_DROP_IPV6_BAD_HEADER : DP_DROP_IPV4_BAD_HEADER;
}

static void truncation_sweep(const char *what, const struct spec *s, uint16_t vlan, uint16_t l2)
{
	struct dp_iface ifc = make_iface(vlan);
	uint32_t full;
	uint8_t *frame = build(s, &full);
	struct dp_pkt p;

	CHECK(dp_classify(&ifc, frame, full, 0, &p) != DP_CLASS_DROP, "%s: whole frame refused (%s)",
	      what, drop_names[p.drop]);
	for (uint32_t cut = 0; cut < full; cut++) {
		uint8_t *part = malloc(cut ? cut : 1);

		if (part == NULL)
			abort();
		memcpy(part, frame, cut);
		enum dp_class c = dp_classify(&ifc, part, cut, 0, &p);
		enum dp_drop want = truncation_reason(cut, l2, s->fam == 6);

		if (c != DP_CLASS_DROP || p.drop != want) {
			CHECK(false, "%s cut to %u: class %s drop %s, want %s", what, cut, class_names[c],
			      drop_names[p.drop], drop_names[want]);
		} else {
			test_checks++;
		}
		free(part);
	}
	free(frame);
}

/* ------------------------------------------------------------- demux */

static void demux_sweep(void)
{
	struct dp_iface ifc = make_iface(0);

	for (unsigned b0 = 0; b0 < 256; b0++) {
		for (unsigned b1 = 0; b1 < 256; b1 += (b0 >= 128 && b0 <= 191) ? 1 : 255) {
			uint8_t pl[2] = { (uint8_t)b0, (uint8_t)b1 };
			struct spec s = { .pl = pl, .pl_len = 2 };
			uint32_t len;
			uint8_t *frame = build(&s, &len);
			struct dp_pkt p;
			enum dp_class c = dp_classify(&ifc, frame, len, 0, &p);
			enum dp_class want = b0 <= 3				? DP_CLASS_STUN
					     : (b0 >= 20 && b0 <= 63)		? DP_CLASS_DTLS
					     : (b0 >= 128 && b0 <= 191)	? DP_CLASS_MEDIA
										: DP_CLASS_UDP_OTHER;

			CHECK(c == want, "first byte %u: class %s, want %s", b0, class_names[c],
			      class_names[want]);
			if (c == DP_CLASS_MEDIA)
				CHECK(p.rtcp == (b1 >= 192 && b1 <= 223), "bytes %u %u: rtcp %d", b0, b1,
				      p.rtcp);
			free(frame);
		}
	}
}

/* A payload of every size up to 1500 bytes, through the software UDP
 * checksum, with one bit flipped in half of them. */
static void checksum_sizes(void)
{
	struct dp_iface ifc = make_iface(0);
	static uint8_t pl[1500];
	uint64_t rng = 7;

	for (unsigned n = 1; n <= sizeof(pl); n += (n < 64 ? 1 : 37)) {
		for (unsigned i = 0; i < n; i++)
			pl[i] = (uint8_t)test_rand(&rng);
		pl[0] = 0x80;
		for (int fam = 4; fam <= 6; fam += 2) {
			for (int flip = 0; flip < 2; flip++) {
				struct spec s = { .fam = (uint8_t)fam, .pl = pl, .pl_len = (uint16_t)n };
				uint32_t len;
				uint8_t *frame = build(&s, &len);
				struct dp_pkt p;

				if (flip)
					frame[len - 1 - (n > 1 ? test_rand(&rng) % (n - 1) : 0)] ^= 0x10;
				enum dp_class c = dp_classify(&ifc, frame, len, 0, &p);

				if (flip)
					CHECK(c == DP_CLASS_DROP && p.drop == DP_DROP_UDP_BAD_CHECKSUM,
					      "IPv%d payload %u with a flipped bit: %s", fam, n,
					      class_names[c]);
				else
					CHECK(c == DP_CLASS_MEDIA, "IPv%d payload %u: %s (%s)", fam, n,
					      class_names[c], c == DP_CLASS_DROP ? drop_names[p.drop] : "-");
				free(frame);
			}
		}
	}
}

int main(void)
{
	struct spec v4 = { PL(rtp) }, v6 = { .fam = 6, PL(rtp) };
	struct spec v4tag = { PL(rtp), .ntags = 1, .tci = { 100 } };
	struct spec v6tag = { .fam = 6, PL(rtp), .ntags = 1, .tci = { 100 } };

	truncation_sweep("IPv4 RTP", &v4, 0, 14);
	truncation_sweep("IPv6 RTP", &v6, 0, 14);
	truncation_sweep("tagged IPv4 RTP", &v4tag, 100, 18);
	truncation_sweep("tagged IPv6 RTP", &v6tag, 100, 18);
	demux_sweep();
	checksum_sizes();
	return test_summary("dp_classify_sweeps");
}
