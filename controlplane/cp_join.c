/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Joining and resuming (include/strata/signaling.h), and the participants
 * who are away between the two.
 *
 * join checks, in this order, each with the error a vidyo.io developer
 * expects: the source address's join rate (RateLimited), the token
 * against the app store (InvalidToken, with the token error's sentence),
 * the ResourceID (InvalidResourceId), the application's join rate
 * (RateLimited), a ban (Banned), draining (ServerDraining, for a new room
 * only), the quotas (ResourceFull: participants per room, rooms and
 * participants per application), codecs and SRTP profile
 * (UnsupportedMedia), the dataplane (MiscRemoteError when none is
 * attached), and only then spends anything: a leg id, a UDP port, fresh
 * master keys from OpenSSL's CSPRNG per direction.  "joined" goes out when
 * strata-dp has accepted the leg.  A refused newcomer costs those already
 * in nothing.
 *
 * A participant whose connection is lost without "leave" is away: its
 * leg stays for sessions.resume_grace_s, and "resume" with its token on a
 * new connection takes it back with the same keys and port.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cp.h"
#include "cp_session_priv.h"
#include "log.h"
#include "token.h"

CP_LOG_MODULE_USE(session);

/* ---- join ---------------------------------------------------------------------- */

static void join_fail(struct cp *cp, struct sig_conn *c, int64_t id, enum cp_join_result r,
		      enum strata_sig_error reason, const char *message)
{
	cp->joins[r]++;
	CP_INFO("join refused", CP_KV_STR("peer", sig_conn_peer_str(c)),
		CP_KV_STR("result", cp_join_result_name(r)), CP_KV_STR("message", message));
	sig_send_error(c, id, reason, message);
}

/* The client's address without its port: the rate limit's key. */
static void peer_ip(struct sig_conn *c, char *out, size_t len)
{
	socklen_t sl;
	const struct sockaddr *sa = sig_conn_peer(c, &sl);

	out[0] = 0;
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)len);
}

/* The first of the client's profiles (its preference order) that the
 * configuration offers; 0 when none. */
static uint8_t pick_profile(const struct cp_config *cfg, const struct sig_join *j)
{
	for (unsigned i = 0; i < j->n_srtp_profiles; i++)
		for (unsigned k = 0; k < cfg->media.n_profiles; k++)
			if (cfg->media.profiles[k] == j->srtp_profiles[i])
				return j->srtp_profiles[i];
	return 0;
}

static uint8_t key_salt_len(uint8_t profile)
{
	switch (profile) {
	case SIG_SRTP_AES_CM_128_HMAC_SHA1_80:
	case SIG_SRTP_AES_CM_128_HMAC_SHA1_32: return 30;
	case SIG_SRTP_AES_256_CM_HMAC_SHA1_80: return 46;
	case SIG_SRTP_AEAD_AES_128_GCM: return 28;
	case SIG_SRTP_AEAD_AES_256_GCM: return 44;
	}
	return 0;
}

/* The router's media address: one of the client's family when there is
 * one, else the first. */
static const struct strata_addr *media_addr(const struct cp *cp, struct sig_conn *c)
{
	socklen_t sl;
	const struct sockaddr *sa = sig_conn_peer(c, &sl);
	uint8_t fam = sa && sa->sa_family == AF_INET6 ? STRATA_AF_INET6 : STRATA_AF_INET;

	for (unsigned i = 0; i < cp->cfg.dataplane.n_media; i++)
		if (cp->cfg.dataplane.media[i].family == fam)
			return &cp->cfg.dataplane.media[i];
	return &cp->cfg.dataplane.media[0];
}

static void addr_text(const struct strata_addr *a, char *out, size_t len)
{
	inet_ntop(a->family == STRATA_AF_INET6 ? AF_INET6 : AF_INET, a->ip, out, (socklen_t)len);
}

/* What p is told of the room ("joined", "resumed"): the others and their
 * streams as p receives them, and p's media section. */
struct view {
	struct sig_participant_info *parts;
	struct sig_stream_info *streams;
	size_t n;
	char addr[64];
	struct sig_media_info media;
};

