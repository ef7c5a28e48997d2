/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp's audit log: one JSON object per line per operator action,
 * always on and never rate-limited, with the arguments a command declares
 * secret replaced by "<redacted>".
 *
 * The lines go out through log.c's sinks (log_internal.h): under the log's
 * lock, each with a single write(2), stamped by the log's clock
 * (cp_log_set_clocks) and counted in its stats (cp_log_get_stats's
 * audit_written and audit_errors).  log.h includes this header, so the
 * callers that include only log.h see all of it.
 */
#ifndef STRATA_CP_AUDIT_H
#define STRATA_CP_AUDIT_H

#include <stdbool.h>
#include <sys/types.h>

/* One operator action, as the control socket saw it. */
struct cp_audit_record {
	const char *event;     /* "command" (NULL means that), "refused", ... */
	uid_t uid;             /* the peer, from SO_PEERCRED */
	pid_t pid;
	const char *command;   /* "room show"; NULL when the line did not parse */
	int argc;
	const char *const *argv;  /* the arguments after the command */
	/* Which arguments are secret (see cp_audit_is_secret); all of them
	 * when all_secret (an unknown command's arguments may be anything). */
	const char *secret;
	bool all_secret;
	bool ok;
	const char *error;     /* the error's message when !ok */
};

/*
 * The audit line for r:
 *
 *   {"ts":"2025-11-30T10:50:00.123Z","event":"command","uid":0,"pid":4242,
 *    "command":"app add","args":["app1","<redacted>"],"result":"ok"}
 *
 * (one line; "error":"..." after "result":"error").
 */
void cp_audit(const struct cp_audit_record *r);

/* A secret spec lists, separated by spaces, 1-based argument positions
 * ("2": the second argument) and option names ("--key": the argument after
 * a --key word, and the value of a --key=VALUE word).  True when argument
 * i (0-based) of argv must not be logged. */
bool cp_audit_is_secret(const char *spec, int argc, const char *const *argv, int i);
/* Checks a spec's syntax: 0, or -1 for anything but positions >= 1 and
 * words starting with "--". */
int cp_audit_spec_check(const char *spec);

/* The audit stream: like cp_log_open (NULL or "-": stderr, the default). */
int cp_audit_open(const char *path);
void cp_audit_set_fd(int fd);
int cp_audit_reopen(void);

#endif /* STRATA_CP_AUDIT_H */
