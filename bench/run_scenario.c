/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench run: the scenario file (a .conf in bench/scenarios/), libconfig:
 *
 *   scenario = {
 *     name = "webinar";
 *     profile = "AES_CM_128_HMAC_SHA1_80";   # every leg, both directions
 *     rooms = 1;                             # identical rooms
 *     publishers = 1;                        # per room: send, and get the others'
 *     listeners = 50;                        # per room: only receive
 *     media = ( { codec = "vp8"; size = 1200; pps = 250.0; } );
 *   };
 *
 * Every publisher sends one stream of each media; every other person of
 * the room receives it.  pps is a publisher's nominal packet rate for that
 * media: the offered load scales all of them together, so the mix keeps
 * these proportions.  codec is "opus" or "vp8" (L1T3, every receiver at
 * every layer).
 */
#include <stdio.h>
#include <string.h>

#include <libconfig.h>

#include "run_bench.h"
#include "srtp.h"

#define FAIL(...) \
	do { \
		snprintf(err, errlen, __VA_ARGS__); \
		goto out; \
	} while (0)

static int get_uint(const config_setting_t *g, const char *name, unsigned lo, unsigned hi,
		    unsigned def, unsigned *v, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	if (s == NULL) {
		*v = def;
		return 0;
	}
	int x = config_setting_get_int(s);
	if (config_setting_type(s) != CONFIG_TYPE_INT || x < (int)lo || x > (int)hi) {
		snprintf(err, errlen, "line %d: %s must be an integer from %u to %u",
			 config_setting_source_line(s), name, lo, hi);
		return -1;
	}
	*v = (unsigned)x;
	return 0;
}

int run_scenario_load(const char *path, struct run_scenario *sc, char *err, size_t errlen)
{
	config_t cfg;
	int rc = -1;
	const char *str;

	memset(sc, 0, sizeof(*sc));
	config_init(&cfg);
	if (!config_read_file(&cfg, path)) {
		snprintf(err, errlen, "%s:%d: %s", path, config_error_line(&cfg),
			 config_error_text(&cfg));
		goto out_noprefix;
	}
	const config_setting_t *g = config_lookup(&cfg, "scenario");
	if (g == NULL || !config_setting_is_group(g))
		FAIL("no scenario = { ... } group");
	if (!config_setting_lookup_string(g, "name", &str) || strlen(str) >= sizeof(sc->name))
		FAIL("scenario.name: a string is required");
	snprintf(sc->name, sizeof(sc->name), "%s", str);
	if (!config_setting_lookup_string(g, "profile", &str))
		str = "AES_CM_128_HMAC_SHA1_80";
	if ((sc->profile = strata_srtp_profile_by_name(str)) == NULL)
		FAIL("scenario.profile: no SRTP profile \"%s\"", str);
	snprintf(sc->profile_name, sizeof(sc->profile_name), "%s", sc->profile->name);
	if (get_uint(g, "rooms", 1, 10000, 1, &sc->rooms, err, errlen) ||
	    get_uint(g, "publishers", 1, 100, 1, &sc->publishers, err, errlen) ||
	    get_uint(g, "listeners", 0, 1000, 0, &sc->listeners, err, errlen))
		goto out;
	if (sc->publishers + sc->listeners < 2)
		FAIL("scenario: a room needs at least two people (publishers + listeners)");
	const config_setting_t *media = config_setting_get_member(g, "media");
	if (media == NULL || !config_setting_is_list(media) || config_setting_length(media) < 1 ||
	    config_setting_length(media) > RUN_MAX_MEDIA)
		FAIL("scenario.media: a list of 1 to %d groups is required", RUN_MAX_MEDIA);
	sc->n_media = (unsigned)config_setting_length(media);
	for (unsigned i = 0; i < sc->n_media; i++) {
		const config_setting_t *m = config_setting_get_elem(media, i);
		struct run_media *rm = &sc->media[i];
		unsigned size;
		double pps;
		if (!config_setting_is_group(m) || !config_setting_lookup_string(m, "codec", &str))
			FAIL("scenario.media[%u]: a group with codec = \"opus\" | \"vp8\"", i);
		if (strcmp(str, "opus") == 0)
			rm->codec = RUN_CODEC_OPUS;
		else if (strcmp(str, "vp8") == 0)
			rm->codec = RUN_CODEC_VP8;
		else
			FAIL("scenario.media[%u].codec: \"%s\" is not opus or vp8", i, str);
		if (get_uint(m, "size", 48, 1400, 1200, &size, err, errlen))
			goto out;
		if (!config_setting_lookup_float(m, "pps", &pps) || !(pps > 0 && pps <= 100000))
			FAIL("scenario.media[%u].pps: a float from 0 to 100000 is required", i);
		rm->size = size;
		rm->pps = pps;
	}
	rc = 0;
out:
	if (rc != 0) {
		char tmp[512];
		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
	}
out_noprefix:
	config_destroy(&cfg);
	return rc;
}
