/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp's metrics: a registry of counters and gauges with labels,
 * rendered in the Prometheus text exposition format (version 0.0.4), and
 * a small HTTP responder that serves it at GET /metrics.
 *
 *   # HELP strata_ctl_requests_total Control socket requests, by result.
 *   # TYPE strata_ctl_requests_total counter
 *   strata_ctl_requests_total{result="ok"} 12
 *   strata_ctl_requests_total{result="error"} 1
 *
 * A metric (a family) has a name, a help text, a type and label names; a
 * series is one set of label values and its number.  Families render in
 * registration order, series in creation order.  Label values are
 * escaped (\\ \" \n), help texts too (\\ \n).
 *
 * Writers: one thread, the one that renders (strata-cp's event loop).
 * Numbers that live elsewhere (strata-dp's counters in shared memory, the
 * number of rooms) are copied in by a collector, a callback that runs
 * before every rendering.
 *
 * Series handles stay valid until their metric's registry is freed (or
 * the series is removed): look a series up once and keep the pointer.
 */
#ifndef STRATA_CP_METRICS_H
#define STRATA_CP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <poll.h>

#include "fdwatch.h"

enum cp_metric_type { CP_METRIC_COUNTER, CP_METRIC_GAUGE };

#define CP_METRIC_MAX_LABELS 8

struct cp_metrics;
struct cp_metric;
struct cp_series;

struct cp_metrics *cp_metrics_new(void);
void cp_metrics_free(struct cp_metrics *reg);

/*
 * Registers a family.  name: [a-zA-Z_:][a-zA-Z0-9_:]*; labels: a
 * NULL-terminated list (NULL for none) of at most CP_METRIC_MAX_LABELS
 * names [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__", all different.
 * Returns NULL (errno EINVAL, EEXIST or ENOMEM) for a bad or taken name.
 * A family without labels has its one series from the start (so it
 * renders as 0 before anything happens).
 */
struct cp_metric *cp_metrics_add(struct cp_metrics *reg, enum cp_metric_type type,
				 const char *name, const char *help, const char *const *labels);
/* The same with the label names as arguments, NULL-terminated:
 * cp_metrics_counter(reg, "x_total", "Help.", "result", NULL). */
struct cp_metric *cp_metrics_counter(struct cp_metrics *reg, const char *name, const char *help,
				     ...) __attribute__((sentinel));
struct cp_metric *cp_metrics_gauge(struct cp_metrics *reg, const char *name, const char *help,
				   ...) __attribute__((sentinel));
/* The family registered under name, or NULL. */
struct cp_metric *cp_metrics_find(struct cp_metrics *reg, const char *name);

/* The series of these label values (as many as the family has labels;
 * NULL for a family without labels), created at first use.  NULL only
 * when out of memory or values is NULL for a family with labels. */
struct cp_series *cp_metric_series(struct cp_metric *m, const char *const *values);
#define CP_SERIES(m, ...) cp_metric_series((m), (const char *const[]){ __VA_ARGS__ })
/* Removes a series (a room that closed); a no-op when there is none. */
void cp_metric_remove_series(struct cp_metric *m, const char *const *values);

/* Counters only go up: add, or set to a value copied from elsewhere (a
 * snapshot of a counter with one writer somewhere else). */
void cp_series_add(struct cp_series *s, uint64_t n);
static inline void cp_series_inc(struct cp_series *s)
{
	cp_series_add(s, 1);
}
void cp_series_set_counter(struct cp_series *s, uint64_t v);
/* Gauges go anywhere. */
void cp_series_set(struct cp_series *s, double v);
void cp_series_gauge_add(struct cp_series *s, double delta);
/* The current value (a counter's as a double). */
double cp_series_value(const struct cp_series *s);

/* A callback run before every rendering, to refresh series from their
 * source.  Returns 0, or -1 when out of memory. */
int cp_metrics_add_collector(struct cp_metrics *reg, void (*fn)(struct cp_metrics *reg, void *arg),
			     void *arg);

/* The exposition text (malloc'd, NUL-terminated; *len without the NUL),
 * collectors run first.  NULL when out of memory. */
char *cp_metrics_render(struct cp_metrics *reg, size_t *len);

/* The content type of the text above. */
#define CP_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ---- GET /metrics --------------------------------------------------------- */

/*
 * An HTTP/1.1 responder on a TCP address: "127.0.0.1:9464", "[::1]:9464",
 * "localhost:9464" (port 0: any free port; cp_metrics_http_port says
 * which).  GET or HEAD /metrics (a query string is ignored) answers 200
 * with the exposition; any other path 404; other methods 405; anything
 * malformed 400, a header block over 8 KiB 431.  Every answer carries
 * "Connection: close" and the connection closes after it (lingering: what
 * the client still sends is read and dropped for a moment, so that a TCP
 * reset cannot destroy the answer).  A client has 10 s to send its
 * request; at most 32 connections at once.
 *
 * Returns NULL with err set (a sentence that says what to do).
 */
struct cp_metrics_http;

struct cp_metrics_http *cp_metrics_http_open(struct cp_metrics *reg, const char *address,
					     char *err, size_t errlen);
void cp_metrics_http_close(struct cp_metrics_http *h);
/* The port it listens on (useful with port 0). */
int cp_metrics_http_port(const struct cp_metrics_http *h);
/* How long a client has to send its request (default 10000 ms). */
void cp_metrics_http_set_timeout(struct cp_metrics_http *h, int ms);

/* The event loop's side, as fdwatch.h describes: the descriptors to poll
 * (it returns how many there are; at most cap are written), the handler
 * of one that fired, the milliseconds until the next idle check (-1:
 * none) and the check. */
size_t cp_metrics_http_pollfds(struct cp_metrics_http *h, struct pollfd *pfd, size_t cap);
void cp_metrics_http_handle(struct cp_metrics_http *h, int fd, short revents);
int cp_metrics_http_timeout_ms(struct cp_metrics_http *h);
void cp_metrics_http_run_timers(struct cp_metrics_http *h);
void cp_metrics_http_set_watch(struct cp_metrics_http *h, const struct cp_fdwatch *w);
/* One poll() over its descriptors and their handling: 0, or -errno. */
int cp_metrics_http_poll_once(struct cp_metrics_http *h, int timeout_ms);

/* Requests answered, by status (for tests and the ctl "stats"). */
struct cp_metrics_http_stats {
	uint64_t ok, not_found, bad_method, bad_request, too_large, timed_out, refused;
};
void cp_metrics_http_get_stats(const struct cp_metrics_http *h, struct cp_metrics_http_stats *st);

#endif /* STRATA_CP_METRICS_H */
