/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's command table without a socket (ctl_execute):
 * registration and its refusals; a table of request lines and the exact
 * replies they get (two-word commands, the longest match, argument counts
 * and usage lines, unknown commands, text and JSON, help); deferred
 * replies; the audit line of every request, with secrets redacted; the
 * "log level" commands; the request counters in the metrics registry.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl.h"
#include "log.h"
#include "metrics.h"
#include "test_util.h"

/* ---- Handlers ------------------------------------------------------------ */

static void h_echo(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)arg;
	if (req->json) {
		json_t *a = json_array();

		for (int i = 0; i < req->argc; i++)
			json_array_append_new(a, json_string(req->argv[i]));
		ctl_reply_json(r, json_pack("{s:o}", "args", a));
		return;
	}
	for (int i = 0; i < req->argc; i++)
		ctl_reply_printf(r, "[%s]", req->argv[i]);
	ctl_reply_printf(r, "\n");
}

static void h_room_show(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)arg;
	ctl_reply_printf(r, "room %s/%s\n", req->argv[0], req->argv[1]);
}

static void h_room_list(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)req, (void)arg;
	ctl_reply_printf(r, "no rooms\n");
}

static void h_stats(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	ctl_reply_printf(r, "%s %s\n", (const char *)arg, req->argc ? req->argv[0] : "-");
}

static void h_json_only(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)req, (void)arg;
	ctl_reply_json(r, json_pack("{s:i, s:s}", "a", 1, "b", "x"));
}

static void h_text_only(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)req, (void)arg;
	ctl_reply_append(r, "line1\nline2", 11);
}

static void h_fail(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)arg;
	ctl_reply_printf(r, "dropped text\n");
	ctl_reply_json(r, json_integer(5));
	ctl_reply_error(r, "boom: %s", req->argv[0]);
	ctl_reply_error(r, "a second error is ignored");
}

static void h_nothing(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)req, (void)r, (void)arg;
}

static void h_whoami(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)arg;
	ctl_reply_printf(r, "uid=%u gid=%u pid=%d\n", (unsigned)req->uid, (unsigned)req->gid,
			 (int)req->pid);
}

static void h_bad_utf8(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)req, (void)arg;
	ctl_reply_error(r, "bad \xff byte");
}

static struct ctl_reply *held;

static void h_defer(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)arg;
	ctl_reply_defer(r);
	if (req->argc && strcmp(req->argv[0], "now") == 0) {
		ctl_reply_printf(r, "finished at once\n");
		ctl_reply_finish(r);   /* inside the handler: completes on return */
		return;
	}
	held = r;
}

static void h_secret(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)req, (void)arg;
	ctl_reply_printf(r, "stored\n");
}

/* ---- Running lines -------------------------------------------------------- */

struct result {
	int rc;
	bool ok;
	char body[8192];
	size_t len;
};

static const struct ctl_peer peer = { .uid = 1000, .gid = 100, .pid = 4242 };

static void run(struct ctl *ctl, const char *line, struct result *res)
{
	struct ctl_buf out = { 0 };
	struct ctl_reply_reader rd = { 0 };
	size_t used = 0;

	memset(res, 0, sizeof(*res));
	res->rc = ctl_execute(ctl, line, strlen(line), &peer, &out);
	if (res->rc == 0) {
		enum ctl_read_result rr = ctl_reply_feed(&rd, out.p ? out.p : "", out.len, &used);

		CHECK(rr == CTL_READ_DONE && used == out.len, "\"%s\": the reply is not one framed "
		      "reply (%d, %zu of %zu bytes)", line, rr, used, out.len);
		res->ok = rd.ok;
		res->len = rd.body.len < sizeof(res->body) - 1 ? rd.body.len : sizeof(res->body) - 1;
		memcpy(res->body, rd.body.p ? rd.body.p : "", res->len);
		res->body[res->len] = '\0';
	}
	ctl_reply_reader_free(&rd);
	ctl_buf_free(&out);
}

struct row {
	const char *line;
	bool ok;
	const char *body;
};

