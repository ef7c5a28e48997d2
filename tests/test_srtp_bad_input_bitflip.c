/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Malformed input, bit flips: every bit of every byte of the two samples
 * (an RTP packet with a CSRC and a header extension, and an SRTCP sender
 * report), one at a time, and the SRTCP E flag flipped on purpose.  A table
 * says what each flip must be refused with: a flip in the header can make
 * the packet's parse fail (BAD_VERSION, BAD_HEADER, NO_TAG), name another
 * SSRC, an index already received or too old, or an E flag that is not the
 * session's; anything else must fail authentication.  Each refusal reads
 * and writes nothing outside its buffer and changes no state
 * (bad_input_fixture.h says how that is checked).
 */
#include <string.h>

#include "bad_input_fixture.h"

/* Each fixture checks at least 946 refusals here; the three binaries'
 * floors add up to more than the 1000 the single binary once asked for. */
#define MIN_REFUSED 900

/* What a flip of bit b of byte i of the RTP sample must be refused with
 * (receiver: 1000..1100 in but 1050, window 1024). */
static int rtp_flip_expect(const struct fixture *f, uint32_t i, unsigned b)
{
	/* Byte 0 is V(2) P X CC(4) = 10 1 1 0001. */
	static const int byte0[8] = {
		BAD_HEADER,  /* CC 0: the CSRC reads as extension length 0xffff */
		AUTH,        /* CC 3: ext word 1 reads as length 0: header 28 */
		BAD_HEADER,  /* CC 5: ext word 3 reads as length 0xffff */
		NO_TAG,      /* CC 9: ext word 7 reads as length 6: header 76 */
		AUTH,        /* X off: the header ends after the CSRC */
		AUTH,        /* P: padding is the application's business */
		BAD_VERSION, /* V 3 */
		BAD_VERSION, /* V 0 */
	};
	/* SEQ 1050 = 0x041a.  High byte: SEQ ^ 256 << b. */
	static const int seq_hi[8] = {
		AUTH,        /* 1306: ahead of 1100, so only the tag can refuse it */
		AUTH,        /* 1562 */
		OLD,         /* 26: 1074 behind */
		AUTH, AUTH, AUTH, AUTH,
		AUTH,        /* 33818: 32718 ahead, still ROC 0 */
	};
	/* Low byte: 1051 1048 1054 1042 1034 1082 were received; 1114 and
	 * 1178 are ahead. */
	static const int seq_lo[8] = { DUP, DUP, DUP, DUP, DUP, DUP, AUTH, AUTH };
	/* Extension length 8, low byte: 9 10 12 0 words fit, 24 40 72 136 do not. */
	static const int ext_len_lo[8] = {
		AUTH, AUTH, AUTH, AUTH, BAD_HEADER, BAD_HEADER, BAD_HEADER, BAD_HEADER,
	};

	(void)f;
	if (i == 0)
		return byte0[b];
	if (i == 2)
		return seq_hi[b];
	if (i == 3)
		return seq_lo[b];
	if (i >= 8 && i < 12)
		return SSRC_MISMATCH;
	if (i == 18) /* length + 256 << b words */
		return BAD_HEADER;
	if (i == 19)
		return ext_len_lo[b];
	/* M, PT, timestamp, CSRC, extension profile and data, payload, tag. */
	return AUTH;
}

/* What a flip of bit b of byte i of the SRTCP sample must be refused with
 * (receiver: 200..310 in but 300, window 128). */
static int rtcp_flip_expect(const struct fixture *f, uint32_t i, unsigned b)
{
	uint32_t word_at = fx_srtcp_word_at(f->p, f->rtcp_sample_len);

	if (i == 0)
		return b >= 6 ? BAD_VERSION : AUTH; /* V, or P and RC */
	if (i >= 4 && i < 8)
		return SSRC_MISMATCH;
	if (i >= word_at && i < word_at + 4) {
		unsigned bit = (3 - (i - word_at)) * 8 + b;

		if (bit == 31)
			return E_FLAG;
		/* 300 = 0x12c: 301 302 296 292 268 were received; 44 is 266
		 * behind 310; every other flip lands ahead of 310. */
		switch (bit) {
		case 0: case 1: case 2: case 3: case 5: return DUP;
		case 8: return OLD;
		default: return AUTH;
		}
	}
	return AUTH; /* PT, length, body, tag */
}

/* Every bit of every byte of the samples, one at a time. */
static void test_bit_flips(struct fixture *f)
{
	uint8_t pkt[MAX_OUT];
	unsigned counts[STRATA_SRTP_STATUS_COUNT] = { 0 };

	for (int rtcp = 0; rtcp <= 1; rtcp++) {
		const uint8_t *sample = rtcp ? f->rtcp_sample : f->rtp_sample;
		uint32_t len = rtcp ? f->rtcp_sample_len : f->rtp_sample_len;

		for (uint32_t i = 0; i < len; i++)
			for (unsigned b = 0; b < 8; b++) {
				int want = rtcp ? rtcp_flip_expect(f, i, b) : rtp_flip_expect(f, i, b);

				memcpy(pkt, sample, len);
				pkt[i] ^= (uint8_t)(1u << b);
				unprotect_refused(f, rtcp, &f->st->rx, pkt, len, want,
						  fx_label("%s sample, byte %u bit %u flipped",
							   rtcp ? "srtcp" : "srtp", i, b));
				counts[want]++;
			}
	}
	/* The tables reach every status they are meant to. */
	static const int reached[] = { BAD_VERSION, BAD_HEADER, NO_TAG, SSRC_MISMATCH,
				       AUTH, DUP, OLD, E_FLAG };
	for (size_t k = 0; k < ARRAY_LEN(reached); k++)
		CHECK(counts[reached[k]] > 0, "%s: no flip gave %s", f->p->name, st_name(reached[k]));
}

/* SRTCP whose E flag is not the session's policy: refused before any
 * crypto, whichever way it differs. */
static void test_e_flag(struct fixture *f)
{
	uint8_t pkt[MAX_OUT];
	uint32_t len = f->rtcp_sample_len;
	uint32_t word_at = fx_srtcp_word_at(f->p, len);

	memcpy(pkt, f->rtcp_sample, len);
	pkt[word_at] ^= 0x80;
	unprotect_refused(f, true, &f->st->rx, pkt, len, E_FLAG, "E flag flipped");
	/* E flipped on a replayed index: the E flag is checked first. */
	uint8_t old[MAX_OUT];
	memcpy(old, pkt, len);
	strata_put_be32(old + word_at, (strata_be32(pkt + word_at) & 0x80000000u) | 301);
	unprotect_refused(f, true, &f->st->rx, old, len, E_FLAG, "E flag flipped, index 301");
}

static void run(struct fixture *f)
{
	test_bit_flips(f);
	test_e_flag(f);
}

int main(void)
{
	return bad_input_main("srtp_bad_input_bitflip", run, MIN_REFUSED);
}
