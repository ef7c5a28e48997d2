/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading the `controlplane` section.  The settings reader is the one
 * strata-dp's loader uses (dataplane/config_parse.h: tables of settings,
 * unknown names refused, messages with file, line and a valid example), so
 * both sections of the file behave alike.
 */
#include <arpa/inet.h>
#include <libconfig.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "../dataplane/config_parse.h"
#include "cp_config.h"

void cp_config_defaults(struct cp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->state_dir, "/var/lib/strata");
	cfg->signaling.port = 8443;
	cfg->signaling.idle_timeout_s = 90;
	cfg->signaling.ping_interval_s = 10;
	cfg->signaling.pong_timeout_s = 10;
	cfg->signaling.max_connections = 4096;
	strcpy(cfg->metrics.address, "127.0.0.1");
	cfg->metrics.port = 9464;
	strcpy(cfg->dataplane.shm, "/strata");
	cfg->dataplane.port_min = 40000;
	cfg->dataplane.port_max = 49999;
	cfg->dataplane.poll_us = 1000;
	/* The default dataplane configuration's address (conf/strata.conf). */
	cfg->dataplane.n_media = 1;
	cfg->dataplane.media[0].family = STRATA_AF_INET;
	inet_pton(AF_INET, "192.0.2.2", cfg->dataplane.media[0].ip);
	const uint8_t profiles[] = {4, 1, 5, 3, 2}; /* GCM-128, CM-128-80, GCM-256, CM-256, CM-32 */
	memcpy(cfg->media.profiles, profiles, sizeof(profiles));
	cfg->media.n_profiles = sizeof(profiles);
	cfg->media.codecs = (1u << STRATA_CODEC_OPUS) | (1u << STRATA_CODEC_VP8) |
			    (1u << STRATA_CODEC_VP9) | (1u << STRATA_CODEC_H264) |
			    (1u << STRATA_CODEC_AV1);
	strcpy(cfg->apps.store, "apps.store");
	strcpy(cfg->apps.master_key, "master.key");
	cfg->apps.rotation_grace_s = 86400;
	cfg->quotas.participants_per_room = 100;
	cfg->quotas.rooms_per_app = 1000;
	cfg->quotas.participants_per_app = 10000;
	cfg->quotas.joins_per_s_per_address = 5;
	cfg->quotas.joins_burst_per_address = 20;
	cfg->quotas.joins_per_s_per_app = 100;
	cfg->quotas.joins_burst_per_app = 200;
	cfg->sessions.resume_grace_s = 30;
	strcpy(cfg->logs.level, "info");
}

void cp_config_path(const struct cp_config *cfg, const char *name, char *out, size_t len)
{
	if (name[0] == '/')
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "%s/%s", cfg->state_dir, name);
}

/* ---- custom settings --------------------------------------------------------- */

#define STRING_FIELD(fn, n, member)                                                  \
	static int fn(struct ctx *c, const config_setting_t *s, void *base)            \
	{                                                                              \
		const char *v;                                                         \
		struct cp_config *cfg = base;                                          \
		if (cfg_get_string(c, s, n " = \"...\";", &v) != 0)                    \
			return -1;                                                     \
		return cfg_copy_string(c, s, v, cfg->member, sizeof(cfg->member));     \
	}

STRING_FIELD(parse_state_dir, "state_dir", state_dir)
STRING_FIELD(parse_signaling_cert, "cert", signaling.cert)
STRING_FIELD(parse_signaling_key, "key", signaling.key)
STRING_FIELD(parse_control_socket, "socket", control.socket)
STRING_FIELD(parse_dataplane_shm, "shm", dataplane.shm)
STRING_FIELD(parse_apps_store, "store", apps.store)
STRING_FIELD(parse_apps_master_key, "master_key", apps.master_key)
STRING_FIELD(parse_user, "user", user)

static int parse_logs_level(struct ctx *c, const config_setting_t *s, void *base)
{
	static const char *const levels[] = {"error", "warn", "info", "debug"};
	struct cp_config *cfg = base;
	const char *v;

	if (cfg_get_string(c, s, "level = \"info\";", &v) != 0)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(levels); i++)
		if (strcmp(v, levels[i]) == 0)
			return cfg_copy_string(c, s, v, cfg->logs.level, sizeof(cfg->logs.level));
	return cfg_fail(c, s, "\"%s\" is not a level: error, warn, info or debug", v);
}

