/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL in strata-dp's configuration: the `dataplane.eal` group, whether
 * hugepages can back it, and the rte_eal_init() argument vector built
 * from it (see config.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_parse.h"

/* ---- eal ----------------------------------------------------------------- */

static const char *const hugepage_names[] = { "auto", "yes", "no", NULL };

/* EAL puts the prefix in file names under /var/run/dpdk and hugetlbfs. */
static int parse_file_prefix(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_eal_config *eal = base;
	const char *v;

	if (cfg_get_string(c, s, "file_prefix = \"strata\";", &v) < 0)
		return -1;
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			goto bad;
	if (*v && *v != '.')
		return cfg_copy_string(c, s, v, eal->file_prefix, sizeof(eal->file_prefix));
bad:
	return cfg_fail(c, s, "\"%s\" is not a file prefix; use letters, digits, '.', '_' and '-' "
			"(not first '.'), e.g. \"strata\"", v);
}

/* EAL's -l syntax: ids and ranges separated by commas, "0-3,5". */
static int parse_lcores(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_eal_config *eal = base;
	uint64_t mask[ARRAY_LEN(eal->lcore_mask)] = { 0 };
	const char *v, *p;

	if (cfg_get_string(c, s, "lcores = \"0-1\";", &v) < 0)
		return -1;
	for (p = v; *p;) {
		unsigned long a, b;

		if (!cfg_read_uint(&p, DP_CONFIG_MAX_LCORES - 1, &a))
			goto bad;
		b = a;
		if (*p == '-' && (p++, !cfg_read_uint(&p, DP_CONFIG_MAX_LCORES - 1, &b)))
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
	return cfg_copy_string(c, s, v, eal->lcores, sizeof(eal->lcores));
bad:
	return cfg_fail(c, s, "\"%s\" is not an lcore list; write ids from 0 to %d and ranges, "
			"separated by commas, e.g. \"0-1\" or \"0,2-5\"", v,
			DP_CONFIG_MAX_LCORES - 1);
}

static int parse_main_lcore(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_eal_config *eal = base;

	c->main_lcore = s;
	return cfg_get_uint(c, s, 0, DP_CONFIG_MAX_LCORES - 1, false, "main_lcore = 0;",
			    &eal->main_lcore);
}

static int check_vdev(struct ctx *c, const config_setting_t *s, const char *v)
{
	if (!*v || *v == ',' || cfg_has_space(v))
		return cfg_fail(c, s, "\"%s\" is not a virtual device; write a driver name, an "
				"instance number and its options, without spaces, e.g. "
				"\"net_tap0,iface=strata0\"", v);
	return 0;
}

static int check_pci_allow(struct ctx *c, const config_setting_t *s, const char *v)
{
	bool full;
	size_t len = cfg_pci_prefix(v, &full);

	if (!len || (v[len] && v[len] != ',') || cfg_has_space(v))
		return cfg_fail(c, s, "\"%s\" is not a PCI address; write it as lspci -D does, "
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
		return cfg_fail(c, s, "is empty; each element is one EAL argument, e.g. "
				"\"--log-level=lib.eal:debug\"");
	for (unsigned i = 0; i < ARRAY_LEN(own_setting); i++)
		if (is_option(v, own_setting[i].opt))
			return cfg_fail(c, s, "\"%s\" has a setting of its own: use "
					"dataplane.%s", v, own_setting[i].setting);
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
const struct table cfg_eal_table = TABLE(eal_fields);

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
