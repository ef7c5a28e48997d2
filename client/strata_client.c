/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libstrata-client's life cycle (strata_client.h): the signaling
 * connection (sig_client.c) and the requests an app makes; client_msg.c
 * handles what strata-cp says, client_media.c the SRTP.
 */
#include <poll.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "client_priv.h"

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* "a,b,c" as a JSON array of strings. */
static json_t *list(const char *csv)
{
	json_t *a = json_array();
	char *copy = strdup(csv), *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		json_array_append_new(a, json_string(t));
	free(copy);
	return a;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int client_request(struct strata_client *c, json_t *msg)
{
	char *text;
	int rc = -1;

	json_object_set_new(msg, "id", json_integer(++c->next_id));
	text = json_dumps(msg, JSON_COMPACT);
	if (text && c->conn && sig_client_is_open(c->conn))
		rc = sig_client_send(c->conn, text, strlen(text));
	if (rc == 0) {
		c->last_sent_ms = now_ms();
		if (!c->awaiting_since_ms)
			c->awaiting_since_ms = c->last_sent_ms;
	}
	free(text);
	json_decref(msg);
	return rc;
}

static void send_join(struct strata_client *c)
{
	json_t *caps = json_pack("{s:o, s:o, s:b}", "codecs",
				 list(c->cfg.codecs ? c->cfg.codecs : "VP8,opus"), "srtpProfiles",
				 list(c->cfg.srtp_profiles ? c->cfg.srtp_profiles
							   : "AEAD_AES_128_GCM,AES_CM_128_HMAC_SHA1_80"),
				 "rtx", 0);
	json_t *j = json_pack("{s:s, s:s, s:s, s:o}", "type", "join", "token", c->cfg.token,
			      "resourceId", c->cfg.resource_id, "capabilities", caps);

	if (c->cfg.display_name)
		json_object_set_new(j, "displayName", json_string(c->cfg.display_name));
	if (c->cfg.announce_media) {
		char ip[64];
		int port;
		client_media_local(&c->media, ip, sizeof(ip), &port);
		json_object_set_new(j, "media", json_pack("{s:s, s:i}", "address", ip, "port", port));
	}
	c->state = CS_JOINING;
	client_request(c, j);
}

static void on_open(void *user, struct sig_client *conn)
{
	struct strata_client *c = user;

	(void)conn;
	if (c->resuming)
		client_request(c, json_pack("{s:s, s:s}", "type", "resume", "resumeToken",
					    c->resume_token));
	else
		send_join(c);
}

static void on_message(void *user, struct sig_client *conn, const char *text, size_t len,
		       bool binary)
{
	struct strata_client *c = user;

	if (conn == c->conn)
		c->awaiting_since_ms = 0; /* strata-cp is there */
	if (!binary)
		client_on_message(c, text, len);
}

static void on_close(void *user, struct sig_client *conn, int code, const char *reason)
{
	struct strata_client *c = user;

	if (c->conn != conn)
		return; /* an old connection, replaced by a resume */
	c->conn = NULL;
	if (c->state == CS_LEFT || c->state == CS_FAILED)
		return;
	c->state = CS_FAILED;
	if (c->ev->on_error) {
		char msg[200];
		snprintf(msg, sizeof(msg), "signaling closed (%d%s%s)", code, reason[0] ? ": " : "",
			 reason);
		c->ev->on_error(c->user, "Connection", msg);
	}
}

static const struct sig_client_events conn_events = {
	.on_open = on_open,
	.on_message = on_message,
	.on_close = on_close,
};

struct strata_client *strata_client_new(const struct strata_client_config *cfg,
					const struct strata_client_events *ev, void *user,
					char *err, size_t errlen)
{
	struct strata_client *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!cfg->url || !cfg->token || !cfg->resource_id) {
		snprintf(err, errlen, "url, token and resource id are needed");
		free(c);
		return NULL;
	}
	c->cfg.url = dup_or_null(cfg->url);
	c->cfg.ca_file = dup_or_null(cfg->ca_file);
	c->cfg.token = dup_or_null(cfg->token);
	c->cfg.resource_id = dup_or_null(cfg->resource_id);
	c->cfg.display_name = dup_or_null(cfg->display_name);
	c->cfg.codecs = dup_or_null(cfg->codecs);
	c->cfg.srtp_profiles = dup_or_null(cfg->srtp_profiles);
	c->cfg.bind = dup_or_null(cfg->bind);
	c->cfg.announce_media = cfg->announce_media;
	c->cfg.keepalive_s = cfg->keepalive_s ? cfg->keepalive_s : 5;
	c->cfg.answer_timeout_s = cfg->answer_timeout_s ? cfg->answer_timeout_s : 8;
	c->ev = ev;
	c->user = user;
	c->names = json_object();
	c->media.fd = -1;
	if (client_media_open(&c->media, cfg->bind, err, errlen) < 0 ||
	    !(c->ctx = sig_client_ctx_new(cfg->ca_file, err, errlen))) {
		strata_client_free(c);
		return NULL;
	}
	return c;
}

void strata_client_free(struct strata_client *c)
{
	if (!c)
		return;
	c->state = CS_LEFT; /* no error callback from the closes below */
	if (c->ctx)
		sig_client_ctx_free(c->ctx);
	client_media_close(&c->media);
	json_decref(c->names);
	free((char *)c->cfg.url);
	free((char *)c->cfg.ca_file);
	free((char *)c->cfg.token);
	free((char *)c->cfg.resource_id);
	free((char *)c->cfg.display_name);
	free((char *)c->cfg.codecs);
	free((char *)c->cfg.srtp_profiles);
	free((char *)c->cfg.bind);
	free(c);
}

