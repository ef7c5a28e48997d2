/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp's logs (controlplane/log.c), with clocks the test sets:
 *
 *   - the exact line format, and how values are quoted and escaped
 *     (a table: spaces, quotes, '=', backslashes, control characters,
 *     UTF-8 and what is not UTF-8);
 *   - levels per subsystem and the default, changed at run time;
 *   - per-site rate limits: a burst, then suppression, the "suppressed K
 *     messages" line before the next line that passes, a site that went
 *     quiet reported by cp_log_flush_suppressed, other sites unaffected;
 *   - long lines cut, printf messages, four threads at once (whole
 *     lines, none lost), log files reopened after a rotation;
 *   - the audit log: exact lines, secrets redacted by position and by
 *     option (a table), unknown commands' arguments all redacted, refused
 *     peers, write failures counted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "test_util.h"

CP_LOG_MODULE(logtest);

/* A second subsystem, by hand (one CP_LOG_MODULE per file). */
static struct cp_log_module other = { "other", -1, NULL };

static uint64_t fake_mono = 1000000, fake_real = 1764499800123ull;  /* 2025-11-30T10:50:00.123Z */

static uint64_t mono(void)
{
	return __atomic_load_n(&fake_mono, __ATOMIC_RELAXED);
}

static uint64_t real(void)
{
	return fake_real;
}

#define TS "ts=2025-11-30T10:50:00.123Z "

/* The capture file and how much of it was read. */
static int cap_fd = -1;
static off_t cap_off;

static char *take(void)
{
	off_t end = lseek(cap_fd, 0, SEEK_END);
	char *p = calloc(1, (size_t)(end - cap_off) + 1);

	if (pread(cap_fd, p, (size_t)(end - cap_off), cap_off) != end - cap_off)
		p[0] = '\0';
	cap_off = end;
	return p;
}

static void expect_lines(const char *want, const char *what)
{
	char *got = take();

	CHECK(strcmp(got, want) == 0, "%s:\n got: %s\nwant: %s", what, got, want);
	free(got);
}

static int capture_file(void)
{
	char path[] = "/tmp/strata-test-log-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0) {
		perror("mkstemp");
		exit(1);
	}
	unlink(path);
	return fd;
}

/* ---- Format ---------------------------------------------------------------- */

static void check_format(void)
{
	static const struct {
		const char *value, *shown;
	} rows[] = {
		{ "plain", "plain" },
		{ "/path/to-file.conf", "/path/to-file.conf" },
		{ "", "\"\"" },
		{ "a b", "\"a b\"" },
		{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ "k=v", "\"k=v\"" },
		{ "back\\slash", "\"back\\\\slash\"" },
		{ "line\nbreak", "\"line\\nbreak\"" },
		{ "cr\rtab\t", "\"cr\\rtab\\t\"" },
		{ "\x01\x1b[31m\x7f", "\"\\x01\\x1b[31m\\x7f\"" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "\xe2\x82\xac\xf0\x9f\x8e\xa5", "\xe2\x82\xac\xf0\x9f\x8e\xa5" },
		{ "\xff", "\"\\xff\"" },
		{ "caf\xc3", "\"caf\\xc3\"" },
		{ "\xed\xa0\x80", "\"\\xed\\xa0\\x80\"" },
		{ "fake\" level=error", "\"fake\\\" level=error\"" },
		{ NULL, "(null)" },
	};
	char want[512];

	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		CP_INFO("value", CP_KV_STR("v", rows[i].value));
		snprintf(want, sizeof(want), TS "level=info sys=logtest msg=value v=%s\n",
			 rows[i].shown);
		expect_lines(want, rows[i].shown);
	}
	CP_WARN("two words", CP_KV_INT("n", -3), CP_KV_UINT("u", 18446744073709551615ull),
		CP_KV_STR("bad key!", "x"));
	expect_lines(TS "level=warn sys=logtest msg=\"two words\" n=-3 u=18446744073709551615 "
		     "bad_key_=x\n", "numbers and keys");
	CP_ERR("bare");
	expect_lines(TS "level=error sys=logtest msg=bare\n", "no fields");
	CP_LOGF(CP_LOG_INFO, "%d apples in \"%s\"", 3, "a b");
	expect_lines(TS "level=info sys=logtest msg=\"3 apples in \\\"a b\\\"\"\n", "printf");

	{
		char *big = malloc(10001), *got;

		memset(big, 'a', 10000);
		big[10000] = '\0';
		CP_INFO("big", CP_KV_STR("v", big));
		got = take();
		CHECK(strlen(got) == 4096 && strcmp(got + 4092, "...\n") == 0 &&
		      strncmp(got, TS "level=info sys=logtest msg=big v=aaaa", 40) == 0,
		      "long line cut: %zu bytes", strlen(got));
		free(got);
		free(big);
	}
	{
		char t[32];

		cp_log_format_time(0, t);
		CHECK(strcmp(t, "1970-01-01T00:00:00.000Z") == 0, "epoch: %s", t);
		cp_log_format_time(1764499800123ull, t);
		CHECK(strcmp(t, "2025-11-30T10:50:00.123Z") == 0, "time: %s", t);
	}
}

