/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's line protocol, both ends: strata-cp (ctl.c) parses
 * requests and frames replies; stratactl and the tests quote requests and
 * read replies.
 *
 * Transport: a Unix stream socket (default /run/strata/ctl.sock, or
 * $STRATA_STATE_DIR/ctl.sock), mode 0600 in a directory of mode 0700; the
 * server also checks the peer's uid (SO_PEERCRED).  A connection carries
 * any number of requests, one at a time: every request line gets exactly
 * one reply, in order.
 *
 * Request: one line of UTF-8, at most CTL_MAX_LINE bytes with its "\n"
 * (a "\r" before it is ignored; so is a missing "\n" before the client
 * shuts down its side).  Words are separated by spaces or tabs.  A word
 * is bare (no spaces, no '"') or quoted: "..." in which \" is a quote and
 * \\ a backslash (no other escape exists).  Control characters are
 * refused everywhere.  The first word, or the first two when a two-word
 * command of that name exists ("room show"), is the command; the rest are
 * its arguments.  A bare --json word, anywhere, asks for a JSON reply and
 * is not an argument ("--json" quoted is one).
 *
 * Reply: a status line, "OK <n>\n" or "ERR <n>\n", then exactly n bytes of
 * body (decimal n, no leading zeros).  A text body is lines of text, each
 * ending in "\n"; a JSON body is one JSON document on one line, then "\n".
 * An ERR body is the message (text: the message, and "usage: ..." when
 * the arguments were wrong; JSON: {"error":MESSAGE[,"usage":USAGE]}).
 * A request that breaks the transport (a line too long, a peer that is
 * not allowed) gets its ERR and then the server closes the connection.
 *
 * Example (C: the client, S: the server):
 *
 *   C: room show app1 "daily standup"\n
 *   S: OK 44\n
 *   S: room app1/daily standup: 3 participants\n   (text, 44 bytes)
 *   C: room show app1 "daily standup" --json\n
 *   S: OK 58\n
 *   S: {"app":"app1","resource":"daily standup","participants":3}\n
 *   C: room show app1\n
 *   S: ERR 87\n
 *   S: wrong number of arguments for "room show" (expected 2, got 1)\n
 *   S: usage: room show APP RESOURCE\n
 */
#ifndef STRATA_CP_CTL_PROTO_H
#define STRATA_CP_CTL_PROTO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* A request line, its "\n" included. */
#define CTL_MAX_LINE 4096
/* Words in one request, the command's and --json included. */
#define CTL_MAX_WORDS 64
/* The largest reply body a client accepts (the server refuses to build a
 * larger one). */
#define CTL_MAX_REPLY (16u << 20)

#define CTL_DEFAULT_DIR "/run/strata"
#define CTL_SOCKET_NAME "ctl.sock"

/* Every way a request line can be refused before it reaches a command. */
#define CTL_FOREACH_PARSE_STATUS(X)                                            \
	X(OK, "ok")                                                            \
	X(EMPTY, "empty request: try \"help\"")                                \
	X(TOO_LONG, "line too long")                                           \
	X(CONTROL_CHAR, "control character in request")                        \
	X(NOT_UTF8, "request is not valid UTF-8")                              \
	X(UNTERMINATED_QUOTE, "unterminated quote")                            \
	X(BAD_ESCAPE, "bad escape in a quoted word (only \\\" and \\\\ exist)")  \
	X(QUOTE_IN_WORD, "quote inside a word (quote the whole word)")         \
	X(TOO_MANY_WORDS, "too many words in request")

enum ctl_parse_status {
#define CTL_PARSE_ENUM(name, str) CTL_PARSE_##name,
	CTL_FOREACH_PARSE_STATUS(CTL_PARSE_ENUM)
#undef CTL_PARSE_ENUM
	CTL_PARSE_STATUS_COUNT
};

/* The status's message ("line too long"). */
const char *ctl_parse_status_str(enum ctl_parse_status s);

