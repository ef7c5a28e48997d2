/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/codec/av1_dd.c: the rewrite of a descriptor's active decode
 * targets for a receiver (AV1 RTP specification, A.4).
 *
 *  - Known answers: inputs and outputs written out by hand, bit by bit.
 *  - Round trips over the example structures: every kind of descriptor
 *    (keyframe with its structure, every template, custom DTIs, fdiffs and
 *    chains, the publisher's own bitmask, padding) rewritten to every mask
 *    that matters parses back to the same frame with the new bitmask; a
 *    rewrite that says nothing new is the input unchanged; rewriting twice
 *    is rewriting once.
 *  - dp_av1_dd_rewrite_frame, from the frame the parser read, gives the
 *    same output as dp_av1_dd_rewrite for every input and mask, and
 *    refuses an input that is not the frame's.
 *  - Outputs written into exact-size heap buffers, and every smaller
 *    capacity refused; every truncated input refused exactly when the
 *    parser refuses it.
 */
#include "av1_dd.h"
#include "test_dp_av1_dd_builder.h"
#include "test_util.h"

/* A stream that has learnt structure s, or none. */
static struct dp_av1_dd_stream *stream_with(const struct ddb_structure *s)
{
	struct dp_av1_dd_stream *st = malloc(sizeof(*st));
	struct dp_av1_dd_frame f;
	uint8_t buf[512];

	dp_av1_dd_stream_init(st);
	if (s) {
		struct ddb_desc d = { .sof = 1, .template_id = s->offset, .attach = s };
		size_t n = ddb_encode(&d, buf, sizeof(buf));
		if (dp_av1_dd_parse(st, buf, n, &f) != DP_AV1_DD_OK) {
			fprintf(stderr, "cannot learn %s\n", s->name);
			exit(2);
		}
	}
	return st;
}

/* Rewrites an exact-size heap copy of in into an exact-size heap buffer of
 * cap octets; the result, if any, is copied to out. */
static size_t rewrite_exact(const uint8_t *in, size_t in_len, const struct dp_av1_dd_structure *s,
			    uint32_t mask, size_t cap, uint8_t *out)
{
	uint8_t *i = malloc(in_len ? in_len : 1), *o = malloc(cap ? cap : 1);

	memcpy(i, in, in_len);
	size_t n = dp_av1_dd_rewrite(i, in_len, s, mask, o, cap);
	if (n)
		memcpy(out, o, n);
	free(i);
	free(o);
	return n;
}

/* The same with dp_av1_dd_rewrite_frame, from the frame f read from in. */
static size_t rewrite_frame_exact(const uint8_t *in, size_t in_len,
				  const struct dp_av1_dd_frame *f, uint32_t mask, size_t cap,
				  uint8_t *out)
{
	uint8_t *i = malloc(in_len ? in_len : 1), *o = malloc(cap ? cap : 1);

	memcpy(i, in, in_len);
	size_t n = dp_av1_dd_rewrite_frame(i, in_len, f, mask, o, cap);
	if (n)
		memcpy(out, o, n);
	free(i);
	free(o);
	return n;
}

/* ---- Known answers ------------------------------------------------------ */

struct known {
	const char *name;
	const struct ddb_structure *s;
	const char *in;   /* bits */
	uint32_t mask;
	const char *out;  /* bits, NULL = refused */
};

#define L1T3_KEY "1 1 000000 0000000000000001 1 0 0 0 0 " DDB_L1T3_STRUCTURE_BITS

static const struct known known[] = {
	{ "mandatory only gets the extended fields", &ddb_l1t3,
	  "1 0 000001 0001001000110100", 0x3,
	  "1 0 000001 0001001000110100 0 1 0 0 0 011" },
	{ "an explicit set of every decode target is written too", &ddb_l1t3,
	  "1 0 000001 0001001000110100", 0x7,
	  "1 0 000001 0001001000110100 0 1 0 0 0 111" },
	{ "bits past DtCnt are ignored", &ddb_l1t3,
	  "1 0 000001 0001001000110100", 0xfffffffb,
	  "1 0 000001 0001001000110100 0 1 0 0 0 011" },
	{ "nine decode targets (L3T3, template 41)", &ddb_l3t3,
	  "1 0 101001 0001001000110100", 0x03f,
	  "1 0 101001 0001001000110100 0 1 0 0 0 000111111" },
	{ "the publisher's bitmask replaced", &ddb_l1t3,
	  "1 0 000001 0001001000110100 01000 111", 0x1,
	  "1 0 000001 0001001000110100 01000 001" },
	{ "the publisher's bitmask, same: unchanged", &ddb_l1t3,
	  "1 0 000001 0001001000110100 01000 011", 0x3,
	  "1 0 000001 0001001000110100 01000 011" },
	{ "custom fdiffs kept after the bitmask", &ddb_l1t3,
	  "1 0 000001 0001001000110100 00010 01 0011 00", 0x1,
	  "1 0 000001 0001001000110100 01010 001 01 0011 00" },
	{ "all three custom kept in order", &ddb_l1t3,
	  "0 0 000001 0000000000001001 00111 01 10 11 01 0101 00 00000110", 0x2,
	  "0 0 000001 0000000000001001 01111 010 01 10 11 01 0101 00 00000110" },
	{ "padding octets dropped", &ddb_l1t3,
	  "1 0 000001 0001001000110100 00000 000 00000000 00000000", 0x3,
	  "1 0 000001 0001001000110100 01000 011" },
	{ "keyframe, every decode target: unchanged", NULL, L1T3_KEY, 0x7, L1T3_KEY },
	{ "keyframe, one decode target: the bitmask after the structure", NULL, L1T3_KEY, 0x4,
	  "1 1 000000 0000000000000001 1 1 0 0 0 " DDB_L1T3_STRUCTURE_BITS "100" },
	{ "keyframe with a bitmask, replaced", NULL,
	  "1 1 000000 0000000000000001 1 1 0 0 0 " DDB_L1T3_STRUCTURE_BITS "100", 0x7,
	  "1 1 000000 0000000000000001 1 1 0 0 0 " DDB_L1T3_STRUCTURE_BITS "111" },
	/* Refusals. */
	{ "no structure to refer to", NULL, "1 0 000001 0001001000110100", 0x3, NULL },
	{ "two octets", &ddb_l1t3, "1 0 000001 00010010", 0x3, NULL },
	{ "unknown template", &ddb_l1t3, "1 0 000101 0001001000110100", 0x3, NULL },
	{ "custom fdiff cut", &ddb_l1t3, "0 0 000001 0000000000001000 00010 11 11111", 0x3, NULL },
};

static void test_known(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(known); i++) {
		const struct known *k = &known[i];
		struct dp_av1_dd_stream *st = stream_with(k->s);
		const struct dp_av1_dd_structure *s = k->s ? &st->slot[st->cur] : NULL;
		uint8_t in[128], want[128], got[128];
		size_t n_in = ddb_bits(k->in, in, sizeof(in));
		size_t n_want = k->out ? ddb_bits(k->out, want, sizeof(want)) : 0;

		size_t n = rewrite_exact(in, n_in, s, k->mask, n_in + DP_AV1_DD_REWRITE_GROWTH, got);
		CHECK(n == n_want, "known \"%s\": %zu octets, expected %zu", k->name, n, n_want);
		if (n && n == n_want) {
			CHECK_MEM(got, want, n, k->name);
			/* Exactly n octets are enough, n - 1 are not. */
			CHECK(rewrite_exact(in, n_in, s, k->mask, n, got) == n,
			      "known \"%s\": refused with exactly %zu octets", k->name, n);
			CHECK(rewrite_exact(in, n_in, s, k->mask, n - 1, got) == 0,
			      "known \"%s\": accepted with %zu octets", k->name, n - 1);
		}
		free(st);
	}
}

