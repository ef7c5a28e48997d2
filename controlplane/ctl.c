/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's command table, its dispatch and its replies
 * (ctl.h).  The socket and its connections are in ctl_server.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_internal.h"
#include "log.h"
#include "metrics.h"

CP_LOG_MODULE_USE(ctl);

/* ---- The table ---------------------------------------------------------- */

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* One or two words of [a-z0-9_-], one space between them. */
static bool valid_command_name(const char *name)
{
	int words = 1;
	size_t i;

	if (!name || !word_char(name[0]))
		return false;
	for (i = 0; name[i]; i++) {
		if (name[i] == ' ') {
			if (++words > 2 || !word_char(name[i + 1]))
				return false;
		} else if (!word_char(name[i])) {
			return false;
		}
	}
	return true;
}

static struct ctl_command *find_command(const struct ctl *ctl, const char *name)
{
	for (size_t i = 0; i < ctl->n_cmds; i++)
		if (strcmp(ctl->cmds[i]->name, name) == 0)
			return ctl->cmds[i];
	return NULL;
}

static void command_free(struct ctl_command *c)
{
	free(c->name);
	free(c->first);
	free(c->usage);
	free(c->secret);
	free(c);
}

int ctl_register(struct ctl *ctl, const char *name, const char *usage, int min_args,
		 int max_args, ctl_handler_fn *handler, void *arg)
{
	struct ctl_command *c;
	char *space;

	if (!valid_command_name(name) || !handler || min_args < 0 ||
	    (max_args != CTL_ARGS_ANY && max_args < min_args) || min_args >= CTL_MAX_WORDS)
		return -EINVAL;
	if (find_command(ctl, name))
		return -EEXIST;
	if (ctl->n_cmds == ctl->cap_cmds) {
		size_t cap = ctl->cap_cmds ? ctl->cap_cmds * 2 : 32;
		struct ctl_command **p = realloc(ctl->cmds, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		ctl->cmds = p;
		ctl->cap_cmds = cap;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->name = strdup(name);
	c->first = strdup(name);
	c->usage = strdup(usage ? usage : name);
	if (!c->name || !c->first || !c->usage) {
		command_free(c);
		return -ENOMEM;
	}
	space = strchr(c->first, ' ');
	if (space) {
		*space = '\0';
		c->second = space + 1;
	}
	c->min_args = min_args;
	c->max_args = max_args;
	c->handler = handler;
	c->arg = arg;
	ctl->cmds[ctl->n_cmds++] = c;
	return 0;
}

int ctl_set_secret(struct ctl *ctl, const char *name, const char *spec)
{
	struct ctl_command *c = find_command(ctl, name);
	char *copy;

	if (!c)
		return -ENOENT;
	if (cp_audit_spec_check(spec) < 0)
		return -EINVAL;
	copy = spec ? strdup(spec) : NULL;
	if (spec && !copy)
		return -ENOMEM;
	free(c->secret);
	c->secret = copy;
	return 0;
}

/* The longest registered name at the start of the words: two words, then
 * one.  *nwords says how many it took. */
static struct ctl_command *lookup(const struct ctl *ctl, const struct ctl_words *w, int *nwords)
{
	if (w->argc >= 2)
		for (size_t i = 0; i < ctl->n_cmds; i++) {
			struct ctl_command *c = ctl->cmds[i];

			if (c->second && strcmp(c->first, w->argv[0]) == 0 &&
			    strcmp(c->second, w->argv[1]) == 0) {
				*nwords = 2;
				return c;
			}
		}
	for (size_t i = 0; i < ctl->n_cmds; i++) {
		struct ctl_command *c = ctl->cmds[i];

		if (!c->second && strcmp(c->first, w->argv[0]) == 0) {
			*nwords = 1;
			return c;
		}
	}
	return NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct ctl_command *const *)a)->name,
		      (*(struct ctl_command *const *)b)->name);
}

/* The commands whose name is `first second`, or whose first word is first
 * (second NULL), sorted by name, in a malloc'd array. */
static size_t matching(const struct ctl *ctl, const char *first, const char *second,
		       struct ctl_command ***out)
{
	struct ctl_command **v = malloc((ctl->n_cmds + 1) * sizeof(*v));
	size_t n = 0;

	*out = v;
	if (!v)
		return 0;
	for (size_t i = 0; i < ctl->n_cmds; i++) {
		struct ctl_command *c = ctl->cmds[i];

		if (first && strcmp(c->first, first) != 0)
			continue;
		if (second && (!c->second || strcmp(c->second, second) != 0))
			continue;
		v[n++] = c;
	}
	qsort(v, n, sizeof(*v), by_name);
	return n;
}

