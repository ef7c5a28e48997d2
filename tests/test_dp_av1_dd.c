/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/codec/av1_dd.c: reading the Dependency Descriptor (AV1 RTP
 * specification, appendix A).
 *
 *  - Known answers: descriptors written out by hand, field by field, as bit
 *    strings, with what they must give (or the error).
 *  - The specification's example structures (A.10.2: L1T3, L3T3 full SVC,
 *    L3T3 K-SVC) and an L2T2 one, encoded by the independent builder: the
 *    parsed structure matches its table, every template id reads back its
 *    row, ids outside the structure are refused.
 *  - Every truncation of every descriptor, in exact-size heap buffers: it
 *    is refused and leaves the stream as it was.
 *  - Limits: 64 templates, layers, frame differences.
 *  - Frame numbers unwrapped across 16-bit wraparound, structures replaced
 *    (and kept while a frame may point at them), active decode targets.
 *
 * `test_dp_av1_dd DIR` writes the fuzz target's seed corpus
 * (tests/fuzz/corpus/av1_dd/) into DIR from the same builder; the suite's
 * fuzz_av1_dd_seeds_fresh checks the committed corpus against it.
 */
#include <errno.h>
#include <sys/stat.h>

#include "av1_dd.h"
#include "test_dp_av1_dd_builder.h"
#include "test_util.h"

#define OK DP_AV1_DD_OK
#define TRUNC DP_AV1_DD_TRUNCATED
#define NO_STRUCT DP_AV1_DD_NO_STRUCTURE
#define UNKNOWN DP_AV1_DD_UNKNOWN_TEMPLATE

/* Parses an exact-size heap copy of dd[0..len). */
static enum dp_av1_dd_status parse_exact(struct dp_av1_dd_stream *st, const uint8_t *dd,
					 size_t len, struct dp_av1_dd_frame *f)
{
	uint8_t *p = malloc(len ? len : 1);
	memcpy(p, dd, len);
	enum dp_av1_dd_status s = dp_av1_dd_parse(st, p, len, f);
	free(p);
	return s;
}

/* A stream that has learnt structure s (from a keyframe at frame 0). */
static void prime(struct dp_av1_dd_stream *st, const struct ddb_structure *s)
{
	uint8_t buf[512];
	struct dp_av1_dd_frame f;

	dp_av1_dd_stream_init(st);
	if (s == NULL)
		return;
	struct ddb_desc d = { .sof = 1, .eof = 1, .template_id = s->offset, .attach = s };
	size_t n = ddb_encode(&d, buf, sizeof(buf));
	enum dp_av1_dd_status r = parse_exact(st, buf, n, &f);
	CHECK(r == OK, "priming with %s: %s", s->name, dp_av1_dd_status_name(r));
}

/* ---- Known answers ----------------------------------------------------- */

struct known {
	const char *name;
	const struct ddb_structure *learnt; /* the stream's structure before */
	const char *bits;
	enum dp_av1_dd_status status;
	/* When OK: */
	uint8_t sof, eof;
	uint16_t frame_number;
	uint8_t spatial, temporal;
	const char *dtis;
	const char *fdiffs;
	const char *chains;
	uint32_t active_mask;
	uint8_t attached, active_present;
};

/* The L1T3 keyframe descriptor, field by field (test_dp_av1_dd_builder.h). */
#define L1T3_KEY_BITS                                                          \
	"1 1 000000 0000000000000001 "  /* start, end, template 0, frame 1 */ \
	"1 0 0 0 0 "                    /* structure present, no other flag */ \
	DDB_L1T3_STRUCTURE_BITS

