/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The app store: every application's ApplicationID and DeveloperKey,
 * sealed at rest with AES-256-GCM under a key derived from the master key
 * (masterkey.h; appstore_file.h has the file format).
 *
 * Each application has its current DeveloperKey and, after a rotation, the
 * previous one, which tokens may still be signed with until its grace
 * period ends (previous_valid_until, exclusive: a grace of 3600 s keeps it
 * good for exactly 3600 s, a grace of 0 ends it at once).  A second
 * rotation inside the grace period drops the oldest key: only the current
 * and the one before it are kept.  An expired previous key is never handed
 * out; it stays sealed in the file until the next rotation replaces it.
 *
 * Every change is written through (temporary file, fsync, rename) before
 * the call returns; a change that cannot be written is undone in memory,
 * so memory and file never disagree.  One process owns a store at a time:
 * strata-cp, with stratactl going through its control socket (or, with
 * strata-cp stopped, opening the store itself).
 *
 * Keys are never logged and never in error messages; every buffer that
 * held one is wiped with OPENSSL_cleanse.  Times are Unix seconds, passed
 * in by the caller so tests can move the clock.
 */
#ifndef STRATA_CP_APPSTORE_H
#define STRATA_CP_APPSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_err.h"
#include "ids.h"
#include "masterkey.h"
#include "token.h"

/* Every outcome of the calls below, 0 being success; err says more. */
#define CP_APPSTORE_FOREACH_ERROR(_)                                                 \
	_(OK, "done")                                                                \
	_(EXISTS, "the application already exists")                                  \
	_(NOT_FOUND, "no such application")                                          \
	_(BAD_APP_ID, "the ApplicationID is not 1-64 of A-Z a-z 0-9 . _ -")           \
	_(BAD_KEY, "the DeveloperKey is not 16-128 printable ASCII characters "       \
		   "without spaces, or it is the current key")                       \
	_(FULL, "the store holds as many applications as it can")                    \
	_(IO, "the store file could not be read or written")                         \
	_(NOT_A_STORE, "the file is not a Strata app store")                         \
	_(BAD_VERSION, "the store's format version or flags are unknown")            \
	_(WRONG_MASTER_KEY, "the store was sealed with another master key")          \
	_(TAMPERED, "the store failed authentication: modified, damaged or truncated") \
	_(CORRUPT, "the store authenticated but its content is invalid")             \
	_(NO_MEMORY, "out of memory")                                                \
	_(CRYPTO, "OpenSSL failed (random generator or cipher)")                     \
	_(BAD_ARGUMENT, "a required argument is missing")

enum cp_appstore_error {
#define CP_APPSTORE_ERROR_ENUM(name, msg) CP_APPSTORE_##name,
	CP_APPSTORE_FOREACH_ERROR(CP_APPSTORE_ERROR_ENUM)
#undef CP_APPSTORE_ERROR_ENUM
	CP_APPSTORE_ERROR_COUNT
};

const char *cp_appstore_error_name(enum cp_appstore_error e);
const char *cp_appstore_error_message(enum cp_appstore_error e);

/* An application as listed: never its keys. */
struct cp_app_info {
	char app_id[CP_APP_ID_MAX + 1];
	uint64_t created;
	uint64_t rotated;              /* 0: never rotated */
	bool has_previous;             /* a previous key is kept ... */
	uint64_t previous_valid_until; /* ... and good while now < this */
};

struct cp_appstore;

/* Opens the store at path, sealed under master_key (which the store keeps
 * a copy of, to seal each change).  An absent file is an error, or with
 * create an empty store written at once (so a bad path fails now, not at
 * the first add).  Nothing is loaded from a file that fails any check. */
int cp_appstore_open(const char *path, const uint8_t master_key[CP_MASTER_KEY_LEN],
		     bool create, struct cp_appstore **store, struct cp_err *err);

/* Wipes every key and frees the store; NULL is fine. */
void cp_appstore_close(struct cp_appstore *store);

/* Adds app_id with key (NULL: generate one, ids.h).  The key in effect is
 * copied to key_out (required when key is NULL: the only time a generated
 * key is shown; the caller prints it once and wipes it). */
int cp_appstore_add(struct cp_appstore *store, const char *app_id, const char *key,
		    uint64_t now, char key_out[CP_DEVKEY_MAX + 1], struct cp_err *err);

/* Makes new_key (NULL: generate one) app_id's current key; the current key
 * becomes the previous one, good while now < now + grace_s. */
int cp_appstore_rotate(struct cp_appstore *store, const char *app_id, const char *new_key,
		       uint64_t grace_s, uint64_t now, char key_out[CP_DEVKEY_MAX + 1],
		       struct cp_err *err);

/* Removes app_id and wipes its keys; its tokens stop verifying at once. */
int cp_appstore_remove(struct cp_appstore *store, const char *app_id, struct cp_err *err);

/* The applications in ApplicationID order: count, then each by index. */
size_t cp_appstore_count(const struct cp_appstore *store);
int cp_appstore_info(const struct cp_appstore *store, size_t index, struct cp_app_info *info);
/* One application's info by id: OK or NOT_FOUND. */
int cp_appstore_get(const struct cp_appstore *store, const char *app_id,
		    struct cp_app_info *info);

/* A cp_token_key_lookup_fn (arg: the store): the current key, and the
 * previous one while now < previous_valid_until. */
int cp_appstore_lookup(void *store, const char *app_id, uint64_t now_unix,
		       struct cp_token_keys *keys);

#endif /* STRATA_CP_APPSTORE_H */