/* ---- Replies ------------------------------------------------------------ */

void ctl_reply_append(struct ctl_reply *r, const char *text, size_t len)
{
	ctl_buf_append(&r->text, text, len);
}

void ctl_reply_printf(struct ctl_reply *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctl_buf_vprintf(&r->text, fmt, ap);
	va_end(ap);
}

void ctl_reply_json(struct ctl_reply *r, json_t *value)
{
	json_decref(r->value);
	r->value = value;
}

static void reply_verror(struct ctl_reply *r, const char *fmt, va_list ap)
{
	if (r->error)
		return;
	if (vasprintf(&r->error, fmt, ap) < 0)
		r->error = NULL;
	if (!r->error)
		r->error = strdup("out of memory");
}

void ctl_reply_error(struct ctl_reply *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_verror(r, fmt, ap);
	va_end(ap);
}

static void reply_usage(struct ctl_reply *r, const char *usage)
{
	free(r->usage);
	r->usage = strdup(usage);
}

bool ctl_reply_wants_json(const struct ctl_reply *r)
{
	return r->req.json;
}

const struct ctl_request *ctl_reply_request(const struct ctl_reply *r)
{
	return &r->req;
}

/* A JSON string of s, made valid UTF-8 first (s is ours to change). */
static json_t *json_str_fixed(char *s)
{
	cp_utf8_sanitize(s, strlen(s));
	return json_string(s);
}

/* "usage: " before the first line, its width of spaces before the others. */
static void text_usage(struct ctl_buf *body, const char *usage)
{
	const char *p = usage;

	ctl_buf_puts(body, "usage: ");
	for (;;) {
		const char *nl = strchr(p, '\n');

		ctl_buf_append(body, p, nl ? (size_t)(nl - p) : strlen(p));
		ctl_buf_puts(body, "\n");
		if (!nl)
			break;
		p = nl + 1;
		ctl_buf_puts(body, "       ");
	}
}

/* The reply's body, as its request asked (ctl_proto.h); false for ERR. */
static bool render(struct ctl_reply *r, struct ctl_buf *body)
{
	bool ok = !r->error;

	if (ok && r->text.oom)
		ctl_reply_error(r, "out of memory");
	ok = !r->error;
	if (r->req.json) {
		json_t *o;
		char *s;

		if (!ok) {
			o = json_object();
			json_object_set_new(o, "error", json_str_fixed(r->error));
			if (r->usage)
				json_object_set_new(o, "usage", json_str_fixed(r->usage));
		} else if (r->value) {
			o = json_incref(r->value);
		} else {
			o = json_object();
			if (r->text.len)
				json_object_set_new(o, "text", json_str_fixed(r->text.p));
		}
		s = o ? json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
		json_decref(o);
		if (!s) {
			ctl_buf_puts(body, "{\"error\":\"cannot encode the reply as JSON\"}\n");
			return false;
		}
		ctl_buf_puts(body, s);
		ctl_buf_puts(body, "\n");
		free(s);
	} else if (!ok) {
		ctl_buf_puts(body, r->error);
		if (!r->error[0] || r->error[strlen(r->error) - 1] != '\n')
			ctl_buf_puts(body, "\n");
		if (r->usage)
			text_usage(body, r->usage);
	} else if (r->text.len) {
		ctl_buf_append(body, r->text.p, r->text.len);
		if (r->text.p[r->text.len - 1] != '\n')
			ctl_buf_puts(body, "\n");
	} else if (r->value) {
		char *s = json_dumps(r->value, JSON_INDENT(2) | JSON_ENCODE_ANY);

		if (s) {
			ctl_buf_puts(body, s);
			ctl_buf_puts(body, "\n");
			free(s);
		}
	}
	return ok;
}

struct ctl_reply *ctl_reply_new(struct ctl *ctl, struct ctl_conn *conn, uid_t uid, gid_t gid,
				pid_t pid)
{
	struct ctl_reply *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->ctl = ctl;
	r->conn = conn;
	r->req.uid = uid;
	r->req.gid = gid;
	r->req.pid = pid;
	return r;
}

static void reply_free(struct ctl_reply *r)
{
	ctl_buf_free(&r->text);
	json_decref(r->value);
	free(r->error);
	free(r->usage);
	free(r->secret);
	free(r->command);
	explicit_bzero(&r->words, sizeof(r->words));
	free(r);
}

static void unlink_deferred(struct ctl_reply *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else if (r->ctl && r->ctl->deferred == r)
		r->ctl->deferred = r->next;
	if (r->next)
		r->next->prev = r->prev;
	r->prev = r->next = NULL;
}

