/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The field readers the request parsers share (sig_msg.c, sig_msg_media.c).
 * Each reads one member of a JSON object, checks its JSON type, range or
 * length, and on failure fills the parse error with "REQUEST: PATH: what
 * was wrong", where PATH names the member from the message's root
 * ("streams[1].simulcast[0].ssrc").  They return 1 when the member was
 * there and good, 0 when an optional member is absent, -1 on an error.
 */
#ifndef STRATA_CP_SIG_MSG_PRIV_H
#define STRATA_CP_SIG_MSG_PRIV_H

#include <jansson.h>

#include "sig_msg.h"

#define SIG_PATH_LEN 96

struct sig_pctx {
	struct sig_parse_error *err;
	const char *req;                /* "join", ... */
};

enum { SIG_OPTIONAL = 0, SIG_REQUIRED = 1 };

int sig_fail(struct sig_pctx *p, enum strata_sig_error reason, const char *path,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* PARENT.KEY (or KEY at the root) and PARENT[I], cut to fit. */
void sig_path_key(char *out, const char *parent, const char *key);
void sig_path_index(char *out, const char *parent, size_t i);

/* The member, or NULL; a JSON null counts as absent. */
json_t *sig_member(json_t *obj, const char *key);

/* A string of min..max bytes copied with its NUL into dst (max + 1 bytes). */
int sig_get_string(struct sig_pctx *p, json_t *obj, const char *parent, const char *key,
		   int required, size_t min, size_t max, char *dst, size_t *len);
/* An integer (not a real) in [min, max]. */
int sig_get_int(struct sig_pctx *p, json_t *obj, const char *parent, const char *key,
		int required, int64_t min, int64_t max, int64_t *out);
int sig_get_bool(struct sig_pctx *p, json_t *obj, const char *parent, const char *key,
		 int required, bool *out);
/* An object, or an array of at most max elements. */
int sig_get_object(struct sig_pctx *p, json_t *obj, const char *parent, const char *key,
		   int required, json_t **out);
int sig_get_array(struct sig_pctx *p, json_t *obj, const char *parent, const char *key,
		  int required, size_t max, json_t **out);

/* The request bodies: 0, or -1 with the error filled. */
int sig_parse_join(struct sig_pctx *p, json_t *root, struct sig_join *j);
int sig_parse_publish(struct sig_pctx *p, json_t *root, struct sig_publish *pub);
int sig_parse_preferences(struct sig_pctx *p, json_t *root, struct sig_preferences *pr);

/* The deepest nesting of [ and { outside strings, counting stops past
 * limit; a cheap bound checked before jansson builds anything. */
unsigned sig_nesting_depth(const char *s, size_t len, unsigned limit);

/* enum strata_codec by name, case-insensitively; 0 when unknown. */
int sig_codec_by_name(const char *name);

#endif /* STRATA_CP_SIG_MSG_PRIV_H */
