/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * controlplane/token.c against the independent Python reference
 * (tests/cp_token_ref.py): every vector it wrote into cp_token_vectors.h
 * gets the same verdict and the same claims from cp_token_verify, and every
 * token the reference generated, cp_token_generate writes byte for byte
 * (so the C's tokens verify wherever the reference's do, vidyo.io back
 * ends included).  cp_token_crosscheck does the same with random cases at
 * test time.
 */
#include <inttypes.h>

#include "test_util.h"
#include "token.h"

struct token_vector {
	const char *name, *token, *app, *key, *previous;
	uint64_t now;
	uint32_t skew;
	const char *reason;
	/* when reason is "OK": */
	const char *user, *claim_app;
	uint64_t expires_unix;
	const char *vcard;
	size_t vcard_len;
	unsigned key_index;
	int generated; /* the reference made it with generate(): so must the C */
};

#include "cp_token_vectors.h"

static void check_vector(const struct token_vector *v)
{
	struct cp_token_static_keys keys = {
		.app_id = v->app,
		.key = (const uint8_t *)v->key,
		.key_len = strlen(v->key),
		.previous = (const uint8_t *)v->previous,
		.previous_len = v->previous ? strlen(v->previous) : 0,
	};
	static struct cp_token_claims c;
	static char out[CP_TOKEN_MAX_LEN + 1];
	enum cp_token_error why;
	int rc;

	rc = cp_token_verify(v->token, cp_token_static_lookup, &keys, v->now, v->skew, &c, &why);
	CHECK(strcmp(cp_token_error_name(rc), v->reason) == 0 && (int)why == rc,
	      "%s: C says %s, the reference %s", v->name, cp_token_error_name(rc), v->reason);
	if (rc != CP_TOKEN_OK || strcmp(v->reason, "OK") != 0)
		return;
	CHECK(strcmp(c.user, v->user) == 0, "%s: user %s, want %s", v->name, c.user, v->user);
	CHECK(strcmp(c.app_id, v->claim_app) == 0, "%s: app %s", v->name, c.app_id);
	CHECK(c.expires_unix == v->expires_unix, "%s: expires %" PRIu64, v->name,
	      c.expires_unix);
	CHECK(c.vcard_len == v->vcard_len && memcmp(c.vcard, v->vcard, v->vcard_len) == 0 &&
		      c.vcard[c.vcard_len] == 0,
	      "%s: vCard of %zu bytes differs", v->name, c.vcard_len);
	CHECK(c.key_index == v->key_index, "%s: key %u, want %u", v->name, c.key_index,
	      v->key_index);
	if (!v->generated)
		return;
	/* The signing key: the one the reference used, by its index. */
	const char *sign = v->key_index ? v->previous : v->key;

	rc = cp_token_generate(v->claim_app, v->user, v->expires_unix, v->vcard,
			       (const uint8_t *)sign, strlen(sign), out, sizeof(out));
	CHECK(rc == CP_TOKEN_OK, "%s: generate says %s", v->name, cp_token_error_name(rc));
	CHECK(rc != CP_TOKEN_OK || strcmp(out, v->token) == 0,
	      "%s: C and Python tokens differ:\n  %s\n  %s", v->name, out, v->token);
}

int main(void)
{
	unsigned ok = 0;

	for (size_t i = 0; i < ARRAY_LEN(token_vectors); i++) {
		check_vector(&token_vectors[i]);
		ok += strcmp(token_vectors[i].reason, "OK") == 0;
	}
	/* So a regenerated file that lost its cases does not pass quietly. */
	CHECK(ARRAY_LEN(token_vectors) >= 60 && ok >= 15, "only %zu vectors (%u valid)",
	      ARRAY_LEN(token_vectors), ok);
	return test_summary("cp_token_vectors");
}