/* ---- Levels ------------------------------------------------------------------- */

static void list_modules(const char *name, enum cp_log_level level, bool own, void *arg)
{
	char *buf = arg;
	size_t n = strlen(buf);

	snprintf(buf + n, 256 - n, "%s=%s%s ", name, cp_log_level_name(level), own ? "!" : "");
}

static void check_levels(void)
{
	char list[256] = "";

	CP_DBG("hidden");
	expect_lines("", "debug hidden at info");
	CHECK(cp_log_get_level(NULL) == CP_LOG_INFO && cp_log_get_level("logtest") == CP_LOG_INFO,
	      "default info");
	CHECK(cp_log_set_level("logtest", CP_LOG_DEBUG) == 0, "set logtest");
	CP_DBG("shown");
	expect_lines(TS "level=debug sys=logtest msg=shown\n", "debug shown");
	CHECK(!cp_log_enabled(&other, CP_LOG_DEBUG) && cp_log_enabled(&other, CP_LOG_INFO),
	      "other still at info");
	cp_log_foreach_module(list_modules, list);
	CHECK(strstr(list, "logtest=debug! other=info "), "modules: %s", list);

	CHECK(cp_log_set_level(NULL, CP_LOG_ERROR) == 0, "default error");
	CHECK(cp_log_get_level("logtest") == CP_LOG_ERROR, "own level cleared");
	CP_WARN("hidden");
	CP_ERR("shown");
	expect_lines(TS "level=error sys=logtest msg=shown\n", "only errors");
	CHECK(cp_log_set_level("nope", CP_LOG_INFO) == -1 && cp_log_get_level("nope") == -1,
	      "unknown subsystem");
	CHECK(cp_log_set_level(NULL, (enum cp_log_level)7) == -1, "bad level");
	cp_log_set_level(NULL, CP_LOG_INFO);

	{
		static const struct {
			const char *name;
			int level;
		} names[] = {
			{ "error", CP_LOG_ERROR }, { "err", CP_LOG_ERROR }, { "warn", CP_LOG_WARN },
			{ "warning", CP_LOG_WARN }, { "info", CP_LOG_INFO }, { "debug", CP_LOG_DEBUG },
			{ "loud", -1 }, { "", -1 }, { "INFO", -1 }, { NULL, -1 },
		};

		for (size_t i = 0; i < ARRAY_LEN(names); i++)
			CHECK(cp_log_level_parse(names[i].name) == names[i].level, "parse %s",
			      names[i].name ? names[i].name : "NULL");
		CHECK(strcmp(cp_log_level_name(CP_LOG_WARN), "warn") == 0 &&
		      strcmp(cp_log_level_name((enum cp_log_level)9), "unknown") == 0, "names");
	}
}

/* ---- Rate limits ----------------------------------------------------------------- */

static int flood_line;

/* One call site: at most 2 lines a second, bursts of 5. */
static void flood(int i)
{
	flood_line = __LINE__ + 1;
	CP_LOG_RL(CP_LOG_INFO, 2, 5, "flood", CP_KV_INT("i", i));
}

static void other_site(void)
{
	CP_LOG_RL(CP_LOG_INFO, 2, 1, "other site");
}

static void unlimited(int i)
{
	CP_LOG_RL(CP_LOG_INFO, 0, 0, "unlimited", CP_KV_INT("i", i));
}

