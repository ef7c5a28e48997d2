/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "idpool.h"

int cp_idpool_init(struct cp_idpool *p, uint32_t first, uint32_t last)
{
	memset(p, 0, sizeof(*p));
	if (first == 0 || last < first)
		return -1;
	p->first = first;
	p->last = last;
	p->cursor = first;
	p->bits = calloc(((size_t)(last - first) / 64) + 1, sizeof(uint64_t));
	return p->bits ? 0 : -1;
}

void cp_idpool_fini(struct cp_idpool *p)
{
	free(p->bits);
	memset(p, 0, sizeof(*p));
}

bool cp_idpool_taken(const struct cp_idpool *p, uint32_t id)
{
	if (id < p->first || id > p->last)
		return false;
	uint32_t i = id - p->first;
	return (p->bits[i / 64] >> (i % 64)) & 1;
}

bool cp_idpool_claim(struct cp_idpool *p, uint32_t id)
{
	if (id < p->first || id > p->last || cp_idpool_taken(p, id))
		return false;
	uint32_t i = id - p->first;
	p->bits[i / 64] |= 1ull << (i % 64);
	p->used++;
	return true;
}

uint32_t cp_idpool_take(struct cp_idpool *p)
{
	uint64_t span = (uint64_t)p->last - p->first + 1;

	if (p->used >= span)
		return 0;
	for (uint64_t n = 0; n < span; n++) {
		uint32_t id = p->cursor;
		p->cursor = id == p->last ? p->first : id + 1;
		if (cp_idpool_claim(p, id))
			return id;
	}
	return 0;
}

void cp_idpool_give(struct cp_idpool *p, uint32_t id)
{
	if (!cp_idpool_taken(p, id))
		return;
	uint32_t i = id - p->first;
	p->bits[i / 64] &= ~(1ull << (i % 64));
	p->used--;
}
