/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp's control-socket commands (stratactl COMMAND): each registered
 * with its usage line; every one answers JSON (text for people is the
 * control socket's rendering of it, or a line of its own where that reads
 * better).  Every request is audited by the control socket itself, with
 * the arguments named secret below redacted.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cp.h"
#include "cp_tokencmd.h"
#include "log.h"

CP_LOG_MODULE(commands);

static const char *addr_str(const struct strata_addr *a, char *out, size_t len)
{
	char ip[64] = "";

	if (a->family == STRATA_AF_INET || a->family == STRATA_AF_INET6)
		inet_ntop(a->family == STRATA_AF_INET6 ? AF_INET6 : AF_INET, a->ip, ip, sizeof(ip));
	if (!a->port)
		snprintf(out, len, "%s", ip[0] ? "unknown" : "none");
	else
		snprintf(out, len, a->family == STRATA_AF_INET6 ? "[%s]:%u" : "%s:%u", ip, a->port);
	return out;
}

/* ---- status, rooms, participants -------------------------------------- */

static void cmd_status(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;
	const struct strata_shm_header *h = cp_dplink_header(cp->dp);
	struct sig_server_stats st;
	json_t *o;

	(void)req;
	sig_server_stats(cp->sig, &st);
	o = json_pack("{s:s, s:I, s:I, s:b, s:i, s:I, s:I, s:I, s:{s:b, s:s, s:I, s:I, s:I}}",
		      "version", CP_VERSION, "pid", (json_int_t)getpid(), "uptime_s",
		      (json_int_t)((cp_now_ms() - cp->started_ms) / 1000), "draining", cp->draining,
		      "signaling_port", sig_server_port(cp->sig), "connections", (json_int_t)st.open,
		      "rooms", (json_int_t)cp->rooms.n_rooms, "participants",
		      (json_int_t)cp->n_participants, "dataplane", "attached", cp_dplink_up(cp->dp),
		      "error", cp_dplink_error(cp->dp), "pid", (json_int_t)(h ? h->dp_pid : 0),
		      "epoch", (json_int_t)(h ? (int64_t)h->boot_epoch : 0), "outstanding",
		      (json_int_t)cp_dplink_outstanding(cp->dp));
	if (!ctl_reply_wants_json(reply) && o) {
		ctl_reply_printf(reply,
				 "strata-cp %s, pid %d, up %llus%s\n"
				 "signaling port %d: %llu connections\n"
				 "%u rooms, %u participants\n"
				 "strata-dp: %s%s\n",
				 CP_VERSION, (int)getpid(),
				 (unsigned long long)((cp_now_ms() - cp->started_ms) / 1000),
				 cp->draining ? " (draining)" : "", sig_server_port(cp->sig),
				 (unsigned long long)st.open, cp->rooms.n_rooms, cp->n_participants,
				 cp_dplink_up(cp->dp) ? "attached" : "not attached: ",
				 cp_dplink_error(cp->dp));
		json_decref(o);
		return;
	}
	ctl_reply_json(reply, o);
}

static json_t *participant_json(const struct cp_participant *p, bool detail)
{
	char local[80], remote[80];
	unsigned subs = 0;
	json_t *o;

	for (const struct cp_sub *s = p->subs; s; s = s->next)
		subs += s->dp_sub != 0;
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:I}", "participantId", p->id, "user",
		      p->user, "displayName", p->display, "app", p->room ? p->room->app : "",
		      "resourceId", p->room ? p->room->resource : "", "joined", p->joined,
		      "publishes", (json_int_t)p->n_pubs);
	if (!o || !detail)
		return o;
	json_object_set_new(o, "leg", json_integer(p->dp_leg));
	json_object_set_new(o, "media", json_string(addr_str(&p->local, local, sizeof(local))));
	json_object_set_new(o, "remote", json_string(addr_str(&p->remote, remote, sizeof(remote))));
	json_object_set_new(o, "profile", json_string(sig_srtp_profile_name(p->profile)));
	json_object_set_new(o, "subscriptions", json_integer(subs));
	json_t *streams = json_array();
	for (unsigned i = 0; i < p->n_pubs; i++) {
		const struct cp_pub *pub = &p->pubs[i];

		json_array_append_new(streams,
				      json_pack("{s:s, s:s, s:s, s:I, s:i, s:i}", "streamId", pub->id,
						"kind", sig_kind_name(pub->kind), "codec",
						sig_codec_name(pub->codec), "ssrc",
						(json_int_t)pub->ssrc[0], "encodings",
						pub->n_encodings, "source", (int)pub->dp_source));
	}
	json_object_set_new(o, "streams", streams);
	return o;
}

