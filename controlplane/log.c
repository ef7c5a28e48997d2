/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Structured logs, per-site rate limits, and the sinks both they and the
 * audit log (audit.c) write to (log.h says what the lines look like and
 * why).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "log_internal.h"

/* Longer lines are cut and end with "...". */
#define LINE_MAX_BYTES 4096

int cp_log_default_level = CP_LOG_INFO;

/* Where one kind of line goes. */
struct sink {
	int fd;
	bool owned;   /* opened here, closed here */
	char *path;   /* for reopen; NULL: stderr or a caller's fd */
};

static uint64_t real_monotonic_ms(void);
static uint64_t real_realtime_ms(void);

static struct {
	pthread_mutex_t lock;
	struct cp_log_module *modules;   /* sorted by name */
	struct cp_log_site *suppressed;  /* sites with lines to report */
	struct sink log, audit;
	struct cp_log_stats stats;
	uint64_t (*mono)(void);
	uint64_t (*real)(void);
} L = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.log = { .fd = 2 },
	.audit = { .fd = 2 },
	.mono = real_monotonic_ms,
	.real = real_realtime_ms,
};

static const char *const level_names[CP_LOG_LEVEL_COUNT] = {
#define NAME(name, str) [CP_LOG_##name] = str,
	CP_FOREACH_LOG_LEVEL(NAME)
#undef NAME
};

static uint64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t real_monotonic_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

static uint64_t real_realtime_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

void cp_log_set_clocks(uint64_t (*monotonic_ms)(void), uint64_t (*realtime_ms)(void))
{
	pthread_mutex_lock(&L.lock);
	L.mono = monotonic_ms ? monotonic_ms : real_monotonic_ms;
	L.real = realtime_ms ? realtime_ms : real_realtime_ms;
	pthread_mutex_unlock(&L.lock);
}

const char *cp_log_level_name(enum cp_log_level level)
{
	return (unsigned)level < CP_LOG_LEVEL_COUNT ? level_names[level] : "unknown";
}

int cp_log_level_parse(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < CP_LOG_LEVEL_COUNT; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	if (strcmp(name, "err") == 0)
		return CP_LOG_ERROR;
	if (strcmp(name, "warning") == 0)
		return CP_LOG_WARN;
	return -1;
}

/* ---- Subsystems ---------------------------------------------------------- */

void cp_log_module_register(struct cp_log_module *m)
{
	struct cp_log_module **p;

	pthread_mutex_lock(&L.lock);
	for (p = &L.modules; *p && strcmp((*p)->name, m->name) < 0; p = &(*p)->next)
		;
	if (*p != m) {
		m->next = *p;
		*p = m;
	}
	pthread_mutex_unlock(&L.lock);
}