static int view_build(const struct cp_participant *p, struct view *v)
{
	struct cp_room *room = p->room;
	size_t ns = 0;

	memset(v, 0, sizeof(*v));
	v->parts = calloc(room->n_members, sizeof(*v->parts));
	v->streams = calloc((size_t)room->n_members * CP_MAX_PUBS, sizeof(*v->streams));
	if (!v->parts || !v->streams) {
		free(v->parts);
		free(v->streams);
		return -1;
	}
	for (struct cp_participant *q = room->members; q; q = q->next) {
		struct sig_participant_info *pi = &v->parts[v->n];

		if (q == p || !q->joined)
			continue;
		pi->participant_id = q->id;
		pi->display_name = q->display;
		pi->streams = &v->streams[ns];
		for (unsigned i = 0; i < q->n_pubs; i++) {
			struct cp_sub *s = cp_participant_sub((struct cp_participant *)p, q,
							      q->pubs[i].id);

			if (s)
				cp_stream_info(&q->pubs[i], s, &v->streams[ns + pi->n_streams++]);
		}
		ns += pi->n_streams;
		v->n++;
	}
	addr_text(&p->local, v->addr, sizeof(v->addr));
	v->media = (struct sig_media_info){ .address = v->addr, .port = p->local.port,
					    .profile = p->profile, .send = p->send_key,
					    .send_len = p->key_len, .recv = p->recv_key,
					    .recv_len = p->key_len };
	return 0;
}

static void view_free(struct view *v)
{
	free(v->parts);
	free(v->streams);
	OPENSSL_cleanse(v, sizeof(*v));
}

static void send_joined(struct cp *cp, struct cp_participant *p)
{
	struct view v;
	char *json = NULL;

	(void)cp;
	if (view_build(p, &v) == 0) {
		struct sig_joined j = {
			.participant_id = p->id,
			.resume_token = p->resume,
			.resource_id = p->room->resource,
			.participants = v.parts,
			.n_participants = v.n,
			.media = v.media,
		};

		json = sig_build_joined(p->join_request, &j);
		view_free(&v);
	}
	if (json)
		cp_send_owned(p->conn, json);
	else
		sig_send_error(p->conn, p->join_request, STRATA_SIG_ERR_MISC_REMOTE_ERROR,
			       "out of memory");
}

static void leg_added(void *arg, const struct strata_cmd *cmd, int status)
{
	struct cp_participant *p = arg;
	struct cp *cp = p->owner;

	(void)cmd;
	p->inflight--;
	if (p->gone) {
		/* It left while strata-dp was adding the leg: delete it. */
		if (status == STRATA_CMD_OK && p->dp_leg)
			cp_program_leg_del(cp, p);
		if (!p->inflight)
			cp_participant_release(cp, p);
		return;
	}
	if (status != STRATA_CMD_OK) {
		char msg[96];

		snprintf(msg, sizeof(msg), "the media router refused the leg (status %d)", status);
		cp->joins[CP_JOIN_DATAPLANE_REFUSED]++;
		CP_WARN("join failed in strata-dp", CP_KV_STR("participant", p->id),
			CP_KV_INT("status", status));
		if (p->conn)
			sig_send_error(p->conn, p->join_request, STRATA_SIG_ERR_MISC_REMOTE_ERROR,
				       msg);
		/* The leg never existed: nothing to delete in strata-dp. */
		cp_idpool_give(&cp->legs, p->dp_leg);
		cp_idpool_give(&cp->ports, p->local.port);
		p->dp_leg = 0;
		cp_participant_remove(cp, p, "failed");
		return;
	}
	p->joined = true;
	cp->joins[CP_JOIN_OK]++;
	/* p receives every stream already published in the room. */
	for (struct cp_participant *q = p->room->members; q; q = q->next) {
		if (q == p || !q->joined)
			continue;
		for (unsigned i = 0; i < q->n_pubs; i++)
			cp_program_sub(cp, p, q, &q->pubs[i]);
	}
	send_joined(cp, p);
	char *ev = sig_build_participant_joined(p->id, p->display);

	cp_room_broadcast(p->room, p, ev);
	sig_json_free(ev);
	CP_INFO("participant joined", CP_KV_STR("participant", p->id),
		CP_KV_STR("user", p->user), CP_KV_STR("app", p->room->app),
		CP_KV_STR("resource", p->room->resource), CP_KV_UINT("leg", p->dp_leg),
		CP_KV_UINT("port", p->local.port));
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = 0;
}

