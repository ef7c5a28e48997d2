/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The app store's file format (appstore_file.h): the records' plaintext
 * encoding, and the AES-256-GCM seal around it.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "appstore_file.h"
#include "secure_file.h"

#define NONCE_LEN 12
#define KEY_ID_LEN 8
#define OFF_VERSION 8
#define OFF_FLAGS 10
#define OFF_KEY_ID 12
#define OFF_NONCE 20
#define OFF_LEN 32

static const char key_id_label[] = "strata appstore v1 key id";
static const char enc_key_label[] = "strata appstore v1 aes-256-gcm";

static void put_be(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> 8 * (bytes - 1 - i));
}

static uint64_t get_be(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

/* ---- the records ---------------------------------------------------------- */

int cp_appstore_encode(const struct cp_app_record *recs, size_t n, uint8_t **body,
		       size_t *len)
{
	uint8_t *b = malloc(4 + n * CP_APPSTORE_RECORD_MAX), *p;

	if (!b)
		return CP_APPSTORE_NO_MEMORY;
	p = b;
	put_be(p, n, 4);
	p += 4;
	for (size_t i = 0; i < n; i++) {
		const char *s[3] = { recs[i].app_id, recs[i].key, recs[i].previous };

		for (unsigned f = 0; f < 3; f++) {
			size_t l = strlen(s[f]);

			*p++ = (uint8_t)l;
			memcpy(p, s[f], l);
			p += l;
		}
		put_be(p, recs[i].previous_valid_until, 8);
		put_be(p + 8, recs[i].created, 8);
		put_be(p + 16, recs[i].rotated, 8);
		p += 24;
	}
	*body = b;
	*len = (size_t)(p - b);
	return CP_APPSTORE_OK;
}

/* Reads a u8-length-prefixed string into out (cap bytes with the NUL). */
static int get_str(const uint8_t *body, size_t len, size_t *pos, char *out, size_t cap)
{
	size_t l;

	if (*pos >= len)
		return -1;
	l = body[(*pos)++];
	if (l >= cap || l > len - *pos)
		return -1;
	memcpy(out, body + *pos, l);
	out[l] = 0;
	*pos += l;
	return 0;
}

static int decode_record(const uint8_t *body, size_t len, size_t *pos,
			 struct cp_app_record *r, const char **what)
{
	*what = "truncated ApplicationID";
	if (get_str(body, len, pos, r->app_id, sizeof(r->app_id)))
		return -1;
	*what = "invalid ApplicationID";
	if (!cp_app_id_valid(r->app_id, strlen(r->app_id)))
		return -1;
	*what = "truncated DeveloperKey";
	if (get_str(body, len, pos, r->key, sizeof(r->key)))
		return -1;
	*what = "invalid DeveloperKey";
	if (!cp_devkey_valid(r->key, strlen(r->key)))
		return -1;
	*what = "truncated previous DeveloperKey";
	if (get_str(body, len, pos, r->previous, sizeof(r->previous)))
		return -1;
	*what = "invalid previous DeveloperKey";
	if (r->previous[0] && !cp_devkey_valid(r->previous, strlen(r->previous)))
		return -1;
	*what = "truncated times";
	if (len - *pos < 24)
		return -1;
	r->previous_valid_until = get_be(body + *pos, 8);
	r->created = get_be(body + *pos + 8, 8);
	r->rotated = get_be(body + *pos + 16, 8);
	*pos += 24;
	*what = "a grace period without a previous key";
	if (!r->previous[0] && r->previous_valid_until)
		return -1;
	return 0;
}

int cp_appstore_decode(const uint8_t *body, size_t len, struct cp_app_record **recs,
		       size_t *n, struct cp_err *err)
{
	struct cp_app_record *r;
	const char *what = "";
	size_t count, pos = 4, i;

	*recs = NULL;
	*n = 0;
	if (len < 4) {
		cp_err_set(err, "the records are truncated before their count");
		return CP_APPSTORE_CORRUPT;
	}
	count = (size_t)get_be(body, 4);
	if (count > CP_APPSTORE_MAX_APPS) {
		cp_err_set(err, "the records claim %zu applications, more than %d", count,
			   CP_APPSTORE_MAX_APPS);
		return CP_APPSTORE_CORRUPT;
	}
	r = calloc(count ? count : 1, sizeof(*r));
	if (!r)
		return CP_APPSTORE_NO_MEMORY;
	for (i = 0; i < count; i++) {
		if (decode_record(body, len, &pos, &r[i], &what) != 0)
			goto corrupt;
		what = "ApplicationIDs out of order or repeated";
		if (i > 0 && strcmp(r[i - 1].app_id, r[i].app_id) >= 0)
			goto corrupt;
	}
	if (pos != len) {
		cp_err_set(err, "%zu bytes follow the last record", len - pos);
		goto fail;
	}
	*recs = r;
	*n = count;
	return CP_APPSTORE_OK;

corrupt:
	cp_err_set(err, "record %zu: %s", i, what);
fail:
	OPENSSL_cleanse(r, (count ? count : 1) * sizeof(*r));
	free(r);
	return CP_APPSTORE_CORRUPT;
}

/* ---- the seal ------------------------------------------------------------ */

/* HMAC-SHA256(master, label) into out[32]: the key id and the cipher key,
 * each for its own label, neither revealing the other or the master. */
static int derive(const uint8_t master[CP_MASTER_KEY_LEN], const char *label,
		  uint8_t out[32])
{
	unsigned int len = 0;

	if (!HMAC(EVP_sha256(), master, CP_MASTER_KEY_LEN, (const unsigned char *)label,
		  strlen(label), out, &len) || len != 32) {
		OPENSSL_cleanse(out, 32);
		return -1;
	}
	return 0;
}

/* AES-256-GCM over in (len bytes) with hdr as AAD: encrypt writes out and
 * tag; decrypt checks tag and fails on any mismatch. */
static int gcm(int encrypt, const uint8_t key[32], const uint8_t *hdr, const uint8_t *nonce,
	       const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int ok, aadl = 0, outl = 0, finl = 0;

	if (!ctx)
		return -1;
	ok = EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, encrypt) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
	     EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, encrypt) == 1 &&
	     EVP_CipherUpdate(ctx, NULL, &aadl, hdr, CP_APPSTORE_HEADER_LEN) == 1 &&
	     (len == 0 || EVP_CipherUpdate(ctx, out, &outl, in, (int)len) == 1) &&
	     (encrypt || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CP_APPSTORE_TAG_LEN,
					     tag) == 1) &&
	     EVP_CipherFinal_ex(ctx, out + outl, &finl) == 1 &&
	     (!encrypt || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CP_APPSTORE_TAG_LEN,
					      tag) == 1);
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

