/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The app store's file: a header in the clear, then the records sealed as
 * one AES-256-GCM message whose additional data is the header, so no byte
 * of the file can change unnoticed.  All integers big-endian.
 *
 *   offset  size  field
 *        0     8  magic "STRATAAS"
 *        8     2  format version, 1
 *       10     2  flags, 0 (any other value is refused)
 *       12     8  master key id: HMAC-SHA256(master key, "strata appstore v1 key id"),
 *                 first 8 bytes; says "wrong master key" apart from "tampered"
 *       20    12  GCM nonce, fresh from RAND_bytes at every write
 *       32     4  N, the length of the records
 *       36     N  the records, encrypted
 *     36+N    16  GCM tag over bytes 0-35 (AAD) and the records
 *
 * The encryption key is HMAC-SHA256(master key, "strata appstore v1
 * aes-256-gcm"): the master key itself never keys a cipher, and the key id
 * says nothing about the encryption key.  A random 96-bit nonce per write
 * stays far below GCM's 2^32-messages-per-key bound at any plausible rate
 * of changes.
 *
 * The records, once decrypted:
 *
 *   u32 count (at most CP_APPSTORE_MAX_APPS), then per application, in
 *   strictly ascending ApplicationID order (byte-wise), so no id twice:
 *     u8 len, ApplicationID            (ids.h rules)
 *     u8 len, current DeveloperKey     (ids.h rules)
 *     u8 len, previous DeveloperKey    (0 for none)
 *     u64 previous_valid_until         (0 when there is no previous key)
 *     u64 created
 *     u64 rotated                      (0: never)
 *   and nothing after the last one.
 */
#ifndef STRATA_CP_APPSTORE_FILE_H
#define STRATA_CP_APPSTORE_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "appstore.h"

#define CP_APPSTORE_MAGIC "STRATAAS"
#define CP_APPSTORE_VERSION 1
#define CP_APPSTORE_HEADER_LEN 36
#define CP_APPSTORE_TAG_LEN 16
#define CP_APPSTORE_MAX_APPS 10000
#define CP_APPSTORE_RECORD_MAX (3 + CP_APP_ID_MAX + 2 * CP_DEVKEY_MAX + 24)
#define CP_APPSTORE_BODY_MAX (4 + CP_APPSTORE_MAX_APPS * CP_APPSTORE_RECORD_MAX)
#define CP_APPSTORE_FILE_MAX (CP_APPSTORE_HEADER_LEN + CP_APPSTORE_BODY_MAX + CP_APPSTORE_TAG_LEN)

/* One application, keys included: only the store and this codec see it. */
struct cp_app_record {
	char app_id[CP_APP_ID_MAX + 1];
	char key[CP_DEVKEY_MAX + 1];
	char previous[CP_DEVKEY_MAX + 1]; /* "" when none */
	uint64_t previous_valid_until;
	uint64_t created, rotated;
};

/* The records as plaintext into *body (malloc'd; the caller wipes and frees
 * it with cp_file_free).  Returns OK or NO_MEMORY. */
int cp_appstore_encode(const struct cp_app_record *recs, size_t n, uint8_t **body,
		       size_t *len);

/* Parses plaintext records into *recs (calloc'd, at least one slot; the
 * caller wipes and frees it) and *n.  Returns OK, CORRUPT (err says what
 * and where) or NO_MEMORY. */
int cp_appstore_decode(const uint8_t *body, size_t len, struct cp_app_record **recs,
		       size_t *n, struct cp_err *err);

/* Seals body into a whole file image *file (malloc'd) of *file_len bytes.
 * Returns OK, NO_MEMORY or CRYPTO. */
int cp_appstore_seal(const uint8_t master_key[CP_MASTER_KEY_LEN], const uint8_t *body,
		     size_t len, uint8_t **file, size_t *file_len, struct cp_err *err);

/* Checks and opens a file image into *body (malloc'd; wipe and free it with
 * cp_file_free).  Returns OK, NOT_A_STORE, BAD_VERSION, WRONG_MASTER_KEY,
 * TAMPERED, NO_MEMORY or CRYPTO, with err saying which check failed; on
 * failure no plaintext is returned. */
int cp_appstore_unseal(const uint8_t master_key[CP_MASTER_KEY_LEN], const uint8_t *file,
		       size_t len, uint8_t **body, size_t *body_len, struct cp_err *err);

#endif /* STRATA_CP_APPSTORE_FILE_H */