static const struct known known[] = {
	{ "L1T3 keyframe with its structure (A.10.2.1)", NULL, L1T3_KEY_BITS, OK,
	  1, 1, 1, 0, 0, "SSS", "", "0", 7, 1, 0 },
	{ "template 1: T0 after T0", &ddb_l1t3, "1 0 000001 0001001000110100", OK,
	  1, 0, 0x1234, 0, 0, "SSS", "4", "4", 7, 0, 0 },
	{ "template 2: T1", &ddb_l1t3, "0 1 000010 1111111111111111", OK,
	  0, 1, 0xffff, 0, 1, "SD-", "2", "2", 7, 0, 0 },
	{ "template 4: T2, chain 3", &ddb_l1t3, "1 1 000100 0000000000000000", OK,
	  1, 1, 0, 0, 2, "D--", "1", "3", 7, 0, 0 },
	{ "extended fields, all flags 0", &ddb_l1t3, "1 0 000011 0000000000000101 00000 000", OK,
	  1, 0, 5, 0, 2, "D--", "1", "1", 7, 0, 0 },
	{ "zero padding that is not zero is ignored", &ddb_l1t3,
	  "1 0 000011 0000000000000101 00000 111", OK, 1, 0, 5, 0, 2, "D--", "1", "1", 7, 0, 0 },
	{ "two octets of padding", &ddb_l1t3,
	  "1 0 000011 0000000000000101 00000 000 00000000 00000000", OK,
	  1, 0, 5, 0, 2, "D--", "1", "1", 7, 0, 0 },
	{ "custom DTIs --R", &ddb_l1t3, "0 0 000010 0000000000000111 00100 00 00 11", OK,
	  0, 0, 7, 0, 1, "--R", "2", "2", 7, 0, 0 },
	{ "custom fdiffs 1, 256, 4096 (next_fdiff_size 1, 2, 3)", &ddb_l1t3,
	  "0 0 000001 0000000000001000 00010 01 0000 10 11111111 11 111111111111 00", OK,
	  0, 0, 8, 0, 0, "SSS", "1,256,4096", "4", 7, 0, 0 },
	{ "custom fdiffs: none at all", &ddb_l1t3, "0 0 000001 0000000000001000 00010 00", OK,
	  0, 0, 8, 0, 0, "SSS", "", "4", 7, 0, 0 },
	{ "custom chains: 255", &ddb_l1t3, "0 0 000001 0000000000001001 00001 11111111", OK,
	  0, 0, 9, 0, 0, "SSS", "4", "255", 7, 0, 0 },
	{ "all three custom", &ddb_l1t3,
	  "0 0 000001 0000000000001001 00111 01 10 11 01 0101 00 00000110", OK,
	  0, 0, 9, 0, 0, "DSR", "6", "6", 7, 0, 0 },
	{ "active decode targets 101", &ddb_l1t3, "0 0 000001 0000000000001010 01000 101", OK,
	  0, 0, 10, 0, 0, "SSS", "4", "4", 5, 0, 1 },
	{ "active decode targets 000", &ddb_l1t3, "0 0 000001 0000000000001010 01000 000", OK,
	  0, 0, 10, 0, 0, "SSS", "4", "4", 0, 0, 1 },
	{ "structure and active decode targets 010", NULL,
	  "1 1 000000 0000000000000001 1 1 0 0 0 " DDB_L1T3_STRUCTURE_BITS "010", OK, 1, 1, 1, 0, 0, "SSS", "", "0", 2, 1, 1 },
	{ "structure with resolutions 1280x720 (one spatial layer)", NULL,
	  "1 1 000000 0000000000000001 1 0 0 0 0 000000 00000 11 10 0 0 "
	  "1 0000010011111111 0000001011001111", OK, 1, 1, 1, 0, 0, "S", "", "", 1, 1, 0 },
	{ "structure: template_id_offset 63, frame uses id 63 (index 0)", NULL,
	  "1 1 111111 0000000000000001 1 0 0 0 0 111111 00000 11 10 0 0 0", OK,
	  1, 1, 1, 0, 0, "S", "", "", 1, 1, 0 },
	{ "two chains over two decode targets, ns(3) = 2 is 11, ns(2) = 1 is 1", NULL,
	  "1 1 000000 0000000000000001 1 0 0 0 0 000000 00001 11 1010 0 11 0 1 0000 0011 0", OK,
	  1, 1, 1, 0, 0, "SS", "", "0,3", 3, 1, 0 },
	/* Refusals. */
	{ "empty", &ddb_l1t3, "", TRUNC },
	{ "two octets", &ddb_l1t3, "1 0 000001 00010010", TRUNC },
	{ "mandatory fields without any structure", NULL, "1 0 000001 0001001000110100", NO_STRUCT },
	{ "active decode targets without any structure", NULL,
	  "0 0 000001 0000000000001010 01000 101", NO_STRUCT },
	{ "custom DTIs without any structure", NULL, "0 0 000001 0000000000001010 00100 101010",
	  NO_STRUCT },
	{ "template 5 of a 5-template structure", &ddb_l1t3, "1 0 000101 0001001000110100", UNKNOWN },
	{ "template 63, offset 0", &ddb_l1t3, "1 0 111111 0001001000110100", UNKNOWN },
	{ "structure cut in its chains", NULL,
	  "1 1 000000 0000000000000001 1 0 0 0 0 000000 00010 00 01 01 00 11 "
	  "101010 101010 100100 010000 010000 0 10011 0 10001 0 10000 0 10000 0 01 0000 0100",
	  TRUNC },
	{ "active decode targets cut", &ddb_l3t3, "0 0 101001 0000000000001010 01000 101", TRUNC },
	{ "custom fdiff cut in its value", &ddb_l1t3, "0 0 000001 0000000000001000 00010 11 11111",
	  TRUNC },
	{ "custom chains cut", &ddb_l3t3, "0 0 101001 0000000000001000 00001 11111111 1111111",
	  TRUNC },
	{ "spatial id 4", NULL, "1 1 000000 0000000000000001 1 0 0 0 0 000000 00000 10 10 10 10 "
	  "00000000", DP_AV1_DD_LAYER_TOO_HIGH },
	{ "temporal id 8", NULL, "1 1 000000 0000000000000001 1 0 0 0 0 000000 00000 "
	  "01 01 01 01 01 01 01 01 00000000", DP_AV1_DD_LAYER_TOO_HIGH },
	{ "17 custom fdiffs", &ddb_l1t3,
	  "0 0 000001 0000000000001000 00010 010000 010000 010000 010000 010000 010000 "
	  "010000 010000 010000 010000 010000 010000 010000 010000 010000 010000 010000 00",
	  DP_AV1_DD_TOO_MANY_FDIFFS },
};

