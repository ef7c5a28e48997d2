/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/codec/vp9.c: the RFC 9628 payload descriptor and scalability
 * structure.
 *
 *  - Known answers: descriptors written out by hand, octet by octet (as
 *    libwebrtc sends them in non-flexible and flexible mode, and the
 *    corner cases), with the fields they must give, or -1.
 *  - Every combination of the I, M, P, L, F, B, E, V and Z bits, of
 *    layer indices, of P_DIFF chains and of scalability structures (one
 *    to eight layers, resolutions, picture groups), valid and not, built
 *    by an independent writer (vp9_desc_build.h): the parse gives back what
 *    was built, dp_vp9_parse's frame info agrees with it, every truncation
 *    is refused (each prefix in a heap buffer of exactly its length, so
 *    ASan sees a read past it), and the rewrite changes exactly the
 *    PictureID and TL0PICIDX octets.
 *  - The marker bit rule (RFC 9628 section 4.1), as a table.
 */
#include "test_util.h"
#include "vp9.h"
#include "vp9_desc_build.h"

/* ---- known answers --------------------------------------------------- */

struct known {
	const char *name;
	const char *hex;
	int ret;
	struct dp_vp9_desc d; /* when ret == 0; ss_len and len included */
};

#define D(...) ((struct dp_vp9_desc){ __VA_ARGS__ })