/* Renders, audits, counts, and sends (or stores) the reply; frees it. */
static void reply_complete(struct ctl_reply *r)
{
	struct ctl_buf body = { 0 };
	char status[32];
	bool ok = render(r, &body);
	struct cp_audit_record a = {
		.uid = r->req.uid,
		.pid = r->req.pid,
		.command = r->req.command,
		.argc = r->req.argc,
		.argv = r->req.argv,
		.secret = r->secret,
		.all_secret = r->all_secret,
		.ok = ok,
		.error = r->error,
	};

	if (body.oom || body.len > CTL_MAX_REPLY) {
		ctl_buf_free(&body);
		ok = false;
		ctl_buf_puts(&body, r->req.json ? "{\"error\":\"reply too large\"}\n"
						: "reply too large\n");
		a.ok = false;
		a.error = "reply too large";
	}
	cp_audit(&a);
	if (r->ctl)
		ctl_count_request(r->ctl, ok);
	if (r->deferred)
		unlink_deferred(r);
	if (r->conn) {
		ctl_conn_queue(r->conn, ok, body.p ? body.p : "", body.len);
		if (r->conn->pending == r)
			r->conn->pending = NULL;
	} else if (r->sink) {
		ctl_buf_append(r->sink, status, ctl_format_status(status, ok, body.len));
		ctl_buf_append(r->sink, body.p ? body.p : "", body.len);
	}
	ctl_buf_free(&body);
	reply_free(r);
}

void ctl_reply_defer(struct ctl_reply *r)
{
	r->deferred = true;
}

void ctl_reply_finish(struct ctl_reply *r)
{
	struct ctl_conn *c;
	struct ctl *ctl;

	if (r->in_dispatch) {
		r->finish_requested = true;
		return;
	}
	c = r->conn;
	ctl = r->ctl;
	reply_complete(r);
	if (c)
		ctl_conn_process(c);
	if (ctl)
		ctl_reap(ctl);
}

/* ---- Dispatch -------------------------------------------------------------- */

static void unknown_command(struct ctl *ctl, struct ctl_reply *r)
{
	const struct ctl_words *w = &r->words;
	struct ctl_command **group;
	size_t n = matching(ctl, w->argv[0], NULL, &group);

	if (n == 0) {
		ctl_reply_error(r, "unknown command \"%s\" (try \"help\")", w->argv[0]);
	} else {
		struct ctl_buf usage = { 0 };

		if (w->argc >= 2)
			ctl_reply_error(r, "unknown command \"%s %s\" (try \"help %s\")", w->argv[0],
					w->argv[1], w->argv[0]);
		else
			ctl_reply_error(r, "\"%s\" needs a subcommand (try \"help %s\")", w->argv[0],
					w->argv[0]);
		for (size_t i = 0; i < n; i++)
			ctl_buf_printf(&usage, "%s%s", i ? "\n" : "", group[i]->usage);
		if (usage.p)
			reply_usage(r, usage.p);
		ctl_buf_free(&usage);
	}
	free(group);
}

static void wrong_count(struct ctl_reply *r, const struct ctl_command *c)
{
	char expected[64];

	if (c->max_args == c->min_args)
		snprintf(expected, sizeof(expected), "%d", c->min_args);
	else if (c->max_args == CTL_ARGS_ANY)
		snprintf(expected, sizeof(expected), "at least %d", c->min_args);
	else
		snprintf(expected, sizeof(expected), "%d to %d", c->min_args, c->max_args);
	ctl_reply_error(r, "wrong number of arguments for \"%s\" (expected %s, got %d)", c->name,
			expected, r->req.argc);
	reply_usage(r, c->usage);
}