static void cmd_rooms(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;
	const char *app = req->argc ? req->argv[0] : NULL;
	json_t *a = json_array();
	unsigned k;

	for (struct cp_room *r = cp_rooms_first(&cp->rooms, &k); r;
	     r = cp_rooms_next(&cp->rooms, r, &k)) {
		if (app && strcmp(app, r->app) != 0)
			continue;
		if (ctl_reply_wants_json(reply))
			json_array_append_new(a, json_pack("{s:s, s:s, s:i}", "app", r->app,
							   "resourceId", r->resource,
							   "participants", (int)r->n_members));
		else
			ctl_reply_printf(reply, "%s %s %u participants\n", r->app, r->resource,
					 r->n_members);
	}
	if (ctl_reply_wants_json(reply))
		ctl_reply_json(reply, json_pack("{s:o}", "rooms", a));
	else
		json_decref(a);
}

static void cmd_room_show(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;
	struct cp_room *r = cp_room_find(&cp->rooms, req->argv[0], req->argv[1]);
	json_t *a;

	if (!r) {
		ctl_reply_error(reply, "no room %s in application %s", req->argv[1], req->argv[0]);
		return;
	}
	a = json_array();
	for (struct cp_participant *p = r->members; p; p = p->next)
		json_array_append_new(a, participant_json(p, true));
	ctl_reply_json(reply, json_pack("{s:s, s:s, s:i, s:o}", "app", r->app, "resourceId",
					r->resource, "dataplaneRoom", (int)r->dp_room,
					"participants", a));
}

static void cmd_participants(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;
	const char *app = req->argc ? req->argv[0] : NULL;
	json_t *a = json_array();
	unsigned k;

	for (struct cp_room *r = cp_rooms_first(&cp->rooms, &k); r;
	     r = cp_rooms_next(&cp->rooms, r, &k)) {
		if (app && strcmp(app, r->app) != 0)
			continue;
		for (struct cp_participant *p = r->members; p; p = p->next) {
			if (ctl_reply_wants_json(reply))
				json_array_append_new(a, participant_json(p, false));
			else
				ctl_reply_printf(reply, "%s %s %s %s user=%s\n", p->id, r->app,
						 r->resource, p->joined ? "joined" : "joining",
						 p->user);
		}
	}
	if (ctl_reply_wants_json(reply))
		ctl_reply_json(reply, json_pack("{s:o}", "participants", a));
	else
		json_decref(a);
}

/* ---- kick, ban -------------------------------------------------------- */

static void cmd_kick(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;
	struct cp_room *r = cp_room_find(&cp->rooms, req->argv[0], req->argv[1]);
	struct cp_participant *p = r ? cp_room_member(r, req->argv[2]) : NULL;

	if (!p) {
		ctl_reply_error(reply, "no participant %s in room %s of application %s",
				req->argv[2], req->argv[1], req->argv[0]);
		return;
	}
	CP_INFO("kicked by an operator", CP_KV_STR("participant", p->id));
	cp_participant_kick(cp, p, "kicked", "kicked");
	ctl_reply_json(reply, json_pack("{s:s}", "kicked", req->argv[2]));
}

