/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `dataplane.ports` list: each port's device, addresses, next hops
 * and offloads, read through its table, then checked as a whole (next
 * hops on the link) and against the other ports and EAL's devices.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config_parse.h"

/* ---- ports --------------------------------------------------------------- */

static const char *const checksum_names[] = { "auto", "hardware", "software", NULL };

static int parse_device(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_port_config *p = base;
	const char *v;
	bool full;
	size_t len;

	if (cfg_get_string(c, s, "device = \"net_tap0\";", &v) < 0)
		return -1;
	if (!*v || cfg_has_space(v))
		return cfg_fail(c, s, "\"%s\" is not a device name; write the name DPDK gives the "
				"port, e.g. \"net_tap0\" or \"0000:3b:00.0\"", v);
	len = cfg_pci_prefix(v, &full);
	if (len && !v[len] && !full)
		return cfg_fail(c, s, "\"%s\" is a short PCI address; DPDK names the port by the "
				"full one, e.g. \"0000:%s\"", v, v);
	return cfg_copy_string(c, s, v, p->device, sizeof(p->device));
}

static int parse_addresses(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_port_config *p = base;
	unsigned n = (unsigned)config_setting_length(s);

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return cfg_fail(c, s, "is %s; write an array of addresses with prefix lengths, "
				"e.g. addresses = [ \"192.0.2.2/24\", \"2001:db8::2/64\" ];",
				cfg_type_name(s));
	if (n == 0 || n > DP_CONFIG_MAX_ADDRESSES)
		return cfg_fail(c, s, "lists %u addresses; a port has 1 to %d, e.g. "
				"addresses = [ \"192.0.2.2/24\" ];", n, DP_CONFIG_MAX_ADDRESSES);
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v, *why;

		if (cfg_get_string(c, e, "\"192.0.2.2/24\"", &v) < 0)
			return -1;
		if (!cfg_parse_prefix(v, &p->addresses[i]))
			return cfg_fail(c, e, "\"%s\" is not an IPv4 or IPv6 address with a prefix "
					"length, e.g. \"192.0.2.2/24\"", v);
		if ((why = cfg_unusable(&p->addresses[i])))
			return cfg_fail(c, e, "\"%s\" is %s; give the port's own unicast "
					"address", v, why);
	}
	p->n_addresses = n;
	return 0;
}

static int parse_next_hop(struct ctx *c, const config_setting_t *s, int family, struct dp_ip *ip)
{
	const char *v, *why, *example = family == AF_INET ? "\"192.0.2.1\"" : "\"fe80::1\"";

	if (cfg_get_string(c, s, example, &v) < 0)
		return -1;
	if (!cfg_parse_ip(v, ip) || (family && ip->family != family))
		return cfg_fail(c, s, "\"%s\" is not an %s address, e.g. %s", v,
				family == AF_INET ? "IPv4" : family == AF_INET6 ? "IPv6" : "IP",
				family ? example : "\"192.0.2.1\" or \"2001:db8::1\"");
	if ((why = cfg_unusable(ip)))
		return cfg_fail(c, s, "\"%s\" is %s; a next hop has a unicast address", v, why);
	return 0;
}

static int parse_gateway4(struct ctx *c, const config_setting_t *s, void *base)
{
	return parse_next_hop(c, s, AF_INET, &((struct dp_port_config *)base)->gateway4);
}

static int parse_gateway6(struct ctx *c, const config_setting_t *s, void *base)
{
	return parse_next_hop(c, s, AF_INET6, &((struct dp_port_config *)base)->gateway6);
}

static int parse_neighbour_ip(struct ctx *c, const config_setting_t *s, void *base)
{
	return parse_next_hop(c, s, 0, &((struct dp_neighbour *)base)->ip);
}

static int parse_neighbour_mac(struct ctx *c, const config_setting_t *s, void *base)
{
	const char *v;

	if (cfg_get_string(c, s, "mac = \"02:00:00:00:00:01\";", &v) < 0)
		return -1;
	if (!cfg_parse_mac(v, ((struct dp_neighbour *)base)->mac))
		return cfg_fail(c, s, "\"%s\" is not a unicast MAC address; write six hex pairs "
				"separated by colons, e.g. \"02:00:00:00:00:01\"", v);
	return 0;
}

static const struct field neighbour_fields[] = {
	CUSTOM("ip", parse_neighbour_ip),
	CUSTOM("mac", parse_neighbour_mac),
};
static const struct table neighbour_table = TABLE(neighbour_fields);