static const struct known known[] = {
	{ "B E alone: a whole single-layer keyframe", "0c aa", 0,
	  D(.b = 1, .e = 1, .keyframe = 1, .len = 1) },
	{ "delta frame start, 7-bit PictureID 5", "c8 05 aa", 0,
	  D(.i = 1, .p = 1, .b = 1, .picture_id_bits = 7, .picture_id = 5, .len = 2) },
	{ "15-bit PictureID 0x7fff", "c8 ff ff aa", 0,
	  D(.i = 1, .p = 1, .b = 1, .picture_id_bits = 15, .picture_id = 0x7fff, .len = 3) },
	{ "15-bit PictureID 0 (M=1): still two octets", "c0 80 00 aa bb", 0,
	  D(.i = 1, .p = 1, .picture_id_bits = 15, .picture_id = 0, .len = 3) },
	{ "libwebrtc L3T3 key picture, SID 0: TL0PICIDX, SS of 3 layers and the 0,2,1,2 PG",
	  "ae 92 34 10 2a 58 01 40 00 b4 02 80 01 68 05 00 02 d0 04 14 04 54 01 34 02 54 01 aa",
	  0, D(.i = 1, .l = 1, .b = 1, .e = 1, .v = 1, .picture_id_bits = 15,
	       .picture_id = 0x1234, .u = 1, .has_tl0 = 1, .tl0picidx = 0x2a,
	       .ss_layers = 3, .keyframe = 1, .len = 27, .ss_len = 22) },
	{ "the same key picture's SID 1: P=0 D=1, not a key picture's first packet",
	  "ac 92 34 13 2a aa", 0,
	  D(.i = 1, .l = 1, .b = 1, .e = 1, .picture_id_bits = 15, .picture_id = 0x1234,
	    .u = 1, .sid = 1, .d = 1, .has_tl0 = 1, .tl0picidx = 0x2a, .len = 5) },
	{ "k-SVC delta SID 2, TID 2, U, D=0, Z", "ed 92 35 54 2a aa", 0,
	  D(.i = 1, .p = 1, .l = 1, .b = 1, .e = 1, .z = 1, .picture_id_bits = 15,
	    .picture_id = 0x1235, .tid = 2, .u = 1, .sid = 2, .has_tl0 = 1, .tl0picidx = 0x2a,
	    .len = 5) },
	{ "flexible mode: three P_DIFFs 1, 2, 4", "f8 10 20 03 05 08 aa", 0,
	  D(.i = 1, .p = 1, .l = 1, .f = 1, .b = 1, .picture_id_bits = 7, .picture_id = 0x10,
	    .tid = 1, .n_ref = 3, .p_diff = { 1, 2, 4 }, .len = 6) },
	{ "flexible mode: P_DIFF 127", "d0 10 fe aa", 0,
	  D(.i = 1, .p = 1, .f = 1, .picture_id_bits = 7, .picture_id = 0x10, .n_ref = 1,
	    .p_diff = { 127 }, .len = 3) },
	{ "flexible key picture: no P_DIFF, SS of 2 layers with resolutions, N_G 0",
	  "ba 80 01 00 38 00 a0 00 5a 01 40 00 b4 00 aa", 0,
	  D(.i = 1, .l = 1, .f = 1, .b = 1, .v = 1, .picture_id_bits = 15, .picture_id = 1,
	    .ss_layers = 2, .keyframe = 1, .len = 14, .ss_len = 10) },
	{ "F without I is ignored: the non-flexible layout (TL0PICIDX, no P_DIFF)",
	  "78 20 07 aa", 0,
	  D(.p = 1, .l = 1, .b = 1, .tid = 1, .has_tl0 = 1, .tl0picidx = 7, .len = 3) },
	{ "key picture beginning at SID 1: layer 0 is 0x0 in its SS",
	  "aa 01 02 00 30 00 00 00 00 02 80 01 68 aa", 0,
	  D(.i = 1, .l = 1, .b = 1, .v = 1, .picture_id_bits = 7, .picture_id = 1, .sid = 1,
	    .has_tl0 = 1, .ss_layers = 2, .keyframe = 1, .len = 13, .ss_len = 9) },
	{ "SID 1, P=0, D=0 without SS: intra, not a key picture's first packet",
	  "a8 01 02 00 aa", 0,
	  D(.i = 1, .l = 1, .b = 1, .picture_id_bits = 7, .picture_id = 1, .sid = 1,
	    .has_tl0 = 1, .len = 4) },
	{ "SID 1 with SS whose layer 0 is not 0x0: not a key picture's first packet",
	  "aa 01 02 00 30 00 a0 00 5a 02 80 01 68 aa", 0,
	  D(.i = 1, .l = 1, .b = 1, .v = 1, .picture_id_bits = 7, .picture_id = 1, .sid = 1,
	    .has_tl0 = 1, .ss_layers = 2, .len = 13, .ss_len = 9) },
	{ "reserved SS bits are ignored", "0a 07 aa", 0,
	  D(.b = 1, .v = 1, .ss_layers = 1, .keyframe = 1, .len = 2, .ss_len = 1) },
	{ "SS with G and N_G = 0", "0a 08 00 aa", 0,
	  D(.b = 1, .v = 1, .ss_layers = 1, .keyframe = 1, .len = 3, .ss_len = 2) },
	{ "SS of 8 layers, no resolutions", "0a e0 aa", 0,
	  D(.b = 1, .v = 1, .ss_layers = 8, .keyframe = 1, .len = 2, .ss_len = 1) },
	{ "PG picture with R = 3 and P_DIFF 255", "02 08 01 0c 01 02 ff aa", 0,
	  D(.v = 1, .ss_layers = 1, .len = 7, .ss_len = 6) },
	{ "continuation packet: P E Z", "45 aa", 0, D(.p = 1, .e = 1, .z = 1, .len = 1) },
	{ "B with P=0 and TID 2: the sender breaks a MUST; still a keyframe's start",
	  "28 40 00 aa", 0,
	  D(.l = 1, .b = 1, .tid = 2, .has_tl0 = 1, .keyframe = 1, .len = 3) },
	/* Refusals. */
	{ "empty payload", "", -1, D() },
	{ "descriptor only", "0c", -1, D() },
	{ "I set, PictureID missing", "80", -1, D() },
	{ "M set, extended PictureID missing", "80 80", -1, D() },
	{ "L set, layer indices missing", "a0 05", -1, D() },
	{ "non-flexible L, TL0PICIDX missing", "a0 05 00", -1, D() },
	{ "complete descriptor, no VP9 data", "a0 05 00 07", -1, D() },
	{ "flexible P, P_DIFF missing", "d0 05", -1, D() },
	{ "P_DIFF 0 (\"invalid\")", "d0 05 00 aa", -1, D() },
	{ "P_DIFF 0 second", "d0 05 03 00 aa", -1, D() },
	{ "four P_DIFFs (N on the third)", "d0 05 03 05 07 09 aa", -1, D() },
	{ "N set on the last octet: no VP9 data", "d0 05 03 aa", -1, D() },
	{ "D set on spatial layer 0", "20 01 00 aa", -1, D() },
	{ "V set, SS missing", "02", -1, D() },
	{ "Y: resolution cut short", "02 10 00 01", -1, D() },
	{ "Y: second layer's resolution missing", "02 30 00 01 00 01", -1, D() },
	{ "G: N_G missing", "02 08", -1, D() },
	{ "N_G 1, its picture missing", "02 08 01", -1, D() },
	{ "R 1, its P_DIFF missing", "02 08 01 04", -1, D() },
	{ "R 3, two P_DIFFs", "02 08 01 0c 01 02", -1, D() },
	{ "the PG's first picture has TID 2", "02 08 01 44 01 aa", -1, D() },
	{ "a PG P_DIFF of 0", "02 08 02 04 01 44 00 aa", -1, D() },
	{ "SID 2 in a packet whose own SS has 1 layer", "22 04 00 00 aa", -1, D() },
	{ "SS complete, no VP9 data", "02 00", -1, D() },
};