static void check_fields(const char *name, const struct dp_av1_dd_frame *f, uint8_t sof,
			 uint8_t eof, uint16_t fn, uint8_t spatial, uint8_t temporal,
			 const char *dtis, const char *fdiffs, const char *chains)
{
	unsigned v[32], n;

	CHECK(f->start_of_frame == sof && f->end_of_frame == eof, "%s: start/end %u/%u", name,
	      f->start_of_frame, f->end_of_frame);
	CHECK((uint16_t)f->frame_number == fn, "%s: frame %u, expected %u", name,
	      (unsigned)(uint16_t)f->frame_number, fn);
	CHECK(f->spatial == spatial && f->temporal == temporal, "%s: S%uT%u, expected S%uT%u",
	      name, f->spatial, f->temporal, spatial, temporal);
	CHECK(f->dti == ddb_dtis(dtis, f->dt_cnt), "%s: DTIs differ from %s", name, dtis);
	n = ddb_list(fdiffs, v, 32);
	CHECK(f->fdiff_cnt == n, "%s: %u fdiffs, expected %u", name, f->fdiff_cnt, n);
	for (unsigned i = 0; i < n && i < f->fdiff_cnt; i++)
		CHECK(f->fdiff[i] == v[i], "%s: fdiff %u is %u, expected %u", name, i, f->fdiff[i],
		      v[i]);
	n = ddb_list(chains, v, 32);
	CHECK(f->chain_cnt == n, "%s: %u chains, expected %u", name, f->chain_cnt, n);
	for (unsigned i = 0; i < n; i++)
		CHECK(f->chain_fdiff[i] == v[i], "%s: chain %u fdiff %u, expected %u", name, i,
		      f->chain_fdiff[i], v[i]);
}

