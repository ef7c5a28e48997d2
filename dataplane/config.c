/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-dp's configuration (see config.h, and conf/strata.conf for every
 * setting).  Each group of the `dataplane` section is described by a table
 * of its settings (name, kind, where it goes, valid range), and one walker
 * reads a group through its table: that is what makes an unknown setting an
 * error everywhere, with its line, and keeps the messages uniform.  What
 * involves several settings (workers within lcores, a gateway inside a
 * port's prefix, a PCI device EAL will probe) is checked after the walk.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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

__attribute__((format(printf, 3, 4)))
static int fail(struct ctx *c, const config_setting_t *s, const char *fmt, ...);

/* ---- messages ------------------------------------------------------------ */

/* "dataplane.ports[0].addresses[1]": the setting's path, as written. */
static void setting_path(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *chain[32];
	unsigned n = 0;
	size_t used = 0;

	for (; s && !config_setting_is_root(s) && n < ARRAY_LEN(chain); s = config_setting_parent(s))
		chain[n++] = s;
	buf[0] = 0;
	while (n-- && used < len) {
		const config_setting_t *e = chain[n], *p = config_setting_parent(e);
		int w;

		if (p && (config_setting_is_list(p) || config_setting_is_array(p)))
			w = snprintf(buf + used, len - used, "[%d]", config_setting_index(e));
		else
			w = snprintf(buf + used, len - used, "%s%s", used ? "." : "",
				     config_setting_name(e));
		used += w > 0 ? (size_t)w : 0;
	}
}

/* "FILE:LINE: SETTING: message"; returns -1 so callers can `return fail()`. */
static int fail(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	char where[256], msg[768];
	const char *file;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!c->errlen)
		return -1;
	if (!s) {
		snprintf(c->err, c->errlen, "%s: %s", c->path, msg);
		return -1;
	}
	setting_path(s, where, sizeof(where));
	file = config_setting_source_file(s) ? config_setting_source_file(s) : c->path;
	snprintf(c->err, c->errlen, "%s:%u: %s: %s", file, config_setting_source_line(s), where, msg);
	return -1;
}

static const char *type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP: return "a group { }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a number with a fraction";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array [ ]";
	case CONFIG_TYPE_LIST: return "a list ( )";
	}
	return "of no known type";
}

/* The edit distance of two short names, for "did you mean". */
static unsigned distance(const char *a, const char *b)
{
	unsigned d[33][33], la = strlen(a), lb = strlen(b);

	if (la > 32 || lb > 32)
		return 99;
	for (unsigned i = 0; i <= la; i++)
		d[i][0] = i;
	for (unsigned j = 0; j <= lb; j++)
		d[0][j] = j;
	for (unsigned i = 1; i <= la; i++) {
		for (unsigned j = 1; j <= lb; j++) {
			unsigned sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			unsigned del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
			d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
	}
	return d[la][lb];
}

/* ---- values -------------------------------------------------------------- */

static int get_string(struct ctx *c, const config_setting_t *s, const char *example,
		      const char **out)
{
	*out = "";
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(c, s, "is %s; write a string in double quotes, e.g. %s", type_name(s),
			    example);
	*out = config_setting_get_string(s);
	return 0;
}

static int copy_string(struct ctx *c, const config_setting_t *s, const char *v, char *dst,
		       size_t size)
{
	size_t len = strlen(v);

	if (len >= size)
		return fail(c, s, "\"%.40s...\" is %zu characters long; at most %zu fit", v, len,
			    size - 1);
	memcpy(dst, v, len + 1);
	return 0;
}

/* libconfig 1.5 wraps integers past 32 bits silently; what is negative
 * after that is at least caught by the range checks. */
static int get_uint(struct ctx *c, const config_setting_t *s, uint32_t min, uint32_t max,
		    bool pow2, const char *example, uint32_t *out)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
		return fail(c, s, "is %s; write an integer from %u to %u without quotes, e.g. %s",
			    type_name(s), min, max, example);
	v = config_setting_get_int64(s);
	if (v < min || v > max || (pow2 && (v & (v - 1))))
		return fail(c, s, "%lld is not valid; valid values are %s%u to %u, e.g. %s", v,
			    pow2 ? "powers of two from " : "", min, max, example);
	*out = (uint32_t)v;
	return 0;
}

/* An unsigned decimal inside a string (lcore lists, prefix lengths). */
static bool read_uint(const char **p, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *s = *p;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return false;
	}
	*p = s;
	*out = v;
	return true;
}

static bool has_space(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return true;
	return false;
}

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

static bool parse_ip(const char *s, struct dp_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->addr) == 1)
		ip->family = AF_INET;
	else if (inet_pton(AF_INET6, s, ip->addr) == 1)
		ip->family = AF_INET6;
	return ip->family != 0;
}

/* "IP/len", with a prefix of 1 to 32 (IPv4) or 1 to 128 (IPv6). */
static bool parse_prefix(const char *s, struct dp_ip *ip)
{
	const char *slash = strchr(s, '/'), *p;
	char host[INET6_ADDRSTRLEN];
	unsigned long len;

	if (!slash || (size_t)(slash - s) >= sizeof(host))
		return false;
	memcpy(host, s, (size_t)(slash - s));
	host[slash - s] = 0;
	p = slash + 1;
	if (!parse_ip(host, ip) || !read_uint(&p, 128, &len) || *p || len == 0 ||
	    len > (ip->family == AF_INET ? 32u : 128u))
		return false;
	ip->prefix_len = (uint8_t)len;
	return true;
}

