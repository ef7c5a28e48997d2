/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vidyo.io-compatible access tokens, so an application's existing back end
 * signs tokens for Strata unchanged.
 *
 *   body  = "provision" NUL user "@" ApplicationID NUL expires NUL vCard
 *   mac   = lowercase hex( HMAC-SHA384( DeveloperKey, body ) )   (96 digits)
 *   token = base64( body NUL mac )
 *
 * where expires is the expiry in seconds since year 0 in decimal (Unix time
 * + 62167219200, the year-0 epoch of vidyo.io's servers) and the
 * DeveloperKey is the key's characters as typed.  This is what vidyo.io's
 * sample generators computed (Python, Node.js and PHP alike): the MAC
 * covers the body without the NUL that separates it from the MAC.
 *
 * What cp_token_verify accepts, strictly, each refusal with its reason:
 *   - at most CP_TOKEN_MAX_LEN characters of standard base64, padding
 *     complete or absent (b64.h has the rules);
 *   - exactly five NUL-separated fields, nothing after the MAC;
 *   - "provision"; user@ApplicationID split at the first "@" (a user has
 *     letters and digits only, ids.h; an "@" after it makes the
 *     ApplicationID invalid);
 *   - expires: digits only, no sign, no leading zero, at least 62167219200
 *     (the Unix epoch), at most 2^64-1;
 *   - the MAC as exactly 96 lowercase hex digits (what every generator
 *     writes; uppercase is refused rather than folded, so each token has
 *     one spelling);
 *   - a DeveloperKey of the application whose HMAC matches, compared in
 *     constant time against the current key and, during a rotation's grace
 *     period, the previous one (both are always computed);
 *   - not expired: a token is good through now == expires + skew.
 * The checks run in that order, so a forged token is BAD_MAC whatever its
 * expiry, and EXPIRED always means a genuine token.
 */
#ifndef STRATA_CP_TOKEN_H
#define STRATA_CP_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "ids.h"

/* Longest token accepted or generated, in base64 characters: vCards are
 * short, and the cap bounds the work an unauthenticated client can ask for. */
#define CP_TOKEN_MAX_LEN 4096
#define CP_TOKEN_DECODED_MAX (CP_TOKEN_MAX_LEN / 4 * 3)
#define CP_TOKEN_PREFIX "provision"
#define CP_TOKEN_MAC_HEX_LEN 96
/* Seconds from 0000-01-01 to 1970-01-01 in the proleptic Gregorian calendar. */
#define CP_TOKEN_YEAR0_OFFSET 62167219200ull
/* The smallest token around a vCard: "provision" NUL "u@a" NUL 11-digit
 * expires NUL (vCard) NUL mac. */
#define CP_TOKEN_MIN_OVERHEAD (sizeof(CP_TOKEN_PREFIX) + 4 + 12 + 1 + CP_TOKEN_MAC_HEX_LEN)
#define CP_TOKEN_VCARD_MAX (CP_TOKEN_DECODED_MAX - CP_TOKEN_MIN_OVERHEAD)

/* Every outcome of cp_token_generate, cp_token_inspect and
 * cp_token_verify, 0 being success: name, then a sentence for operators. */
#define CP_TOKEN_FOREACH_ERROR(_)                                                       \
	_(OK, "the token is valid")                                                     \
	_(TOO_LONG, "the token is longer than 4096 characters")                         \
	_(BAD_BASE64, "the token is not standard base64 (A-Z a-z 0-9 + /, padding "      \
		      "complete or absent, nothing else)")                             \
	_(BAD_FIELDS, "the decoded token is not five NUL-separated fields")              \
	_(BAD_PREFIX, "the first field is not \"provision\"")                           \
	_(BAD_USER, "the second field is not USER@APP with USER 1-64 letters and digits") \
	_(BAD_APP, "the ApplicationID is not 1-64 of A-Z a-z 0-9 . _ -")                 \
	_(BAD_EXPIRY, "the expiry is not a decimal count of seconds since year 0 (digits " \
		      "only, no leading zero, 62167219200 to 2^64-1)")                 \
	_(BAD_MAC_FORMAT, "the MAC is not 96 lowercase hex digits")                     \
	_(UNKNOWN_APP, "the ApplicationID has no DeveloperKey here")                     \
	_(LOOKUP_FAILED, "the DeveloperKey lookup failed")                              \
	_(BAD_MAC, "the MAC matches none of the application's DeveloperKeys")            \
	_(EXPIRED, "the token has expired")                                             \
	_(BAD_KEY, "the DeveloperKey is empty or longer than 128 bytes")                \
	_(NO_SPACE, "the output buffer is too small for the token")                     \
	_(BAD_ARGUMENT, "a required argument is missing")                               \
	_(INTERNAL, "OpenSSL failed to compute the HMAC")

enum cp_token_error {
#define CP_TOKEN_ERROR_ENUM(name, msg) CP_TOKEN_##name,
	CP_TOKEN_FOREACH_ERROR(CP_TOKEN_ERROR_ENUM)
#undef CP_TOKEN_ERROR_ENUM
	CP_TOKEN_ERROR_COUNT
};

/* "BAD_MAC", and its sentence; "?" for values outside the list. */
const char *cp_token_error_name(enum cp_token_error e);
const char *cp_token_error_message(enum cp_token_error e);

/* What a valid token says.  Strings are NUL-terminated; the vCard may hold
 * any byte but NUL (it is opaque to Strata). */
struct cp_token_claims {
	char user[CP_USER_MAX + 1];
	char app_id[CP_APP_ID_MAX + 1];
	uint64_t expires_unix;
	size_t vcard_len;
	char vcard[CP_TOKEN_VCARD_MAX + 1];
	/* 0: signed with the current DeveloperKey, 1: with the previous one
	 * (the application is in a rotation's grace period). */
	unsigned key_index;
};

/* The keys a token of app_id may be signed with: the current DeveloperKey
 * first, then the previous one while its grace period lasts. */
#define CP_TOKEN_MAX_KEYS 2
struct cp_token_keys {
	unsigned n;
	struct {
		size_t len;
		uint8_t bytes[CP_DEVKEY_MAX];
	} key[CP_TOKEN_MAX_KEYS];
};

/* Fills keys (n = 0 for an application it does not know) and returns 0, or
 * returns -1 when it cannot tell.  keys arrives zeroed; cp_token_verify
 * wipes it afterwards. */
typedef int (*cp_token_key_lookup_fn)(void *arg, const char *app_id, uint64_t now_unix,
				      struct cp_token_keys *keys);

/* Writes the token for user@app_id, expiring at expires_unix (Unix
 * seconds), with vcard (NULL for none) and signed with key_len bytes of
 * key, and a NUL into out.  Returns CP_TOKEN_OK or BAD_USER, BAD_APP,
 * BAD_EXPIRY (past 2^64-1 - 62167219200), BAD_KEY, TOO_LONG, NO_SPACE
 * (cap below the token's length + 1), BAD_ARGUMENT, INTERNAL.  It needs
 * no app store: stratactl token generate --key K works offline. */
int cp_token_generate(const char *app_id, const char *user, uint64_t expires_unix,
		      const char *vcard, const uint8_t *key, size_t key_len, char *out,
		      size_t cap);

/* Checks token as the header comment says, looking up the ApplicationID's
 * keys through lookup(arg, ...).  On CP_TOKEN_OK fills claims; otherwise
 * claims are zeroed.  *why (when not NULL) gets the same value as the
 * return. */
int cp_token_verify(const char *token, cp_token_key_lookup_fn lookup, void *arg,
		    uint64_t now_unix, uint32_t skew_s, struct cp_token_claims *claims,
		    enum cp_token_error *why);

/* Decodes and checks everything but the MAC and the expiry, and fills
 * claims (key_index 0) from what the token claims: UNAUTHENTICATED, for
 * showing an operator what a refused token says, never for letting anyone
 * in.  Returns CP_TOKEN_OK or the first syntax error. */
int cp_token_inspect(const char *token, struct cp_token_claims *claims);

/* A lookup over one fixed key pair, for tools and tests that have the keys
 * in hand (stratactl token verify --key K [--previous-key K2]). */
struct cp_token_static_keys {
	const char *app_id;
	const uint8_t *key, *previous;
	size_t key_len, previous_len;
};
int cp_token_static_lookup(void *arg, const char *app_id, uint64_t now_unix,
			   struct cp_token_keys *keys);

#endif /* STRATA_CP_TOKEN_H */
