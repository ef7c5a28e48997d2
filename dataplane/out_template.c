/* SPDX-License-Identifier: BSD-3-Clause */
/* Building a leg's output headers (out_template.h). */
#include <netinet/in.h>
#include <string.h>

#include <rte_mbuf.h>

#include "net/headers.h"
#include "net/wire.h"
#include "out_template.h"

_Static_assert(DP_OUT_TEMPLATE_BYTES >= DP_UDP_HEADERS_MAX, "template too small");

void dp_out_template_build(struct dp_out_template *t, const struct dp_iface *ifc,
					 const uint8_t mac[6], const struct strata_addr *local,
					 const struct strata_addr *remote)
{
	memset(t, 0, sizeof(*t));
	t->hl = dp_udp_headers_build(t->bytes, ifc, mac, local, remote, 0);
	if (t->hl == 0)
		return;
	t->family = local->family;
	t->l2_len = (uint8_t)dp_iface_l2_len(ifc);
	uint8_t *ip = t->bytes + t->l2_len;
	if (t->family == STRATA_AF_INET) {
		t->l3_len = DP_IPV4_HLEN;
		dp_put_be16(ip + DP_IPV4_TOTLEN_OFF, 0);
		ip[DP_IPV4_CKSUM_OFF] = ip[DP_IPV4_CKSUM_OFF + 1] = 0;
		t->ip_sum = dp_sum_add(0, ip, DP_IPV4_HLEN);
		t->pseudo_sum = dp_sum_add(0, ip + DP_IPV4_SRC_OFF, 8) + htons(IPPROTO_UDP);
		t->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM;
	} else {
		t->l3_len = DP_IPV6_HLEN;
		dp_put_be16(ip + DP_IPV6_PLEN_OFF, 0);
		t->pseudo_sum = dp_sum_add(0, ip + DP_IPV6_SRC_OFF, 32) + htons(IPPROTO_UDP);
		t->ol_flags = RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM;
	}
	if (!ifc->tx_cksum_offload)
		t->ol_flags = 0;
	t->valid = 1;
}

