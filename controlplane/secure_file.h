/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Files that hold secrets: read whole, written atomically.
 *
 * A secret file is written to a temporary file beside it (mkstemp: mode
 * 0600 whatever the umask), flushed with fsync, renamed over the old one
 * and its directory flushed, so a crash leaves the old file or the new one,
 * never half of either, and no moment where the secret is readable by
 * others.  Reading refuses symbolic links and anything but a regular file;
 * with private_only it also refuses a file that grants any permission to
 * group or others, saying how to fix it.
 */
#ifndef STRATA_CP_SECURE_FILE_H
#define STRATA_CP_SECURE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_err.h"

enum { CP_FILE_OK = 0, CP_FILE_ABSENT = 1, CP_FILE_EXISTS = 2, CP_FILE_ERROR = -1 };

/* Reads the file at path (at most max bytes) into *data (malloc'd; free it
 * with cp_file_free) and *len.  Returns CP_FILE_OK, CP_FILE_ABSENT when
 * there is no such file (err untouched), or CP_FILE_ERROR with err set. */
int cp_file_read(const char *path, size_t max, bool private_only, uint8_t **data,
		 size_t *len, struct cp_err *err);

/* Wipes len bytes of data, then frees it. */
void cp_file_free(uint8_t *data, size_t len);

/* Writes len bytes to path atomically with mode 0600.  With replace false,
 * an existing path is left alone and the call returns CP_FILE_EXISTS.
 * Returns CP_FILE_OK or CP_FILE_ERROR with err set (the temporary file is
 * removed). */
int cp_file_write_atomic(const char *path, const void *data, size_t len, bool replace,
			 struct cp_err *err);

#endif /* STRATA_CP_SECURE_FILE_H */
