/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An independent writer of VP9 payload descriptors (RFC 9628 section 4.2),
 * field by field from the RFC's figures, for the tests and the fuzz seeds:
 * dataplane/codec/vp9.c is checked against what this writes, not against
 * itself.  It writes whatever it is told, invalid combinations included.
 */
#ifndef STRATA_TESTS_VP9_DESC_BUILD_H
#define STRATA_TESTS_VP9_DESC_BUILD_H

#include <stddef.h>
#include <stdint.h>

struct vp9_build_pg {
	unsigned tid, u, r;
	unsigned p_diff[3];
};

struct vp9_build {
	/* The first octet. */
	unsigned i, p, l, f, b, e, v, z;
	unsigned m, picture_id;            /* with i: m = 15 bits */
	unsigned tid, u, sid, d, tl0;      /* with l; tl0 written when !f */
	unsigned n_ref;                    /* with p and f: P_DIFF octets */
	unsigned p_diff[4];
	unsigned n_more;                   /* N set on the last P_DIFF too */
	/* The SS, with v. */
	unsigned ns;                       /* N_S: ns + 1 layers */
	unsigned y, g, n_g;
	unsigned width[8], height[8];
	struct vp9_build_pg pg[8];
	unsigned ss_reserved;              /* the SS's "-" bits set */
};

/* Writes the descriptor; returns its length. */
static inline size_t vp9_build_desc(const struct vp9_build *d, uint8_t *out)
{
	size_t n = 0;

	out[n++] = (uint8_t)(d->i << 7 | d->p << 6 | d->l << 5 | d->f << 4 | d->b << 3 |
			     d->e << 2 | d->v << 1 | d->z);
	if (d->i) {
		if (d->m) {
			out[n++] = (uint8_t)(0x80 | (d->picture_id >> 8 & 0x7f));
			out[n++] = (uint8_t)d->picture_id;
		} else {
			out[n++] = (uint8_t)(d->picture_id & 0x7f);
		}
	}
	/* F is "ignored by receivers" without I: the layout is non-flexible. */
	unsigned flexible = d->f && d->i;
	if (d->l) {
		out[n++] = (uint8_t)(d->tid << 5 | d->u << 4 | d->sid << 1 | d->d);
		if (!flexible)
			out[n++] = (uint8_t)d->tl0;
	}
	if (d->p && flexible) {
		for (unsigned k = 0; k < d->n_ref; k++) {
			unsigned more = k + 1 < d->n_ref || d->n_more;
			out[n++] = (uint8_t)(d->p_diff[k] << 1 | more);
		}
	}
	if (d->v) {
		out[n++] = (uint8_t)(d->ns << 5 | d->y << 4 | d->g << 3 | (d->ss_reserved ? 7 : 0));
		if (d->y) {
			for (unsigned s = 0; s <= d->ns; s++) {
				out[n++] = (uint8_t)(d->width[s] >> 8);
				out[n++] = (uint8_t)d->width[s];
				out[n++] = (uint8_t)(d->height[s] >> 8);
				out[n++] = (uint8_t)d->height[s];
			}
		}
		if (d->g) {
			out[n++] = (uint8_t)d->n_g;
			for (unsigned k = 0; k < d->n_g; k++) {
				const struct vp9_build_pg *g = &d->pg[k];
				out[n++] = (uint8_t)(g->tid << 5 | g->u << 4 | g->r << 2 |
						     (d->ss_reserved ? 3 : 0));
				for (unsigned j = 0; j < g->r; j++)
					out[n++] = (uint8_t)g->p_diff[j];
			}
		}
	}
	return n;
}

/* libwebrtc's picture group for three temporal layers (0, 2, 1, 2), as its
 * encoder puts it in the SS of a key picture in non-flexible mode: every
 * picture a switching-up point, each referencing the one before in its
 * chain. */
static inline void vp9_build_pg_l3t3(struct vp9_build *d)
{
	static const struct vp9_build_pg pg[4] = {
		{ 0, 1, 1, { 4 } }, { 2, 1, 1, { 1 } }, { 1, 1, 1, { 2 } }, { 2, 1, 1, { 1 } },
	};

	d->g = 1;
	d->n_g = 4;
	for (unsigned k = 0; k < 4; k++)
		d->pg[k] = pg[k];
}

#endif /* STRATA_TESTS_VP9_DESC_BUILD_H */