void cp_do_join(struct cp *cp, struct sig_conn *c, const struct sig_request *req)
{
	const struct sig_join *j = &req->u.join;
	struct cp_token_claims claims;
	enum cp_token_error why;
	struct cp_room *room;
	struct cp_participant *p;
	char ip[64];
	uint8_t profile, rnd[16];
	uint32_t codecs;
	bool created;

	if (sig_conn_user(c)) {
		sig_send_error(c, req->id, STRATA_SIG_ERR_MISC_REMOTE_ERROR,
			       "this connection has joined already");
		return;
	}
	peer_ip(c, ip, sizeof(ip));
	if (!cp_ratelimit_take(&cp->rl_addr, ip, cp_now_ms()))
		return join_fail(cp, c, req->id, CP_JOIN_RATE_LIMITED, STRATA_SIG_ERR_RATE_LIMITED,
				 "too many joins from this address: retry later");
	if (cp_token_verify(j->token, cp_appstore_lookup, cp->apps, cp_wall_ms() / 1000,
			    cp->cfg.tokens.skew_s, &claims, &why) != 0)
		return join_fail(cp, c, req->id, CP_JOIN_INVALID_TOKEN, STRATA_SIG_ERR_INVALID_TOKEN,
				 cp_token_error_message(why));
	if (!cp_resource_id_valid(j->resource_id))
		return join_fail(cp, c, req->id, CP_JOIN_INVALID_RESOURCE_ID,
				 STRATA_SIG_ERR_INVALID_RESOURCE_ID,
				 "resourceId: 1-128 of A-Z a-z 0-9 . _ : @ -");
	if (!cp_ratelimit_take(&cp->rl_app, claims.app_id, cp_now_ms()))
		return join_fail(cp, c, req->id, CP_JOIN_RATE_LIMITED, STRATA_SIG_ERR_RATE_LIMITED,
				 "too many joins to this application: retry later");
	if (cp_is_banned(cp, claims.app_id, claims.user))
		return join_fail(cp, c, req->id, CP_JOIN_BANNED, STRATA_SIG_ERR_BANNED,
				 "an operator banned this user");
	room = cp_room_find(&cp->rooms, claims.app_id, j->resource_id);
	if (!room && cp->draining)
		return join_fail(cp, c, req->id, CP_JOIN_DRAINING, STRATA_SIG_ERR_SERVER_DRAINING,
				 "the server takes no new rooms: try another");
	if (room && room->n_members >= cp->cfg.quotas.participants_per_room)
		return join_fail(cp, c, req->id, CP_JOIN_RESOURCE_FULL, STRATA_SIG_ERR_RESOURCE_FULL,
				 "the room has as many participants as it may");
	if (!room && cp_rooms_of_app(&cp->rooms, claims.app_id) >= cp->cfg.quotas.rooms_per_app)
		return join_fail(cp, c, req->id, CP_JOIN_RESOURCE_FULL, STRATA_SIG_ERR_RESOURCE_FULL,
				 "the application has as many rooms as it may");
	if (cp_participants_of_app(&cp->rooms, claims.app_id) >=
	    cp->cfg.quotas.participants_per_app)
		return join_fail(cp, c, req->id, CP_JOIN_RESOURCE_FULL, STRATA_SIG_ERR_RESOURCE_FULL,
				 "the application has as many participants as it may");
	codecs = j->codecs & cp->cfg.media.codecs;
	profile = pick_profile(&cp->cfg, j);
	if (!codecs || !profile)
		return join_fail(cp, c, req->id, CP_JOIN_UNSUPPORTED_MEDIA,
				 STRATA_SIG_ERR_UNSUPPORTED_MEDIA,
				 !codecs ? "no codec in common with the router"
					 : "no SRTP profile in common with the router");
	if (!cp_dplink_up(cp->dp) || !cp->pools_ready)
		return join_fail(cp, c, req->id, CP_JOIN_NO_DATAPLANE,
				 STRATA_SIG_ERR_MISC_REMOTE_ERROR,
				 "the media router is not available: retry later");

	p = calloc(1, sizeof(*p));
	if (!p)
		return join_fail(cp, c, req->id, CP_JOIN_OTHER, STRATA_SIG_ERR_MISC_REMOTE_ERROR,
				 "out of memory");
	p->dp_leg = cp_idpool_take(&cp->legs);
	p->local = *media_addr(cp, c);
	p->local.port = (uint16_t)cp_idpool_take(&cp->ports);
	p->key_len = key_salt_len(profile);
	if (!p->dp_leg || !p->local.port ||
	    RAND_bytes(p->send_key, p->key_len) != 1 || RAND_bytes(p->recv_key, p->key_len) != 1 ||
	    RAND_bytes(rnd, sizeof(rnd)) != 1) {
		cp_idpool_give(&cp->legs, p->dp_leg);
		cp_idpool_give(&cp->ports, p->local.port);
		cp_participant_release(cp, p);
		return join_fail(cp, c, req->id, CP_JOIN_RESOURCE_FULL, STRATA_SIG_ERR_RESOURCE_FULL,
				 "the media router has no leg or port left");
	}
	room = cp_room_get(&cp->rooms, claims.app_id, j->resource_id, &created);
	if (!room) {
		cp_idpool_give(&cp->legs, p->dp_leg);
		cp_idpool_give(&cp->ports, p->local.port);
		cp_participant_release(cp, p);
		return join_fail(cp, c, req->id, CP_JOIN_OTHER, STRATA_SIG_ERR_MISC_REMOTE_ERROR,
				 "out of memory");
	}
	p->owner = cp;
	p->max_video_sources = -1;
	p->serial = ++cp->next_serial;
	snprintf(p->id, sizeof(p->id), "p-%llx", (unsigned long long)p->serial);
	memcpy(p->resume, "r-", 3);
	hex(rnd, sizeof(rnd), p->resume + 2);
	OPENSSL_cleanse(rnd, sizeof(rnd));
	snprintf(p->user, sizeof(p->user), "%s", claims.user);
	snprintf(p->display, sizeof(p->display), "%s", j->display_name);
	p->profile = profile;
	p->codecs = codecs;
	p->rtx = j->rtx;
	p->ext_audio_level = j->ext_audio_level;
	p->ext_transport_cc = j->ext_transport_cc;
	p->ext_dependency_descriptor = j->ext_dependency_descriptor;
	if (j->has_media && j->media.family == p->local.family)
		p->remote = j->media;
	else
		p->remote.family = p->local.family; /* port 0: learnt from packets */
	p->audio_level = 127;
	p->conn = c;
	p->join_request = req->id;
	p->joined_ms = p->last_heard_ms = cp_now_ms();
	cp_room_add(room, p);
	cp->n_participants++;
	sig_conn_set_user(c, p);
	OPENSSL_cleanse(&claims, sizeof(claims));
	cp_program_leg(cp, p, leg_added);
}


