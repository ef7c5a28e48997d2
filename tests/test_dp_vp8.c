/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/codec/vp8.c: the RFC 7741 payload descriptor.
 *
 *  - Known answers: descriptors written out by hand, bit by bit, with the
 *    fields they must give (or -1).
 *  - Every combination of the X, S, PID, I, M, L, T, K, TID, Y, N, R/RSV
 *    and P bits, built by an independent encoder below: the parse gives
 *    back what was built, every truncation is refused, and the rewrite
 *    changes exactly the PictureID and TL0PICIDX bytes.
 */
#include "test_util.h"
#include "vp8.h"

struct known {
	const char *name;
	const char *hex;
	int ret;
	struct dp_frame_info fi; /* when ret == 0 */
};

/* Designated initialisers so that each line names the fields it sets. */
#define FI(...) ((struct dp_frame_info){ __VA_ARGS__ })

static const struct known known[] = {
	/* Byte 0: X R N S R PID(3).  0x10 = S, PID 0. */
	{ "minimal keyframe start: S=1 PID=0, payload header P=0", "10 00 00 00", 0,
	  FI(.keyframe = 1, .frame_start = 1, .desc_len = 1) },
	{ "minimal interframe start: P=1", "10 01 00 00", 0,
	  FI(.frame_start = 1, .desc_len = 1) },
	{ "continuation packet: S=0", "00 ab", 0, FI(.desc_len = 1) },
	{ "start of partition 1 is not a frame start", "11 00 00 00", 0, FI(.desc_len = 1) },
	{ "start of partition 7, P bit not read", "17 00", 0, FI(.desc_len = 1) },
	{ "N bit set: non-reference frame, still parsed", "30 01 00 00", 0,
	  FI(.frame_start = 1, .desc_len = 1) },
	/* X octet: I L T K RSV(4). */
	{ "7-bit PictureID 127 (M=0)", "90 80 7f 00 01 02", 0,
	  FI(.keyframe = 1, .frame_start = 1, .desc_len = 3, .has_picture_id = 1,
	     .picture_id = 127, .picture_id_bits = 7) },
	{ "15-bit PictureID 32767 (M=1)", "90 80 ff ff 01 02 03", 0,
	  FI(.frame_start = 1, .desc_len = 4, .has_picture_id = 1, .picture_id = 0x7fff,
	     .picture_id_bits = 15) },
	{ "15-bit PictureID 0 (M=1): still two octets", "80 80 80 00 aa", 0,
	  FI(.desc_len = 4, .has_picture_id = 1, .picture_id = 0, .picture_id_bits = 15) },
	{ "everything: I(15) L T K, TID 2 Y, keyframe", "90 f0 ff bc 05 bf 00 02 03", 0,
	  FI(.keyframe = 1, .frame_start = 1, .desc_len = 6, .has_picture_id = 1,
	     .picture_id = 0x7fbc, .picture_id_bits = 15, .has_tl0 = 1, .tl0picidx = 5,
	     .has_layers = 1, .temporal = 2, .sync = 1) },
	{ "as rtpvp8pay writes it: I(15) L T, TID 1 Y", "90 e0 85 10 2a 60 01 b2 00", 0,
	  FI(.frame_start = 1, .desc_len = 6, .has_picture_id = 1, .picture_id = 0x0510,
	     .picture_id_bits = 15, .has_tl0 = 1, .tl0picidx = 0x2a, .has_layers = 1,
	     .temporal = 1, .sync = 1) },
	{ "T alone: TID 1, no Y", "80 20 40 aa", 0,
	  FI(.desc_len = 3, .has_layers = 1, .temporal = 1) },
	{ "TID 3", "80 20 c0 aa", 0, FI(.desc_len = 3, .has_layers = 1, .temporal = 3) },
	{ "K alone: the TID and Y bits of the octet are ignored", "80 10 ff aa", 0,
	  FI(.desc_len = 3) },
	{ "T and K: TID 3 Y, KEYIDX 5", "80 30 e5 aa", 0,
	  FI(.desc_len = 3, .has_layers = 1, .temporal = 3, .sync = 1) },
	{ "L and T with 7-bit PictureID", "80 e0 05 ff 00 aa", 0,
	  FI(.desc_len = 5, .has_picture_id = 1, .picture_id = 5, .picture_id_bits = 7,
	     .has_tl0 = 1, .tl0picidx = 0xff, .has_layers = 1, .temporal = 0) },
	{ "reserved bits set are ignored (R, R, RSV)", "d8 0f 00 00 00", 0,
	  FI(.keyframe = 1, .frame_start = 1, .desc_len = 2) },
	{ "X=0: what follows is payload even if it looks like an X octet", "10 e1 00 00", 0,
	  FI(.frame_start = 1, .desc_len = 1) },
	/* Refusals. */
	{ "empty payload", "", -1, FI() },
	{ "descriptor only, no VP8 data", "00", -1, FI() },
	{ "X set, X octet missing", "90", -1, FI() },
	{ "I set, PictureID missing", "80 80", -1, FI() },
	{ "M set, second PictureID octet missing", "80 80 80", -1, FI() },
	{ "L set, TL0PICIDX missing", "80 60", -1, FI() },
	{ "T set, TID octet missing", "80 20", -1, FI() },
	{ "K set, KEYIDX octet missing", "80 10", -1, FI() },
	{ "L without T (RFC 7741: T MUST be set with L)", "80 40 05 aa", -1, FI() },
	{ "L and K without T", "80 50 05 00 aa", -1, FI() },
	{ "complete descriptor, no VP8 data", "80 e0 81 00 05 40", -1, FI() },
	{ "frame start with 2 of the 3 payload header octets", "10 00 00", -1, FI() },
	{ "frame start with 2 of the 3 payload header octets after I L T",
	  "90 e0 81 00 05 40 00 00", -1, FI() },
};

