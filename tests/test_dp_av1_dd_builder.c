/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Descriptors for the tests, built from tables (test_dp_av1_dd_builder.h).
 * The encoder follows the syntax of the AV1 RTP specification's A.8.2 the
 * way a sender writes it, bit by bit, including its write_ns:
 *
 *     write_ns(n,v) {
 *       if (n == 1) return
 *       w = 0
 *       x = n
 *       while (x != 0) {
 *         x = x >> 1
 *         w++
 *       }
 *       m = (1 << w) - n
 *       if (v < m)
 *         write_f(w - 1, v)
 *       else
 *         write_f(w, v + m)
 *     }
 */
#include "test_dp_av1_dd_builder.h"
#include "test_util.h"

/* ---- The structures ---------------------------------------------------- */

/* A.10.2.1 L1T3: "This example uses one Chain, which includes frames with
 * temporal ID equal to 0."  Decode targets: 30, 15, 7.5 fps. */
static const struct ddb_template l1t3_t[] = {
	{ 0, 0, "", "0", "SSS" },
	{ 0, 0, "4", "4", "SSS" },
	{ 0, 1, "2", "2", "SD-" },
	{ 0, 2, "1", "1", "D--" },
	{ 0, 2, "1", "3", "D--" },
};
static const int8_t l1t3_key[][4] = { { 0, -1 } };
static const int8_t l1t3_cycle[][4] = { { 3, -1 }, { 2, -1 }, { 4, -1 }, { 1, -1 } };

const struct ddb_structure ddb_l1t3 = {
	.name = "L1T3", .offset = 0, .dt_cnt = 3, .chain_cnt = 1, .protected_by = "0,0,0",
	.n_templates = ARRAY_LEN(l1t3_t), .templates = l1t3_t,
	.key_units = l1t3_key, .n_key_units = ARRAY_LEN(l1t3_key),
	.cycle_units = l1t3_cycle, .n_cycle_units = ARRAY_LEN(l1t3_cycle),
};

/* L2T2 full SVC, decode targets in libwebrtc's order (S0T0, S0T1, S1T0,
 * S1T1), built the way A.10.2.2 builds L3T3: chain 0 has the S0 T0 frames
 * and protects the S0 targets, chain 1 the S0 and S1 T0 frames. */
static const struct ddb_template l2t2_t[] = {
	{ 0, 0, "", "0,0", "SSSS" },
	{ 0, 0, "4", "4,3", "SSRR" },
	{ 0, 1, "2", "2,1", "-D-R" },
	{ 1, 0, "1", "1,1", "--SS" },
	{ 1, 0, "4,1", "1,1", "--SS" },
	{ 1, 1, "2,1", "3,2", "---D" },
};
static const int8_t l2t2_key[][4] = { { 0, 3, -1 } };
static const int8_t l2t2_cycle[][4] = { { 2, 5, -1 }, { 1, 4, -1 } };

const struct ddb_structure ddb_l2t2 = {
	.name = "L2T2", .offset = 20, .dt_cnt = 4, .chain_cnt = 2, .protected_by = "0,0,1,1",
	.n_templates = ARRAY_LEN(l2t2_t), .templates = l2t2_t,
	.key_units = l2t2_key, .n_key_units = ARRAY_LEN(l2t2_key),
	.cycle_units = l2t2_cycle, .n_cycle_units = ARRAY_LEN(l2t2_cycle),
};

/* A.10.2.2 L3T3 Full SVC: "Chain 0 includes frames with spatial ID equal to
 * 0 and temporal ID equal to 0. Chain 1 includes frames with spatial ID
 * equal to 0 or 1 and temporal ID equal to 0. Chain 2 includes all frames
 * with temporal ID equal to 0."  Decode targets HD 30/15/7.5, VGA ...,
 * QVGA ...  (The specification numbers its rows from 1.) */