static int parse_neighbours(struct ctx *c, const config_setting_t *s, void *base)
{
	static const uint8_t zero[6];
	struct dp_port_config *p = base;
	unsigned n = (unsigned)config_setting_length(s);

	if (!config_setting_is_list(s))
		return cfg_fail(c, s, "is %s; write a list of groups, e.g. neighbours = ( { ip = "
				"\"192.0.2.1\"; mac = \"02:00:00:00:00:01\"; } );",
				cfg_type_name(s));
	if (n > DP_CONFIG_MAX_NEIGHBOURS)
		return cfg_fail(c, s, "lists %u neighbours; at most %d fit", n,
				DP_CONFIG_MAX_NEIGHBOURS);
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		struct dp_neighbour *nb = &p->neighbours[i];

		if (cfg_parse_group(c, e, &neighbour_table, nb) < 0)
			return -1;
		if (!nb->ip.family || !memcmp(nb->mac, zero, 6))
			return cfg_fail(c, e, "needs both ip and mac, e.g. { ip = \"192.0.2.1\"; "
					"mac = \"02:00:00:00:00:01\"; }");
		for (unsigned j = 0; j < i; j++)
			if (cfg_same_ip(&p->neighbours[j].ip, &nb->ip))
				return cfg_fail(c, e, "repeats neighbours[%u]'s ip", j);
	}
	p->n_neighbours = n;
	return 0;
}

static const struct field port_fields[] = {
	CUSTOM("device", parse_device),
	UINT("vlan", struct dp_port_config, vlan, 0, 4094, "vlan = 100;"),
	UINT("mtu", struct dp_port_config, mtu, 1280, 9600, "mtu = 1500;"),
	POW2("rx_desc", struct dp_port_config, rx_desc, 64, 32768, "rx_desc = 1024;"),
	POW2("tx_desc", struct dp_port_config, tx_desc, 64, 32768, "tx_desc = 1024;"),
	CUSTOM("addresses", parse_addresses),
	CUSTOM("gateway4", parse_gateway4),
	CUSTOM("gateway6", parse_gateway6),
	CUSTOM("neighbours", parse_neighbours),
	{ .name = "checksum", .kind = K_CHOICE, .off = offsetof(struct dp_port_config, checksum),
	  .choices = checksum_names, .example = "checksum = \"auto\";" },
	{ .name = "verify_rx_checksum", .kind = K_BOOL,
	  .off = offsetof(struct dp_port_config, verify_rx_checksum) },
};
static const struct table port_table = TABLE(port_fields);

static void port_defaults(struct dp_port_config *p)
{
	memset(p, 0, sizeof(*p));
	p->mtu = 1500;
	p->rx_desc = 1024;
	p->tx_desc = 1024;
	p->checksum = DP_CHECKSUM_AUTO;
	p->verify_rx_checksum = true;
}

/* A next hop (gateway or neighbour) the port can reach directly. */
static int check_next_hop(struct ctx *c, const config_setting_t *s,
			  const struct dp_port_config *p, const struct dp_ip *ip)
{
	char a[64], own[256] = "";

	for (unsigned i = 0; i < p->n_addresses; i++) {
		if (cfg_same_ip(ip, &p->addresses[i]))
			return cfg_fail(c, s, "%s is this port's own address; a next hop is "
					"another machine", dp_ip_format(ip, a, sizeof(a)));
		if (p->addresses[i].family == ip->family)
			snprintf(own + strlen(own), sizeof(own) - strlen(own), "%s%s",
				 *own ? ", " : "", dp_ip_format(&p->addresses[i], a, sizeof(a)));
	}
	if (cfg_on_link(p, ip))
		return 0;
	dp_ip_format(ip, a, sizeof(a));
	if (!*own)
		return cfg_fail(c, s, "%s is unreachable: the port has no IPv%c address; add one "
				"to its addresses", a, ip->family == AF_INET ? '4' : '6');
	return cfg_fail(c, s, "%s is not inside any of the port's prefixes (%s)%s; a next hop "
			"must be on the link", a, own,
			ip->family == AF_INET6 ? " nor link-local" : "");
}

