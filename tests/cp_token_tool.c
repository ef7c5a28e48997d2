/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The token library on a pipe, for cp_token_ref.py crosscheck: one request
 * a line on stdin, one answer a line on stdout.  Every string travels as
 * "x" and its bytes in hex ("x" alone is empty), so vCards, keys and
 * mutated tokens can hold any byte.
 *
 *   gen APP USER EXPIRES_UNIX VCARD KEY
 *       -> OK TOKEN | REASON
 *   verify TOKEN APP KEY PREVIOUS|- NOW_UNIX SKEW
 *       -> OK USER APP EXPIRES_UNIX VCARD KEY_INDEX | REASON
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

#define LINE_MAX_LEN (4 * CP_TOKEN_MAX_LEN + 1024)

/* Decodes "x" + hex into out (NUL-terminated); returns the length or -1. */
static long unhex(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	if (!s || s[0] != 'x')
		return -1;
	for (s++; s[0] && s[1]; s += 2) {
		unsigned v;

		if (n + 1 >= cap || sscanf(s, "%2x", &v) != 1)
			return -1;
		out[n++] = (char)v;
	}
	if (s[0])
		return -1;
	out[n] = 0;
	return (long)n;
}

static void put_hex(const char *s, size_t n)
{
	putchar(' ');
	putchar('x');
	for (size_t i = 0; i < n; i++)
		printf("%02x", (unsigned char)s[i]);
}

static char app[256], user[256], vcard[CP_TOKEN_MAX_LEN], key[512], prev[512];
static char token[2 * CP_TOKEN_MAX_LEN], out[CP_TOKEN_MAX_LEN + 16];

static int gen(char **w)
{
	long klen;
	int rc;

	if (unhex(w[1], app, sizeof(app)) < 0 || unhex(w[2], user, sizeof(user)) < 0 ||
	    unhex(w[4], vcard, sizeof(vcard)) < 0 || (klen = unhex(w[5], key, sizeof(key))) < 0)
		return -1;
	rc = cp_token_generate(app, user, strtoull(w[3], NULL, 10), vcard, (uint8_t *)key,
			       (size_t)klen, out, sizeof(out));
	if (rc == CP_TOKEN_OK)
		printf("OK %s\n", out);
	else
		printf("%s\n", cp_token_error_name(rc));
	return 0;
}

static int verify(char **w)
{
	static struct cp_token_claims c;
	struct cp_token_static_keys keys = { 0 };
	long klen, plen = -1;
	int rc;

	if (unhex(w[1], token, sizeof(token)) < 0 || unhex(w[2], app, sizeof(app)) < 0 ||
	    (klen = unhex(w[3], key, sizeof(key))) < 0 ||
	    (strcmp(w[4], "-") != 0 && (plen = unhex(w[4], prev, sizeof(prev))) < 0))
		return -1;
	keys.app_id = app;
	keys.key = (uint8_t *)key;
	keys.key_len = (size_t)klen;
	if (plen >= 0) {
		keys.previous = (uint8_t *)prev;
		keys.previous_len = (size_t)plen;
	}
	rc = cp_token_verify(token, cp_token_static_lookup, &keys, strtoull(w[5], NULL, 10),
			     (uint32_t)strtoul(w[6], NULL, 10), &c, NULL);
	printf("%s", cp_token_error_name(rc));
	if (rc == CP_TOKEN_OK) {
		put_hex(c.user, strlen(c.user));
		put_hex(c.app_id, strlen(c.app_id));
		printf(" %" PRIu64, c.expires_unix);
		put_hex(c.vcard, c.vcard_len);
		printf(" %u", c.key_index);
	}
	putchar('\n');
	return 0;
}

int main(void)
{
	static char line[LINE_MAX_LEN];

	while (fgets(line, sizeof(line), stdin)) {
		char *w[8], *save = NULL;
		int n = 0, rc = -1;

		for (char *t = strtok_r(line, " \n", &save); t && n < 8;
		     t = strtok_r(NULL, " \n", &save))
			w[n++] = t;
		if (n == 6 && strcmp(w[0], "gen") == 0)
			rc = gen(w);
		else if (n == 7 && strcmp(w[0], "verify") == 0)
			rc = verify(w);
		if (rc != 0) {
			fprintf(stderr, "cp_token_tool: bad request\n");
			return 2;
		}
		fflush(stdout);
	}
	return 0;
}
