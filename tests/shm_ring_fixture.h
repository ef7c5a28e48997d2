/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the shared-memory tests (test_shm_ring_*.c) share: item counts
 * scaled down for slow runs, segment names of their own, a clock, the
 * small segment they create, the driver's attach, and the key pattern a
 * leg-add carries so that the far side can tell it arrived intact.
 *
 * STRATA_TEST_RING_SCALE=N divides the item counts (for slow sanitizers);
 * under valgrind (meson test --setup valgrind) they are divided by 20.
 * Nothing here CHECKs: each test counts its own checks.
 */
#ifndef STRATA_SHM_RING_FIXTURE_H
#define STRATA_SHM_RING_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "../dataplane/shm.h"
#include "driver/dp_driver.h"

/* A forked child _exits without the parent's cleanup; what it holds stays
 * reachable here, so valgrind in the child does not call it a leak. */
extern void *volatile child_keep;

/* The first call in main: reads the scale and makes stdout line-buffered,
 * so that the lines of forked children and their parent do not mix. */
void shm_test_init(void);

/* n divided by the scale, at least 1. */
uint64_t items(uint64_t n);
/* "/strata-test-PID-N", a new N each call. */
void unique_name(char *buf, size_t len);
uint64_t now_ns(void);
void sleep_us(unsigned us);

/* Small rings and tables, two workers, under name. */
void params_for(struct dp_shm_params *p, const char *name);
/* The driver on name, with a 2 s command timeout. */
struct dp_driver *attach(const char *name, unsigned flags, char *err, size_t errlen);

/* Fills a leg-add's receive key and salt from seq. */
void key_pattern(struct strata_cmd_leg_add *l, uint32_t seq);

#endif /* STRATA_SHM_RING_FIXTURE_H */