static const struct ddb_template l3t3_t[] = {
	{ 0, 0, "", "0,0,0", "SSSSSSSSS" },
	{ 0, 0, "12", "12,11,10", "RRRRRRSSS" },
	{ 0, 1, "6", "6,5,4", "RR-RR-SD-" },
	{ 0, 2, "3", "3,2,1", "R--R--D--" },
	{ 0, 2, "3", "9,8,7", "R--R--D--" },
	{ 1, 0, "1", "1,1,1", "SSSSSS---" },
	{ 1, 0, "12,1", "1,1,1", "RRRSSS---" },
	{ 1, 1, "6,1", "7,6,5", "RR-SD----" },
	{ 1, 2, "3,1", "4,3,2", "R--D-----" },
	{ 1, 2, "3,1", "10,9,8", "R--D-----" },
	{ 2, 0, "1", "2,1,1", "SSS------" },
	{ 2, 0, "12,1", "2,1,1", "SSS------" },
	{ 2, 1, "6,1", "8,7,6", "SD-------" },
	{ 2, 2, "3,1", "5,4,3", "D--------" },
	{ 2, 2, "3,1", "11,10,9", "D--------" },
};
static const int8_t l3t3_key[][4] = { { 0, 5, 10, -1 } };
static const int8_t l3t3_cycle[][4] = {
	{ 3, 8, 13, -1 }, { 2, 7, 12, -1 }, { 4, 9, 14, -1 }, { 1, 6, 11, -1 },
};

const struct ddb_structure ddb_l3t3 = {
	.name = "L3T3", .offset = 40, .dt_cnt = 9, .chain_cnt = 3,
	.protected_by = "2,2,2,1,1,1,0,0,0",
	.n_templates = ARRAY_LEN(l3t3_t), .templates = l3t3_t,
	.resolutions = true, .width = { 320, 640, 1280 }, .height = { 180, 360, 720 },
	.key_units = l3t3_key, .n_key_units = ARRAY_LEN(l3t3_key),
	.cycle_units = l3t3_cycle, .n_cycle_units = ARRAY_LEN(l3t3_cycle),
};

/* A.10.2.3 L3T3 K-SVC with Temporal Shift: "Chain 0 includes frames with
 * spatial ID equal to 0 and temporal ID equal to 0. Chain 1 includes frame
 * 100 and frames with spatial ID equal to 1 and temporal ID equal to 0.
 * Chain 2 includes frames 100, 101, and frames with spatial ID equal to 2
 * and temporal ID equal to 0."  The order of its templates in a stream
 * (the key_units and cycle below) follows from their frame and chain
 * differences: each points at the frame the text says it does. */
static const struct ddb_template ksvc_t[] = {
	{ 0, 0, "", "0,0,0", "SSSSSSSSS" },
	{ 0, 0, "3", "3,2,1", "------SSS" },
	{ 0, 0, "12", "12,8,1", "------SSS" },
	{ 0, 1, "6", "6,2,7", "------SD-" },
	{ 0, 2, "3", "3,5,4", "------D--" },
	{ 0, 2, "3", "9,5,10", "------D--" },
	{ 0, 2, "3", "3,11,4", "------D--" },
	{ 1, 0, "1", "1,1,1", "SSSSSS---" },
	{ 1, 0, "6", "4,6,5", "---SSS---" },
	{ 1, 0, "12", "4,12,5", "---SSS---" },
	{ 1, 1, "6", "10,6,11", "---SD----" },
	{ 1, 2, "3", "1,3,2", "---D-----" },
	{ 1, 2, "3", "7,3,8", "---D-----" },
	{ 1, 2, "3", "1,9,2", "---D-----" },
	{ 2, 0, "1", "2,1,1", "SSS------" },
	{ 2, 0, "12", "11,7,12", "SSS------" },
	{ 2, 1, "6", "5,1,6", "SD-------" },
	{ 2, 2, "3", "2,4,3", "D--------" },
	{ 2, 2, "3", "8,4,9", "D--------" },
	{ 2, 2, "3", "2,10,3", "D--------" },
};
static const int8_t ksvc_key[][4] = { { 0, 7, 14, -1 }, { 1, 11, 17, -1 }, { 4, 8, 16, -1 } };
static const int8_t ksvc_cycle[][4] = {
	{ 3, 12, 18, -1 }, { 5, 10, 15, -1 }, { 2, 13, 19, -1 }, { 6, 9, 16, -1 },
};

const struct ddb_structure ddb_l3t3_ksvc = {
	.name = "L3T3_KEY_SHIFT", .offset = 62, .dt_cnt = 9, .chain_cnt = 3,
	.protected_by = "2,2,2,1,1,1,0,0,0",
	.n_templates = ARRAY_LEN(ksvc_t), .templates = ksvc_t,
	.key_units = ksvc_key, .n_key_units = ARRAY_LEN(ksvc_key),
	.cycle_units = ksvc_cycle, .n_cycle_units = ARRAY_LEN(ksvc_cycle),
};

