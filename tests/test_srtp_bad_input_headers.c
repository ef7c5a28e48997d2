/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Malformed input, headers and parameters: RTP headers built by hand whose
 * CSRC list or extension runs past the end, versions other than 2 (RTP and
 * RTCP, both sides), packets given with another SSRC's stream, and
 * operations with NULL pointers or a session that was never initialised, in
 * all four directions.  Each is refused with its own status (BAD_HEADER,
 * BAD_VERSION, TOO_SHORT, SSRC_MISMATCH, BAD_PARAM), reads and writes
 * nothing outside its buffer and changes no state (bad_input_fixture.h says
 * how that is checked).
 */
#include <stdlib.h>
#include <string.h>

#include "bad_input_fixture.h"

/* Each fixture checks at least 67 refusals here; the three binaries'
 * floors add up to more than the 1000 the single binary once asked for. */
#define MIN_REFUSED 60

/* What is wrong with an otherwise good op. */
enum spoil { NULL_SESSION, BLANK_SESSION, NULL_STREAM, NULL_SRC, NULL_BUF, NULL_BUF_LEN_0 };

static struct strata_srtp_op spoiled(struct strata_srtp_op op, enum spoil how,
				     struct strata_srtp_session *blank)
{
	switch (how) {
	case NULL_SESSION: op.session = NULL; break;
	case BLANK_SESSION: op.session = blank; break;
	case NULL_STREAM: op.tx = NULL; break; /* tx or rx: one union */
	case NULL_SRC: op.src = NULL; break;
	case NULL_BUF: op.buf = NULL; break;
	case NULL_BUF_LEN_0: op.buf = NULL, op.len = 0; break;
	}
	return op;
}

/* NULL pointers and a session without a profile, in all four directions. */
static void test_bad_param(struct fixture *f)
{
	static const struct {
		bool protect;
		enum spoil how;
		const char *what;
	} rows[] = {
		{ true, NULL_SESSION, "NULL session" },
		{ true, BLANK_SESSION, "session without a profile" },
		{ true, NULL_STREAM, "NULL tx" },
		{ true, NULL_SRC, "NULL src" },
		{ true, NULL_BUF, "NULL buf" },
		{ false, NULL_SESSION, "NULL session" },
		{ false, BLANK_SESSION, "session without a profile" },
		{ false, NULL_STREAM, "NULL rx" },
		{ false, NULL_BUF, "NULL buf" },
		{ false, NULL_BUF_LEN_0, "NULL buf, len 0" },
	};
	uint8_t plain[MAX_OUT], out[MAX_OUT];
	/* Never initialised: no profile. */
	struct strata_srtp_session *blank = fx_zalloc64(sizeof(*blank));

	for (int rtcp = 0; rtcp <= 1; rtcp++) {
		uint32_t len = rtcp ? rtcp_simple(plain, SSRC, 20) : rtp_simple(plain, 7, SSRC, 20);
		const struct strata_srtp_op p0 =
			fx_op_protect(&f->st->txs, &f->st->tx, plain, out, len, sizeof(out));
		const struct strata_srtp_op u0 = fx_op_unprotect(&f->st->rxs, &f->st->rx, out, len);

		memcpy(out, plain, len);
		for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
			struct strata_srtp_op op = spoiled(rows[i].protect ? p0 : u0, rows[i].how, blank);

			expect_refused(f, fx_dir(rtcp, rows[i].protect), &op, BAD_PARAM, rows[i].what);
		}
	}
	free(blank);
}

/* Headers whose CSRC list or extension runs past the end, and versions
 * other than 2, built by hand, on both sides. */
