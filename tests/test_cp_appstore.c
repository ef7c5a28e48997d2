/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * controlplane/appstore.c, appstore_file.c and masterkey.c: the master
 * key file (created 0600, refused when others may read it, refused at the
 * wrong size), applications added, listed, rotated and removed and all of
 * it still there after reopening, the rotation's grace period at its edge
 * (through cp_token_verify, as strata-cp will use it), every byte of the
 * file flipped and every truncation refused with nothing loaded, the wrong
 * master key named as such, authenticated but invalid records refused, and
 * a failed write undone in memory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "appstore.h"
#include "appstore_file.h"
#include "secure_file.h"
#include "test_util.h"
#include "token.h"

#define T0 1700000000ull

static char dir[256], mk_path[300], store_path[300];
static uint8_t master[CP_MASTER_KEY_LEN];
static struct cp_err err;

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len || fchmod(fd, mode) != 0) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		exit(2);
	}
	close(fd);
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, cap);

	if (n < 0) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	close(fd);
	return (size_t)n;
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_mode & 07777 : 0;
}

/* ---- the master key ------------------------------------------------------ */

static const struct mode_row {
	mode_t mode;
	int ok;
} mode_rows[] = {
	{ 0600, 1 }, { 0400, 1 }, { 0700, 1 }, { 0640, 0 }, { 0604, 0 }, { 0644, 0 },
	{ 0660, 0 }, { 0610, 0 }, { 0601, 0 }, { 0666, 0 }, { 0620, 0 }, { 0602, 0 },
};

static void check_masterkey(void)
{
	uint8_t again[CP_MASTER_KEY_LEN], zero[CP_MASTER_KEY_LEN] = { 0 };
	char path[320], link_path[320];
	int rc;

	rc = cp_masterkey_load(mk_path, false, master, &err);
	CHECK(rc == -1 && strstr(err.msg, "does not exist"), "absent, no create: %d %s", rc,
	      err.msg);
	rc = cp_masterkey_load(mk_path, true, master, &err);
	CHECK(rc == 1, "create: %d %s", rc, err.msg);
	CHECK(mode_of(mk_path) == 0600, "created with mode %o", (unsigned)mode_of(mk_path));
	CHECK(memcmp(master, zero, sizeof(zero)) != 0, "an all-zero key");
	rc = cp_masterkey_load(mk_path, true, again, &err);
	CHECK(rc == 0 && memcmp(master, again, sizeof(again)) == 0, "reload: %d", rc);

	snprintf(path, sizeof(path), "%s/mk-modes", dir);
	for (size_t i = 0; i < ARRAY_LEN(mode_rows); i++) {
		char want[400];

		write_file(path, master, sizeof(master), mode_rows[i].mode);
		memset(err.msg, 0, sizeof(err.msg));
		rc = cp_masterkey_load(path, false, again, &err);
		snprintf(want, sizeof(want), "chmod 600 %s", path);
		if (mode_rows[i].ok)
			CHECK(rc == 0, "mode %o refused: %s", (unsigned)mode_rows[i].mode, err.msg);
		else
			CHECK(rc == -1 && strstr(err.msg, want) &&
				      memcmp(again, zero, sizeof(zero)) == 0,
			      "mode %o: %d \"%s\"", (unsigned)mode_rows[i].mode, rc, err.msg);
	}
	static const size_t sizes[] = { 0, 1, 31, 33, 64, 4096, 4097 };
	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		static uint8_t buf[4097] = { 1 };
		size_t len = sizes[i];

		write_file(path, buf, len, 0600);
		rc = cp_masterkey_load(path, true, again, &err);
		CHECK(rc == -1 && (strstr(err.msg, "exactly 32") || strstr(err.msg, "more than")),
		      "%zu bytes: %d %s", len, rc, err.msg);
	}
	unlink(path);

	snprintf(link_path, sizeof(link_path), "%s/mk-link", dir);
	CHECK(symlink(mk_path, link_path) == 0, "symlink");
	rc = cp_masterkey_load(link_path, false, again, &err);
	CHECK(rc == -1 && strstr(err.msg, "symbolic link"), "a symlink: %d %s", rc, err.msg);
	unlink(link_path);
	rc = cp_masterkey_load(dir, false, again, &err);
	CHECK(rc == -1 && strstr(err.msg, "not a regular file"), "a directory: %s", err.msg);
	snprintf(path, sizeof(path), "%s/no/such/dir/mk", dir);
	rc = cp_masterkey_load(path, true, again, &err);
	CHECK(rc == -1 && strstr(err.msg, "cannot create"), "no directory: %s", err.msg);
}

