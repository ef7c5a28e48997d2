/* SPDX-License-Identifier: BSD-3-Clause */
/* Frames to a leg outside the fan-out (leg_frame.h). */
#include "leg_frame.h"
#include "net/headers.h"
#include "tx_checksum.h"

uint8_t *dp_leg_frame_start(const struct dp *dp, const struct dp_leg *leg, struct rte_mbuf *m,
			    uint16_t payload_len, uint16_t *pi, uint16_t *hl, enum dp_tx_drop *why)
{
	uint32_t nh = atomic_load_explicit(&leg->neighbor, memory_order_acquire);
	struct strata_addr remote = leg->remote;
	uint8_t mac[6];

	if (remote.port == 0) {
		*why = DP_TX_DROP_NO_REMOTE;
		return NULL;
	}
	if (nh == 0 || nh > dp->neighbors->capacity || !dp_neighbor_mac(dp->neighbors, nh, mac)) {
		*why = DP_TX_DROP_NO_NEIGHBOR;
		return NULL;
	}
	*pi = dp->port_index[leg->port_id];
	const struct dp_iface *ifc = &dp->ports[*pi].ifc;
	if ((remote.family == STRATA_AF_INET ? 20u : 40u) + 8u + payload_len > ifc->mtu ||
	    DP_UDP_HEADERS_MAX + (uint32_t)payload_len > rte_pktmbuf_tailroom(m)) {
		*why = DP_TX_DROP_TOO_BIG;
		return NULL;
	}
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	*hl = dp_udp_headers_build(frame, ifc, mac, &leg->local, &remote, payload_len);
	return frame + *hl;
}

void dp_leg_frame_finish(const struct dp *dp, struct rte_mbuf *m, uint16_t pi, uint16_t hl,
			 uint16_t payload_len)
{
	m->data_len = (uint16_t)(hl + payload_len);
	m->pkt_len = m->data_len;
	dp_udp_tx_checksum(m, &dp->ports[pi].ifc, hl);
}