bool ctl_run_line(struct ctl *ctl, struct ctl_reply *r, const char *line, size_t len)
{
	enum ctl_parse_status st = ctl_parse(line, len, &r->words);
	struct ctl_command *c;
	int nwords = 0;

	r->req.json = r->words.json;
	if (st != CTL_PARSE_OK) {
		ctl_reply_error(r, "%s", ctl_parse_status_str(st));
		reply_complete(r);
		return false;
	}
	c = lookup(ctl, &r->words, &nwords);
	if (!c) {
		/* An unknown command's arguments may be anything (a mistyped
		 * command with a key): none of them is logged. */
		r->req.command = r->words.argv[0];
		r->req.argc = r->words.argc - 1;
		r->req.argv = (const char *const *)r->words.argv + 1;
		r->all_secret = true;
		unknown_command(ctl, r);
		reply_complete(r);
		return false;
	}
	r->req.command = c->name;
	r->req.argc = r->words.argc - nwords;
	r->req.argv = (const char *const *)r->words.argv + nwords;
	if (c->secret && !(r->secret = strdup(c->secret)))
		r->all_secret = true;
	if (r->req.argc < c->min_args || (c->max_args != CTL_ARGS_ANY && r->req.argc > c->max_args)) {
		wrong_count(r, c);
		reply_complete(r);
		return false;
	}
	r->in_dispatch = true;
	c->handler(&r->req, r, c->arg);
	r->in_dispatch = false;
	if (!r->deferred || r->finish_requested) {
		r->deferred = false;
		reply_complete(r);
		return false;
	}
	/* Deferred: kept on the table's list, so that ctl_free can orphan it. */
	r->next = ctl->deferred;
	if (r->next)
		r->next->prev = r;
	ctl->deferred = r;
	if (r->conn)
		r->conn->pending = r;
	return true;
}

int ctl_execute(struct ctl *ctl, const char *line, size_t len, const struct ctl_peer *peer,
		struct ctl_buf *out)
{
	struct ctl_peer none = { 0 };
	struct ctl_reply *r;

	if (!peer)
		peer = &none;
	r = ctl_reply_new(ctl, NULL, peer->uid, peer->gid, peer->pid);
	if (!r) {
		ctl_buf_puts(out, "ERR 14\nout of memory\n");
		return 0;
	}
	r->sink = out;
	if (ctl_run_line(ctl, r, line, len)) {
		r->sink = NULL;
		return 1;
	}
	return 0;
}

void ctl_orphan_deferred(struct ctl *ctl)
{
	while (ctl->deferred) {
		struct ctl_reply *r = ctl->deferred;

		ctl->deferred = r->next;
		r->prev = r->next = NULL;
		r->ctl = NULL;
		r->conn = NULL;
		r->deferred = false;
		/* The command's name goes with the table: keep a copy for
		 * the audit line. */
		r->command = strdup(r->req.command);
		r->req.command = r->command ? r->command : "(freed command)";
	}
}

void ctl_free_commands(struct ctl *ctl)
{
	for (size_t i = 0; i < ctl->n_cmds; i++)
		command_free(ctl->cmds[i]);
	free(ctl->cmds);
	ctl->cmds = NULL;
	ctl->n_cmds = ctl->cap_cmds = 0;
}

/* ---- Built-in commands ------------------------------------------------------ */

static void cmd_help(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	struct ctl *ctl = arg;
	struct ctl_command **v;
	size_t n = matching(ctl, req->argc ? req->argv[0] : NULL, req->argc > 1 ? req->argv[1] : NULL,
			    &v);

	if (n == 0) {
		if (v)
			ctl_reply_error(r, "no command \"%s%s%s\" (try \"help\")", req->argv[0],
					req->argc > 1 ? " " : "", req->argc > 1 ? req->argv[1] : "");
		else
			ctl_reply_error(r, "out of memory");
		free(v);
		return;
	}
	if (req->json) {
		json_t *list = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(list, json_pack("{s:s, s:s}", "command", v[i]->name,
							      "usage", v[i]->usage));
		ctl_reply_json(r, json_pack("{s:o}", "commands", list));
	} else {
		for (size_t i = 0; i < n; i++)
			ctl_reply_printf(r, "%s\n", v[i]->usage);
	}
	free(v);
}

int ctl_register_builtins(struct ctl *ctl)
{
	return ctl_register(ctl, "help", "help [COMMAND [SUBCOMMAND]]", 0, 2, cmd_help, ctl);
}

struct level_list {
	struct ctl_reply *r;
	json_t *modules;
	struct ctl_buf names;
};

static void list_level(const char *name, enum cp_log_level level, bool own, void *arg)
{
	struct level_list *l = arg;

	if (l->modules)
		json_object_set_new(l->modules, name, json_string(cp_log_level_name(level)));
	else if (l->r)
		ctl_reply_printf(l->r, "%s: %s%s\n", name, cp_log_level_name(level),
				 own ? "" : " (default)");
	else
		ctl_buf_printf(&l->names, "%s%s", l->names.len ? ", " : "", name);
}

