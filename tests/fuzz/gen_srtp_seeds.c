/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the seed corpus of fuzz_srtp_unprotect: packets protected under the
 * fixed keys of fuzz_keys.h, so the fuzzer starts from inputs that pass
 * authentication and reaches the replay window, ROC and decryption code,
 * plus a few malformed ones.  Every file is a fuzz input (selector byte
 * first, see fuzz_keys.h).  Protection is deterministic, so the output is
 * the same on every run; the test fuzz_seeds_reproducible checks that the
 * committed corpus is exactly what this program writes.
 *
 * To regenerate the corpus after changing the keys, the input layout or
 * this file (from the top of the source tree, in a -Dfuzzing=enabled build):
 *
 *   ninja -C build-fuzz tests/fuzz/gen_srtp_seeds
 *   rm -r tests/fuzz/corpus/srtp_unprotect
 *   build-fuzz/tests/fuzz/gen_srtp_seeds tests/fuzz/corpus/srtp_unprotect
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_keys.h"
#include "rtp_header.h"
#include "srtp.h"

#define NPROFILES (STRATA_SRTP_PROFILE_COUNT - 1)
#define SEED_MAX 2048
#define PKT_MAX 512

static const char *const short_names[NPROFILES] = {
	"cm128-80", "cm128-32", "cm256-80", "gcm128", "gcm256",
};

static struct strata_srtp_engine *engine;
static struct strata_srtp_session sessions[NPROFILES][2];
static const char *out_dir;

static void die(const char *what, const char *why)
{
	fprintf(stderr, "gen_srtp_seeds: %s: %s\n", what, why);
	exit(1);
}

/* One fuzz input being built. */
struct seed {
	uint8_t b[SEED_MAX];
	size_t len;
	bool multi;
};

static void seed_start(struct seed *s, unsigned prof, uint8_t flags)
{
	/* prof is 0-based; the selector's profile bits count from _80. */
	s->b[0] = (uint8_t)(prof | flags);
	s->len = 1;
	s->multi = (flags & FUZZ_SEL_MULTI) != 0;
}

static void seed_add(struct seed *s, const uint8_t *p, uint32_t len)
{
	if (s->len + 2 + len > sizeof(s->b))
		die("seed", "too long");
	if (s->multi) {
		s->b[s->len++] = (uint8_t)(len >> 8);
		s->b[s->len++] = (uint8_t)len;
	}
	memcpy(s->b + s->len, p, len);
	s->len += len;
}

static void seed_write(const struct seed *s, const char *name, unsigned prof)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-%s.bin", out_dir, name, short_names[prof]);
	if ((f = fopen(path, "wb")) == NULL || fwrite(s->b, 1, s->len, f) != s->len ||
	    fclose(f) != 0)
		die(path, strerror(errno));
}

/* A plaintext RTP packet with cc CSRCs, an extension of ext_words words when
 * ext_words >= 0, and a payload of n bytes, protected into out. */
static uint32_t make_rtp(uint8_t *out, struct strata_srtp_session *s, struct strata_srtp_tx *tx,
			 uint16_t seq, unsigned cc, int ext_words, unsigned n)
{
	uint8_t p[PKT_MAX];
	uint32_t len = 0;

	p[len++] = (uint8_t)(0x80 | (ext_words >= 0 ? 0x10 : 0) | cc);
	p[len++] = 96; /* a dynamic payload type */
	p[len++] = (uint8_t)(seq >> 8);
	p[len++] = (uint8_t)seq;
	strata_put_be32(p + len, 0x1000u * seq);
	len += 4;
	strata_put_be32(p + len, tx->ssrc);
	len += 4;
	for (unsigned i = 0; i < cc; i++, len += 4)
		strata_put_be32(p + len, 0xc5c00000u + i);
	if (ext_words >= 0) {
		p[len++] = 0xbe; /* RFC 8285 one-byte header extensions */
		p[len++] = 0xde;
		p[len++] = 0;
		p[len++] = (uint8_t)ext_words;
		for (int i = 0; i < 4 * ext_words; i++)
			p[len++] = (uint8_t)(0x10 + i);
	}
	for (unsigned i = 0; i < n; i++)
		p[len++] = (uint8_t)(seq + i);

	struct strata_srtp_op op = {
		.session = s, .tx = tx, .src = p, .buf = out, .len = len, .cap = PKT_MAX,
	};
	if (strata_srtp_protect(engine, &op, 1) != 1)
		die("protect", strata_srtp_status_name(op.status));
	return op.len;
}

/* A plaintext RTCP sender report (words 32-bit words after the fixed
 * header), protected into out under SRTCP index `index`. */
