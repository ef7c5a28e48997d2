/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's line protocol (ctl_proto.h has the grammar and an
 * example): request parsing and quoting, reply framing and reading, and a
 * client's connect-and-call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>

#include "ctl_proto.h"
#include "log.h"

static const char *const parse_status_names[CTL_PARSE_STATUS_COUNT] = {
#define NAME(name, str) [CTL_PARSE_##name] = str,
	CTL_FOREACH_PARSE_STATUS(NAME)
#undef NAME
};

const char *ctl_parse_status_str(enum ctl_parse_status s)
{
	return (unsigned)s < CTL_PARSE_STATUS_COUNT ? parse_status_names[s] : "unknown status";
}

/* Control characters: C0 (tab included: it only separates words) and DEL. */
static bool is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static bool is_separator(char c)
{
	return c == ' ' || c == '\t';
}

static enum ctl_parse_status parse_fail(struct ctl_words *w, enum ctl_parse_status s)
{
	w->argc = 0;
	w->argv[0] = NULL;
	w->json = false;
	return s;
}

enum ctl_parse_status ctl_parse(const char *line, size_t len, struct ctl_words *w)
{
	char *out = w->buf;
	int words = 0;
	size_t i = 0;

	w->argc = 0;
	w->json = false;
	w->argv[0] = NULL;
	if (len >= CTL_MAX_LINE)
		return parse_fail(w, CTL_PARSE_TOO_LONG);
	if (len && line[len - 1] == '\r')
		len--;
	if (!cp_utf8_valid(line, len))
		return parse_fail(w, CTL_PARSE_NOT_UTF8);

	/* Every word writes at most the bytes it read plus a NUL, and every
	 * word but the last is followed by a separator it does not write:
	 * the words never need more than len + 1 bytes of buf. */
	for (;;) {
		char *start;
		bool quoted = false;

		while (i < len && is_separator(line[i]))
			i++;
		if (i == len)
			break;
		if (words == CTL_MAX_WORDS)
			return parse_fail(w, CTL_PARSE_TOO_MANY_WORDS);
		start = out;
		if (line[i] == '"') {
			quoted = true;
			for (i++;; i++) {
				unsigned char c;

				if (i == len)
					return parse_fail(w, CTL_PARSE_UNTERMINATED_QUOTE);
				c = (unsigned char)line[i];
				if (c == '"')
					break;
				if (c == '\\') {
					if (i + 1 == len)
						return parse_fail(w, CTL_PARSE_UNTERMINATED_QUOTE);
					c = (unsigned char)line[++i];
					if (c != '"' && c != '\\')
						return parse_fail(w, CTL_PARSE_BAD_ESCAPE);
				} else if (is_control(c)) {
					return parse_fail(w, CTL_PARSE_CONTROL_CHAR);
				}
				*out++ = (char)c;
			}
			i++;  /* the closing quote */
			if (i < len && !is_separator(line[i]))
				return parse_fail(w, CTL_PARSE_QUOTE_IN_WORD);
		} else {
			for (; i < len && !is_separator(line[i]); i++) {
				unsigned char c = (unsigned char)line[i];

				if (c == '"')
					return parse_fail(w, CTL_PARSE_QUOTE_IN_WORD);
				if (is_control(c))
					return parse_fail(w, CTL_PARSE_CONTROL_CHAR);
				*out++ = (char)c;
			}
		}
		*out++ = '\0';
		words++;
		if (!quoted && strcmp(start, "--json") == 0) {
			w->json = true;
			out = start;
			continue;
		}
		w->argv[w->argc++] = start;
	}
	w->argv[w->argc] = NULL;
	if (w->argc == 0)
		return parse_fail(w, CTL_PARSE_EMPTY);
	return CTL_PARSE_OK;
}

/* ---- Buffers ---------------------------------------------------------------- */

/* Grows b to hold need more bytes and a NUL.  The old block is wiped before
 * it is freed: requests can carry keys. */
