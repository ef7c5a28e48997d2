/* SPDX-License-Identifier: BSD-3-Clause */
/* What the tests of dataplane/net share (net_fixture.h). */
#include <string.h>

#include "net_fixture.h"

const char *const drop_names[DP_DROP_COUNT] = {
#define DROP_NAME(name, str) str,
	DP_FOREACH_DROP(DROP_NAME)
#undef DROP_NAME
};

const uint8_t our_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
const uint8_t peer_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

const uint8_t our4[4] = { 192, 0, 2, 1 };
const uint8_t our4b[4] = { 198, 51, 100, 7 };
const uint8_t peer4[4] = { 192, 0, 2, 10 };
const uint8_t zero4[4] = { 0, 0, 0, 0 };

const uint8_t our6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
const uint8_t our6ll[16] = { 0xfe, 0x80, [14] = 0xab, [15] = 0xcd };
const uint8_t peer6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
const uint8_t unspec6[16];
const uint8_t sn_our6[16] = { 0xff, 0x02, [11] = 0x01, 0xff, 0x00, 0x00, 0x01 };
const uint8_t sn_our6_mac[6] = { 0x33, 0x33, 0xff, 0x00, 0x00, 0x01 };

struct dp_iface iface_new(uint16_t port_id, uint16_t vlan, const uint8_t mac[6])
{
	struct dp_iface ifc = {
		.port_id = port_id,
		.vlan = vlan,
		.mtu = 1500,
		.verify_rx_cksum = true,
	};
	memcpy(ifc.mac, mac, 6);
	return ifc;
}

void iface_add(struct dp_iface *ifc, uint8_t family, const uint8_t *ip, uint8_t prefix_len,
	       uint16_t index)
{
	struct dp_iface_addr *a = &ifc->addrs[ifc->n_addrs++];

	a->family = family;
	a->prefix_len = prefix_len;
	a->index = index;
	memcpy(a->ip, ip, dp_af_len(family));
}

struct dp_iface our_iface(uint16_t vlan, uint16_t first_index)
{
	struct dp_iface ifc = iface_new(1, vlan, our_mac);

	iface_add(&ifc, STRATA_AF_INET, our4, 24, first_index);
	iface_add(&ifc, STRATA_AF_INET, our4b, 24, (uint16_t)(first_index + 1));
	iface_add(&ifc, STRATA_AF_INET6, our6, 64, (uint16_t)(first_index + 2));
	iface_add(&ifc, STRATA_AF_INET6, our6ll, 64, (uint16_t)(first_index + 3));
	return ifc;
}

/* ------------------------------------------------- independent checksums */

uint32_t ref_add(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

uint16_t ref_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

uint32_t ref_pseudo(bool v6, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		    uint32_t l4_len)
{
	uint32_t acc = ref_add(0, src, v6 ? 16 : 4);

	acc = ref_add(acc, dst, v6 ? 16 : 4);
	return acc + proto + (l4_len >> 16) + (l4_len & 0xffff);
}

bool ref_ipv4_ok(const uint8_t *ip)
{
	return ref_fold(ref_add(0, ip, 20)) == 0xffff;
}

bool ref_l4_ok(const uint8_t *ip, bool v6, uint8_t proto, const uint8_t *l4, uint32_t n)
{
	uint32_t acc = 0;

	if (v6)
		acc = ref_pseudo(true, ip + 8, ip + 24, proto, n);
	else if (proto != 1)
		acc = ref_pseudo(false, ip + 12, ip + 16, proto, n);
	return ref_fold(ref_add(acc, l4, n)) == 0xffff;
}

uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