static void test_bad_headers(struct fixture *f)
{
	const uint32_t T = f->p->rtp_tag_len;
	static const struct {
		const char *name;
		uint8_t b0;       /* V P X CC */
		uint16_t ext_len; /* words, when X */
		uint32_t len;     /* bytes in the packet */
		int unprotect;    /* the receiver's answer */
	} rows[] = {
		{ "X, no extension header", 0x90, 0, 12, BAD_HEADER },
		{ "X, 3 bytes of extension header", 0x90, 0, 15, BAD_HEADER },
		{ "X, extension header only", 0x90, 0, 16, NO_TAG },
		{ "extension one byte past", 0x90, 4, 31, BAD_HEADER },
		{ "extension ends at the end", 0x90, 4, 32, NO_TAG },
		{ "extension 0xffff words", 0x90, 0xffff, 200, BAD_HEADER },
		{ "15 CSRCs, one byte short", 0x8f, 0, 71, BAD_HEADER },
		{ "15 CSRCs, exactly", 0x8f, 0, 72, NO_TAG },
		{ "15 CSRCs, X, no extension header", 0x9f, 0, 75, BAD_HEADER },
		{ "15 CSRCs, X, empty extension", 0x9f, 0, 76, NO_TAG },
		{ "15 CSRCs, X, extension past", 0x9f, 1, 79, BAD_HEADER },
		{ "1 CSRC, 12 bytes", 0x81, 0, 12, BAD_HEADER },
		{ "version 0", 0x00, 0, 40, BAD_VERSION },
		{ "version 1", 0x40, 0, 40, BAD_VERSION },
		{ "version 3", 0xc0, 0, 40, BAD_VERSION },
		{ "version 0, too short", 0x00, 0, 11, TOO_SHORT },
		{ "version 0, empty", 0x00, 0, 0, TOO_SHORT },
	};
	uint8_t pkt[256];

	for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
		uint32_t len = rows[r].len;
		uint32_t ext_at = 12 + 4 * (rows[r].b0 & 0x0f);

		memset(pkt, 0, sizeof(pkt));
		rtp_fixed(pkt, rows[r].b0, 6000, SSRC);
		for (uint32_t i = 12; i < ext_at; i++)
			pkt[i] = 0xc0; /* CSRCs */
		pkt[ext_at + 2] = (uint8_t)(rows[r].ext_len >> 8);
		pkt[ext_at + 3] = (uint8_t)rows[r].ext_len;
		unprotect_refused(f, false, &f->st->rx, pkt, len, rows[r].unprotect,
				  fx_label("%s (%u bytes)", rows[r].name, len));
		/* Protect sees the same header; a NO_TAG header with T more
		 * bytes is a fine packet to protect, so only the others. */
		if (rows[r].unprotect != NO_TAG)
			protect_refused(f, false, pkt, len, len + 100, rows[r].unprotect,
					fx_label("%s (%u bytes)", rows[r].name, len));
		/* With room for a tag the header still decides. */
		if (rows[r].unprotect == BAD_VERSION)
			unprotect_refused(f, false, &f->st->rx, pkt, len + T, BAD_VERSION,
					  fx_label("%s (%u bytes)", rows[r].name, len + T));
	}

	/* RTCP: only the version is checked (and the SSRC, below). */
	for (uint8_t v = 0; v < 4; v++) {
		if (v == 2)
			continue;
		uint32_t len = rtcp_simple(pkt, SSRC, 20);
		pkt[0] = (uint8_t)(v << 6);
		protect_refused(f, true, pkt, len, 200, BAD_VERSION, fx_label("srtcp version %u", v));
		unprotect_refused(f, true, &f->st->rx, pkt, len + 4 + f->p->rtcp_tag_len,
				  BAD_VERSION, fx_label("srtcp version %u", v));
		unprotect_refused(f, true, &f->st->rx, pkt, 7, TOO_SHORT,
				  fx_label("srtcp version %u, 7 bytes", v));
	}
}

/* A packet given with another SSRC's stream. */
static void test_ssrc_mismatch(struct fixture *f)
{
	uint8_t plain[MAX_OUT], pkt[MAX_OUT];
	uint32_t plen, len;

	plen = rtp_simple(plain, 8000, OTHER_SSRC, 20);
	protect_refused(f, false, plain, plen, 100, SSRC_MISMATCH, "srtp protect, other SSRC");
	len = make(f, false, OTHER_SSRC, 0, plain, plen, pkt, sizeof(pkt));
	unprotect_refused(f, false, &f->st->rx, pkt, len, SSRC_MISMATCH,
			  "srtp unprotect, other SSRC");
	unprotect_refused(f, false, &f->st->fresh, pkt, len, SSRC_MISMATCH,
			  "srtp unprotect, other SSRC, fresh stream");

	plen = rtcp_simple(plain, OTHER_SSRC, 20);
	protect_refused(f, true, plain, plen, 100, SSRC_MISMATCH, "srtcp protect, other SSRC");
	len = make(f, true, OTHER_SSRC, 9000, plain, plen, pkt, sizeof(pkt));
	unprotect_refused(f, true, &f->st->rx, pkt, len, SSRC_MISMATCH,
			  "srtcp unprotect, other SSRC");
}

static void run(struct fixture *f)
{
	test_bad_param(f);
	test_bad_headers(f);
	test_ssrc_mismatch(f);
}

int main(void)
{
	return bad_input_main("srtp_bad_input_headers", run, MIN_REFUSED);
}