/* ---- add, list, rotate, remove, reopen ----------------------------------- */

static int verify_at(struct cp_appstore *s, const char *app, const char *key, uint64_t now,
		     unsigned *key_index)
{
	static char tok[CP_TOKEN_MAX_LEN + 1];
	struct cp_token_claims c;
	int rc;

	rc = cp_token_generate(app, "alice", now + 60, NULL, (const uint8_t *)key, strlen(key),
			       tok, sizeof(tok));
	if (rc != CP_TOKEN_OK)
		return -1;
	rc = cp_token_verify(tok, cp_appstore_lookup, s, now, 0, &c, NULL);
	if (key_index)
		*key_index = c.key_index;
	return rc;
}

static int is_lower_hex(const char *s)
{
	return strspn(s, "0123456789abcdef") == strlen(s);
}

static const struct bad_add {
	const char *name, *app, *key;
	int want;
} bad_adds[] = {
	{ "1 empty id", "", "0123456789abcdef", CP_APPSTORE_BAD_APP_ID },
	{ "2 id with @", "a@b", "0123456789abcdef", CP_APPSTORE_BAD_APP_ID },
	{ "3 id with a space", "a b", "0123456789abcdef", CP_APPSTORE_BAD_APP_ID },
	{ "4 id with a slash", "../x", "0123456789abcdef", CP_APPSTORE_BAD_APP_ID },
	{ "5 id of 65", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "0123456789abcdef", CP_APPSTORE_BAD_APP_ID },
	{ "6 key of 15", "new.app", "0123456789abcde", CP_APPSTORE_BAD_KEY },
	{ "7 key with a space", "new.app", "0123456789 abcdef", CP_APPSTORE_BAD_KEY },
	{ "8 key with a tab", "new.app", "0123456789\tabcdef", CP_APPSTORE_BAD_KEY },
	{ "9 key with UTF-8", "new.app", "0123456789abcd\xc3\xa9", CP_APPSTORE_BAD_KEY },
	{ "10 key of 129", "new.app",
	  "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	  "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk",
	  CP_APPSTORE_BAD_KEY },
	{ "11 existing id", "beta.example", "0123456789abcdef", CP_APPSTORE_EXISTS },
};

