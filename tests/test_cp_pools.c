/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp's small allocators and limits, and its configuration section:
 *
 *   idpool     ids 1..N each once, 0 when exhausted; a freed id is not
 *              handed out again at once (the cursor rotates); claim
 *   ratelimit  a burst, then refusals until the rate refills; keys are
 *              independent; rate 0 is unlimited; a key longer than the
 *              table's is limited too (it once matched no bucket and was
 *              never limited); a clock that goes back refills nothing
 *   cp_config  the defaults, a file that sets things, unknown settings and
 *              bad values refused with file and line; the default media
 *              address also without a controlplane section (it once was
 *              missing then)
 *   persist    sessions.state's reader on fuzz_persist's seed: two rooms,
 *              three participants, keys, simulcast, subscriptions linked
 *              to their publisher; a key of the wrong length for its
 *              profile drops that participant; not JSON restores nothing
 */
#include <stdio.h>
#include <unistd.h>

#include "cp.h"
#include "cp_config.h"
#include "idpool.h"
#include "ratelimit.h"
#include "test_util.h"

static void check_idpool(void)
{
	struct cp_idpool p;
	uint8_t seen[11] = { 0 };
	uint32_t id;

	CHECK(cp_idpool_init(&p, 0, 10) < 0, "idpool: 0 is never an id");
	CHECK(cp_idpool_init(&p, 5, 4) < 0, "idpool: an empty range");
	CHECK(cp_idpool_init(&p, 1, 10) == 0, "idpool: init");
	for (int i = 0; i < 10; i++) {
		id = cp_idpool_take(&p);
		CHECK(id >= 1 && id <= 10 && !seen[id], "idpool: take %d gave %u", i, id);
		if (id >= 1 && id <= 10)
			seen[id] = 1;
	}
	CHECK(cp_idpool_take(&p) == 0, "idpool: exhausted gives 0");
	cp_idpool_give(&p, 3);
	cp_idpool_give(&p, 3); /* twice: no double count */
	CHECK(p.used == 9, "idpool: used %u after giving one back", p.used);
	CHECK(cp_idpool_take(&p) == 3, "idpool: the only free id");
	cp_idpool_give(&p, 4);
	cp_idpool_give(&p, 7);
	/* The search starts where the last one ended (after 3): 4, then 7. */
	CHECK(cp_idpool_take(&p) == 4, "idpool: the next free one after the cursor");
	CHECK(cp_idpool_take(&p) == 7, "idpool: then the one after it");
	CHECK(cp_idpool_take(&p) == 0, "idpool: exhausted again");
	cp_idpool_fini(&p);

	CHECK(cp_idpool_init(&p, 40000, 40002) == 0, "idpool: ports");
	CHECK(cp_idpool_take(&p) == 40000, "idpool: first port");
	cp_idpool_give(&p, 40000);
	CHECK(cp_idpool_take(&p) == 40001, "idpool: a freed port waits its turn");
	CHECK(cp_idpool_claim(&p, 40002), "idpool: claim a free one");
	CHECK(!cp_idpool_claim(&p, 40002), "idpool: claim a taken one");
	CHECK(!cp_idpool_claim(&p, 39999), "idpool: claim out of range");
	CHECK(cp_idpool_taken(&p, 40001) && !cp_idpool_taken(&p, 40000), "idpool: taken");
	cp_idpool_give(&p, 0);  /* out of range: ignored */
	CHECK(p.used == 2, "idpool: used %u", p.used);
	cp_idpool_fini(&p);
}