/* An IP literal to listen on ("" = every address). */
static int check_listen_address(struct ctx *c, const config_setting_t *s, const char *v)
{
	struct dp_ip ip;

	if (v[0] && !cfg_parse_ip(v, &ip))
		return cfg_fail(c, s, "\"%s\" is not an IPv4 or IPv6 address", v);
	return 0;
}

static int parse_signaling_address(struct ctx *c, const config_setting_t *s, void *base)
{
	struct cp_config *cfg = base;
	const char *v;

	if (cfg_get_string(c, s, "address = \"0.0.0.0\";", &v) != 0 ||
	    check_listen_address(c, s, v) != 0)
		return -1;
	return cfg_copy_string(c, s, v, cfg->signaling.address, sizeof(cfg->signaling.address));
}

static int parse_metrics_address(struct ctx *c, const config_setting_t *s, void *base)
{
	struct cp_config *cfg = base;
	const char *v;

	if (cfg_get_string(c, s, "address = \"127.0.0.1\";", &v) != 0 ||
	    check_listen_address(c, s, v) != 0)
		return -1;
	return cfg_copy_string(c, s, v, cfg->metrics.address, sizeof(cfg->metrics.address));
}
STRING_FIELD(parse_logs_file, "file", logs.file)
STRING_FIELD(parse_logs_audit, "audit", logs.audit)

static int parse_u16(struct ctx *c, const config_setting_t *s, uint32_t min, uint16_t *out,
		     const char *example)
{
	uint32_t v;

	if (cfg_get_uint(c, s, min, 65535, false, example, &v) != 0)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int parse_sig_port(struct ctx *c, const config_setting_t *s, void *base)
{
	/* 0: any free port (tests); the "ready" log line says which. */
	return parse_u16(c, s, 0, &((struct cp_config *)base)->signaling.port, "port = 8443;");
}

static int parse_metrics_port(struct ctx *c, const config_setting_t *s, void *base)
{
	/* 0: any free port (tests); the "ready" log line says which. */
	return parse_u16(c, s, 0, &((struct cp_config *)base)->metrics.port, "port = 9464;");
}

/* "40000-49999": the UDP ports legs get on the media addresses. */
static int parse_ports(struct ctx *c, const config_setting_t *s, void *base)
{
	struct cp_config *cfg = base;
	unsigned long lo, hi;
	const char *v, *p;

	if (cfg_get_string(c, s, "ports = \"40000-49999\";", &v) != 0)
		return -1;
	p = v;
	if (!cfg_read_uint(&p, 65535, &lo) || *p++ != '-' || !cfg_read_uint(&p, 65535, &hi) ||
	    *p != 0 || lo < 1024 || hi < lo)
		return cfg_fail(c, s, "\"%s\" is not a port range from 1024 up, e.g. \"40000-49999\"",
				v);
	cfg->dataplane.port_min = (uint16_t)lo;
	cfg->dataplane.port_max = (uint16_t)hi;
	return 0;
}

/* The router's media addresses: the dataplane's port addresses clients
 * send to (one per family at most is used). */
static int parse_media(struct ctx *c, const config_setting_t *s, void *base)
{
	struct cp_config *cfg = base;
	int n = config_setting_length(s);

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY && config_setting_type(s) != CONFIG_TYPE_LIST)
		return cfg_fail(c, s, "is %s; write a list, e.g. media_addresses = [\"192.0.2.2\"];",
				cfg_type_name(s));
	if (n < 1 || n > CP_MAX_MEDIA_ADDRS)
		return cfg_fail(c, s, "lists %d addresses; give 1 to %d", n, CP_MAX_MEDIA_ADDRS);
	cfg->dataplane.n_media = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct dp_ip ip;
		const char *v;
		if (cfg_get_string(c, e, "\"192.0.2.2\"", &v) != 0)
			return -1;
		if (!cfg_parse_ip(v, &ip) || cfg_unusable(&ip) != NULL)
			return cfg_fail(c, e, "\"%s\" is not a usable IPv4 or IPv6 address", v);
		struct strata_addr *a = &cfg->dataplane.media[cfg->dataplane.n_media++];
		memset(a, 0, sizeof(*a));
		a->family = ip.family == AF_INET ? STRATA_AF_INET : STRATA_AF_INET6;
		memcpy(a->ip, ip.addr, 16);
	}
	return 0;
}

