/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The signaling requests (include/strata/signaling.h): join, publish,
 * unpublish, preferences, chat, keepalive, leave, and what a closed
 * connection means.  A participant is one joined connection; its media
 * leg lives in strata-dp (cp_program.c).
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
 * Keys and tokens never reach a log: requests are logged through
 * sig_request_describe, which leaves secrets out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cp.h"
#include "log.h"
#include "token.h"

CP_LOG_MODULE(session);

static const char *const join_result_names[] = {
#define CP_JOIN_NAME(name, str) str,
	CP_FOREACH_JOIN_RESULT(CP_JOIN_NAME)
#undef CP_JOIN_NAME
};

const char *cp_join_result_name(enum cp_join_result r)
{
	return r < CP_JOIN_RESULT_COUNT ? join_result_names[r] : "unknown";
}

uint64_t cp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t cp_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void send_owned(struct sig_conn *c, char *json)
{
	if (c && json)
		sig_send(c, json);
	sig_json_free(json);
}

void cp_room_broadcast(struct cp_room *room, const struct cp_participant *except,
		       const char *json)
{
	if (!json)
		return;
	for (struct cp_participant *q = room->members; q; q = q->next)
		if (q != except && q->joined && q->conn)
			sig_send(q->conn, json);
}

bool cp_is_banned(struct cp *cp, const char *app, const char *user)
{
	uint64_t now = cp_wall_ms();

	for (struct cp_ban **at = &cp->bans; *at;) {
		struct cp_ban *b = *at;

		if (b->until_ms && b->until_ms <= now) {
			*at = b->next; /* expired */
			free(b);
			continue;
		}
		if (strcmp(b->app, app) == 0 && strcmp(b->user, user) == 0)
			return true;
		at = &b->next;
	}
	return false;
}

void cp_check_drained(struct cp *cp)
{
	if (cp->draining && cp->rooms.n_rooms == 0 && !cp->stopping) {
		CP_INFO("drained: the last room is empty, stopping");
		cp->stopping = true;
		sig_server_stop(cp->sig);
	}
}

/* ---- participants ---------------------------------------------------------- */

void cp_participant_release(struct cp *cp, struct cp_participant *p)
{
	(void)cp;
	for (struct cp_sub *s = p->subs, *next; s; s = next) {
		next = s->next;
		free(s);
	}
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
}

/* The stream as receiver r gets it through subscription s. */
static void stream_info(const struct cp_pub *pub, const struct cp_sub *s,
			struct sig_stream_info *out)
{
	memset(out, 0, sizeof(*out));
	out->stream_id = pub->id;
	out->kind = pub->kind;
	out->codec = pub->codec;
	out->pt = s->pt;
	out->ssrc = s->ssrc;
}

void cp_participant_remove(struct cp *cp, struct cp_participant *p, const char *left_reason)
{
	struct cp_room *room = p->room;

	if (p->gone)
		return;
	/* Others' subscriptions to p's streams, then p's own, then p's streams
	 * and leg: the order strata-dp needs. */
	for (struct cp_participant *q = room->members; q; q = q->next) {
		if (q == p)
			continue;
		for (struct cp_sub *s = q->subs, *next; s; s = next) {
			next = s->next;
			if (s->publisher == p)
				cp_program_sub_del(cp, q, s);
		}
	}
	while (p->subs)
		cp_program_sub_del(cp, p, p->subs);
	for (unsigned i = 0; i < p->n_pubs; i++)
		cp_program_pub_del(cp, p, &p->pubs[i]);
	p->n_pubs = 0;
	cp_program_leg_del(cp, p);

	cp_room_remove(room, p);
	cp->n_participants--;
	cp_state_changed(cp);
	if (p->joined) {
		char *ev = sig_build_participant_left(p->id, left_reason);

		cp_room_broadcast(room, p, ev);
		sig_json_free(ev);
	}
	CP_INFO("participant left", CP_KV_STR("participant", p->id), CP_KV_STR("app", room->app),
		CP_KV_STR("resource", room->resource), CP_KV_STR("reason", left_reason));
	if (room->n_members == 0)
		cp_room_drop(&cp->rooms, room);
	if (p->conn)
		sig_conn_set_user(p->conn, NULL);
	p->conn = NULL;
	p->room = NULL;
	p->gone = true;
	OPENSSL_cleanse(p->send_key, sizeof(p->send_key));
	OPENSSL_cleanse(p->recv_key, sizeof(p->recv_key));
	if (!p->inflight)
		cp_participant_release(cp, p);
	cp->leaves++;
	cp_check_drained(cp);
}