static const struct row rows[] = {
	{ "echo a b", true, "[a][b]\n" },
	{ "echo", true, "\n" },
	{ "echo \"a b\" \"\" \"q\\\"t\"", true, "[a b][][q\"t]\n" },
	{ "echo \"a b\" --json", true, "{\"args\":[\"a b\"]}\n" },
	{ "--json echo x", true, "{\"args\":[\"x\"]}\n" },
	{ "echo \"--json\"", true, "[--json]\n" },
	{ "room show app1 standup", true, "room app1/standup\n" },
	{ "  room\tshow  app1 \"daily standup\" ", true, "room app1/daily standup\n" },
	{ "room list", true, "no rooms\n" },
	{ "room show app1", false,
	  "wrong number of arguments for \"room show\" (expected 2, got 1)\n"
	  "usage: room show APP RESOURCE\n" },
	{ "room show a b c", false,
	  "wrong number of arguments for \"room show\" (expected 2, got 3)\n"
	  "usage: room show APP RESOURCE\n" },
	{ "room show a --json", false,
	  "{\"error\":\"wrong number of arguments for \\\"room show\\\" (expected 2, got 1)\","
	  "\"usage\":\"room show APP RESOURCE\"}\n" },
	{ "room list x", false,
	  "wrong number of arguments for \"room list\" (expected 0, got 1)\nusage: room list\n" },
	{ "room", false,
	  "\"room\" needs a subcommand (try \"help room\")\n"
	  "usage: room list\n"
	  "       room show APP RESOURCE\n" },
	{ "room frob x", false,
	  "unknown command \"room frob\" (try \"help room\")\n"
	  "usage: room list\n"
	  "       room show APP RESOURCE\n" },
	{ "frob", false, "unknown command \"frob\" (try \"help\")\n" },
	{ "frob --json", false, "{\"error\":\"unknown command \\\"frob\\\" (try \\\"help\\\")\"}\n" },
	{ "Room show a b", false, "unknown command \"Room\" (try \"help\")\n" },
	{ "stats", true, "stats -\n" },
	{ "stats eth0", true, "stats eth0\n" },
	{ "stats reset", true, "stats-reset -\n" },
	{ "stats a b", false,
	  "wrong number of arguments for \"stats\" (expected 0 to 1, got 2)\nusage: stats [PORT]\n" },
	{ "many", false,
	  "wrong number of arguments for \"many\" (expected at least 1, got 0)\nusage: many ARG...\n" },
	{ "many 1 2 3 4 5 6 7 8 9 10", true, "[1][2][3][4][5][6][7][8][9][10]\n" },
	{ "", false, "empty request: try \"help\"\n" },
	{ "   ", false, "empty request: try \"help\"\n" },
	{ "--json", false, "empty request: try \"help\"\n" },
	{ "echo \"x", false, "unterminated quote\n" },
	{ "echo a\"b", false, "quote inside a word (quote the whole word)\n" },
	{ "echo \"\\n\"", false, "bad escape in a quoted word (only \\\" and \\\\ exist)\n" },
	{ "echo \x01", false, "control character in request\n" },
	{ "echo \xc3", false, "request is not valid UTF-8\n" },
	{ "json-only", true, "{\n  \"a\": 1,\n  \"b\": \"x\"\n}\n" },
	{ "json-only --json", true, "{\"a\":1,\"b\":\"x\"}\n" },
	{ "text-only", true, "line1\nline2\n" },
	{ "text-only --json", true, "{\"text\":\"line1\\nline2\"}\n" },
	{ "fail x", false, "boom: x\n" },
	{ "fail x --json", false, "{\"error\":\"boom: x\"}\n" },
	{ "nothing", true, "" },
	{ "nothing --json", true, "{}\n" },
	{ "whoami", true, "uid=1000 gid=100 pid=4242\n" },
	{ "bad-utf8 --json", false, "{\"error\":\"bad ? byte\"}\n" },
	{ "help room show", true, "room show APP RESOURCE\n" },
	{ "help room", true, "room list\nroom show APP RESOURCE\n" },
	{ "help stats", true, "stats [PORT]\nstats reset\n" },
	{ "help nope", false, "no command \"nope\" (try \"help\")\n" },
	{ "help room nope", false, "no command \"room nope\" (try \"help\")\n" },
	{ "help room show --json", true,
	  "{\"commands\":[{\"command\":\"room show\",\"usage\":\"room show APP RESOURCE\"}]}\n" },
	{ "help a b c", false,
	  "wrong number of arguments for \"help\" (expected 0 to 2, got 3)\n"
	  "usage: help [COMMAND [SUBCOMMAND]]\n" },
};