static void test_known(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(known); i++) {
		const struct known *k = &known[i];
		struct dp_av1_dd_stream *st = malloc(sizeof(*st)), *before = malloc(sizeof(*st));
		struct dp_av1_dd_frame f;
		uint8_t buf[256];
		size_t n = ddb_bits(k->bits, buf, sizeof(buf));

		prime(st, k->learnt);
		memcpy(before, st, sizeof(*st));
		enum dp_av1_dd_status r = parse_exact(st, buf, n, &f);
		CHECK(r == k->status, "known \"%s\": %s, expected %s", k->name,
		      dp_av1_dd_status_name(r), dp_av1_dd_status_name(k->status));
		if (r != OK) {
			CHECK(memcmp(st, before, sizeof(*st)) == 0,
			      "known \"%s\": a refusal changed the stream", k->name);
		} else if (k->status == OK) {
			check_fields(k->name, &f, k->sof, k->eof, k->frame_number, k->spatial,
				     k->temporal, k->dtis, k->fdiffs, k->chains);
			CHECK(f.active_mask == k->active_mask, "known \"%s\": active %#x, expected %#x",
			      k->name, f.active_mask, k->active_mask);
			CHECK(f.structure_attached == k->attached && f.active_present == k->active_present,
			      "known \"%s\": attached %u active_present %u", k->name,
			      f.structure_attached, f.active_present);
			CHECK(f.len == n, "known \"%s\": len %u", k->name, f.len);
		}
		free(st);
		free(before);
	}
}

/* The hand-written L1T3 keyframe is what the builder writes: the builder
 * the other tests rely on agrees with the hand. */
static void test_builder_matches_hand(void)
{
	uint8_t hand[64], built[64];
	size_t nh = ddb_bits(L1T3_KEY_BITS, hand, sizeof(hand));
	struct ddb_desc d = { .sof = 1, .eof = 1, .frame_number = 1, .attach = &ddb_l1t3 };
	size_t nb = ddb_encode(&d, built, sizeof(built));

	CHECK(nh == 16 && nb == nh, "L1T3 keyframe: %zu octets by hand, %zu built", nh, nb);
	CHECK_MEM(built, hand, nh < nb ? nh : nb, "L1T3 keyframe, builder vs hand");
}

/* ---- The example structures -------------------------------------------- */

static void test_structures(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(ddb_all); i++) {
		const struct ddb_structure *s = ddb_all[i];
		struct dp_av1_dd_stream *st = malloc(sizeof(*st));
		struct dp_av1_dd_frame f;
		uint8_t buf[512];
		char what[96];

		dp_av1_dd_stream_init(st);
		struct ddb_desc key = { .sof = 1, .eof = 0, .template_id = s->offset,
					.frame_number = 1000, .attach = s };
		size_t n = ddb_encode(&key, buf, sizeof(buf));
		enum dp_av1_dd_status r = parse_exact(st, buf, n, &f);
		snprintf(what, sizeof(what), "%s keyframe (%zu octets)", s->name, n);
		CHECK(r == OK, "%s: %s", what, dp_av1_dd_status_name(r));
		if (r != OK) {
			free(st);
			continue;
		}
		ddb_check_structure(f.structure, s, what);
		CHECK(f.structure_attached && f.structure_changed && f.structure_gen == 1,
		      "%s: attached %u changed %u gen %u", what, f.structure_attached,
		      f.structure_changed, f.structure_gen);
		CHECK(f.active_mask == dp_av1_dd_all_dts(f.structure), "%s: active %#x", what,
		      f.active_mask);
		for (unsigned t = 0; t < s->dt_cnt; t++)
			CHECK((f.structure->subset[t] >> t) & 1, "%s: dt %u not in its own subset",
			      what, t);

		/* Every template id: the 3-octet descriptor gives its row. */
		for (unsigned id = 0; id < 64; id++) {
			unsigned index = (id + 64 - s->offset) % 64;
			struct ddb_desc d = { .sof = id & 1, .eof = (id >> 1) & 1,
					      .template_id = (uint8_t)id,
					      .frame_number = (uint16_t)(1000 + id) };
			n = ddb_encode(&d, buf, sizeof(buf));
			r = parse_exact(st, buf, n, &f);
			snprintf(what, sizeof(what), "%s template id %u (index %u)", s->name, id, index);
			if (index >= s->n_templates) {
				CHECK(r == UNKNOWN, "%s: %s", what, dp_av1_dd_status_name(r));
				continue;
			}
			CHECK(r == OK, "%s: %s", what, dp_av1_dd_status_name(r));
			if (r != OK)
				continue;
			const struct ddb_template *t = &s->templates[index];
			check_fields(what, &f, d.sof, d.eof, d.frame_number, t->spatial, t->temporal,
				     t->dtis, t->fdiffs, t->chains);
			CHECK(f.frame_number == DP_AV1_DD_FRAME_BASE + 1000 + id,
			      "%s: unwrapped %llu", what, (unsigned long long)f.frame_number);
			CHECK(!f.structure_attached && !f.structure_changed && f.structure_gen == 1,
			      "%s: structure flags", what);
		}
		free(st);
	}
}

