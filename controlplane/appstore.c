/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The app store in memory (appstore.h): a sorted array of records, each
 * change sealed and written through before the call returns.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "appstore.h"
#include "appstore_file.h"
#include "secure_file.h"

struct cp_appstore {
	char *path;
	uint8_t master[CP_MASTER_KEY_LEN];
	struct cp_app_record *recs; /* ascending app_id */
	size_t n, cap;
};

static const char *const error_names[] = {
#define CP_APPSTORE_ERROR_NAME(name, msg) #name,
	CP_APPSTORE_FOREACH_ERROR(CP_APPSTORE_ERROR_NAME)
#undef CP_APPSTORE_ERROR_NAME
};

static const char *const error_messages[] = {
#define CP_APPSTORE_ERROR_MSG(name, msg) msg,
	CP_APPSTORE_FOREACH_ERROR(CP_APPSTORE_ERROR_MSG)
#undef CP_APPSTORE_ERROR_MSG
};

const char *cp_appstore_error_name(enum cp_appstore_error e)
{
	return (unsigned)e < CP_APPSTORE_ERROR_COUNT ? error_names[e] : "?";
}

const char *cp_appstore_error_message(enum cp_appstore_error e)
{
	return (unsigned)e < CP_APPSTORE_ERROR_COUNT ? error_messages[e] : "?";
}

/* Sets err to "PATH: detail" and returns rc. */
#define FAIL(s, err, rc, ...)                                                  \
	(cp_err_set((err), __VA_ARGS__), prefix_path((s), (err)), (rc))

static void prefix_path(const struct cp_appstore *s, struct cp_err *err)
{
	char msg[CP_ERR_LEN];

	if (!err)
		return;
	memcpy(msg, err->msg, sizeof(msg));
	cp_err_set(err, "%s: %s", s->path, msg);
}

/* The index of app_id, or where it would go (with *found false). */
static size_t find(const struct cp_appstore *s, const char *app_id, bool *found)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->recs[mid].app_id, app_id);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/* Seals the records and replaces the file. */
static int save(struct cp_appstore *s, struct cp_err *err)
{
	uint8_t *body = NULL, *file = NULL;
	size_t body_len = 0, file_len = 0;
	int rc;

	rc = cp_appstore_encode(s->recs, s->n, &body, &body_len);
	if (rc == CP_APPSTORE_OK) {
		rc = cp_appstore_seal(s->master, body, body_len, &file, &file_len, err);
		if (rc != CP_APPSTORE_OK)
			prefix_path(s, err);
	}
	if (rc == CP_APPSTORE_OK &&
	    cp_file_write_atomic(s->path, file, file_len, true, err) != CP_FILE_OK)
		rc = CP_APPSTORE_IO;
	cp_file_free(body, body_len);
	free(file); /* sealed: nothing secret */
	return rc;
}

static void wipe_records(struct cp_app_record *r, size_t n)
{
	if (r)
		OPENSSL_cleanse(r, n * sizeof(*r));
}

void cp_appstore_close(struct cp_appstore *s)
{
	if (!s)
		return;
	wipe_records(s->recs, s->cap);
	free(s->recs);
	OPENSSL_cleanse(s->master, sizeof(s->master));
	free(s->path);
	free(s);
}

static int load(struct cp_appstore *s, bool create, struct cp_err *err)
{
	uint8_t *file = NULL, *body = NULL;
	size_t file_len = 0, body_len = 0;
	int rc;

	rc = cp_file_read(s->path, CP_APPSTORE_FILE_MAX, false, &file, &file_len, err);
	if (rc == CP_FILE_ABSENT && !create)
		return FAIL(s, err, CP_APPSTORE_IO, "no such app store (create it first)");
	if (rc == CP_FILE_ABSENT) {
		s->recs = calloc(1, sizeof(*s->recs));
		if (!s->recs)
			return CP_APPSTORE_NO_MEMORY;
		s->cap = 1;
		return save(s, err);
	}
	if (rc != CP_FILE_OK)
		return CP_APPSTORE_IO;
	rc = cp_appstore_unseal(s->master, file, file_len, &body, &body_len, err);
	if (rc == CP_APPSTORE_OK)
		rc = cp_appstore_decode(body, body_len, &s->recs, &s->n, err);
	if (rc == CP_APPSTORE_OK)
		s->cap = s->n ? s->n : 1;
	else
		prefix_path(s, err);
	free(file);
	cp_file_free(body, body_len);
	return rc;
}