static void check_rate_limits(void)
{
	struct cp_log_stats before, after;
	char want[4096], *got;
	size_t n;

	cp_log_get_stats(&before);
	for (int i = 0; i < 20; i++)
		flood(i);
	n = 0;
	for (int i = 0; i < 5; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n,
				      TS "level=info sys=logtest msg=flood i=%d\n", i);
	expect_lines(want, "a burst of 5, then nothing");
	cp_log_get_stats(&after);
	CHECK(after.suppressed - before.suppressed == 15 && after.written - before.written == 5,
	      "counted: %llu suppressed", (unsigned long long)(after.suppressed - before.suppressed));

	other_site();
	expect_lines(TS "level=info sys=logtest msg=\"other site\"\n", "another site unaffected");

	/* A second later: two more tokens; the first line says what was lost. */
	fake_mono += 1000;
	flood(20);
	flood(21);
	flood(22);
	snprintf(want, sizeof(want),
		 TS "level=info sys=logtest msg=\"suppressed 15 messages\" site=test_cp_log.c:%d "
		 "like=flood\n"
		 TS "level=info sys=logtest msg=flood i=20\n"
		 TS "level=info sys=logtest msg=flood i=21\n", flood_line);
	expect_lines(want, "after a second");

	/* Half a second: one token; then the site goes quiet and the flush
	 * reports it (once). */
	fake_mono += 500;
	flood(23);
	flood(24);
	snprintf(want, sizeof(want),
		 TS "level=info sys=logtest msg=\"suppressed 1 message\" site=test_cp_log.c:%d "
		 "like=flood\n"
		 TS "level=info sys=logtest msg=flood i=23\n", flood_line);
	expect_lines(want, "half a second");
	cp_log_flush_suppressed();
	snprintf(want, sizeof(want),
		 TS "level=info sys=logtest msg=\"suppressed 1 message\" site=test_cp_log.c:%d "
		 "like=flood\n", flood_line);
	expect_lines(want, "flushed");
	cp_log_flush_suppressed();
	expect_lines("", "nothing more to flush");

	/* Long after: a full burst again, not more. */
	fake_mono += 3600 * 1000;
	for (int i = 0; i < 7; i++)
		flood(100 + i);
	got = take();
	n = 0;
	for (char *p = got; (p = strstr(p, "msg=flood")); p++)
		n++;
	CHECK(n == 5, "a refilled bucket holds 5, got %zu", n);
	free(got);

	for (int i = 0; i < 1000; i++)
		unlimited(i);
	got = take();
	n = 0;
	for (char *p = got; (p = strchr(p, '\n')); p++)
		n++;
	CHECK(n == 1000, "rate 0 is unlimited: %zu", n);
	free(got);

	/* Below the level, nothing is counted. */
	cp_log_get_stats(&before);
	CP_LOG_RL(CP_LOG_DEBUG, 1, 1, "debug flood");
	CP_LOG_RL(CP_LOG_DEBUG, 1, 1, "debug flood");
	cp_log_get_stats(&after);
	CHECK(after.suppressed == before.suppressed && after.written == before.written,
	      "disabled levels cost nothing");
}

/* ---- Threads --------------------------------------------------------------------- */

static void *writer(void *arg)
{
	long id = (long)arg;

	for (int i = 0; i < 2000; i++)
		CP_LOG_RL(CP_LOG_INFO, 0, 0, "threaded", CP_KV_INT("thread", id), CP_KV_INT("i", i),
			  CP_KV_STR("pad", "some text to make the line longer than a few words"));
	return NULL;
}

static void check_threads(void)
{
	pthread_t t[4];
	char *got, *p, *nl;
	size_t lines = 0, bad = 0;

	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, writer, (void *)i);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	got = take();
	for (p = got; (nl = strchr(p, '\n')); p = nl + 1) {
		lines++;
		if (strncmp(p, TS "level=info sys=logtest msg=threaded thread=", 71) != 0 ||
		    strncmp(nl - 10, "few words\"", 10) != 0)
			bad++;
	}
	CHECK(lines == 8000 && bad == 0 && *p == '\0', "threads: %zu lines, %zu broken", lines, bad);
	free(got);
}

/* ---- Files ------------------------------------------------------------------------ */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *p = calloc(1, 65536);

	if (f) {
		if (fread(p, 1, 65535, f) == 0)
			p[0] = '\0';
		fclose(f);
	}
	return p;
}