static void cmd_log_level(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	int level = req->argc ? cp_log_level_parse(req->argv[req->argc - 1]) : -1;
	struct level_list l = { .r = r };

	(void)arg;
	if (req->argc == 0) {
		enum cp_log_level def = (enum cp_log_level)cp_log_get_level(NULL);

		if (req->json) {
			l.modules = json_object();
			cp_log_foreach_module(list_level, &l);
			ctl_reply_json(r, json_pack("{s:s, s:o}", "default", cp_log_level_name(def),
						    "modules", l.modules));
		} else {
			ctl_reply_printf(r, "default: %s\n", cp_log_level_name(def));
			cp_log_foreach_module(list_level, &l);
		}
		return;
	}
	if (req->argc == 1 && level >= 0) {
		cp_log_set_level(NULL, (enum cp_log_level)level);
		ctl_reply_printf(r, "every subsystem logs at %s\n", req->argv[0]);
		return;
	}
	if (cp_log_get_level(req->argv[0]) < 0 || (req->argc == 2 && level < 0)) {
		l.r = NULL;
		cp_log_foreach_module(list_level, &l);
		if (cp_log_get_level(req->argv[0]) < 0)
			ctl_reply_error(r, "no subsystem or level \"%s\" (levels: error, warn, info, "
				        "debug; subsystems: %s)", req->argv[0],
					l.names.p ? l.names.p : "none");
		else
			ctl_reply_error(r, "no level \"%s\" (levels: error, warn, info, debug)",
					req->argv[1]);
		ctl_buf_free(&l.names);
		return;
	}
	if (req->argc == 2)
		cp_log_set_level(req->argv[0], (enum cp_log_level)level);
	ctl_reply_printf(r, "%s: %s\n", req->argv[0],
			 cp_log_level_name((enum cp_log_level)cp_log_get_level(req->argv[0])));
}

static void cmd_log_reopen(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	int e1 = cp_log_reopen(), e2 = cp_audit_reopen();

	(void)req, (void)arg;
	if (e1 < 0 || e2 < 0)
		ctl_reply_error(r, "cannot reopen the %s: %s", e1 < 0 ? "log" : "audit log",
				strerror(-(e1 < 0 ? e1 : e2)));
}

int ctl_register_log_commands(struct ctl *ctl)
{
	int e = ctl_register(ctl, "log level", "log level [SUBSYSTEM] [error|warn|info|debug]", 0, 2,
			     cmd_log_level, NULL);

	if (e == 0)
		e = ctl_register(ctl, "log reopen", "log reopen", 0, 0, cmd_log_reopen, NULL);
	return e;
}

/* ---- Metrics -------------------------------------------------------------------- */

static struct cp_metric *family(struct cp_metrics *reg, enum cp_metric_type type,
				const char *name, const char *help, const char *label)
{
	const char *labels[] = { label, NULL };
	struct cp_metric *m = cp_metrics_add(reg, type, name, help, label ? labels : NULL);

	return m ? m : cp_metrics_find(reg, name);
}

int ctl_set_metrics(struct ctl *ctl, struct cp_metrics *reg)
{
	struct cp_metric *req = family(reg, CP_METRIC_COUNTER, "strata_ctl_requests_total",
				       "Control socket requests, by result.", "result");
	struct cp_metric *ref = family(reg, CP_METRIC_COUNTER, "strata_ctl_refused_total",
				       "Control socket connections refused, by reason.", "reason");
	struct cp_metric *conns = family(reg, CP_METRIC_GAUGE, "strata_ctl_connections",
					 "Control socket connections open.", NULL);

	if (!req || !ref || !conns)
		return -1;
	ctl->m.ok = CP_SERIES(req, "ok");
	ctl->m.error = CP_SERIES(req, "error");
	ctl->m.refused_uid = CP_SERIES(ref, "uid");
	ctl->m.refused_limit = CP_SERIES(ref, "limit");
	ctl->m.conns = cp_metric_series(conns, NULL);
	cp_series_set_counter(ctl->m.ok, ctl->stats.requests_ok);
	cp_series_set_counter(ctl->m.error, ctl->stats.requests_error);
	cp_series_set_counter(ctl->m.refused_uid, ctl->stats.refused_uid);
	cp_series_set_counter(ctl->m.refused_limit, ctl->stats.refused_limit);
	cp_series_set(ctl->m.conns, ctl->stats.connections);
	return ctl->m.ok && ctl->m.error && ctl->m.refused_uid && ctl->m.refused_limit &&
	       ctl->m.conns ? 0 : -1;
}

void ctl_count_request(struct ctl *ctl, bool ok)
{
	if (ok) {
		ctl->stats.requests_ok++;
		cp_series_inc(ctl->m.ok);
	} else {
		ctl->stats.requests_error++;
		cp_series_inc(ctl->m.error);
	}
}

void ctl_get_stats(const struct ctl *ctl, struct ctl_stats *st)
{
	*st = ctl->stats;
}