static void check_lifecycle(void)
{
	struct cp_appstore *s = NULL;
	struct cp_app_info info;
	char gen[CP_DEVKEY_MAX + 1], rot[CP_DEVKEY_MAX + 1], rot2[CP_DEVKEY_MAX + 1];
	const char *beta_key = "Beta-Key_0123456789!~";
	unsigned ki = 9;
	int rc;

	rc = cp_appstore_open(store_path, master, false, &s, &err);
	CHECK(rc == CP_APPSTORE_IO && !s && strstr(err.msg, store_path), "absent: %s %s",
	      cp_appstore_error_name(rc), err.msg);
	rc = cp_appstore_open(store_path, master, true, &s, &err);
	CHECK(rc == CP_APPSTORE_OK && s, "create: %s %s", cp_appstore_error_name(rc), err.msg);
	if (!s)
		return;
	CHECK(mode_of(store_path) == 0600, "store mode %o", (unsigned)mode_of(store_path));
	CHECK(cp_appstore_count(s) == 0, "a new store is empty");

	rc = cp_appstore_add(s, "beta.example", beta_key, T0, NULL, &err);
	CHECK(rc == CP_APPSTORE_OK, "add beta: %s %s", cp_appstore_error_name(rc), err.msg);
	rc = cp_appstore_add(s, "alpha_1-x", NULL, T0 + 1, gen, &err);
	CHECK(rc == CP_APPSTORE_OK && strlen(gen) == CP_DEVKEY_GENERATED_LEN && is_lower_hex(gen),
	      "add alpha, generated key of %zu", strlen(gen));
	CHECK(cp_appstore_add(s, "gamma", NULL, T0, NULL, &err) == CP_APPSTORE_BAD_ARGUMENT,
	      "a generated key with nowhere to put it");
	for (size_t i = 0; i < ARRAY_LEN(bad_adds); i++) {
		const struct bad_add *b = &bad_adds[i];

		rc = cp_appstore_add(s, b->app, b->key, T0, NULL, &err);
		CHECK(rc == b->want, "%s: %s, want %s", b->name, cp_appstore_error_name(rc),
		      cp_appstore_error_name(b->want));
		CHECK(!strstr(err.msg, b->key), "%s: the key is in the message", b->name);
	}
	CHECK(cp_appstore_count(s) == 2, "count %zu", cp_appstore_count(s));
	cp_appstore_close(s);

	/* Reopened: the same two, in id order, the same keys. */
	s = NULL;
	rc = cp_appstore_open(store_path, master, false, &s, &err);
	CHECK(rc == CP_APPSTORE_OK && cp_appstore_count(s) == 2, "reopen: %s %s",
	      cp_appstore_error_name(rc), err.msg);
	if (!s)
		return;
	CHECK(cp_appstore_info(s, 0, &info) == CP_APPSTORE_OK &&
		      strcmp(info.app_id, "alpha_1-x") == 0 && info.created == T0 + 1 &&
		      info.rotated == 0 && !info.has_previous,
	      "first listed: %s", info.app_id);
	CHECK(cp_appstore_info(s, 1, &info) == CP_APPSTORE_OK &&
		      strcmp(info.app_id, "beta.example") == 0 && info.created == T0,
	      "second listed: %s", info.app_id);
	CHECK(cp_appstore_info(s, 2, &info) == CP_APPSTORE_NOT_FOUND, "a third");
	CHECK(verify_at(s, "beta.example", beta_key, T0, NULL) == CP_TOKEN_OK, "beta's key");
	CHECK(verify_at(s, "alpha_1-x", gen, T0, NULL) == CP_TOKEN_OK, "alpha's generated key");
	CHECK(verify_at(s, "alpha_1-x", beta_key, T0, NULL) == CP_TOKEN_BAD_MAC,
	      "beta's key for alpha");
	CHECK(verify_at(s, "gamma", gen, T0, NULL) == CP_TOKEN_UNKNOWN_APP, "gamma");

	/* Rotation with an hour's grace: the old key good through T0+3599. */
	rc = cp_appstore_rotate(s, "alpha_1-x", NULL, 3600, T0 + 100, rot, &err);
	CHECK(rc == CP_APPSTORE_OK && strcmp(rot, gen) != 0, "rotate: %s %s",
	      cp_appstore_error_name(rc), err.msg);
	CHECK(cp_appstore_get(s, "alpha_1-x", &info) == CP_APPSTORE_OK && info.rotated == T0 + 100 &&
		      info.has_previous && info.previous_valid_until == T0 + 3700,
	      "info after rotation");
	cp_appstore_close(s);
	s = NULL;
	rc = cp_appstore_open(store_path, master, false, &s, &err);
	CHECK(rc == CP_APPSTORE_OK, "reopen after rotation: %s", err.msg);
	if (!s)
		return;
	CHECK(verify_at(s, "alpha_1-x", rot, T0 + 100, &ki) == CP_TOKEN_OK && ki == 0,
	      "the new key, key index %u", ki);
	CHECK(verify_at(s, "alpha_1-x", gen, T0 + 3699, &ki) == CP_TOKEN_OK && ki == 1,
	      "the old key, last second of grace, key index %u", ki);
	CHECK(verify_at(s, "alpha_1-x", gen, T0 + 3700, NULL) == CP_TOKEN_BAD_MAC,
	      "the old key once grace is over");
	CHECK(verify_at(s, "alpha_1-x", rot, T0 + 999999, NULL) == CP_TOKEN_OK,
	      "the new key, much later");

	/* A second rotation in the grace period: the oldest key goes. */
	rc = cp_appstore_rotate(s, "alpha_1-x", "Second-Rotation-Key-0001", 600, T0 + 200, rot2,
				&err);
	CHECK(rc == CP_APPSTORE_OK && strcmp(rot2, "Second-Rotation-Key-0001") == 0,
	      "second rotation: %s", err.msg);
	CHECK(verify_at(s, "alpha_1-x", gen, T0 + 201, NULL) == CP_TOKEN_BAD_MAC,
	      "the first key after the second rotation");
	CHECK(verify_at(s, "alpha_1-x", rot, T0 + 201, &ki) == CP_TOKEN_OK && ki == 1,
	      "the second key in its grace");
	CHECK(verify_at(s, "alpha_1-x", rot2, T0 + 201, &ki) == CP_TOKEN_OK && ki == 0,
	      "the third key");
	CHECK(cp_appstore_rotate(s, "alpha_1-x", "Second-Rotation-Key-0001", 600, T0, NULL, &err) ==
		      CP_APPSTORE_BAD_KEY, "rotating to the current key");
	CHECK(cp_appstore_rotate(s, "nope", NULL, 600, T0, rot, &err) == CP_APPSTORE_NOT_FOUND,
	      "rotating an unknown app");
	CHECK(cp_appstore_rotate(s, "alpha_1-x", "short", 600, T0, NULL, &err) ==
		      CP_APPSTORE_BAD_KEY && !strstr(err.msg, "short"), "rotating to a bad key");
	/* Grace 0: the old key ends at once and is not kept. */
	rc = cp_appstore_rotate(s, "beta.example", NULL, 0, T0 + 300, rot, &err);
	CHECK(rc == CP_APPSTORE_OK && cp_appstore_get(s, "beta.example", &info) == CP_APPSTORE_OK &&
		      !info.has_previous && info.previous_valid_until == 0,
	      "rotation without grace");
	CHECK(verify_at(s, "beta.example", beta_key, T0 + 300, NULL) == CP_TOKEN_BAD_MAC,
	      "beta's old key without grace");

	/* Remove: gone now and after reopening. */
	CHECK(cp_appstore_remove(s, "beta.example", &err) == CP_APPSTORE_OK, "remove");
	CHECK(cp_appstore_remove(s, "beta.example", &err) == CP_APPSTORE_NOT_FOUND,
	      "remove twice");
	CHECK(verify_at(s, "beta.example", rot, T0 + 300, NULL) == CP_TOKEN_UNKNOWN_APP,
	      "a removed app's token");
	cp_appstore_close(s);
	s = NULL;
	rc = cp_appstore_open(store_path, master, false, &s, &err);
	CHECK(rc == CP_APPSTORE_OK && cp_appstore_count(s) == 1 &&
		      cp_appstore_get(s, "beta.example", &info) == CP_APPSTORE_NOT_FOUND &&
		      verify_at(s, "alpha_1-x", rot2, T0 + 300, NULL) == CP_TOKEN_OK,
	      "after remove and reopen");
	CHECK(mode_of(store_path) == 0600, "store mode after rewrites %o",
	      (unsigned)mode_of(store_path));
	cp_appstore_close(s);
}

