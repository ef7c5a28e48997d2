/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the control socket's line protocol
 * (controlplane/ctl_proto.c) and its dispatch (controlplane/ctl.c) on
 * arbitrary bytes.  The input is used three ways:
 *
 *  1. As one request line, copied into a heap buffer of exactly its
 *     length (ASan sees any read past it), for ctl_parse.  Every outcome
 *     is a known status; a refusal leaves no words; a line of
 *     CTL_MAX_LINE bytes or more is TOO_LONG.  Accepted words are 1 to
 *     CTL_MAX_WORDS, inside the words buffer and NUL-terminated there,
 *     valid UTF-8 without control characters, together no longer than the
 *     line plus one; and quoting them back (ctl_build_request) either
 *     fails only for length or gives a line that parses to the same words
 *     and the same --json.
 *
 *  2. As a request to a command table (ctl_execute): the reply is exactly
 *     one framed reply; OK only for a line that parsed; a --json reply is
 *     one line of valid JSON; a text ERR says something and ends in "\n";
 *     and the audit line of "app add APP KEY" never shows the key.
 *
 *  3. As bytes from a server, for the reply reader, in chunks whose sizes
 *     come from the input: it never takes more than it is given, and a
 *     reply it completes has the body its status line announced.
 *
 * Any broken promise abort()s.
 *
 * Seeds (corpus/ctl/): requests as an operator types them (help, two-word
 * commands with quoted arguments and escapes, --json in several places,
 * "app add" with a key, wrong argument counts, unknown commands), each
 * refusal of the parser (empty, control characters, invalid UTF-8,
 * unterminated quote, bad escape, a quote inside a word, too many words,
 * a line just over CTL_MAX_LINE), and server replies (OK, ERR, two back to
 * back, malformed status lines).  ctl.dict gives libFuzzer the protocol's
 * words.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>

#include <jansson.h>

#include "ctl.h"
#include "ctl_proto.h"
#include "fuzz_invariant.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool no_controls(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static void check_parse(const char *line, size_t size)
{
	static struct ctl_words w, again;
	enum ctl_parse_status st = ctl_parse(line, size, &w);
	size_t total = 0;
	struct ctl_buf b = { 0 };
	int rc;

	INVARIANT((unsigned)st < CTL_PARSE_STATUS_COUNT);
	if (size >= CTL_MAX_LINE)
		INVARIANT(st == CTL_PARSE_TOO_LONG);
	if (st != CTL_PARSE_OK) {
		INVARIANT(w.argc == 0 && w.argv[0] == NULL && !w.json);
		return;
	}
	INVARIANT(w.argc >= 1 && w.argc <= CTL_MAX_WORDS && w.argv[w.argc] == NULL);
	for (int i = 0; i < w.argc; i++) {
		const char *a = w.argv[i];
		size_t n;

		INVARIANT(a >= w.buf && a < w.buf + sizeof(w.buf));
		n = strnlen(a, (size_t)(w.buf + sizeof(w.buf) - a));
		INVARIANT(a + n < w.buf + sizeof(w.buf));
		INVARIANT(cp_utf8_valid(a, n) && no_controls(a));
		total += n + 1;
	}
	INVARIANT(total <= size + 1);

	rc = ctl_build_request(&b, w.argc, (const char *const *)w.argv, w.json, NULL);
	INVARIANT(rc == 0 || rc == -2);
	if (rc == 0) {
		INVARIANT(b.len >= 2 && b.len <= CTL_MAX_LINE && b.p[b.len - 1] == '\n');
		INVARIANT(ctl_parse(b.p, b.len - 1, &again) == CTL_PARSE_OK);
		INVARIANT(again.argc == w.argc && again.json == w.json);
		for (int i = 0; i < w.argc; i++)
			INVARIANT(strcmp(again.argv[i], w.argv[i]) == 0);
	}
	ctl_buf_free(&b);
}

/* ---- A command table ---------------------------------------------------- */

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

static void h_fail(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)arg;
	ctl_reply_error(r, "refused: %s", req->argc ? req->argv[0] : "");
}

static void h_json(const struct ctl_request *req, struct ctl_reply *r, void *arg)
{
	(void)arg;
	ctl_reply_json(r, json_pack("{s:i, s:s?}", "n", req->argc, "first",
				    req->argc ? req->argv[0] : NULL));
}

static struct ctl *ctl;
static int audit_fd = -1;