/* ---- Round trips --------------------------------------------------------- */

static bool same_frame(const struct dp_av1_dd_frame *a, const struct dp_av1_dd_frame *b)
{
	return (uint16_t)a->frame_number == (uint16_t)b->frame_number &&
	       a->start_of_frame == b->start_of_frame &&
	       a->end_of_frame == b->end_of_frame && a->template_id == b->template_id &&
	       a->spatial == b->spatial && a->temporal == b->temporal && a->dti == b->dti &&
	       a->fdiff_cnt == b->fdiff_cnt &&
	       memcmp(a->fdiff, b->fdiff, sizeof(a->fdiff)) == 0 &&
	       memcmp(a->chain_fdiff, b->chain_fdiff, sizeof(a->chain_fdiff)) == 0 &&
	       a->structure_attached == b->structure_attached &&
	       a->custom_dtis == b->custom_dtis && a->custom_fdiffs == b->custom_fdiffs &&
	       a->custom_chains == b->custom_chains;
}

/* The descriptors of one structure to rewrite. */
static unsigned descriptors(const struct ddb_structure *s, struct ddb_desc *d, unsigned cap)
{
	unsigned n = 0;

	d[n++] = (struct ddb_desc){ .sof = 1, .template_id = s->offset, .frame_number = 500,
				    .attach = s };
	d[n++] = (struct ddb_desc){ .sof = 1, .eof = 1, .template_id = s->offset,
				    .frame_number = 500, .attach = s, .active_present = 1,
				    .active_mask = 1 };
	for (unsigned t = 0; t < s->n_templates && n < cap; t++)
		d[n++] = (struct ddb_desc){ .eof = t & 1, .template_id = (s->offset + t) % 64,
					    .frame_number = (uint16_t)(65535 - t), .ref = s };
	d[n++] = (struct ddb_desc){ .template_id = s->offset + 1, .ref = s,
				    .custom_dtis = s->templates[s->n_templates - 1].dtis };
	d[n++] = (struct ddb_desc){ .template_id = s->offset + 1, .ref = s, .custom_fdiffs = 1,
				    .n_fdiffs = 4, .fdiffs = { 1, 17, 300, 4096 } };
	d[n++] = (struct ddb_desc){ .template_id = s->offset, .ref = s, .custom_fdiffs = 1 };
	d[n++] = (struct ddb_desc){ .template_id = s->offset + 1, .ref = s, .custom_chains = 1,
				    .chains = { 255, 0, 7 } };
	d[n++] = (struct ddb_desc){ .template_id = s->offset + 1, .ref = s, .active_present = 1,
				    .active_mask = 0, .custom_dtis = s->templates[0].dtis,
				    .custom_fdiffs = 1, .n_fdiffs = 1, .fdiffs = { 2 },
				    .custom_chains = 1, .chains = { 1, 2, 3 } };
	d[n++] = (struct ddb_desc){ .template_id = s->offset, .ref = s, .extended = 1,
				    .padding = 3 };
	return n;
}