/* Many applications: order kept, each findable, across a reopen. */
static void check_many(void)
{
	char path[320], id[32], key[CP_DEVKEY_MAX + 1];
	struct cp_appstore *s = NULL;
	struct cp_app_info info;
	uint64_t seed = 7;
	int rc, ok = 1;

	snprintf(path, sizeof(path), "%s/many.store", dir);
	rc = cp_appstore_open(path, master, true, &s, &err);
	CHECK(rc == CP_APPSTORE_OK, "create many: %s", err.msg);
	if (!s)
		return;
	for (int i = 0; i < 300; i++) {
		snprintf(id, sizeof(id), "app%08x", test_rand(&seed));
		ok &= cp_appstore_add(s, id, NULL, T0 + (uint64_t)i, key, &err) == CP_APPSTORE_OK;
	}
	CHECK(ok && cp_appstore_count(s) == 300, "300 adds");
	cp_appstore_close(s);
	s = NULL;
	rc = cp_appstore_open(path, master, false, &s, &err);
	CHECK(rc == CP_APPSTORE_OK && cp_appstore_count(s) == 300, "reopen 300");
	if (!s)
		return;
	char last[CP_APP_ID_MAX + 1] = "";
	for (size_t i = 0; i < cp_appstore_count(s); i++) {
		cp_appstore_info(s, i, &info);
		CHECK(strcmp(last, info.app_id) < 0, "order at %zu: %s then %s", i, last,
		      info.app_id);
		strcpy(last, info.app_id);
	}
	cp_appstore_close(s);
	unlink(path);
}