/* ---- Truncations -------------------------------------------------------- */

/* Every prefix of dd (len octets) on a copy of `st`: refused, stream left
 * as it was -- except the 3-octet prefix, a complete mandatory-only
 * descriptor, which a stream with a structure may accept. */
static void check_prefixes(const struct dp_av1_dd_stream *st, const uint8_t *dd, size_t len,
			   const char *name)
{
	struct dp_av1_dd_stream *copy = malloc(sizeof(*copy));
	struct dp_av1_dd_frame f;

	for (size_t cut = 0; cut < len; cut++) {
		memcpy(copy, st, sizeof(*copy));
		enum dp_av1_dd_status r = parse_exact(copy, dd, cut, &f);
		if (cut == DP_AV1_DD_MIN_LEN) {
			if (!st->has_structure)
				CHECK(r == NO_STRUCT, "%s cut at 3: %s", name, dp_av1_dd_status_name(r));
			continue;
		}
		CHECK(r == TRUNC, "%s cut at %zu of %zu: %s", name, cut, len,
		      dp_av1_dd_status_name(r));
		CHECK(memcmp(copy, st, sizeof(*copy)) == 0, "%s cut at %zu changed the stream",
		      name, cut);
	}
	free(copy);
}

static void test_truncations(void)
{
	uint8_t buf[512];

	for (unsigned i = 0; i < ARRAY_LEN(ddb_all); i++) {
		const struct ddb_structure *s = ddb_all[i];
		struct dp_av1_dd_stream *fresh = malloc(sizeof(*fresh));
		struct dp_av1_dd_stream *primed = malloc(sizeof(*primed));
		char name[96];

		dp_av1_dd_stream_init(fresh);
		prime(primed, s);
		const struct ddb_desc descs[] = {
			{ .sof = 1, .template_id = s->offset, .attach = s },
			{ .sof = 1, .template_id = s->offset, .attach = s, .active_present = 1,
			  .active_mask = 1 },
			{ .template_id = s->offset + 1, .ref = s, .custom_dtis = s->templates[0].dtis,
			  .custom_fdiffs = 1, .n_fdiffs = 3, .fdiffs = { 1, 300, 4000 },
			  .custom_chains = 1, .chains = { 1, 2, 3 } },
			{ .template_id = s->offset, .ref = s, .active_present = 1, .active_mask = 3 },
			{ .template_id = s->offset, .ref = s, .custom_fdiffs = 1, .n_fdiffs = 1,
			  .fdiffs = { 2 }, .fdiff_nibbles = { 3 } },
		};
		for (unsigned k = 0; k < ARRAY_LEN(descs); k++) {
			size_t n = ddb_encode(&descs[k], buf, sizeof(buf));
			snprintf(name, sizeof(name), "%s descriptor %u", s->name, k);
			if (descs[k].attach)
				check_prefixes(fresh, buf, n, name);
			check_prefixes(primed, buf, n, name);
		}
		free(fresh);
		free(primed);
	}
}

/* ---- Limits -------------------------------------------------------------- */

/* A structure of `templates` templates of one decode target, S0T0 each,
 * with `fdiffs` frame differences on the first. */
static size_t limit_structure(unsigned templates, unsigned fdiffs, uint8_t *buf, size_t cap)
{
	char bits[2048] = "1 1 000000 0000000000000001 10000 000000 00000 ";

	for (unsigned i = 0; i < templates; i++)
		strcat(bits, i + 1 == templates ? "11 " : "00 ");
	for (unsigned i = 0; i < templates; i++)
		strcat(bits, "10 ");
	for (unsigned i = 0; i < templates; i++) {
		for (unsigned k = 0; i == 0 && k < fdiffs; k++)
			strcat(bits, "1 0000 ");
		strcat(bits, "0 ");
	}
	strcat(bits, "0 0"); /* chain_cnt = ns(2) = 0, no resolutions */
	return ddb_bits(bits, buf, cap);
}