static void cmd_ban(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;
	const char *app = req->argv[0], *user = req->argv[1];
	uint64_t secs = 0;
	unsigned kicked = 0, k;
	struct cp_ban *b;

	if (req->argc > 2) {
		char *end;

		secs = strtoull(req->argv[2], &end, 10);
		if (*end || !*req->argv[2] || req->argv[2][0] == '-') {
			ctl_reply_error(reply, "SECONDS: a positive decimal number (omit: for ever)");
			return;
		}
	}
	if (!cp_app_id_valid(app, strlen(app)) || !cp_user_valid(user, strlen(user))) {
		ctl_reply_error(reply, "APP is 1-64 of A-Z a-z 0-9 . _ -, USER 1-64 letters and "
				       "digits");
		return;
	}
	if (!cp_is_banned(cp, app, user)) {
		b = calloc(1, sizeof(*b));
		if (!b) {
			ctl_reply_error(reply, "out of memory");
			return;
		}
		snprintf(b->app, sizeof(b->app), "%s", app);
		snprintf(b->user, sizeof(b->user), "%s", user);
		b->next = cp->bans;
		cp->bans = b;
	} else {
		for (b = cp->bans; b; b = b->next)
			if (!strcmp(b->app, app) && !strcmp(b->user, user))
				break;
	}
	b->until_ms = secs ? cp_wall_ms() + secs * 1000 : 0;
	/* Every participant of that user goes now (collected first: kicking
	 * changes the rooms being walked). */
	struct cp_participant **victims = calloc(cp->n_participants + 1, sizeof(*victims));
	size_t n = 0;

	for (struct cp_room *r = cp_rooms_first(&cp->rooms, &k); r && victims;
	     r = cp_rooms_next(&cp->rooms, r, &k))
		if (strcmp(r->app, app) == 0)
			for (struct cp_participant *p = r->members; p; p = p->next)
				if (strcmp(p->user, user) == 0 && n < cp->n_participants)
					victims[n++] = p;
	for (size_t i = 0; i < n; i++)
		cp_participant_kick(cp, victims[i], "Banned", "banned");
	kicked = (unsigned)n;
	free(victims);
	ctl_reply_json(reply, json_pack("{s:s, s:s, s:I, s:i}", "app", app, "user", user,
					"seconds", (json_int_t)secs, "kicked", (int)kicked));
}

static void cmd_unban(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;

	for (struct cp_ban **at = &cp->bans; *at; at = &(*at)->next) {
		if (!strcmp((*at)->app, req->argv[0]) && !strcmp((*at)->user, req->argv[1])) {
			struct cp_ban *b = *at;

			*at = b->next;
			free(b);
			ctl_reply_json(reply, json_pack("{s:s, s:s}", "unbanned", req->argv[1],
							"app", req->argv[0]));
			return;
		}
	}
	ctl_reply_error(reply, "%s of %s is not banned", req->argv[1], req->argv[0]);
}

static void cmd_bans(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;
	json_t *a = json_array();

	(void)req;
	cp_is_banned(cp, "", ""); /* drops the expired ones */
	for (struct cp_ban *b = cp->bans; b; b = b->next)
		json_array_append_new(a, json_pack("{s:s, s:s, s:I}", "app", b->app, "user", b->user,
						   "until_ms", (json_int_t)b->until_ms));
	ctl_reply_json(reply, json_pack("{s:o}", "bans", a));
}

/* ---- applications ------------------------------------------------------ */

static json_t *app_json(const struct cp_app_info *i)
{
	return json_pack("{s:s, s:I, s:I, s:b, s:I}", "app", i->app_id, "created",
			 (json_int_t)i->created, "rotated", (json_int_t)i->rotated, "previousKey",
			 i->has_previous, "previousValidUntil", (json_int_t)i->previous_valid_until);
}

static void cmd_app_add(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;
	char key[CP_DEVKEY_MAX + 1];
	struct cp_err err = { { 0 } };

	if (cp_appstore_add(cp->apps, req->argv[0], req->argc > 1 ? req->argv[1] : NULL,
			    cp_wall_ms() / 1000, key, &err) != 0) {
		ctl_reply_error(reply, "%s", err.msg);
		return;
	}
	/* The key is shown once, to the operator who added it. */
	if (ctl_reply_wants_json(reply))
		ctl_reply_json(reply, json_pack("{s:s, s:s}", "app", req->argv[0], "key", key));
	else
		ctl_reply_printf(reply, "application %s added; DeveloperKey: %s\n", req->argv[0], key);
	OPENSSL_cleanse(key, sizeof(key));
}

static void cmd_app_list(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;
	json_t *a = json_array();
	struct cp_app_info info;

	(void)req;
	for (size_t i = 0; i < cp_appstore_count(cp->apps); i++) {
		if (cp_appstore_info(cp->apps, i, &info) != 0)
			continue;
		if (ctl_reply_wants_json(reply))
			json_array_append_new(a, app_json(&info));
		else
			ctl_reply_printf(reply, "%s%s\n", info.app_id,
					 info.has_previous ? " (rotated: previous key in grace)" : "");
	}
	if (ctl_reply_wants_json(reply))
		ctl_reply_json(reply, json_pack("{s:o}", "apps", a));
	else
		json_decref(a);
}

