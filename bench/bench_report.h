/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every strata-bench subcommand needs around its measurements:
 *   - the machine: CPU model, pinning to one core, a cheap clock;
 *   - failing loudly (a benchmark of failing operations is worthless);
 *   - a progress line on stderr while cells run;
 *   - an aligned text table for stdout;
 *   - a small JSON writer for --json output.
 * Single-threaded: the progress line and the failure path share one state.
 */
#ifndef STRATA_BENCH_REPORT_H
#define STRATA_BENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <x86intrin.h>

/* ---- machine ---------------------------------------------------------- */

/* The "model name" of /proc/cpuinfo, or "unknown CPU". */
void bench_cpu_model(char *buf, size_t len);

/*
 * Pins the calling thread to one core: `core`, or when core < 0 the last
 * core the process may run on (usually the one the OS disturbs least).
 * Returns the core used, or -1 with errno set.
 */
int bench_pin_core(int core);

uint64_t bench_now_ns(void); /* CLOCK_MONOTONIC */

/*
 * The TSC: a dozen nanoseconds to read where clock_gettime takes two or
 * three times that, which matters around bursts of a microsecond or two.
 * It is constant-rate on the CPUs ipsec-mb supports; bench_clock measures
 * its rate against CLOCK_MONOTONIC over the same interval as the ticks.
 */
static inline uint64_t bench_ticks(void)
{
	return __rdtsc();
}

/* The TSC's rate, measured once (about 20 ms) on first use. */
double bench_tsc_hz(void);

struct bench_clock {
	uint64_t ns0, tsc0;
};

void bench_clock_start(struct bench_clock *c);
double bench_clock_elapsed(const struct bench_clock *c); /* seconds since start */
double bench_clock_tsc_hz(const struct bench_clock *c);  /* ticks per second since start */

/* ---- failing ---------------------------------------------------------- */

/* Prefix of error messages, e.g. "strata-bench crypto". */
void bench_set_name(const char *name);

/* Ends any progress line, prints "name: error: ..." and exits with 1. */
void bench_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* ---- progress on stderr ----------------------------------------------- */

/*
 * On a terminal, one line that rewrites itself: "[ 12/90] label ... result".
 * Otherwise (a log, a CI run) one plain line per finished step.
 * begin starts a step, end gives its result.
 */
void bench_progress_init(unsigned total);
void bench_progress_begin(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* How far the current step is ("round 3/10"): shown on a terminal only. */
void bench_progress_update(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bench_progress_end(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bench_progress_close(void);

/* ---- aligned table ------------------------------------------------------ */

struct bench_table;

#define BENCH_TABLE_MAX_COLS 32

/* align: one character per column, 'l' or 'r'. */
struct bench_table *bench_table_new(unsigned ncols, const char *const *headers,
				    const char *align);
/* Appends one cell; rows fill left to right, ncols cells per row. */
void bench_table_cell(struct bench_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bench_table_print(const struct bench_table *t, FILE *f);
void bench_table_free(struct bench_table *t);

/* ---- JSON writer ---------------------------------------------------------- */

#define BENCH_JSON_MAX_DEPTH 8

/*
 * Values are written as they come; `key` is the member name inside an
 * object and NULL inside an array or at the top.  Containers that are
 * array elements are written on one line, so a result is one line.
 */
struct bench_json {
	FILE *f;
	unsigned depth;
	bool has_members[BENCH_JSON_MAX_DEPTH];
	bool is_inline[BENCH_JSON_MAX_DEPTH];
	bool is_array[BENCH_JSON_MAX_DEPTH];
};

void bench_json_init(struct bench_json *j, FILE *f);
void bench_json_begin_object(struct bench_json *j, const char *key);
void bench_json_end_object(struct bench_json *j);
void bench_json_begin_array(struct bench_json *j, const char *key);
void bench_json_end_array(struct bench_json *j);
void bench_json_string(struct bench_json *j, const char *key, const char *v);
void bench_json_uint(struct bench_json *j, const char *key, uint64_t v);
/* Non-finite numbers, which JSON cannot carry, become null. */
void bench_json_double(struct bench_json *j, const char *key, double v);
void bench_json_bool(struct bench_json *j, const char *key, bool v);
/* Ends the document with a newline. */
void bench_json_finish(struct bench_json *j);

#endif /* STRATA_BENCH_REPORT_H */