/* ---- the file refused ---------------------------------------------------- */

static int expected_for_offset(size_t off)
{
	if (off < 8)
		return CP_APPSTORE_NOT_A_STORE;
	if (off < 12)
		return CP_APPSTORE_BAD_VERSION;
	if (off < 20)
		return CP_APPSTORE_WRONG_MASTER_KEY;
	return CP_APPSTORE_TAMPERED;
}

static void check_tampering(void)
{
	static uint8_t good[8192], bad[8192];
	char path[320];
	struct cp_appstore *s = NULL;
	size_t len = read_file(store_path, good, sizeof(good));
	unsigned wrong = 0;
	uint8_t other[CP_MASTER_KEY_LEN];
	int rc;

	CHECK(len > CP_APPSTORE_HEADER_LEN + CP_APPSTORE_TAG_LEN, "store of %zu bytes", len);
	snprintf(path, sizeof(path), "%s/tampered.store", dir);
	/* Every byte, two different flips each. */
	for (size_t off = 0; off < len; off++) {
		for (int f = 0; f < 2; f++) {
			memcpy(bad, good, len);
			bad[off] ^= f ? 0x80 : 0x01;
			write_file(path, bad, len, 0600);
			s = (struct cp_appstore *)1;
			err.msg[0] = 0;
			rc = cp_appstore_open(path, master, false, &s, &err);
			if (rc != expected_for_offset(off) || s != NULL || !strstr(err.msg, path)) {
				if (wrong++ < 10)
					CHECK(0, "byte %zu ^ 0x%02x: %s (%s), want %s", off,
					      f ? 0x80 : 1, cp_appstore_error_name(rc), err.msg,
					      cp_appstore_error_name(expected_for_offset(off)));
			}
		}
	}
	CHECK(wrong == 0, "%u flips misjudged", wrong);
	/* Every truncation, and a byte more. */
	wrong = 0;
	for (size_t cut = 0; cut < len; cut++) {
		write_file(path, good, cut, 0600);
		rc = cp_appstore_open(path, master, false, &s, &err);
		wrong += rc == CP_APPSTORE_OK || s != NULL;
	}
	CHECK(wrong == 0, "%u truncations accepted", wrong);
	memcpy(bad, good, len);
	bad[len] = 0;
	write_file(path, bad, len + 1, 0600);
	rc = cp_appstore_open(path, master, false, &s, &err);
	CHECK(rc == CP_APPSTORE_TAMPERED && !s, "a byte appended: %s", cp_appstore_error_name(rc));
	/* The untouched copy still opens. */
	write_file(path, good, len, 0600);
	rc = cp_appstore_open(path, master, false, &s, &err);
	CHECK(rc == CP_APPSTORE_OK, "the untouched copy: %s", err.msg);
	cp_appstore_close(s);

	/* Another master key. */
	memcpy(other, master, sizeof(other));
	other[31] ^= 1;
	rc = cp_appstore_open(path, other, false, &s, &err);
	CHECK(rc == CP_APPSTORE_WRONG_MASTER_KEY && !s && strstr(err.msg, "master key"),
	      "another master key: %s %s", cp_appstore_error_name(rc), err.msg);
	/* Not a store at all. */
	write_file(path, "hello, world\n", 13, 0600);
	rc = cp_appstore_open(path, master, false, &s, &err);
	CHECK(rc == CP_APPSTORE_NOT_A_STORE && !s, "a text file: %s", cp_appstore_error_name(rc));
	unlink(path);
}