int cp_appstore_open(const char *path, const uint8_t master_key[CP_MASTER_KEY_LEN],
		     bool create, struct cp_appstore **store, struct cp_err *err)
{
	struct cp_appstore *s;
	int rc;

	if (!store)
		return CP_APPSTORE_BAD_ARGUMENT;
	*store = NULL;
	if (!path || !master_key)
		return CP_APPSTORE_BAD_ARGUMENT;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return CP_APPSTORE_NO_MEMORY;
	}
	memcpy(s->master, master_key, sizeof(s->master));
	rc = load(s, create, err);
	if (rc != CP_APPSTORE_OK) {
		cp_appstore_close(s);
		return rc;
	}
	*store = s;
	return CP_APPSTORE_OK;
}

/* key_in, checked, or a fresh one, into out. */
static int choose_key(const struct cp_appstore *s, const char *key_in,
		      char out[CP_DEVKEY_MAX + 1], struct cp_err *err)
{
	size_t len;

	if (!key_in) {
		if (cp_devkey_generate(out) != 0)
			return FAIL(s, err, CP_APPSTORE_CRYPTO,
				    "the random generator failed to make a DeveloperKey");
		return CP_APPSTORE_OK;
	}
	len = strnlen(key_in, CP_DEVKEY_MAX + 1);

	if (!cp_devkey_valid(key_in, len))
		return FAIL(s, err, CP_APPSTORE_BAD_KEY,
			    "a DeveloperKey is %d to %d printable ASCII characters without "
			    "spaces (this one is not; it is not shown)", CP_DEVKEY_MIN,
			    CP_DEVKEY_MAX);
	memcpy(out, key_in, len + 1);
	return CP_APPSTORE_OK;
}

static int check_app_id(const struct cp_appstore *s, const char *app_id, struct cp_err *err)
{
	if (!app_id || !cp_app_id_valid(app_id, strnlen(app_id, CP_APP_ID_MAX + 1)))
		return FAIL(s, err, CP_APPSTORE_BAD_APP_ID,
			    "an ApplicationID is 1 to %d of A-Z a-z 0-9 . _ -", CP_APP_ID_MAX);
	return CP_APPSTORE_OK;
}

static int grow(struct cp_appstore *s)
{
	struct cp_app_record *r;
	size_t cap;

	if (s->n < s->cap)
		return 0;
	/* A fresh array rather than realloc, so the old copy can be wiped. */
	cap = s->cap * 2 > CP_APPSTORE_MAX_APPS ? CP_APPSTORE_MAX_APPS : s->cap * 2;
	r = calloc(cap, sizeof(*r));
	if (!r)
		return -1;
	memcpy(r, s->recs, s->n * sizeof(*r));
	wipe_records(s->recs, s->cap);
	free(s->recs);
	s->recs = r;
	s->cap = cap;
	return 0;
}

int cp_appstore_add(struct cp_appstore *s, const char *app_id, const char *key,
		    uint64_t now, char key_out[CP_DEVKEY_MAX + 1], struct cp_err *err)
{
	struct cp_app_record *r;
	size_t i;
	bool found;
	int rc;

	if (!s || (!key && !key_out))
		return CP_APPSTORE_BAD_ARGUMENT;
	if ((rc = check_app_id(s, app_id, err)) != CP_APPSTORE_OK)
		return rc;
	i = find(s, app_id, &found);
	if (found)
		return FAIL(s, err, CP_APPSTORE_EXISTS, "%s already exists (rotate its key "
			    "instead)", app_id);
	if (s->n == CP_APPSTORE_MAX_APPS)
		return FAIL(s, err, CP_APPSTORE_FULL, "the store holds %d applications, its "
			    "maximum", CP_APPSTORE_MAX_APPS);
	if (grow(s) != 0)
		return CP_APPSTORE_NO_MEMORY;

	memmove(&s->recs[i + 1], &s->recs[i], (s->n - i) * sizeof(*r));
	r = &s->recs[i];
	memset(r, 0, sizeof(*r));
	rc = choose_key(s, key, r->key, err);
	if (rc == CP_APPSTORE_OK) {
		strcpy(r->app_id, app_id);
		r->created = now;
		s->n++;
		rc = save(s, err);
		if (rc != CP_APPSTORE_OK)
			s->n--;
	}
	if (rc == CP_APPSTORE_OK && key_out)
		memcpy(key_out, r->key, strlen(r->key) + 1);
	if (rc != CP_APPSTORE_OK) {
		/* Undo: close the gap, wipe the slot left over at the end. */
		memmove(&s->recs[i], &s->recs[i + 1], (s->n - i) * sizeof(*r));
		OPENSSL_cleanse(&s->recs[s->n], sizeof(*r));
	}
	return rc;
}

int cp_appstore_rotate(struct cp_appstore *s, const char *app_id, const char *new_key,
		       uint64_t grace_s, uint64_t now, char key_out[CP_DEVKEY_MAX + 1],
		       struct cp_err *err)
{
	struct cp_app_record old, *r;
	char key[CP_DEVKEY_MAX + 1];
	size_t i;
	bool found;
	int rc;

