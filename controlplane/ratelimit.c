/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"

int cp_ratelimit_init(struct cp_ratelimit *r, double rate, double burst, uint32_t table)
{
	memset(r, 0, sizeof(*r));
	r->rate = rate;
	r->burst = burst < 1 ? 1 : burst;
	r->n = table ? table : 1;
	r->buckets = calloc(r->n, sizeof(*r->buckets));
	return r->buckets ? 0 : -1;
}

void cp_ratelimit_fini(struct cp_ratelimit *r)
{
	free(r->buckets);
	memset(r, 0, sizeof(*r));
}

/* FNV-1a: the table index; probing a few slots, the oldest is replaced. */
static uint32_t hash_prefix(const char *s, size_t max)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < max && s[i]; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

#define PROBES 8

bool cp_ratelimit_take(struct cp_ratelimit *r, const char *key, uint64_t now_ms)
{
	if (r->rate <= 0)
		return true;
	uint32_t h = hash_prefix(key, CP_RATELIMIT_KEY - 1);
	struct cp_bucket *b = NULL, *oldest = NULL;

	/* Keys are compared as stored: cut to CP_RATELIMIT_KEY - 1 bytes.  A
	 * longer key compared in full would never match its own bucket and
	 * would start full each time (no limit at all). */
	for (uint32_t k = 0; k < PROBES && k < r->n; k++) {
		struct cp_bucket *c = &r->buckets[(h + k) % r->n];
		if (c->used && strncmp(c->key, key, sizeof(c->key) - 1) == 0) {
			b = c;
			break;
		}
		if (oldest == NULL || c->last_ms < oldest->last_ms)
			oldest = c;
	}
	if (b == NULL) {
		/* A new (or evicted) key starts with a full bucket. */
		b = oldest;
		memset(b, 0, sizeof(*b));
		b->used = true;
		strncpy(b->key, key, sizeof(b->key) - 1);
		b->tokens = r->burst;
		b->last_ms = now_ms;
	}
	/* A clock that went back refills nothing (no wrap-around refill). */
	double elapsed = now_ms > b->last_ms ? (double)(now_ms - b->last_ms) / 1000.0 : 0;
	b->tokens += elapsed * r->rate;
	if (b->tokens > r->burst)
		b->tokens = r->burst;
	if (now_ms > b->last_ms)
		b->last_ms = now_ms; /* never back: that would refill twice */
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}