/* Everything registered, as "help" lists it. */
static const char help_all[] =
	"app add APP KEY\n"
	"bad-utf8\n"
	"defer [now]\n"
	"echo [ARG...]\n"
	"fail MESSAGE\n"
	"help [COMMAND [SUBCOMMAND]]\n"
	"json-only\n"
	"log level [SUBSYSTEM] [error|warn|info|debug]\n"
	"log reopen\n"
	"many ARG...\n"
	"nothing\n"
	"room list\n"
	"room show APP RESOURCE\n"
	"stats [PORT]\n"
	"stats reset\n"
	"text-only\n"
	"token generate [--key KEY] APP USER [SECONDS]\n"
	"whoami\n";

static struct ctl *make_table(void)
{
	struct ctl *ctl = ctl_new(NULL);
	struct {
		const char *name, *usage;
		int min, max;
		ctl_handler_fn *fn;
		void *arg;
	} cmds[] = {
		{ "echo", "echo [ARG...]", 0, CTL_ARGS_ANY, h_echo, NULL },
		{ "room show", "room show APP RESOURCE", 2, 2, h_room_show, NULL },
		{ "room list", "room list", 0, 0, h_room_list, NULL },
		{ "stats", "stats [PORT]", 0, 1, h_stats, "stats" },
		{ "stats reset", "stats reset", 0, 0, h_stats, "stats-reset" },
		{ "many", "many ARG...", 1, CTL_ARGS_ANY, h_echo, NULL },
		{ "json-only", "json-only", 0, 0, h_json_only, NULL },
		{ "text-only", "text-only", 0, 0, h_text_only, NULL },
		{ "fail", "fail MESSAGE", 1, 1, h_fail, NULL },
		{ "nothing", "nothing", 0, 0, h_nothing, NULL },
		{ "whoami", "whoami", 0, 0, h_whoami, NULL },
		{ "bad-utf8", "bad-utf8", 0, 0, h_bad_utf8, NULL },
		{ "defer", "defer [now]", 0, 1, h_defer, NULL },
		{ "app add", "app add APP KEY", 2, 2, h_secret, NULL },
		{ "token generate", "token generate [--key KEY] APP USER [SECONDS]", 2, 5, h_secret,
		  NULL },
	};

	CHECK(ctl != NULL, "ctl_new");
	if (!ctl)
		exit(1);
	for (size_t i = 0; i < ARRAY_LEN(cmds); i++)
		CHECK(ctl_register(ctl, cmds[i].name, cmds[i].usage, cmds[i].min, cmds[i].max,
				   cmds[i].fn, cmds[i].arg) == 0, "register %s", cmds[i].name);
	CHECK(ctl_register_log_commands(ctl) == 0, "log commands");
	CHECK(ctl_set_secret(ctl, "app add", "2") == 0, "secret app add");
	CHECK(ctl_set_secret(ctl, "token generate", "--key") == 0, "secret token generate");
	return ctl;
}

