/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The echo application (sig_echo_app.h): the handler interface of
 * sig_server.h exercised the way strata-cp's rooms will use it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sig_echo_app.h"

struct echo_member {
	struct echo_member *next, *prev;
	struct sig_conn *conn;
	bool joined;
	char pid[24];
	char resource[SIG_MAX_RESOURCE_ID + 1];
	char name[SIG_MAX_DISPLAY_NAME + 1];
	unsigned published;
};

/* Sends and frees a built message (NULL, from a failed build, is skipped). */
static void send_built(struct sig_conn *c, char *json)
{
	if (json)
		sig_send(c, json);
	sig_json_free(json);
}

/* To everyone else in m's room. */
static void to_room(struct echo_app *app, struct echo_member *m, const char *json)
{
	for (struct echo_member *o = app->members; o && json; o = o->next)
		if (o != m && o->joined && strcmp(o->resource, m->resource) == 0)
			sig_send(o->conn, json);
}

static void on_open(void *arg, struct sig_conn *c)
{
	struct echo_app *app = arg;
	struct echo_member *m = calloc(1, sizeof(*m));

	if (!m) {
		sig_close(c, SIG_CLOSE_INTERNAL);
		return;
	}
	m->conn = c;
	snprintf(m->pid, sizeof(m->pid), "p-%llu", (unsigned long long)sig_conn_serial(c));
	m->next = app->members;
	if (app->members)
		app->members->prev = m;
	app->members = m;
	sig_conn_set_user(c, m);
	app->opened++;
}

static void do_join(struct echo_app *app, struct echo_member *m, const struct sig_request *req)
{
	static const uint8_t send_key[16 + 14] = { 1, 2, 3 }, recv_key[16 + 14] = { 4, 5, 6 };
	struct sig_participant_info others[8];
	size_t n = 0;
	char resume[32];

	if (m->joined) {
		sig_send_error(m->conn, req->id, STRATA_SIG_ERR_MISC_REMOTE_ERROR, "already joined");
		return;
	}
	snprintf(m->resource, sizeof(m->resource), "%s", req->u.join.resource_id);
	snprintf(m->name, sizeof(m->name), "%s", req->u.join.display_name);
	for (struct echo_member *o = app->members; o && n < 8; o = o->next)
		if (o->joined && strcmp(o->resource, m->resource) == 0)
			others[n++] = (struct sig_participant_info){ o->pid, o->name, NULL, 0 };
	snprintf(resume, sizeof(resume), "r-%s", m->pid);
	struct sig_joined j = {
		.participant_id = m->pid,
		.resume_token = resume,
		.resource_id = m->resource,
		.participants = others,
		.n_participants = n,
		.media = { "127.0.0.1", 40000, (enum sig_srtp_profile)req->u.join.srtp_profiles[0],
			   send_key, sizeof(send_key), recv_key, sizeof(recv_key) },
	};
	send_built(m->conn, sig_build_joined(req->id, &j));
	m->joined = true;
	char *ev = sig_build_participant_joined(m->pid, m->name);
	to_room(app, m, ev);
	sig_json_free(ev);
}

static void do_publish(struct echo_app *app, struct echo_member *m, const struct sig_request *req)
{
	struct sig_published_stream out[SIG_MAX_STREAMS];
	char ids[SIG_MAX_STREAMS][32];
	const struct sig_publish *p = &req->u.publish;

	for (unsigned i = 0; i < p->n_streams; i++) {
		snprintf(ids[i], sizeof(ids[i]), "s-%s-%u", m->pid + 2, ++m->published);
		out[i] = (struct sig_published_stream){ p->streams[i].ssrc, ids[i] };
	}
	send_built(m->conn, sig_build_published(req->id, out, p->n_streams));
	for (unsigned i = 0; i < p->n_streams; i++) {
		struct sig_stream_info si = { ids[i], p->streams[i].kind, p->streams[i].codec,
					      p->streams[i].pt, 0, p->streams[i].ssrc + 1000, 0 };
		char *ev = sig_build_stream_added(m->pid, &si);
		to_room(app, m, ev);
		sig_json_free(ev);
	}
}