void cp_participant_kick(struct cp *cp, struct cp_participant *p, const char *closing_reason,
			 const char *left_reason)
{
	struct sig_conn *c = p->conn;

	if (c) {
		send_owned(c, sig_build_closing(closing_reason));
		sig_close(c, SIG_CLOSE_POLICY);
	}
	cp->kicks++;
	cp_participant_remove(cp, p, left_reason);
}

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
				stream_info(&q->pubs[i], s, &v->streams[ns + pi->n_streams++]);
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
		send_owned(p->conn, json);
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

static void do_join(struct cp *cp, struct sig_conn *c, const struct sig_request *req)
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

/* ---- the other requests -------------------------------------------------------- */

static bool ssrc_taken(const struct cp_participant *p, uint32_t ssrc)
{
	for (unsigned i = 0; i < p->n_pubs; i++)
		for (unsigned e = 0; e < p->pubs[i].n_encodings; e++)
			if (p->pubs[i].ssrc[e] == ssrc || (ssrc && p->pubs[i].rtx_ssrc[e] == ssrc))
				return true;
	return false;
}

static void do_publish(struct cp *cp, struct cp_participant *p, struct sig_conn *c,
		       const struct sig_request *req)
{
	const struct sig_publish *pr = &req->u.publish;
	struct sig_published_stream out[SIG_MAX_STREAMS];
	char *json;

	if (p->n_pubs + pr->n_streams > CP_MAX_PUBS) {
		sig_send_error(c, req->id, STRATA_SIG_ERR_RESOURCE_FULL,
			       "a participant publishes at most 8 streams");
		return;
	}
	for (unsigned i = 0; i < pr->n_streams; i++) {
		const struct sig_stream *s = &pr->streams[i];

		if (!(p->codecs & (1u << s->codec))) {
			sig_send_error(c, req->id, STRATA_SIG_ERR_UNSUPPORTED_MEDIA,
				       "publish: a codec the join did not negotiate");
			return;
		}
		if (s->n_simulcast > CP_MAX_ENCODINGS) {
			sig_send_error(c, req->id, STRATA_SIG_ERR_RESOURCE_FULL,
				       "publish: at most 4 simulcast encodings");
			return;
		}
		if (ssrc_taken(p, s->ssrc)) {
			sig_send_error(c, req->id, STRATA_SIG_ERR_MALFORMED_MESSAGE,
				       "publish: an SSRC this participant publishes already");
			return;
		}
	}
	for (unsigned i = 0; i < pr->n_streams; i++) {
		const struct sig_stream *s = &pr->streams[i];
		struct cp_pub *pub = &p->pubs[p->n_pubs];
		unsigned n = s->n_simulcast ? s->n_simulcast : 1;

		memset(pub, 0, sizeof(*pub));
		snprintf(pub->id, sizeof(pub->id), "s-%llx", (unsigned long long)++cp->next_serial);
		pub->kind = s->kind;
		pub->codec = s->codec;
		pub->pt = s->pt;
		pub->rtx_pt = s->rtx_pt;
		pub->clock_rate = s->clock_rate;
		pub->spatial_layers = s->spatial_layers ? s->spatial_layers : 1;
		pub->temporal_layers = s->temporal_layers ? s->temporal_layers : 1;
		pub->n_encodings = (uint8_t)n;
		pub->dp_source = cp_idpool_take(&cp->sources);
		for (unsigned e = 0; e < n; e++) {
			pub->ssrc[e] = s->n_simulcast ? s->simulcast[e].ssrc : s->ssrc;
			pub->dp_stream[e] = cp_idpool_take(&cp->streams);
		}
		pub->rtx_ssrc[0] = s->rtx_ssrc;
		bool ids_ok = pub->dp_source != 0;
		for (unsigned e = 0; e < n; e++)
			ids_ok = ids_ok && pub->dp_stream[e] != 0;
		if (!ids_ok) {
			/* Nothing was sent: the ids just go back. */
			for (unsigned e = 0; e < n; e++)
				cp_idpool_give(&cp->streams, pub->dp_stream[e]);
			cp_idpool_give(&cp->sources, pub->dp_source);
			sig_send_error(c, req->id, STRATA_SIG_ERR_RESOURCE_FULL,
				       "the media router has no stream id left");
			return;
		}
		p->n_pubs++;
		cp_program_pub(cp, p, pub);
		out[i].ssrc = s->ssrc;
		out[i].stream_id = pub->id;
		/* Everyone else in the room receives it. */
		for (struct cp_participant *q = p->room->members; q; q = q->next) {
			struct cp_sub *sub;
			struct sig_stream_info info;

			if (q == p || !q->joined)
				continue;
			sub = cp_program_sub(cp, q, p, pub);
			if (!sub)
				continue;
			stream_info(pub, sub, &info);
			send_owned(q->conn, sig_build_stream_added(p->id, &info));
		}
		CP_INFO("stream published", CP_KV_STR("participant", p->id),
			CP_KV_STR("stream", pub->id), CP_KV_STR("codec", sig_codec_name(pub->codec)),
			CP_KV_UINT("ssrc", pub->ssrc[0]), CP_KV_UINT("encodings", n));
	}
	cp->publishes++;
	json = sig_build_published(req->id, out, pr->n_streams);
	send_owned(c, json);
}