static void cmd_app_rotate(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;
	char key[CP_DEVKEY_MAX + 1];
	struct cp_err err = { { 0 } };
	const char *new_key = NULL, *grace_s = NULL;
	uint64_t grace = cp->cfg.apps.rotation_grace_s;

	for (int i = 1; i < req->argc; i++) {
		if (strcmp(req->argv[i], "--grace") == 0 && i + 1 < req->argc)
			grace_s = req->argv[++i];
		else if (i == 1 && req->argv[i][0] != '-') /* argument 2: redacted */
			new_key = req->argv[i];
		else {
			ctl_reply_error(reply, "unexpected argument %d", i + 1);
			return;
		}
	}
	if (grace_s) {
		char *end;

		grace = strtoull(grace_s, &end, 10);
		if (*end || !*grace_s || *grace_s == '-') {
			ctl_reply_error(reply, "--grace: seconds, a decimal number");
			return;
		}
	}
	if (cp_appstore_rotate(cp->apps, req->argv[0], new_key, grace, cp_wall_ms() / 1000, key,
			       &err) != 0) {
		ctl_reply_error(reply, "%s", err.msg);
		return;
	}
	if (ctl_reply_wants_json(reply))
		ctl_reply_json(reply, json_pack("{s:s, s:s, s:I}", "app", req->argv[0], "key", key,
						"grace_s", (json_int_t)grace));
	else
		ctl_reply_printf(reply,
				 "application %s rotated; new DeveloperKey: %s (the old one works "
				 "for %llu more seconds)\n",
				 req->argv[0], key, (unsigned long long)grace);
	OPENSSL_cleanse(key, sizeof(key));
}

static void cmd_app_remove(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;
	struct cp_err err = { { 0 } };

	if (cp_appstore_remove(cp->apps, req->argv[0], &err) != 0) {
		ctl_reply_error(reply, "%s", err.msg);
		return;
	}
	ctl_reply_json(reply, json_pack("{s:s}", "removed", req->argv[0]));
}

/* ---- tokens ------------------------------------------------------------ */

static void cmd_token_generate(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;
	struct cp_token_args a;
	struct cp_token_keys keys;
	char err[160], *token;
	const uint8_t *key;
	size_t key_len;
	int rc;

	if (cp_token_args_parse(req->argc, req->argv, false, &a, err, sizeof(err)) < 0) {
		ctl_reply_error(reply, "%s", err);
		return;
	}
	memset(&keys, 0, sizeof(keys));
	if (a.key) {
		key = (const uint8_t *)a.key;
		key_len = strlen(a.key);
	} else {
		if (cp_appstore_lookup(cp->apps, a.app, cp_wall_ms() / 1000, &keys) != 0 ||
		    !keys.n) {
			ctl_reply_error(reply, "no application %s in the store (stratactl app add)",
					a.app);
			return;
		}
		key = keys.key[0].bytes;
		key_len = keys.key[0].len;
	}
	token = malloc(CP_TOKEN_MAX_LEN + 1);
	rc = token ? cp_token_args_generate(&a, key, key_len, cp_wall_ms() / 1000, token,
					    CP_TOKEN_MAX_LEN + 1)
		   : CP_TOKEN_INTERNAL;
	OPENSSL_cleanse(&keys, sizeof(keys));
	if (rc != CP_TOKEN_OK)
		ctl_reply_error(reply, "%s", cp_token_error_message(rc));
	else if (ctl_reply_wants_json(reply))
		ctl_reply_json(reply, json_pack("{s:s}", "token", token));
	else
		ctl_reply_printf(reply, "%s\n", token);
	free(token);
}

static void cmd_token_verify(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;
	struct cp_token_args a;
	char err[160];
	json_t *o;

	if (cp_token_args_parse(req->argc, req->argv, true, &a, err, sizeof(err)) < 0) {
		ctl_reply_error(reply, "%s", err);
		return;
	}
	if (a.key) {
		struct cp_token_claims claims;
		struct cp_token_static_keys sk = { .key = (const uint8_t *)a.key,
						   .key_len = strlen(a.key) };

		/* The key applies to whatever application the token names. */
		cp_token_inspect(a.token, &claims);
		sk.app_id = claims.app_id;
		o = cp_token_verify_json(a.token, cp_token_static_lookup, &sk,
					 a.has_now ? a.now : cp_wall_ms() / 1000,
					 cp->cfg.tokens.skew_s);
	} else {
		o = cp_token_verify_json(a.token, cp_appstore_lookup, cp->apps,
					 a.has_now ? a.now : cp_wall_ms() / 1000,
					 cp->cfg.tokens.skew_s);
	}
	ctl_reply_json(reply, o);
}