static void do_chat(struct echo_app *app, struct echo_member *m, const struct sig_request *req)
{
	const char *text = req->u.chat.text;
	unsigned n, size;

	if (sscanf(text, "flood %u %u", &n, &size) == 2 && size <= SIG_MAX_CHAT) {
		char *body = malloc(size + 1);
		memset(body, 'f', size);
		body[size] = '\0';
		char *ev = sig_build_chat(m->pid, m->name, body);
		send_built(m->conn, sig_build_answer(SIG_REQ_CHAT, req->id));
		for (unsigned i = 0; i < n && ev; i++)
			if (sig_send(m->conn, ev) < 0)
				break; /* overflowed: the connection is being dropped */
		sig_json_free(ev);
		free(body);
		return;
	}
	if (strcmp(text, "whoami") == 0) {
		/* The address the server saw, for the tests. */
		send_built(m->conn, sig_build_chat(m->pid, m->name, sig_conn_peer_str(m->conn)));
		return;
	}
	if (strcmp(text, "drain") == 0) {
		sig_server_close_all(app->srv, SIG_CLOSE_GOING_AWAY);
		return;
	}
	if (strcmp(text, "kick") == 0) {
		send_built(m->conn, sig_build_closing("kicked"));
		sig_close(m->conn, SIG_CLOSE_POLICY);
		return;
	}
	send_built(m->conn, sig_build_answer(SIG_REQ_CHAT, req->id));
	char *ev = sig_build_chat(m->pid, m->name, text);
	to_room(app, m, ev);
	sig_json_free(ev);
}

static void on_request(void *arg, struct sig_conn *c, const struct sig_request *req)
{
	struct echo_app *app = arg;
	struct echo_member *m = sig_conn_user(c);

	app->requests++;
	switch (req->type) {
	case SIG_REQ_JOIN:
		do_join(app, m, req);
		return;
	case SIG_REQ_RESUME:
		sig_send_error(c, req->id, STRATA_SIG_ERR_INVALID_TOKEN, "unknown resume token");
		return;
	case SIG_REQ_KEEPALIVE:
		send_built(c, sig_build_answer(req->type, req->id));
		return;
	default:
		break;
	}
	if (!m->joined) {
		sig_send_error(c, req->id, STRATA_SIG_ERR_NOT_MEMBER, "join a room first");
		return;
	}
	switch (req->type) {
	case SIG_REQ_PUBLISH:
		do_publish(app, m, req);
		break;
	case SIG_REQ_CHAT:
		do_chat(app, m, req);
		break;
	case SIG_REQ_LEAVE:
		send_built(c, sig_build_answer(req->type, req->id));
		sig_close(c, SIG_CLOSE_NORMAL);
		break;
	default:
		send_built(c, sig_build_answer(req->type, req->id));
		break;
	}
}

static void on_close(void *arg, struct sig_conn *c, enum sig_close_reason reason)
{
	struct echo_app *app = arg;
	struct echo_member *m = sig_conn_user(c);

	app->closed[reason]++;
	if (!m)
		return;
	if (m->joined) {
		char *ev = sig_build_participant_left(m->pid, sig_close_name(reason));
		to_room(app, m, ev);
		sig_json_free(ev);
	}
	if (m->prev)
		m->prev->next = m->next;
	else
		app->members = m->next;
	if (m->next)
		m->next->prev = m->prev;
	free(m);
}

static int on_accept(void *arg, const struct sockaddr *addr, socklen_t len)
{
	struct echo_app *app = arg;

	(void)addr;
	(void)len;
	app->accepted++;
	/* Tests set refuse_accepts from their own thread. */
	unsigned n = __atomic_load_n(&app->refuse_accepts, __ATOMIC_SEQ_CST);
	if (n) {
		__atomic_store_n(&app->refuse_accepts, n - 1, __ATOMIC_SEQ_CST);
		return -1;
	}
	return 0;
}

static void quiet_log(void *arg, int level, const char *msg)
{
	(void)arg;
	if (level <= 3) /* LOG_ERR */
		fprintf(stderr, "sig-echo: %s\n", msg);
}

const struct sig_handlers echo_handlers = {
	.on_accept = on_accept,
	.on_open = on_open,
	.on_request = on_request,
	.on_close = on_close,
	.log = quiet_log,
};