static void setup(void)
{
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	cp_log_set_fd(devnull);
	audit_fd = memfd_create("fuzz-audit", MFD_CLOEXEC);
	INVARIANT(audit_fd >= 0);
	cp_audit_set_fd(audit_fd);
	ctl = ctl_new(NULL);
	INVARIANT(ctl);
	INVARIANT(ctl_register(ctl, "echo", "echo [ARG...]", 0, CTL_ARGS_ANY, h_echo, NULL) == 0);
	INVARIANT(ctl_register(ctl, "room show", "room show APP RESOURCE", 2, 2, h_echo, NULL) == 0);
	INVARIANT(ctl_register(ctl, "room list", "room list", 0, 0, h_json, NULL) == 0);
	INVARIANT(ctl_register(ctl, "fail", "fail [WHY]", 0, 1, h_fail, NULL) == 0);
	INVARIANT(ctl_register(ctl, "app add", "app add APP KEY", 2, 2, h_echo, NULL) == 0);
	INVARIANT(ctl_set_secret(ctl, "app add", "2") == 0);
	INVARIANT(ctl_register_log_commands(ctl) == 0);
}

/* The audit line of the last request (read back from the memfd). */
static json_t *last_audit(void)
{
	static char buf[1 << 16];
	off_t n = lseek(audit_fd, 0, SEEK_END);
	json_error_t e;

	INVARIANT(n > 0 && (size_t)n < sizeof(buf));
	INVARIANT(pread(audit_fd, buf, (size_t)n, 0) == n);
	INVARIANT(buf[n - 1] == '\n' && memchr(buf, '\n', (size_t)n) == buf + n - 1);
	buf[n - 1] = '\0';
	return json_loads(buf, 0, &e);
}

static void check_execute(const char *line, size_t size)
{
	static struct ctl_words w;
	struct ctl_reply_reader rd = { 0 };
	struct ctl_buf out = { 0 };
	enum ctl_parse_status st = ctl_parse(line, size, &w);
	size_t used = 0;
	json_t *audit;

	INVARIANT(ftruncate(audit_fd, 0) == 0 && lseek(audit_fd, 0, SEEK_SET) == 0);
	INVARIANT(ctl_execute(ctl, line, size, NULL, &out) == 0);
	INVARIANT(out.len > 0);
	INVARIANT(ctl_reply_feed(&rd, out.p, out.len, &used) == CTL_READ_DONE && used == out.len);
	if (rd.ok)
		INVARIANT(st == CTL_PARSE_OK);
	if (st == CTL_PARSE_OK && w.json) {
		json_error_t e;
		json_t *j;

		INVARIANT(rd.body.len >= 3 && rd.body.p[rd.body.len - 1] == '\n' &&
			  memchr(rd.body.p, '\n', rd.body.len) == rd.body.p + rd.body.len - 1);
		j = json_loadb(rd.body.p, rd.body.len, 0, &e);
		INVARIANT(j != NULL);
		if (!rd.ok)
			INVARIANT(json_is_string(json_object_get(j, "error")));
		json_decref(j);
	} else if (!rd.ok) {
		INVARIANT(rd.body.len >= 2 && rd.body.p[rd.body.len - 1] == '\n');
	}

	audit = last_audit();
	INVARIANT(audit != NULL);
	if (st == CTL_PARSE_OK && w.argc == 4 && strcmp(w.argv[0], "app") == 0 &&
	    strcmp(w.argv[1], "add") == 0) {
		json_t *args = json_object_get(audit, "args");

		INVARIANT(json_array_size(args) == 2);
		INVARIANT(strcmp(json_string_value(json_array_get(args, 1)), "<redacted>") == 0);
	}
	json_decref(audit);
	ctl_reply_reader_free(&rd);
	ctl_buf_free(&out);
}

static void check_reader(const uint8_t *data, size_t size)
{
	struct ctl_reply_reader rd = { 0 };
	size_t off = 0, k = 0;

	while (off < size) {
		size_t chunk = 1 + data[k++ % size] % 64, used = 0;
		enum ctl_read_result res;

		if (chunk > size - off)
			chunk = size - off;
		res = ctl_reply_feed(&rd, (const char *)data + off, chunk, &used);
		INVARIANT(used <= chunk);
		off += used;
		if (res == CTL_READ_BAD)
			break;
		if (res == CTL_READ_MORE) {
			INVARIANT(used == chunk);
			continue;
		}
		INVARIANT(rd.body.len == rd.body_len && rd.body_len <= CTL_MAX_REPLY);
		INVARIANT(rd.body.p && rd.body.p[rd.body.len] == '\0');
		ctl_reply_reader_reset(&rd);
	}
	ctl_reply_reader_free(&rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size ? size : 1);

	if (!ctl)
		setup();
	memcpy(line, data, size);
	check_parse(line, size);
	check_execute(line, size);
	check_reader(data, size);
	free(line);
	return 0;
}