int cp_appstore_seal(const uint8_t master_key[CP_MASTER_KEY_LEN], const uint8_t *body,
		     size_t len, uint8_t **file, size_t *file_len, struct cp_err *err)
{
	uint8_t key_id[32], key[32], *f;
	size_t total = CP_APPSTORE_HEADER_LEN + len + CP_APPSTORE_TAG_LEN;
	int rc = CP_APPSTORE_CRYPTO;

	*file = NULL;
	if (len > CP_APPSTORE_BODY_MAX) {
		cp_err_set(err, "the records are too large to store");
		return CP_APPSTORE_CORRUPT;
	}
	f = malloc(total);
	if (!f)
		return CP_APPSTORE_NO_MEMORY;
	if (derive(master_key, key_id_label, key_id) || derive(master_key, enc_key_label, key)) {
		cp_err_set(err, "cannot derive the store's keys from the master key");
		goto out;
	}
	memcpy(f, CP_APPSTORE_MAGIC, 8);
	put_be(f + OFF_VERSION, CP_APPSTORE_VERSION, 2);
	put_be(f + OFF_FLAGS, 0, 2);
	memcpy(f + OFF_KEY_ID, key_id, KEY_ID_LEN);
	if (RAND_bytes(f + OFF_NONCE, NONCE_LEN) != 1) {
		cp_err_set(err, "the random generator failed to make a nonce");
		goto out;
	}
	put_be(f + OFF_LEN, len, 4);
	if (gcm(1, key, f, f + OFF_NONCE, body, len, f + CP_APPSTORE_HEADER_LEN,
		f + CP_APPSTORE_HEADER_LEN + len) != 0) {
		cp_err_set(err, "AES-256-GCM encryption failed");
		goto out;
	}
	*file = f;
	*file_len = total;
	f = NULL;
	rc = CP_APPSTORE_OK;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(key_id, sizeof(key_id));
	free(f);
	return rc;
}