static void check_files(void)
{
	char dir[] = "/tmp/strata-test-logdir-XXXXXX", path[128], rotated[140], *a, *b;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/cp.log", dir);
	snprintf(rotated, sizeof(rotated), "%s/cp.log.1", dir);
	CHECK(cp_log_open(path) == 0, "open");
	CP_INFO("first");
	CHECK(rename(path, rotated) == 0, "rotate");
	CHECK(cp_log_reopen() == 0, "reopen");
	CP_INFO("second");
	a = slurp(rotated);
	b = slurp(path);
	CHECK(strcmp(a, TS "level=info sys=logtest msg=first\n") == 0, "rotated: %s", a);
	CHECK(strcmp(b, TS "level=info sys=logtest msg=second\n") == 0, "new: %s", b);
	free(a);
	free(b);
	CHECK(cp_log_open("/nonexistent-strata/x.log") == -ENOENT, "missing directory");
	CHECK(cp_log_open("-") == 0 && cp_log_reopen() == 0, "stderr");

	/* The audit log too. */
	CHECK(cp_audit_open(path) == 0, "audit open");
	cp_audit(&(struct cp_audit_record){ .command = "status", .ok = true });
	CHECK(rename(path, rotated) == 0 && cp_audit_reopen() == 0, "audit rotate");
	cp_audit(&(struct cp_audit_record){ .command = "status", .ok = true });
	a = slurp(rotated);
	b = slurp(path);
	CHECK(strstr(a, "\"command\":\"status\"") && strstr(b, "\"command\":\"status\""),
	      "audit rotated:\n%s\n%s", a, b);
	free(a);
	free(b);
	unlink(path);
	unlink(rotated);
	rmdir(dir);
	cp_log_set_fd(cap_fd);
	cp_audit_set_fd(cap_fd);
}

/* ---- The audit log ---------------------------------------------------------------- */

static void check_secret_specs(void)
{
	static const struct {
		const char *spec;
		const char *argv[6];
		int argc, i;
		bool secret;
	} rows[] = {
		{ "2", { "app1", "KEY" }, 2, 1, true },
		{ "2", { "app1", "KEY" }, 2, 0, false },
		{ "1 3", { "a", "b", "c" }, 3, 0, true },
		{ "1 3", { "a", "b", "c" }, 3, 1, false },
		{ "1 3", { "a", "b", "c" }, 3, 2, true },
		{ "--key", { "--key", "K", "app" }, 3, 1, true },
		{ "--key", { "--key", "K", "app" }, 3, 0, false },
		{ "--key", { "--key", "K", "app" }, 3, 2, false },
		{ "--key", { "--key=K", "app" }, 2, 0, true },
		{ "--key", { "--keyring", "K" }, 2, 1, false },
		{ "--key", { "--keyring=K" }, 1, 0, false },
		{ "--key 3", { "x", "--key", "K", "L" }, 4, 2, true },
		{ "--key 3", { "x", "--key", "K", "L" }, 4, 3, false },
		{ "--key --secret", { "--secret", "S" }, 2, 1, true },
		{ NULL, { "a" }, 1, 0, false },
		{ "", { "a" }, 1, 0, false },
		{ "2", { "a" }, 1, 1, false },   /* out of range */
	};
	static const struct {
		const char *spec;
		int rc;
	} checks[] = {
		{ NULL, 0 }, { "", 0 }, { "1", 0 }, { "2 --key", 0 }, { "  3   --k ", 0 },
		{ "0", -1 }, { "-k", -1 }, { "--", -1 }, { "key", -1 }, { "12345", -1 }, { "1a", -1 },
		{ "01", -1 },
	};

	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		CHECK(cp_audit_is_secret(rows[i].spec, rows[i].argc, rows[i].argv, rows[i].i) ==
		      rows[i].secret, "secret row %zu", i);
	for (size_t i = 0; i < ARRAY_LEN(checks); i++)
		CHECK(cp_audit_spec_check(checks[i].spec) == checks[i].rc, "spec check \"%s\"",
		      checks[i].spec ? checks[i].spec : "NULL");
}

