/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The metrics registry and its Prometheus text rendering (metrics.h).
 * The HTTP responder is in metrics_http.c.
 *
 * The text exposition format, version 0.0.4 (Prometheus "Exposition
 * formats"):
 *
 *   metric_name [ "{" label_name "=" '"' label_value '"' { "," ... } "}" ] value
 *
 *   "label_value can be any sequence of UTF-8 characters, but the
 *    backslash (\), double-quote ("), and line feed (\n) characters have
 *    to be escaped as \\, \", and \n, respectively."
 *   "HELP lines may contain any sequence of UTF-8 characters (after the
 *    metric name), but the backslash and the line feed characters have to
 *    be escaped as \\ and \n, respectively."
 *   "value is a float represented as required by Go's ParseFloat()
 *    function. In addition to standard numerical values, NaN, +Inf, and
 *    -Inf are valid values."
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"

struct cp_series {
	struct cp_series *next;
	enum cp_metric_type type;
	union {
		uint64_t count;
		double gauge;
	};
	char *values[];  /* one per label of the family */
};

struct cp_metric {
	struct cp_metric *next;
	enum cp_metric_type type;
	char *name, *help;
	size_t n_labels;
	char *labels[CP_METRIC_MAX_LABELS];
	struct cp_series *series, **series_tail;
};

struct collector {
	void (*fn)(struct cp_metrics *reg, void *arg);
	void *arg;
};

struct cp_metrics {
	struct cp_metric *metrics, **tail;
	struct collector *collectors;
	size_t n_collectors;
};

struct cp_metrics *cp_metrics_new(void)
{
	struct cp_metrics *reg = calloc(1, sizeof(*reg));

	if (reg)
		reg->tail = &reg->metrics;
	return reg;
}

static void series_free(const struct cp_metric *m, struct cp_series *s)
{
	for (size_t i = 0; i < m->n_labels; i++)
		free(s->values[i]);
	free(s);
}

static void metric_free(struct cp_metric *m)
{
	while (m->series) {
		struct cp_series *s = m->series;

		m->series = s->next;
		series_free(m, s);
	}
	for (size_t i = 0; i < m->n_labels; i++)
		free(m->labels[i]);
	free(m->name);
	free(m->help);
	free(m);
}

void cp_metrics_free(struct cp_metrics *reg)
{
	if (!reg)
		return;
	while (reg->metrics) {
		struct cp_metric *m = reg->metrics;

		reg->metrics = m->next;
		metric_free(m);
	}
	free(reg->collectors);
	free(reg);
}

static bool name_char(char c, bool first, bool colon)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
		return true;
	if (colon && c == ':')
		return true;
	return !first && c >= '0' && c <= '9';
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* for metrics, [a-zA-Z_][a-zA-Z0-9_]* for labels. */
static bool valid_name(const char *s, bool colon)
{
	if (!s || !*s)
		return false;
	for (size_t i = 0; s[i]; i++)
		if (!name_char(s[i], i == 0, colon))
			return false;
	return true;
}

struct cp_metric *cp_metrics_find(struct cp_metrics *reg, const char *name)
{
	for (struct cp_metric *m = reg->metrics; m; m = m->next)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

struct cp_metric *cp_metrics_add(struct cp_metrics *reg, enum cp_metric_type type,
				 const char *name, const char *help, const char *const *labels)
{
	struct cp_metric *m;
	size_t n = 0;

	if (!valid_name(name, true) || (type != CP_METRIC_COUNTER && type != CP_METRIC_GAUGE)) {
		errno = EINVAL;
		return NULL;
	}
	for (; labels && labels[n]; n++) {
		if (n == CP_METRIC_MAX_LABELS || !valid_name(labels[n], false) ||
		    strncmp(labels[n], "__", 2) == 0) {
			errno = EINVAL;
			return NULL;
		}
		for (size_t k = 0; k < n; k++)
			if (strcmp(labels[k], labels[n]) == 0) {
				errno = EINVAL;
				return NULL;
			}
	}
	if (cp_metrics_find(reg, name)) {
		errno = EEXIST;
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		goto oom;
	m->type = type;
	m->series_tail = &m->series;
	m->name = strdup(name);
	m->help = strdup(help ? help : "");
	if (!m->name || !m->help)
		goto oom;
	for (; m->n_labels < n; m->n_labels++) {
		m->labels[m->n_labels] = strdup(labels[m->n_labels]);
		if (!m->labels[m->n_labels])
			goto oom;
	}
	if (n == 0 && !cp_metric_series(m, NULL))
		goto oom;
	*reg->tail = m;
	reg->tail = &m->next;
	return m;
oom:
	if (m)
		metric_free(m);
	errno = ENOMEM;
	return NULL;
}

static struct cp_metric *add_va(struct cp_metrics *reg, enum cp_metric_type type,
				const char *name, const char *help, va_list ap)
{
	const char *labels[CP_METRIC_MAX_LABELS + 2];
	size_t n = 0;
	const char *l;

	while ((l = va_arg(ap, const char *)) != NULL) {
		if (n == CP_METRIC_MAX_LABELS + 1) {
			errno = EINVAL;
			return NULL;
		}
		labels[n++] = l;
	}
	labels[n] = NULL;
	return cp_metrics_add(reg, type, name, help, labels);
}

struct cp_metric *cp_metrics_counter(struct cp_metrics *reg, const char *name, const char *help,
				     ...)
{
	struct cp_metric *m;
	va_list ap;

	va_start(ap, help);
	m = add_va(reg, CP_METRIC_COUNTER, name, help, ap);
	va_end(ap);
	return m;
}

struct cp_metric *cp_metrics_gauge(struct cp_metrics *reg, const char *name, const char *help,
				   ...)
{
	struct cp_metric *m;
	va_list ap;

	va_start(ap, help);
	m = add_va(reg, CP_METRIC_GAUGE, name, help, ap);
	va_end(ap);
	return m;
}

static bool series_matches(const struct cp_metric *m, const struct cp_series *s,
			   const char *const *values)
{
	for (size_t i = 0; i < m->n_labels; i++)
		if (strcmp(s->values[i], values[i] ? values[i] : "") != 0)
			return false;
	return true;
}

struct cp_series *cp_metric_series(struct cp_metric *m, const char *const *values)
{
	struct cp_series *s;

	if (m->n_labels && !values)
		return NULL;
	for (s = m->series; s; s = s->next)
		if (series_matches(m, s, values))
			return s;
	s = calloc(1, sizeof(*s) + m->n_labels * sizeof(char *));
	if (!s)
		return NULL;
	s->type = m->type;
	for (size_t i = 0; i < m->n_labels; i++) {
		s->values[i] = strdup(values[i] ? values[i] : "");
		if (!s->values[i]) {
			series_free(m, s);
			return NULL;
		}
	}
	*m->series_tail = s;
	m->series_tail = &s->next;
	return s;
}

void cp_metric_remove_series(struct cp_metric *m, const char *const *values)
{
	struct cp_series **p;

	if (m->n_labels && !values)
		return;
	for (p = &m->series; *p; p = &(*p)->next) {
		struct cp_series *s = *p;

		if (series_matches(m, s, values)) {
			*p = s->next;
			if (m->series_tail == &s->next)
				m->series_tail = p;
			series_free(m, s);
			return;
		}
	}
}

/* A series knows its family's type, so every setter works on both: a
 * counter set from a double keeps it (negative: 0), a gauge takes counts
 * as numbers. */
void cp_series_add(struct cp_series *s, uint64_t n)
{
	if (!s)
		return;
	if (s->type == CP_METRIC_COUNTER)
		s->count += n;
	else
		s->gauge += (double)n;
}

void cp_series_set_counter(struct cp_series *s, uint64_t v)
{
	if (!s)
		return;
	if (s->type == CP_METRIC_COUNTER)
		s->count = v;
	else
		s->gauge = (double)v;
}

void cp_series_set(struct cp_series *s, double v)
{
	if (!s)
		return;
	if (s->type == CP_METRIC_GAUGE)
		s->gauge = v;
	else
		s->count = v > 0 ? (uint64_t)v : 0;
}

void cp_series_gauge_add(struct cp_series *s, double delta)
{
	if (!s)
		return;
	if (s->type == CP_METRIC_GAUGE)
		s->gauge += delta;
	else if (delta > 0)
		s->count += (uint64_t)delta;
}

double cp_series_value(const struct cp_series *s)
{
	if (!s)
		return 0.0;
	return s->type == CP_METRIC_COUNTER ? (double)s->count : s->gauge;
}

int cp_metrics_add_collector(struct cp_metrics *reg, void (*fn)(struct cp_metrics *reg, void *arg),
			     void *arg)
{
	struct collector *c = realloc(reg->collectors, (reg->n_collectors + 1) * sizeof(*c));

	if (!c)
		return -1;
	reg->collectors = c;
	c[reg->n_collectors].fn = fn;
	c[reg->n_collectors].arg = arg;
	reg->n_collectors++;
	return 0;
}

/* ---- Rendering ---------------------------------------------------------- */

/* Writes s with \\ and \n escaped, and \" too when quote; bytes that are
 * not UTF-8 as '?' (the format is UTF-8). */
static void put_escaped(FILE *f, const char *s, bool quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		size_t k = cp_utf8_char_len(p + i, n - i);

		if (!k) {
			fputc('?', f);
			i++;
			continue;
		}
		if (p[i] == '\\')
			fputs("\\\\", f);
		else if (p[i] == '\n')
			fputs("\\n", f);
		else if (quote && p[i] == '"')
			fputs("\\\"", f);
		else
			fwrite(p + i, 1, k, f);
		i += k;
	}
}

/* A float as Go's ParseFloat reads it: the shortest of %.15g and %.17g
 * that reads back the same, NaN, +Inf, -Inf. */
static void put_double(FILE *f, double v)
{
	char buf[40];

	if (isnan(v)) {
		fputs("NaN", f);
		return;
	}
	if (isinf(v)) {
		fputs(v > 0 ? "+Inf" : "-Inf", f);
		return;
	}
	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	fputs(buf, f);
}

static void render_metric(FILE *f, const struct cp_metric *m)
{
	if (m->help[0]) {
		fprintf(f, "# HELP %s ", m->name);
		put_escaped(f, m->help, false);
		fputc('\n', f);
	}
	fprintf(f, "# TYPE %s %s\n", m->name, m->type == CP_METRIC_COUNTER ? "counter" : "gauge");
	for (const struct cp_series *s = m->series; s; s = s->next) {
		fputs(m->name, f);
		for (size_t i = 0; i < m->n_labels; i++) {
			fprintf(f, "%c%s=\"", i ? ',' : '{', m->labels[i]);
			put_escaped(f, s->values[i], true);
			fputc('"', f);
		}
		if (m->n_labels)
			fputc('}', f);
		fputc(' ', f);
		if (m->type == CP_METRIC_COUNTER)
			fprintf(f, "%llu", (unsigned long long)s->count);
		else
			put_double(f, s->gauge);
		fputc('\n', f);
	}
}

char *cp_metrics_render(struct cp_metrics *reg, size_t *len)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	for (size_t i = 0; i < reg->n_collectors; i++)
		reg->collectors[i].fn(reg, reg->collectors[i].arg);
	f = open_memstream(&text, &size);
	if (!f)
		return NULL;
	for (const struct cp_metric *m = reg->metrics; m; m = m->next)
		render_metric(f, m);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	if (len)
		*len = size;
	return text;
}