static int connect_now(struct strata_client *c, char *err, size_t errlen)
{
	struct sig_client_opts o = { .subprotocol = NULL, .max_message = 0 };

	c->awaiting_since_ms = 0;
	c->conn = sig_client_connect(c->ctx, c->cfg.url, &o, &conn_events, c, err, errlen);
	if (!c->conn)
		return -1;
	c->state = CS_CONNECTING;
	return 0;
}

int strata_client_join(struct strata_client *c, char *err, size_t errlen)
{
	c->resuming = false;
	return connect_now(c, err, errlen);
}

int strata_client_resume(struct strata_client *c, char *err, size_t errlen)
{
	if (!c->resume_token[0]) {
		snprintf(err, errlen, "not joined: no resume token");
		return -1;
	}
	if (c->conn) {
		/* Drop the old connection without a leave: the server keeps the
		 * participant for its resume grace. */
		struct sig_client *old = c->conn;
		c->conn = NULL;
		sig_client_close(old, 1001);
	}
	c->resuming = true;
	return connect_now(c, err, errlen);
}

/*
 * strata-cp answers every request at once.  A request with nothing at all
 * from it for answer_timeout_s means the path is gone (our network went
 * away, or the server's) even though TCP has not said so, and will not for
 * minutes: the connection is given up and the app told, so that it can
 * resume on a new one within the server's resume grace, media going on.
 */
static void lost_check(struct strata_client *c)
{
	struct sig_client *old = c->conn;
	char msg[96];

	if (!old || !c->awaiting_since_ms || c->state == CS_LEFT || c->state == CS_FAILED ||
	    now_ms() - c->awaiting_since_ms < 1000 * (int64_t)c->cfg.answer_timeout_s)
		return;
	c->conn = NULL; /* its on_close, whenever it comes, is ignored */
	c->awaiting_since_ms = 0;
	c->state = CS_FAILED;
	sig_client_close(old, 1001);
	if (c->ev->on_error) {
		snprintf(msg, sizeof(msg), "no answer from strata-cp in %u s",
			 c->cfg.answer_timeout_s);
		c->ev->on_error(c->user, "Connection", msg);
	}
}

static void media_in(void *user, uint32_t ssrc, const uint8_t *rtp, size_t len)
{
	struct strata_client *c = user;
	if (c->ev->on_rtp)
		c->ev->on_rtp(c->user, ssrc, rtp, len);
}

int strata_client_service(struct strata_client *c, int timeout_ms)
{
	struct pollfd p = { .fd = c->media.fd, .events = POLLIN };

	/* The wait is ours, on the media socket: lws' own wait can outlast the
	 * timeout it is given by seconds (4.1), which stalls the media.  So
	 * signaling is looked at without waiting, at least every timeout_ms. */
	poll(&p, 1, timeout_ms);
	sig_client_ctx_service(c->ctx, -1);
	client_media_drain(&c->media, media_in, c);
	/* strata-cp closes a connection that says nothing for its idle
	 * timeout (signaling.h: keepalive). */
	if (c->state == CS_JOINED && now_ms() - c->last_sent_ms >= 1000 * (int64_t)c->cfg.keepalive_s)
		client_request(c, json_pack("{s:s}", "type", "keepalive"));
	lost_check(c);
	return c->state == CS_LEFT || c->state == CS_FAILED ? -1 : 0;
}

int strata_client_publish(struct strata_client *c, const struct strata_client_stream *s,
			  unsigned n)
{
	json_t *streams = json_array();

	for (unsigned i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s, s:s, s:I, s:i, s:i}", "kind", s[i].kind, "codec",
				      s[i].codec, "ssrc", (json_int_t)s[i].ssrc, "pt", s[i].pt,
				      "clockRate", (int)s[i].clock_rate);
		if (s[i].temporal_layers)
			json_object_set_new(o, "layers", json_pack("{s:i}", "temporal",
								   (int)s[i].temporal_layers));
		json_array_append_new(streams, o);
	}
	return client_request(c, json_pack("{s:s, s:o}", "type", "publish", "streams", streams));
}

int strata_client_set_preferences(struct strata_client *c, int max_video_sources,
				  const char *const *stream_ids, const int *max_temporal,
				  unsigned n)
{
	json_t *sources = json_object();

	for (unsigned i = 0; i < n; i++)
		json_object_set_new(sources, stream_ids[i],
				    max_temporal[i] < 0 ? json_object()
							: json_pack("{s:i}", "maxTemporal",
								    max_temporal[i]));
	json_t *m = json_pack("{s:s, s:o}", "type", "preferences", "sources", sources);

	if (max_video_sources >= 0)
		json_object_set_new(m, "maxVideoSources", json_integer(max_video_sources));
	return client_request(c, m);
}

int strata_client_chat(struct strata_client *c, const char *text)
{
	return client_request(c, json_pack("{s:s, s:s}", "type", "chat", "text", text));
}

int strata_client_leave(struct strata_client *c)
{
	return client_request(c, json_pack("{s:s}", "type", "leave"));
}

int strata_client_send_rtp(struct strata_client *c, const uint8_t *rtp, size_t len)
{
	return client_media_send(&c->media, rtp, len);
}

bool strata_client_joined(const struct strata_client *c)
{
	return c->state == CS_JOINED;
}

const char *strata_client_participant_id(const struct strata_client *c)
{
	return c->participant_id;
}

void strata_client_media_stats(const struct strata_client *c,
			       struct strata_client_media_stats *out)
{
	*out = c->media.st;
}