/* Unspecified and multicast addresses are nobody's address or next hop. */
static const char *unusable(const struct dp_ip *ip)
{
	static const uint8_t zero[16];

	if (!memcmp(ip->addr, zero, ip->family == AF_INET ? 4 : 16))
		return "the unspecified address";
	if ((ip->family == AF_INET && (ip->addr[0] & 0xf0) == 0xe0) ||
	    (ip->family == AF_INET6 && ip->addr[0] == 0xff))
		return "a multicast address";
	return NULL;
}

static bool same_ip(const struct dp_ip *a, const struct dp_ip *b)
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
static bool on_link(const struct dp_port_config *p, const struct dp_ip *ip)
{
	if (ip->family == AF_INET6 && ip->addr[0] == 0xfe && (ip->addr[1] & 0xc0) == 0x80)
		return true;
	for (unsigned i = 0; i < p->n_addresses; i++)
		if (in_prefix(ip, &p->addresses[i]))
			return true;
	return false;
}

/* "aa:bb:cc:dd:ee:ff", unicast and not all zero. */
static bool parse_mac(const char *s, uint8_t mac[6])
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
static size_t pci_prefix(const char *s, bool *full)
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
static void pci_normal(const char *s, char out[13])
{
	bool full = false;
	size_t len = pci_prefix(s, &full);

	snprintf(out, 13, "%s%.*s", full ? "" : "0000:", (int)len, s);
	for (int i = 0; out[i]; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
}

/* ---- the tables ---------------------------------------------------------- */

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

static int parse_group(struct ctx *c, const config_setting_t *g, const struct table *t, void *base);

static int parse_strlist(struct ctx *c, const config_setting_t *s, const struct field *f,
			 struct dp_string_list *list)
{
	unsigned n = (unsigned)config_setting_length(s);

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return fail(c, s, "is %s; write an array of strings, e.g. %s", type_name(s),
			    f->example);
	list->v = calloc(n + 1, sizeof(char *));
	if (!list->v)
		return fail(c, s, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v;

		if (get_string(c, e, f->example, &v) < 0 || f->check(c, e, v) < 0)
			return -1;
		list->v[i] = strdup(v);
		if (!list->v[i])
			return fail(c, e, "out of memory");
		list->n = i + 1;
	}
	return 0;
}

static int parse_field(struct ctx *c, const config_setting_t *s, const struct field *f, void *base)
{
	void *dst = (char *)base + f->off;

	switch (f->kind) {
	case K_UINT:
		return get_uint(c, s, f->min, f->max, f->pow2, f->example, dst);
	case K_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return fail(c, s, "is %s; write true or false, without quotes",
				    type_name(s));
		*(bool *)dst = config_setting_get_bool(s);
		return 0;
	case K_CHOICE: {
		const char *v;
		char valid[128] = "";

		if (get_string(c, s, f->example, &v) < 0)
			return -1;
		for (int i = 0; f->choices[i]; i++) {
			if (!strcmp(v, f->choices[i])) {
				*(int *)dst = i;
				return 0;
			}
			snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s\"%s\"",
				 i ? ", " : "", f->choices[i]);
		}
		return fail(c, s, "\"%s\" is not valid; valid values are %s", v, valid);
	}
	case K_STRLIST:
		return parse_strlist(c, s, f, dst);
	case K_GROUP:
		return parse_group(c, s, f->sub, dst);
	case K_CUSTOM:
		return f->parse(c, s, base);
	}
	return fail(c, s, "internal error: unknown kind %d", f->kind);
}

/* Reads every member of group g through table t; unknown names are errors. */
static int parse_group(struct ctx *c, const config_setting_t *g, const struct table *t, void *base)
{
	if (!config_setting_is_group(g))
		return fail(c, g, "is %s; it must be a group of settings in braces, { ... }",
			    type_name(g));
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *name = config_setting_name(s), *near = NULL;
		char valid[512] = "";
		size_t k;

		for (k = 0; k < t->n && strcmp(name, t->fields[k].name); k++)
			;
		if (k < t->n) {
			if (parse_field(c, s, &t->fields[k], base) < 0)
				return -1;
			continue;
		}
		for (k = 0; k < t->n; k++) {
			snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
				 k ? ", " : "", t->fields[k].name);
			if (distance(name, t->fields[k].name) <= 2)
				near = t->fields[k].name;
		}
		if (near)
			return fail(c, s, "unknown setting; did you mean %s? (valid here: %s)",
				    near, valid);
		return fail(c, s, "unknown setting; valid here: %s", valid);
	}
	return 0;
}

/* ---- eal ----------------------------------------------------------------- */

static const char *const hugepage_names[] = { "auto", "yes", "no", NULL };

/* EAL puts the prefix in file names under /var/run/dpdk and hugetlbfs. */
static int parse_file_prefix(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_eal_config *eal = base;
	const char *v;

	if (get_string(c, s, "file_prefix = \"strata\";", &v) < 0)
		return -1;
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			goto bad;
	if (*v && *v != '.')
		return copy_string(c, s, v, eal->file_prefix, sizeof(eal->file_prefix));
bad:
	return fail(c, s, "\"%s\" is not a file prefix; use letters, digits, '.', '_' and '-' "
		    "(not first '.'), e.g. \"strata\"", v);
}

