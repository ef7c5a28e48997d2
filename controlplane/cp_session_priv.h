/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What cp_session.c and cp_join.c share, and nobody else includes.
 */
#ifndef STRATA_CP_SESSION_PRIV_H
#define STRATA_CP_SESSION_PRIV_H

#include "cp.h"

/* Sends a builder's text to c (NULL c: drops it) and frees it. */
void cp_send_owned(struct sig_conn *c, char *json);
/* The stream as a receiver gets it through subscription s. */
void cp_stream_info(const struct cp_pub *pub, const struct cp_sub *s,
		    struct sig_stream_info *out);
/* The requests cp_join.c answers. */
void cp_do_join(struct cp *cp, struct sig_conn *c, const struct sig_request *req);
void cp_do_resume(struct cp *cp, struct sig_conn *c, const struct sig_request *req);

#endif /* STRATA_CP_SESSION_PRIV_H */
