/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp's logs: structured lines with levels and per-call-site rate
 * limits, and the operators' audit log.
 *
 * A log line is logfmt, one event per line, so that both people and log
 * shippers can read it:
 *
 *   ts=2025-11-30T10:50:00.123Z level=warn sys=ctl msg="peer refused" uid=65534 pid=4242
 *
 * Values are quoted when they need it (empty, or containing a space, '"',
 * '=', '\\', a control character or invalid UTF-8) and escaped inside the
 * quotes (\" \\ \n \r \t \xHH), so no value can forge a field or a line.
 *
 * Every file that logs names its subsystem once, as OVS's
 * VLOG_DEFINE_THIS_MODULE does:
 *
 *   CP_LOG_MODULE(ctl);
 *   ...
 *   CP_WARN("peer refused", CP_KV_UINT("uid", uid), CP_KV_INT("pid", pid));
 *
 * A message is a constant string; what varies goes in key=value fields.
 * Levels are per subsystem (or the default for all), changed at run time
 * with cp_log_set_level() (the control socket's "log level" command).
 *
 * Rate limits: every call site has its own token bucket (by default
 * CP_LOG_RATE lines per second with bursts of CP_LOG_BURST; CP_LOG_RL
 * chooses others), so a flood from one site (a client that hammers a
 * failing path) cannot drown the others or the disk.  What a site drops
 * it counts; its next line is preceded by
 *
 *   ... level=warn sys=ctl msg="suppressed 17 messages" site=ctl.c:120 like="peer refused"
 *
 * and cp_log_flush_suppressed(), called now and then by the main loop,
 * reports the sites that went quiet after dropping.
 *
 * The audit log (cp_audit, audit.h) is separate and always on: one JSON
 * object per line per operator action, never rate-limited, with the
 * arguments a command declares secret replaced by "<redacted>".  Its lines
 * go out through the sinks, lock, clock and stats below.
 *
 * Thread-safe: lines are formatted and written under one lock, each with a
 * single write(2).
 */
#ifndef STRATA_CP_LOG_H
#define STRATA_CP_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The audit log's calls, for the callers that include only this header. */
#include "audit.h"

/* Levels, most severe first: a subsystem at level L logs L and above. */
#define CP_FOREACH_LOG_LEVEL(X)                                                \
	X(ERROR, "error")                                                      \
	X(WARN, "warn")                                                        \
	X(INFO, "info")                                                        \
	X(DEBUG, "debug")

enum cp_log_level {
#define CP_LOG_LEVEL_ENUM(name, str) CP_LOG_##name,
	CP_FOREACH_LOG_LEVEL(CP_LOG_LEVEL_ENUM)
#undef CP_LOG_LEVEL_ENUM
	CP_LOG_LEVEL_COUNT
};

/* "error", "warn", ...; "unknown" out of range. */
const char *cp_log_level_name(enum cp_log_level level);
/* Parses a level name ("warning" and "err" too); -1 when unknown. */
int cp_log_level_parse(const char *name);

/* A subsystem.  Define one with CP_LOG_MODULE(name) at file scope; it
 * registers itself before main() runs. */
struct cp_log_module {
	const char *name;
	int level;                   /* enum cp_log_level, or -1: the default */
	struct cp_log_module *next;  /* the registry's list */
};

void cp_log_module_register(struct cp_log_module *m);

#define CP_LOG_MODULE(NAME)                                                    \
	struct cp_log_module cp_log_module_##NAME = { #NAME, -1, NULL };       \
	__attribute__((constructor)) static void cp_log_register_##NAME(void)  \
	{                                                                      \
		cp_log_module_register(&cp_log_module_##NAME);                 \
	}                                                                      \
	__attribute__((unused)) static struct cp_log_module *const cp_log_this_module = \
		&cp_log_module_##NAME

/* Another file of a subsystem defined elsewhere. */
#define CP_LOG_MODULE_USE(NAME)                                                \
	extern struct cp_log_module cp_log_module_##NAME;                      \
	__attribute__((unused)) static struct cp_log_module *const cp_log_this_module = \
		&cp_log_module_##NAME

/* Levels at run time.  module NULL sets the default (and clears every
 * subsystem's own level, as "everything at L" means); an unknown module
 * name returns -1. */
int cp_log_set_level(const char *module, enum cp_log_level level);
/* The level module logs at (NULL: the default); -1 for an unknown name. */
int cp_log_get_level(const char *module);
/* Calls fn for every registered subsystem, in name order. */
void cp_log_foreach_module(void (*fn)(const char *name, enum cp_log_level level,
				      bool own_level, void *arg),
			   void *arg);

/* The default level (CP_LOG_INFO at start); read it with cp_log_get_level. */
extern int cp_log_default_level;

static inline bool cp_log_enabled(const struct cp_log_module *m, enum cp_log_level level)
{
	int l = __atomic_load_n(&m->level, __ATOMIC_RELAXED);

	if (l < 0)
		l = __atomic_load_n(&cp_log_default_level, __ATOMIC_RELAXED);
	return (int)level <= l;
}

/* One key=value field. */
enum cp_kv_type { CP_KV_T_STR, CP_KV_T_INT, CP_KV_T_UINT };

struct cp_kv {
	const char *key;  /* [A-Za-z0-9_.]; anything else is written as '_' */
	enum cp_kv_type type;
	union {
		const char *s;  /* NULL is written as "(null)" */
		long long i;
		unsigned long long u;
	};
};

#define CP_KV_STR(k, v) ((struct cp_kv){ .key = (k), .type = CP_KV_T_STR, .s = (v) })
#define CP_KV_INT(k, v) ((struct cp_kv){ .key = (k), .type = CP_KV_T_INT, .i = (long long)(v) })
#define CP_KV_UINT(k, v)                                                       \
	((struct cp_kv){ .key = (k), .type = CP_KV_T_UINT, .u = (unsigned long long)(v) })

/* A call site's rate limit: a token bucket of `burst` lines refilled at
 * `rate` lines per second (rate 0: unlimited). */
struct cp_log_site {
	const char *file;
	int line;
	uint32_t rate, burst;
	/* Below: the bucket, under the log's lock. */
	bool started, listed;
	enum cp_log_level last_level;
	uint64_t tokens;      /* thousandths of a line */
	uint64_t last_ms;
	uint64_t suppressed;
	const char *like;     /* the last suppressed message */
	struct cp_log_module *module;
	struct cp_log_site *next_suppressed;
};

#define CP_LOG_RATE 10
#define CP_LOG_BURST 50

#define CP_LOG_SITE_INIT(rate_, burst_)                                        \
	{ .file = __FILE__, .line = __LINE__, .rate = (rate_), .burst = (burst_) }

/* The macros' back end: writes one line (after the site's "suppressed"
 * line if it has one), or counts it as suppressed.  site NULL: no limit. */
void cp_log_emit(struct cp_log_module *m, struct cp_log_site *site, enum cp_log_level level,
		 const char *msg, const struct cp_kv *kv, size_t n_kv);
void cp_log_emitf(struct cp_log_module *m, struct cp_log_site *site, enum cp_log_level level,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* CP_LOG_RL(level, lines per second, burst, "message", CP_KV_...(...), ...) */
#define CP_LOG_RL(level, rate, burst, msg, ...)                                \
	do {                                                                   \
		static struct cp_log_site cp_site_ = CP_LOG_SITE_INIT(rate, burst); \
		if (cp_log_enabled(cp_log_this_module, (level))) {             \
			const struct cp_kv cp_kv_[] = { CP_KV_STR(NULL, NULL), ##__VA_ARGS__ }; \
			cp_log_emit(cp_log_this_module, &cp_site_, (level), (msg), cp_kv_ + 1, \
				    sizeof(cp_kv_) / sizeof(cp_kv_[0]) - 1);   \
		}                                                              \
	} while (0)

#define CP_LOG(level, msg, ...) CP_LOG_RL(level, CP_LOG_RATE, CP_LOG_BURST, msg, ##__VA_ARGS__)
#define CP_ERR(msg, ...) CP_LOG(CP_LOG_ERROR, msg, ##__VA_ARGS__)
#define CP_WARN(msg, ...) CP_LOG(CP_LOG_WARN, msg, ##__VA_ARGS__)
#define CP_INFO(msg, ...) CP_LOG(CP_LOG_INFO, msg, ##__VA_ARGS__)
#define CP_DBG(msg, ...) CP_LOG(CP_LOG_DEBUG, msg, ##__VA_ARGS__)

/* A printf-formatted message and no fields, rate-limited like the rest. */
#define CP_LOGF(level, ...)                                                    \
	do {                                                                   \
		static struct cp_log_site cp_site_ =                           \
			CP_LOG_SITE_INIT(CP_LOG_RATE, CP_LOG_BURST);           \
		if (cp_log_enabled(cp_log_this_module, (level)))               \
			cp_log_emitf(cp_log_this_module, &cp_site_, (level), __VA_ARGS__); \
	} while (0)

/* Writes the "suppressed K messages" line of every site that dropped
 * lines since its last report.  Call it every second or so. */
void cp_log_flush_suppressed(void);

/* Where lines go.  cp_log_open: a file (appended, created 0640), or
 * stderr for NULL or "-"; returns 0 or -errno.  cp_log_set_fd: an fd the
 * caller keeps owning (tests).  cp_log_reopen: the same path again, after
 * a log rotation. */
int cp_log_open(const char *path);
void cp_log_set_fd(int fd);
int cp_log_reopen(void);

/* Lines written and lines suppressed since start, and writes that failed
 * (counted, never retried: a full disk must not stop the control plane). */
struct cp_log_stats {
	uint64_t written, suppressed, write_errors, audit_written, audit_errors;
};
void cp_log_get_stats(struct cp_log_stats *st);

/* The clocks (milliseconds), replaceable by tests; NULL restores the real
 * CLOCK_MONOTONIC and CLOCK_REALTIME. */
void cp_log_set_clocks(uint64_t (*monotonic_ms)(void), uint64_t (*realtime_ms)(void));

/* ---- Text helpers shared with the control protocol --------------------- */

/* The length of the UTF-8 sequence at s (at most n bytes): 1-4, or 0 when
 * it is not valid UTF-8 (overlong forms, surrogates and code points past
 * U+10FFFF included). */
size_t cp_utf8_char_len(const unsigned char *s, size_t n);
bool cp_utf8_valid(const char *s, size_t n);
/* Replaces every byte that is not part of valid UTF-8 with '?', in place
 * (JSON strings must be valid UTF-8). */
void cp_utf8_sanitize(char *s, size_t n);

/* Formats ms since the epoch as 2025-11-30T10:50:00.123Z (24 bytes + NUL). */
void cp_log_format_time(uint64_t ms, char out[32]);

#endif /* STRATA_CP_LOG_H */