static int fi_equal(const struct dp_frame_info *a, const struct dp_frame_info *b)
{
	return a->keyframe == b->keyframe && a->frame_start == b->frame_start &&
	       a->temporal == b->temporal && a->sync == b->sync &&
	       a->has_layers == b->has_layers && a->desc_len == b->desc_len &&
	       a->picture_id == b->picture_id && a->has_picture_id == b->has_picture_id &&
	       a->has_tl0 == b->has_tl0 && a->tl0picidx == b->tl0picidx &&
	       a->picture_id_bits == b->picture_id_bits;
}

static void print_fi(const char *what, const struct dp_frame_info *f)
{
	fprintf(stderr,
		"  %s: key %u start %u tid %u y %u layers %u desc %u pid %u/%u bits %u tl0 %u/%u\n",
		what, f->keyframe, f->frame_start, f->temporal, f->sync, f->has_layers,
		f->desc_len, f->has_picture_id, f->picture_id, f->picture_id_bits, f->has_tl0,
		f->tl0picidx);
}

static void test_known(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(known); i++) {
		const struct known *k = &known[i];
		uint8_t buf[64];
		size_t n = test_hex(k->hex, buf, sizeof(buf));
		/* A heap copy of exactly n bytes, so ASan sees any read past it. */
		uint8_t *p = malloc(n ? n : 1);
		struct dp_frame_info fi;

		memcpy(p, buf, n);
		int ret = dp_vp8_parse(p, (uint32_t)n, &fi);
		CHECK(ret == k->ret, "known \"%s\": returned %d, expected %d", k->name, ret,
		      k->ret);
		if (ret == 0 && k->ret == 0 && !fi_equal(&fi, &k->fi)) {
			CHECK(0, "known \"%s\": fields differ", k->name);
			print_fi("got     ", &fi);
			print_fi("expected", &k->fi);
		}
		free(p);
	}
}

/* ---- every combination, against an independent encoder ---------------- */

struct fields {
	unsigned x, n, s, pid, r;           /* byte 0; r sets both R bits */
	unsigned i, m, l, t, k, rsv;        /* X octet */
	unsigned picture_id, tl0, tid, y, keyidx;
	unsigned p;                         /* payload header: 0 = key frame */
};