static void test_limits(void)
{
	static const struct {
		unsigned templates, fdiffs;
		enum dp_av1_dd_status status;
	} rows[] = {
		{ 1, 0, OK },
		{ 64, 0, OK },
		{ 65, 0, DP_AV1_DD_TOO_MANY_TEMPLATES },
		{ 200, 0, DP_AV1_DD_TOO_MANY_TEMPLATES },
		{ 2, DP_AV1_DD_MAX_FDIFFS, OK },
		{ 2, DP_AV1_DD_MAX_FDIFFS + 1, DP_AV1_DD_TOO_MANY_FDIFFS },
	};
	uint8_t buf[256];
	struct dp_av1_dd_stream *st = malloc(sizeof(*st));
	struct dp_av1_dd_frame f;

	for (unsigned i = 0; i < ARRAY_LEN(rows); i++) {
		size_t n = limit_structure(rows[i].templates, rows[i].fdiffs, buf, sizeof(buf));
		dp_av1_dd_stream_init(st);
		enum dp_av1_dd_status r = parse_exact(st, buf, n, &f);
		CHECK(r == rows[i].status, "%u templates, %u fdiffs: %s, expected %s",
		      rows[i].templates, rows[i].fdiffs, dp_av1_dd_status_name(r),
		      dp_av1_dd_status_name(rows[i].status));
		if (r == OK) {
			CHECK(f.structure->template_cnt == rows[i].templates, "%u templates: got %u",
			      rows[i].templates, f.structure->template_cnt);
			/* The last template id of the structure is usable. */
			uint8_t d[3] = { (uint8_t)(rows[i].templates - 1), 0, 2 };
			CHECK(parse_exact(st, d, 3, &f) == OK, "%u templates: last id refused",
			      rows[i].templates);
		}
	}
	/* Temporal id 7 and spatial id 3 are the highest accepted. */
	static const char *const highest[] = {
		"1 1 000000 0000000000000001 10000 000000 00000 01 01 01 01 01 01 01 11 "
		"10 10 10 10 10 10 10 10 0 0 0 0 0 0 0 0 0 0",
		"1 1 000000 0000000000000001 10000 000000 00000 10 10 10 11 "
		"10 10 10 10 0 0 0 0 0 0",
	};
	for (unsigned i = 0; i < ARRAY_LEN(highest); i++) {
		size_t n = ddb_bits(highest[i], buf, sizeof(buf));
		dp_av1_dd_stream_init(st);
		enum dp_av1_dd_status r = parse_exact(st, buf, n, &f);
		CHECK(r == OK, "highest layers %u: %s", i, dp_av1_dd_status_name(r));
		if (r == OK)
			CHECK(f.structure->max_temporal == (i == 0 ? 7 : 0) &&
				      f.structure->max_spatial == (i == 0 ? 0 : 3),
			      "highest layers %u: S%u T%u", i, f.structure->max_spatial,
			      f.structure->max_temporal);
	}
	free(st);
}

/* ---- Frame numbers, structures, active decode targets ------------------- */

static void test_frame_numbers(void)
{
	/* Each row: the 16-bit number on the wire, the unwrapped number
	 * expected relative to the first one's. */
	static const struct {
		uint16_t wire;
		int64_t rel;
	} rows[] = {
		{ 65533, 0 }, { 65534, 1 }, { 65535, 2 }, { 0, 3 }, { 1, 4 },
		{ 65535, 2 },          /* a late packet of an older frame */
		{ 2, 5 },
		{ 0x8001, 5 + 0x7fff },     /* just under half the space ahead: newer */
		{ 2, 5 },                   /* just over half ahead: older */
		{ 0x0000, 5 + 0xfffe },     /* under half ahead of 0x8001 again: newer */
		{ 0x8000, 5 + 0xfffe - 0x8000 }, /* exactly half: taken as older */
	};
	struct dp_av1_dd_stream *st = malloc(sizeof(*st));
	struct dp_av1_dd_frame f;
	uint64_t first = 0;

	prime(st, &ddb_l1t3);
	st->started = 0; /* the keyframe's number does not count here */
	for (unsigned i = 0; i < ARRAY_LEN(rows); i++) {
		uint8_t d[3] = { 0x01, (uint8_t)(rows[i].wire >> 8), (uint8_t)rows[i].wire };
		CHECK(parse_exact(st, d, 3, &f) == OK, "frame number row %u refused", i);
		if (i == 0)
			first = f.frame_number;
		CHECK(f.frame_number == first + (uint64_t)rows[i].rel,
		      "frame number row %u (%u): %+lld, expected %+lld", i, rows[i].wire,
		      (long long)(f.frame_number - first), (long long)rows[i].rel);
	}
	CHECK(first == DP_AV1_DD_FRAME_BASE + 65533, "first unwrapped to %llu",
	      (unsigned long long)first);
	free(st);
}

