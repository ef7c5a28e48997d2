/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dependency descriptors for the tests, built from tables: an encoder of
 * the AV1 RTP specification's appendix A syntax written apart from
 * dataplane/codec/av1_dd.c (it shares no code with it), the structures of
 * the specification's examples (A.10.2) and an L2T2 one, the order in which
 * an encoder uses their templates, and a check of a parsed structure
 * against its table.
 */
#ifndef STRATA_TEST_DP_AV1_DD_BUILDER_H
#define STRATA_TEST_DP_AV1_DD_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "av1_dd.h"

/* One row of a structure table, as the specification prints them: layers,
 * frame differences ("12,1"), chain differences, one DTI symbol per decode
 * target ('-' not present, 'D', 'S', 'R'). */
struct ddb_template {
	uint8_t spatial, temporal;
	const char *fdiffs;
	const char *chains;
	const char *dtis;
};

struct ddb_structure {
	const char *name;
	uint8_t offset;               /* template_id_offset */
	uint8_t dt_cnt, chain_cnt;
	const char *protected_by;     /* "2,2,2,1,1,1,0,0,0" */
	uint8_t n_templates;
	const struct ddb_template *templates;
	bool resolutions;
	uint16_t width[4], height[4]; /* per spatial layer */
	/* How an encoder uses the templates: the temporal units of a
	 * keyframe and after it, then a cycle repeated; -1 ends a unit. */
	const int8_t (*key_units)[4];
	uint8_t n_key_units;
	const int8_t (*cycle_units)[4];
	uint8_t n_cycle_units;
};

extern const struct ddb_structure ddb_l1t3;       /* A.10.2.1 */

/*
 * ddb_l1t3's template_dependency_structure() written out by hand, field by
 * field (A.10.2.1's table; Table A.2 for next_layer_idc; ns(4) of 1 is
 * "01"; ns(1) takes no bits): 99 bits.
 */
#define DDB_L1T3_STRUCTURE_BITS                                                \
	"000000 00010 "                 /* template_id_offset 0, DtCnt 3 */   \
	"00 01 01 00 11 "               /* layers: S0T0 S0T0 S0T1 S0T2 S0T2 */ \
	"101010 101010 100100 010000 010000 " /* DTIs SSS SSS SD- D-- D-- */  \
	"0 10011 0 10001 0 10000 0 10000 0 "  /* fdiffs: -, 4, 2, 1, 1 */     \
	"01 "                           /* chain_cnt = ns(4) = 1 */          \
	"0000 0100 0010 0001 0011 "     /* chain fdiffs 0, 4, 2, 1, 3 */     \
	"0 "                            /* no resolutions */
extern const struct ddb_structure ddb_l2t2;       /* full SVC, ours */
extern const struct ddb_structure ddb_l3t3;       /* A.10.2.2, full SVC */
extern const struct ddb_structure ddb_l3t3_ksvc;  /* A.10.2.3, K-SVC with temporal shift */
extern const struct ddb_structure *const ddb_all[4];

/* A descriptor to build.  Fields left zero are absent. */
struct ddb_desc {
	bool sof, eof;
	uint8_t template_id;          /* the wire value */
	uint16_t frame_number;
	bool extended;                /* the five flags even when all are 0 */
	const struct ddb_structure *attach;
	const struct ddb_structure *ref; /* for DtCnt and chain_cnt otherwise */
	bool active_present;
	uint32_t active_mask;
	const char *custom_dtis;      /* DTI symbols, NULL = template's */
	bool custom_fdiffs;
	uint8_t n_fdiffs;
	uint16_t fdiffs[20];
	uint8_t fdiff_nibbles[20];    /* next_fdiff_size per value, 0 = smallest */
	bool custom_chains;
	uint8_t chains[32];
	uint8_t padding;              /* extra zero octets at the end */
};

/* Encodes d into out; returns the length, or exits the test when cap is
 * too small or d is not encodable (a bug in the test). */
size_t ddb_encode(const struct ddb_desc *d, uint8_t *out, size_t cap);

/* The value of a DTI symbol, and a table row's DTIs packed as av1_dd.h. */
unsigned ddb_dti_value(char sym);
uint64_t ddb_dtis(const char *syms, unsigned dt_cnt);

/* A bit string ('0' and '1'; anything else, such as the spaces and '|'
 * that separate fields, is skipped) into octets, the last one padded with
 * zeros; returns the octet count. */
size_t ddb_bits(const char *bits, uint8_t *out, size_t cap);

/* "12,1" -> {12, 1}; returns the count. */
unsigned ddb_list(const char *s, unsigned *out, unsigned cap);

/* Counts (with CHECK) every difference between a parsed structure and its
 * table; `what` names the case.  Returns the number of differences. */
unsigned ddb_check_structure(const struct dp_av1_dd_structure *got,
			     const struct ddb_structure *want, const char *what);

/* The template index of a structure's frame number k (0 = a keyframe's
 * first frame) in a stream that starts with a keyframe and never has
 * another: key units, then the cycle.  *sof_unit tells whether it is the
 * first frame of its temporal unit. */
int ddb_template_at(const struct ddb_structure *s, unsigned k, bool *first_of_unit,
		    bool *last_of_unit);

#endif /* STRATA_TEST_DP_AV1_DD_BUILDER_H */
