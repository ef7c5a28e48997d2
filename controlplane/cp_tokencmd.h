/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * "token generate" and "token verify" as operators type them, shared by
 * strata-cp's control socket (keys from the app store) and stratactl
 * (with --key, offline):
 *
 *   token generate --app A --user U --expires-in SECONDS [--vcard V] [--key K]
 *   token verify --token T [--key K] [--now UNIX_TIME]
 *
 * verify answers {"valid":bool,"user":..,"app":..,"expires":UNIX_TIME,
 * "reason":..}: "reason" is the token error's name ("ok", "expired",
 * "bad_mac"...); user, app and expires are what the token claims, shown
 * also for a refused token when it parses (never trusted for anything).
 */
#ifndef STRATA_CP_TOKENCMD_H
#define STRATA_CP_TOKENCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "token.h"

struct cp_token_args {
	const char *app, *user, *vcard, *key, *token;
	uint64_t expires_in;
	bool has_expires_in;
	uint64_t now;
	bool has_now;
};

/* 0, or -1 with a sentence in err (unknown option, missing value...). */
int cp_token_args_parse(int argc, const char *const *argv, bool verify, struct cp_token_args *a,
			char *err, size_t errlen);

/* The token into out (cap bytes): CP_TOKEN_OK or the error. */
int cp_token_args_generate(const struct cp_token_args *a, const uint8_t *key, size_t key_len,
			   uint64_t now_unix, char *out, size_t cap);

/* The verify answer (see above). */
json_t *cp_token_verify_json(const char *token, cp_token_key_lookup_fn lookup, void *arg,
			     uint64_t now_unix, uint32_t skew_s);

#endif /* STRATA_CP_TOKENCMD_H */