	if (!s || (!new_key && !key_out))
		return CP_APPSTORE_BAD_ARGUMENT;
	if ((rc = check_app_id(s, app_id, err)) != CP_APPSTORE_OK)
		return rc;
	i = find(s, app_id, &found);
	if (!found)
		return FAIL(s, err, CP_APPSTORE_NOT_FOUND, "no application %s", app_id);
	r = &s->recs[i];
	rc = choose_key(s, new_key, key, err);
	if (rc == CP_APPSTORE_OK && strcmp(key, r->key) == 0)
		rc = FAIL(s, err, CP_APPSTORE_BAD_KEY, "the new DeveloperKey of %s is its "
			  "current one", app_id);
	if (rc != CP_APPSTORE_OK) {
		OPENSSL_cleanse(key, sizeof(key));
		return rc;
	}

	old = *r;
	memcpy(r->previous, r->key, sizeof(r->previous));
	memcpy(r->key, key, sizeof(r->key));
	r->previous_valid_until = grace_s > UINT64_MAX - now ? UINT64_MAX : now + grace_s;
	r->rotated = now;
	/* A grace of 0 keeps nothing worth storing. */
	if (r->previous_valid_until <= now) {
		OPENSSL_cleanse(r->previous, sizeof(r->previous));
		r->previous_valid_until = 0;
	}
	rc = save(s, err);
	if (rc != CP_APPSTORE_OK)
		*r = old;
	else if (key_out)
		memcpy(key_out, key, strlen(key) + 1);
	OPENSSL_cleanse(&old, sizeof(old));
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

int cp_appstore_remove(struct cp_appstore *s, const char *app_id, struct cp_err *err)
{
	struct cp_app_record old;
	size_t i;
	bool found;
	int rc;

	if (!s)
		return CP_APPSTORE_BAD_ARGUMENT;
	if ((rc = check_app_id(s, app_id, err)) != CP_APPSTORE_OK)
		return rc;
	i = find(s, app_id, &found);
	if (!found)
		return FAIL(s, err, CP_APPSTORE_NOT_FOUND, "no application %s", app_id);
	old = s->recs[i];
	memmove(&s->recs[i], &s->recs[i + 1], (s->n - i - 1) * sizeof(old));
	s->n--;
	OPENSSL_cleanse(&s->recs[s->n], sizeof(old));
	rc = save(s, err);
	if (rc != CP_APPSTORE_OK) {
		memmove(&s->recs[i + 1], &s->recs[i], (s->n - i) * sizeof(old));
		s->recs[i] = old;
		s->n++;
	}
	OPENSSL_cleanse(&old, sizeof(old));
	return rc;
}

size_t cp_appstore_count(const struct cp_appstore *s)
{
	return s ? s->n : 0;
}

static void fill_info(const struct cp_app_record *r, struct cp_app_info *info)
{
	memset(info, 0, sizeof(*info));
	strcpy(info->app_id, r->app_id);
	info->created = r->created;
	info->rotated = r->rotated;
	info->has_previous = r->previous[0] != 0;
	info->previous_valid_until = r->previous_valid_until;
}

int cp_appstore_info(const struct cp_appstore *s, size_t index, struct cp_app_info *info)
{
	if (!s || !info)
		return CP_APPSTORE_BAD_ARGUMENT;
	if (index >= s->n)
		return CP_APPSTORE_NOT_FOUND;
	fill_info(&s->recs[index], info);
	return CP_APPSTORE_OK;
}

int cp_appstore_get(const struct cp_appstore *s, const char *app_id, struct cp_app_info *info)
{
	size_t i;
	bool found;

	if (!s || !app_id || !info)
		return CP_APPSTORE_BAD_ARGUMENT;
	i = find(s, app_id, &found);
	if (!found)
		return CP_APPSTORE_NOT_FOUND;
	fill_info(&s->recs[i], info);
	return CP_APPSTORE_OK;
}

int cp_appstore_lookup(void *arg, const char *app_id, uint64_t now_unix,
		       struct cp_token_keys *keys)
{
	const struct cp_appstore *s = arg;
	const struct cp_app_record *r;
	size_t i;
	bool found;

	if (!s || !app_id || !keys)
		return -1;
	keys->n = 0;
	i = find(s, app_id, &found);
	if (!found)
		return 0;
	r = &s->recs[i];
	keys->key[0].len = strlen(r->key);
	memcpy(keys->key[0].bytes, r->key, keys->key[0].len);
	keys->n = 1;
	if (r->previous[0] && now_unix < r->previous_valid_until) {
		keys->key[1].len = strlen(r->previous);
		memcpy(keys->key[1].bytes, r->previous, keys->key[1].len);
		keys->n = 2;
	}
	return 0;
}