static void test_round_trips(void)
{
	uint64_t rng = 0xdd;

	for (unsigned i = 0; i < ARRAY_LEN(ddb_all); i++) {
		const struct ddb_structure *s = ddb_all[i];
		struct dp_av1_dd_stream *st = stream_with(s);
		struct dp_av1_dd_stream *rx = malloc(sizeof(*rx));
		const struct dp_av1_dd_structure *cur = &st->slot[st->cur];
		uint32_t all = dp_av1_dd_all_dts(cur);
		struct ddb_desc descs[80];
		unsigned nd = descriptors(s, descs, 70);

		/* Masks: none, all, each decode target alone and with what it
		 * contains, random ones. */
		uint32_t masks[80];
		unsigned nm = 0;
		masks[nm++] = 0;
		masks[nm++] = all;
		for (unsigned t = 0; t < cur->dt_cnt; t++) {
			masks[nm++] = 1u << t;
			masks[nm++] = cur->subset[t];
		}
		for (unsigned r = 0; r < 8; r++)
			masks[nm++] = test_rand(&rng);

		for (unsigned k = 0; k < nd; k++) {
			uint8_t in[512], out[600], again[600];
			size_t n_in = ddb_encode(&descs[k], in, sizeof(in));
			struct dp_av1_dd_frame fin, fout;
			char what[128];

			/* What the input says, to a receiver that knows the structure
			 * (or, for a keyframe, that does not yet). */
			struct dp_av1_dd_stream *ref = stream_with(descs[k].attach ? NULL : s);
			enum dp_av1_dd_status r = dp_av1_dd_parse(ref, in, n_in, &fin);
			CHECK(r == DP_AV1_DD_OK, "%s descriptor %u: %s", s->name, k,
			      dp_av1_dd_status_name(r));
			/* Not the frame's input: refused. */
			CHECK(dp_av1_dd_rewrite_frame(in, n_in - 1, &fin, 0, out, sizeof(out)) == 0 &&
			      dp_av1_dd_rewrite_frame(in, n_in + 1, &fin, 0, out, sizeof(out)) == 0,
			      "%s descriptor %u: another length accepted", s->name, k);

			for (unsigned m = 0; m < nm; m++) {
				uint32_t mask = masks[m] & all;
				snprintf(what, sizeof(what), "%s descriptor %u mask %#x", s->name, k,
					 masks[m]);
				size_t n = rewrite_exact(in, n_in, cur, masks[m],
							 n_in + DP_AV1_DD_REWRITE_GROWTH, out);
				CHECK(n > DP_AV1_DD_MIN_LEN, "%s: refused (%zu)", what, n);
				if (n <= DP_AV1_DD_MIN_LEN)
					continue;
				size_t nf = rewrite_frame_exact(in, n_in, &fin, masks[m],
								n_in + DP_AV1_DD_REWRITE_GROWTH, again);
				CHECK(nf == n && memcmp(again, out, n) == 0,
				      "%s: from the frame, %zu octets that differ", what, nf);
				bool unchanged = fin.active_present ? fin.active_mask == mask :
					fin.structure_attached && mask == all;
				if (unchanged)
					CHECK(n == n_in && memcmp(in, out, n) == 0,
					      "%s: should be unchanged", what);
				else
					CHECK(n <= n_in + DP_AV1_DD_REWRITE_GROWTH, "%s: grew to %zu", what, n);

				/* The receiver reads the same frame, with the new bitmask. */
				dp_av1_dd_stream_init(rx);
				if (!descs[k].attach) {
					rx->slot[0] = *cur;
					rx->has_structure = 1;
					rx->structure_gen = 1;
				}
				r = dp_av1_dd_parse(rx, out, n, &fout);
				CHECK(r == DP_AV1_DD_OK, "%s: the output does not parse: %s", what,
				      dp_av1_dd_status_name(r));
				if (r != DP_AV1_DD_OK)
					continue;
				CHECK(same_frame(&fin, &fout), "%s: the frame changed", what);
				CHECK(fout.active_mask == mask, "%s: active %#x, expected %#x", what,
				      fout.active_mask, mask);
				CHECK(fout.active_present || (unchanged && !fin.active_present),
				      "%s: no bitmask written", what);
				if (descs[k].attach)
					CHECK(memcmp(fout.structure, cur, sizeof(*cur)) == 0,
					      "%s: the structure changed", what);

				/* Twice is once. */
				size_t n2 = rewrite_exact(out, n, cur, masks[m], n + DP_AV1_DD_REWRITE_GROWTH,
							  again);
				CHECK(n2 == n && memcmp(again, out, n) == 0, "%s: rewriting twice differs",
				      what);
				/* Every smaller capacity is refused. */
				if (!unchanged)
					for (size_t cap = 0; cap < n; cap++)
						CHECK(rewrite_exact(in, n_in, cur, masks[m], cap, again) == 0 &&
						      rewrite_frame_exact(in, n_in, &fin, masks[m], cap,
									  again) == 0,
						      "%s: accepted with %zu octets", what, cap);
			}
			free(ref);
		}
		free(st);
		free(rx);
	}
}

