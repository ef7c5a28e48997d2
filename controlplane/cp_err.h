/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The message half of a control-plane error: calls that can fail for more
 * reasons than their status enum names (a path, an errno, a file mode)
 * write one sentence here, saying what to do when there is something to
 * do ("chmod 600 FILE").  strata-cp logs it, stratactl prints it; neither
 * ever contains key material.
 */
#ifndef STRATA_CP_ERR_H
#define STRATA_CP_ERR_H

#define CP_ERR_LEN 512

struct cp_err {
	char msg[CP_ERR_LEN];
};

/* Formats the message (when err is not NULL); returns -1 so callers can
 * `return cp_err_set(...)`. */
int cp_err_set(struct cp_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* STRATA_CP_ERR_H */