/* ---- stats, drain, reload ------------------------------------------------ */

static json_t *stats_json(struct cp *cp)
{
	struct sig_server_stats ss;
	struct cp_dplink_stats ds;
	json_t *joins = json_object(), *o;

	sig_server_stats(cp->sig, &ss);
	cp_dplink_get_stats(cp->dp, &ds);
	for (int r = 0; r < CP_JOIN_RESULT_COUNT; r++)
		json_object_set_new(joins, cp_join_result_name(r), json_integer((json_int_t)cp->joins[r]));
	o = json_pack("{s:{s:o, s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I, "
		      "s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}}",
		      "controlplane", "joins", joins, "leaves", (json_int_t)cp->leaves, "kicks",
		      (json_int_t)cp->kicks, "publishes", (json_int_t)cp->publishes, "chats",
		      (json_int_t)cp->chats, "rooms", (json_int_t)cp->rooms.n_rooms,
		      "participants", (json_int_t)cp->n_participants,
		      "signaling", "accepted", (json_int_t)ss.accepted, "opened",
		      (json_int_t)ss.opened, "open", (json_int_t)ss.open, "msgs_in",
		      (json_int_t)ss.msgs_in, "msgs_out", (json_int_t)ss.msgs_out, "requests",
		      (json_int_t)ss.requests, "refused", (json_int_t)ss.refused,
		      "link", "commands", (json_int_t)ds.commands, "results_ok",
		      (json_int_t)ds.results_ok, "results_failed", (json_int_t)ds.results_failed,
		      "stale", (json_int_t)ds.stale, "events", (json_int_t)ds.events,
		      "epoch_changes", (json_int_t)ds.epoch_changes, "punts", (json_int_t)ds.punts);
	if (o) {
		json_t *stun = json_object(), *closes = json_object();

		/* How connections ended, by reason ("dead": no answer to a
		 * ping, the client's network gone). */
		for (int r = 0; r < SIG_CLOSE_COUNT; r++)
			json_object_set_new(closes, sig_close_name(r),
					    json_integer((json_int_t)ss.closes[r]));
		json_object_set_new(json_object_get(o, "signaling"), "closes", closes);

		for (int r = 0; r < CP_STUN_RESULT_COUNT; r++)
			json_object_set_new(stun, cp_stun_result_name(r),
					    json_integer((json_int_t)cp->stun[r]));
		json_object_set_new(json_object_get(o, "controlplane"), "stun", stun);
	}
	if (o && cp->have_dp_stats) {
		const struct strata_event_stats *d = &cp->dp_stats;

		json_object_set_new(
			o, "dataplane",
			json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:i, s:i}",
				  "rx_packets", (json_int_t)d->rx_packets, "forwarded",
				  (json_int_t)d->forwarded, "dropped", (json_int_t)d->dropped,
				  "punted", (json_int_t)d->punted, "tx_packets",
				  (json_int_t)d->tx_packets, "tx_dropped", (json_int_t)d->tx_dropped,
				  "events_dropped", (json_int_t)d->events_dropped, "mbufs_in_use",
				  (json_int_t)d->mbufs_in_use, "legs", (int)d->legs, "streams",
				  (int)d->streams, "subscriptions", (int)d->subscriptions, "workers",
				  (int)d->workers));
	}
	return o;
}

void cp_commands_stats_ready(struct cp *cp)
{
	while (cp->stats_waits) {
		struct cp_stats_wait *w = cp->stats_waits;

		cp->stats_waits = w->next;
		ctl_reply_json(w->reply, stats_json(cp));
		ctl_reply_finish(w->reply);
		free(w);
	}
}

static void stats_result(void *arg, const struct strata_cmd *cmd, int status)
{
	struct cp *cp = arg;

	(void)cmd;
	/* Answered without a STATS event (strata-dp gone): what there is. */
	if (status != STRATA_CMD_OK)
		cp_commands_stats_ready(cp);
}

static void cmd_stats(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;
	struct strata_cmd cmd;
	struct cp_stats_wait *w;

	(void)req;
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_STATS;
	w = calloc(1, sizeof(*w));
	/* Fresh dataplane counters when strata-dp is there: the reply waits
	 * for its STATS event. */
	if (w && cp_dplink_send(cp->dp, &cmd, stats_result, cp) == 0) {
		w->reply = reply;
		w->next = cp->stats_waits;
		cp->stats_waits = w;
		ctl_reply_defer(reply);
		return;
	}
	free(w);
	ctl_reply_json(reply, stats_json(cp));
}