/* ---- Truncated inputs ----------------------------------------------------- */

static void test_truncated_inputs(void)
{
	for (unsigned i = 0; i < ARRAY_LEN(ddb_all); i++) {
		const struct ddb_structure *s = ddb_all[i];
		struct dp_av1_dd_stream *st = stream_with(s);
		struct dp_av1_dd_stream *copy = malloc(sizeof(*copy));
		const struct dp_av1_dd_structure *cur = &st->slot[st->cur];
		struct ddb_desc descs[80];
		unsigned nd = descriptors(s, descs, 70);

		for (unsigned k = 0; k < nd; k++) {
			uint8_t in[512], out[600];
			size_t n_in = ddb_encode(&descs[k], in, sizeof(in));
			struct dp_av1_dd_frame f;

			for (size_t cut = 0; cut <= n_in; cut++) {
				memcpy(copy, st, sizeof(*copy));
				uint8_t *p = malloc(cut ? cut : 1);
				memcpy(p, in, cut);
				bool parses = dp_av1_dd_parse(copy, p, cut, &f) == DP_AV1_DD_OK;
				free(p);
				size_t n = rewrite_exact(in, cut, cur, 1, cut + DP_AV1_DD_REWRITE_GROWTH,
							 out);
				CHECK((n != 0) == parses, "%s descriptor %u cut at %zu: rewrite %zu, parse %d",
				      s->name, k, cut, n, parses);
			}
		}
		free(st);
		free(copy);
	}
}

int main(void)
{
	test_known();
	test_round_trips();
	test_truncated_inputs();
	return test_summary("dp_av1_dd_rewrite");
}