/* Writes the descriptor, a 3-octet payload header and `extra` more octets;
 * returns the length and stores the descriptor's in *desc_len. */
static size_t build(const struct fields *f, unsigned extra, uint8_t *out, size_t *desc_len)
{
	size_t n = 0;

	out[n++] = (uint8_t)(f->x << 7 | f->r << 6 | f->n << 5 | f->s << 4 | f->r << 3 | f->pid);
	if (f->x) {
		out[n++] = (uint8_t)(f->i << 7 | f->l << 6 | f->t << 5 | f->k << 4 | f->rsv);
		if (f->i) {
			if (f->m) {
				out[n++] = (uint8_t)(0x80 | f->picture_id >> 8);
				out[n++] = (uint8_t)(f->picture_id & 0xff);
			} else {
				out[n++] = (uint8_t)f->picture_id;
			}
		}
		if (f->l)
			out[n++] = (uint8_t)f->tl0;
		if (f->t || f->k)
			out[n++] = (uint8_t)(f->tid << 6 | f->y << 5 | f->keyidx);
	}
	*desc_len = n;
	out[n++] = (uint8_t)(0x10 | f->p); /* size0 = 0, show_frame, version 0 */
	out[n++] = 0x02;
	out[n++] = 0x00;
	for (unsigned e = 0; e < extra; e++)
		out[n++] = (uint8_t)(0xa5 ^ e);
	return n;
}

static struct dp_frame_info expected_fi(const struct fields *f, size_t desc_len)
{
	struct dp_frame_info e = { 0 };
	int start = f->s && f->pid == 0;

	e.frame_start = (uint8_t)start;
	e.keyframe = (uint8_t)(start && f->p == 0);
	e.desc_len = (uint8_t)desc_len;
	if (f->x && f->i) {
		e.has_picture_id = 1;
		e.picture_id = (uint16_t)f->picture_id;
		e.picture_id_bits = f->m ? 15 : 7;
	}
	if (f->x && f->l) {
		e.has_tl0 = 1;
		e.tl0picidx = (uint8_t)f->tl0;
	}
	if (f->x && f->t) {
		e.has_layers = 1;
		e.temporal = (uint8_t)f->tid;
		e.sync = (uint8_t)f->y;
	}
	return e;
}

static unsigned combos, refusals;

static void check_rewrite(const struct fields *f, const uint8_t *pkt, size_t len,
			  const struct dp_frame_info *fi)
{
	static const uint16_t new_ids[] = { 0, 1, 127, 128, 0x1234, 0x7fff, 0xffff };
	static const uint8_t new_tl0[] = { 0, 1, 0x80, 0xff };

	for (unsigned a = 0; a < ARRAY_LEN(new_ids); a++) {
		uint8_t *copy = malloc(len);
		struct dp_frame_info after;
		uint8_t tl0 = new_tl0[a % ARRAY_LEN(new_tl0)];

		memcpy(copy, pkt, len);
		/* The rewrite is given only the descriptor's bytes. */
		uint8_t *desc = malloc(fi->desc_len);
		memcpy(desc, copy, fi->desc_len);
		dp_vp8_rewrite(desc, fi, new_ids[a], tl0);
		memcpy(copy, desc, fi->desc_len);
		free(desc);

		CHECK(dp_vp8_parse(copy, (uint32_t)len, &after) == 0,
		      "rewrite: the result does not parse");
		struct dp_frame_info want = *fi;
		if (fi->has_picture_id)
			want.picture_id = (uint16_t)(new_ids[a] & (fi->picture_id_bits == 15 ?
								   0x7fff : 0x7f));
		if (fi->has_tl0)
			want.tl0picidx = tl0;
		if (!fi_equal(&after, &want)) {
			CHECK(0, "rewrite to %u/%u: fields differ", new_ids[a], tl0);
			print_fi("got     ", &after);
			print_fi("expected", &want);
		}
		/* Only the PictureID and TL0PICIDX octets may differ. */
		size_t pid_at = 2, pid_len = fi->has_picture_id ? fi->picture_id_bits / 8 + 1 : 0;
		size_t tl0_at = pid_at + pid_len;
		for (size_t b = 0; b < len; b++) {
			int in_pid = b >= pid_at && b < pid_at + pid_len;
			int in_tl0 = fi->has_tl0 && b == tl0_at;
			if (!in_pid && !in_tl0 && copy[b] != pkt[b]) {
				CHECK(0, "rewrite changed byte %zu (%02x -> %02x) of x%u i%u m%u l%u t%u k%u",
				      b, pkt[b], copy[b], f->x, f->i, f->m, f->l, f->t, f->k);
				break;
			}
		}
		free(copy);
	}
}