static int check_port(struct ctx *c, const config_setting_t *g, const struct dp_port_config *p)
{
	if (!p->device[0])
		return cfg_fail(c, g, "has no device; name its DPDK device, e.g. device = "
				"\"net_tap0\"; or device = \"0000:3b:00.0\";");
	if (!p->n_addresses)
		return cfg_fail(c, g, "has no addresses; give at least one, e.g. addresses = "
				"[ \"192.0.2.2/24\" ];");
	if (p->gateway4.family &&
	    check_next_hop(c, config_setting_get_member(g, "gateway4"), p, &p->gateway4) < 0)
		return -1;
	if (p->gateway6.family &&
	    check_next_hop(c, config_setting_get_member(g, "gateway6"), p, &p->gateway6) < 0)
		return -1;
	for (unsigned i = 0; i < p->n_neighbours; i++) {
		const config_setting_t *nb = config_setting_get_member(g, "neighbours");

		if (check_next_hop(c, config_setting_get_elem(nb, i), p,
				   &p->neighbours[i].ip) < 0)
			return -1;
	}
	return 0;
}

int cfg_parse_ports(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_config *cfg = base;
	unsigned n = (unsigned)config_setting_length(s);

	if (!config_setting_is_list(s))
		return cfg_fail(c, s, "is %s; write a list of groups in parentheses, e.g. "
				PORT_EXAMPLE, cfg_type_name(s));
	if (n == 0 || n > DP_CONFIG_MAX_PORTS)
		return cfg_fail(c, s, "lists %u ports; strata-dp needs 1 to %d, e.g. " PORT_EXAMPLE,
				n, DP_CONFIG_MAX_PORTS);
	cfg->ports = calloc(n, sizeof(*cfg->ports));
	if (!cfg->ports)
		return cfg_fail(c, s, "out of memory");
	cfg->n_ports = n;
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, i);

		port_defaults(&cfg->ports[i]);
		if (cfg_parse_group(c, g, &port_table, &cfg->ports[i]) < 0 ||
		    check_port(c, g, &cfg->ports[i]) < 0)
			return -1;
	}
	c->ports = s;
	return 0;
}

/* An address of port i that an earlier port, or port i itself, already has:
 * the dataplane finds a packet's port by its destination address. */
static const struct dp_ip *repeated_address(const struct dp_config *cfg, unsigned i)
{
	const struct dp_port_config *p = &cfg->ports[i];

	for (unsigned k = 0; k < p->n_addresses; k++) {
		for (unsigned j = 0; j <= i; j++) {
			const struct dp_port_config *q = &cfg->ports[j];
			unsigned end = j < i ? q->n_addresses : k;

			for (unsigned m = 0; m < end; m++)
				if (cfg_same_ip(&p->addresses[k], &q->addresses[m]))
					return &p->addresses[k];
		}
	}
	return NULL;
}

/* Ports against each other and against what EAL will probe. */
int cfg_check_ports(struct ctx *c, const struct dp_config *cfg)
{
	const struct dp_eal_config *eal = &cfg->eal;

	for (unsigned i = 0; i < cfg->n_ports; i++) {
		const struct dp_port_config *p = &cfg->ports[i];
		const config_setting_t *g = config_setting_get_elem(c->ports, i);
		const config_setting_t *dev = config_setting_get_member(g, "device");
		const struct dp_ip *dup;
		bool full, listed = false;
		char want[13], have[13], a[64];

		if (cfg_pci_prefix(p->device, &full) == strlen(p->device)) {
			cfg_pci_normal(p->device, want);
			for (unsigned k = 0; k < eal->pci_allow.n && !listed; k++) {
				cfg_pci_normal(eal->pci_allow.v[k], have);
				listed = !strcmp(want, have);
			}
			if (!listed && eal->pci_allow.n)
				return cfg_fail(c, dev, "\"%s\" is not in eal.pci_allow, so EAL "
						"will not probe it; add it there", p->device);
			if (!listed && eal->vdevs.n)
				return cfg_fail(c, dev, "\"%s\" is a PCI device, but eal.vdevs "
						"without eal.pci_allow runs EAL with --no-pci; "
						"add \"%s\" to eal.pci_allow", p->device,
						p->device);
		}
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(p->device, cfg->ports[j].device) && p->vlan == cfg->ports[j].vlan)
				return cfg_fail(c, dev, "ports[%u] already uses device \"%s\" "
						"with vlan %u; give each port its own device or "
						"vlan", j, p->device, p->vlan);
		if ((dup = repeated_address(cfg, i)))
			return cfg_fail(c, config_setting_get_member(g, "addresses"), "%s is also "
					"an address of this or an earlier port; an address belongs "
					"to one port", dp_ip_format(dup, a, sizeof(a)));
	}
	return 0;
}
