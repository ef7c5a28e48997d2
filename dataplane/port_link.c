/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keeping the workers alive when a port's peer goes away.
 *
 * DPDK 22.11 (and its main branch, checked 2026-11) net_memif, when the
 * peer disconnects or dies, runs on the EAL interrupt thread
 * (drivers/net/memif/memif_socket.c, memif_intr_handler -> memif_disconnect):
 *
 *     dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
 *     pmd->flags &= ~ETH_MEMIF_FLAG_CONNECTED;
 *     ... send the disconnect message, close the queues' eventfds ...
 *     memif_free_regions(dev);   // munmap(r->addr, ...); rte_free(r);
 *                                // proc_private->regions[i] = NULL;
 *
 * while eth_memif_rx/tx (rte_eth_memif.c) test ETH_MEMIF_FLAG_CONNECTED
 * once at the top of a burst and then read the ring and, per descriptor,
 * proc_private->regions[d->region]->addr.  A worker that passed the test
 * just before the flag was cleared reads unmapped memory (ring->head) or a
 * NULL region and dies; nothing in the driver waits for it, and the driver
 * raises no RTE_ETH_EVENT_INTR_LSC an application could act on before the
 * unmapping.  The only point where the application gets control between the
 * flag and the unmapping is the driver's call to munmap(), resolved through
 * the dynamic linker: strata-dp defines munmap() and, when a thread that is
 * not a worker calls it while workers run, first waits until every online
 * worker has reported an RCU quiescent state.  A worker reports one at the
 * end of each iteration, when it holds nothing from any port, so once they
 * all have, no burst that saw the port connected is still running, and the
 * next one sees the cleared flag (the token's release/acquire orders it).
 *
 * Every munmap() from a control thread pays the wait -- a worker iteration,
 * microseconds -- which is cheap because control threads unmap rarely, and
 * it covers any other driver that unmaps under its queues the same way.
 * Workers never wait (they would wait for themselves; they do not unmap).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <rte_rcu_qsbr.h>

#include "port_link.h"

static _Atomic(struct rte_rcu_qsbr *) guard_rcu;
static atomic_uint guard_workers;
static atomic_uint_fast64_t unmap_waits;
static __thread bool in_worker;

void dp_port_link_worker_enter(struct rte_rcu_qsbr *rcu)
{
	in_worker = true;
	atomic_store_explicit(&guard_rcu, rcu, memory_order_release);
	/* Sequentially consistent, paired with the fence in munmap(): either
	 * the unmapping thread counts this worker, or this worker's first
	 * burst sees the flag the driver cleared before unmapping. */
	atomic_fetch_add_explicit(&guard_workers, 1, memory_order_seq_cst);
}

void dp_port_link_worker_leave(void)
{
	atomic_fetch_sub_explicit(&guard_workers, 1, memory_order_seq_cst);
}

uint64_t dp_port_link_unmap_waits(void)
{
	return atomic_load_explicit(&unmap_waits, memory_order_relaxed);
}

/* The C library's munmap() is this system call and nothing more; calling it
 * directly needs no lookup of the next definition. */
static int sys_munmap(void *addr, size_t len)
{
	return (int)syscall(SYS_munmap, addr, len);
}

/* Not the TSC: this also runs in programs that link the workers without
 * having started EAL's timer. */
static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int munmap(void *addr, size_t len)
{
	atomic_thread_fence(memory_order_seq_cst);
	struct rte_rcu_qsbr *rcu = atomic_load_explicit(&guard_rcu, memory_order_acquire);

	if (rcu == NULL || in_worker ||
	    atomic_load_explicit(&guard_workers, memory_order_seq_cst) == 0)
		return sys_munmap(addr, len);

	uint64_t t0 = now_us();
	rte_rcu_qsbr_synchronize(rcu, RTE_QSBR_THRID_INVALID);
	uint64_t waited_us = now_us() - t0;
	atomic_fetch_add_explicit(&unmap_waits, 1, memory_order_relaxed);

	/* Rare (a peer disconnecting) and off the packet path: say who. */
	Dl_info who;
	const char *lib = "?";
	if (dladdr(__builtin_return_address(0), &who) != 0 && who.dli_fname != NULL)
		lib = who.dli_fname;
	fprintf(stderr,
		"strata-dp: %s unmaps %zu bytes from a control thread: unmapped after the "
		"workers' bursts (waited %llu us)\n",
		lib, len, (unsigned long long)waited_us);
	return sys_munmap(addr, len);
}