static void check_combo(const struct fields *f, unsigned extra)
{
	uint8_t buf[32];
	size_t desc_len;
	size_t len = build(f, extra, buf, &desc_len);
	struct dp_frame_info fi, want = expected_fi(f, desc_len);
	int start = f->s && f->pid == 0;
	size_t min_len = desc_len + (start ? 3 : 1);
	int bad = f->x && f->l && !f->t;

	combos++;
	/* Every prefix, each in a heap buffer of exactly its length. */
	for (size_t n = 0; n <= len; n++) {
		uint8_t *p = malloc(n ? n : 1);
		memcpy(p, buf, n);
		int ret = dp_vp8_parse(p, (uint32_t)n, &fi);
		free(p);
		if (bad || n < min_len) {
			refusals += ret == -1;
			CHECK(ret == -1, "x%u s%u pid%u i%u m%u l%u t%u k%u, %zu of %zu bytes: "
			      "parsed, expected -1", f->x, f->s, f->pid, f->i, f->m, f->l, f->t,
			      f->k, n, len);
			continue;
		}
		CHECK(ret == 0, "x%u s%u pid%u i%u m%u l%u t%u k%u, %zu bytes: refused", f->x,
		      f->s, f->pid, f->i, f->m, f->l, f->t, f->k, n);
		if (ret == 0 && !fi_equal(&fi, &want)) {
			CHECK(0, "x%u s%u pid%u i%u m%u l%u t%u k%u tid%u y%u p%u: fields differ",
			      f->x, f->s, f->pid, f->i, f->m, f->l, f->t, f->k, f->tid, f->y, f->p);
			print_fi("got     ", &fi);
			print_fi("expected", &want);
		}
	}
	if (!bad && dp_vp8_parse(buf, (uint32_t)len, &fi) == 0)
		check_rewrite(f, buf, len, &fi);
}

static void test_combinations(void)
{
	static const unsigned pids[] = { 0, 1, 7 };
	struct fields f;

	memset(&f, 0, sizeof(f));
	for (f.x = 0; f.x <= 1; f.x++)
	for (f.s = 0; f.s <= 1; f.s++)
	for (unsigned pi = 0; pi < ARRAY_LEN(pids); pi++)
	for (f.i = 0; f.i <= f.x; f.i++)
	for (f.m = 0; f.m <= f.i; f.m++)
	for (f.l = 0; f.l <= f.x; f.l++)
	for (f.t = 0; f.t <= f.x; f.t++)
	for (f.k = 0; f.k <= f.x; f.k++)
	for (f.tid = 0; f.tid <= (f.t || f.k ? 3u : 0u); f.tid++)
	for (f.y = 0; f.y <= (f.t || f.k ? 1u : 0u); f.y++)
	for (f.p = 0; f.p <= 1; f.p++)
	for (unsigned variant = 0; variant < 2; variant++) {
		f.pid = pids[pi];
		/* Variant 1: reserved and N bits set, other field values. */
		f.n = variant;
		f.r = variant;
		f.rsv = f.x && variant ? 0xf : 0;
		f.picture_id = f.m ? (variant ? 0x7fff : 0x0102) : (variant ? 0x7f : 0x35);
		f.tl0 = variant ? 0xff : 0x2a;
		f.keyidx = variant ? 0x1f : 0x03;
		check_combo(&f, variant ? 5 : 0);
	}
}

int main(void)
{
	test_known();
	test_combinations();
	printf("dp_vp8: %u descriptor combinations, %u refusals checked\n", combos, refusals);
	return test_summary("dp_vp8");
}