int cp_appstore_unseal(const uint8_t master_key[CP_MASTER_KEY_LEN], const uint8_t *file,
		       size_t len, uint8_t **body, size_t *body_len, struct cp_err *err)
{
	uint8_t key_id[32], key[32], tag[CP_APPSTORE_TAG_LEN], *b;
	uint64_t version, flags, n;
	int rc;

	*body = NULL;
	*body_len = 0;
	if (len < 8 || memcmp(file, CP_APPSTORE_MAGIC, 8) != 0) {
		cp_err_set(err, "not a Strata app store (no \"%s\" at its start)",
			   CP_APPSTORE_MAGIC);
		return CP_APPSTORE_NOT_A_STORE;
	}
	if (len < CP_APPSTORE_HEADER_LEN + CP_APPSTORE_TAG_LEN) {
		cp_err_set(err, "truncated: %zu bytes, shorter than an empty store", len);
		return CP_APPSTORE_TAMPERED;
	}
	version = get_be(file + OFF_VERSION, 2);
	flags = get_be(file + OFF_FLAGS, 2);
	if (version != CP_APPSTORE_VERSION || flags != 0) {
		cp_err_set(err, "format version %u flags 0x%04x; this Strata reads version %d "
			   "flags 0 (%s)", (unsigned)version, (unsigned)flags,
			   CP_APPSTORE_VERSION,
			   version > CP_APPSTORE_VERSION ? "written by a newer Strata?" :
							   "damaged?");
		return CP_APPSTORE_BAD_VERSION;
	}
	n = get_be(file + OFF_LEN, 4);
	if (n != len - CP_APPSTORE_HEADER_LEN - CP_APPSTORE_TAG_LEN || n > CP_APPSTORE_BODY_MAX) {
		cp_err_set(err, "the header says %llu bytes of records, the file holds %zu: "
			   "truncated or modified", (unsigned long long)n,
			   len - CP_APPSTORE_HEADER_LEN - CP_APPSTORE_TAG_LEN);
		return CP_APPSTORE_TAMPERED;
	}
	if (derive(master_key, key_id_label, key_id) || derive(master_key, enc_key_label, key)) {
		cp_err_set(err, "cannot derive the store's keys from the master key");
		return CP_APPSTORE_CRYPTO;
	}
	if (CRYPTO_memcmp(key_id, file + OFF_KEY_ID, KEY_ID_LEN) != 0) {
		cp_err_set(err, "sealed with another master key (or its header is damaged): "
			   "use the master key file this store was created with");
		rc = CP_APPSTORE_WRONG_MASTER_KEY;
		goto out;
	}
	b = malloc(n ? n : 1);
	if (!b) {
		rc = CP_APPSTORE_NO_MEMORY;
		goto out;
	}
	memcpy(tag, file + CP_APPSTORE_HEADER_LEN + n, sizeof(tag));
	if (gcm(0, key, file, file + OFF_NONCE, file + CP_APPSTORE_HEADER_LEN, n, b, tag) != 0) {
		cp_file_free(b, n ? n : 1);
		cp_err_set(err, "authentication failed: the file was modified or damaged; "
			   "restore it from a backup");
		rc = CP_APPSTORE_TAMPERED;
		goto out;
	}
	*body = b;
	*body_len = n;
	rc = CP_APPSTORE_OK;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(key_id, sizeof(key_id));
	return rc;
}
