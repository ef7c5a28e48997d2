/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The signaling server tests' fixture (sig_server_fixture.h).
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sig_server_fixture.h"
#include "sig_tls.h"

static const char *const types[] = {
	"joined", "published", "unpublished", "preferences-set", "chat-sent", "keepalive-ack",
	"left", "error", "participant-joined", "participant-left", "stream-added", "chat",
	"closing", "resumed", "other",
};

static unsigned type_index(const char *type)
{
	unsigned i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]) - 1; i++)
		if (strcmp(types[i], type) == 0)
			break;
	return i;
}

unsigned tc_count(const struct tc *t, const char *type)
{
	return t->n_type[type_index(type)];
}

long fx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static pthread_t server_thread;

static void *serve(void *arg)
{
	struct fx *fx = arg;

	sig_server_run(fx->app.srv);
	return NULL;
}

void fx_start(struct fx *fx, const struct sig_server_config *limits)
{
	char note[512], err[512];

	memset(&fx->app, 0, sizeof(fx->app));
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/strata-sig-test.XXXXXX");
	if (!mkdtemp(fx->dir) ||
	    sig_tls_self_signed(fx->dir, fx->cert, fx->key, note, sizeof(note)) < 0) {
		fprintf(stderr, "fixture: %s\n", note);
		exit(2);
	}
	fx->cfg = limits ? *limits : (struct sig_server_config){ 0 };
	fx->cfg.address = "127.0.0.1";
	fx->cfg.port = 0;
	fx->cfg.cert_file = fx->cert;
	fx->cfg.key_file = fx->key;
	fx->cfg.handlers = &echo_handlers;
	fx->cfg.app = &fx->app;
	fx->app.srv = sig_server_create(&fx->cfg, err, sizeof(err));
	if (!fx->app.srv) {
		fprintf(stderr, "fixture: %s\n", err);
		exit(2);
	}
	fx->port = sig_server_port(fx->app.srv);
	snprintf(fx->url, sizeof(fx->url), "wss://127.0.0.1:%u%s", fx->port, STRATA_SIG_PATH);
	if (pthread_create(&server_thread, NULL, serve, fx) != 0) {
		fprintf(stderr, "fixture: no thread\n");
		exit(2);
	}
	fx->cctx = sig_client_ctx_new(fx->cert, err, sizeof(err));
	if (!fx->cctx) {
		fprintf(stderr, "fixture: %s\n", err);
		exit(2);
	}
}

void fx_stop(struct fx *fx)
{
	char path[PATH_MAX];

	sig_client_ctx_free(fx->cctx);
	fx->cctx = NULL;
	sig_server_stop(fx->app.srv);
	pthread_join(server_thread, NULL);
	sig_server_destroy(fx->app.srv);
	snprintf(path, sizeof(path), "%s/%s", fx->dir, SIG_TLS_SELF_CERT);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", fx->dir, SIG_TLS_SELF_KEY);
	unlink(path);
	rmdir(fx->dir);
}

static void on_open(void *user, struct sig_client *c)
{
	struct tc *t = user;

	(void)c;
	t->opened = true;
}

static void on_message(void *user, struct sig_client *c, const char *text, size_t len,
		       bool binary)
{
	struct tc *t = user;
	json_t *o = binary ? NULL : json_loadb(text, len, 0, NULL);
	json_t *type = json_object_get(o, "type");
	const char *ty = json_is_string(type) ? json_string_value(type) : "other";

	(void)c;
	if (t->n_msgs < TC_MAX_MSGS)
		snprintf(t->first[t->n_msgs], sizeof(t->first[0]), "%.*s", (int)len, text);
	t->n_msgs++;
	t->n_type[type_index(ty)]++;
	if (json_is_integer(json_object_get(o, "id")))
		t->last_id = json_integer_value(json_object_get(o, "id"));
	if (strcmp(ty, "error") == 0) {
		json_t *r = json_object_get(o, "reason"), *id = json_object_get(o, "id");
		snprintf(t->last_error_reason, sizeof(t->last_error_reason), "%s",
			 json_is_string(r) ? json_string_value(r) : "?");
		t->last_error_id = json_is_integer(id) ? json_integer_value(id) : -1;
	}
	json_decref(o);
}

static void on_close(void *user, struct sig_client *c, int code, const char *reason)
{
	struct tc *t = user;

	(void)c;
	t->c = NULL;
	t->closed = true;
	t->close_code = code;
	snprintf(t->close_reason, sizeof(t->close_reason), "%s", reason);
}

static const struct sig_client_events tc_events = { on_open, on_message, on_close };

void tc_connect(struct fx *fx, struct tc *t, const char *subprotocol, const char *path)
{
	struct sig_client_opts opts = { .subprotocol = subprotocol };
	char url[160], err[256];

	memset(t, 0, sizeof(*t));
	t->last_error_id = -2;
	snprintf(url, sizeof(url), "wss://127.0.0.1:%u%s", fx->port, path ? path : STRATA_SIG_PATH);
	t->c = sig_client_connect(fx->cctx, url, &opts, &tc_events, t, err, sizeof(err));
	if (!t->c) {
		t->closed = true;
		t->close_code = -1;
		snprintf(t->close_reason, sizeof(t->close_reason), "%.120s", err);
	}
}

bool fx_pump(struct fx *fx, bool (*done)(void *arg), void *arg, unsigned timeout_ms)
{
	long end = fx_now_ms() + timeout_ms;

	while (!done(arg)) {
		if (fx_now_ms() > end)
			return false;
		sig_client_ctx_service(fx->cctx, 10);
	}
	return true;
}

static bool is_open(void *arg)
{
	struct tc *t = arg;
	return t->opened || t->closed;
}

static bool is_closed(void *arg)
{
	return ((struct tc *)arg)->closed;
}

bool tc_wait_open(struct fx *fx, struct tc *t, unsigned timeout_ms)
{
	return fx_pump(fx, is_open, t, timeout_ms) && t->opened && !t->closed;
}

bool tc_wait_closed(struct fx *fx, struct tc *t, unsigned timeout_ms)
{
	return fx_pump(fx, is_closed, t, timeout_ms);
}

struct type_wait {
	struct tc *t;
	unsigned idx, count;
};

static bool has_type(void *arg)
{
	struct type_wait *w = arg;
	return w->t->n_type[w->idx] >= w->count || w->t->closed;
}

bool tc_wait_type(struct fx *fx, struct tc *t, const char *type, unsigned count,
		  unsigned timeout_ms)
{
	struct type_wait w = { t, type_index(type), count };

	fx_pump(fx, has_type, &w, timeout_ms);
	return t->n_type[w.idx] >= count;
}

int tc_send(struct tc *t, const char *json)
{
	return t->c ? sig_client_send(t->c, json, strlen(json)) : -1;
}
