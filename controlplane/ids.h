/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the names and keys of the control plane may be, in one place, so a
 * token, the app store and stratactl all refuse the same things:
 *
 *   user            [A-Za-z0-9]{1,64}: vidyo.io allowed letters and digits
 *                   only ("no spaces or special characters"), which is also
 *                   what keeps the "@" of user@ApplicationID unambiguous.
 *   ApplicationID   [A-Za-z0-9._-]{1,64}: vidyo.io's look like
 *                   "c8475c.vidyo.io"; no "@", so a token's "user@app"
 *                   splits at its only "@".
 *   DeveloperKey    16 to 128 printable ASCII characters other than space
 *                   (0x21-0x7e).  The HMAC key is these characters as typed,
 *                   as vidyo.io back ends use it.  Keys Strata generates are
 *                   32 lowercase hex characters (128 random bits), the shape
 *                   vidyo.io issued, so an existing back end's configuration
 *                   accepts them.
 */
#ifndef STRATA_CP_IDS_H
#define STRATA_CP_IDS_H

#include <stdbool.h>
#include <stddef.h>

#define CP_USER_MAX 64
#define CP_APP_ID_MAX 64
#define CP_DEVKEY_MIN 16
#define CP_DEVKEY_MAX 128
#define CP_DEVKEY_GENERATED_LEN 32

bool cp_user_valid(const char *s, size_t len);
bool cp_app_id_valid(const char *s, size_t len);
bool cp_devkey_valid(const char *s, size_t len);

/* Writes a fresh DeveloperKey (CP_DEVKEY_GENERATED_LEN lowercase hex
 * characters from RAND_bytes) and a NUL into out; returns 0, or -1 when the
 * random generator fails. */
int cp_devkey_generate(char out[CP_DEVKEY_GENERATED_LEN + 1]);

#endif /* STRATA_CP_IDS_H */