static void check_audit_lines(void)
{
	const char *argv[] = { "--key=SECRET-1", "app1", "--key", "SECRET-2", "SECRET-3", "alice" };
	struct cp_log_stats before, after;
	struct cp_audit_record r = {
		.uid = 1000, .pid = 42, .command = "app add", .argc = 2,
		.argv = (const char *const[]){ "app1", "SECRET-0" }, .secret = "2", .ok = true,
	};

	cp_audit(&r);
	expect_lines("{\"ts\":\"2025-11-30T10:50:00.123Z\",\"event\":\"command\",\"uid\":1000,"
		     "\"pid\":42,\"command\":\"app add\",\"args\":[\"app1\",\"<redacted>\"],"
		     "\"result\":\"ok\"}\n", "redacted by position");

	r = (struct cp_audit_record){ .uid = 0, .pid = 1, .command = "token generate", .argc = 6,
				      .argv = argv, .secret = "--key 5", .ok = false,
				      .error = "bad \xff key" };
	cp_audit(&r);
	expect_lines("{\"ts\":\"2025-11-30T10:50:00.123Z\",\"event\":\"command\",\"uid\":0,"
		     "\"pid\":1,\"command\":\"token generate\",\"args\":[\"--key=<redacted>\","
		     "\"app1\",\"--key\",\"<redacted>\",\"<redacted>\",\"alice\"],"
		     "\"result\":\"error\",\"error\":\"bad ? key\"}\n", "redacted by option");

	r.all_secret = true;
	r.command = "tokn";
	r.error = "unknown command";
	cp_audit(&r);
	expect_lines("{\"ts\":\"2025-11-30T10:50:00.123Z\",\"event\":\"command\",\"uid\":0,"
		     "\"pid\":1,\"command\":\"tokn\",\"args\":[\"<redacted>\",\"<redacted>\","
		     "\"<redacted>\",\"<redacted>\",\"<redacted>\",\"<redacted>\"],"
		     "\"result\":\"error\",\"error\":\"unknown command\"}\n", "all redacted");

	cp_audit(&(struct cp_audit_record){ .event = "refused", .uid = 65534, .pid = 7,
					    .error = "uid not allowed" });
	expect_lines("{\"ts\":\"2025-11-30T10:50:00.123Z\",\"event\":\"refused\",\"uid\":65534,"
		     "\"pid\":7,\"command\":null,\"result\":\"error\",\"error\":\"uid not allowed\"}\n",
		     "refused peer");

	/* The audit log is never rate-limited. */
	for (int i = 0; i < 500; i++)
		cp_audit(&(struct cp_audit_record){ .command = "status", .ok = true });
	{
		char *got = take();
		size_t n = 0;

		for (char *p = got; (p = strchr(p, '\n')); p++)
			n++;
		CHECK(n == 500, "500 audit lines, got %zu", n);
		free(got);
	}

	cp_log_get_stats(&before);
	cp_audit_set_fd(-1);
	cp_audit(&(struct cp_audit_record){ .command = "status", .ok = true });
	cp_audit_set_fd(cap_fd);
	cp_log_get_stats(&after);
	CHECK(after.audit_errors == before.audit_errors + 1, "write failure counted");
}

static void check_utf8(void)
{
	static const struct {
		const char *s;
		size_t n, len;
	} rows[] = {
		{ "a", 1, 1 }, { "\x7f", 1, 1 }, { "\xc2\x80", 2, 2 }, { "\xdf\xbf", 2, 2 },
		{ "\xc1\xbf", 2, 0 }, { "\xc0\x80", 2, 0 }, { "\x80", 1, 0 }, { "\xc2", 1, 0 },
		{ "\xc2\x41", 2, 0 }, { "\xe0\xa0\x80", 3, 3 }, { "\xe0\x9f\xbf", 3, 0 },
		{ "\xed\x9f\xbf", 3, 3 }, { "\xed\xa0\x80", 3, 0 }, { "\xef\xbf\xbf", 3, 3 },
		{ "\xe2\x82", 2, 0 }, { "\xf0\x90\x80\x80", 4, 4 }, { "\xf0\x8f\xbf\xbf", 4, 0 },
		{ "\xf4\x8f\xbf\xbf", 4, 4 }, { "\xf4\x90\x80\x80", 4, 0 }, { "\xf5\x80\x80\x80", 4, 0 },
		{ "\xff", 1, 0 }, { "", 0, 0 },
	};

	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		CHECK(cp_utf8_char_len((const unsigned char *)rows[i].s, rows[i].n) == rows[i].len,
		      "utf8 row %zu", i);
	{
		char s[] = "ok\xff\xc3\xa9\xc3";

		cp_utf8_sanitize(s, strlen(s));
		CHECK(strcmp(s, "ok?\xc3\xa9?") == 0, "sanitize: %s", s);
	}
}

int main(void)
{
	cap_fd = capture_file();
	cp_log_module_register(&other);
	cp_log_set_clocks(mono, real);
	cp_log_set_fd(cap_fd);
	cp_audit_set_fd(cap_fd);

	check_format();
	check_levels();
	check_rate_limits();
	check_threads();
	check_files();
	check_secret_specs();
	check_audit_lines();
	check_utf8();

	cp_log_set_clocks(NULL, NULL);
	cp_log_set_fd(2);
	cp_audit_set_fd(2);
	close(cap_fd);
	return test_summary("cp_log");
}
