/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What ctl.c (the command table, dispatch, replies) and ctl_server.c (the
 * socket, its connections) share.  Not for anyone else: ctl.h is the
 * interface.
 */
#ifndef STRATA_CP_CTL_INTERNAL_H
#define STRATA_CP_CTL_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include "ctl.h"

struct cp_series;

struct ctl_command {
	char *name;          /* "room show" */
	char *first;         /* "room" (the second word follows its NUL) */
	const char *second;  /* "show", or NULL for a one-word command */
	char *usage;
	int min_args, max_args;
	ctl_handler_fn *handler;
	void *arg;
	char *secret;        /* the audit log's redaction spec, or NULL */
};

/* Output beyond this stops the reading of further requests until the
 * client has read some (a client that never reads stalls only itself). */
#define CTL_OUT_HIGH_WATER (64u * 1024)

struct ctl_conn {
	struct ctl *ctl;
	int fd;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	short events;          /* what the loop watches for us */
	bool eof;              /* the client will send nothing more */
	bool closing;          /* close once the output is out */
	bool dead;             /* closed; freed by ctl_reap */
	uint64_t deadline;     /* monotonic ms */
	struct ctl_reply *pending;  /* a deferred reply this connection waits for */
	struct ctl_buf out;
	size_t out_off;
	size_t in_len;
	char in[CTL_MAX_LINE];
};

struct ctl_reply {
	struct ctl *ctl;        /* NULL once ctl_free orphaned it */
	struct ctl_conn *conn;  /* NULL: ctl_execute, or the client is gone */
	struct ctl_buf *sink;   /* ctl_execute's output, while it runs */
	struct ctl_reply *prev, *next;  /* the table's deferred replies */
	struct ctl_request req;
	char *command;          /* req.command's copy once orphaned */
	char *secret;
	bool all_secret;
	bool deferred, finish_requested, in_dispatch;
	struct ctl_buf text;
	json_t *value;
	char *error, *usage;
	struct ctl_words words;  /* req.argv points in here */
};

struct ctl {
	struct ctl_options opt;
	uid_t uid;                  /* ours: peers must have it, or be root */
	struct ctl_command **cmds;
	size_t n_cmds, cap_cmds;
	struct ctl_reply *deferred;
	int listen_fd;              /* -1 before ctl_listen */
	char *path;
	dev_t sock_dev;             /* the socket file we made, to remove */
	ino_t sock_ino;             /* only that one at ctl_free */
	struct ctl_conn **conns;
	size_t n_conns;
	struct cp_fdwatch watch;
	bool has_watch;
	struct ctl_stats stats;
	struct {
		struct cp_series *ok, *error, *refused_uid, *refused_limit, *conns;
	} m;
};

/* ctl.c */
struct ctl_reply *ctl_reply_new(struct ctl *ctl, struct ctl_conn *conn, uid_t uid, gid_t gid,
				pid_t pid);
/* Parses and dispatches one line into r; true when the handler deferred
 * (r lives on), false when r is complete (and freed). */
bool ctl_run_line(struct ctl *ctl, struct ctl_reply *r, const char *line, size_t len);
void ctl_count_request(struct ctl *ctl, bool ok);
void ctl_orphan_deferred(struct ctl *ctl);
void ctl_free_commands(struct ctl *ctl);
int ctl_register_builtins(struct ctl *ctl);

/* ctl_server.c */
/* Appends a framed reply to the connection's output. */
void ctl_conn_queue(struct ctl_conn *c, bool ok, const char *body, size_t len);
/* Runs the complete lines that wait, writes, and updates the events. */
void ctl_conn_process(struct ctl_conn *c);
/* Frees the connections that died. */
void ctl_reap(struct ctl *ctl);

#endif /* STRATA_CP_CTL_INTERNAL_H */