/* EAL's -l syntax: ids and ranges separated by commas, "0-3,5". */
static int parse_lcores(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_eal_config *eal = base;
	uint64_t mask[ARRAY_LEN(eal->lcore_mask)] = { 0 };
	const char *v, *p;

	if (get_string(c, s, "lcores = \"0-1\";", &v) < 0)
		return -1;
	for (p = v; *p;) {
		unsigned long a, b;

		if (!read_uint(&p, DP_CONFIG_MAX_LCORES - 1, &a))
			goto bad;
		b = a;
		if (*p == '-' && (p++, !read_uint(&p, DP_CONFIG_MAX_LCORES - 1, &b)))
			goto bad;
		if (a > b || (*p && *p != ',') || (*p == ',' && !p[1]))
			goto bad;
		for (unsigned long i = a; i <= b; i++)
			mask[i / 64] |= 1ull << (i % 64);
		p += *p == ',';
	}
	if (p == v)
		goto bad;
	memcpy(eal->lcore_mask, mask, sizeof(mask));
	c->lcores = s;
	return copy_string(c, s, v, eal->lcores, sizeof(eal->lcores));
bad:
	return fail(c, s, "\"%s\" is not an lcore list; write ids from 0 to %d and ranges, "
		    "separated by commas, e.g. \"0-1\" or \"0,2-5\"", v, DP_CONFIG_MAX_LCORES - 1);
}

static int parse_main_lcore(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_eal_config *eal = base;

	c->main_lcore = s;
	return get_uint(c, s, 0, DP_CONFIG_MAX_LCORES - 1, false, "main_lcore = 0;",
			&eal->main_lcore);
}

static int check_vdev(struct ctx *c, const config_setting_t *s, const char *v)
{
	if (!*v || *v == ',' || has_space(v))
		return fail(c, s, "\"%s\" is not a virtual device; write a driver name, an "
			    "instance number and its options, without spaces, e.g. "
			    "\"net_tap0,iface=strata0\"", v);
	return 0;
}

static int check_pci_allow(struct ctx *c, const config_setting_t *s, const char *v)
{
	bool full;
	size_t len = pci_prefix(v, &full);

	if (!len || (v[len] && v[len] != ',') || has_space(v))
		return fail(c, s, "\"%s\" is not a PCI address; write it as lspci -D does, "
			    "optionally followed by device options, e.g. \"0000:3b:00.0\"", v);
	return 0;
}

/* EAL options that have a setting of their own: two sources for one value
 * would make one of them silently lose (or EAL refuse to start). */
static const struct {
	const char *opt, *setting;
} own_setting[] = {
	{ "-l", "eal.lcores" }, { "-c", "eal.lcores" }, { "--lcores", "eal.lcores" },
	{ "--main-lcore", "eal.main_lcore" }, { "--master-lcore", "eal.main_lcore" },
	{ "--file-prefix", "eal.file_prefix" }, { "--vdev", "eal.vdevs" },
	{ "-a", "eal.pci_allow" }, { "--allow", "eal.pci_allow" },
	{ "--no-pci", "eal.vdevs and eal.pci_allow" }, { "-m", "eal.memory_mb" },
	{ "--no-huge", "eal.hugepages" },
};

/* Whether arg is EAL option opt, alone or with its value attached. */
static bool is_option(const char *arg, const char *opt)
{
	size_t len = strlen(opt);

	if (opt[1] != '-') /* short: "-l" or "-l0-1" */
		return arg[0] == '-' && arg[1] == opt[1];
	return !strncmp(arg, opt, len) && (arg[len] == 0 || arg[len] == '=');
}

static int check_extra(struct ctx *c, const config_setting_t *s, const char *v)
{
	if (!*v)
		return fail(c, s, "is empty; each element is one EAL argument, e.g. "
			    "\"--log-level=lib.eal:debug\"");
	for (unsigned i = 0; i < ARRAY_LEN(own_setting); i++)
		if (is_option(v, own_setting[i].opt))
			return fail(c, s, "\"%s\" has a setting of its own: use dataplane.%s", v,
				    own_setting[i].setting);
	return 0;
}

static const struct field eal_fields[] = {
	CUSTOM("file_prefix", parse_file_prefix),
	CUSTOM("lcores", parse_lcores),
	CUSTOM("main_lcore", parse_main_lcore),
	UINT("memory_mb", struct dp_eal_config, memory_mb, 64, 1048576, "memory_mb = 512;"),
	{ .name = "hugepages", .kind = K_CHOICE, .off = offsetof(struct dp_eal_config, hugepages),
	  .choices = hugepage_names, .example = "hugepages = \"auto\";" },
	STRLIST(struct dp_eal_config, vdevs, check_vdev, "vdevs = [ \"net_tap0,iface=strata0\" ];"),
	STRLIST(struct dp_eal_config, pci_allow, check_pci_allow,
		"pci_allow = [ \"0000:3b:00.0\" ];"),
	STRLIST(struct dp_eal_config, extra, check_extra, "extra = [ \"--log-level=8\" ];"),
};
static const struct table eal_table = TABLE(eal_fields);

/* ---- workers ------------------------------------------------------------- */

