/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the files of strata-dp's configuration loader share, and nothing
 * outside them includes (config.h is the API): the load context, the
 * tables that describe a group of settings and the walker that reads one,
 * the helpers for values and messages, and the address parsers.
 *
 * A table lists a group's settings (name, kind, where it goes, valid
 * range); cfg_parse_group() reads a group through its table, so every
 * group refuses unknown settings and words its messages the same way.
 */
#ifndef STRATA_DP_CONFIG_PARSE_H
#define STRATA_DP_CONFIG_PARSE_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* An example port, for the messages that ask for one. */
#define PORT_EXAMPLE \
	"ports = ( { device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\" ]; } );"

struct ctx {
	const char *path;
	char *err;
	size_t errlen;
	/* Settings that later checks point at (NULL when absent). */
	const config_setting_t *lcores, *main_lcore, *workers, *ports;
};

/* ---- messages and values (config_parse.c) -------------------------------- */

/* "FILE:LINE: SETTING: message" into c->err (just "FILE: message" when s
 * is NULL); returns -1 so callers can `return cfg_fail()`. */
__attribute__((format(printf, 3, 4)))
int cfg_fail(struct ctx *c, const config_setting_t *s, const char *fmt, ...);
/* "an integer", "a string", ...: what s is, for messages. */
const char *cfg_type_name(const config_setting_t *s);
/* *out = s's string, or a message quoting example if s is not one. */
int cfg_get_string(struct ctx *c, const config_setting_t *s, const char *example,
		   const char **out);
/* v into dst (size bytes with the NUL), or a message if it is too long. */
int cfg_copy_string(struct ctx *c, const config_setting_t *s, const char *v, char *dst,
		    size_t size);
/* s as an integer from min to max (a power of two if pow2). */
int cfg_get_uint(struct ctx *c, const config_setting_t *s, uint32_t min, uint32_t max,
		 bool pow2, const char *example, uint32_t *out);
/* An unsigned decimal at *p, at most max; advances *p past it. */
bool cfg_read_uint(const char **p, unsigned long max, unsigned long *out);
bool cfg_has_space(const char *s);

/* ---- the tables (config_parse.c) ----------------------------------------- */

enum kind { K_UINT, K_BOOL, K_CHOICE, K_STRLIST, K_GROUP, K_CUSTOM };

/* K_CHOICE stores the index of the name as an int. */
_Static_assert(sizeof(enum dp_hugepages) == sizeof(int), "enum size");
_Static_assert(sizeof(enum dp_checksum) == sizeof(int), "enum size");

struct table;

struct field {
	const char *name;
	enum kind kind;
	size_t off;                      /* in the struct the table describes */
	uint32_t min, max;               /* K_UINT */
	bool pow2;                       /* K_UINT: a power of two */
	const char *example;             /* a valid line, for messages */
	const char *const *choices;      /* K_CHOICE: NULL-terminated, index = enum */
	const struct table *sub;         /* K_GROUP: base + off is its base */
	/* K_STRLIST: checks one element; K_CUSTOM: parses the setting. */
	int (*check)(struct ctx *c, const config_setting_t *s, const char *v);
	int (*parse)(struct ctx *c, const config_setting_t *s, void *base);
};

struct table {
	const struct field *fields;
	size_t n;
};

#define TABLE(f) { f, ARRAY_LEN(f) }
/* n: the setting's name; m: where it goes in st. */
#define UINT(n, st, m, lo, hi, ex) \
	{ .name = n, .kind = K_UINT, .off = offsetof(st, m), .min = lo, .max = hi, .example = ex }
#define POW2(n, st, m, lo, hi, ex) \
	{ .name = n, .kind = K_UINT, .off = offsetof(st, m), .min = lo, .max = hi, .pow2 = true, \
	  .example = ex }
#define CUSTOM(n, fn) { .name = n, .kind = K_CUSTOM, .parse = fn }
#define STRLIST(st, n, fn, ex) \
	{ .name = #n, .kind = K_STRLIST, .off = offsetof(st, n), .check = fn, .example = ex }
#define GROUP(n, o, t) { .name = n, .kind = K_GROUP, .off = o, .sub = &t }

/* Reads every member of group g through table t; unknown names are errors. */
int cfg_parse_group(struct ctx *c, const config_setting_t *g, const struct table *t,
		    void *base);

/* ---- addresses (config_addr.c) ------------------------------------------- */

/* An IPv4 or IPv6 address, without a prefix length. */
bool cfg_parse_ip(const char *s, struct dp_ip *ip);
/* "IP/len", with a prefix of 1 to 32 (IPv4) or 1 to 128 (IPv6). */
bool cfg_parse_prefix(const char *s, struct dp_ip *ip);
/* "the unspecified address", "a multicast address", or NULL when ip is
 * usable as an address or next hop. */
const char *cfg_unusable(const struct dp_ip *ip);
bool cfg_same_ip(const struct dp_ip *a, const struct dp_ip *b);
/* Whether ip is inside one of p's prefixes, or (IPv6) link-local. */
bool cfg_on_link(const struct dp_port_config *p, const struct dp_ip *ip);
/* "aa:bb:cc:dd:ee:ff", unicast and not all zero. */
bool cfg_parse_mac(const char *s, uint8_t mac[6]);
/* The length of the PCI address ("0000:3b:00.0", or the short "3b:00.0":
 * *full says which) at the start of s; 0 if there is none. */
size_t cfg_pci_prefix(const char *s, bool *full);
/* The full, lower-case form of the PCI address at the start of s. */
void cfg_pci_normal(const char *s, char out[13]);

/* ---- groups (config_eal.c, config_ports.c) -------------------------------- */

/* dataplane.eal, into a struct dp_eal_config. */
extern const struct table cfg_eal_table;
/* dataplane.ports (K_CUSTOM on struct dp_config): each port read and checked. */
int cfg_parse_ports(struct ctx *c, const config_setting_t *s, void *base);
/* The ports against each other (devices, addresses) and against the PCI
 * devices EAL will probe; after the whole section is read. */
int cfg_check_ports(struct ctx *c, const struct dp_config *cfg);

#endif /* STRATA_DP_CONFIG_PARSE_H */
