/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Token generation and verification (token.h has the format and the
 * rules).  Key material (the looked-up keys, the expected MAC) lives on the
 * stack only while needed and is wiped with OPENSSL_cleanse on every path
 * out.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "b64.h"
#include "token.h"

static const char *const error_names[] = {
#define CP_TOKEN_ERROR_NAME(name, msg) #name,
	CP_TOKEN_FOREACH_ERROR(CP_TOKEN_ERROR_NAME)
#undef CP_TOKEN_ERROR_NAME
};

static const char *const error_messages[] = {
#define CP_TOKEN_ERROR_MSG(name, msg) msg,
	CP_TOKEN_FOREACH_ERROR(CP_TOKEN_ERROR_MSG)
#undef CP_TOKEN_ERROR_MSG
};

const char *cp_token_error_name(enum cp_token_error e)
{
	return (unsigned)e < CP_TOKEN_ERROR_COUNT ? error_names[e] : "?";
}

const char *cp_token_error_message(enum cp_token_error e)
{
	return (unsigned)e < CP_TOKEN_ERROR_COUNT ? error_messages[e] : "?";
}

/* ---- the fields ---------------------------------------------------------- */

/* The five fields of a decoded token, as offsets into it. */
struct fields {
	const char *f[5];
	size_t len[5];
	size_t body_len; /* what the MAC covers: everything before the last NUL */
};

/* expires as written: canonical decimal (no sign, no leading zero), within
 * uint64_t, not before the Unix epoch. */
static int parse_expires(const char *s, size_t len, uint64_t *expires_unix)
{
	uint64_t v = 0;

	if (len < 1 || len > 20 || s[0] == '0')
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(unsigned char)s[i] - '0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v < CP_TOKEN_YEAR0_OFFSET)
		return -1;
	*expires_unix = v - CP_TOKEN_YEAR0_OFFSET;
	return 0;
}

static int is_lower_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Decodes token into buf and checks every field but the MAC's value. */
static enum cp_token_error parse(const char *token, uint8_t *buf, struct fields *fl,
				 struct cp_token_claims *claims)
{
	size_t tlen, n, at, nf = 0, start = 0;
	const char *d = (const char *)buf;
	long dec;

	/* strnlen, so an unterminated giant is refused without reading it all. */
	tlen = strnlen(token, CP_TOKEN_MAX_LEN + 1);
	if (tlen > CP_TOKEN_MAX_LEN)
		return CP_TOKEN_TOO_LONG;
	dec = cp_b64_decode(token, tlen, buf, CP_TOKEN_DECODED_MAX);
	if (dec < 0)
		return CP_TOKEN_BAD_BASE64;
	n = (size_t)dec;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && d[i] != 0)
			continue;
		if (nf == 5)
			return CP_TOKEN_BAD_FIELDS;
		fl->f[nf] = d + start;
		fl->len[nf++] = i - start;
		start = i + 1;
	}
	if (nf != 5)
		return CP_TOKEN_BAD_FIELDS;
	fl->body_len = (size_t)(fl->f[4] - d) - 1;

	if (fl->len[0] != strlen(CP_TOKEN_PREFIX) ||
	    memcmp(fl->f[0], CP_TOKEN_PREFIX, fl->len[0]) != 0)
		return CP_TOKEN_BAD_PREFIX;

	/* The first "@": users have no "@", so it ends the user. */
	for (at = 0; at < fl->len[1] && fl->f[1][at] != '@'; at++)
		;
	if (at == fl->len[1] || !cp_user_valid(fl->f[1], at))
		return CP_TOKEN_BAD_USER;
	if (!cp_app_id_valid(fl->f[1] + at + 1, fl->len[1] - at - 1))
		return CP_TOKEN_BAD_APP;

	if (parse_expires(fl->f[2], fl->len[2], &claims->expires_unix) != 0)
		return CP_TOKEN_BAD_EXPIRY;

	if (fl->len[4] != CP_TOKEN_MAC_HEX_LEN || !is_lower_hex(fl->f[4], fl->len[4]))
		return CP_TOKEN_BAD_MAC_FORMAT;

	memcpy(claims->user, fl->f[1], at);
	claims->user[at] = 0;
	memcpy(claims->app_id, fl->f[1] + at + 1, fl->len[1] - at - 1);
	claims->app_id[fl->len[1] - at - 1] = 0;
	/* The overhead around the vCard guarantees it fits. */
	claims->vcard_len = fl->len[3];
	memcpy(claims->vcard, fl->f[3], fl->len[3]);
	claims->vcard[fl->len[3]] = 0;
	return CP_TOKEN_OK;
}

