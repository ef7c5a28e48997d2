/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * controlplane/token.c as tables: numbered generate-and-verify rows (the
 * clock, the skew edge, the keys the lookup gives), rows of hand-built
 * tokens whose every field is wrong in one way (each signed with the right
 * key, so the reason is the field's and not BAD_MAC), then sweeps: every
 * bit of the MAC and of the body flipped, every truncation, every byte
 * outside the alphabets in the base64, the user and the ApplicationID,
 * lengths around the 4096-character cap, lookups that fail or misbehave.
 * Never OK unless the MAC verifies; claims zeroed on every refusal.
 */
#include <inttypes.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "b64.h"
#include "test_util.h"
#include "token.h"

#define APP "demo1.strata.example"
#define KEY "0123456789abcdef0123456789abcdef"
#define PREV "fedcba9876543210fedcba9876543210"
#define NOW 1700000000ull

static char tok[CP_TOKEN_MAX_LEN * 4];
static struct cp_token_claims claims;

/* ---- lookups ------------------------------------------------------------- */

enum keyset { K_CURRENT, K_WITH_PREV, K_WRONG, K_NONE, K_FAIL, K_THREE, K_EMPTY_KEY };

static int lookup(void *arg, const char *app, uint64_t now, struct cp_token_keys *k)
{
	enum keyset ks = *(enum keyset *)arg;
	static const char *const keys[] = { KEY, PREV, "not the key at all, not at all" };

	(void)now;
	CHECK(k->n == 0, "the lookup's keys do not arrive zeroed");
	if (ks == K_FAIL)
		return -1;
	if (strcmp(app, APP) != 0 || ks == K_NONE)
		return 0;
	if (ks == K_THREE) {
		k->n = 3;
		return 0;
	}
	if (ks == K_EMPTY_KEY) {
		k->n = 1;
		return 0;
	}
	k->n = ks == K_WITH_PREV ? 2 : 1;
	for (unsigned i = 0; i < k->n; i++) {
		const char *s = keys[ks == K_WRONG ? 2 : i];

		k->key[i].len = strlen(s);
		memcpy(k->key[i].bytes, s, k->key[i].len);
	}
	return 0;
}

static int verify_with(const char *t, enum keyset ks, uint64_t now, uint32_t skew)
{
	enum cp_token_error why = CP_TOKEN_ERROR_COUNT;
	int rc = cp_token_verify(t, lookup, &ks, now, skew, &claims, &why);

	CHECK((int)why == rc, "why %d and the return %d differ", why, rc);
	if (rc != CP_TOKEN_OK) {
		static const struct cp_token_claims zero;

		CHECK(memcmp(&claims, &zero, sizeof(zero)) == 0, "claims not zeroed after %s",
		      cp_token_error_name(rc));
	}
	return rc;
}

/* ---- 1. generate, then verify ------------------------------------------- */

static const struct round_trip {
	const char *name;
	const char *app, *user, *vcard, *sign_key;
	uint64_t expires;
	enum keyset keys;
	uint64_t now;
	uint32_t skew;
	int want;
	unsigned key_index;
} round_trips[] = {
	{ "1 plain", APP, "alice", NULL, KEY, NOW + 60, K_CURRENT, NOW, 0, CP_TOKEN_OK, 0 },
	{ "2 with a vCard", APP, "bob", "BEGIN:VCARD\nFN:Bob\nEND:VCARD", KEY, NOW + 60,
	  K_CURRENT, NOW, 0, CP_TOKEN_OK, 0 },
	{ "3 now == expires", APP, "alice", NULL, KEY, NOW, K_CURRENT, NOW, 0, CP_TOKEN_OK, 0 },
	{ "4 now == expires + 1, no skew", APP, "alice", NULL, KEY, NOW, K_CURRENT, NOW + 1, 0,
	  CP_TOKEN_EXPIRED, 0 },
	{ "5 now == expires + skew", APP, "alice", NULL, KEY, NOW, K_CURRENT, NOW + 300, 300,
	  CP_TOKEN_OK, 0 },
	{ "6 now == expires + skew + 1", APP, "alice", NULL, KEY, NOW, K_CURRENT, NOW + 301, 300,
	  CP_TOKEN_EXPIRED, 0 },
	{ "7 the largest expiry and skew", APP, "alice", NULL, KEY,
	  UINT64_MAX - CP_TOKEN_YEAR0_OFFSET, K_CURRENT,
	  UINT64_MAX - CP_TOKEN_YEAR0_OFFSET + UINT32_MAX, UINT32_MAX, CP_TOKEN_OK, 0 },
	{ "7b ... one second later", APP, "alice", NULL, KEY, UINT64_MAX - CP_TOKEN_YEAR0_OFFSET,
	  K_CURRENT, UINT64_MAX - CP_TOKEN_YEAR0_OFFSET + UINT32_MAX + 1ull, UINT32_MAX,
	  CP_TOKEN_EXPIRED, 0 },
	{ "8 expires at the epoch, now 0", APP, "alice", NULL, KEY, 0, K_CURRENT, 0, 0,
	  CP_TOKEN_OK, 0 },
	{ "9 long ago", APP, "alice", NULL, KEY, 1, K_CURRENT, NOW, 3600, CP_TOKEN_EXPIRED, 0 },
	{ "10 wrong key", APP, "alice", NULL, KEY, NOW + 60, K_WRONG, NOW, 0, CP_TOKEN_BAD_MAC, 0 },
	{ "11 unknown app", "other.example", "alice", NULL, KEY, NOW + 60, K_CURRENT, NOW, 0,
	  CP_TOKEN_UNKNOWN_APP, 0 },
	{ "12 lookup knows no key", APP, "alice", NULL, KEY, NOW + 60, K_NONE, NOW, 0,
	  CP_TOKEN_UNKNOWN_APP, 0 },
	{ "13 previous key within grace", APP, "alice", NULL, PREV, NOW + 60, K_WITH_PREV, NOW, 0,
	  CP_TOKEN_OK, 1 },
	{ "14 previous key after grace", APP, "alice", NULL, PREV, NOW + 60, K_CURRENT, NOW, 0,
	  CP_TOKEN_BAD_MAC, 0 },
	{ "15 current key during grace", APP, "alice", NULL, KEY, NOW + 60, K_WITH_PREV, NOW, 0,
	  CP_TOKEN_OK, 0 },
	{ "16 expired and forged: BAD_MAC first", APP, "alice", NULL, "forged forged forged", 1,
	  K_CURRENT, NOW, 0, CP_TOKEN_BAD_MAC, 0 },
	{ "17 lookup fails", APP, "alice", NULL, KEY, NOW + 60, K_FAIL, NOW, 0,
	  CP_TOKEN_LOOKUP_FAILED, 0 },
	{ "18 lookup gives three keys", APP, "alice", NULL, KEY, NOW + 60, K_THREE, NOW, 0,
	  CP_TOKEN_LOOKUP_FAILED, 0 },
	{ "19 lookup gives an empty key", APP, "alice", NULL, KEY, NOW + 60, K_EMPTY_KEY, NOW, 0,
	  CP_TOKEN_LOOKUP_FAILED, 0 },
};

static void check_round_trips(void)
{
	for (size_t i = 0; i < ARRAY_LEN(round_trips); i++) {
		const struct round_trip *r = &round_trips[i];
		int rc;

		rc = cp_token_generate(r->app, r->user, r->expires, r->vcard,
				       (const uint8_t *)r->sign_key, strlen(r->sign_key), tok,
				       sizeof(tok));
		CHECK(rc == CP_TOKEN_OK, "%s: generate: %s", r->name, cp_token_error_name(rc));
		rc = verify_with(tok, r->keys, r->now, r->skew);
		CHECK(rc == r->want, "%s: %s, want %s", r->name, cp_token_error_name(rc),
		      cp_token_error_name(r->want));
		if (rc != CP_TOKEN_OK)
			continue;
		CHECK(strcmp(claims.user, r->user) == 0 && strcmp(claims.app_id, r->app) == 0,
		      "%s: claims %s@%s", r->name, claims.user, claims.app_id);
		CHECK(claims.expires_unix == r->expires, "%s: expires %" PRIu64, r->name,
		      claims.expires_unix);
		CHECK(strcmp(claims.vcard, r->vcard ? r->vcard : "") == 0 &&
			      claims.vcard_len == strlen(claims.vcard),
		      "%s: vCard", r->name);
		CHECK(claims.key_index == r->key_index, "%s: key index %u", r->name,
		      claims.key_index);
	}
}

/* ---- 2. hand-built tokens ------------------------------------------------ */

/* Base64 of prefix NUL jid NUL expires NUL vcard NUL mac, where mac is the
 * right one for KEY unless given; extra (when not NULL) is appended raw
 * after the MAC. */
static void build(const char *prefix, const char *jid, const char *expires, const char *vcard,
		  const char *mac, const char *extra, size_t extra_len)
{
	static uint8_t raw[CP_TOKEN_MAX_LEN * 2];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	size_t n = 0, body_len;

#define ADD(s, l) (memcpy(raw + n, (s), (l)), n += (l))
	ADD(prefix, strlen(prefix) + 1);
	ADD(jid, strlen(jid) + 1);
	ADD(expires, strlen(expires) + 1);
	ADD(vcard, strlen(vcard));
	body_len = n;
	ADD("", 1);
	if (mac) {
		ADD(mac, strlen(mac));
	} else {
		HMAC(EVP_sha384(), KEY, (int)strlen(KEY), raw, body_len, md, &md_len);
		for (unsigned i = 0; i < md_len; i++)
			n += (size_t)sprintf((char *)raw + n, "%02x", md[i]);
	}
	if (extra)
		ADD(extra, extra_len);
#undef ADD
	cp_b64_encode(raw, n, tok, sizeof(tok));
}

#define EXP "63867222800" /* NOW + 3600 since year 0 */
#define JID "alice@" APP
#define A16 "aaaaaaaaaaaaaaaa"
#define A64 A16 A16 A16 A16

static const struct field_row {
	const char *name, *prefix, *jid, *expires, *vcard, *mac;
	int want;
} field_rows[] = {
	{ "1 all good", "provision", JID, EXP, "", NULL, CP_TOKEN_OK },
	{ "2 prefix empty", "", JID, EXP, "", NULL, CP_TOKEN_BAD_PREFIX },
	{ "3 prefix PROVISION", "PROVISION", JID, EXP, "", NULL, CP_TOKEN_BAD_PREFIX },
	{ "4 prefix with a space", "provision ", JID, EXP, "", NULL, CP_TOKEN_BAD_PREFIX },
	{ "5 jid without @", "provision", "alice", EXP, "", NULL, CP_TOKEN_BAD_USER },
	{ "6 user empty", "provision", "@" APP, EXP, "", NULL, CP_TOKEN_BAD_USER },
	{ "7 user with _", "provision", "al_ice@" APP, EXP, "", NULL, CP_TOKEN_BAD_USER },
	{ "8 user of 64", "provision",
	  A64 "@" APP, EXP, "", NULL,
	  CP_TOKEN_OK },
	{ "9 user of 65", "provision",
	  A64 "a@" APP, EXP, "", NULL,
	  CP_TOKEN_BAD_USER },
	{ "10 app empty", "provision", "alice@", EXP, "", NULL, CP_TOKEN_BAD_APP },
	{ "11 two @", "provision", "alice@bob@" APP, EXP, "", NULL, CP_TOKEN_BAD_APP },
	{ "12 app of 65", "provision",
	  "alice@" A64 "a", EXP, "", NULL,
	  CP_TOKEN_BAD_APP },
	{ "13 expiry empty", "provision", JID, "", "", NULL, CP_TOKEN_BAD_EXPIRY },
	{ "14 expiry hex", "provision", JID, "0x7fffffff", "", NULL, CP_TOKEN_BAD_EXPIRY },
	{ "15 expiry with a sign", "provision", JID, "+" EXP, "", NULL, CP_TOKEN_BAD_EXPIRY },
	{ "16 expiry negative", "provision", JID, "-" EXP, "", NULL, CP_TOKEN_BAD_EXPIRY },
	{ "17 expiry with a leading zero", "provision", JID, "0" EXP, "", NULL,
	  CP_TOKEN_BAD_EXPIRY },
	{ "18 expiry 62167219199 (before 1970)", "provision", JID, "62167219199", "", NULL,
	  CP_TOKEN_BAD_EXPIRY },
	{ "19 expiry 2^64-1", "provision", JID, "18446744073709551615", "", NULL, CP_TOKEN_OK },
	{ "20 expiry 2^64", "provision", JID, "18446744073709551616", "", NULL,
	  CP_TOKEN_BAD_EXPIRY },
	{ "21 expiry 10^20", "provision", JID, "100000000000000000000", "", NULL,
	  CP_TOKEN_BAD_EXPIRY },
	{ "22 expiry 99999999999999999999", "provision", JID, "99999999999999999999", "", NULL,
	  CP_TOKEN_BAD_EXPIRY },
	{ "23 expiry with spaces", "provision", JID, " " EXP, "", NULL, CP_TOKEN_BAD_EXPIRY },
	{ "24 expiry in exponent form", "provision", JID, "6.3867222800e10", "", NULL,
	  CP_TOKEN_BAD_EXPIRY },
	{ "25 MAC empty", "provision", JID, EXP, "", "", CP_TOKEN_BAD_MAC_FORMAT },
	{ "26 MAC uppercase", "provision", JID, EXP, "",
	  "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"
	  "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF", CP_TOKEN_BAD_MAC_FORMAT },
	{ "27 MAC of 96 lowercase digits, wrong", "provision", JID, EXP, "",
	  "0123456789abcdef0123456789abcdef0123456789abcdef"
	  "0123456789abcdef0123456789abcdef0123456789abcdef", CP_TOKEN_BAD_MAC },
	{ "28 MAC raw bytes (not hex)", "provision", JID, EXP, "",
	  "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
	  "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
	  "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
	  "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
	  "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"
	  "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10",
	  CP_TOKEN_BAD_MAC_FORMAT },
	{ "29 vCard with @ and =", "provision", JID, EXP, "a@b=c", NULL, CP_TOKEN_OK },
};

static void check_field_rows(void)
{
	for (size_t i = 0; i < ARRAY_LEN(field_rows); i++) {
		const struct field_row *r = &field_rows[i];
		int rc;

		build(r->prefix, r->jid, r->expires, r->vcard, r->mac, NULL, 0);
		rc = verify_with(tok, K_CURRENT, NOW, 0);
		CHECK(rc == r->want, "%s: %s, want %s", r->name, cp_token_error_name(rc),
		      cp_token_error_name(r->want));
		/* inspect agrees on every syntax error and says nothing of MACs. */
		if (r->want != CP_TOKEN_BAD_MAC) {
			rc = cp_token_inspect(tok, &claims);
			CHECK(rc == r->want, "%s: inspect %s", r->name, cp_token_error_name(rc));
		}
	}

	/* Fields: one missing, one extra, junk after the MAC. */
	build("provision", JID, EXP, "", NULL, "\0", 1);
	CHECK(verify_with(tok, K_CURRENT, NOW, 0) == CP_TOKEN_BAD_FIELDS, "NUL after the MAC");
	build("provision", JID, EXP, "", NULL, "\0junk", 5);
	CHECK(verify_with(tok, K_CURRENT, NOW, 0) == CP_TOKEN_BAD_FIELDS, "a sixth field");
	build("provision", JID, EXP, "", NULL, "x", 1);
	CHECK(verify_with(tok, K_CURRENT, NOW, 0) == CP_TOKEN_BAD_MAC_FORMAT,
	      "a byte after the MAC");
	{
		static const uint8_t four[] = "provision\0alice@x\0" EXP "\0vcard";
		cp_b64_encode(four, sizeof(four) - 1, tok, sizeof(tok));
		CHECK(verify_with(tok, K_CURRENT, NOW, 0) == CP_TOKEN_BAD_FIELDS, "four fields");
		cp_b64_encode(four, 9, tok, sizeof(tok));
		CHECK(verify_with(tok, K_CURRENT, NOW, 0) == CP_TOKEN_BAD_FIELDS, "one field");
	}
}

/* ---- 3. sweeps ----------------------------------------------------------- */

static int lower_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int in_b64(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* Every bit of the decoded token flipped: never OK; in the MAC, BAD_MAC
 * when the digit stays lowercase hex, BAD_MAC_FORMAT otherwise. */
static void sweep_bit_flips(void)
{
	static uint8_t raw[CP_TOKEN_DECODED_MAX];
	static char good[CP_TOKEN_MAX_LEN + 1];
	long n;
	size_t mac_at;
	unsigned bad_mac = 0;

	cp_token_generate(APP, "alice", NOW + 60, "vcard", (const uint8_t *)KEY, strlen(KEY),
			  good, sizeof(good));
	n = cp_b64_decode(good, strlen(good), raw, sizeof(raw));
	mac_at = (size_t)n - CP_TOKEN_MAC_HEX_LEN;
	for (size_t i = 0; i < (size_t)n; i++) {
		for (int b = 0; b < 8; b++) {
			int rc, want;

			raw[i] ^= (uint8_t)(1 << b);
			cp_b64_encode(raw, (size_t)n, tok, sizeof(tok));
			rc = verify_with(tok, K_WITH_PREV, NOW, 0);
			if (i >= mac_at) {
				want = lower_hex(raw[i]) ? CP_TOKEN_BAD_MAC : CP_TOKEN_BAD_MAC_FORMAT;
				CHECK(rc == want, "MAC byte %zu bit %d: %s, want %s", i - mac_at, b,
				      cp_token_error_name(rc), cp_token_error_name(want));
				bad_mac += rc == CP_TOKEN_BAD_MAC;
			}
			CHECK(rc != CP_TOKEN_OK, "byte %zu bit %d flipped: OK", i, b);
			raw[i] ^= (uint8_t)(1 << b);
		}
	}
	CHECK(bad_mac > 96, "only %u MAC flips stayed hex", bad_mac);
	/* The untouched token still passes. */
	CHECK(verify_with(good, K_WITH_PREV, NOW, 0) == CP_TOKEN_OK, "the original fails");
}

/* Every prefix of a token (as base64 and as decoded bytes): never OK. */
static void sweep_truncations(void)
{
	static char good[CP_TOKEN_MAX_LEN + 1];
	static uint8_t raw[CP_TOKEN_DECODED_MAX];
	size_t len;
	long n;

	cp_token_generate(APP, "alice", NOW + 60, "v", (const uint8_t *)KEY, strlen(KEY), good,
			  sizeof(good));
	len = strlen(good);
	for (size_t cut = 0; cut < len; cut++) {
		int rc;

		memcpy(tok, good, cut);
		tok[cut] = 0;
		rc = verify_with(tok, K_CURRENT, NOW, 0);
		/* Dropping only padding leaves a valid unpadded token. */
		if (strspn(good + cut, "=") == len - cut)
			CHECK(rc == CP_TOKEN_OK || rc == CP_TOKEN_BAD_BASE64,
			      "cut to %zu of %zu: %s", cut, len, cp_token_error_name(rc));
		else
			CHECK(rc != CP_TOKEN_OK, "cut to %zu of %zu: OK", cut, len);
	}
	n = cp_b64_decode(good, len, raw, sizeof(raw));
	for (long cut = 0; cut < n; cut++) {
		cp_b64_encode(raw, (size_t)cut, tok, sizeof(tok));
		CHECK(verify_with(tok, K_CURRENT, NOW, 0) != CP_TOKEN_OK, "decoded cut to %ld: OK",
		      cut);
	}
}

/* Every byte outside the base64 alphabet, at the start, the middle and the
 * end of a good token: BAD_BASE64 (NUL ends the string early instead). */
static void sweep_base64_bytes(void)
{
	static char good[CP_TOKEN_MAX_LEN + 1];
	size_t len;

	cp_token_generate(APP, "alice", NOW + 60, "v", (const uint8_t *)KEY, strlen(KEY), good,
			  sizeof(good));
	len = strlen(good);
	for (int c = 1; c < 256; c++) {
		size_t at[] = { 0, len / 2, len - 3 };

		if (in_b64(c) || c == '=')
			continue;
		for (size_t j = 0; j < ARRAY_LEN(at); j++) {
			int rc;

			memcpy(tok, good, len + 1);
			tok[at[j]] = (char)c;
			rc = verify_with(tok, K_CURRENT, NOW, 0);
			CHECK(rc == CP_TOKEN_BAD_BASE64, "byte 0x%02x at %zu: %s", c, at[j],
			      cp_token_error_name(rc));
		}
		/* Inserted rather than replaced, and appended. */
		tok[0] = (char)c;
		memcpy(tok + 1, good, len + 1);
		CHECK(verify_with(tok, K_CURRENT, NOW, 0) == CP_TOKEN_BAD_BASE64,
		      "byte 0x%02x before the token", c);
		memcpy(tok, good, len);
		tok[len] = (char)c;
		tok[len + 1] = 0;
		CHECK(verify_with(tok, K_CURRENT, NOW, 0) == CP_TOKEN_BAD_BASE64,
		      "byte 0x%02x after the token", c);
	}
}

/* Every byte but letters and digits in a user, every byte outside
 * [A-Za-z0-9._-] in an ApplicationID: generate and verify both refuse. */
static void sweep_id_bytes(void)
{
	for (int c = 1; c < 256; c++) {
		int alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9');
		char user[] = "al?ce", app[] = "app?1", jid[64];
		int rc;

		user[2] = (char)c;
		app[3] = (char)c;
		if (!alnum) {
			rc = cp_token_generate(APP, user, NOW, NULL, (const uint8_t *)KEY,
					       strlen(KEY), tok, sizeof(tok));
			CHECK(rc == CP_TOKEN_BAD_USER, "generate, user byte 0x%02x: %s", c,
			      cp_token_error_name(rc));
			snprintf(jid, sizeof(jid), "%s@%s", user, APP);
			build("provision", jid, EXP, "", NULL, NULL, 0);
			rc = verify_with(tok, K_CURRENT, NOW, 0);
			CHECK(rc == (c == '@' ? CP_TOKEN_BAD_APP : CP_TOKEN_BAD_USER),
			      "verify, user byte 0x%02x: %s", c, cp_token_error_name(rc));
		}
		if (!alnum && c != '.' && c != '_' && c != '-') {
			rc = cp_token_generate(app, "alice", NOW, NULL, (const uint8_t *)KEY,
					       strlen(KEY), tok, sizeof(tok));
			CHECK(rc == CP_TOKEN_BAD_APP, "generate, app byte 0x%02x: %s", c,
			      cp_token_error_name(rc));
			snprintf(jid, sizeof(jid), "alice@%s", app);
			build("provision", jid, EXP, "", NULL, NULL, 0);
			rc = verify_with(tok, K_CURRENT, NOW, 0);
			CHECK(rc == CP_TOKEN_BAD_APP, "verify, app byte 0x%02x: %s", c,
			      cp_token_error_name(rc));
		}
	}
}

/* The 4096-character cap, generate's limits, and unterminated giants. */
static void check_lengths(void)
{
	static char vcard[CP_TOKEN_MAX_LEN * 2], big[1 << 17];
	size_t lo = 0, hi = sizeof(vcard) - 1;
	int rc;

	/* The longest vCard that generates, found by bisection: exactly the
	 * cap, and CP_TOKEN_VCARD_MAX for the shortest ids. */
	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;

		memset(vcard, 'v', mid);
		vcard[mid] = 0;
		rc = cp_token_generate("a", "u", 0, vcard, (const uint8_t *)KEY, strlen(KEY), tok,
				       sizeof(tok));
		if (rc == CP_TOKEN_OK)
			lo = mid;
		else
			hi = mid - 1;
	}
	CHECK(lo == CP_TOKEN_VCARD_MAX, "longest vCard %zu, want %zu", lo,
	      (size_t)CP_TOKEN_VCARD_MAX);
	memset(vcard, 'v', lo);
	vcard[lo] = 0;
	rc = cp_token_generate("a", "u", 0, vcard, (const uint8_t *)KEY, strlen(KEY), tok,
			       sizeof(tok));
	CHECK(rc == CP_TOKEN_OK && strlen(tok) == CP_TOKEN_MAX_LEN, "at the cap: %s, %zu",
	      cp_token_error_name(rc), strlen(tok));
	CHECK(cp_token_verify(tok, cp_token_static_lookup,
			      &(struct cp_token_static_keys){ "a", (const uint8_t *)KEY, NULL,
							      strlen(KEY), 0 },
			      0, 0, &claims, NULL) == CP_TOKEN_OK &&
		      claims.vcard_len == CP_TOKEN_VCARD_MAX,
	      "the longest token does not verify");
	vcard[lo] = 'v';
	vcard[lo + 1] = 0;
	CHECK(cp_token_generate("a", "u", 0, vcard, (const uint8_t *)KEY, strlen(KEY), tok,
				sizeof(tok)) == CP_TOKEN_TOO_LONG, "one byte past the cap");
	memset(vcard, 'v', sizeof(vcard) - 1);
	vcard[sizeof(vcard) - 1] = 0;
	CHECK(cp_token_generate("a", "u", 0, vcard, (const uint8_t *)KEY, strlen(KEY), tok,
				sizeof(tok)) == CP_TOKEN_TOO_LONG, "a vCard of 8 KiB");

	/* The output buffer: exactly enough, one byte short. */
	rc = cp_token_generate(APP, "alice", NOW, NULL, (const uint8_t *)KEY, strlen(KEY), tok,
			       sizeof(tok));
	{
		size_t need = strlen(tok) + 1;
		char *exact = malloc(need);

		CHECK(cp_token_generate(APP, "alice", NOW, NULL, (const uint8_t *)KEY, strlen(KEY),
					exact, need) == CP_TOKEN_OK, "an exact buffer");
		CHECK(cp_token_generate(APP, "alice", NOW, NULL, (const uint8_t *)KEY, strlen(KEY),
					exact, need - 1) == CP_TOKEN_NO_SPACE, "one byte short");
		free(exact);
	}

	/* Tokens past the cap, valid base64 or not: refused before decoding. */
	for (size_t len = CP_TOKEN_MAX_LEN + 1; len < sizeof(big); len = len * 2 + 3) {
		memset(big, 'A', len);
		big[len] = 0;
		CHECK(verify_with(big, K_CURRENT, NOW, 0) == CP_TOKEN_TOO_LONG, "%zu characters",
		      len);
	}
	memset(big, 'A', CP_TOKEN_MAX_LEN);
	big[CP_TOKEN_MAX_LEN] = 0;
	CHECK(verify_with(big, K_CURRENT, NOW, 0) == CP_TOKEN_BAD_FIELDS,
	      "4096 'A's: decoded, one field");
}

static void check_arguments(void)
{
	static const uint8_t k129[129] = { 'k' };
	struct cp_token_static_keys keys = { APP, (const uint8_t *)KEY, NULL, strlen(KEY), 0 };
	enum cp_token_error why;

	CHECK(cp_token_generate(NULL, "u", 0, NULL, (const uint8_t *)KEY, 1, tok, sizeof(tok)) ==
		      CP_TOKEN_BAD_ARGUMENT, "NULL app");
	CHECK(cp_token_generate(APP, NULL, 0, NULL, (const uint8_t *)KEY, 1, tok, sizeof(tok)) ==
		      CP_TOKEN_BAD_ARGUMENT, "NULL user");
	CHECK(cp_token_generate(APP, "u", 0, NULL, NULL, 1, tok, sizeof(tok)) ==
		      CP_TOKEN_BAD_ARGUMENT, "NULL key");
	CHECK(cp_token_generate(APP, "u", 0, NULL, (const uint8_t *)KEY, 0, tok, sizeof(tok)) ==
		      CP_TOKEN_BAD_KEY, "empty key");
	CHECK(cp_token_generate(APP, "u", 0, NULL, k129, sizeof(k129), tok, sizeof(tok)) ==
		      CP_TOKEN_BAD_KEY, "129-byte key");
	CHECK(cp_token_generate(APP, "u", 0, NULL, k129, 128, tok, sizeof(tok)) == CP_TOKEN_OK,
	      "128-byte key");
	CHECK(cp_token_generate(APP, "u", UINT64_MAX - CP_TOKEN_YEAR0_OFFSET + 1, NULL,
				(const uint8_t *)KEY, 1, tok, sizeof(tok)) == CP_TOKEN_BAD_EXPIRY,
	      "expiry past 2^64-1 since year 0");
	CHECK(cp_token_verify(NULL, cp_token_static_lookup, &keys, 0, 0, &claims, &why) ==
		      CP_TOKEN_BAD_ARGUMENT && why == CP_TOKEN_BAD_ARGUMENT, "NULL token");
	CHECK(cp_token_verify("", NULL, &keys, 0, 0, &claims, NULL) == CP_TOKEN_BAD_ARGUMENT,
	      "NULL lookup");
	CHECK(cp_token_verify("", cp_token_static_lookup, &keys, 0, 0, NULL, NULL) ==
		      CP_TOKEN_BAD_ARGUMENT, "NULL claims");
	/* The static lookup with a key longer than a DeveloperKey can be. */
	keys.key = k129;
	keys.key_len = sizeof(k129);
	cp_token_generate(APP, "u", NOW, NULL, (const uint8_t *)KEY, strlen(KEY), tok,
			  sizeof(tok));
	CHECK(cp_token_verify(tok, cp_token_static_lookup, &keys, 0, 0, &claims, NULL) ==
		      CP_TOKEN_LOOKUP_FAILED, "a 129-byte static key");
}

/* inspect shows what a refused token claims, without a key. */
static void check_inspect(void)
{
	int rc;

	cp_token_generate(APP, "alice", 5, "card", (const uint8_t *)"forged key!", 11, tok,
			  sizeof(tok));
	CHECK(verify_with(tok, K_CURRENT, NOW, 0) == CP_TOKEN_BAD_MAC, "forged");
	rc = cp_token_inspect(tok, &claims);
	CHECK(rc == CP_TOKEN_OK && strcmp(claims.user, "alice") == 0 &&
		      strcmp(claims.app_id, APP) == 0 && claims.expires_unix == 5 &&
		      strcmp(claims.vcard, "card") == 0,
	      "inspect: %s", cp_token_error_name(rc));
	CHECK(cp_token_inspect(NULL, &claims) == CP_TOKEN_BAD_ARGUMENT, "inspect NULL");
}

/* Every reason has a distinct name and a sentence; unknown values get "?". */
static void check_names(void)
{
	for (int i = 0; i < CP_TOKEN_ERROR_COUNT; i++) {
		const char *n = cp_token_error_name(i), *m = cp_token_error_message(i);

		CHECK(n[0] != '?' && strlen(m) > 10, "reason %d: %s: %s", i, n, m);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(n, cp_token_error_name(j)) != 0, "reason name %s twice", n);
	}
	CHECK(strcmp(cp_token_error_name(CP_TOKEN_ERROR_COUNT), "?") == 0, "past the end");
	CHECK(strcmp(cp_token_error_name(-1), "?") == 0, "negative");
	CHECK(strcmp(cp_token_error_name(CP_TOKEN_OK), "OK") == 0 &&
		      strcmp(cp_token_error_name(CP_TOKEN_BAD_MAC), "BAD_MAC") == 0,
	      "names are the enum's");
}

int main(void)
{
	check_round_trips();
	check_field_rows();
	sweep_bit_flips();
	sweep_truncations();
	sweep_base64_bytes();
	sweep_id_bytes();
	check_lengths();
	check_arguments();
	check_inspect();
	check_names();
	return test_summary("cp_token_rows");
}
