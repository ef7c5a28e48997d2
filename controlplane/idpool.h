/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Allocators of small integers: the dataplane's leg, stream, source and
 * subscription ids (1..max, from the shared-memory header) and the UDP ports
 * of the media address.  A bitmap with a rotating cursor, so a freed id is
 * not handed out again at once (a late event about the old holder cannot
 * be mistaken for the new one).
 */
#ifndef STRATA_CP_IDPOOL_H
#define STRATA_CP_IDPOOL_H

#include <stdbool.h>
#include <stdint.h>

struct cp_idpool {
	uint32_t first, last;   /* ids handed out: first..last */
	uint32_t cursor;        /* where the next search starts */
	uint32_t used;
	uint64_t *bits;         /* bit (id - first) set when taken */
};

int cp_idpool_init(struct cp_idpool *p, uint32_t first, uint32_t last);
void cp_idpool_fini(struct cp_idpool *p);
/* A free id, or 0 when none is left (0 is never a valid id). */
uint32_t cp_idpool_take(struct cp_idpool *p);
/* Takes a specific id (reconciling with the dataplane): false if taken. */
bool cp_idpool_claim(struct cp_idpool *p, uint32_t id);
void cp_idpool_give(struct cp_idpool *p, uint32_t id);
bool cp_idpool_taken(const struct cp_idpool *p, uint32_t id);

#endif /* STRATA_CP_IDPOOL_H */