/* ---- the MAC ------------------------------------------------------------- */

/* Lowercase hex HMAC-SHA384 of body under key into hex (96 digits, no NUL). */
static int mac_hex(const uint8_t *key, size_t key_len, const void *body, size_t body_len,
		   char hex[CP_TOKEN_MAC_HEX_LEN])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	if (!HMAC(EVP_sha384(), key, (int)key_len, body, body_len, md, &md_len) ||
	    md_len * 2 != CP_TOKEN_MAC_HEX_LEN) {
		OPENSSL_cleanse(md, sizeof(md));
		return -1;
	}
	for (unsigned i = 0; i < md_len; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

/* ---- generate ------------------------------------------------------------ */

/* Appends n bytes at *pos within cap; returns -1 when they do not fit. */
static int put(uint8_t *buf, size_t cap, size_t *pos, const void *p, size_t n)
{
	if (n > cap - *pos)
		return -1;
	memcpy(buf + *pos, p, n);
	*pos += n;
	return 0;
}

int cp_token_generate(const char *app_id, const char *user, uint64_t expires_unix,
		      const char *vcard, const uint8_t *key, size_t key_len, char *out,
		      size_t cap)
{
	uint8_t buf[CP_TOKEN_DECODED_MAX];
	char expires[24], mac[CP_TOKEN_MAC_HEX_LEN];
	size_t pos = 0, body_len;
	long enc;
	int rc = CP_TOKEN_OK;

	if (!app_id || !user || !key || !out)
		return CP_TOKEN_BAD_ARGUMENT;
	if (!cp_user_valid(user, strnlen(user, CP_USER_MAX + 1)))
		return CP_TOKEN_BAD_USER;
	if (!cp_app_id_valid(app_id, strnlen(app_id, CP_APP_ID_MAX + 1)))
		return CP_TOKEN_BAD_APP;
	if (expires_unix > UINT64_MAX - CP_TOKEN_YEAR0_OFFSET)
		return CP_TOKEN_BAD_EXPIRY;
	if (key_len < 1 || key_len > CP_DEVKEY_MAX)
		return CP_TOKEN_BAD_KEY;
	if (!vcard)
		vcard = "";
	snprintf(expires, sizeof(expires), "%llu",
		 (unsigned long long)(expires_unix + CP_TOKEN_YEAR0_OFFSET));

	if (put(buf, sizeof(buf), &pos, CP_TOKEN_PREFIX, sizeof(CP_TOKEN_PREFIX)) ||
	    put(buf, sizeof(buf), &pos, user, strlen(user)) ||
	    put(buf, sizeof(buf), &pos, "@", 1) ||
	    put(buf, sizeof(buf), &pos, app_id, strlen(app_id) + 1) ||
	    put(buf, sizeof(buf), &pos, expires, strlen(expires) + 1) ||
	    put(buf, sizeof(buf), &pos, vcard, strnlen(vcard, sizeof(buf))))
		return CP_TOKEN_TOO_LONG;
	body_len = pos;
	if (put(buf, sizeof(buf), &pos, "", 1) || sizeof(buf) - pos < sizeof(mac))
		return CP_TOKEN_TOO_LONG;
	if (mac_hex(key, key_len, buf, body_len, mac) != 0)
		return CP_TOKEN_INTERNAL;
	put(buf, sizeof(buf), &pos, mac, sizeof(mac));

	enc = cp_b64_encode(buf, pos, out, cap);
	if (enc < 0)
		rc = CP_TOKEN_NO_SPACE;
	OPENSSL_cleanse(mac, sizeof(mac));
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* ---- verify -------------------------------------------------------------- */

int cp_token_inspect(const char *token, struct cp_token_claims *claims)
{
	uint8_t buf[CP_TOKEN_DECODED_MAX];
	struct fields fl;
	int rc;

	if (!token || !claims)
		return CP_TOKEN_BAD_ARGUMENT;
	memset(claims, 0, sizeof(*claims));
	rc = parse(token, buf, &fl, claims);
	if (rc != CP_TOKEN_OK)
		memset(claims, 0, sizeof(*claims));
	return rc;
}

/* Tries every key the lookup gave, always all of them, so the time taken
 * does not say which key matched. */
static enum cp_token_error check_mac(const struct fields *fl, const struct cp_token_keys *keys,
				     unsigned *key_index)
{
	char expect[CP_TOKEN_MAC_HEX_LEN];
	unsigned matched = 0, index = 0;

	for (unsigned k = 0; k < keys->n; k++) {
		unsigned hit;

		if (mac_hex(keys->key[k].bytes, keys->key[k].len, fl->f[0], fl->body_len,
			    expect) != 0) {
			OPENSSL_cleanse(expect, sizeof(expect));
			return CP_TOKEN_INTERNAL;
		}
		hit = CRYPTO_memcmp(expect, fl->f[4], sizeof(expect)) == 0;
		/* The first key that matches (the current one when both do). */
		index |= (hit & !matched) * k;
		matched |= hit;
	}
	OPENSSL_cleanse(expect, sizeof(expect));
	*key_index = index;
	return matched ? CP_TOKEN_OK : CP_TOKEN_BAD_MAC;
}

static int keys_sane(const struct cp_token_keys *keys)
{
	if (keys->n > CP_TOKEN_MAX_KEYS)
		return 0;
	for (unsigned k = 0; k < keys->n; k++)
		if (keys->key[k].len < 1 || keys->key[k].len > CP_DEVKEY_MAX)
			return 0;
	return 1;
}

static enum cp_token_error verify(const char *token, cp_token_key_lookup_fn lookup, void *arg,
				  uint64_t now_unix, uint32_t skew_s,
				  struct cp_token_claims *claims)
{
	uint8_t buf[CP_TOKEN_DECODED_MAX];
	struct cp_token_keys keys;
	struct fields fl;
	enum cp_token_error rc;

	rc = parse(token, buf, &fl, claims);
	if (rc != CP_TOKEN_OK)
		return rc;

	memset(&keys, 0, sizeof(keys));
	if (lookup(arg, claims->app_id, now_unix, &keys) != 0 || !keys_sane(&keys))
		rc = CP_TOKEN_LOOKUP_FAILED;
	else if (keys.n == 0)
		rc = CP_TOKEN_UNKNOWN_APP;
	else
		rc = check_mac(&fl, &keys, &claims->key_index);
	OPENSSL_cleanse(&keys, sizeof(keys));
	if (rc != CP_TOKEN_OK)
		return rc;

	/* Good through now == expires + skew; written so nothing overflows. */
	if (now_unix > claims->expires_unix && now_unix - claims->expires_unix > skew_s)
		return CP_TOKEN_EXPIRED;
	return CP_TOKEN_OK;
}

int cp_token_verify(const char *token, cp_token_key_lookup_fn lookup, void *arg,
		    uint64_t now_unix, uint32_t skew_s, struct cp_token_claims *claims,
		    enum cp_token_error *why)
{
	enum cp_token_error rc;

	if (!token || !lookup || !claims) {
		rc = CP_TOKEN_BAD_ARGUMENT;
	} else {
		memset(claims, 0, sizeof(*claims));
		rc = verify(token, lookup, arg, now_unix, skew_s, claims);
		if (rc != CP_TOKEN_OK)
			memset(claims, 0, sizeof(*claims));
	}
	if (why)
		*why = rc;
	return (int)rc;
}

int cp_token_static_lookup(void *arg, const char *app_id, uint64_t now_unix,
			   struct cp_token_keys *keys)
{
	const struct cp_token_static_keys *s = arg;

	(void)now_unix;
	if (!s || !s->app_id || strcmp(app_id, s->app_id) != 0)
		return 0;
	if ((s->key && s->key_len > CP_DEVKEY_MAX) ||
	    (s->previous && s->previous_len > CP_DEVKEY_MAX))
		return -1;
	if (s->key) {
		memcpy(keys->key[keys->n].bytes, s->key, s->key_len);
		keys->key[keys->n++].len = s->key_len;
	}
	if (s->previous) {
		memcpy(keys->key[keys->n].bytes, s->previous, s->previous_len);
		keys->key[keys->n++].len = s->previous_len;
	}
	return 0;
}
