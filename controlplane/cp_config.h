/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp's configuration: the `controlplane` section of the same
 * libconfig file strata-dp reads its `dataplane` section from (conf/strata.conf
 * documents every setting).  strata-cp ignores every other section; inside
 * its own, an unknown setting is an error with its line.
 */
#ifndef STRATA_CP_CONFIG_H
#define STRATA_CP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <strata/messages.h>

#define CP_PATH_MAX 256
#define CP_MAX_MEDIA_ADDRS 4
#define CP_MAX_PROFILES 5

struct cp_config {
	char state_dir[CP_PATH_MAX];       /* certificates, keys, app store, state */
	char user[64];                     /* started as root: run as this user */
	struct {
		char address[64];          /* "" = every address */
		uint16_t port;
		char cert[CP_PATH_MAX];    /* "" = self-signed, made in state_dir */
		char key[CP_PATH_MAX];
		uint32_t idle_timeout_s;
		uint32_t ping_interval_s;  /* silent this long: a ping; 0 = none */
		uint32_t pong_timeout_s;   /* then silent this long: dead */
		uint32_t max_connections;
	} signaling;
	struct {
		char socket[CP_PATH_MAX];  /* "" = state_dir/ctl.sock */
	} control;
	struct {
		char address[64];          /* "" = no metrics endpoint */
		uint16_t port;             /* 0 = any free one */
	} metrics;
	struct {
		char shm[CP_PATH_MAX];
		struct strata_addr media[CP_MAX_MEDIA_ADDRS]; /* the router's media addresses */
		unsigned n_media;
		uint16_t port_min, port_max;
		uint32_t poll_us;          /* event/punt polling period */
	} dataplane;
	struct {
		uint8_t profiles[CP_MAX_PROFILES]; /* offered, in preference order */
		unsigned n_profiles;
		uint32_t codecs;           /* bit (1 << enum strata_codec) */
	} media;
	struct {
		uint32_t skew_s;
	} tokens;
	struct {
		char store[CP_PATH_MAX];
		char master_key[CP_PATH_MAX];
		uint32_t rotation_grace_s;
	} apps;
	struct {
		uint32_t participants_per_room;
		uint32_t rooms_per_app;
		uint32_t participants_per_app;
		double joins_per_s_per_address;
		uint32_t joins_burst_per_address;
		double joins_per_s_per_app;
		uint32_t joins_burst_per_app;
	} quotas;
	struct {
		uint32_t resume_grace_s;   /* signaling away this long: removed */
	} sessions;
	struct {
		char level[16];
		char file[CP_PATH_MAX];    /* "" = stderr */
		char audit[CP_PATH_MAX];   /* "" = state_dir/audit.log */
	} logs;
};

void cp_config_defaults(struct cp_config *cfg);
/* 0, or -1 with "FILE:LINE: controlplane.SETTING: what is wrong" in err. */
int cp_config_load(const char *path, struct cp_config *cfg, char *err, size_t errlen);
/* A path under state_dir when `name` is relative. */
void cp_config_path(const struct cp_config *cfg, const char *name, char *out, size_t len);

#endif /* STRATA_CP_CONFIG_H */