static int desc_equal(const struct dp_vp9_desc *a, const struct dp_vp9_desc *b)
{
	return a->i == b->i && a->p == b->p && a->l == b->l && a->f == b->f && a->b == b->b &&
	       a->e == b->e && a->v == b->v && a->z == b->z &&
	       a->picture_id_bits == b->picture_id_bits && a->picture_id == b->picture_id &&
	       a->tid == b->tid && a->u == b->u && a->sid == b->sid && a->d == b->d &&
	       a->has_tl0 == b->has_tl0 && a->tl0picidx == b->tl0picidx &&
	       a->n_ref == b->n_ref && !memcmp(a->p_diff, b->p_diff, sizeof(a->p_diff)) &&
	       a->ss_layers == b->ss_layers && a->keyframe == b->keyframe && a->len == b->len &&
	       a->ss_len == b->ss_len;
}

static void print_desc(const char *what, const struct dp_vp9_desc *d)
{
	fprintf(stderr,
		"  %s: IPLFBEVZ %u%u%u%u%u%u%u%u pid %u/%u tid %u u %u sid %u d %u tl0 %u/%u "
		"refs %u [%u %u %u] ss %u key %u len %u ss_len %u\n",
		what, d->i, d->p, d->l, d->f, d->b, d->e, d->v, d->z, d->picture_id,
		d->picture_id_bits, d->tid, d->u, d->sid, d->d, d->has_tl0, d->tl0picidx, d->n_ref,
		d->p_diff[0], d->p_diff[1], d->p_diff[2], d->ss_layers, d->keyframe, d->len,
		d->ss_len);
}

static void test_known(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(known); i++) {
		const struct known *k = &known[i];
		uint8_t buf[128];
		size_t n = test_hex(k->hex, buf, sizeof(buf));
		uint8_t *p = malloc(n ? n : 1);
		struct dp_vp9_desc d;

		memcpy(p, buf, n);
		int ret = dp_vp9_parse_desc(p, (uint32_t)n, &d, NULL);
		CHECK(ret == k->ret, "known \"%s\": returned %d, expected %d", k->name, ret,
		      k->ret);
		if (ret == 0 && k->ret == 0 && !desc_equal(&d, &k->d)) {
			CHECK(0, "known \"%s\": fields differ", k->name);
			print_desc("got     ", &d);
			print_desc("expected", &k->d);
		}
		free(p);
	}
}

