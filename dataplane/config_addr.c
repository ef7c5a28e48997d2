/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The addresses a configuration names: IP addresses and prefixes, MAC
 * addresses, PCI addresses as EAL writes them.  Plain strings in, no
 * libconfig: the callers turn a refusal into a message with its line.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config_parse.h"

/* ---- addresses ----------------------------------------------------------- */

const char *dp_ip_format(const struct dp_ip *ip, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (!ip->family || !inet_ntop(ip->family, ip->addr, host, sizeof(host)))
		snprintf(buf, len, "(none)");
	else if (ip->prefix_len)
		snprintf(buf, len, "%s/%u", host, ip->prefix_len);
	else
		snprintf(buf, len, "%s", host);
	return buf;
}

bool cfg_parse_ip(const char *s, struct dp_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->addr) == 1)
		ip->family = AF_INET;
	else if (inet_pton(AF_INET6, s, ip->addr) == 1)
		ip->family = AF_INET6;
	return ip->family != 0;
}

/* "IP/len", with a prefix of 1 to 32 (IPv4) or 1 to 128 (IPv6). */
bool cfg_parse_prefix(const char *s, struct dp_ip *ip)
{
	const char *slash = strchr(s, '/'), *p;
	char host[INET6_ADDRSTRLEN];
	unsigned long len;

	if (!slash || (size_t)(slash - s) >= sizeof(host))
		return false;
	memcpy(host, s, (size_t)(slash - s));
	host[slash - s] = 0;
	p = slash + 1;
	if (!cfg_parse_ip(host, ip) || !cfg_read_uint(&p, 128, &len) || *p || len == 0 ||
	    len > (ip->family == AF_INET ? 32u : 128u))
		return false;
	ip->prefix_len = (uint8_t)len;
	return true;
}

/* Unspecified and multicast addresses are nobody's address or next hop. */
const char *cfg_unusable(const struct dp_ip *ip)
{
	static const uint8_t zero[16];

	if (!memcmp(ip->addr, zero, ip->family == AF_INET ? 4 : 16))
		return "the unspecified address";
	if ((ip->family == AF_INET && (ip->addr[0] & 0xf0) == 0xe0) ||
	    (ip->family == AF_INET6 && ip->addr[0] == 0xff))
		return "a multicast address";
	return NULL;
}

bool cfg_same_ip(const struct dp_ip *a, const struct dp_ip *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static bool in_prefix(const struct dp_ip *ip, const struct dp_ip *net)
{
	unsigned bytes = net->prefix_len / 8, bits = net->prefix_len % 8;

	if (ip->family != net->family || memcmp(ip->addr, net->addr, bytes))
		return false;
	return !bits || !((ip->addr[bytes] ^ net->addr[bytes]) & (0xff00u >> bits) & 0xff);
}

/* A next hop must be reachable without one: inside one of the port's
 * prefixes, or (IPv6) link-local. */
bool cfg_on_link(const struct dp_port_config *p, const struct dp_ip *ip)
{
	if (ip->family == AF_INET6 && ip->addr[0] == 0xfe && (ip->addr[1] & 0xc0) == 0x80)
		return true;
	for (unsigned i = 0; i < p->n_addresses; i++)
		if (in_prefix(ip, &p->addresses[i]))
			return true;
	return false;
}

/* "aa:bb:cc:dd:ee:ff", unicast and not all zero. */
bool cfg_parse_mac(const char *s, uint8_t mac[6])
{
	static const uint8_t zero[6];

	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]) ||
		    s[2] != (i < 5 ? ':' : 0))
			return false;
		mac[i] = (uint8_t)strtoul((char[]){ s[0], s[1], 0 }, NULL, 16);
		s += 3;
	}
	return !(mac[0] & 1) && memcmp(mac, zero, 6);
}

/*
 * A PCI address as EAL writes it, "0000:3b:00.0" (full) or "3b:00.0"
 * (short): x is a hex digit, f the function (0-7).  Returns the length
 * matched at the start of s, 0 if none.
 */
size_t cfg_pci_prefix(const char *s, bool *full)
{
	static const char *const forms[] = { "xxxx:xx:xx.f", "xx:xx.f" };

	for (unsigned k = 0; k < ARRAY_LEN(forms); k++) {
		const char *f = forms[k];
		size_t i = 0;

		for (; f[i]; i++) {
			char ch = s[i];
			if (f[i] == 'x' ? !isxdigit((unsigned char)ch)
			    : f[i] == 'f' ? (ch < '0' || ch > '7') : ch != f[i])
				break;
		}
		if (!f[i]) {
			*full = k == 0;
			return i;
		}
	}
	return 0;
}

/* The full, lower-case form of the PCI address at the start of s. */
void cfg_pci_normal(const char *s, char out[13])
{
	bool full = false;
	size_t len = cfg_pci_prefix(s, &full);

	snprintf(out, 13, "%s%.*s", full ? "" : "0000:", (int)len, s);
	for (int i = 0; out[i]; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
}