/* Records that authenticate (sealed with the right key) but break a rule. */
static void check_corrupt_records(void)
{
	static const struct cp_app_record base[2] = {
		{ "a.app", "0123456789abcdef", "", 0, 1, 0 },
		{ "b.app", "0123456789abcdef", "fedcba9876543210", 99, 1, 5 },
	};
	struct cp_app_record r[2];
	struct cp_app_record *out;
	uint8_t *body, *file;
	size_t body_len, file_len, n;
	char path[320];
	struct cp_appstore *s = NULL;
	int rc;

	static const struct {
		const char *name;
		int edit;
	} rows[] = {
		{ "1 control: both records fine", 0 },
		{ "2 ids out of order", 1 },
		{ "3 the same id twice", 2 },
		{ "4 a key of 15 characters", 3 },
		{ "5 an id with a space", 4 },
		{ "6 a grace period without a previous key", 5 },
		{ "7 a byte after the last record", 6 },
		{ "8 a count one too high", 7 },
		{ "9 a count one too low", 8 },
		{ "10 a count of 2^32-1", 9 },
		{ "11 a previous key with a space", 10 },
	};

	snprintf(path, sizeof(path), "%s/corrupt.store", dir);
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		memcpy(r, base, sizeof(r));
		switch (rows[i].edit) {
		case 1: strcpy(r[0].app_id, "c.app"); break;
		case 2: strcpy(r[1].app_id, "a.app"); break;
		case 3: strcpy(r[1].key, "0123456789abcde"); break;
		case 4: strcpy(r[0].app_id, "a app"); break;
		case 5: r[0].previous_valid_until = 7; break;
		case 10: strcpy(r[1].previous, "fedcba98 76543210"); break;
		}
		cp_appstore_encode(r, 2, &body, &body_len);
		if (rows[i].edit == 6)
			body[body_len++] = 0; /* encode leaves room for a whole record */
		if (rows[i].edit >= 7 && rows[i].edit <= 9)
			body[3] = rows[i].edit == 7 ? 3 : rows[i].edit == 8 ? 1 : 0xff;
		if (rows[i].edit == 9)
			body[0] = body[1] = body[2] = 0xff;
		rc = cp_appstore_decode(body, body_len, &out, &n, &err);
		CHECK(rc == (rows[i].edit ? CP_APPSTORE_CORRUPT : CP_APPSTORE_OK),
		      "%s: decode %s (%s)", rows[i].name, cp_appstore_error_name(rc), err.msg);
		if (rc == CP_APPSTORE_OK) {
			CHECK(n == 2 && memcmp(out, base, sizeof(base)) == 0, "%s: round trip",
			      rows[i].name);
			free(out);
		}
		cp_appstore_seal(master, body, body_len, &file, &file_len, &err);
		write_file(path, file, file_len, 0600);
		rc = cp_appstore_open(path, master, false, &s, &err);
		CHECK(rc == (rows[i].edit ? CP_APPSTORE_CORRUPT : CP_APPSTORE_OK) &&
			      (rc == CP_APPSTORE_OK) == (s != NULL),
		      "%s: open %s (%s)", rows[i].name, cp_appstore_error_name(rc), err.msg);
		cp_appstore_close(s);
		s = NULL;
		cp_file_free(body, body_len);
		free(file);
	}
	unlink(path);
}

