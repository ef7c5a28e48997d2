/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The master key: 32 random bytes in a file of their own (mode 0600), from
 * which the app store's encryption key is derived (appstore_file.h).
 * Keeping it apart from the store lets an operator back the two up
 * separately: the store alone reveals no DeveloperKey.
 *
 * The file is exactly 32 raw bytes.  A file that grants group or others
 * any permission is refused (chmod 600 fixes it), as is a symbolic link or
 * anything but a regular file.
 */
#ifndef STRATA_CP_MASTERKEY_H
#define STRATA_CP_MASTERKEY_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_err.h"

#define CP_MASTER_KEY_LEN 32

/* Loads the master key at path into key.  When the file does not exist and
 * create is true, writes a new one (RAND_bytes, mode 0600, atomically: a
 * concurrent creator's key wins and is loaded).  Returns 0 when it loaded
 * an existing key, 1 when it created one (tell the operator to back it
 * up), -1 with err set otherwise; on -1 key is zeroed. */
int cp_masterkey_load(const char *path, bool create, uint8_t key[CP_MASTER_KEY_LEN],
		      struct cp_err *err);

#endif /* STRATA_CP_MASTERKEY_H */
