/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The walker that reads a group of the configuration through its table
 * (config_parse.h), and the messages and values every table shares: one
 * walker is what makes an unknown setting an error everywhere, with its
 * line and a "did you mean", and keeps the messages uniform.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_parse.h"

/* ---- messages ------------------------------------------------------------ */

/* "dataplane.ports[0].addresses[1]": the setting's path, as written. */
static void setting_path(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *chain[32];
	unsigned n = 0;
	size_t used = 0;

	for (; s && !config_setting_is_root(s) && n < ARRAY_LEN(chain); s = config_setting_parent(s))
		chain[n++] = s;
	buf[0] = 0;
	while (n-- && used < len) {
		const config_setting_t *e = chain[n], *p = config_setting_parent(e);
		int w;

		if (p && (config_setting_is_list(p) || config_setting_is_array(p)))
			w = snprintf(buf + used, len - used, "[%d]", config_setting_index(e));
		else
			w = snprintf(buf + used, len - used, "%s%s", used ? "." : "",
				     config_setting_name(e));
		used += w > 0 ? (size_t)w : 0;
	}
}

/* "FILE:LINE: SETTING: message"; returns -1 so callers can `return cfg_fail()`. */
int cfg_fail(struct ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	char where[256], msg[768];
	const char *file;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!c->errlen)
		return -1;
	if (!s) {
		snprintf(c->err, c->errlen, "%s: %s", c->path, msg);
		return -1;
	}
	setting_path(s, where, sizeof(where));
	file = config_setting_source_file(s) ? config_setting_source_file(s) : c->path;
	snprintf(c->err, c->errlen, "%s:%u: %s: %s", file, config_setting_source_line(s), where, msg);
	return -1;
}

const char *cfg_type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP: return "a group { }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a number with a fraction";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array [ ]";
	case CONFIG_TYPE_LIST: return "a list ( )";
	}
	return "of no known type";
}

/* The edit distance of two short names, for "did you mean". */
static unsigned distance(const char *a, const char *b)
{
	unsigned d[33][33], la = strlen(a), lb = strlen(b);

	if (la > 32 || lb > 32)
		return 99;
	for (unsigned i = 0; i <= la; i++)
		d[i][0] = i;
	for (unsigned j = 0; j <= lb; j++)
		d[0][j] = j;
	for (unsigned i = 1; i <= la; i++) {
		for (unsigned j = 1; j <= lb; j++) {
			unsigned sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			unsigned del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
			d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
	}
	return d[la][lb];
}

/* ---- values -------------------------------------------------------------- */

int cfg_get_string(struct ctx *c, const config_setting_t *s, const char *example,
		   const char **out)
{
	*out = "";
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_fail(c, s, "is %s; write a string in double quotes, e.g. %s",
				cfg_type_name(s), example);
	*out = config_setting_get_string(s);
	return 0;
}

int cfg_copy_string(struct ctx *c, const config_setting_t *s, const char *v, char *dst,
		    size_t size)
{
	size_t len = strlen(v);

	if (len >= size)
		return cfg_fail(c, s, "\"%.40s...\" is %zu characters long; at most %zu fit", v,
				len, size - 1);
	memcpy(dst, v, len + 1);
	return 0;
}

/* libconfig 1.5 wraps integers past 32 bits silently; what is negative
 * after that is at least caught by the range checks. */
int cfg_get_uint(struct ctx *c, const config_setting_t *s, uint32_t min, uint32_t max,
		 bool pow2, const char *example, uint32_t *out)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
		return cfg_fail(c, s, "is %s; write an integer from %u to %u without quotes, "
				"e.g. %s", cfg_type_name(s), min, max, example);
	v = config_setting_get_int64(s);
	if (v < min || v > max || (pow2 && (v & (v - 1))))
		return cfg_fail(c, s, "%lld is not valid; valid values are %s%u to %u, e.g. %s", v,
				pow2 ? "powers of two from " : "", min, max, example);
	*out = (uint32_t)v;
	return 0;
}

/* An unsigned decimal inside a string (lcore lists, prefix lengths). */
bool cfg_read_uint(const char **p, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	const char *s = *p;

	if (!isdigit((unsigned char)*s))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return false;
	}
	*p = s;
	*out = v;
	return true;
}

bool cfg_has_space(const char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			return true;
	return false;
}

/* ---- the walker ---------------------------------------------------------- */

static int parse_strlist(struct ctx *c, const config_setting_t *s, const struct field *f,
			 struct dp_string_list *list)
{
	unsigned n = (unsigned)config_setting_length(s);

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return cfg_fail(c, s, "is %s; write an array of strings, e.g. %s", cfg_type_name(s),
				f->example);
	list->v = calloc(n + 1, sizeof(char *));
	if (!list->v)
		return cfg_fail(c, s, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v;

		if (cfg_get_string(c, e, f->example, &v) < 0 || f->check(c, e, v) < 0)
			return -1;
		list->v[i] = strdup(v);
		if (!list->v[i])
			return cfg_fail(c, e, "out of memory");
		list->n = i + 1;
	}
	return 0;
}

static int parse_field(struct ctx *c, const config_setting_t *s, const struct field *f, void *base)
{
	void *dst = (char *)base + f->off;

	switch (f->kind) {
	case K_UINT:
		return cfg_get_uint(c, s, f->min, f->max, f->pow2, f->example, dst);
	case K_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return cfg_fail(c, s, "is %s; write true or false, without quotes",
					cfg_type_name(s));
		*(bool *)dst = config_setting_get_bool(s);
		return 0;
	case K_CHOICE: {
		const char *v;
		char valid[128] = "";

		if (cfg_get_string(c, s, f->example, &v) < 0)
			return -1;
		for (int i = 0; f->choices[i]; i++) {
			if (!strcmp(v, f->choices[i])) {
				*(int *)dst = i;
				return 0;
			}
			snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s\"%s\"",
				 i ? ", " : "", f->choices[i]);
		}
		return cfg_fail(c, s, "\"%s\" is not valid; valid values are %s", v, valid);
	}
	case K_STRLIST:
		return parse_strlist(c, s, f, dst);
	case K_GROUP:
		return cfg_parse_group(c, s, f->sub, dst);
	case K_CUSTOM:
		return f->parse(c, s, base);
	}
	return cfg_fail(c, s, "internal error: unknown kind %d", f->kind);
}

/* Reads every member of group g through table t; unknown names are errors. */
int cfg_parse_group(struct ctx *c, const config_setting_t *g, const struct table *t, void *base)
{
	if (!config_setting_is_group(g))
		return cfg_fail(c, g, "is %s; it must be a group of settings in braces, { ... }",
				cfg_type_name(g));
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *name = config_setting_name(s), *near = NULL;
		char valid[512] = "";
		size_t k;

		for (k = 0; k < t->n && strcmp(name, t->fields[k].name); k++)
			;
		if (k < t->n) {
			if (parse_field(c, s, &t->fields[k], base) < 0)
				return -1;
			continue;
		}
		for (k = 0; k < t->n; k++) {
			snprintf(valid + strlen(valid), sizeof(valid) - strlen(valid), "%s%s",
				 k ? ", " : "", t->fields[k].name);
			if (distance(name, t->fields[k].name) <= 2)
				near = t->fields[k].name;
		}
		if (near)
			return cfg_fail(c, s, "unknown setting; did you mean %s? (valid here: %s)",
					near, valid);
		return cfg_fail(c, s, "unknown setting; valid here: %s", valid);
	}
	return 0;
}