static int parse_workers(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_config *cfg = base;
	unsigned n = (unsigned)config_setting_length(s);

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return fail(c, s, "is %s; write an array of lcore ids, e.g. workers = [ 1 ];",
			    type_name(s));
	if (n == 0 || n > DP_CONFIG_MAX_WORKERS)
		return fail(c, s, "lists %u lcores; strata-dp runs 1 to %d workers (leave the "
			    "setting out for every lcore but the main one)", n,
			    DP_CONFIG_MAX_WORKERS);
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if (get_uint(c, e, 0, DP_CONFIG_MAX_LCORES - 1, false, "workers = [ 1 ];",
			     &cfg->workers[i]) < 0)
			return -1;
		for (unsigned j = 0; j < i; j++)
			if (cfg->workers[j] == cfg->workers[i])
				return fail(c, e, "lcore %u is listed twice; each worker needs "
					    "an lcore of its own", cfg->workers[i]);
	}
	cfg->n_workers = n;
	c->workers = s;
	return 0;
}

/* ---- ports --------------------------------------------------------------- */

static const char *const checksum_names[] = { "auto", "hardware", "software", NULL };

static int parse_device(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_port_config *p = base;
	const char *v;
	bool full;
	size_t len;

	if (get_string(c, s, "device = \"net_tap0\";", &v) < 0)
		return -1;
	if (!*v || has_space(v))
		return fail(c, s, "\"%s\" is not a device name; write the name DPDK gives the "
			    "port, e.g. \"net_tap0\" or \"0000:3b:00.0\"", v);
	len = pci_prefix(v, &full);
	if (len && !v[len] && !full)
		return fail(c, s, "\"%s\" is a short PCI address; DPDK names the port by the "
			    "full one, e.g. \"0000:%s\"", v, v);
	return copy_string(c, s, v, p->device, sizeof(p->device));
}

static int parse_addresses(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_port_config *p = base;
	unsigned n = (unsigned)config_setting_length(s);

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return fail(c, s, "is %s; write an array of addresses with prefix lengths, "
			    "e.g. addresses = [ \"192.0.2.2/24\", \"2001:db8::2/64\" ];",
			    type_name(s));
	if (n == 0 || n > DP_CONFIG_MAX_ADDRESSES)
		return fail(c, s, "lists %u addresses; a port has 1 to %d, e.g. "
			    "addresses = [ \"192.0.2.2/24\" ];", n, DP_CONFIG_MAX_ADDRESSES);
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v, *why;

		if (get_string(c, e, "\"192.0.2.2/24\"", &v) < 0)
			return -1;
		if (!parse_prefix(v, &p->addresses[i]))
			return fail(c, e, "\"%s\" is not an IPv4 or IPv6 address with a prefix "
				    "length, e.g. \"192.0.2.2/24\"", v);
		if ((why = unusable(&p->addresses[i])))
			return fail(c, e, "\"%s\" is %s; give the port's own unicast address", v,
				    why);
	}
	p->n_addresses = n;
	return 0;
}

static int parse_next_hop(struct ctx *c, const config_setting_t *s, int family, struct dp_ip *ip)
{
	const char *v, *why, *example = family == AF_INET ? "\"192.0.2.1\"" : "\"fe80::1\"";

	if (get_string(c, s, example, &v) < 0)
		return -1;
	if (!parse_ip(v, ip) || (family && ip->family != family))
		return fail(c, s, "\"%s\" is not an %s address, e.g. %s", v,
			    family == AF_INET ? "IPv4" : family == AF_INET6 ? "IPv6" : "IP",
			    family ? example : "\"192.0.2.1\" or \"2001:db8::1\"");
	if ((why = unusable(ip)))
		return fail(c, s, "\"%s\" is %s; a next hop has a unicast address", v, why);
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

	if (get_string(c, s, "mac = \"02:00:00:00:00:01\";", &v) < 0)
		return -1;
	if (!parse_mac(v, ((struct dp_neighbour *)base)->mac))
		return fail(c, s, "\"%s\" is not a unicast MAC address; write six hex pairs "
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
		return fail(c, s, "is %s; write a list of groups, e.g. neighbours = ( { ip = "
			    "\"192.0.2.1\"; mac = \"02:00:00:00:00:01\"; } );", type_name(s));
	if (n > DP_CONFIG_MAX_NEIGHBOURS)
		return fail(c, s, "lists %u neighbours; at most %d fit", n,
			    DP_CONFIG_MAX_NEIGHBOURS);
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		struct dp_neighbour *nb = &p->neighbours[i];

		if (parse_group(c, e, &neighbour_table, nb) < 0)
			return -1;
		if (!nb->ip.family || !memcmp(nb->mac, zero, 6))
			return fail(c, e, "needs both ip and mac, e.g. { ip = \"192.0.2.1\"; "
				    "mac = \"02:00:00:00:00:01\"; }");
		for (unsigned j = 0; j < i; j++)
			if (same_ip(&p->neighbours[j].ip, &nb->ip))
				return fail(c, e, "repeats neighbours[%u]'s ip", j);
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
		if (same_ip(ip, &p->addresses[i]))
			return fail(c, s, "%s is this port's own address; a next hop is another "
				    "machine", dp_ip_format(ip, a, sizeof(a)));
		if (p->addresses[i].family == ip->family)
			snprintf(own + strlen(own), sizeof(own) - strlen(own), "%s%s",
				 *own ? ", " : "", dp_ip_format(&p->addresses[i], a, sizeof(a)));
	}
	if (on_link(p, ip))
		return 0;
	dp_ip_format(ip, a, sizeof(a));
	if (!*own)
		return fail(c, s, "%s is unreachable: the port has no IPv%c address; add one to "
			    "its addresses", a, ip->family == AF_INET ? '4' : '6');
	return fail(c, s, "%s is not inside any of the port's prefixes (%s)%s; a next hop must "
		    "be on the link", a, own, ip->family == AF_INET6 ? " nor link-local" : "");
}