/* The libwebrtc key picture above, with its SS read out. */
static void test_ss_contents(void)
{
	static const char *hex = "ae 92 34 10 2a 58 01 40 00 b4 02 80 01 68 05 00 02 d0 04 "
				 "14 04 54 01 34 02 54 01 aa";
	static const uint16_t w[3] = { 320, 640, 1280 }, h[3] = { 180, 360, 720 };
	static const uint8_t tid[4] = { 0, 2, 1, 2 }, diff[4] = { 4, 1, 2, 1 };
	static struct dp_vp9_ss ss;
	uint8_t buf[64];
	size_t n = test_hex(hex, buf, sizeof(buf));
	struct dp_vp9_desc d;

	CHECK(dp_vp9_parse_desc(buf, (uint32_t)n, &d, &ss) == 0, "SS contents: refused");
	CHECK(ss.n_layers == 3 && ss.has_resolution && ss.has_pg && ss.n_pg == 4,
	      "SS contents: layers %u Y %u G %u N_G %u", ss.n_layers, ss.has_resolution,
	      ss.has_pg, ss.n_pg);
	for (unsigned s = 0; s < 3; s++)
		CHECK(ss.width[s] == w[s] && ss.height[s] == h[s], "SS layer %u: %ux%u", s,
		      ss.width[s], ss.height[s]);
	for (unsigned k = 0; k < 4; k++)
		CHECK(ss.pg[k].tid == tid[k] && ss.pg[k].u == 1 && ss.pg[k].n_ref == 1 &&
		      ss.pg[k].p_diff[0] == diff[k], "SS PG picture %u: TID %u U %u R %u P_DIFF %u",
		      k, ss.pg[k].tid, ss.pg[k].u, ss.pg[k].n_ref, ss.pg[k].p_diff[0]);
}

/* ---- every combination, against the independent writer ---------------- */

struct layer_variant {
	unsigned tid, u, sid, d;
};

static const struct layer_variant layer_variants[] = {
	{ 0, 0, 0, 0 }, { 2, 1, 1, 1 }, { 7, 0, 7, 1 }, { 0, 0, 1, 0 },
	{ 1, 1, 0, 1 }, /* D on SID 0: refused */
};

/* Flexible-mode P_DIFF chains: count, values, N on the last (refused). */
struct ref_variant {
	unsigned n_ref, p_diff[3], n_more, bad;
};

static const struct ref_variant ref_variants[] = {
	{ 1, { 1 }, 0, 0 },
	{ 2, { 127, 3 }, 0, 0 },
	{ 3, { 1, 2, 4 }, 0, 0 },
	{ 3, { 1, 2, 4 }, 1, 1 },  /* a fourth announced */
	{ 2, { 5, 0 }, 0, 1 },     /* P_DIFF 0 */
};

#define N_SS_VARIANTS 7

/* SS variant k (0 = none); returns whether it is refused. */
static unsigned ss_variant(struct vp9_build *f, unsigned k)
{
	static const unsigned w3[3] = { 320, 640, 1280 }, h3[3] = { 180, 360, 720 };

	f->v = k != 0;
	f->ns = f->y = f->g = f->n_g = f->ss_reserved = 0;
	memset(f->width, 0, sizeof(f->width));
	memset(f->height, 0, sizeof(f->height));
	switch (k) {
	case 1: /* one layer, nothing else */
		return 0;
	case 2: /* libwebrtc L3T3 */
		f->ns = 2;
		f->y = 1;
		memcpy(f->width, w3, sizeof(w3));
		memcpy(f->height, h3, sizeof(h3));
		vp9_build_pg_l3t3(f);
		return 0;
	case 3: /* two layers, the lower one off; an empty PG */
		f->ns = 1;
		f->y = 1;
		f->width[1] = 640;
		f->height[1] = 360;
		f->g = 1;
		return 0;
	case 4: /* eight layers; a PG with R 0 and R 3; reserved bits set */
		f->ns = 7;
		f->g = 1;
		f->n_g = 2;
		f->pg[0] = (struct vp9_build_pg){ 0, 0, 0, { 0 } };
		f->pg[1] = (struct vp9_build_pg){ 3, 1, 3, { 1, 2, 255 } };
		f->ss_reserved = 1;
		return 0;
	case 5: /* the PG begins with TID 1 */
		f->g = 1;
		f->n_g = 1;
		f->pg[0] = (struct vp9_build_pg){ 1, 0, 1, { 1 } };
		return 1;
	case 6: /* a PG P_DIFF of 0 */
		f->ns = 1;
		f->g = 1;
		f->n_g = 2;
		f->pg[0] = (struct vp9_build_pg){ 0, 1, 1, { 2 } };
		f->pg[1] = (struct vp9_build_pg){ 1, 1, 2, { 1, 0 } };
		return 1;
	default:
		return 0;
	}
}

