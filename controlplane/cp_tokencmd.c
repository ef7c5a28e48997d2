/* SPDX-License-Identifier: BSD-3-Clause */
/* "token generate" and "token verify": see cp_tokencmd.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cp_tokencmd.h"

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

int cp_token_args_parse(int argc, const char *const *argv, bool verify, struct cp_token_args *a,
			char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strncmp(opt, "--", 2) != 0) {
			snprintf(err, errlen, "unexpected argument \"%s\": options are --name VALUE",
				 opt);
			return -1;
		}
		if (!val) {
			snprintf(err, errlen, "%s needs a value", opt);
			return -1;
		}
		i++;
		if (strcmp(opt, "--key") == 0) {
			a->key = val;
		} else if (!verify && strcmp(opt, "--app") == 0) {
			a->app = val;
		} else if (!verify && strcmp(opt, "--user") == 0) {
			a->user = val;
		} else if (!verify && strcmp(opt, "--vcard") == 0) {
			a->vcard = val;
		} else if (!verify && strcmp(opt, "--expires-in") == 0) {
			if (!parse_u64(val, &a->expires_in)) {
				snprintf(err, errlen, "--expires-in: seconds, a decimal number");
				return -1;
			}
			a->has_expires_in = true;
		} else if (verify && strcmp(opt, "--token") == 0) {
			a->token = val;
		} else if (verify && strcmp(opt, "--now") == 0) {
			if (!parse_u64(val, &a->now)) {
				snprintf(err, errlen, "--now: Unix time, a decimal number");
				return -1;
			}
			a->has_now = true;
		} else {
			snprintf(err, errlen, "unknown option %s", opt);
			return -1;
		}
	}
	if (verify && !a->token) {
		snprintf(err, errlen, "--token is required");
		return -1;
	}
	if (!verify && (!a->app || !a->user || !a->has_expires_in)) {
		snprintf(err, errlen, "--app, --user and --expires-in are required");
		return -1;
	}
	return 0;
}

int cp_token_args_generate(const struct cp_token_args *a, const uint8_t *key, size_t key_len,
			   uint64_t now_unix, char *out, size_t cap)
{
	if (a->expires_in > UINT64_MAX - now_unix)
		return CP_TOKEN_BAD_EXPIRY;
	return cp_token_generate(a->app, a->user, now_unix + a->expires_in, a->vcard, key, key_len,
				 out, cap);
}

json_t *cp_token_verify_json(const char *token, cp_token_key_lookup_fn lookup, void *arg,
			     uint64_t now_unix, uint32_t skew_s)
{
	struct cp_token_claims *claims = calloc(1, sizeof(*claims));
	enum cp_token_error why = CP_TOKEN_INTERNAL;
	json_t *o;

	if (!claims)
		return NULL;
	cp_token_verify(token, lookup, arg, now_unix, skew_s, claims, &why);
	if (why != CP_TOKEN_OK)
		cp_token_inspect(token, claims); /* what it claims, for the operator */
	o = json_pack("{s:b, s:s, s:s, s:I, s:s, s:s}", "valid", why == CP_TOKEN_OK, "user",
		      claims->user, "app", claims->app_id, "expires", (json_int_t)claims->expires_unix,
		      "reason", cp_token_error_name(why), "message", cp_token_error_message(why));
	OPENSSL_cleanse(claims, sizeof(*claims));
	free(claims);
	return o;
}