/* ---- resume ------------------------------------------------------------------ */

/* The participant whose resume token this is (compared in constant
 * time), or NULL. */
static struct cp_participant *by_resume(struct cp *cp, const char *token)
{
	size_t len = strlen(token);
	unsigned k;

	for (struct cp_room *r = cp_rooms_first(&cp->rooms, &k); r;
	     r = cp_rooms_next(&cp->rooms, r, &k))
		for (struct cp_participant *p = r->members; p; p = p->next)
			if (p->joined && len == strlen(p->resume) &&
			    CRYPTO_memcmp(p->resume, token, len) == 0)
				return p;
	return NULL;
}

/*
 * A client back on a new connection: its participant, media leg and
 * subscriptions never went away (resume_grace_s), so the answer repeats
 * what "joined" said, with the same keys and port.  Others notice nothing.
 */
void cp_do_resume(struct cp *cp, struct sig_conn *c, const struct sig_request *req)
{
	struct cp_participant *p;
	struct view v;
	char *json;

	if (sig_conn_user(c)) {
		sig_send_error(c, req->id, STRATA_SIG_ERR_MISC_REMOTE_ERROR,
			       "this connection has joined already");
		return;
	}
	p = by_resume(cp, req->u.resume.resume_token);
	if (!p) {
		sig_send_error(c, req->id, STRATA_SIG_ERR_NOT_MEMBER,
			       "no participant has this resume token (expired?): join again");
		return;
	}
	if (p->conn) {
		/* The old connection is not dead yet as far as we know: the
		 * client knows better. */
		sig_conn_set_user(p->conn, NULL);
		sig_close(p->conn, SIG_CLOSE_GOING_AWAY);
	}
	if (view_build(p, &v) < 0) {
		sig_send_error(c, req->id, STRATA_SIG_ERR_MISC_REMOTE_ERROR, "out of memory");
		return;
	}
	p->conn = c;
	p->away_since_ms = 0;
	p->last_heard_ms = cp_now_ms();
	sig_conn_set_user(c, p);
	json = sig_build_resumed(req->id, p->id, v.parts, v.n, &v.media);
	view_free(&v);
	cp_send_owned(c, json);
	CP_INFO("participant resumed", CP_KV_STR("participant", p->id),
		CP_KV_STR("peer", sig_conn_peer_str(c)));
}

void cp_sessions_tick(struct cp *cp)
{
	uint64_t now = cp_now_ms(), grace = (uint64_t)cp->cfg.sessions.resume_grace_s * 1000;
	struct cp_participant **expired;
	size_t n = 0;
	unsigned k;

	if (!cp->n_participants)
		return;
	expired = calloc(cp->n_participants, sizeof(*expired));
	if (!expired)
		return;
	for (struct cp_room *r = cp_rooms_first(&cp->rooms, &k); r;
	     r = cp_rooms_next(&cp->rooms, r, &k))
		for (struct cp_participant *p = r->members; p; p = p->next)
			if (!p->conn && p->away_since_ms && now - p->away_since_ms >= grace &&
			    n < cp->n_participants)
				expired[n++] = p;
	for (size_t i = 0; i < n; i++)
		cp_participant_remove(cp, expired[i], "ConnectionTimeout");
	free(expired);
}

void cp_sessions_remove_all(struct cp *cp, const char *reason)
{
	unsigned k;
	struct cp_room *r;

	/* Removing may drop the room being walked: start over each time. */
	while ((r = cp_rooms_first(&cp->rooms, &k)) && r->members) {
		struct cp_participant *p = r->members;

		if (p->conn) {
			sig_conn_set_user(p->conn, NULL);
			sig_close(p->conn, SIG_CLOSE_GOING_AWAY);
			p->conn = NULL;
		}
		cp_participant_remove(cp, p, reason);
	}
}