/* A write that fails leaves memory as it was. */
static void check_failed_write(void)
{
	char sub[300], path[320], key[CP_DEVKEY_MAX + 1];
	struct cp_appstore *s = NULL;
	struct cp_app_info info;
	int rc;

	snprintf(sub, sizeof(sub), "%s/sub", dir);
	snprintf(path, sizeof(path), "%s/apps.store", sub);
	mkdir(sub, 0700);
	rc = cp_appstore_open(path, master, true, &s, &err);
	CHECK(rc == CP_APPSTORE_OK, "open in sub: %s", err.msg);
	if (!s)
		return;
	CHECK(cp_appstore_add(s, "keep.me", "Keep-Me-Key-0000", T0, NULL, &err) == CP_APPSTORE_OK,
	      "add keep.me");
	/* The directory disappears (works as root too, unlike chmod). */
	unlink(path);
	rmdir(sub);
	rc = cp_appstore_add(s, "lost.app", NULL, T0, key, &err);
	CHECK(rc == CP_APPSTORE_IO && strstr(err.msg, sub), "add without a directory: %s %s",
	      cp_appstore_error_name(rc), err.msg);
	CHECK(cp_appstore_count(s) == 1 &&
		      cp_appstore_get(s, "lost.app", &info) == CP_APPSTORE_NOT_FOUND,
	      "the failed add stayed in memory");
	rc = cp_appstore_rotate(s, "keep.me", NULL, 60, T0, key, &err);
	CHECK(rc == CP_APPSTORE_IO && verify_at(s, "keep.me", "Keep-Me-Key-0000", T0, NULL) ==
						 CP_TOKEN_OK &&
		      cp_appstore_get(s, "keep.me", &info) == CP_APPSTORE_OK && !info.has_previous,
	      "the failed rotation stayed in memory");
	rc = cp_appstore_remove(s, "keep.me", &err);
	CHECK(rc == CP_APPSTORE_IO && cp_appstore_count(s) == 1 &&
		      verify_at(s, "keep.me", "Keep-Me-Key-0000", T0, NULL) == CP_TOKEN_OK,
	      "the failed remove stayed in memory");
	cp_appstore_close(s);
}

static void check_names(void)
{
	for (int i = 0; i < CP_APPSTORE_ERROR_COUNT; i++) {
		const char *n = cp_appstore_error_name(i);

		CHECK(n[0] != '?' && strlen(cp_appstore_error_message(i)) > 3, "status %d", i);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(n, cp_appstore_error_name(j)) != 0, "%s twice", n);
	}
	CHECK(strcmp(cp_appstore_error_name(CP_APPSTORE_ERROR_COUNT), "?") == 0, "past the end");
}

static void cleanup(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[600];

	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (unlink(p) != 0)
			CHECK(0, "left behind: %s", p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/strata-appstore.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(mk_path, sizeof(mk_path), "%s/master.key", dir);
	snprintf(store_path, sizeof(store_path), "%s/apps.store", dir);

	check_masterkey();
	check_lifecycle();
	check_many();
	check_tampering();
	check_corrupt_records();
	check_failed_write();
	check_names();
	cleanup();
	return test_summary("cp_appstore");
}