static void check_registration(struct ctl *ctl)
{
	static const struct {
		const char *name;
		int min, max, rc;
	} regs[] = {
		{ "", 0, 0, -EINVAL },
		{ "Room", 0, 0, -EINVAL },
		{ "a b c", 0, 0, -EINVAL },
		{ "a  b", 0, 0, -EINVAL },
		{ " a", 0, 0, -EINVAL },
		{ "a ", 0, 0, -EINVAL },
		{ "a\tb", 0, 0, -EINVAL },
		{ "a.b", 0, 0, -EINVAL },
		{ "ok-name_2", 2, 1, -EINVAL },
		{ "ok-name_2", -1, 1, -EINVAL },
		{ "ok-name_2", 0, -2, -EINVAL },
		{ "ok-name_2", 64, CTL_ARGS_ANY, -EINVAL },
		{ "room show", 0, 0, -EEXIST },
		{ "help", 0, 0, -EEXIST },
	};

	for (size_t i = 0; i < ARRAY_LEN(regs); i++)
		CHECK(ctl_register(ctl, regs[i].name, "u", regs[i].min, regs[i].max, h_nothing,
				   NULL) == regs[i].rc, "register row %zu (%s)", i, regs[i].name);
	CHECK(ctl_register(ctl, "x", "x", 0, 0, NULL, NULL) == -EINVAL, "no handler");
	CHECK(ctl_set_secret(ctl, "nope", "1") == -ENOENT, "secret of an unknown command");
	CHECK(ctl_set_secret(ctl, "app add", "0") == -EINVAL, "position 0");
	CHECK(ctl_set_secret(ctl, "app add", "-k") == -EINVAL, "short option");
	CHECK(ctl_set_secret(ctl, "app add", "two") == -EINVAL, "a word");
	CHECK(ctl_set_secret(ctl, "app add", "2") == 0, "secret again");
}

static void check_rows(struct ctl *ctl)
{
	struct result res;

	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		run(ctl, rows[i].line, &res);
		CHECK(res.rc == 0, "row %zu: rc %d", i, res.rc);
		CHECK(res.ok == rows[i].ok, "row %zu (%s): %s", i, rows[i].line,
		      res.ok ? "OK" : "ERR");
		CHECK(strcmp(res.body, rows[i].body) == 0, "row %zu (%s):\n got: %s\nwant: %s", i,
		      rows[i].line, res.body, rows[i].body);
	}
	run(ctl, "help", &res);
	CHECK(res.ok && strcmp(res.body, help_all) == 0, "help:\n%s", res.body);
	run(ctl, "help --json", &res);
	{
		json_error_t e;
		json_t *j = json_loads(res.body, 0, &e);
		json_t *list = json_object_get(j, "commands");

		CHECK(res.ok && json_is_array(list) && json_array_size(list) == 18,
		      "help --json: %s", res.body);
		CHECK(strchr(res.body, '\n') == res.body + res.len - 1, "one line");
		CHECK(strcmp(json_string_value(json_object_get(json_array_get(list, 0), "command")),
			     "app add") == 0, "sorted");
		json_decref(j);
	}
}

/* ---- Deferred replies --------------------------------------------------------- */

static void check_deferred(struct ctl *ctl)
{
	struct result res;

	held = NULL;
	run(ctl, "defer", &res);
	CHECK(res.rc == 1 && held, "deferred: rc %d", res.rc);
	if (held) {
		CHECK(strcmp(ctl_reply_request(held)->command, "defer") == 0, "request kept");
		ctl_reply_printf(held, "later\n");
		ctl_reply_finish(held);
		held = NULL;
	}
	run(ctl, "defer now", &res);
	CHECK(res.rc == 0 && res.ok && strcmp(res.body, "finished at once\n") == 0,
	      "finished inside the handler: %d %s", res.rc, res.body);
}

/* ---- The audit log -------------------------------------------------------------- */

static char audit_path[] = "/tmp/strata-test-audit-XXXXXX";
static int audit_fd = -1;

static char *read_file(int fd)
{
	off_t n = lseek(fd, 0, SEEK_END);
	char *p = calloc(1, (size_t)n + 1);

	if (p && pread(fd, p, (size_t)n, 0) != n)
		p[0] = '\0';
	return p;
}