static void cmd_drain(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;

	(void)req;
	cp->draining = true;
	CP_INFO("draining: no new rooms; stopping when the last one empties",
		CP_KV_UINT("rooms", cp->rooms.n_rooms));
	ctl_reply_json(reply, json_pack("{s:b, s:I}", "draining", 1, "rooms",
					(json_int_t)cp->rooms.n_rooms));
	cp_check_drained(cp);
}

/* The settings a reload applies; the others need a restart. */
int cp_reload(struct cp *cp, char *msg, size_t len)
{
	struct cp_config n;
	char err[512];

	if (!cp->config_path) {
		snprintf(msg, len, "started without -c: nothing to reload");
		return -1;
	}
	if (cp_config_load(cp->config_path, &n, err, sizeof(err)) < 0) {
		snprintf(msg, len, "%s (nothing changed)", err);
		return -1;
	}
	cp->cfg.quotas = n.quotas;
	cp->cfg.tokens = n.tokens;
	cp->cfg.apps.rotation_grace_s = n.apps.rotation_grace_s;
	cp->cfg.media = n.media;
	cp->cfg.logs.level[0] = 0;
	snprintf(cp->cfg.logs.level, sizeof(cp->cfg.logs.level), "%s", n.logs.level);
	cp_log_set_level(NULL, (enum cp_log_level)cp_log_level_parse(n.logs.level));
	cp->rl_addr.rate = n.quotas.joins_per_s_per_address;
	cp->rl_addr.burst = n.quotas.joins_burst_per_address;
	cp->rl_app.rate = n.quotas.joins_per_s_per_app;
	cp->rl_app.burst = n.quotas.joins_burst_per_app;
	snprintf(msg, len, "reloaded quotas, tokens, apps.rotation_grace_s, media, logs.level "
			   "from %s", cp->config_path);
	return 0;
}

static void cmd_reload(const struct ctl_request *req, struct ctl_reply *reply, void *arg)
{
	struct cp *cp = arg;
	char msg[600];

	(void)req;
	if (cp_reload(cp, msg, sizeof(msg)) < 0)
		ctl_reply_error(reply, "%s", msg);
	else
		ctl_reply_json(reply, json_pack("{s:s}", "reloaded", msg));
}

struct command {
	const char *name, *usage;
	int min, max;
	ctl_handler_fn *fn;
	const char *secret;
};

static const struct command commands[] = {
	{ "status", "status", 0, 0, cmd_status, NULL },
	{ "rooms", "rooms [APP]", 0, 1, cmd_rooms, NULL },
	{ "room show", "room show APP RESOURCE", 2, 2, cmd_room_show, NULL },
	{ "participants", "participants [APP]", 0, 1, cmd_participants, NULL },
	{ "kick", "kick APP RESOURCE PARTICIPANT", 3, 3, cmd_kick, NULL },
	{ "ban", "ban APP USER [SECONDS]", 2, 3, cmd_ban, NULL },
	{ "unban", "unban APP USER", 2, 2, cmd_unban, NULL },
	{ "bans", "bans", 0, 0, cmd_bans, NULL },
	{ "app add", "app add APP [DEVELOPER_KEY]", 1, 2, cmd_app_add, "2" },
	{ "app list", "app list", 0, 0, cmd_app_list, NULL },
	{ "app rotate", "app rotate APP [NEW_KEY] [--grace SECONDS]", 1, 4, cmd_app_rotate, "2" },
	{ "app remove", "app remove APP", 1, 1, cmd_app_remove, NULL },
	{ "token generate",
	  "token generate --app APP --user USER --expires-in SECONDS [--vcard V] [--key KEY]", 6,
	  10, cmd_token_generate, "--key" },
	{ "token verify", "token verify --token TOKEN [--key KEY] [--now UNIX_TIME]", 2, 6,
	  cmd_token_verify, "--token --key" },
	{ "stats", "stats", 0, 0, cmd_stats, NULL },
	{ "drain", "drain", 0, 0, cmd_drain, NULL },
	{ "reload", "reload", 0, 0, cmd_reload, NULL },
};

int cp_commands_register(struct cp *cp)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];

		if (ctl_register(cp->ctl, c->name, c->usage, c->min, c->max, c->fn, cp) < 0)
			return -1;
		if (c->secret && ctl_set_secret(cp->ctl, c->name, c->secret) < 0)
			return -1;
	}
	return 0;
}
