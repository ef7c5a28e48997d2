/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HDR-style histogram (see hist.h).  A value v >= 2*HIST_SUB with its most
 * significant bit at position m is kept as its top HIST_SUB_BITS+1 bits:
 * shift = m - HIST_SUB_BITS, top = v >> shift in [HIST_SUB, 2*HIST_SUB).
 * The bucket spans 2^shift values starting at top << shift, and since
 * top >= HIST_SUB the bucket's width is at most 1/HIST_SUB of its low end.
 */
#include <string.h>

#include "hist.h"

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned hist_index(uint64_t v)
{
	if (v < 2 * HIST_SUB)
		return (unsigned)v;
	unsigned msb = 63u - (unsigned)__builtin_clzll(v);
	unsigned shift = msb - HIST_SUB_BITS; /* >= 1 here */
	unsigned top = (unsigned)(v >> shift); /* HIST_SUB .. 2*HIST_SUB-1 */
	return 2 * HIST_SUB + (shift - 1) * HIST_SUB + (top - HIST_SUB);
}

uint64_t hist_bucket_low(unsigned idx)
{
	if (idx < 2 * HIST_SUB)
		return idx;
	unsigned shift = (idx - 2 * HIST_SUB) / HIST_SUB + 1;
	uint64_t top = HIST_SUB + (idx - 2 * HIST_SUB) % HIST_SUB;
	return top << shift;
}

uint64_t hist_bucket_high(unsigned idx)
{
	if (idx < 2 * HIST_SUB)
		return idx;
	unsigned shift = (idx - 2 * HIST_SUB) / HIST_SUB + 1;
	return hist_bucket_low(idx) + ((UINT64_C(1) << shift) - 1);
}

void hist_record(struct hist *h, uint64_t v)
{
	h->bucket[hist_index(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (src->count == 0)
		return;
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t hist_percentile(const struct hist *h, double p)
{
	if (h->count == 0)
		return 0;
	if (p >= 100.0)
		return h->max;
	/* p/100 is inexact in binary (99.9/100*1e6 is 999000.0000000001): shave a
	 * relative 1e-12 so an exact rank is not pushed to the next value. */
	double r = p / 100.0 * (double)h->count * (1 - 1e-12);
	uint64_t rank = (uint64_t)r;
	if ((double)rank < r)
		rank++;
	if (rank == 0)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			uint64_t v = hist_bucket_high(i);
			return v > h->max ? h->max : v;
		}
	}
	return h->max;
}