/* The last line of the audit log, as JSON. */
static json_t *last_audit(void)
{
	char *all = read_file(audit_fd), *last;
	json_error_t e;
	json_t *j;
	size_t n = strlen(all);

	while (n && all[n - 1] == '\n')
		all[--n] = '\0';
	last = strrchr(all, '\n');
	j = json_loads(last ? last + 1 : all, 0, &e);
	CHECK(j != NULL, "audit line is not JSON: %s", last ? last + 1 : all);
	free(all);
	return j;
}

static bool args_are(json_t *a, const char *const *want, size_t n)
{
	json_t *args = json_object_get(a, "args");

	if (json_array_size(args) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(json_string_value(json_array_get(args, i)) ?: "", want[i]) != 0)
			return false;
	return true;
}

static void check_audit(struct ctl *ctl)
{
	struct result res;
	json_t *a;
	char *all;

	run(ctl, "app add app1 SECRET-1", &res);
	a = last_audit();
	CHECK(res.ok, "app add");
	CHECK(strcmp(json_string_value(json_object_get(a, "command")) ?: "", "app add") == 0 &&
	      json_integer_value(json_object_get(a, "uid")) == 1000 &&
	      json_integer_value(json_object_get(a, "pid")) == 4242 &&
	      strcmp(json_string_value(json_object_get(a, "result")) ?: "", "ok") == 0 &&
	      strcmp(json_string_value(json_object_get(a, "event")) ?: "", "command") == 0 &&
	      json_is_string(json_object_get(a, "ts")), "app add audit fields");
	CHECK(args_are(a, (const char *[]){ "app1", "<redacted>" }, 2), "app add args");
	json_decref(a);

	run(ctl, "token generate --key SECRET-2 app1 alice 60", &res);
	a = last_audit();
	CHECK(args_are(a, (const char *[]){ "--key", "<redacted>", "app1", "alice", "60" }, 5),
	      "token generate --key");
	json_decref(a);
	run(ctl, "token generate --key=SECRET-3 app1 alice", &res);
	a = last_audit();
	CHECK(args_are(a, (const char *[]){ "--key=<redacted>", "app1", "alice" }, 3),
	      "token generate --key=");
	json_decref(a);

	/* A wrong argument count still redacts; an unknown command's
	 * arguments are all redacted; an unparsable line logs none. */
	run(ctl, "app add app1 SECRET-4 extra", &res);
	a = last_audit();
	CHECK(!res.ok && args_are(a, (const char *[]){ "app1", "<redacted>", "extra" }, 3) &&
	      strcmp(json_string_value(json_object_get(a, "result")) ?: "", "error") == 0 &&
	      strstr(json_string_value(json_object_get(a, "error")) ?: "", "wrong number"),
	      "wrong count");
	json_decref(a);
	run(ctl, "app ad app1 SECRET-5", &res);
	a = last_audit();
	CHECK(!res.ok && args_are(a, (const char *[]){ "ad", "app1", "<redacted>" }, 3) == false &&
	      args_are(a, (const char *[]){ "<redacted>", "<redacted>", "<redacted>" }, 3) &&
	      strcmp(json_string_value(json_object_get(a, "command")) ?: "", "app") == 0,
	      "unknown command");
	json_decref(a);
	run(ctl, "app add app1 \"SECRET-6", &res);
	a = last_audit();
	CHECK(!res.ok && json_is_null(json_object_get(a, "command")) &&
	      !json_object_get(a, "args") &&
	      strcmp(json_string_value(json_object_get(a, "error")) ?: "", "unterminated quote") == 0,
	      "unparsable line");
	json_decref(a);

	all = read_file(audit_fd);
	CHECK(!strstr(all, "SECRET"), "a secret reached the audit log:\n%s", all);
	free(all);

	/* A deferred reply is audited when it finishes. */
	held = NULL;
	run(ctl, "defer", &res);
	ctl_reply_error(held, "dataplane gone");
	ctl_reply_finish(held);
	held = NULL;
	a = last_audit();
	CHECK(strcmp(json_string_value(json_object_get(a, "error")) ?: "", "dataplane gone") == 0,
	      "deferred audit");
	json_decref(a);
}

/* ---- Log levels ------------------------------------------------------------------ */

