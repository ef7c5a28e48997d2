/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bringing up a DPDK port: one RX and one TX queue per worker (RSS spreads
 * flows over the RX queues when there are several), checksum offloads where
 * the port has them, and the port's L2/L3 identity (struct dp_iface) for the
 * classifier and header builder.  The main lcore has no queue of its own:
 * its few frames (ARP, ND, echo replies, strata-cp's packets) go out through
 * worker 0 (some drivers, net_tap among them, need as many RX as TX queues,
 * and an RX queue nobody polls would swallow traffic).
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_ethdev.h>

#include "config.h"
#include "port.h"

static uint8_t to_strata_family(uint8_t af)
{
	return af == AF_INET ? STRATA_AF_INET : STRATA_AF_INET6;
}

static int fill_iface(struct dp_iface *ifc, uint16_t port_id, const struct dp_port_config *pc,
		      bool tx_offload, uint16_t *next_addr_index, char *err, size_t errlen)
{
	struct rte_ether_addr mac;

	memset(ifc, 0, sizeof(*ifc));
	if (pc->n_addresses > DP_IFACE_MAX_ADDRS) {
		snprintf(err, errlen, "port %s: %u addresses, at most %d are supported", pc->device,
			 pc->n_addresses, DP_IFACE_MAX_ADDRS);
		return -1;
	}
	rte_eth_macaddr_get(port_id, &mac);
	memcpy(ifc->mac, mac.addr_bytes, 6);
	ifc->port_id = port_id;
	ifc->vlan = (uint16_t)pc->vlan;
	ifc->mtu = (uint16_t)pc->mtu;
	ifc->tx_cksum_offload = tx_offload;
	ifc->verify_rx_cksum = pc->verify_rx_checksum;
	for (unsigned i = 0; i < pc->n_addresses; i++) {
		struct dp_iface_addr *a = &ifc->addrs[ifc->n_addrs++];
		a->family = to_strata_family(pc->addresses[i].family);
		a->prefix_len = pc->addresses[i].prefix_len;
		a->index = (*next_addr_index)++;
		memcpy(a->ip, pc->addresses[i].addr, 16);
	}
	if (pc->gateway4.family)
		memcpy(ifc->gateway4, pc->gateway4.addr, 4);
	if (pc->gateway6.family)
		memcpy(ifc->gateway6, pc->gateway6.addr, 16);
	return 0;
}

int dp_port_start(const struct dp_port_config *pc, uint16_t n_workers, struct rte_mempool *pool,
		  uint16_t *next_addr_index, struct dp_port *out, char *err, size_t errlen)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	uint16_t port_id, rxd = (uint16_t)pc->rx_desc, txd = (uint16_t)pc->tx_desc;
	int rc;

	if (rte_eth_dev_get_port_by_name(pc->device, &port_id) != 0) {
		snprintf(err, errlen,
			 "no DPDK port named \"%s\": list it in dataplane.eal.vdevs (e.g. "
			 "\"net_tap0,iface=strata0\") or eal.pci_allow, and bind a NIC to vfio-pci",
			 pc->device);
		return -1;
	}
	if ((rc = rte_eth_dev_info_get(port_id, &info)) != 0) {
		snprintf(err, errlen, "port %s: no device info (%s)", pc->device, strerror(-rc));
		return -1;
	}
	if (info.max_rx_queues < n_workers || info.max_tx_queues < n_workers) {
		snprintf(err, errlen,
			 "port %s takes %u RX / %u TX queues; %u workers need one of each: use "
			 "fewer workers",
			 pc->device, info.max_rx_queues, info.max_tx_queues, n_workers);
		return -1;
	}

	memset(&conf, 0, sizeof(conf));
	if (n_workers > 1 && (info.flow_type_rss_offloads & RTE_ETH_RSS_UDP)) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			info.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP);
	}
	const uint64_t rx_ck = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	conf.rxmode.offloads = info.rx_offload_capa & rx_ck;
	const uint64_t tx_ck = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	bool tx_offload = (info.tx_offload_capa & tx_ck) == tx_ck;
	if (pc->checksum == DP_CHECKSUM_HARDWARE && !tx_offload) {
		snprintf(err, errlen,
			 "port %s does not compute IPv4/UDP checksums: set checksum = \"auto\" or "
			 "\"software\"",
			 pc->device);
		return -1;
	}
	if (pc->checksum == DP_CHECKSUM_SOFTWARE)
		tx_offload = false;
	if (tx_offload)
		conf.txmode.offloads = tx_ck;

	if ((rc = rte_eth_dev_configure(port_id, n_workers, n_workers, &conf)) != 0) {
		snprintf(err, errlen, "port %s: configure failed (%s)", pc->device, strerror(-rc));
		return -1;
	}
	rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rxd, &txd);
	int socket = rte_eth_dev_socket_id(port_id);
	for (uint16_t q = 0; q < n_workers; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, rxd, socket < 0 ? SOCKET_ID_ANY : socket,
					    NULL, pool);
		if (rc != 0) {
			snprintf(err, errlen, "port %s: RX queue %u: %s", pc->device, q,
				 strerror(-rc));
			return -1;
		}
	}
	for (uint16_t q = 0; q < n_workers; q++) {
		rc = rte_eth_tx_queue_setup(port_id, q, txd, socket < 0 ? SOCKET_ID_ANY : socket,
					    NULL);
		if (rc != 0) {
			snprintf(err, errlen, "port %s: TX queue %u: %s", pc->device, q,
				 strerror(-rc));
			return -1;
		}
	}
	/* Not every vdev has an MTU to set; the header builder checks the
	 * configured one on every output anyway. */
	rte_eth_dev_set_mtu(port_id, (uint16_t)pc->mtu);
	if ((rc = rte_eth_dev_start(port_id)) != 0) {
		snprintf(err, errlen, "port %s: start failed (%s)", pc->device, strerror(-rc));
		return -1;
	}
	/* IPv6 neighbour solicitations go to solicited-node multicast groups. */
	rte_eth_allmulticast_enable(port_id);

	out->port_id = port_id;
	return fill_iface(&out->ifc, port_id, pc, tx_offload, next_addr_index, err, errlen);
}

void dp_port_stop(const struct dp_port *port)
{
	rte_eth_dev_stop(port->port_id);
	rte_eth_dev_close(port->port_id);
}
