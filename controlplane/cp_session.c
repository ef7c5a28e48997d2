/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The signaling requests (include/strata/signaling.h) once a client has
 * joined: publish, unpublish, preferences, chat, keepalive, leave; what a
 * closed connection means; and what participants share: removal, kicks,
 * bans, broadcasts.  Joining and resuming are in cp_join.c.  A participant
 * is one joined client; its media leg lives in strata-dp (cp_program.c).
 *
 * Keys and tokens never reach a log: requests are logged through
 * sig_request_describe, which leaves secrets out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "cp.h"
#include "cp_session_priv.h"
#include "log.h"

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

void cp_send_owned(struct sig_conn *c, char *json)
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
void cp_stream_info(const struct cp_pub *pub, const struct cp_sub *s,
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
		cp_send_owned(c, sig_build_closing(closing_reason));
		sig_close(c, SIG_CLOSE_POLICY);
	}
	cp->kicks++;
	cp_participant_remove(cp, p, left_reason);
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
			cp_stream_info(pub, sub, &info);
			cp_send_owned(q->conn, sig_build_stream_added(p->id, &info));
		}
		CP_INFO("stream published", CP_KV_STR("participant", p->id),
			CP_KV_STR("stream", pub->id), CP_KV_STR("codec", sig_codec_name(pub->codec)),
			CP_KV_UINT("ssrc", pub->ssrc[0]), CP_KV_UINT("encodings", n));
	}
	cp->publishes++;
	json = sig_build_published(req->id, out, pr->n_streams);
	cp_send_owned(c, json);
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
	cp_send_owned(c, sig_build_answer(SIG_REQ_UNPUBLISH, req->id));
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
	cp_send_owned(c, sig_build_answer(SIG_REQ_PREFERENCES, req->id));
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
		cp_do_join(cp, c, req);
		return;
	}
	if (req->type == SIG_REQ_KEEPALIVE) {
		if (p)
			p->last_heard_ms = cp_now_ms();
		cp_send_owned(c, sig_build_answer(SIG_REQ_KEEPALIVE, req->id));
		return;
	}
	if (req->type == SIG_REQ_RESUME) {
		cp_do_resume(cp, c, req);
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
		cp_send_owned(c, sig_build_answer(SIG_REQ_CHAT, req->id));
		break;
	}
	case SIG_REQ_LEAVE:
		cp_send_owned(c, sig_build_answer(SIG_REQ_LEAVE, req->id));
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
	cp_participant_remove(cp, p,
			      reason == SIG_CLOSE_IDLE || reason == SIG_CLOSE_DEAD ? "ConnectionTimeout"
										  : "disconnected");
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