static int profile_id(const char *name)
{
	static const char *const names[] = {NULL, "AES_CM_128_HMAC_SHA1_80",
					    "AES_CM_128_HMAC_SHA1_32", "AES_256_CM_HMAC_SHA1_80",
					    "AEAD_AES_128_GCM", "AEAD_AES_256_GCM"};
	for (int i = 1; i < (int)ARRAY_LEN(names); i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return 0;
}

static int parse_profiles(struct ctx *c, const config_setting_t *s, void *base)
{
	struct cp_config *cfg = base;
	int n = config_setting_length(s);

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY && config_setting_type(s) != CONFIG_TYPE_LIST)
		return cfg_fail(c, s, "is %s; write a list of SRTP profiles", cfg_type_name(s));
	if (n < 1 || n > CP_MAX_PROFILES)
		return cfg_fail(c, s, "lists %d profiles; give 1 to %d", n, CP_MAX_PROFILES);
	cfg->media.n_profiles = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v;
		if (cfg_get_string(c, e, "\"AEAD_AES_128_GCM\"", &v) != 0)
			return -1;
		int id = profile_id(v);
		if (id == 0)
			return cfg_fail(c, e, "\"%s\" is not an SRTP profile: AEAD_AES_128_GCM, "
					"AEAD_AES_256_GCM, AES_CM_128_HMAC_SHA1_80, "
					"AES_CM_128_HMAC_SHA1_32 or AES_256_CM_HMAC_SHA1_80", v);
		cfg->media.profiles[cfg->media.n_profiles++] = (uint8_t)id;
	}
	return 0;
}

/* Rates are written as integers (joins a second). */
static int parse_rate(struct ctx *c, const config_setting_t *s, double *out, const char *example)
{
	uint32_t v;

	if (cfg_get_uint(c, s, 0, 1000000, false, example, &v) != 0)
		return -1;
	*out = v;
	return 0;
}

static int parse_rate_addr(struct ctx *c, const config_setting_t *s, void *base)
{
	return parse_rate(c, s, &((struct cp_config *)base)->quotas.joins_per_s_per_address,
			  "joins_per_s_per_address = 5;");
}

static int parse_rate_app(struct ctx *c, const config_setting_t *s, void *base)
{
	return parse_rate(c, s, &((struct cp_config *)base)->quotas.joins_per_s_per_app,
			  "joins_per_s_per_app = 100;");
}

/* ---- tables ------------------------------------------------------------------- */

#define C struct cp_config

static const struct field signaling_fields[] = {
	CUSTOM("address", parse_signaling_address),
	CUSTOM("port", parse_sig_port),
	CUSTOM("cert", parse_signaling_cert),
	CUSTOM("key", parse_signaling_key),
	UINT("idle_timeout_s", C, signaling.idle_timeout_s, 10, 3600, "idle_timeout_s = 90;"),
	UINT("ping_interval_s", C, signaling.ping_interval_s, 0, 3600, "ping_interval_s = 10;"),
	UINT("pong_timeout_s", C, signaling.pong_timeout_s, 1, 3600, "pong_timeout_s = 10;"),
	UINT("max_connections", C, signaling.max_connections, 1, 1000000, "max_connections = 4096;"),
};
static const struct table signaling_table = TABLE(signaling_fields);

static const struct field control_fields[] = {
	CUSTOM("socket", parse_control_socket),
};
static const struct table control_table = TABLE(control_fields);

static const struct field metrics_fields[] = {
	CUSTOM("address", parse_metrics_address),
	CUSTOM("port", parse_metrics_port),
};
static const struct table metrics_table = TABLE(metrics_fields);