static struct cp_log_module *find_module(const char *name)
{
	for (struct cp_log_module *m = L.modules; m; m = m->next)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

int cp_log_set_level(const char *module, enum cp_log_level level)
{
	int ret = 0;

	if ((unsigned)level >= CP_LOG_LEVEL_COUNT)
		return -1;
	pthread_mutex_lock(&L.lock);
	if (!module) {
		__atomic_store_n(&cp_log_default_level, (int)level, __ATOMIC_RELAXED);
		for (struct cp_log_module *m = L.modules; m; m = m->next)
			__atomic_store_n(&m->level, -1, __ATOMIC_RELAXED);
	} else {
		struct cp_log_module *m = find_module(module);

		if (m)
			__atomic_store_n(&m->level, (int)level, __ATOMIC_RELAXED);
		else
			ret = -1;
	}
	pthread_mutex_unlock(&L.lock);
	return ret;
}

int cp_log_get_level(const char *module)
{
	int l = __atomic_load_n(&cp_log_default_level, __ATOMIC_RELAXED);

	if (module) {
		struct cp_log_module *m;

		pthread_mutex_lock(&L.lock);
		m = find_module(module);
		if (!m)
			l = -1;
		else if (m->level >= 0)
			l = m->level;
		pthread_mutex_unlock(&L.lock);
	}
	return l;
}

void cp_log_foreach_module(void (*fn)(const char *name, enum cp_log_level level,
				      bool own_level, void *arg),
			   void *arg)
{
	/* The list only grows (constructors), and entries are never freed,
	 * so it can be walked after taking its head. */
	struct cp_log_module *m;

	pthread_mutex_lock(&L.lock);
	m = L.modules;
	pthread_mutex_unlock(&L.lock);
	for (; m; m = m->next) {
		int own = __atomic_load_n(&m->level, __ATOMIC_RELAXED);

		fn(m->name, own >= 0 ? (enum cp_log_level)own : (enum cp_log_level)cp_log_default_level,
		   own >= 0, arg);
	}
}

/* ---- Text -------------------------------------------------------------------- */

size_t cp_utf8_char_len(const unsigned char *s, size_t n)
{
	unsigned char c;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80)
		return 1;
	if (c < 0xc2)  /* a continuation byte, or an overlong 2-byte form */
		return 0;
	if (c < 0xe0)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c < 0xf0) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)   /* overlong */
			return 0;
		if (c == 0xed && s[1] >= 0xa0)  /* UTF-16 surrogates */
			return 0;
		return 3;
	}
	if (c < 0xf5) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)   /* overlong */
			return 0;
		if (c == 0xf4 && s[1] >= 0x90)  /* past U+10FFFF */
			return 0;
		return 4;
	}
	return 0;
}

bool cp_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t k = cp_utf8_char_len(p + i, n - i);

		if (!k)
			return false;
		i += k;
	}
	return true;
}

void cp_utf8_sanitize(char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = cp_utf8_char_len((unsigned char *)s + i, n - i);

		if (!k) {
			s[i] = '?';
			k = 1;
		}
		i += k;
	}
}

void cp_log_format_time(uint64_t ms, char out[32])
{
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&sec, &tm) ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm) != 19) {
		snprintf(out, 32, "%llu", (unsigned long long)ms);
		return;
	}
	snprintf(out + 19, 32 - 19, ".%03uZ", (unsigned)(ms % 1000));
}

/* A line being built; never longer than LINE_MAX_BYTES with its newline. */
struct line {
	size_t len;
	bool truncated;
	char buf[LINE_MAX_BYTES];
};

/* Room for the text: the tail keeps space for "...\n". */
#define LINE_ROOM (LINE_MAX_BYTES - 4)

static void put(struct line *l, const char *s, size_t n)
{
	if (l->truncated)
		return;
	if (n > LINE_ROOM - l->len) {
		n = LINE_ROOM - l->len;
		l->truncated = true;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void put_str(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

static bool needs_quotes(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f)
			return true;
		if (c >= 0x80) {
			size_t k = cp_utf8_char_len(p + i, n - i);

			if (!k)
				return true;
			i += k - 1;
		}
	}
	return false;
}

/* A value, quoted and escaped when needed (log.h). */
static void put_value(struct line *l, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!needs_quotes(s, n)) {
		put(l, s, n);
		return;
	}
	put(l, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		char esc[5];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(l, esc, 2);
		} else if (c == '\n') {
			put(l, "\\n", 2);
		} else if (c == '\r') {
			put(l, "\\r", 2);
		} else if (c == '\t') {
			put(l, "\\t", 2);
		} else if (c < ' ' || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			put(l, esc, 4);
		} else if (c >= 0x80) {
			size_t k = cp_utf8_char_len(p + i, n - i);

			if (k) {
				put(l, s + i, k);
				i += k - 1;
			} else {
				snprintf(esc, sizeof(esc), "\\x%02x", c);
				put(l, esc, 4);
			}
		} else {
			put(l, s + i, 1);
		}
	}
	put(l, "\"", 1);
}

