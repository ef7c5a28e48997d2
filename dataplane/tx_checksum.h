/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transmit checksums of a UDP frame the dataplane built: the port computes
 * them when it offers to (ol_flags and the pseudo-header sum), otherwise
 * they are computed here in software, after encryption, over what is sent.
 */
#ifndef STRATA_DP_TX_CHECKSUM_H
#define STRATA_DP_TX_CHECKSUM_H

#include <rte_mbuf.h>

#include "net/headers.h"
#include "net/iface.h"

/* m holds one whole frame, data_len set; hl is its L2-L4 header length. */
static inline void dp_udp_tx_checksum(struct rte_mbuf *m, const struct dp_iface *ifc, uint16_t hl)
{
	uint16_t l2 = dp_iface_l2_len(ifc);
	uint8_t family = hl - l2 == 20 + 8 ? STRATA_AF_INET : STRATA_AF_INET6;

	if (ifc->tx_cksum_offload)
		dp_udp_tx_offload_mbuf(m, l2, family);
	else
		dp_udp_checksum_fill(rte_pktmbuf_mtod(m, uint8_t *), l2, family, m->data_len);
}

#endif /* STRATA_DP_TX_CHECKSUM_H */
