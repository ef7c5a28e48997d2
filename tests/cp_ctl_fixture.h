/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the control socket tests (test_cp_ctl_socket*.c,
 * test_cp_ctl_stratactl.c) share: a strata-cp control socket served by a
 * thread of the test (in a fresh temporary directory, with a few test
 * commands, its audit and log lines in files there), and the client's
 * side: connections, pipelined replies, waiting for the end of a stream.
 *
 * The server thread owns its struct ctl: the test thread only talks to it
 * through the socket, and reads its counters after ctl_fixture_stop.
 *
 * Test commands:
 *   echo [ARG...]     "[arg1][arg2]...\n" (JSON: {"args":[...]})
 *   big N             N bytes: N-1 'x' and "\n"
 *   slow MS           deferred; "slow done\n" MS milliseconds later
 *   whoami            "uid=U pid=P\n" of the peer
 *   app add APP KEY   "stored\n"; KEY is secret
 */
#ifndef STRATA_CP_CTL_FIXTURE_H
#define STRATA_CP_CTL_FIXTURE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl.h"
#include "ctl_proto.h"

struct ctl_fixture {
	struct ctl *ctl;
	char dir[64];            /* the temporary directory (0700) */
	char path[128];          /* dir/run/ctl.sock */
	int audit_fd, log_fd;    /* dir/audit, dir/log */
	bool use_watch;          /* drive ctl through struct cp_fdwatch */
	int wake[2];
	pthread_t thread;
	bool running;
	struct ctl_stats stats;  /* after ctl_fixture_stop */
};

/* Creates the directory and the table, listens, starts the thread.
 * opt NULL: idle timeout 1000 ms, 64 connections.  Exits on failure. */
void ctl_fixture_start(struct ctl_fixture *f, const struct ctl_options *opt, bool use_watch);
/* Stops the thread, frees the table, keeps stats, removes the directory. */
void ctl_fixture_stop(struct ctl_fixture *f);
/* The audit or log file so far (malloc'd). */
char *ctl_fixture_audit(struct ctl_fixture *f);
char *ctl_fixture_log(struct ctl_fixture *f);

uint64_t fx_now_ms(void);
void fx_sleep_ms(unsigned ms);

/* One request on a new connection: 0 with *ok and body (NUL-terminated,
 * cut at cap), or -errno. */
int fx_request(const char *path, const char *line, bool *ok, char *body, size_t cap);

/* A client's connection, for replies that arrive back to back. */
struct fx_stream {
	int fd;
	size_t len;
	char buf[1 << 17];
};

void fx_stream_init(struct fx_stream *s, int fd);
/* Sends all of data (blocking, MSG_NOSIGNAL): 0 or -errno. */
int fx_send(int fd, const void *data, size_t len);
/* The next reply within timeout_ms: 0, -ETIMEDOUT, -ECONNRESET (closed
 * first), -EPROTO. */
int fx_next_reply(struct fx_stream *s, int timeout_ms, struct ctl_reply_reader *r);
/* True when the server closes within timeout_ms (what it sends first is
 * read and dropped). */
bool fx_wait_closed(int fd, int timeout_ms);

#endif /* STRATA_CP_CTL_FIXTURE_H */
