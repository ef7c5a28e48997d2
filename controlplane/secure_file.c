/* SPDX-License-Identifier: BSD-3-Clause */
/* mkostemp */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "secure_file.h"

int cp_file_read(const char *path, size_t max, bool private_only, uint8_t **data,
		 size_t *len, struct cp_err *err)
{
	uint8_t *buf = NULL;
	size_t got = 0;
	struct stat st;
	int fd;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return CP_FILE_ABSENT;
		if (errno == ELOOP)
			return cp_err_set(err, "%s is a symbolic link: give the real path", path);
		return cp_err_set(err, "cannot open %s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) != 0) {
		cp_err_set(err, "cannot stat %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		cp_err_set(err, "%s is not a regular file", path);
		goto fail;
	}
	if (private_only && (st.st_mode & 077)) {
		cp_err_set(err, "%s is accessible to group or others (mode %04o): chmod 600 %s",
			   path, (unsigned)(st.st_mode & 07777), path);
		goto fail;
	}
	if ((uint64_t)st.st_size > max) {
		cp_err_set(err, "%s is %lld bytes, more than the %zu expected", path,
			   (long long)st.st_size, max);
		goto fail;
	}
	/* One byte more than the limit, to notice a file that grew since fstat. */
	buf = malloc(max + 1);
	if (!buf) {
		cp_err_set(err, "out of memory reading %s", path);
		goto fail;
	}
	for (;;) {
		ssize_t r = read(fd, buf + got, max + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cp_err_set(err, "cannot read %s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > max) {
			cp_err_set(err, "%s is more than the %zu bytes expected", path, max);
			goto fail;
		}
	}
	close(fd);
	*data = buf;
	*len = got;
	return CP_FILE_OK;

fail:
	if (buf)
		cp_file_free(buf, max + 1);
	close(fd);
	return CP_FILE_ERROR;
}

void cp_file_free(uint8_t *data, size_t len)
{
	if (!data)
		return;
	OPENSSL_cleanse(data, len);
	free(data);
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* fsync of the directory holding path, so the rename itself is durable
 * (some file systems refuse it, hence best effort). */
static int sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = -1;

	if (!copy)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

int cp_file_write_atomic(const char *path, const void *data, size_t len, bool replace,
			 struct cp_err *err)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + sizeof(".tmp.XXXXXX"));
	int fd, rc = CP_FILE_ERROR;

	if (!tmp)
		return cp_err_set(err, "out of memory writing %s", path);
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		cp_err_set(err, "cannot create a file beside %s: %s", path, strerror(errno));
		free(tmp);
		return CP_FILE_ERROR;
	}
	if (fchmod(fd, 0600) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		cp_err_set(err, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd) != 0) {
		cp_err_set(err, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (replace) {
		if (rename(tmp, path) != 0) {
			cp_err_set(err, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
			goto out;
		}
	} else {
		/* link() fails rather than replace: two processes creating the same
		 * file at once both end up with the one that won. */
		if (link(tmp, path) != 0) {
			if (errno == EEXIST)
				rc = CP_FILE_EXISTS;
			else
				cp_err_set(err, "cannot create %s: %s", path, strerror(errno));
			goto out;
		}
		unlink(tmp);
	}
	/* Best effort: the new file is in place either way, and reporting a
	 * failure now would make the caller believe the old one still is. */
	(void)sync_dir(path);
	rc = CP_FILE_OK;
out:
	if (rc != CP_FILE_OK)
		unlink(tmp);
	free(tmp);
	return rc;
}