static bool buf_reserve(struct ctl_buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->oom)
		return false;
	if (b->p && need < b->cap - b->len)
		return true;
	if (need > SIZE_MAX / 2 - b->len) {
		b->oom = true;
		return false;
	}
	cap = b->cap ? b->cap : 64;
	while (cap < b->len + need + 1)
		cap *= 2;
	p = malloc(cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	if (b->p) {
		memcpy(p, b->p, b->len);
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void ctl_buf_append(struct ctl_buf *b, const void *data, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void ctl_buf_puts(struct ctl_buf *b, const char *s)
{
	ctl_buf_append(b, s, strlen(s));
}

void ctl_buf_vprintf(struct ctl_buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	if (!buf_reserve(b, 0))
		return;
	va_copy(copy, ap);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		if (!buf_reserve(b, (size_t)n))
			return;
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void ctl_buf_printf(struct ctl_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctl_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void ctl_buf_consume(struct ctl_buf *b, size_t n)
{
	if (n >= b->len) {
		if (b->p)
			explicit_bzero(b->p, b->len);
		b->len = 0;
	} else {
		memmove(b->p, b->p + n, b->len - n);
		explicit_bzero(b->p + b->len - n, n);
		b->len -= n;
	}
	if (b->p)
		b->p[b->len] = '\0';
}

void ctl_buf_free(struct ctl_buf *b)
{
	if (b->p) {
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}

/* ---- Requests ----------------------------------------------------------------- */

int ctl_quote_append(struct ctl_buf *b, const char *word)
{
	size_t n = strlen(word);
	bool quote = n == 0 || strcmp(word, "--json") == 0;

	if (!cp_utf8_valid(word, n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)word[i];

		if (is_control(c))
			return -1;
		if (c == ' ' || c == '"')
			quote = true;
	}
	if (!quote) {
		ctl_buf_append(b, word, n);
		return 0;
	}
	ctl_buf_append(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		if (word[i] == '"' || word[i] == '\\')
			ctl_buf_append(b, "\\", 1);
		ctl_buf_append(b, word + i, 1);
	}
	ctl_buf_append(b, "\"", 1);
	return 0;
}

int ctl_build_request(struct ctl_buf *b, int argc, const char *const *argv, bool json,
		      int *bad_word)
{
	size_t start = b->len;

	for (int i = 0; i < argc; i++) {
		if (i)
			ctl_buf_append(b, " ", 1);
		if (ctl_quote_append(b, argv[i]) < 0) {
			if (bad_word)
				*bad_word = i;
			b->len = start;
			return -1;
		}
	}
	if (json)
		ctl_buf_puts(b, argc ? " --json" : "--json");
	ctl_buf_append(b, "\n", 1);
	if (b->len - start > CTL_MAX_LINE) {
		b->len = start;
		return -2;
	}
	return 0;
}

/* ---- Replies ------------------------------------------------------------------ */

size_t ctl_format_status(char *out, bool ok, size_t body_len)
{
	int n = snprintf(out, 32, "%s %zu\n", ok ? "OK" : "ERR", body_len);

	return n > 0 ? (size_t)n : 0;
}

void ctl_reply_reader_reset(struct ctl_reply_reader *r)
{
	ctl_buf_free(&r->body);
	memset(r, 0, sizeof(*r));
}

void ctl_reply_reader_free(struct ctl_reply_reader *r)
{
	ctl_reply_reader_reset(r);
}

/* "OK <n>" or "ERR <n>", n decimal without leading zeros, at most
 * CTL_MAX_REPLY. */
static bool parse_status_line(struct ctl_reply_reader *r)
{
	const char *p = r->head;
	size_t n = 0;

	if (strncmp(p, "OK ", 3) == 0) {
		r->ok = true;
		p += 3;
	} else if (strncmp(p, "ERR ", 4) == 0) {
		r->ok = false;
		p += 4;
	} else {
		return false;
	}
	if (*p < '0' || *p > '9' || (*p == '0' && p[1]))
		return false;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		n = n * 10 + (size_t)(*p - '0');
		if (n > CTL_MAX_REPLY)
			return false;
	}
	r->body_len = n;
	return true;
}

enum ctl_read_result ctl_reply_feed(struct ctl_reply_reader *r, const char *data, size_t n,
				    size_t *used)
{
	size_t i = 0;

	while (r->state == 0 && i < n) {
		char c = data[i++];

		if (c == '\n') {
			r->head[r->head_len] = '\0';
			if (!parse_status_line(r)) {
				r->state = -1;
				break;
			}
			ctl_buf_append(&r->body, "", 0);
			r->state = r->body_len ? 1 : 2;
		} else if (r->head_len + 1 >= sizeof(r->head)) {
			r->state = -1;
		} else {
			r->head[r->head_len++] = c;
		}
	}
	if (r->state == 1 && i < n) {
		size_t take = r->body_len - r->body.len;

		if (take > n - i)
			take = n - i;
		ctl_buf_append(&r->body, data + i, take);
		i += take;
		if (r->body.oom)
			r->state = -1;
		else if (r->body.len == r->body_len)
			r->state = 2;
	}
	if (used)
		*used = i;
	if (r->state < 0)
		return CTL_READ_BAD;
	return r->state == 2 ? CTL_READ_DONE : CTL_READ_MORE;
}

/* ---- Clients ---------------------------------------------------------------- */

int ctl_default_socket_path(char *out, size_t cap)
{
	const char *dir = getenv("STRATA_STATE_DIR");
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path);
	int n;

	if (!dir || !*dir)
		dir = CTL_DEFAULT_DIR;
	n = snprintf(out, cap, "%s%s" CTL_SOCKET_NAME, dir, dir[strlen(dir) - 1] == '/' ? "" : "/");
	if (n < 0 || (size_t)n >= cap || (size_t)n >= max)
		return -1;
	return 0;
}

int ctl_client_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline (-1: none): 1 ready, 0 timed out. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		int timeout = -1, n;

		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0)
				return 0;
			timeout = left > 60000 ? 60000 : (int)left;
		}
		n = poll(&p, 1, timeout);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

int ctl_client_call(int fd, const char *request, size_t len, int timeout_ms,
		    struct ctl_reply_reader *r)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int send_err = 0;
	size_t off = 0;

	ctl_reply_reader_reset(r);
	/* A server that refuses us (a line too long, our uid) answers and
	 * closes while we may still be sending: keep its answer, which
	 * says why, rather than the EPIPE. */
	while (off < len) {
		ssize_t w;
		int ready = wait_fd(fd, POLLOUT, deadline);

		if (ready <= 0)
			return ready ? ready : -ETIMEDOUT;
		w = send(fd, request + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			send_err = -errno;
			break;
		}
		off += (size_t)w;
	}
	for (;;) {
		char buf[4096];
		size_t used;
		ssize_t n;
		int ready = wait_fd(fd, POLLIN, deadline);

		if (ready <= 0)
			return ready ? ready : -ETIMEDOUT;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return send_err ? send_err : -errno;
		}
		if (n == 0)
			return send_err ? send_err : -ECONNRESET;
		switch (ctl_reply_feed(r, buf, (size_t)n, &used)) {
		case CTL_READ_DONE:
			return 0;
		case CTL_READ_BAD:
			return -EPROTO;
		default:
			break;
		}
	}
}