/* A key: [a-z0-9_.], anything else written as '_'. */
static void put_key(struct line *l, const char *k)
{
	put(l, " ", 1);
	for (; *k; k++) {
		char c = *k;
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
			  c == '.' || (c >= 'A' && c <= 'Z');

		put(l, ok ? k : "_", 1);
	}
	put(l, "=", 1);
}

static void put_kv(struct line *l, const struct cp_kv *kv)
{
	char num[32];

	put_key(l, kv->key ? kv->key : "_");
	switch (kv->type) {
	case CP_KV_T_INT:
		snprintf(num, sizeof(num), "%lld", kv->i);
		put_str(l, num);
		break;
	case CP_KV_T_UINT:
		snprintf(num, sizeof(num), "%llu", kv->u);
		put_str(l, num);
		break;
	default:
		if (kv->s)
			put_value(l, kv->s, strlen(kv->s));
		else
			put_str(l, "(null)");
		break;
	}
}

/* Writes all of buf, or counts an error: a log never blocks or retries. */
static bool write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		len -= (size_t)w;
	}
	return true;
}

static void line_start(struct line *l, enum cp_log_level level, const char *sys)
{
	char ts[32];

	l->len = 0;
	l->truncated = false;
	cp_log_format_time(L.real(), ts);
	put_str(l, "ts=");
	put_str(l, ts);
	put_str(l, " level=");
	put_str(l, cp_log_level_name(level));
	put_str(l, " sys=");
	put_value(l, sys, strlen(sys));
}

