/* SPDX-License-Identifier: BSD-3-Clause */
/* Machine facts, failure, progress line, table and JSON for strata-bench. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_report.h"

/* ---- machine ---------------------------------------------------------- */

void bench_cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown CPU");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) != 0 || colon == NULL)
			continue;
		colon++;
		colon += strspn(colon, " \t");
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(buf, len, "%s", colon);
		break;
	}
	fclose(f);
}

int bench_pin_core(int core)
{
	cpu_set_t allowed, one;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		return -1;
	if (core < 0) {
		for (int c = CPU_SETSIZE - 1; c >= 0 && core < 0; c--)
			if (CPU_ISSET(c, &allowed))
				core = c;
	}
	/* A core outside the mask (taskset, cgroup cpuset) would fail anyway;
	 * say so with a clearer errno than sched_setaffinity's EINVAL. */
	if (core < 0 || core >= CPU_SETSIZE || !CPU_ISSET(core, &allowed)) {
		errno = ENODEV;
		return -1;
	}
	CPU_ZERO(&one);
	CPU_SET(core, &one);
	if (sched_setaffinity(0, sizeof(one), &one) != 0)
		return -1;
	return core;
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_clock_start(struct bench_clock *c)
{
	c->ns0 = bench_now_ns();
	c->tsc0 = bench_ticks();
}

double bench_tsc_hz(void)
{
	static double hz;

	if (hz == 0) {
		struct bench_clock c;

		bench_clock_start(&c);
		while (bench_now_ns() - c.ns0 < 20000000)
			;
		hz = bench_clock_tsc_hz(&c);
	}
	return hz;
}

double bench_clock_elapsed(const struct bench_clock *c)
{
	return (double)(bench_now_ns() - c->ns0) / 1e9;
}

double bench_clock_tsc_hz(const struct bench_clock *c)
{
	uint64_t tsc = bench_ticks(), ns = bench_now_ns();

	if (ns == c->ns0)
		return 0;
	return (double)(tsc - c->tsc0) * 1e9 / (double)(ns - c->ns0);
}

/* ---- progress and failing ------------------------------------------- */

static struct {
	const char *name;
	unsigned total, step;
	bool tty, open; /* open: a rewritable line is on the terminal */
	char label[256];
} progress = { .name = "strata-bench" };

void bench_set_name(const char *name)
{
	progress.name = name;
}

/* Ends the terminal's rewritable line so what follows starts clean. */
static void progress_break(void)
{
	if (progress.open)
		fputc('\n', stderr);
	progress.open = false;
}

void bench_fail(const char *fmt, ...)
{
	va_list ap;

	progress_break();
	fprintf(stderr, "%s: error: ", progress.name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void bench_progress_init(unsigned total)
{
	progress.total = total;
	progress.step = 0;
	progress.tty = isatty(STDERR_FILENO);
}

void bench_progress_begin(const char *fmt, ...)
{
	char text[200];
	va_list ap;
	int width = snprintf(NULL, 0, "%u", progress.total);

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	progress.step++;
	snprintf(progress.label, sizeof(progress.label), "[%*u/%u] %s ...", width, progress.step,
		 progress.total, text);
	if (progress.tty) {
		/* \033[K clears what a longer previous line left behind. */
		fprintf(stderr, "\r%s\033[K", progress.label);
		fflush(stderr);
		progress.open = true;
	}
}

void bench_progress_update(const char *fmt, ...)
{
	char text[128];
	va_list ap;

	if (!progress.tty)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fprintf(stderr, "\r%s %s\033[K", progress.label, text);
	fflush(stderr);
}

void bench_progress_end(const char *fmt, ...)
{
	char text[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (progress.tty)
		fprintf(stderr, "\r%s %s\033[K", progress.label, text);
	else
		fprintf(stderr, "%s %s\n", progress.label, text);
	fflush(stderr);
}

void bench_progress_close(void)
{
	progress_break();
}

/* ---- aligned table ------------------------------------------------------ */

struct bench_table {
	unsigned ncols, ncells, cap;
	const char *const *headers;
	const char *align;
	char **cells;
};

struct bench_table *bench_table_new(unsigned ncols, const char *const *headers,
				    const char *align)
{
	struct bench_table *t = calloc(1, sizeof(*t));

	if (t == NULL)
		bench_fail("out of memory");
	if (ncols == 0 || ncols > BENCH_TABLE_MAX_COLS)
		bench_fail("a table has 1 to %d columns", BENCH_TABLE_MAX_COLS);
	t->ncols = ncols;
	t->headers = headers;
	t->align = align;
	return t;
}

void bench_table_cell(struct bench_table *t, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (t->ncells == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->cells = realloc(t->cells, t->cap * sizeof(*t->cells));
		if (t->cells == NULL)
			bench_fail("out of memory");
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		bench_fail("out of memory");
	va_end(ap);
	t->cells[t->ncells++] = s;
}

static void table_row(const struct bench_table *t, FILE *f, const size_t *width,
		      const char *const *row, unsigned n)
{
	for (unsigned c = 0; c < n; c++) {
		int w = (int)width[c];
		bool last = c + 1 == n;

		if (t->align[c] == 'l')
			fprintf(f, "%-*s", last ? 0 : w, row[c]);
		else
			fprintf(f, "%*s", w, row[c]);
		fputs(last ? "\n" : "  ", f);
	}
}

void bench_table_print(const struct bench_table *t, FILE *f)
{
	size_t width[BENCH_TABLE_MAX_COLS] = { 0 }, total = 0;
	unsigned ncols = t->ncols;

	for (unsigned c = 0; c < ncols; c++)
		width[c] = strlen(t->headers[c]);
	for (unsigned i = 0; i < t->ncells; i++) {
		size_t len = strlen(t->cells[i]);
		unsigned c = i % ncols;

		if (len > width[c])
			width[c] = len;
	}
	for (unsigned c = 0; c < ncols; c++)
		total += width[c] + (c + 1 < ncols ? 2 : 0);

	table_row(t, f, width, t->headers, ncols);
	for (size_t i = 0; i < total; i++)
		fputc('-', f);
	fputc('\n', f);
	for (unsigned i = 0; i + t->ncols <= t->ncells; i += t->ncols)
		table_row(t, f, width, (const char *const *)&t->cells[i], ncols);
}

void bench_table_free(struct bench_table *t)
{
	if (t == NULL)
		return;
	for (unsigned i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

/* ---- JSON writer ---------------------------------------------------------- */

void bench_json_init(struct bench_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

static void json_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Separator, line break and key before a value at the current depth. */
static void json_member(struct bench_json *j, const char *key)
{
	unsigned d = j->depth;

	if (d > 0) {
		if (j->has_members[d])
			fputc(',', j->f);
		if (j->is_inline[d]) {
			if (j->has_members[d])
				fputc(' ', j->f);
		} else {
			fprintf(j->f, "\n%*s", (int)(2 * d), "");
		}
		j->has_members[d] = true;
	}
	if (key != NULL && d > 0 && !j->is_array[d]) {
		json_quoted(j->f, key);
		fputs(": ", j->f);
	}
}

static void json_open(struct bench_json *j, const char *key, char brace, bool array)
{
	unsigned d = j->depth;

	json_member(j, key);
	fputc(brace, j->f);
	if (d + 1 >= BENCH_JSON_MAX_DEPTH)
		bench_fail("JSON nested too deep");
	j->depth = d + 1;
	j->has_members[d + 1] = false;
	j->is_array[d + 1] = array;
	/* An array's elements, and everything in them, go on one line. */
	j->is_inline[d + 1] = d > 0 && (j->is_inline[d] || j->is_array[d]);
}

static void json_close(struct bench_json *j, char brace)
{
	unsigned d = j->depth;

	if (j->has_members[d] && !j->is_inline[d])
		fprintf(j->f, "\n%*s", (int)(2 * (d - 1)), "");
	fputc(brace, j->f);
	j->depth = d - 1;
}

void bench_json_begin_object(struct bench_json *j, const char *key)
{
	json_open(j, key, '{', false);
}

void bench_json_end_object(struct bench_json *j)
{
	json_close(j, '}');
}

void bench_json_begin_array(struct bench_json *j, const char *key)
{
	json_open(j, key, '[', true);
}

void bench_json_end_array(struct bench_json *j)
{
	json_close(j, ']');
}

void bench_json_string(struct bench_json *j, const char *key, const char *v)
{
	json_member(j, key);
	json_quoted(j->f, v);
}

void bench_json_uint(struct bench_json *j, const char *key, uint64_t v)
{
	json_member(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void bench_json_double(struct bench_json *j, const char *key, double v)
{
	json_member(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.10g", v);
	else
		fputs("null", j->f);
}

void bench_json_bool(struct bench_json *j, const char *key, bool v)
{
	json_member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void bench_json_finish(struct bench_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}