static void do_unpublish(struct cp *cp, struct cp_participant *p, struct sig_conn *c,
			 const struct sig_request *req)
{
	struct cp_pub *pub = cp_participant_pub(p, req->u.unpublish.stream_id);
	char *ev;

	if (!pub) {
		sig_send_error(c, req->id, STRATA_SIG_ERR_MALFORMED_MESSAGE,
			       "unpublish: no stream of this participant has that streamId");
		return;
	}
	ev = sig_build_stream_removed(p->id, pub->id);
	for (struct cp_participant *q = p->room->members; q; q = q->next) {
		struct cp_sub *s;

		if (q == p || !(s = cp_participant_sub(q, p, pub->id)))
			continue;
		cp_program_sub_del(cp, q, s);
		if (q->conn && ev)
			sig_send(q->conn, ev);
	}
	sig_json_free(ev);
	cp_program_pub_del(cp, p, pub);
	*pub = p->pubs[--p->n_pubs];
	send_owned(c, sig_build_answer(SIG_REQ_UNPUBLISH, req->id));
}

static void do_preferences(struct cp *cp, struct cp_participant *p, struct sig_conn *c,
			   const struct sig_request *req)
{
	const struct sig_preferences *pr = &req->u.preferences;

	if (pr->has_sources) {
		if (pr->n_sources > CP_MAX_PREFS) {
			sig_send_error(c, req->id, STRATA_SIG_ERR_MALFORMED_MESSAGE,
				       "preferences: at most 32 sources");
			return;
		}
		p->n_prefs = 0;
		for (unsigned i = 0; i < pr->n_sources; i++) {
			struct cp_pref *d = &p->prefs[p->n_prefs++];

			snprintf(d->pub_id, sizeof(d->pub_id), "%s", pr->sources[i].stream_id);
			d->max_spatial = pr->sources[i].max_spatial < 0 ? 255
								       : (uint8_t)pr->sources[i].max_spatial;
			d->max_temporal = pr->sources[i].max_temporal < 0
						  ? 255
						  : (uint8_t)pr->sources[i].max_temporal;
		}
		for (struct cp_sub *s = p->subs; s; s = s->next)
			cp_program_layers(cp, p, s);
	}
	if (pr->max_video_sources >= 0) {
		/* 0 is a wish too: no video at all. */
		p->max_video_sources = pr->max_video_sources;
		cp_program_video_limit(cp, p);
	}
	send_owned(c, sig_build_answer(SIG_REQ_PREFERENCES, req->id));
}

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
static void do_resume(struct cp *cp, struct sig_conn *c, const struct sig_request *req)
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
	send_owned(c, json);
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