static int check_port(struct ctx *c, const config_setting_t *g, const struct dp_port_config *p)
{
	if (!p->device[0])
		return fail(c, g, "has no device; name its DPDK device, e.g. device = "
			    "\"net_tap0\"; or device = \"0000:3b:00.0\";");
	if (!p->n_addresses)
		return fail(c, g, "has no addresses; give at least one, e.g. addresses = "
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

static int parse_ports(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_config *cfg = base;
	unsigned n = (unsigned)config_setting_length(s);

	if (!config_setting_is_list(s))
		return fail(c, s, "is %s; write a list of groups in parentheses, e.g. "
			    PORT_EXAMPLE, type_name(s));
	if (n == 0 || n > DP_CONFIG_MAX_PORTS)
		return fail(c, s, "lists %u ports; strata-dp needs 1 to %d, e.g. " PORT_EXAMPLE,
			    n, DP_CONFIG_MAX_PORTS);
	cfg->ports = calloc(n, sizeof(*cfg->ports));
	if (!cfg->ports)
		return fail(c, s, "out of memory");
	cfg->n_ports = n;
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, i);

		port_defaults(&cfg->ports[i]);
		if (parse_group(c, g, &port_table, &cfg->ports[i]) < 0 ||
		    check_port(c, g, &cfg->ports[i]) < 0)
			return -1;
	}
	c->ports = s;
	return 0;
}

/* ---- shm ----------------------------------------------------------------- */

static int parse_shm_name(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_config *cfg = base;
	const char *v;

	if (get_string(c, s, "name = \"/strata\";", &v) < 0)
		return -1;
	if (v[0] != '/' || !v[1] || strchr(v + 1, '/') || has_space(v))
		return fail(c, s, "\"%s\" is not a POSIX shared-memory name; write a slash and a "
			    "name without further slashes, e.g. \"/strata\"", v);
	return copy_string(c, s, v, cfg->shm.name, sizeof(cfg->shm.name));
}

/* Resolved now, so that a missing group stops start-up with its line. */
static int parse_shm_group(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_config *cfg = base;
	struct group gr, *found = NULL;
	char buf[4096];
	const char *v;

	if (get_string(c, s, "group = \"strata\";", &v) < 0 ||
	    copy_string(c, s, v, cfg->shm.group, sizeof(cfg->shm.group)) < 0)
		return -1;
	cfg->shm.gid = (gid_t)-1;
	if (!*v)
		return 0;
	if (getgrnam_r(v, &gr, buf, sizeof(buf), &found) != 0 || !found)
		return fail(c, s, "there is no group \"%s\" on this machine; create it (groupadd "
			    "--system %s), add strata-cp's user to it, or write \"\" for "
			    "strata-dp's own group", v, v);
	cfg->shm.gid = found->gr_gid;
	return 0;
}

/* ---- dataplane ----------------------------------------------------------- */

#define DP(n) offsetof(struct dp_config, n)

/* The groups of plain numbers; their members sit in struct dp_config. */
#define NUM(n, m, lo, hi, ex) UINT(n, struct dp_config, m, lo, hi, ex)
#define SLOTS(n, m, ex) POW2(n, struct dp_config, m, 16, 1048576, ex)
#define MAX_ID DP_CONFIG_MAX_ID

static const struct field pool_fields[] = {
	NUM("mbufs", pool.mbufs, 1023, MAX_ID, "mbufs = 16383;"),
	NUM("mbuf_cache", pool.mbuf_cache, 0, 512, "mbuf_cache = 256;"),
};
static const struct field limits_fields[] = {
	NUM("legs", limits.legs, 1, MAX_ID, "legs = 4096;"),
	NUM("streams", limits.streams, 1, MAX_ID, "streams = 16384;"),
	NUM("sources", limits.sources, 1, MAX_ID, "sources = 8192;"),
	NUM("subscriptions", limits.subscriptions, 1, MAX_ID, "subscriptions = 65536;"),
};
static const struct field shm_fields[] = {
	CUSTOM("name", parse_shm_name),
	CUSTOM("group", parse_shm_group),
	SLOTS("command_slots", shm.command_slots, "command_slots = 1024;"),
	SLOTS("event_slots", shm.event_slots, "event_slots = 4096;"),
	SLOTS("punt_slots", shm.punt_slots, "punt_slots = 1024;"),
	SLOTS("tx_slots", shm.tx_slots, "tx_slots = 1024;"),
};
static const struct field timers_fields[] = {
	NUM("housekeeping_us", timers.housekeeping_us, 1, 1000000, "housekeeping_us = 1000;"),
	NUM("stats_interval_ms", timers.stats_interval_ms, 100, 3600000,
	    "stats_interval_ms = 1000;"),
	NUM("stream_timeout_ms", timers.stream_timeout_ms, 100, 3600000,
	    "stream_timeout_ms = 3000;"),
	NUM("keyframe_request_ms", timers.keyframe_request_ms, 10, 60000,
	    "keyframe_request_ms = 500;"),
};
static const struct field srtp_fields[] = {
	/* STRATA_SRTP_WINDOW_MIN and _MAX (srtp.h): what a session accepts. */
	NUM("replay_window", srtp.replay_window, 64, 1984, "replay_window = 1024;"),
};
static const struct field rooms_fields[] = {
	NUM("fanout_per_worker", rooms.fanout_per_worker, 1, 1000000, "fanout_per_worker = 1000;"),
};
static const struct table pool_table = TABLE(pool_fields);
static const struct table limits_table = TABLE(limits_fields);
static const struct table shm_table = TABLE(shm_fields);
static const struct table timers_table = TABLE(timers_fields);
static const struct table srtp_table = TABLE(srtp_fields);
static const struct table rooms_table = TABLE(rooms_fields);