static struct dp_vp9_desc expected_desc(const struct vp9_build *f, size_t len, size_t ss_len)
{
	struct dp_vp9_desc e = { 0 };
	unsigned flexible = f->f && f->i;

	e.i = (uint8_t)f->i;
	e.p = (uint8_t)f->p;
	e.l = (uint8_t)f->l;
	e.f = (uint8_t)flexible;
	e.b = (uint8_t)f->b;
	e.e = (uint8_t)f->e;
	e.v = (uint8_t)f->v;
	e.z = (uint8_t)f->z;
	if (f->i) {
		e.picture_id_bits = f->m ? 15 : 7;
		e.picture_id = (uint16_t)(f->picture_id & (f->m ? 0x7fff : 0x7f));
	}
	if (f->l) {
		e.tid = (uint8_t)f->tid;
		e.u = (uint8_t)f->u;
		e.sid = (uint8_t)f->sid;
		e.d = (uint8_t)f->d;
		if (!flexible) {
			e.has_tl0 = 1;
			e.tl0picidx = (uint8_t)f->tl0;
		}
	}
	if (f->p && flexible) {
		e.n_ref = (uint8_t)f->n_ref;
		for (unsigned k = 0; k < f->n_ref; k++)
			e.p_diff[k] = (uint8_t)f->p_diff[k];
	}
	unsigned lower_off = f->v && f->y && f->l;
	for (unsigned s = 0; lower_off && s < f->sid; s++)
		lower_off = f->width[s] == 0 && f->height[s] == 0;
	if (f->v) {
		e.ss_layers = (uint8_t)(f->ns + 1);
		e.ss_len = (uint16_t)ss_len;
	}
	e.keyframe = f->b && !f->p && !(f->l && f->d) && (!f->l || f->sid == 0 || lower_off);
	e.len = (uint16_t)len;
	return e;
}

static unsigned combos, refusals, rewrites;

#define FIELDS_FMT "I%u M%u P%u L%u F%u B%u E%u V%u Z%u tid%u u%u sid%u d%u refs%u ns%u"
#define FIELDS(f) (f)->i, (f)->m, (f)->p, (f)->l, (f)->f, (f)->b, (f)->e, (f)->v, (f)->z, \
	(f)->tid, (f)->u, (f)->sid, (f)->d, (f)->n_ref, (f)->ns

/* The frame info dp_vp9_parse must derive from a valid descriptor. */
static void check_frame_info(const struct vp9_build *f, const uint8_t *pkt, size_t len,
			     const struct dp_vp9_desc *e)
{
	struct dp_frame_info fi;
	struct dp_frame_svc svc;

	CHECK(dp_vp9_parse(pkt, (uint32_t)len, &fi, &svc) == 0, FIELDS_FMT ": parse refused",
	      FIELDS(f));
	unsigned want_desc = 1 + (e->i ? e->picture_id_bits / 8u + 1 : 0) + (e->has_tl0 ? 2u : 0);
	int ok = fi.keyframe == e->keyframe && fi.frame_start == e->b &&
		 fi.temporal == e->tid && fi.sync == e->u && fi.has_layers == e->l &&
		 fi.desc_len == want_desc && fi.desc_len <= DP_VP9_MAX_REWRITE_LEN &&
		 fi.has_picture_id == e->i && fi.picture_id == e->picture_id &&
		 fi.picture_id_bits == e->picture_id_bits && fi.has_tl0 == e->has_tl0 &&
		 fi.tl0picidx == e->tl0picidx && svc.kind == DP_SVC_VP9 &&
		 svc.spatial == e->sid && svc.inter_picture == e->p && svc.inter_layer == e->d &&
		 svc.frame_end == e->e && svc.not_ref_upper == e->z &&
		 svc.ss_layers == e->ss_layers && svc.flexible == e->f;
	CHECK(ok, FIELDS_FMT ": frame info differs (key %u start %u tid %u desc_len %u sid %u)",
	      FIELDS(f), fi.keyframe, fi.frame_start, fi.temporal, fi.desc_len, svc.spatial);
}