static void on_request(void *app, struct sig_conn *c, const struct sig_request *req)
{
	struct cp *cp = app;
	struct cp_participant *p = sig_conn_user(c);
	char desc[256];

	if (cp_log_enabled(cp_log_this_module, CP_LOG_DEBUG)) {
		sig_request_describe(req, desc, sizeof(desc));
		CP_DBG("request", CP_KV_STR("peer", sig_conn_peer_str(c)), CP_KV_STR("req", desc));
	}
	if (req->type == SIG_REQ_JOIN) {
		do_join(cp, c, req);
		return;
	}
	if (req->type == SIG_REQ_KEEPALIVE) {
		if (p)
			p->last_heard_ms = cp_now_ms();
		send_owned(c, sig_build_answer(SIG_REQ_KEEPALIVE, req->id));
		return;
	}
	if (req->type == SIG_REQ_RESUME) {
		do_resume(cp, c, req);
		return;
	}
	if (!p || !p->joined) {
		sig_send_error(c, req->id, STRATA_SIG_ERR_NOT_MEMBER,
			       p ? "the join is not complete yet" : "join a room first");
		return;
	}
	p->last_heard_ms = cp_now_ms();
	switch (req->type) {
	case SIG_REQ_PUBLISH:
		do_publish(cp, p, c, req);
		break;
	case SIG_REQ_UNPUBLISH:
		do_unpublish(cp, p, c, req);
		break;
	case SIG_REQ_PREFERENCES:
		do_preferences(cp, p, c, req);
		break;
	case SIG_REQ_CHAT: {
		char *ev = sig_build_chat(p->id, p->display, req->u.chat.text);

		cp_room_broadcast(p->room, NULL, ev);
		sig_json_free(ev);
		cp->chats++;
		send_owned(c, sig_build_answer(SIG_REQ_CHAT, req->id));
		break;
	}
	case SIG_REQ_LEAVE:
		send_owned(c, sig_build_answer(SIG_REQ_LEAVE, req->id));
		sig_close(c, SIG_CLOSE_NORMAL);
		cp_participant_remove(cp, p, "left");
		break;
	default:
		sig_send_error(c, req->id, STRATA_SIG_ERR_UNKNOWN_MESSAGE, NULL);
		break;
	}
}

static void on_close(void *app, struct sig_conn *c, enum sig_close_reason reason)
{
	struct cp *cp = app;
	struct cp_participant *p = sig_conn_user(c);

	if (!p)
		return;
	p->conn = NULL;
	sig_conn_set_user(c, NULL);
	/* Gone without "leave": its media stays for resume_grace_s, in case
	 * the client comes back with its resume token (a network change, a
	 * reload).  Not while stopping, nor before it has joined. */
	if (p->joined && !cp->stopping && cp->cfg.sessions.resume_grace_s > 0) {
		p->away_since_ms = cp_now_ms();
		CP_INFO("participant away", CP_KV_STR("participant", p->id),
			CP_KV_STR("reason", sig_close_name(reason)),
			CP_KV_UINT("resume_grace_s", cp->cfg.sessions.resume_grace_s));
		return;
	}
	cp_participant_remove(cp, p, reason == SIG_CLOSE_IDLE ? "ConnectionTimeout" : "disconnected");
}

static void sig_log(void *app, int level, const char *msg)
{
	(void)app;
	CP_LOG(level <= 3 ? CP_LOG_ERROR : level == 4 ? CP_LOG_WARN : CP_LOG_INFO,
	       "signaling", CP_KV_STR("detail", msg));
}

const struct sig_handlers cp_sig_handlers = {
	.on_request = on_request,
	.on_close = on_close,
	.log = sig_log,
};
