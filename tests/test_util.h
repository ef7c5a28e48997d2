/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A few lines of test harness shared by the C tests: checks that record a
 * failure and go on, hex helpers, and a TAP-style summary so meson shows
 * each binary's count.  No assert(): release builds define NDEBUG.
 */
#ifndef STRATA_TEST_UTIL_H
#define STRATA_TEST_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Weak rather than static: the test and the shared fixtures linked into its
 * binary all count into this one pair. */
__attribute__((weak)) unsigned test_checks, test_failures;

static inline void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	test_failures++;
	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* CHECK(cond, "what went wrong %d", x): counts, reports, carries on. */
#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		test_checks++;                                                 \
		if (!(cond))                                                   \
			test_fail(__FILE__, __LINE__, __VA_ARGS__);           \
	} while (0)

/* Compares two byte strings and prints the first difference. */
#define CHECK_MEM(a, b, n, what)                                               \
	do {                                                                   \
		const uint8_t *a_ = (const uint8_t *)(a), *b_ = (const uint8_t *)(b); \
		size_t n_ = (n), i_ = 0;                                       \
		while (i_ < n_ && a_[i_] == b_[i_])                            \
			i_++;                                                  \
		CHECK(i_ == n_, "%s: differs at byte %zu of %zu (%02x != %02x)", \
		      (what), i_, n_, i_ < n_ ? a_[i_] : 0, i_ < n_ ? b_[i_] : 0); \
	} while (0)

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Decodes hex (spaces ignored) into out; returns the byte count. */
static inline size_t test_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else if (*hex >= 'A' && *hex <= 'F')
			v = *hex - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			if (n == cap) {
				fprintf(stderr, "test_hex: %zu bytes do not fit\n", n + 1);
				exit(2);
			}
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

/* A deterministic generator, so a failure can be replayed. */
static inline uint32_t test_rand(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*state >> 33);
}

/* Ends main: prints the count and returns the exit status. */
static inline int test_summary(const char *name)
{
	printf("%s: %u checks, %u failed\n", name, test_checks, test_failures);
	return test_failures ? 1 : 0;
}

#endif /* STRATA_TEST_UTIL_H */