static uint32_t make_rtcp(uint8_t *out, struct strata_srtp_session *s, struct strata_srtp_tx *tx,
			  uint32_t index, unsigned words)
{
	uint8_t p[PKT_MAX];
	uint32_t len = STRATA_RTCP_FIXED_HEADER_LEN + 4 * words;

	p[0] = 0x80;
	p[1] = 200; /* SR */
	p[2] = (uint8_t)((len / 4 - 1) >> 8);
	p[3] = (uint8_t)(len / 4 - 1);
	strata_put_be32(p + 4, tx->ssrc);
	for (uint32_t i = 8; i < len; i++)
		p[i] = (uint8_t)(index + i);

	tx->rtcp_index = index;
	struct strata_srtp_op op = {
		.session = s, .tx = tx, .src = p, .buf = out, .len = len, .cap = PKT_MAX,
	};
	if (strata_srtcp_protect(engine, &op, 1) != 1)
		die("protect", strata_srtp_status_name(op.status));
	return op.len;
}

/* Per profile: one valid packet of each kind, and an SRTP burst with a
 * reordering, an empty payload, a duplicate and a forged tag. */
static void per_profile(unsigned prof)
{
	struct strata_srtp_session *s = &sessions[prof][0], *s2 = &sessions[prof][1];
	struct strata_srtp_tx tx;
	struct seed sd;
	uint8_t p[PKT_MAX], dup[PKT_MAX];
	uint32_t len, dup_len;

	/* The _32 and GCM-128 packets carry CSRCs and a header extension,
	 * which SRTP leaves in the clear. */
	strata_srtp_tx_init(&tx, 0x11110000u + prof);
	len = make_rtp(p, s, &tx, (uint16_t)(1000 + prof), prof & 1 ? 2 : 0, prof & 1 ? 1 : -1, 64);
	seed_start(&sd, prof, 0);
	seed_add(&sd, p, len);
	seed_write(&sd, "rtp", prof);

	strata_srtp_tx_init(&tx, 0x22220000u + prof);
	len = make_rtcp(p, s, &tx, 7, 6);
	seed_start(&sd, prof, FUZZ_SEL_RTCP);
	seed_add(&sd, p, len);
	seed_write(&sd, "rtcp-e1", prof);

	strata_srtp_tx_init(&tx, 0x33330000u + prof);
	len = make_rtcp(p, s2, &tx, 9, 6);
	seed_start(&sd, prof, FUZZ_SEL_RTCP | FUZZ_SEL_POLICY2);
	seed_add(&sd, p, len);
	seed_write(&sd, "rtcp-e0", prof);

	strata_srtp_tx_init(&tx, 0x44440000u + prof);
	seed_start(&sd, prof, FUZZ_SEL_MULTI | FUZZ_SEL_BURST);
	len = make_rtp(p, s, &tx, 10, 0, -1, 40);
	seed_add(&sd, p, len);
	dup_len = make_rtp(dup, s, &tx, 12, 0, -1, 0);
	seed_add(&sd, dup, dup_len);
	len = make_rtp(p, s, &tx, 11, 1, -1, 24);
	seed_add(&sd, p, len);
	seed_add(&sd, dup, dup_len);
	len = make_rtp(p, s, &tx, 14, 0, -1, 33);
	p[len - 1] ^= 0x01;
	seed_add(&sd, p, len);
	seed_write(&sd, "burst-rtp", prof);
}