const struct ddb_structure *const ddb_all[4] = { &ddb_l1t3, &ddb_l2t2, &ddb_l3t3,
						 &ddb_l3t3_ksvc };

/* ---- Small parsers of the tables' strings ------------------------------ */

unsigned ddb_list(const char *s, unsigned *out, unsigned cap)
{
	unsigned n = 0;

	while (*s) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);
		if (end == s || n == cap) {
			fprintf(stderr, "ddb_list: bad list \"%s\"\n", s);
			exit(2);
		}
		out[n++] = (unsigned)v;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

unsigned ddb_dti_value(char sym)
{
	switch (sym) {
	case '-':
		return 0;
	case 'D':
		return 1;
	case 'S':
		return 2;
	case 'R':
		return 3;
	}
	fprintf(stderr, "ddb: bad DTI symbol '%c'\n", sym);
	exit(2);
}

uint64_t ddb_dtis(const char *syms, unsigned dt_cnt)
{
	uint64_t v = 0;

	if (strlen(syms) != dt_cnt) {
		fprintf(stderr, "ddb: \"%s\" is not %u DTIs\n", syms, dt_cnt);
		exit(2);
	}
	for (unsigned i = 0; i < dt_cnt; i++)
		v |= (uint64_t)ddb_dti_value(syms[i]) << (2 * i);
	return v;
}

size_t ddb_bits(const char *bits, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (; *bits; bits++) {
		if (*bits != '0' && *bits != '1')
			continue;
		if (n / 8 >= cap) {
			fprintf(stderr, "ddb_bits: %zu octets are not enough\n", cap);
			exit(2);
		}
		if (n % 8 == 0)
			out[n / 8] = 0;
		if (*bits == '1')
			out[n / 8] |= (uint8_t)(0x80 >> (n % 8));
		n++;
	}
	return (n + 7) / 8;
}

/* ---- The encoder ------------------------------------------------------- */

struct wb {
	uint8_t *p;
	size_t cap; /* octets */
	size_t pos; /* bits */
};

static void write_f(struct wb *w, unsigned n, uint32_t v)
{
	for (unsigned i = n; i-- > 0;) {
		if (w->pos / 8 >= w->cap) {
			fprintf(stderr, "ddb_encode: %zu octets are not enough\n", w->cap);
			exit(2);
		}
		if (w->pos % 8 == 0)
			w->p[w->pos / 8] = 0;
		if ((v >> i) & 1)
			w->p[w->pos / 8] |= (uint8_t)(0x80 >> (w->pos % 8));
		w->pos++;
	}
}

static void write_ns(struct wb *w, unsigned n, unsigned v)
{
	unsigned bits = 0;

	if (n == 1)
		return;
	for (unsigned x = n; x; x >>= 1)
		bits++;
	unsigned m = (1u << bits) - n;
	if (v < m)
		write_f(w, bits - 1, v);
	else
		write_f(w, bits, v + m);
}

/* next_layer_idc from one template to the next (Table A.2). */
static unsigned next_layer_idc(const struct ddb_structure *s, unsigned i)
{
	if (i + 1 == s->n_templates)
		return 3;
	const struct ddb_template *a = &s->templates[i], *b = &s->templates[i + 1];
	if (b->spatial == a->spatial && b->temporal == a->temporal)
		return 0;
	if (b->spatial == a->spatial && b->temporal == a->temporal + 1)
		return 1;
	if (b->spatial == a->spatial + 1 && b->temporal == 0)
		return 2;
	fprintf(stderr, "ddb: %s: template %u cannot follow %u\n", s->name, i + 1, i);
	exit(2);
}