static const struct field dataplane_fields[] = {
	CUSTOM("shm", parse_dataplane_shm),
	CUSTOM("media_addresses", parse_media),
	CUSTOM("ports", parse_ports),
	UINT("poll_us", C, dataplane.poll_us, 100, 100000, "poll_us = 1000;"),
};
static const struct table dataplane_table = TABLE(dataplane_fields);

static const struct field media_fields[] = {
	CUSTOM("srtp_profiles", parse_profiles),
};
static const struct table media_table = TABLE(media_fields);

static const struct field tokens_fields[] = {
	UINT("skew_s", C, tokens.skew_s, 0, 86400, "skew_s = 0;"),
};
static const struct table tokens_table = TABLE(tokens_fields);

static const struct field apps_fields[] = {
	CUSTOM("store", parse_apps_store),
	CUSTOM("master_key", parse_apps_master_key),
	UINT("rotation_grace_s", C, apps.rotation_grace_s, 0, 31536000, "rotation_grace_s = 86400;"),
};
static const struct table apps_table = TABLE(apps_fields);

static const struct field quotas_fields[] = {
	UINT("participants_per_room", C, quotas.participants_per_room, 1, 100000,
	     "participants_per_room = 100;"),
	UINT("rooms_per_app", C, quotas.rooms_per_app, 1, 10000000, "rooms_per_app = 1000;"),
	UINT("participants_per_app", C, quotas.participants_per_app, 1, 100000000,
	     "participants_per_app = 10000;"),
	CUSTOM("joins_per_s_per_address", parse_rate_addr),
	UINT("joins_burst_per_address", C, quotas.joins_burst_per_address, 1, 1000000,
	     "joins_burst_per_address = 20;"),
	CUSTOM("joins_per_s_per_app", parse_rate_app),
	UINT("joins_burst_per_app", C, quotas.joins_burst_per_app, 1, 1000000,
	     "joins_burst_per_app = 200;"),
};
static const struct table quotas_table = TABLE(quotas_fields);

static const struct field sessions_fields[] = {
	UINT("resume_grace_s", C, sessions.resume_grace_s, 0, 3600, "resume_grace_s = 30;"),
};
static const struct table sessions_table = TABLE(sessions_fields);

static const struct field logs_fields[] = {
	CUSTOM("level", parse_logs_level),
	CUSTOM("file", parse_logs_file),
	CUSTOM("audit", parse_logs_audit),
};
static const struct table logs_table = TABLE(logs_fields);

static const struct field top_fields[] = {
	CUSTOM("state_dir", parse_state_dir),
	CUSTOM("user", parse_user),
	GROUP("signaling", 0, signaling_table),
	GROUP("control", 0, control_table),
	GROUP("metrics", 0, metrics_table),
	GROUP("dataplane", 0, dataplane_table),
	GROUP("media", 0, media_table),
	GROUP("tokens", 0, tokens_table),
	GROUP("apps", 0, apps_table),
	GROUP("quotas", 0, quotas_table),
	GROUP("sessions", 0, sessions_table),
	GROUP("logs", 0, logs_table),
};
static const struct table top_table = TABLE(top_fields);

#undef C

int cp_config_load(const char *path, struct cp_config *cfg, char *err, size_t errlen)
{
	config_t lc;
	struct ctx c = {.path = path, .err = err, .errlen = errlen};
	int rc = -1;

	cp_config_defaults(cfg);
	config_init(&lc);
	if (!config_read_file(&lc, path)) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s: cannot read it: check the path (-c FILE)", path);
		else
			snprintf(err, errlen, "%s:%d: %s", config_error_file(&lc) ? config_error_file(&lc)
										 : path,
				 config_error_line(&lc), config_error_text(&lc));
		goto out;
	}
	const config_setting_t *cp = config_lookup(&lc, "controlplane");
	if (cp == NULL) {
		rc = 0; /* every setting has a default */
		goto out;
	}
	if (!config_setting_is_group(cp)) {
		cfg_fail(&c, cp, "is %s; write controlplane = { ... };", cfg_type_name(cp));
		goto out;
	}
	if (cfg_parse_group(&c, cp, &top_table, cfg) != 0)
		goto out;
	rc = 0;
out:
	config_destroy(&lc);
	return rc;
}
