/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "masterkey.h"
#include "secure_file.h"

/* Returns 0, CP_FILE_ABSENT, or -1 with err set. */
static int load(const char *path, uint8_t key[CP_MASTER_KEY_LEN], struct cp_err *err)
{
	uint8_t *data;
	size_t len;
	int rc;

	/* Up to a page, so a wrong file is reported with its size. */
	rc = cp_file_read(path, 4096, true, &data, &len, err);
	if (rc != CP_FILE_OK)
		return rc;
	if (len != CP_MASTER_KEY_LEN) {
		cp_file_free(data, len);
		return cp_err_set(err, "master key %s is %zu bytes; a master key is exactly %d "
				  "random bytes", path, len, CP_MASTER_KEY_LEN);
	}
	memcpy(key, data, CP_MASTER_KEY_LEN);
	cp_file_free(data, len);
	return 0;
}

int cp_masterkey_load(const char *path, bool create, uint8_t key[CP_MASTER_KEY_LEN],
		      struct cp_err *err)
{
	int rc = load(path, key, err);

	if (rc == CP_FILE_ABSENT && !create) {
		cp_err_set(err, "master key %s does not exist", path);
		goto fail;
	}
	if (rc == CP_FILE_ABSENT) {
		if (RAND_bytes(key, CP_MASTER_KEY_LEN) != 1) {
			cp_err_set(err, "the random generator failed to make a master key");
			goto fail;
		}
		rc = cp_file_write_atomic(path, key, CP_MASTER_KEY_LEN, false, err);
		if (rc == CP_FILE_OK)
			return 1;
		if (rc != CP_FILE_EXISTS)
			goto fail;
		/* Another process created it first: use theirs. */
		rc = load(path, key, err);
		if (rc == CP_FILE_ABSENT)
			cp_err_set(err, "master key %s vanished while being created", path);
	}
	if (rc == 0)
		return 0;
fail:
	OPENSSL_cleanse(key, CP_MASTER_KEY_LEN);
	return -1;
}
