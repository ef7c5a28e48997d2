/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/rtp/rtp_rtx.c: the original packet of an RTX packet, RFC 4588
 * section 4 ("[RTP header] [OSN] [Original RTP Packet Payload]").  A table
 * of cases, each an RTX packet built here from an original (with CSRCs,
 * a header extension, padding, the marker) and what must come out: the
 * original byte for byte, or the refusal's reason with the packet
 * untouched.
 */
#include "rtp_rtx.h"
#include "test_util.h"

#define PT 96
#define RTX_PT 97
#define SSRC 0x11223344u
#define RTX_SSRC 0x55667788u

struct rtx_case {
	const char *name;
	uint8_t csrcs;         /* CC */
	uint8_t ext_words;     /* a header extension of this many words, 0 = none */
	uint8_t marker;
	uint32_t payload;      /* original payload octets */
	uint8_t pad;           /* RTX padding octets (P), 0 = none */
	uint8_t osn_octets;    /* 2, or fewer for a truncated OSN */
	uint8_t rtx_pt;        /* the RTX packet's payload type */
	uint8_t bad_pad_count; /* write this as the padding count instead */
	enum strata_rtx_status want;
};

static const struct rtx_case cases[] = {
	{"1 RFC 4588 section 4: header, OSN, payload", 0, 0, 0, 100, 0, 2, RTX_PT, 0, STRATA_RTX_OK},
	{"2 marker, CSRCs and an extension kept", 2, 3, 1, 40, 0, 2, RTX_PT, 0, STRATA_RTX_OK},
	{"3 the RTX packet's padding is its own", 0, 1, 0, 37, 7, 2, RTX_PT, 0, STRATA_RTX_OK},
	{"4 an empty original payload", 0, 0, 0, 0, 0, 2, RTX_PT, 0, STRATA_RTX_OK},
	{"5 padding alone: a probe", 0, 1, 0, 0, 200, 0, RTX_PT, 0, STRATA_RTX_PADDING_ONLY},
	{"6 one octet: no OSN", 0, 0, 0, 0, 0, 1, RTX_PT, 0, STRATA_RTX_NO_OSN},
	{"7 one octet then padding: no OSN", 0, 0, 0, 0, 4, 1, RTX_PT, 0, STRATA_RTX_NO_OSN},
	{"8 another payload type", 0, 0, 0, 10, 0, 2, 98, 0, STRATA_RTX_WRONG_PT},
	{"9 padding count 0", 0, 0, 0, 10, 4, 2, RTX_PT, 0xff, STRATA_RTX_BAD_PADDING},
	{"10 padding count past the payload", 0, 0, 0, 10, 4, 2, RTX_PT, 200,
	 STRATA_RTX_BAD_PADDING},
	{"11 extension length past the end", 0, 200, 0, 10, 0, 2, RTX_PT, 0,
	 STRATA_RTX_BAD_HEADER},
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* Builds the original (orig, *olen) and its RTX packet (rtx, *rlen). */
static void build(const struct rtx_case *c, uint16_t osn, uint8_t *orig, uint32_t *olen,
		  uint8_t *rtx, uint32_t *rlen)
{
	uint32_t h = 12 + 4u * c->csrcs;

	orig[0] = (uint8_t)(0x80 | (c->ext_words ? 0x10 : 0) | c->csrcs);
	orig[1] = (uint8_t)((c->marker ? 0x80 : 0) | PT);
	put16(orig + 2, osn);
	put32(orig + 4, 0xdeadbeef);
	put32(orig + 8, SSRC);
	for (unsigned i = 0; i < c->csrcs; i++)
		put32(orig + 12 + 4 * i, 0xc0000000u + i);
	if (c->ext_words) {
		put16(orig + h, 0xbede);
		put16(orig + h + 2, c->ext_words);
		/* Words past 8 are left out: "past the end" (case 11). */
		unsigned w = c->ext_words > 8 ? 0 : c->ext_words;
		for (unsigned i = 0; i < 4 * w; i++)
			orig[h + 4 + i] = (uint8_t)(0x10 + i);
		h += 4 + 4 * w;
	}
	uint32_t hdr = h;
	for (uint32_t i = 0; i < c->payload; i++)
		orig[h + i] = (uint8_t)(i * 7 + 3);
	*olen = hdr + c->payload;

	/* RFC 4588 section 4: the RTX SSRC, PT and its own number; the
	 * timestamp and marker the original's. */
	memcpy(rtx, orig, hdr);
	rtx[1] = (uint8_t)((orig[1] & 0x80) | c->rtx_pt);
	put16(rtx + 2, 4242);
	put32(rtx + 8, RTX_SSRC);
	uint8_t osn_be[2] = {(uint8_t)(osn >> 8), (uint8_t)osn};
	memcpy(rtx + hdr, osn_be, c->osn_octets);
	uint32_t l = hdr + c->osn_octets;
	if (c->osn_octets == 2) {
		memcpy(rtx + l, orig + hdr, c->payload);
		l += c->payload;
	}
	if (c->pad) {
		rtx[0] |= 0x20;
		memset(rtx + l, 0, c->pad);
		l += c->pad;
		rtx[l - 1] = c->bad_pad_count == 0xff ? 0 : c->bad_pad_count ? c->bad_pad_count : c->pad;
	}
	*rlen = l;
}

int main(void)
{
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct rtx_case *c = &cases[k];
		for (uint32_t osn = 0; osn <= 0xffff; osn += 0x7fff) {
			uint8_t orig[1500], rtx[1500], before[1500];
			uint32_t olen, rlen;
			struct strata_rtx_original o;

			build(c, (uint16_t)osn, orig, &olen, rtx, &rlen);
			memcpy(before, rtx, rlen);
			enum strata_rtx_status s =
				strata_rtx_restore(rtx, rlen, RTX_PT, PT, SSRC, &o);
			CHECK(s == c->want, "%s (OSN %u): status %d, want %d", c->name, osn, s,
			      c->want);
			if (s != STRATA_RTX_OK) {
				CHECK(memcmp(rtx, before, rlen) == 0, "%s: refused but changed", c->name);
				continue;
			}
			CHECK(o.osn == osn && o.off == 2 && o.len == olen &&
			      o.hdr_len == olen - c->payload,
			      "%s: osn %u off %u len %u (want %u) hdr %u", c->name, o.osn, o.off, o.len,
			      olen, o.hdr_len);
			CHECK(o.off + o.len <= rlen && memcmp(rtx + o.off, orig, olen) == 0,
			      "%s (OSN %u): not the original", c->name, osn);
		}
	}
	/* rtx_pt 0: any payload type. */
	{
		uint8_t orig[1500], rtx[1500];
		uint32_t olen, rlen;
		struct strata_rtx_original o;
		build(&cases[7], 7, orig, &olen, rtx, &rlen);
		CHECK(strata_rtx_restore(rtx, rlen, 0, PT, SSRC, &o) == STRATA_RTX_OK &&
		      memcmp(rtx + o.off, orig, olen) == 0, "12: rtx_pt 0 takes payload type 98");
	}
	return test_summary("dp_rtx_restore");
}