/* A parsed request: the words (unescaped, NUL-terminated) in buf. */
struct ctl_words {
	int argc;                         /* words, --json not counted */
	char *argv[CTL_MAX_WORDS + 1];    /* argv[argc] is NULL */
	bool json;                        /* a bare --json was there */
	char buf[CTL_MAX_LINE + 1];
};

/*
 * Parses one request line (len bytes, without its "\n"; a trailing "\r" is
 * dropped).  On anything but CTL_PARSE_OK, w->argc is 0.  Lines longer
 * than CTL_MAX_LINE - 1 bytes are CTL_PARSE_TOO_LONG.
 */
enum ctl_parse_status ctl_parse(const char *line, size_t len, struct ctl_words *w);

/* ---- Buffers ------------------------------------------------------------ */

/* A growable byte buffer, always NUL-terminated once anything is in it.
 * An allocation failure sets oom and drops what follows. */
struct ctl_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

void ctl_buf_append(struct ctl_buf *b, const void *data, size_t n);
void ctl_buf_puts(struct ctl_buf *b, const char *s);
void ctl_buf_printf(struct ctl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ctl_buf_vprintf(struct ctl_buf *b, const char *fmt, va_list ap);
/* Drops the first n bytes. */
void ctl_buf_consume(struct ctl_buf *b, size_t n);
/* Wipes (explicit_bzero) and frees. */
void ctl_buf_free(struct ctl_buf *b);

/* ---- Writing requests (clients) ----------------------------------------- */

/* Appends word to b as the protocol reads it back: bare when it can be,
 * quoted otherwise (and always for "" and "--json").  Returns -1, with
 * nothing appended, when no request can carry it (a control character, or
 * invalid UTF-8). */
int ctl_quote_append(struct ctl_buf *b, const char *word);

/* The request line for words (with " --json" when json), "\n" included.
 * Returns 0; -1 when a word cannot be carried (*bad_word is its index)
 * and -2 when the line would be longer than CTL_MAX_LINE. */
int ctl_build_request(struct ctl_buf *b, int argc, const char *const *argv, bool json,
		      int *bad_word);

/* ---- Replies ---------------------------------------------------------------- */

/* "OK <n>\n" or "ERR <n>\n" in out (at least 32 bytes); returns its length. */
size_t ctl_format_status(char *out, bool ok, size_t body_len);

/* Reads a reply from a byte stream, whatever the chunks. */
struct ctl_reply_reader {
	int state;          /* 0: the status line; 1: the body; 2: done; -1: bad */
	bool ok;
	size_t body_len;
	char head[32];
	size_t head_len;
	struct ctl_buf body;
};

enum ctl_read_result { CTL_READ_MORE, CTL_READ_DONE, CTL_READ_BAD };

/* Feeds n bytes; *used says how many belong to this reply (the rest is the
 * next reply's).  DONE: r->ok and r->body are the reply; BAD: the server
 * sent something that is not a reply. */
enum ctl_read_result ctl_reply_feed(struct ctl_reply_reader *r, const char *data, size_t n,
				    size_t *used);
void ctl_reply_reader_reset(struct ctl_reply_reader *r);
void ctl_reply_reader_free(struct ctl_reply_reader *r);

/* ---- The client side of a connection ------------------------------------ */

/* $STRATA_STATE_DIR/ctl.sock, or /run/strata/ctl.sock when it is unset or
 * empty.  Returns 0, or -1 when the path does not fit in cap (or in a
 * sockaddr_un). */
int ctl_default_socket_path(char *out, size_t cap);

/* Connects to the control socket at path (blocking, close-on-exec).
 * Returns the fd, or -errno. */
int ctl_client_connect(const char *path);

/*
 * Sends request (a whole line, its "\n" included) on fd and reads the
 * reply into r, waiting at most timeout_ms in all (-1: forever).  Returns
 * 0, or -errno: -ETIMEDOUT, -ECONNRESET when the server closed before the
 * whole reply came, -EPROTO for something that is not a reply.
 */
int ctl_client_call(int fd, const char *request, size_t len, int timeout_ms,
		    struct ctl_reply_reader *r);

#endif /* STRATA_CP_CTL_PROTO_H */