static const struct field dataplane_fields[] = {
	GROUP("eal", DP(eal), eal_table),
	CUSTOM("workers", parse_workers),
	CUSTOM("ports", parse_ports),
	GROUP("pool", 0, pool_table),
	GROUP("limits", 0, limits_table),
	GROUP("shm", 0, shm_table),
	GROUP("timers", 0, timers_table),
	GROUP("srtp", 0, srtp_table),
	GROUP("rooms", 0, rooms_table),
};
static const struct table dataplane_table = TABLE(dataplane_fields);

/* Main lcore and workers: inside lcores, distinct, at least one worker. */
static int check_lcores(struct ctx *c, const config_setting_t *dp, struct dp_config *cfg)
{
	struct dp_eal_config *eal = &cfg->eal;
	const config_setting_t *eal_s = config_setting_get_member(dp, "eal");
	const config_setting_t *at = c->lcores ? c->lcores : eal_s ? eal_s : dp;
	unsigned first;

	for (first = 0; first < DP_CONFIG_MAX_LCORES - 1 && !dp_config_has_lcore(eal, first);
	     first++)
		;
	if (!c->main_lcore)
		eal->main_lcore = first;
	else if (!dp_config_has_lcore(eal, eal->main_lcore))
		return fail(c, c->main_lcore, "lcore %u is not in eal.lcores \"%s\"; the main "
			    "lcore must be one of them", eal->main_lcore, eal->lcores);

	if (c->workers) {
		for (unsigned i = 0; i < cfg->n_workers; i++) {
			const config_setting_t *e = config_setting_get_elem(c->workers, i);

			if (!dp_config_has_lcore(eal, cfg->workers[i]))
				return fail(c, e, "lcore %u is not in eal.lcores \"%s\"; add it "
					    "there or pick one of those", cfg->workers[i],
					    eal->lcores);
			if (cfg->workers[i] == eal->main_lcore)
				return fail(c, e, "lcore %u is the main lcore, which runs "
					    "housekeeping and the command ring; a worker needs "
					    "an lcore of its own", cfg->workers[i]);
		}
		return 0;
	}
	cfg->n_workers = 0;
	for (unsigned id = 0; id < DP_CONFIG_MAX_LCORES; id++) {
		if (!dp_config_has_lcore(eal, id) || id == eal->main_lcore)
			continue;
		if (cfg->n_workers == DP_CONFIG_MAX_WORKERS)
			return fail(c, at, "\"%s\" leaves more than %d lcores for workers, "
				    "strata-dp's most; list the ones to use in dataplane.workers",
				    eal->lcores, DP_CONFIG_MAX_WORKERS);
		cfg->workers[cfg->n_workers++] = id;
	}
	if (!cfg->n_workers)
		return fail(c, at, "\"%s\" leaves no lcore for a worker besides main lcore %u; "
			    "give at least two, e.g. \"0-1\"", eal->lcores, eal->main_lcore);
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
				if (same_ip(&p->addresses[k], &q->addresses[m]))
					return &p->addresses[k];
		}
	}
	return NULL;
}

/* Ports against each other and against what EAL will probe. */
static int check_ports(struct ctx *c, const struct dp_config *cfg)
{
	const struct dp_eal_config *eal = &cfg->eal;

	for (unsigned i = 0; i < cfg->n_ports; i++) {
		const struct dp_port_config *p = &cfg->ports[i];
		const config_setting_t *g = config_setting_get_elem(c->ports, i);
		const config_setting_t *dev = config_setting_get_member(g, "device");
		const struct dp_ip *dup;
		bool full, listed = false;
		char want[13], have[13], a[64];

		if (pci_prefix(p->device, &full) == strlen(p->device)) {
			pci_normal(p->device, want);
			for (unsigned k = 0; k < eal->pci_allow.n && !listed; k++) {
				pci_normal(eal->pci_allow.v[k], have);
				listed = !strcmp(want, have);
			}
			if (!listed && eal->pci_allow.n)
				return fail(c, dev, "\"%s\" is not in eal.pci_allow, so EAL will not "
					    "probe it; add it there", p->device);
			if (!listed && eal->vdevs.n)
				return fail(c, dev, "\"%s\" is a PCI device, but eal.vdevs without "
					    "eal.pci_allow runs EAL with --no-pci; add \"%s\" to "
					    "eal.pci_allow", p->device, p->device);
		}
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(p->device, cfg->ports[j].device) && p->vlan == cfg->ports[j].vlan)
				return fail(c, dev, "ports[%u] already uses device \"%s\" with vlan "
					    "%u; give each port its own device or vlan", j,
					    p->device, p->vlan);
		if ((dup = repeated_address(cfg, i)))
			return fail(c, config_setting_get_member(g, "addresses"), "%s is also "
				    "an address of this or an earlier port; an address belongs "
				    "to one port", dp_ip_format(dup, a, sizeof(a)));
	}
	return 0;
}