static void test_structure_changes(void)
{
	struct dp_av1_dd_stream *st = malloc(sizeof(*st));
	struct dp_av1_dd_frame f1, f2, f;
	uint8_t buf[512];
	size_t n;

	dp_av1_dd_stream_init(st);
	struct ddb_desc k1 = { .sof = 1, .template_id = 0, .frame_number = 10, .attach = &ddb_l1t3 };
	n = ddb_encode(&k1, buf, sizeof(buf));
	CHECK(parse_exact(st, buf, n, &f1) == OK && f1.structure_gen == 1 && f1.structure_changed,
	      "first structure");
	/* The same structure again (the next keyframe): nothing changes. */
	k1.frame_number = 20;
	n = ddb_encode(&k1, buf, sizeof(buf));
	CHECK(parse_exact(st, buf, n, &f) == OK && f.structure_gen == 1 && !f.structure_changed &&
		      f.structure_attached && f.structure == f1.structure,
	      "same structure again: gen %u changed %u", f.structure_gen, f.structure_changed);
	/* A new one (L2T2, offset 20): a new generation, in the other slot. */
	struct ddb_desc k2 = { .sof = 1, .template_id = 20, .frame_number = 30, .attach = &ddb_l2t2 };
	n = ddb_encode(&k2, buf, sizeof(buf));
	CHECK(parse_exact(st, buf, n, &f2) == OK && f2.structure_gen == 2 && f2.structure_changed,
	      "second structure");
	CHECK(f2.structure != f1.structure, "a new structure went into the current slot");
	CHECK(ddb_check_structure(f1.structure, &ddb_l1t3, "L1T3 after L2T2 arrived") == 0,
	      "the previous structure was overwritten");
	ddb_check_structure(f2.structure, &ddb_l2t2, "L2T2 after L1T3");
	/* L1T3's template ids 0..4 are outside L2T2's 20..25. */
	uint8_t d[3] = { 0x02, 0, 31 };
	CHECK(parse_exact(st, d, 3, &f) == UNKNOWN, "old template id after a new structure");
	d[0] = 0x16; /* id 22 */
	CHECK(parse_exact(st, d, 3, &f) == OK && f.spatial == 0 && f.temporal == 1,
	      "new template id 22 (S0T1)");
	/* A structure cut short is not learnt. */
	struct ddb_desc k3 = { .sof = 1, .template_id = 40, .frame_number = 40, .attach = &ddb_l3t3 };
	n = ddb_encode(&k3, buf, sizeof(buf));
	CHECK(parse_exact(st, buf, n - 1, &f) == TRUNC && st->structure_gen == 2,
	      "a truncated structure was learnt");
	CHECK(parse_exact(st, buf, n, &f) == OK && f.structure_gen == 3, "L3T3 learnt");
	CHECK(ddb_check_structure(f2.structure, &ddb_l2t2, "L2T2 after L3T3 arrived") == 0,
	      "the previous structure was overwritten");
	free(st);
}

static void test_active_decode_targets(void)
{
	/* A.4: explicit with the bitmask, implicitly all with a structure,
	 * "valid until the next update". */
	static const struct {
		bool attach, present;
		uint32_t mask, expect;
	} rows[] = {
		{ true, false, 0, 0x1ff },
		{ false, false, 0, 0x1ff },
		{ false, true, 0x03f, 0x03f },
		{ false, false, 0, 0x03f },
		{ false, false, 0, 0x03f },
		{ false, true, 0x1c0, 0x1c0 },
		{ true, false, 0, 0x1ff },
		{ true, true, 0x007, 0x007 },
		{ false, false, 0, 0x007 },
	};
	struct dp_av1_dd_stream *st = malloc(sizeof(*st));
	struct dp_av1_dd_frame f;
	uint8_t buf[512];

	dp_av1_dd_stream_init(st);
	for (unsigned i = 0; i < ARRAY_LEN(rows); i++) {
		struct ddb_desc d = { .sof = 1, .template_id = 40 + (rows[i].attach ? 0 : 1),
				      .frame_number = (uint16_t)i, .ref = &ddb_l3t3,
				      .attach = rows[i].attach ? &ddb_l3t3 : NULL,
				      .active_present = rows[i].present, .active_mask = rows[i].mask };
		size_t n = ddb_encode(&d, buf, sizeof(buf));
		CHECK(parse_exact(st, buf, n, &f) == OK, "active row %u refused", i);
		CHECK(f.active_mask == rows[i].expect && f.active_present == rows[i].present,
		      "active row %u: %#x (present %u), expected %#x", i, f.active_mask,
		      f.active_present, rows[i].expect);
	}
	free(st);
}