static void check_log_commands(struct ctl *ctl)
{
	struct result res;

	run(ctl, "log level", &res);
	CHECK(res.ok && strncmp(res.body, "default: info\n", 14) == 0 &&
	      strstr(res.body, "\nctl: info (default)\n"), "log level:\n%s", res.body);
	run(ctl, "log level ctl debug", &res);
	CHECK(res.ok && strcmp(res.body, "ctl: debug\n") == 0, "set ctl: %s", res.body);
	CHECK(cp_log_get_level("ctl") == CP_LOG_DEBUG && cp_log_get_level(NULL) == CP_LOG_INFO,
	      "ctl at debug");
	run(ctl, "log level ctl", &res);
	CHECK(res.ok && strcmp(res.body, "ctl: debug\n") == 0, "show ctl: %s", res.body);
	run(ctl, "log level --json", &res);
	CHECK(res.ok && strstr(res.body, "\"default\":\"info\"") &&
	      strstr(res.body, "\"ctl\":\"debug\""), "json: %s", res.body);
	run(ctl, "log level warn", &res);
	CHECK(res.ok && cp_log_get_level(NULL) == CP_LOG_WARN && cp_log_get_level("ctl") == CP_LOG_WARN,
	      "everything at warn: %s", res.body);
	run(ctl, "log level loud", &res);
	CHECK(!res.ok && strstr(res.body, "no subsystem or level \"loud\"") &&
	      strstr(res.body, "subsystems: ") && strstr(res.body, "ctl"), "unknown: %s", res.body);
	run(ctl, "log level ctl loud", &res);
	CHECK(!res.ok && strstr(res.body, "no level \"loud\""), "bad level: %s", res.body);
	run(ctl, "log level nope info", &res);
	CHECK(!res.ok, "unknown subsystem: %s", res.body);
	run(ctl, "log reopen", &res);
	CHECK(res.ok, "log reopen: %s", res.body);
	cp_log_set_level(NULL, CP_LOG_INFO);
}

/* ---- Metrics ------------------------------------------------------------------ */

static void check_metrics(void)
{
	struct cp_metrics *reg = cp_metrics_new();
	struct ctl *ctl = make_table();
	struct result res;
	char *text;

	CHECK(ctl_set_metrics(ctl, reg) == 0, "set metrics");
	run(ctl, "echo", &res);
	run(ctl, "echo", &res);
	run(ctl, "frob", &res);
	text = cp_metrics_render(reg, NULL);
	CHECK(text && strstr(text, "strata_ctl_requests_total{result=\"ok\"} 2\n") &&
	      strstr(text, "strata_ctl_requests_total{result=\"error\"} 1\n") &&
	      strstr(text, "strata_ctl_refused_total{reason=\"uid\"} 0\n") &&
	      strstr(text, "strata_ctl_connections 0\n"), "metrics:\n%s", text);
	free(text);
	/* A second table on the same registry shares the families. */
	{
		struct ctl *two = make_table();

		CHECK(ctl_set_metrics(two, reg) == 0, "second table");
		ctl_free(two);
	}
	/* A deferred reply outlives its table: finishing it only audits. */
	held = NULL;
	run(ctl, "defer", &res);
	ctl_free(ctl);
	if (held) {
		ctl_reply_finish(held);
		held = NULL;
	}
	cp_metrics_free(reg);
}

int main(void)
{
	struct ctl *ctl;
	int logfd = open("/dev/null", O_WRONLY);

	audit_fd = mkstemp(audit_path);
	if (audit_fd < 0) {
		perror("mkstemp");
		return 1;
	}
	unlink(audit_path);
	cp_audit_set_fd(audit_fd);
	cp_log_set_fd(logfd);

	ctl = make_table();
	check_registration(ctl);
	check_rows(ctl);
	check_deferred(ctl);
	check_audit(ctl);
	check_log_commands(ctl);
	ctl_free(ctl);
	check_metrics();

	cp_audit_set_fd(2);
	cp_log_set_fd(2);
	close(audit_fd);
	close(logfd);
	return test_summary("cp_ctl_commands");
}