static void check_rewrite(const struct vp9_build *f, const uint8_t *pkt, size_t len)
{
	static const uint16_t new_ids[] = { 0, 1, 127, 128, 0x1234, 0x7fff, 0xffff };
	static const uint8_t new_tl0[] = { 0, 1, 0x80, 0xff };
	struct dp_frame_info fi, after;
	struct dp_frame_svc svc, svc_after;

	if (dp_vp9_parse(pkt, (uint32_t)len, &fi, &svc) != 0)
		return;
	for (unsigned a = 0; a < ARRAY_LEN(new_ids); a++) {
		uint8_t *copy = malloc(len);
		uint8_t tl0 = new_tl0[a % ARRAY_LEN(new_tl0)];

		memcpy(copy, pkt, len);
		/* The rewrite is given only the first desc_len octets. */
		uint8_t *desc = malloc(fi.desc_len);
		memcpy(desc, copy, fi.desc_len);
		dp_vp9_rewrite(desc, &fi, new_ids[a], tl0);
		memcpy(copy, desc, fi.desc_len);
		free(desc);
		rewrites++;

		CHECK(dp_vp9_parse(copy, (uint32_t)len, &after, &svc_after) == 0,
		      FIELDS_FMT ": the rewrite does not parse", FIELDS(f));
		struct dp_frame_info want = fi;
		if (fi.has_picture_id)
			want.picture_id = (uint16_t)(new_ids[a] & (fi.picture_id_bits == 15 ?
								   0x7fff : 0x7f));
		if (fi.has_tl0)
			want.tl0picidx = tl0;
		CHECK(!memcmp(&after, &want, sizeof(want)) && !memcmp(&svc, &svc_after, sizeof(svc)),
		      FIELDS_FMT ": rewrite to %u/%u: fields differ", FIELDS(f), new_ids[a], tl0);
		size_t pid_len = fi.has_picture_id ? fi.picture_id_bits / 8u + 1 : 0;
		size_t tl0_at = 1 + pid_len + 1;
		for (size_t b = 0; b < len; b++) {
			int in_pid = b >= 1 && b < 1 + pid_len;
			int in_tl0 = fi.has_tl0 && b == tl0_at;
			if (!in_pid && !in_tl0 && copy[b] != pkt[b]) {
				CHECK(0, FIELDS_FMT ": the rewrite changed octet %zu", FIELDS(f), b);
				break;
			}
		}
		free(copy);
	}
}

static void check_combo(const struct vp9_build *f, unsigned bad, unsigned extra)
{
	uint8_t buf[256];
	size_t desc_len = vp9_build_desc(f, buf);
	size_t ss_len = 0;

	if (f->v) {
		/* The SS's length: what the writer adds for it. */
		struct vp9_build no_ss = *f;
		no_ss.v = 0;
		uint8_t tmp[256];
		ss_len = desc_len - vp9_build_desc(&no_ss, tmp);
	}
	size_t len = desc_len;
	for (unsigned k = 0; k <= extra; k++)
		buf[len++] = (uint8_t)(0x9d ^ k);
	struct dp_vp9_desc want = expected_desc(f, desc_len, ss_len), got;

	combos++;
	for (size_t n = 0; n <= len; n++) {
		uint8_t *p = malloc(n ? n : 1);
		memcpy(p, buf, n);
		int ret = dp_vp9_parse_desc(p, (uint32_t)n, &got, NULL);
		free(p);
		if (bad || n <= desc_len) {
			refusals += ret == -1;
			CHECK(ret == -1, FIELDS_FMT ", %zu of %zu octets: parsed, expected -1",
			      FIELDS(f), n, len);
			continue;
		}
		CHECK(ret == 0, FIELDS_FMT ", %zu octets: refused", FIELDS(f), n);
		if (ret == 0 && !desc_equal(&got, &want)) {
			CHECK(0, FIELDS_FMT ": fields differ", FIELDS(f));
			print_desc("got     ", &got);
			print_desc("expected", &want);
		}
	}
	if (!bad) {
		check_frame_info(f, buf, len, &want);
		check_rewrite(f, buf, len);
	}
}