static int check_dataplane(struct ctx *c, const config_setting_t *dp, struct dp_config *cfg)
{
	if (!c->ports)
		return fail(c, dp, "has no ports; strata-dp needs at least one, e.g. " PORT_EXAMPLE);
	/* pool.mbuf_cache needs no check against pool.mbufs: rte_mempool_create()
	 * wants cache <= n / 1.5, and the ranges (512, 1023) already ensure it. */
	return check_lcores(c, dp, cfg) < 0 || check_ports(c, cfg) < 0 ? -1 : 0;
}

/* ---- the API ------------------------------------------------------------- */

void dp_config_defaults(struct dp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->eal.file_prefix, "strata");
	strcpy(cfg->eal.lcores, "0-1");
	cfg->eal.lcore_mask[0] = 0x3;
	cfg->eal.main_lcore = 0;
	cfg->eal.memory_mb = 512;
	cfg->eal.hugepages = DP_HUGEPAGES_AUTO;
	cfg->eal.meminfo_path = "/proc/meminfo";
	cfg->eal.mounts_path = "/proc/mounts";
	cfg->workers[0] = 1;
	cfg->n_workers = 1;
	cfg->pool.mbufs = 16383; /* 2^n - 1: the mempool's ring holds n - 1 */
	cfg->pool.mbuf_cache = 256;
	cfg->limits.legs = 4096;
	cfg->limits.streams = 16384;
	cfg->limits.sources = 8192;
	cfg->limits.subscriptions = 65536;
	strcpy(cfg->shm.name, "/strata");
	cfg->shm.gid = (gid_t)-1;
	cfg->shm.command_slots = 1024;
	cfg->shm.event_slots = 4096;
	cfg->shm.punt_slots = 1024;
	cfg->shm.tx_slots = 1024;
	cfg->timers.housekeeping_us = 1000;
	cfg->timers.stats_interval_ms = 1000;
	cfg->timers.stream_timeout_ms = 3000;
	cfg->timers.keyframe_request_ms = 500;
	cfg->srtp.replay_window = 1024;
	cfg->rooms.fanout_per_worker = 1000;
}

static void free_list(struct dp_string_list *l)
{
	for (unsigned i = 0; l->v && l->v[i]; i++)
		free(l->v[i]);
	free(l->v);
}

void dp_config_free(struct dp_config *cfg)
{
	free_list(&cfg->eal.vdevs);
	free_list(&cfg->eal.pci_allow);
	free_list(&cfg->eal.extra);
	free(cfg->ports);
	dp_config_defaults(cfg);
}

int dp_config_load(const char *path, struct dp_config *cfg, char *err, size_t errlen)
{
	struct ctx c = { .path = path, .err = err, .errlen = errlen };
	const config_setting_t *dp;
	char dir[4096];
	config_t lc;
	FILE *f;
	int ret = -1;

	dp_config_defaults(cfg);
	if (errlen)
		err[0] = 0;
	/* libconfig says only "file I/O error"; fopen's errno says which. */
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read %s: %s (give strata-dp its configuration with "
			 "-c FILE; conf/strata.conf is the documented default)", path,
			 strerror(errno));
		return -1;
	}
	fclose(f);

	config_init(&lc);
	/* @include "x.conf" is relative to the file, not to the working directory. */
	snprintf(dir, sizeof(dir), "%s", path);
	if (strrchr(dir, '/')) {
		*strrchr(dir, '/') = 0;
		config_set_include_dir(&lc, *dir ? dir : "/");
	}
	if (!config_read_file(&lc, path)) {
		snprintf(err, errlen, "%s:%d: %s (libconfig syntax: name = value; with groups "
			 "{ }, lists ( ) and arrays [ ], see conf/strata.conf)",
			 config_error_file(&lc) ? config_error_file(&lc) : path,
			 config_error_line(&lc), config_error_text(&lc));
		goto out;
	}
	dp = config_lookup(&lc, "dataplane");
	if (!dp) {
		fail(&c, NULL, "no dataplane section; strata-dp reads its settings from "
		     "dataplane = { ... }; (see conf/strata.conf)");
		goto out;
	}
	if (parse_group(&c, dp, &dataplane_table, cfg) < 0 || check_dataplane(&c, dp, cfg) < 0)
		goto out;
	ret = 0;
out:
	config_destroy(&lc);
	if (ret < 0)
		dp_config_free(cfg);
	return ret;
}

/* ---- EAL arguments ------------------------------------------------------- */

