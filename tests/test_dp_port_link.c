/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dataplane/port_link.c: an unmapping from a control thread waits until the
 * workers have left the burst that was reading the mapping.
 *
 * The scenario is net_memif's disconnect in miniature: a worker thread sees
 * the "port" connected and spends a long burst reading a shared mapping;
 * meanwhile the main thread (the driver's interrupt thread) clears the
 * connected flag and unmaps.  Numbered cases:
 *   1. guarded: munmap() returns only after the burst ended; the worker
 *      never faults; one wait counted.
 *   2. the same without the guard (a child process): the worker faults --
 *      the hazard is real, so case 1 can fail.
 *   3. a worker unmapping its own scratch mapping does not wait for itself.
 *   4. once the workers have left, munmap() does not wait.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

#include <rte_rcu_qsbr.h>

#include "../dataplane/port_link.h"

#define REGION (1u << 20)
#define BURST_MS 200

static struct rte_rcu_qsbr *rcu;
static volatile uint8_t *region;
static atomic_int connected, in_burst, stop, guarded;
static atomic_uint_fast64_t burst_end_ns;
static int failures;

#define CHECK(c, ...) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); failures++; } } while (0)

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A worker: while "connected", each iteration is one long burst reading the
 * region (as eth_memif_rx copies out of it), then a quiescent state. */
static void *worker(void *arg)
{
	(void)arg;
	rte_rcu_qsbr_thread_register(rcu, 0);
	rte_rcu_qsbr_thread_online(rcu, 0);
	if (atomic_load(&guarded))
		dp_port_link_worker_enter(rcu);
	while (!atomic_load(&stop)) {
		if (atomic_load(&connected)) {
			uint64_t end = now_ns() + BURST_MS * 1000000ull;
			unsigned sum = 0;
			atomic_store(&in_burst, 1);
			while (now_ns() < end)
				for (unsigned i = 0; i < REGION; i += 4096)
					sum += region[i];
			if (sum == 12345)
				putchar(' ');
			atomic_store(&burst_end_ns, now_ns());
			atomic_store(&in_burst, 0);
		}
		/* Case 3: a worker's own unmapping does not wait for itself. */
		void *scratch = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (scratch != MAP_FAILED)
			munmap(scratch, 4096);
		rte_rcu_qsbr_quiescent(rcu, 0);
	}
	if (atomic_load(&guarded))
		dp_port_link_worker_leave();
	rte_rcu_qsbr_thread_offline(rcu, 0);
	rte_rcu_qsbr_thread_unregister(rcu, 0);
	return NULL;
}

/* One disconnect: returns when munmap() did, with when it did. */
static uint64_t disconnect_during_burst(void)
{
	pthread_t t;

	region = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	memset((void *)region, 1, REGION);
	atomic_store(&connected, 1);
	pthread_create(&t, NULL, worker, NULL);
	while (!atomic_load(&in_burst))
		usleep(1000);
	/* The driver: the flag first, then the memory. */
	atomic_store(&connected, 0);
	munmap((void *)region, REGION);
	uint64_t unmapped = now_ns();
	usleep(50000);
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	atomic_store(&stop, 0);
	return unmapped;
}

/* Case 2's worker faulted: say so by the exit status (our own handler, so
 * that AddressSanitizer's report does not stand in for it). */
#define FAULTED 77
static void on_fault(int sig)
{
	(void)sig;
	_exit(FAULTED);
}

int main(void)
{
	/* A worker waiting for itself (case 3) would hang: fail instead. */
	alarm(60);
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	rcu = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN(sz, RTE_CACHE_LINE_SIZE));
	if (rcu == NULL || rte_rcu_qsbr_init(rcu, 1) != 0) {
		fprintf(stderr, "cannot set up the RCU variable\n");
		return 1;
	}

	/* 2 first, in a child: without the guard the worker faults. */
	pid_t child = fork();
	if (child == 0) {
		struct sigaction sa = { .sa_handler = on_fault };
		sigaction(SIGSEGV, &sa, NULL);
		alarm(10);
		disconnect_during_burst();
		_exit(0);
	}
	int status = 0;
	waitpid(child, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == FAULTED,
	      "case 2: without the guard the worker should fault (status %#x)", status);

	/* 1: guarded. */
	atomic_store(&guarded, 1);
	uint64_t unmapped = disconnect_during_burst();
	uint64_t ended = atomic_load(&burst_end_ns);
	CHECK(ended != 0 && unmapped >= ended,
	      "case 1: munmap returned %lld ns before the burst ended",
	      (long long)(ended - unmapped));
	CHECK(dp_port_link_unmap_waits() == 1, "case 1: %llu waits counted, expected 1",
	      (unsigned long long)dp_port_link_unmap_waits());

	/* 4: no worker online, no wait. */
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED && munmap(p, 4096) == 0, "case 4: munmap failed");
	CHECK(dp_port_link_unmap_waits() == 1, "case 4: %llu waits counted, expected 1",
	      (unsigned long long)dp_port_link_unmap_waits());

	/* The real system call underneath: a bad range is still refused. */
	CHECK(munmap((void *)1, 4096) == -1, "munmap of an unaligned address succeeded");

	free(rcu);
	if (failures == 0)
		printf("PASS: 4 cases\n");
	return failures ? 1 : 0;
}
