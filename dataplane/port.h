/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef STRATA_DP_PORT_H
#define STRATA_DP_PORT_H

#include <rte_mempool.h>

#include "config.h"
#include "dp.h"

/*
 * Configures and starts the DPDK port a `ports` entry names: one RX and one
 * TX queue per worker, the offloads it has, and fills out->ifc.  Local addresses get consecutive global
 * indices from *next_addr_index.  -1 with a message that says what to do.
 */
int dp_port_start(const struct dp_port_config *pc, uint16_t n_workers, struct rte_mempool *pool,
		  uint16_t *next_addr_index, struct dp_port *out, char *err, size_t errlen);
void dp_port_stop(const struct dp_port *port);

#endif /* STRATA_DP_PORT_H */