static void line_finish(struct line *l)
{
	if (l->truncated) {
		memcpy(l->buf + l->len, "...", 3);
		l->len += 3;
	}
	l->buf[l->len++] = '\n';
	if (write_all(L.log.fd, l->buf, l->len))
		L.stats.written++;
	else
		L.stats.write_errors++;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* "suppressed K messages" for site, then its count starts again. */
static void write_suppressed(struct cp_log_site *site)
{
	struct line l;
	char text[64], where[256];

	line_start(&l, site->last_level, site->module ? site->module->name : "log");
	snprintf(text, sizeof(text), "suppressed %llu message%s",
		 (unsigned long long)site->suppressed, site->suppressed == 1 ? "" : "s");
	put_str(&l, " msg=");
	put_value(&l, text, strlen(text));
	snprintf(where, sizeof(where), "%s:%d", base_name(site->file), site->line);
	put_kv(&l, &CP_KV_STR("site", where));
	put_kv(&l, &CP_KV_STR("like", site->like));
	line_finish(&l);
	site->suppressed = 0;
}

/* The site's token bucket: true when a line may go out now. */
static bool site_allow(struct cp_log_site *site, uint64_t now)
{
	uint64_t full;

	if (site->rate == 0)
		return true;
	full = (uint64_t)(site->burst ? site->burst : 1) * 1000u;
	if (!site->started) {
		site->started = true;
		site->tokens = full;
	} else if (now > site->last_ms) {
		uint64_t elapsed = now - site->last_ms;

		/* rate lines/s over elapsed ms is rate * elapsed thousandths. */
		if (elapsed >= full / site->rate + 1)
			site->tokens = full;
		else
			site->tokens += elapsed * site->rate;
		if (site->tokens > full)
			site->tokens = full;
	}
	site->last_ms = now;
	if (site->tokens < 1000)
		return false;
	site->tokens -= 1000;
	return true;
}

/* Under the lock: false when the site drops this line (and counts it). */
static bool site_pass(struct cp_log_module *m, struct cp_log_site *site,
		      enum cp_log_level level, const char *like)
{
	if (!site)
		return true;
	if (!site_allow(site, L.mono())) {
		site->suppressed++;
		site->like = like;
		site->last_level = level;
		site->module = m;
		L.stats.suppressed++;
		if (!site->listed) {
			site->listed = true;
			site->next_suppressed = L.suppressed;
			L.suppressed = site;
		}
		return false;
	}
	if (site->suppressed)
		write_suppressed(site);
	return true;
}

void cp_log_emit(struct cp_log_module *m, struct cp_log_site *site, enum cp_log_level level,
		 const char *msg, const struct cp_kv *kv, size_t n_kv)
{
	struct line l;

	pthread_mutex_lock(&L.lock);
	if (site_pass(m, site, level, msg)) {
		line_start(&l, level, m->name);
		put_str(&l, " msg=");
		put_value(&l, msg ? msg : "", msg ? strlen(msg) : 0);
		for (size_t i = 0; i < n_kv; i++)
			put_kv(&l, &kv[i]);
		line_finish(&l);
	}
	pthread_mutex_unlock(&L.lock);
}

void cp_log_emitf(struct cp_log_module *m, struct cp_log_site *site, enum cp_log_level level,
		  const char *fmt, ...)
{
	char msg[1024];
	struct line l;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	pthread_mutex_lock(&L.lock);
	if (site_pass(m, site, level, fmt)) {
		line_start(&l, level, m->name);
		put_str(&l, " msg=");
		put_value(&l, msg, (size_t)n);
		line_finish(&l);
	}
	pthread_mutex_unlock(&L.lock);
}

void cp_log_flush_suppressed(void)
{
	pthread_mutex_lock(&L.lock);
	while (L.suppressed) {
		struct cp_log_site *site = L.suppressed;

		L.suppressed = site->next_suppressed;
		site->next_suppressed = NULL;
		site->listed = false;
		if (site->suppressed)
			write_suppressed(site);
	}
	pthread_mutex_unlock(&L.lock);
}

void cp_log_get_stats(struct cp_log_stats *st)
{
	pthread_mutex_lock(&L.lock);
	*st = L.stats;
	pthread_mutex_unlock(&L.lock);
}

/* ---- Sinks ------------------------------------------------------------------- */

static int sink_open(struct sink *s, const char *path)
{
	int fd = 2;
	char *copy = NULL;

	if (path && strcmp(path, "-") != 0) {
		copy = strdup(path);
		if (!copy)
			return -ENOMEM;
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
		if (fd < 0) {
			int e = errno;

			free(copy);
			return -e;
		}
	}
	pthread_mutex_lock(&L.lock);
	if (s->owned)
		close(s->fd);
	free(s->path);
	s->fd = fd;
	s->owned = copy != NULL;
	s->path = copy;
	pthread_mutex_unlock(&L.lock);
	return 0;
}

static void sink_set_fd(struct sink *s, int fd)
{
	pthread_mutex_lock(&L.lock);
	if (s->owned)
		close(s->fd);
	free(s->path);
	s->fd = fd;
	s->owned = false;
	s->path = NULL;
	pthread_mutex_unlock(&L.lock);
}

static int sink_reopen(struct sink *s)
{
	char *path;
	int ret;

	pthread_mutex_lock(&L.lock);
	path = s->path ? strdup(s->path) : NULL;
	pthread_mutex_unlock(&L.lock);
	if (!path)
		return 0;  /* stderr or a caller's fd: nothing to reopen */
	ret = sink_open(s, path);
	free(path);
	return ret;
}

int cp_log_open(const char *path)
{
	return sink_open(&L.log, path);
}

void cp_log_set_fd(int fd)
{
	sink_set_fd(&L.log, fd);
}

int cp_log_reopen(void)
{
	return sink_reopen(&L.log);
}

int cp_audit_open(const char *path)
{
	return sink_open(&L.audit, path);
}

void cp_audit_set_fd(int fd)
{
	sink_set_fd(&L.audit, fd);
}

int cp_audit_reopen(void)
{
	return sink_reopen(&L.audit);
}

/* ---- What the audit log (audit.c) writes through ------------------------ */

uint64_t cp_log_realtime_ms(void)
{
	return L.real();
}

void cp_log_write_audit(const char *text, size_t len)
{
	bool ok;

	pthread_mutex_lock(&L.lock);
	ok = text && write_all(L.audit.fd, text, len);
	if (ok)
		L.stats.audit_written++;
	else
		L.stats.audit_errors++;
	pthread_mutex_unlock(&L.lock);
}
