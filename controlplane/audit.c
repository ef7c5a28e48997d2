/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The audit log: an operator action as one JSON line, its secret arguments
 * redacted (audit.h says what the lines look like).  The line is written
 * by log.c (log_internal.h), under the log's lock and into its stats.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit.h"
#include "log.h"
#include "log_internal.h"

/* Next space-separated word of *s, or false at the end. */
static bool next_word(const char **s, const char **w, size_t *n)
{
	const char *p = *s;

	while (*p == ' ')
		p++;
	if (!*p)
		return false;
	*w = p;
	while (*p && *p != ' ')
		p++;
	*n = (size_t)(p - *w);
	*s = p;
	return true;
}

int cp_audit_spec_check(const char *spec)
{
	const char *w;
	size_t n;

	if (!spec)
		return 0;
	while (next_word(&spec, &w, &n)) {
		if (n > 2 && w[0] == '-' && w[1] == '-')
			continue;
		if (n > 4 || w[0] == '0')
			return -1;
		for (size_t i = 0; i < n; i++)
			if (w[i] < '0' || w[i] > '9')
				return -1;
	}
	return 0;
}

bool cp_audit_is_secret(const char *spec, int argc, const char *const *argv, int i)
{
	const char *w;
	size_t n;

	if (!spec || i < 0 || i >= argc)
		return false;
	while (next_word(&spec, &w, &n)) {
		if (n > 2 && w[0] == '-' && w[1] == '-') {
			/* --key VALUE: the value; --key=VALUE: the value part. */
			if (i > 0 && strlen(argv[i - 1]) == n && memcmp(argv[i - 1], w, n) == 0)
				return true;
			if (strncmp(argv[i], w, n) == 0 && argv[i][n] == '=')
				return true;
		} else if (n <= 4) {
			int pos = 0;

			for (size_t k = 0; k < n; k++)
				pos = pos * 10 + (w[k] - '0');
			if (pos == i + 1)
				return true;
		}
	}
	return false;
}

/* A JSON string of s, with invalid UTF-8 bytes written as '?' (jansson
 * accepts only valid UTF-8, and an audit line must never be lost). */
static json_t *jstr(const char *s)
{
	size_t n = strlen(s);
	json_t *j;
	char *copy;

	if (cp_utf8_valid(s, n))
		return json_stringn(s, n);
	copy = strdup(s);
	if (!copy)
		return NULL;
	cp_utf8_sanitize(copy, n);
	j = json_stringn(copy, n);
	free(copy);
	return j;
}

/* Whether spec names the option `a` (--key=VALUE) is an instance of. */
static bool secret_option_named(const char *spec, const char *a)
{
	const char *w;
	size_t n;

	while (spec && next_word(&spec, &w, &n))
		if (n > 2 && w[0] == '-' && w[1] == '-' && strncmp(a, w, n) == 0 && a[n] == '=')
			return true;
	return false;
}

/* The logged form of argument i: itself, or its redaction. */
static json_t *audit_arg(const struct cp_audit_record *r, int i)
{
	const char *a = r->argv[i];

	if (r->all_secret)
		return json_string("<redacted>");
	if (!cp_audit_is_secret(r->secret, r->argc, r->argv, i))
		return jstr(a);
	if (a[0] == '-' && a[1] == '-' && strchr(a, '=') && secret_option_named(r->secret, a)) {
		/* --key=VALUE keeps the option's name, when the spec names that
		 * option: a positional secret that happens to look like an
		 * option is hidden whole, or its first part would leak. */
		const char *eq = strchr(a, '=');
		char buf[128];

		snprintf(buf, sizeof(buf), "%.*s=<redacted>", (int)(eq - a) < 100 ? (int)(eq - a) : 100,
			 a);
		return jstr(buf);
	}
	return json_string("<redacted>");
}

void cp_audit(const struct cp_audit_record *r)
{
	char ts[32];
	json_t *o = json_object();
	char *text = NULL;
	size_t n = 0;

	cp_log_format_time(cp_log_realtime_ms(), ts);
	if (o) {
		json_object_set_new(o, "ts", json_string(ts));
		json_object_set_new(o, "event", jstr(r->event ? r->event : "command"));
		json_object_set_new(o, "uid", json_integer((json_int_t)r->uid));
		json_object_set_new(o, "pid", json_integer((json_int_t)r->pid));
		json_object_set_new(o, "command", r->command ? jstr(r->command) : json_null());
		if (r->command) {
			json_t *args = json_array();

			for (int i = 0; args && i < r->argc; i++)
				json_array_append_new(args, audit_arg(r, i));
			json_object_set_new(o, "args", args);
		}
		json_object_set_new(o, "result", json_string(r->ok ? "ok" : "error"));
		if (!r->ok && r->error)
			json_object_set_new(o, "error", jstr(r->error));
		text = json_dumps(o, JSON_COMPACT);
		json_decref(o);
	}
	if (text) {
		n = strlen(text);
		text[n++] = '\n';  /* json_dumps leaves the NUL's byte: reuse it */
	}
	/* NULL (out of memory) is counted as a failed line. */
	cp_log_write_audit(text, n);
	free(text);
}