static void test_status_names(void)
{
	for (unsigned s = 0; s < DP_AV1_DD_N_STATUS; s++) {
		const char *name = dp_av1_dd_status_name((enum dp_av1_dd_status)s);
		CHECK(name && *name, "status %u has no name", s);
		for (unsigned t = 0; t < s; t++)
			CHECK(strcmp(name, dp_av1_dd_status_name((enum dp_av1_dd_status)t)) != 0,
			      "statuses %u and %u share a name", s, t);
	}
	CHECK(strcmp(dp_av1_dd_status_name(DP_AV1_DD_N_STATUS), "unknown") == 0, "out of range");
}

/* ---- Seeds for the fuzz target ------------------------------------------- */

static void write_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(p, 1, n, fp) != n || fclose(fp) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(2);
	}
}

/*
 * fuzz_av1_dd.c reads [control] [length] [descriptor] records: each seed is
 * a stream of one structure, its keyframe then a cycle and a half of
 * frames, one or two packets each, the control octet moving the target.
 */
static int write_seeds(const char *dir)
{
	uint8_t out[8192], dd[512];

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return 2;
	}
	for (unsigned i = 0; i < ARRAY_LEN(ddb_all); i++) {
		const struct ddb_structure *s = ddb_all[i];
		size_t n = 0;
		unsigned key_frames = 0, cycle_frames = 0;

		for (unsigned u = 0; u < s->n_key_units; u++)
			for (unsigned k = 0; k < 4 && s->key_units[u][k] >= 0; k++)
				key_frames++;
		for (unsigned u = 0; u < s->n_cycle_units; u++)
			for (unsigned k = 0; k < 4 && s->cycle_units[u][k] >= 0; k++)
				cycle_frames++;
		unsigned frames = key_frames + cycle_frames + cycle_frames / 2;
		for (unsigned k = 0; k < frames; k++) {
			bool first, last;
			int t = ddb_template_at(s, k, &first, &last);
			for (unsigned p = 0; p < 2; p++) {
				struct ddb_desc d = { .sof = p == 0, .eof = p == 1,
						      .template_id = (uint8_t)((s->offset + t) % 64),
						      .frame_number = (uint16_t)(65530 + k),
						      .attach = k == 0 && p == 0 ? s : NULL, .ref = s };
				size_t len = ddb_encode(&d, dd, sizeof(dd));
				out[n++] = (uint8_t)(k < frames / 2 ? 0x2f : 0x11); /* targets */
				out[n++] = (uint8_t)len;
				memcpy(out + n, dd, len);
				n += len;
			}
		}
		char name[64];
		snprintf(name, sizeof(name), "stream-%s.bin", s->name);
		write_file(dir, name, out, n);

		struct ddb_desc key = { .sof = 1, .eof = 1, .template_id = s->offset,
					.frame_number = 7, .attach = s, .active_present = 1,
					.active_mask = 1 };
		n = ddb_encode(&key, dd, sizeof(dd));
		out[0] = 0x00;
		out[1] = (uint8_t)n;
		memcpy(out + 2, dd, n);
		snprintf(name, sizeof(name), "keyframe-%s.bin", s->name);
		write_file(dir, name, out, n + 2);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2)
		return write_seeds(argv[1]);
	test_known();
	test_builder_matches_hand();
	test_structures();
	test_truncations();
	test_limits();
	test_frame_numbers();
	test_structure_changes();
	test_active_decode_targets();
	test_status_names();
	return test_summary("dp_av1_dd");
}
