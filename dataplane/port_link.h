/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef STRATA_DP_PORT_LINK_H
#define STRATA_DP_PORT_LINK_H

#include <stdint.h>

#include <rte_rcu_qsbr.h>

/*
 * A port's peer going away must never take the workers down with it.
 *
 * DPDK 22.11's net_memif tears a connection down on the EAL interrupt
 * thread (memif_disconnect(): clear CONNECTED, then munmap() the shared
 * regions and rte_free() their descriptors) with nothing that waits for a
 * worker already inside eth_memif_rx/tx on those regions, and it raises no
 * link-state event an application could act on first.  port_link.c makes
 * every munmap() from a thread that is not a worker wait until each online
 * worker has passed an RCU quiescent state (the end of an iteration), so a
 * burst that saw the port connected finishes before its memory goes.
 *
 * Workers call dp_port_link_worker_enter() once they are online in `rcu`
 * and dp_port_link_worker_leave() before going offline.  Neither is on the
 * packet path.
 */
void dp_port_link_worker_enter(struct rte_rcu_qsbr *rcu);
void dp_port_link_worker_leave(void);

/* munmap() calls that waited for the workers, since start (for logs and
 * tests). */
uint64_t dp_port_link_unmap_waits(void);

#endif /* STRATA_DP_PORT_LINK_H */