bool dp_hugepages_usable(const char *meminfo_path, const char *mounts_path, uint32_t memory_mb,
			 char *why, size_t whylen)
{
	long long total = 0, free_pages = -1, rsvd = 0, size_kb = 0, usable, need;
	char line[512], type[64];
	bool mounted = false;
	FILE *f;

	f = fopen(meminfo_path, "r");
	if (!f) {
		snprintf(why, whylen, "cannot read %s (%s): running with --no-huge", meminfo_path,
			 strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "HugePages_Total: %lld", &total);
		sscanf(line, "HugePages_Free: %lld", &free_pages);
		sscanf(line, "HugePages_Rsvd: %lld", &rsvd);
		sscanf(line, "Hugepagesize: %lld kB", &size_kb);
	}
	fclose(f);
	if (free_pages < 0 || size_kb <= 0) {
		snprintf(why, whylen, "this kernel has no hugepages (%s has no HugePages_Free or "
			 "Hugepagesize): running with --no-huge", meminfo_path);
		return false;
	}
	/* Reserved pages are promised to a mapping already, though still free. */
	usable = free_pages > rsvd ? free_pages - rsvd : 0;
	need = ((long long)memory_mb * 1024 + size_kb - 1) / size_kb;
	if (usable == 0) {
		snprintf(why, whylen, "no free hugepages (HugePages_Free: %lld%s): running with "
			 "--no-huge; reserve some with `echo %lld > /proc/sys/vm/nr_hugepages` "
			 "for better performance", free_pages, rsvd ? ", all reserved" : "",
			 total + need);
		return false;
	}
	if (usable < need) {
		snprintf(why, whylen, "only %lld free hugepages of %lld kB, less than "
			 "eal.memory_mb = %u needs (%lld): running with --no-huge; reserve more "
			 "with `echo %lld > /proc/sys/vm/nr_hugepages` for better performance",
			 usable, size_kb, memory_mb, need, total + need - usable);
		return false;
	}

	f = fopen(mounts_path, "r");
	if (!f) {
		snprintf(why, whylen, "cannot read %s (%s): running with --no-huge", mounts_path,
			 strerror(errno));
		return false;
	}
	while (!mounted && fgets(line, sizeof(line), f))
		mounted = sscanf(line, "%*s %*s %63s", type) == 1 && !strcmp(type, "hugetlbfs");
	fclose(f);
	if (!mounted) {
		snprintf(why, whylen, "no hugetlbfs is mounted: running with --no-huge; mount one "
			 "with `mount -t hugetlbfs nodev /dev/hugepages` for better performance");
		return false;
	}
	return true;
}

static bool any_option(int argc, char **argv, const char *const *opts)
{
	for (int i = 0; i < argc; i++)
		for (const char *const *o = opts; *o; o++)
			if (argv[i] && is_option(argv[i], *o))
				return true;
	return false;
}

int dp_config_eal_args(const struct dp_config *cfg, int extra_argc, char **extra_argv,
		       const char *argv0, int *argc_out, char ***argv_out, char *err,
		       size_t errlen)
{
	static const char *const cores_opts[] = { "-l", "-c", "--lcores", NULL };
	static const char *const allow_opts[] = { "-a", "--allow", NULL };
	static const char *const block_opts[] = { "-b", "--block", NULL };
	static const char *const no_huge_opts[] = { "--no-huge", NULL };
	const struct dp_eal_config *e = &cfg->eal;
	/* EAL refuses a second core list, and -a together with -b: the command
	 * line's wins by leaving the configuration's out. */
	bool tail_cores = any_option(extra_argc, extra_argv, cores_opts);
	bool tail_allow = any_option(extra_argc, extra_argv, allow_opts);
	bool tail_block = any_option(extra_argc, extra_argv, block_opts);
	bool tail_no_huge = any_option(extra_argc, extra_argv, no_huge_opts);
	char main_lcore[16], memory[16];
	size_t cap, bytes = 0;
	const char **a;
	char **out, *p;
	bool no_huge;
	int n = 0;

	if (errlen)
		err[0] = 0;
	if (tail_no_huge || e->hugepages == DP_HUGEPAGES_NO)
		no_huge = true;
	else if (e->hugepages == DP_HUGEPAGES_YES)
		no_huge = false;
	else
		no_huge = !dp_hugepages_usable(e->meminfo_path, e->mounts_path, e->memory_mb, err,
					       errlen);

	cap = 16 + 2 * (size_t)(e->vdevs.n + e->pci_allow.n) + e->extra.n + (size_t)extra_argc;
	a = malloc(cap * sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "out of memory for the EAL arguments");
		return -1;
	}
	snprintf(main_lcore, sizeof(main_lcore), "%u", e->main_lcore);
	snprintf(memory, sizeof(memory), "%u", e->memory_mb);

	a[n++] = argv0 ? argv0 : "strata-dp";
	if (!tail_cores) {
		a[n++] = "-l";
		a[n++] = e->lcores;
		a[n++] = "--main-lcore";
		a[n++] = main_lcore;
	}
	a[n++] = "--file-prefix";
	a[n++] = e->file_prefix;
	for (unsigned i = 0; i < e->vdevs.n; i++) {
		a[n++] = "--vdev";
		a[n++] = e->vdevs.v[i];
	}
	for (unsigned i = 0; i < e->pci_allow.n && !tail_block; i++) {
		a[n++] = "-a";
		a[n++] = e->pci_allow.v[i];
	}
	/* Only our virtual devices: without --no-pci EAL takes every bound NIC. */
	if (e->vdevs.n && !e->pci_allow.n && !tail_allow && !tail_block)
		a[n++] = "--no-pci";
	if (no_huge) {
		if (!tail_no_huge)
			a[n++] = "--no-huge";
		a[n++] = "-m"; /* --no-huge alone gives EAL 64 MB */
		a[n++] = memory;
	}
	for (unsigned i = 0; i < e->extra.n; i++)
		a[n++] = e->extra.v[i];
	for (int i = 0; i < extra_argc; i++)
		if (extra_argv[i])
			a[n++] = extra_argv[i];

	/* One block, pointers then strings, so free(argv) releases it whatever
	 * rte_eal_init() does to the pointers. */
	for (int i = 0; i < n; i++)
		bytes += strlen(a[i]) + 1;
	out = malloc((size_t)(n + 1) * sizeof(char *) + bytes);
	if (!out) {
		free(a);
		snprintf(err, errlen, "out of memory for the EAL arguments");
		return -1;
	}
	p = (char *)(out + n + 1);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(a[i]) + 1;

		memcpy(p, a[i], len);
		out[i] = p;
		p += len;
	}
	out[n] = NULL;
	free(a);
	*argc_out = n;
	*argv_out = out;
	return 0;
}
