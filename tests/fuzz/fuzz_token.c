/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: cp_token_verify (controlplane/token.c) on hostile
 * tokens, for one application with a fixed current and previous
 * DeveloperKey.
 *
 * The input is used twice:
 *
 *  1. As the token text itself (NUL-terminated copy, up to 8 KiB so the
 *     4096-character cap is crossed), which exercises the base64 decoder.
 *  2. As the decoded token: base64-encoded first (when it fits the cap),
 *     so mutations land on the fields, the "@", the expiry digits and the
 *     MAC rather than on base64 that no longer decodes.
 *
 * Promises, each checked with abort():
 *   - the result is a reason verification can give (never NO_SPACE,
 *     BAD_KEY, BAD_ARGUMENT or INTERNAL), and *why equals it;
 *   - OK only when the MAC verifies: recomputed here with OpenSSL's HMAC
 *     over everything before the last NUL, with the key claims.key_index
 *     names, it equals the token's last field;
 *   - on OK the claims are within bounds: the user 1-64 letters and
 *     digits, the app the fuzzed one, the vCard NUL-terminated at its
 *     length and free of NULs, the expiry not passed beyond the skew, and
 *     cp_token_generate with the same claims and key writes a token that
 *     decodes to the same bytes;
 *   - on any refusal the claims are all zero;
 *   - cp_token_inspect gives the same syntax verdict (and OK whenever
 *     verification got past the syntax).
 *
 * Seeds (corpus/token/) are written by tests/cp_token_ref.py fuzz-seeds
 * (fuzz_token_seeds_fresh keeps them in step): text-*.txt are tokens
 * (valid, unpadded, previous key, expired, with a vCard, a wrong MAC),
 * raw-*.bin decoded tokens (valid, previous key, expired, the largest
 * expiry, a 64-character user), all for FUZZ_APP and the keys below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "b64.h"
#include "fuzz_invariant.h"
#include "token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_APP "fuzz.app"
#define FUZZ_KEY "fuzz-developer-key-0001"
#define FUZZ_PREVIOUS "fuzz-previous-key-0002"
#define FUZZ_NOW 1700000000ull
#define FUZZ_SKEW 300u
#define TEXT_MAX 8192

static const struct cp_token_static_keys keys = {
	.app_id = FUZZ_APP,
	.key = (const uint8_t *)FUZZ_KEY,
	.key_len = sizeof(FUZZ_KEY) - 1,
	.previous = (const uint8_t *)FUZZ_PREVIOUS,
	.previous_len = sizeof(FUZZ_PREVIOUS) - 1,
};

static int syntax_error(int rc)
{
	return rc == CP_TOKEN_TOO_LONG || rc == CP_TOKEN_BAD_BASE64 || rc == CP_TOKEN_BAD_FIELDS ||
	       rc == CP_TOKEN_BAD_PREFIX || rc == CP_TOKEN_BAD_USER || rc == CP_TOKEN_BAD_APP ||
	       rc == CP_TOKEN_BAD_EXPIRY || rc == CP_TOKEN_BAD_MAC_FORMAT;
}

/* The token's MAC, checked here without token.c. */
static void check_mac(const char *token, unsigned key_index)
{
	static uint8_t raw[CP_TOKEN_DECODED_MAX];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	const char *key = key_index ? FUZZ_PREVIOUS : FUZZ_KEY;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	long n = cp_b64_decode(token, strlen(token), raw, sizeof(raw));
	size_t body;

	INVARIANT(n > CP_TOKEN_MAC_HEX_LEN);
	body = (size_t)n - CP_TOKEN_MAC_HEX_LEN - 1;
	INVARIANT(raw[body] == 0);
	INVARIANT(HMAC(EVP_sha384(), key, (int)strlen(key), raw, body, md, &md_len));
	for (unsigned i = 0; i < md_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	INVARIANT(md_len * 2 == CP_TOKEN_MAC_HEX_LEN);
	INVARIANT(memcmp(hex, raw + body + 1, CP_TOKEN_MAC_HEX_LEN) == 0);
}

static void check_claims(const char *token, const struct cp_token_claims *c)
{
	static char again[CP_TOKEN_MAX_LEN + 1];
	static uint8_t a[CP_TOKEN_DECODED_MAX], b[CP_TOKEN_DECODED_MAX];
	size_t ulen = strnlen(c->user, sizeof(c->user));
	const char *key = c->key_index ? FUZZ_PREVIOUS : FUZZ_KEY;
	long na, nb;

	INVARIANT(c->key_index < 2);
	check_mac(token, c->key_index);
	INVARIANT(ulen >= 1 && ulen <= CP_USER_MAX && cp_user_valid(c->user, ulen));
	INVARIANT(strcmp(c->app_id, FUZZ_APP) == 0);
	INVARIANT(c->vcard_len <= CP_TOKEN_VCARD_MAX && c->vcard[c->vcard_len] == 0);
	INVARIANT(memchr(c->vcard, 0, c->vcard_len) == NULL);
	INVARIANT(FUZZ_NOW <= c->expires_unix || FUZZ_NOW - c->expires_unix <= FUZZ_SKEW);

	INVARIANT(cp_token_generate(c->app_id, c->user, c->expires_unix, c->vcard,
				    (const uint8_t *)key, strlen(key), again,
				    sizeof(again)) == CP_TOKEN_OK);
	na = cp_b64_decode(token, strlen(token), a, sizeof(a));
	nb = cp_b64_decode(again, strlen(again), b, sizeof(b));
	INVARIANT(na == nb && na > 0 && memcmp(a, b, (size_t)na) == 0);
}

static void check_token(const char *token)
{
	static struct cp_token_claims c, ci;
	static const struct cp_token_claims zero;
	enum cp_token_error why = CP_TOKEN_ERROR_COUNT;
	int rc, ri;

	rc = cp_token_verify(token, cp_token_static_lookup, (void *)&keys, FUZZ_NOW, FUZZ_SKEW, &c,
			     &why);
	INVARIANT((int)why == rc);
	INVARIANT(rc == CP_TOKEN_OK || syntax_error(rc) || rc == CP_TOKEN_UNKNOWN_APP ||
		  rc == CP_TOKEN_BAD_MAC || rc == CP_TOKEN_EXPIRED);
	if (rc == CP_TOKEN_OK)
		check_claims(token, &c);
	else
		INVARIANT(memcmp(&c, &zero, sizeof(c)) == 0);

	ri = cp_token_inspect(token, &ci);
	INVARIANT(syntax_error(rc) ? ri == rc : ri == CP_TOKEN_OK);
	if (rc == CP_TOKEN_OK) {
		/* inspect knows no key: the rest of what it says is the same. */
		ci.key_index = c.key_index;
		INVARIANT(memcmp(&c, &ci, sizeof(c)) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[TEXT_MAX + 1], encoded[CP_TOKEN_MAX_LEN + 8];
	size_t n = size > TEXT_MAX ? TEXT_MAX : size;

	memcpy(text, data, n);
	text[n] = 0;
	check_token(text);

	if (cp_b64_encode(data, size, encoded, sizeof(encoded)) >= 0)
		check_token(encoded);
	return 0;
}