static void write_structure(struct wb *w, const struct ddb_structure *s)
{
	unsigned v[32], n;

	write_f(w, 6, s->offset);
	write_f(w, 5, s->dt_cnt - 1u);
	for (unsigned i = 0; i < s->n_templates; i++)
		write_f(w, 2, next_layer_idc(s, i));
	for (unsigned i = 0; i < s->n_templates; i++) {
		const char *d = s->templates[i].dtis;
		if (strlen(d) != s->dt_cnt) {
			fprintf(stderr, "ddb: %s: template %u has %zu DTIs\n", s->name, i, strlen(d));
			exit(2);
		}
		for (unsigned dt = 0; dt < s->dt_cnt; dt++)
			write_f(w, 2, ddb_dti_value(d[dt]));
	}
	for (unsigned i = 0; i < s->n_templates; i++) {
		n = ddb_list(s->templates[i].fdiffs, v, 32);
		for (unsigned k = 0; k < n; k++) {
			write_f(w, 1, 1);
			write_f(w, 4, v[k] - 1);
		}
		write_f(w, 1, 0);
	}
	write_ns(w, s->dt_cnt + 1u, s->chain_cnt);
	if (s->chain_cnt) {
		n = ddb_list(s->protected_by, v, 32);
		for (unsigned dt = 0; dt < s->dt_cnt; dt++)
			write_ns(w, s->chain_cnt, dt < n ? v[dt] : 0);
		for (unsigned i = 0; i < s->n_templates; i++) {
			n = ddb_list(s->templates[i].chains, v, 32);
			for (unsigned c = 0; c < s->chain_cnt; c++)
				write_f(w, 4, c < n ? v[c] : 0);
		}
	}
	write_f(w, 1, s->resolutions);
	if (s->resolutions) {
		unsigned max_spatial = s->templates[s->n_templates - 1].spatial;
		for (unsigned sid = 0; sid <= max_spatial; sid++) {
			write_f(w, 16, s->width[sid] - 1u);
			write_f(w, 16, s->height[sid] - 1u);
		}
	}
}

size_t ddb_encode(const struct ddb_desc *d, uint8_t *out, size_t cap)
{
	struct wb w = { .p = out, .cap = cap };
	const struct ddb_structure *s = d->attach ? d->attach : d->ref;
	bool ext = d->extended || d->attach || d->active_present || d->custom_dtis ||
		   d->custom_fdiffs || d->custom_chains;

	write_f(&w, 1, d->sof);
	write_f(&w, 1, d->eof);
	write_f(&w, 6, d->template_id);
	write_f(&w, 16, d->frame_number);
	if (ext) {
		write_f(&w, 1, d->attach != NULL);
		write_f(&w, 1, d->active_present);
		write_f(&w, 1, d->custom_dtis != NULL);
		write_f(&w, 1, d->custom_fdiffs);
		write_f(&w, 1, d->custom_chains);
		if (d->attach)
			write_structure(&w, d->attach);
		if (d->active_present)
			write_f(&w, s->dt_cnt, d->active_mask);
	}
	if (d->custom_dtis)
		for (unsigned dt = 0; dt < s->dt_cnt; dt++)
			write_f(&w, 2, ddb_dti_value(d->custom_dtis[dt]));
	if (d->custom_fdiffs) {
		for (unsigned i = 0; i < d->n_fdiffs; i++) {
			unsigned v = d->fdiffs[i] - 1u, size = d->fdiff_nibbles[i];
			if (size == 0)
				size = v < 16 ? 1 : v < 256 ? 2 : 3;
			write_f(&w, 2, size);
			write_f(&w, 4 * size, v);
		}
		write_f(&w, 2, 0);
	}
	if (d->custom_chains)
		for (unsigned c = 0; c < s->chain_cnt; c++)
			write_f(&w, 8, d->chains[c]);
	while (w.pos % 8)
		write_f(&w, 1, 0);
	for (unsigned i = 0; i < d->padding; i++)
		write_f(&w, 8, 0);
	return w.pos / 8;
}

/* ---- Checks ------------------------------------------------------------ */

