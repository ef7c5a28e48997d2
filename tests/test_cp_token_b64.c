/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * controlplane/b64.c: RFC 4648's test vectors both ways, then what the
 * strict decoder refuses: every byte outside the alphabet at every place
 * of a group, padding in every wrong place and amount, the impossible
 * length 4k+1, non-canonical final characters, and buffers one byte short.
 */
#include "b64.h"
#include "test_util.h"

/* RFC 4648 section 10, "Test Vectors": BASE64("") = "" ... "foobar". */
static const struct {
	const char *plain, *b64;
} rfc4648_s10[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

/* Refusals, each with why. */
static const struct {
	const char *in, *why;
} refused[] = {
	{ "Zg=", "one of two padding characters" },
	{ "Zg===", "three padding characters" },
	{ "Zm9v====", "a whole group of padding" },
	{ "=", "padding alone" },
	{ "==", "padding alone, twice" },
	{ "Z===", "4k+1 data characters, padded" },
	{ "Zm9vY", "4k+1 data characters" },
	{ "Z", "a single character" },
	{ "Zg==Zg==", "padding in the middle" },
	{ "Zm=v", "= inside a group" },
	{ "Zh==", "non-canonical: low 4 bits of the last character set" },
	{ "Zm9=", "non-canonical: low 2 bits of the last character set" },
	{ "Zh", "non-canonical, unpadded" },
	{ "Zm9v\n", "a newline" },
	{ " Zm9v", "a leading space" },
	{ "Zm9v ", "a trailing space" },
	{ "Zm 9v", "a space inside" },
	{ "Zm9v\r\n", "CRLF" },
	{ "Zm9-", "URL-safe -" },
	{ "Zm9_", "URL-safe _" },
	{ "Zm9v\tYmFy", "a tab" },
};

static int in_alphabet(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

int main(void)
{
	uint8_t buf[64];
	char enc[80];

	for (size_t i = 0; i < ARRAY_LEN(rfc4648_s10); i++) {
		const char *p = rfc4648_s10[i].plain, *b = rfc4648_s10[i].b64;
		size_t plen = strlen(p), blen = strlen(b);
		long n;

		n = cp_b64_encode((const uint8_t *)p, plen, enc, sizeof(enc));
		CHECK(n == (long)blen && strcmp(enc, b) == 0, "encode \"%s\": \"%s\"", p, enc);
		CHECK(cp_b64_encoded_len(plen) == blen, "encoded_len(%zu)", plen);
		/* Exactly the length and the NUL fit; one byte less does not. */
		CHECK(cp_b64_encode((const uint8_t *)p, plen, enc, blen + 1) == (long)blen,
		      "encode \"%s\" into an exact buffer", p);
		CHECK(cp_b64_encode((const uint8_t *)p, plen, enc, blen) == -1,
		      "encode \"%s\" into a buffer without room for the NUL", p);

		n = cp_b64_decode(b, blen, buf, sizeof(buf));
		CHECK(n == (long)plen && memcmp(buf, p, plen) == 0, "decode \"%s\": %ld", b, n);
		CHECK(cp_b64_decode(b, blen, buf, plen) == (long)plen, "decode \"%s\" exact", b);
		if (plen)
			CHECK(cp_b64_decode(b, blen, buf, plen - 1) == -1,
			      "decode \"%s\" into a buffer one byte short", b);
		/* The same without padding. */
		size_t unpadded = blen;
		while (unpadded && b[unpadded - 1] == '=')
			unpadded--;
		n = cp_b64_decode(b, unpadded, buf, sizeof(buf));
		CHECK(n == (long)plen && memcmp(buf, p, plen) == 0, "decode unpadded \"%.*s\"",
		      (int)unpadded, b);
	}

	for (size_t i = 0; i < ARRAY_LEN(refused); i++)
		CHECK(cp_b64_decode(refused[i].in, strlen(refused[i].in), buf, sizeof(buf)) == -1,
		      "accepted \"%s\" (%s)", refused[i].in, refused[i].why);

	/* Every byte outside the alphabet (but '='), at each place of a group
	 * of "Zm9vYmFy", and a NUL counted in the length. */
	for (int c = 0; c < 256; c++) {
		if (in_alphabet(c) || c == '=')
			continue;
		for (int at = 0; at < 8; at++) {
			char in[9] = "Zm9vYmFy";

			in[at] = (char)c;
			CHECK(cp_b64_decode(in, 8, buf, sizeof(buf)) == -1,
			      "accepted byte 0x%02x at %d", c, at);
		}
	}

	/* Round trips of every length up to 48 bytes and every byte value. */
	for (size_t len = 0; len <= 48; len++) {
		uint8_t plain[48], back[48];
		uint64_t seed = len;
		long n;

		for (size_t i = 0; i < len; i++)
			plain[i] = (uint8_t)test_rand(&seed);
		n = cp_b64_encode(plain, len, enc, sizeof(enc));
		CHECK(n == (long)cp_b64_encoded_len(len), "encode %zu bytes", len);
		CHECK(cp_b64_decode(enc, (size_t)n, back, sizeof(back)) == (long)len &&
			      memcmp(back, plain, len) == 0,
		      "round trip of %zu bytes", len);
		CHECK(cp_b64_decoded_max((size_t)n) >= len, "decoded_max of %ld", n);
	}
	return test_summary("cp_token_b64");
}