static void test_combinations(void)
{
	struct vp9_build f;

	memset(&f, 0, sizeof(f));
	for (unsigned im = 0; im < 3; im++)
	for (f.p = 0; f.p <= 1; f.p++)
	for (unsigned lv = 0; lv <= ARRAY_LEN(layer_variants); lv++)
	for (f.f = 0; f.f <= 1; f.f++)
	for (f.b = 0; f.b <= 1; f.b++)
	for (unsigned ez = 0; ez < 4; ez++)
	for (unsigned rv = 0; rv < ARRAY_LEN(ref_variants); rv++)
	for (unsigned sv = 0; sv < N_SS_VARIANTS; sv++) {
		f.i = im > 0;
		f.m = im == 2;
		f.picture_id = f.m ? 0x5a5a ^ (rv << 3) : 0x35 + rv;
		f.e = ez & 1;
		f.z = ez >> 1;
		f.l = lv > 0;
		const struct layer_variant *l = f.l ? &layer_variants[lv - 1] : NULL;
		f.tid = l ? l->tid : 0;
		f.u = l ? l->u : 0;
		f.sid = l ? l->sid : 0;
		f.d = l ? l->d : 0;
		f.tl0 = 0xa0 + lv;
		unsigned flexible_refs = f.p && f.f && f.i;
		if (!flexible_refs && rv > 0)
			continue; /* the chain is not written: one pass is enough */
		const struct ref_variant *r = &ref_variants[rv];
		f.n_ref = flexible_refs ? r->n_ref : 0;
		f.n_more = flexible_refs ? r->n_more : 0;
		memcpy(f.p_diff, r->p_diff, sizeof(r->p_diff));
		unsigned bad = ss_variant(&f, sv);
		bad |= flexible_refs && r->bad;
		bad |= f.l && f.d && f.sid == 0;
		bad |= f.v && f.l && f.sid > f.ns;
		check_combo(&f, bad, f.b ? 0 : 3);
	}
}

/* ---- the marker bit ---------------------------------------------------- */

struct marker_case {
	const char *name;
	unsigned marker_in, has_layers, e, sid, layer, want;
};

static const struct marker_case marker_cases[] = {
	{ "the input's marker stays", 1, 1, 1, 2, 2, 1 },
	{ "the input's marker stays on a receiver of every layer", 1, 1, 1, 1, 7, 1 },
	{ "last packet of the receiver's top layer: set", 0, 1, 1, 1, 1, 1 },
	{ "last packet of a lower layer: not set", 0, 1, 1, 0, 1, 0 },
	{ "a packet of the top layer that is not its last: not set", 0, 1, 0, 1, 1, 0 },
	{ "the base layer of a base-layer receiver", 0, 1, 1, 0, 0, 1 },
	{ "no layer indices: E is the picture's end", 0, 0, 1, 0, 0, 1 },
	{ "no layer indices, not the end", 0, 0, 0, 0, 0, 0 },
};

static void test_marker(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(marker_cases); i++) {
		const struct marker_case *c = &marker_cases[i];
		struct dp_frame_info fi = { .has_layers = (uint8_t)c->has_layers };
		struct dp_frame_svc svc = { .kind = DP_SVC_VP9, .spatial = (uint8_t)c->sid,
					    .frame_end = (uint8_t)c->e };

		CHECK(dp_vp9_marker(c->marker_in, &fi, &svc, (uint8_t)c->layer) == (bool)c->want,
		      "marker \"%s\": expected %u", c->name, c->want);
	}
}

int main(void)
{
	test_known();
	test_ss_contents();
	test_combinations();
	test_marker();
	printf("dp_vp9: %u descriptor combinations, %u refusals, %u rewrites checked\n", combos,
	       refusals, rewrites);
	return test_summary("dp_vp9");
}