unsigned ddb_check_structure(const struct dp_av1_dd_structure *got,
			     const struct ddb_structure *want, const char *what)
{
	unsigned before = test_failures, v[32], n;

	CHECK(got->template_id_offset == want->offset, "%s: offset %u, expected %u", what,
	      got->template_id_offset, want->offset);
	CHECK(got->dt_cnt == want->dt_cnt, "%s: dt_cnt %u, expected %u", what, got->dt_cnt,
	      want->dt_cnt);
	CHECK(got->template_cnt == want->n_templates, "%s: %u templates, expected %u", what,
	      got->template_cnt, want->n_templates);
	CHECK(got->chain_cnt == want->chain_cnt, "%s: chain_cnt %u, expected %u", what,
	      got->chain_cnt, want->chain_cnt);
	if (got->dt_cnt != want->dt_cnt || got->template_cnt != want->n_templates)
		return test_failures - before;
	if (want->chain_cnt) {
		n = ddb_list(want->protected_by, v, 32);
		for (unsigned dt = 0; dt < n; dt++)
			CHECK(got->protected_by[dt] == v[dt], "%s: dt %u protected by %u, expected %u",
			      what, dt, got->protected_by[dt], v[dt]);
	}
	unsigned max_s = 0, max_t = 0;
	for (unsigned i = 0; i < want->n_templates; i++) {
		const struct ddb_template *t = &want->templates[i];
		const struct dp_av1_dd_template *g = &got->templates[i];
		CHECK(g->spatial == t->spatial && g->temporal == t->temporal,
		      "%s: template %u is S%uT%u, expected S%uT%u", what, i, g->spatial, g->temporal,
		      t->spatial, t->temporal);
		CHECK(g->dti == ddb_dtis(t->dtis, want->dt_cnt), "%s: template %u DTIs differ",
		      what, i);
		n = ddb_list(t->fdiffs, v, 32);
		CHECK(g->fdiff_cnt == n, "%s: template %u has %u fdiffs, expected %u", what, i,
		      g->fdiff_cnt, n);
		for (unsigned k = 0; k < n && k < g->fdiff_cnt; k++)
			CHECK(g->fdiff[k] == v[k], "%s: template %u fdiff %u is %u, expected %u", what,
			      i, k, g->fdiff[k], v[k]);
		n = ddb_list(t->chains, v, 32);
		for (unsigned c = 0; c < want->chain_cnt; c++)
			CHECK(g->chain_fdiff[c] == v[c], "%s: template %u chain %u fdiff %u, expected %u",
			      what, i, c, g->chain_fdiff[c], v[c]);
		max_s = t->spatial > max_s ? t->spatial : max_s;
		max_t = t->temporal > max_t ? t->temporal : max_t;
	}
	CHECK(got->max_spatial == max_s && got->max_temporal == max_t,
	      "%s: max layers S%uT%u, expected S%uT%u", what, got->max_spatial, got->max_temporal,
	      max_s, max_t);
	/* decode_target_layers(), the long way round. */
	for (unsigned dt = 0; dt < want->dt_cnt; dt++) {
		unsigned ds = 0, dtl = 0;
		for (unsigned i = 0; i < want->n_templates; i++) {
			if (want->templates[i].dtis[dt] == '-')
				continue;
			ds = want->templates[i].spatial > ds ? want->templates[i].spatial : ds;
			dtl = want->templates[i].temporal > dtl ? want->templates[i].temporal : dtl;
		}
		CHECK(got->dt_spatial[dt] == ds && got->dt_temporal[dt] == dtl,
		      "%s: decode target %u is S%uT%u, expected S%uT%u", what, dt,
		      got->dt_spatial[dt], got->dt_temporal[dt], ds, dtl);
	}
	CHECK(got->resolutions_present == want->resolutions, "%s: resolutions_present %u", what,
	      got->resolutions_present);
	if (want->resolutions)
		for (unsigned sid = 0; sid <= max_s; sid++)
			CHECK(got->max_width[sid] == want->width[sid] &&
				      got->max_height[sid] == want->height[sid],
			      "%s: S%u is %ux%u, expected %ux%u", what, sid, got->max_width[sid],
			      got->max_height[sid], want->width[sid], want->height[sid]);
	return test_failures - before;
}

int ddb_template_at(const struct ddb_structure *s, unsigned k, bool *first_of_unit,
		    bool *last_of_unit)
{
	unsigned unit = 0;

	for (;; unit++) {
		const int8_t *u = unit < s->n_key_units ?
			s->key_units[unit] :
			s->cycle_units[(unit - s->n_key_units) % s->n_cycle_units];
		unsigned len = 0;
		while (len < 4 && u[len] >= 0)
			len++;
		if (k < len) {
			*first_of_unit = k == 0;
			*last_of_unit = k + 1 == len;
			return u[k];
		}
		k -= len;
	}
}