static void check_ratelimit(void)
{
	struct cp_ratelimit r;
	char longkey[200];
	int ok = 0;

	CHECK(cp_ratelimit_init(&r, 2, 3, 64) == 0, "ratelimit: init");
	for (int i = 0; i < 3; i++)
		CHECK(cp_ratelimit_take(&r, "192.0.2.1", 1000), "ratelimit: burst %d", i);
	CHECK(!cp_ratelimit_take(&r, "192.0.2.1", 1000), "ratelimit: past the burst");
	CHECK(cp_ratelimit_take(&r, "192.0.2.9", 1000), "ratelimit: another key");
	CHECK(!cp_ratelimit_take(&r, "192.0.2.1", 1400), "ratelimit: 0.8 tokens after 400 ms");
	CHECK(cp_ratelimit_take(&r, "192.0.2.1", 1600), "ratelimit: 1 token after 500 ms more");
	CHECK(!cp_ratelimit_take(&r, "192.0.2.1", 1000), "ratelimit: the clock went back");
	CHECK(!cp_ratelimit_take(&r, "192.0.2.1", 1600), "ratelimit: nothing refilled by it");
	/* A key longer than a bucket's is cut the same way each time. */
	memset(longkey, 'a', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = 0;
	for (int i = 0; i < 10; i++)
		ok += cp_ratelimit_take(&r, longkey, 5000);
	CHECK(ok == 3, "ratelimit: a long key got %d of 10, expected the burst of 3", ok);
	cp_ratelimit_fini(&r);

	CHECK(cp_ratelimit_init(&r, 0, 1, 4) == 0, "ratelimit: init unlimited");
	ok = 0;
	for (int i = 0; i < 100; i++)
		ok += cp_ratelimit_take(&r, "k", 1);
	CHECK(ok == 100, "ratelimit: rate 0 is unlimited (%d)", ok);
	cp_ratelimit_fini(&r);
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Loads text: 0 or -1, with err. */
static int load(const char *text, struct cp_config *cfg, char *err, size_t len)
{
	char path[] = "/tmp/strata-cp-config-XXXXXX";
	int fd = mkstemp(path), rc;

	if (fd < 0)
		return -2;
	close(fd);
	write_file(path, text);
	rc = cp_config_load(path, cfg, err, len);
	unlink(path);
	return rc;
}

static void check_config(void)
{
	struct cp_config cfg;
	char err[512];
	static const struct {
		const char *text, *needle;
	} bad[] = {
		{ "controlplane = { frobnicate = 1; };", ":1: controlplane.frobnicate" },
		{ "controlplane = {\n signaling = { port = 70000; };\n};", ":2:" },
		{ "controlplane = { logs = { level = \"loud\"; }; };", "not a level" },
		{ "controlplane = { dataplane = { ports = \"50000-40000\"; }; };", "port range" },
		{ "controlplane = { dataplane = { media_addresses = [\"0.0.0.0\"]; }; };",
		  "usable" },
		{ "controlplane = { media = { srtp_profiles = [\"NULL_CIPHER\"]; }; };",
		  "not an SRTP profile" },
		{ "controlplane = { signaling = { address = \"example.com\"; }; };",
		  "not an IPv4 or IPv6 address" },
		{ "controlplane = 3;", "controlplane = {" },
		{ "controlplane = { signaling = { pong_timeout_s = 0; }; };",
		  "controlplane.signaling.pong_timeout_s" },
		{ "controlplane = { signaling = { ping_interval_s = 3601; }; };",
		  "controlplane.signaling.ping_interval_s" },
	};

	CHECK(load("dataplane = { };", &cfg, err, sizeof(err)) == 0, "config: no section: %s",
	      err);
	CHECK(cfg.signaling.port == 8443 && cfg.dataplane.n_media == 1 &&
		      cfg.dataplane.media[0].family == STRATA_AF_INET &&
		      cfg.dataplane.media[0].ip[0] == 192 && cfg.dataplane.media[0].ip[3] == 2,
	      "config: defaults without a section");
	CHECK(cfg.signaling.ping_interval_s == 10 && cfg.signaling.pong_timeout_s == 10 &&
		      cfg.sessions.resume_grace_s == 30,
	      "config: liveness defaults (ping 10 s, pong 10 s, grace 30 s)");
	CHECK(load("controlplane = {\n"
		   "  state_dir = \"/tmp/x\";\n"
		   "  signaling = { port = 0; address = \"::1\"; ping_interval_s = 0;\n"
		   "                pong_timeout_s = 4; };\n"
		   "  dataplane = { media_addresses = [\"2001:db8::2\", \"192.0.2.7\"];\n"
		   "                ports = \"41000-41009\"; };\n"
		   "  media = { srtp_profiles = [\"AES_CM_128_HMAC_SHA1_80\"]; };\n"
		   "  quotas = { participants_per_room = 7; joins_per_s_per_address = 0; };\n"
		   "  logs = { level = \"debug\"; };\n"
		   "};\n",
		   &cfg, err, sizeof(err)) == 0,
	      "config: a full section: %s", err);
	CHECK(!strcmp(cfg.state_dir, "/tmp/x") && cfg.signaling.port == 0 &&
		      !strcmp(cfg.signaling.address, "::1") && cfg.signaling.ping_interval_s == 0 &&
		      cfg.signaling.pong_timeout_s == 4,
	      "config: state_dir, signaling");
	CHECK(cfg.dataplane.n_media == 2 && cfg.dataplane.media[0].family == STRATA_AF_INET6 &&
		      cfg.dataplane.media[1].ip[3] == 7,
	      "config: media addresses");
	CHECK(cfg.dataplane.port_min == 41000 && cfg.dataplane.port_max == 41009,
	      "config: ports");
	CHECK(cfg.media.n_profiles == 1 && cfg.media.profiles[0] == 1, "config: profiles");
	CHECK(cfg.quotas.participants_per_room == 7 && cfg.quotas.joins_per_s_per_address == 0 &&
		      cfg.quotas.rooms_per_app == 1000,
	      "config: quotas");
	CHECK(!strcmp(cfg.logs.level, "debug"), "config: level");
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		err[0] = 0;
		CHECK(load(bad[i].text, &cfg, err, sizeof(err)) == -1 &&
			      strstr(err, bad[i].needle),
		      "config: bad %zu: \"%s\" (expected \"%s\")", i, err, bad[i].needle);
	}
	CHECK(cp_config_load("/nonexistent/strata.conf", &cfg, err, sizeof(err)) == -1 &&
		      strstr(err, "cannot read"),
	      "config: a missing file: %s", err);
}

static struct cp pcp;

static void free_restored(void)
{
	unsigned k;
	struct cp_room *r;

	while ((r = cp_rooms_first(&pcp.rooms, &k))) {
		while (r->members) {
			struct cp_participant *p = r->members;

			cp_room_remove(r, p);
			cp_participant_release(&pcp, p);
		}
		cp_room_drop(&pcp.rooms, r);
	}
	cp_rooms_fini(&pcp.rooms);
}

static void check_persist(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(PERSIST_SEED, "r");
	struct cp_room *room;
	struct cp_participant *a, *b;

	CHECK(f != NULL, "persist: %s", PERSIST_SEED);
	if (!f)
		return;
	text = malloc(65536);
	len = fread(text, 1, 65535, f);
	text[len] = 0;
	fclose(f);
	memset(&pcp, 0, sizeof(pcp));
	cp_config_defaults(&pcp.cfg);
	cp_rooms_init(&pcp.rooms);
	CHECK(cp_persist_restore(&pcp, text, len) == 0, "persist: the seed");
	CHECK(pcp.n_participants == 3 && pcp.rooms.n_rooms == 2 && pcp.restored,
	      "persist: %u participants in %u rooms", pcp.n_participants, pcp.rooms.n_rooms);
	room = cp_room_find(&pcp.rooms, "app1", "standup");
	a = room ? cp_room_member(room, "p-1") : NULL;
	b = room ? cp_room_member(room, "p-4") : NULL;
	CHECK(a && b && room->dp_room == 1, "persist: the room and its members");
	if (a && b) {
		CHECK(a->profile == 4 && a->key_len == 28 && a->send_key[0] == 0x11 &&
			      a->recv_key[27] == 0x22 && a->local.port == 40000,
		      "persist: Alice's media");
		CHECK(a->n_pubs == 2 && a->pubs[0].n_encodings == 2 && a->pubs[0].ssrc[1] == 1112 &&
			      a->pubs[0].dp_stream[1] == 2,
		      "persist: Alice's simulcast stream");
		CHECK(b->subs && b->subs->publisher == a && b->subs->next &&
			      b->subs->next->dp_sub == 2 && !b->subs->next->next,
		      "persist: Bob's subscriptions");
		CHECK(b->n_prefs == 1 && b->prefs[0].max_temporal == 1, "persist: Bob's preference");
		CHECK(!a->conn && a->away_since_ms, "persist: away until they resume");
	}
	CHECK(pcp.next_serial == 9 && pcp.rooms.next_dp_room == 3, "persist: counters");
	free_restored();

	/* Alice's key one byte short for her profile: she is dropped, and
	 * Bob's subscriptions to her with her. */
	char *cut = strstr(text, "\"send\":\"");
	if (cut) {
		cut += 8;
		memmove(cut, cut + 2, strlen(cut + 2) + 1);
		len = strlen(text);
		memset(&pcp, 0, sizeof(pcp));
		cp_config_defaults(&pcp.cfg);
		cp_rooms_init(&pcp.rooms);
		CHECK(cp_persist_restore(&pcp, text, len) == 0, "persist: a short key");
		room = cp_room_find(&pcp.rooms, "app1", "standup");
		b = room ? cp_room_member(room, "p-4") : NULL;
		CHECK(pcp.n_participants == 2 && room && !cp_room_member(room, "p-1") && b &&
			      !b->subs,
		      "persist: a short key: %u participants", pcp.n_participants);
		free_restored();
	}
	memset(&pcp, 0, sizeof(pcp));
	cp_rooms_init(&pcp.rooms);
	CHECK(cp_persist_restore(&pcp, "not json", 8) == -1 && pcp.n_participants == 0,
	      "persist: not JSON");
	cp_rooms_fini(&pcp.rooms);
	free(text);
}

int main(void)
{
	check_persist();
	check_idpool();
	check_ratelimit();
	check_config();
	return test_summary("cp_pools");
}
