/* SPDX-License-Identifier: BSD-3-Clause */
/* What the shared-memory tests share (shm_ring_fixture.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shm_ring_fixture.h"

static unsigned scale = 1;
static unsigned name_counter;
void *volatile child_keep;

void shm_test_init(void)
{
	const char *s = getenv("STRATA_TEST_RING_SCALE");
	const char *preload = getenv("LD_PRELOAD");

	if (preload && strstr(preload, "vgpreload"))
		scale = 20;
	if (s && atoi(s) > 0)
		scale = (unsigned)atoi(s);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

uint64_t items(uint64_t n)
{
	return n / scale ? n / scale : 1;
}

void unique_name(char *buf, size_t len)
{
	snprintf(buf, len, "/strata-test-%d-%u", (int)getpid(), name_counter++);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void sleep_us(unsigned us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

void params_for(struct dp_shm_params *p, const char *name)
{
	dp_shm_params_default(p);
	p->name = name;
	p->command_slots = 64;
	p->event_slots = 64;
	p->tx_slots = 32;
	p->punt_slots = 32;
	p->n_workers = 2;
	p->max_legs = 100;
	p->max_streams = 200;
	p->max_sources = 150;
	p->max_subscriptions = 400;
}

struct dp_driver *attach(const char *name, unsigned flags, char *err, size_t errlen)
{
	struct dp_driver_opts o = { .name = name, .flags = flags, .timeout_ms = 2000 };

	return dp_driver_attach(&o, err, errlen);
}

void key_pattern(struct strata_cmd_leg_add *l, uint32_t seq)
{
	for (size_t i = 0; i < sizeof(l->rx.key); i++)
		l->rx.key[i] = (uint8_t)(seq + i);
	for (size_t i = 0; i < sizeof(l->rx.salt); i++)
		l->rx.salt[i] = (uint8_t)(seq * 7 + i);
}
