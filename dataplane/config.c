/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-dp's configuration (see config.h, and conf/strata.conf for every
 * setting).  Each group of the `dataplane` section is described by a table
 * of its settings (name, kind, where it goes, valid range), and one walker
 * reads a group through its table: that is what makes an unknown setting an
 * error everywhere, with its line, and keeps the messages uniform.  What
 * involves several settings (workers within lcores, a gateway inside a
 * port's prefix, a PCI device EAL will probe) is checked after the walk.
 *
 * This file is the loader: the `dataplane` section's own table, workers,
 * shm, the checks across groups, and the API.  The walker is in
 * config_parse.c, address parsing in config_addr.c, the `eal` group and
 * the EAL arguments in config_eal.c, the `ports` list in config_ports.c;
 * config_parse.h is what they share.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_parse.h"

/* ---- workers ------------------------------------------------------------- */

static int parse_workers(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_config *cfg = base;
	unsigned n = (unsigned)config_setting_length(s);

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return cfg_fail(c, s, "is %s; write an array of lcore ids, e.g. workers = [ 1 ];",
				cfg_type_name(s));
	if (n == 0 || n > DP_CONFIG_MAX_WORKERS)
		return cfg_fail(c, s, "lists %u lcores; strata-dp runs 1 to %d workers (leave the "
				"setting out for every lcore but the main one)", n,
				DP_CONFIG_MAX_WORKERS);
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		if (cfg_get_uint(c, e, 0, DP_CONFIG_MAX_LCORES - 1, false, "workers = [ 1 ];",
				 &cfg->workers[i]) < 0)
			return -1;
		for (unsigned j = 0; j < i; j++)
			if (cfg->workers[j] == cfg->workers[i])
				return cfg_fail(c, e, "lcore %u is listed twice; each worker needs "
						"an lcore of its own", cfg->workers[i]);
	}
	cfg->n_workers = n;
	c->workers = s;
	return 0;
}

/* ---- shm ----------------------------------------------------------------- */

static int parse_shm_name(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_config *cfg = base;
	const char *v;

	if (cfg_get_string(c, s, "name = \"/strata\";", &v) < 0)
		return -1;
	if (v[0] != '/' || !v[1] || strchr(v + 1, '/') || cfg_has_space(v))
		return cfg_fail(c, s, "\"%s\" is not a POSIX shared-memory name; write a slash and "
				"a name without further slashes, e.g. \"/strata\"", v);
	return cfg_copy_string(c, s, v, cfg->shm.name, sizeof(cfg->shm.name));
}

/* Resolved now, so that a missing group stops start-up with its line. */
static int parse_shm_group(struct ctx *c, const config_setting_t *s, void *base)
{
	struct dp_config *cfg = base;
	struct group gr, *found = NULL;
	char buf[4096];
	const char *v;

	if (cfg_get_string(c, s, "group = \"strata\";", &v) < 0 ||
	    cfg_copy_string(c, s, v, cfg->shm.group, sizeof(cfg->shm.group)) < 0)
		return -1;
	cfg->shm.gid = (gid_t)-1;
	if (!*v)
		return 0;
	if (getgrnam_r(v, &gr, buf, sizeof(buf), &found) != 0 || !found)
		return cfg_fail(c, s, "there is no group \"%s\" on this machine; create it "
				"(groupadd --system %s), add strata-cp's user to it, or write "
				"\"\" for strata-dp's own group", v, v);
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
	NUM("mbuf_cache", pool.mbuf_cache, 0, 512, "mbuf_cache = 512;"),
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
static const struct field rtcp_fields[] = {
	NUM("rtx_cache_ms", rtcp.rtx_cache_ms, 0, 10000, "rtx_cache_ms = 1000;"),
	NUM("rtx_cache_mbufs", rtcp.rtx_cache_mbufs, 0, MAX_ID, "rtx_cache_mbufs = 4096;"),
	NUM("report_interval_ms", rtcp.report_interval_ms, 100, 60000,
	    "report_interval_ms = 1000;"),
};
static const struct table rtcp_table = TABLE(rtcp_fields);
static const struct table pool_table = TABLE(pool_fields);
static const struct table limits_table = TABLE(limits_fields);
static const struct table shm_table = TABLE(shm_fields);
static const struct table timers_table = TABLE(timers_fields);
static const struct table srtp_table = TABLE(srtp_fields);
static const struct table rooms_table = TABLE(rooms_fields);

static const struct field dataplane_fields[] = {
	GROUP("eal", DP(eal), cfg_eal_table),
	CUSTOM("workers", parse_workers),
	CUSTOM("ports", cfg_parse_ports),
	GROUP("pool", 0, pool_table),
	GROUP("limits", 0, limits_table),
	GROUP("shm", 0, shm_table),
	GROUP("timers", 0, timers_table),
	GROUP("srtp", 0, srtp_table),
	GROUP("rooms", 0, rooms_table),
	GROUP("rtcp", 0, rtcp_table),
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
		return cfg_fail(c, c->main_lcore, "lcore %u is not in eal.lcores \"%s\"; the main "
				"lcore must be one of them", eal->main_lcore, eal->lcores);

	if (c->workers) {
		for (unsigned i = 0; i < cfg->n_workers; i++) {
			const config_setting_t *e = config_setting_get_elem(c->workers, i);

			if (!dp_config_has_lcore(eal, cfg->workers[i]))
				return cfg_fail(c, e, "lcore %u is not in eal.lcores \"%s\"; add "
						"it there or pick one of those", cfg->workers[i],
						eal->lcores);
			if (cfg->workers[i] == eal->main_lcore)
				return cfg_fail(c, e, "lcore %u is the main lcore, which runs "
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
			return cfg_fail(c, at, "\"%s\" leaves more than %d lcores for workers, "
					"strata-dp's most; list the ones to use in "
					"dataplane.workers", eal->lcores, DP_CONFIG_MAX_WORKERS);
		cfg->workers[cfg->n_workers++] = id;
	}
	if (!cfg->n_workers)
		return cfg_fail(c, at, "\"%s\" leaves no lcore for a worker besides main lcore %u; "
				"give at least two, e.g. \"0-1\"", eal->lcores, eal->main_lcore);
	return 0;
}

static int check_dataplane(struct ctx *c, const config_setting_t *dp, struct dp_config *cfg)
{
	if (!c->ports)
		return cfg_fail(c, dp, "has no ports; strata-dp needs at least one, e.g. "
				PORT_EXAMPLE);
	/* pool.mbuf_cache needs no check against pool.mbufs: rte_mempool_create()
	 * wants cache <= n / 1.5, and the ranges (512, 1023) already ensure it. */
	return check_lcores(c, dp, cfg) < 0 || cfg_check_ports(c, cfg) < 0 ? -1 : 0;
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
	cfg->pool.mbuf_cache = 512;
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
	cfg->rtcp.rtx_cache_ms = 1000;
	cfg->rtcp.rtx_cache_mbufs = 4096;
	cfg->rtcp.report_interval_ms = 1000;
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
		cfg_fail(&c, NULL, "no dataplane section; strata-dp reads its settings from "
			 "dataplane = { ... }; (see conf/strata.conf)");
		goto out;
	}
	if (cfg_parse_group(&c, dp, &dataplane_table, cfg) < 0 || check_dataplane(&c, dp, cfg) < 0)
		goto out;
	ret = 0;
out:
	config_destroy(&lc);
	if (ret < 0)
		dp_config_free(cfg);
	return ret;
}
