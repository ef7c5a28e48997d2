/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Token buckets keyed by a string (a source address, an application id):
 * join rates per address and per application.  A fixed-size table with
 * least-recently-used replacement, so a flood of distinct addresses costs
 * memory bounded by the table, never more.
 */
#ifndef STRATA_CP_RATELIMIT_H
#define STRATA_CP_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define CP_RATELIMIT_KEY 72

struct cp_bucket {
	char key[CP_RATELIMIT_KEY];
	bool used;
	double tokens;
	uint64_t last_ms;
};

struct cp_ratelimit {
	double rate;       /* tokens per second */
	double burst;      /* bucket size */
	uint32_t n;        /* table size */
	struct cp_bucket *buckets;
};

int cp_ratelimit_init(struct cp_ratelimit *r, double rate, double burst, uint32_t table);
void cp_ratelimit_fini(struct cp_ratelimit *r);
/* Takes one token for key at now_ms: true when allowed. rate 0 = unlimited. */
bool cp_ratelimit_take(struct cp_ratelimit *r, const char *key, uint64_t now_ms);

#endif /* STRATA_CP_RATELIMIT_H */
