/* SPDX-License-Identifier: BSD-3-Clause */
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ids.h"

static bool is_alnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool cp_user_valid(const char *s, size_t len)
{
	if (len < 1 || len > CP_USER_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_alnum((unsigned char)s[i]))
			return false;
	return true;
}

bool cp_app_id_valid(const char *s, size_t len)
{
	if (len < 1 || len > CP_APP_ID_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_alnum(c) && c != '.' && c != '_' && c != '-')
			return false;
	}
	return true;
}

bool cp_devkey_valid(const char *s, size_t len)
{
	if (len < CP_DEVKEY_MIN || len > CP_DEVKEY_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

int cp_devkey_generate(char out[CP_DEVKEY_GENERATED_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[CP_DEVKEY_GENERATED_LEN / 2];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[CP_DEVKEY_GENERATED_LEN] = 0;
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}