/* Streams received one packet per call, and malformed packets. */
static void sequences(void)
{
	struct strata_srtp_tx tx;
	struct seed sd;
	uint8_t p[PKT_MAX], dup[PKT_MAX];
	uint32_t len, dup_len;

	/* The sequence number wraps: the last two packets have ROC 1.  Once
	 * one packet per call, once as the first burst of the stream, where
	 * nothing is committed yet to estimate the ROC from. */
	for (int burst = 0; burst < 2; burst++) {
		strata_srtp_tx_init(&tx, 0x55550001u);
		seed_start(&sd, 0, FUZZ_SEL_MULTI | (burst ? FUZZ_SEL_BURST : 0));
		for (unsigned seq = 65534; seq < 65538; seq++) {
			len = make_rtp(p, &sessions[0][0], &tx, (uint16_t)seq, 0, -1, 20);
			seed_add(&sd, p, len);
		}
		seed_write(&sd, burst ? "burst-rollover" : "seq-rollover", 0);
	}

	/* A 64-packet window: 130 is too old after 200, 180 comes twice. */
	strata_srtp_tx_init(&tx, 0x55550002u);
	seed_start(&sd, 3, FUZZ_SEL_MULTI | FUZZ_SEL_POLICY2);
	static const uint16_t seqs[] = { 100, 200, 130, 180 };
	for (unsigned i = 0; i < 4; i++) {
		len = make_rtp(p, &sessions[3][1], &tx, seqs[i], 0, -1, 16);
		seed_add(&sd, p, len);
	}
	seed_add(&sd, p, len);
	seed_write(&sd, "seq-window", 3);

	/* SRTCP: reordered, duplicate, header only (nothing to encrypt), a
	 * jump, then an index older than the 128-packet window. */
	strata_srtp_tx_init(&tx, 0x55550003u);
	seed_start(&sd, 1, FUZZ_SEL_RTCP | FUZZ_SEL_MULTI);
	len = make_rtcp(p, &sessions[1][0], &tx, 1, 6);
	seed_add(&sd, p, len);
	dup_len = make_rtcp(dup, &sessions[1][0], &tx, 3, 2);
	seed_add(&sd, dup, dup_len);
	len = make_rtcp(p, &sessions[1][0], &tx, 2, 0);
	seed_add(&sd, p, len);
	seed_add(&sd, dup, dup_len);
	len = make_rtcp(p, &sessions[1][0], &tx, 200, 6);
	seed_add(&sd, p, len);
	len = make_rtcp(p, &sessions[1][0], &tx, 50, 6);
	seed_add(&sd, p, len);
	seed_write(&sd, "seq-rtcp", 1);

	/* SRTCP E=0 with AES-GCM in one burst: header only, duplicate. */
	strata_srtp_tx_init(&tx, 0x55550004u);
	seed_start(&sd, 4, FUZZ_SEL_RTCP | FUZZ_SEL_POLICY2 | FUZZ_SEL_MULTI | FUZZ_SEL_BURST);
	len = make_rtcp(p, &sessions[4][1], &tx, 5, 0);
	seed_add(&sd, p, len);
	len = make_rtcp(p, &sessions[4][1], &tx, 6, 3);
	seed_add(&sd, p, len);
	seed_add(&sd, p, len);
	seed_write(&sd, "burst-rtcp-e0", 4);

	/* Malformed: each is refused before any crypto. */
	strata_srtp_tx_init(&tx, 0x66660000u);
	len = make_rtp(p, &sessions[0][0], &tx, 1, 0, -1, 20);
	p[0] = (uint8_t)((p[0] & 0x3f) | 0x40); /* version 1 */
	seed_start(&sd, 0, 0);
	seed_add(&sd, p, len);
	seed_write(&sd, "bad-version", 0);

	len = make_rtp(p, &sessions[0][0], &tx, 2, 0, -1, 20);
	p[0] |= 0x0f; /* 15 CSRCs: 60 bytes the packet does not have */
	seed_start(&sd, 0, 0);
	seed_add(&sd, p, len);
	seed_write(&sd, "bad-csrc", 0);

	len = make_rtp(p, &sessions[0][0], &tx, 3, 0, 1, 20);
	p[15] = 0xff; /* extension of 255 words */
	seed_start(&sd, 0, 0);
	seed_add(&sd, p, len);
	seed_write(&sd, "bad-ext", 0);

	len = make_rtp(p, &sessions[3][0], &tx, 4, 0, -1, 0);
	seed_start(&sd, 3, 0);
	seed_add(&sd, p, len - 1); /* one byte short of the 16-byte tag */
	seed_write(&sd, "bad-notag", 3);

	strata_srtp_tx_init(&tx, 0x66660001u);
	len = make_rtcp(p, &sessions[2][0], &tx, 1, 6);
	seed_start(&sd, 2, FUZZ_SEL_RTCP | FUZZ_SEL_POLICY2); /* E=1 to an E=0 stream */
	seed_add(&sd, p, len);
	seed_write(&sd, "bad-eflag", 2);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	if (mkdir(out_dir, 0777) != 0 && errno != EEXIST)
		die(out_dir, strerror(errno));
	if ((engine = strata_srtp_engine_create()) == NULL)
		die("engine", "out of memory");
	for (unsigned p = 0; p < NPROFILES; p++) {
		for (unsigned v = 0; v < 2; v++) {
			struct strata_srtp_policy pol = fuzz_policy(p + 1, v);

			if (strata_srtp_session_init(&sessions[p][v], engine, &pol) != STRATA_SRTP_OK)
				die("session_init", "refused");
		}
	}
	per_profile(0);
	per_profile(1);
	per_profile(2);
	per_profile(3);
	per_profile(4);
	sequences();
	strata_srtp_engine_destroy(engine);
	return 0;
}
