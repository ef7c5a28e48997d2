/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control protocol's text (controlplane/ctl_proto.c), as tables:
 *
 *   1. request lines and what they parse to: words, quoting and its two
 *      escapes, --json, and every refusal (empty, too long, control
 *      characters, invalid UTF-8, bad quotes and escapes, too many words);
 *   2. quoting words back into a request, and parsing them again;
 *   3. reply framing and the reader, whatever the chunk sizes, and status
 *      lines that are not replies.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "ctl_proto.h"
#include "test_util.h"

#define W(...) { __VA_ARGS__, NULL }

struct parse_row {
	const char *name;
	const char *line;
	size_t len;                     /* 0: strlen(line) */
	enum ctl_parse_status status;
	bool json;
	const char *words[12];          /* NULL-terminated */
};

static const struct parse_row parse_rows[] = {
	{ "one word", "help", 0, CTL_PARSE_OK, false, W("help") },
	{ "two words", "room show", 0, CTL_PARSE_OK, false, W("room", "show") },
	{ "args", "room show app1 standup", 0, CTL_PARSE_OK, false,
	  W("room", "show", "app1", "standup") },
	{ "runs of spaces and tabs", "  room \t show   app1\t", 0, CTL_PARSE_OK, false,
	  W("room", "show", "app1") },
	{ "CR before the newline", "status\r", 0, CTL_PARSE_OK, false, W("status") },
	{ "quoted word", "room show app1 \"daily standup\"", 0, CTL_PARSE_OK, false,
	  W("room", "show", "app1", "daily standup") },
	{ "escaped quote", "say \"a \\\"b\\\" c\"", 0, CTL_PARSE_OK, false,
	  W("say", "a \"b\" c") },
	{ "escaped backslash", "say \"c:\\\\x\"", 0, CTL_PARSE_OK, false, W("say", "c:\\x") },
	{ "bare backslash is literal", "say a\\b", 0, CTL_PARSE_OK, false, W("say", "a\\b") },
	{ "empty quoted word", "say \"\" x", 0, CTL_PARSE_OK, false, W("say", "", "x") },
	{ "quoted command", "\"room\" show", 0, CTL_PARSE_OK, false, W("room", "show") },
	{ "UTF-8", "say caf\xc3\xa9 \"\xe2\x82\xac 5\"", 0, CTL_PARSE_OK, false,
	  W("say", "caf\xc3\xa9", "\xe2\x82\xac 5") },
	{ "--json at the end", "rooms --json", 0, CTL_PARSE_OK, true, W("rooms") },
	{ "--json first", "--json room show a b", 0, CTL_PARSE_OK, true,
	  W("room", "show", "a", "b") },
	{ "--json in the middle", "room --json show", 0, CTL_PARSE_OK, true, W("room", "show") },
	{ "quoted --json is an argument", "say \"--json\"", 0, CTL_PARSE_OK, false,
	  W("say", "--json") },
	{ "--json=1 is an argument", "say --json=1", 0, CTL_PARSE_OK, false, W("say", "--json=1") },
	{ "other options are arguments", "token generate --key K", 0, CTL_PARSE_OK, false,
	  W("token", "generate", "--key", "K") },

	{ "empty line", "", 0, CTL_PARSE_EMPTY, false, W(NULL) },
	{ "only spaces", "   \t ", 0, CTL_PARSE_EMPTY, false, W(NULL) },
	{ "only CR", "\r", 0, CTL_PARSE_EMPTY, false, W(NULL) },
	{ "only --json", "--json", 0, CTL_PARSE_EMPTY, false, W(NULL) },
	{ "NUL byte", "he\0lp", 5, CTL_PARSE_CONTROL_CHAR, false, W(NULL) },
	{ "bell", "say \x07", 0, CTL_PARSE_CONTROL_CHAR, false, W(NULL) },
	{ "DEL", "say a\x7f", 0, CTL_PARSE_CONTROL_CHAR, false, W(NULL) },
	{ "tab inside quotes", "say \"a\tb\"", 0, CTL_PARSE_CONTROL_CHAR, false, W(NULL) },
	{ "CR inside the line", "say a\rb", 0, CTL_PARSE_CONTROL_CHAR, false, W(NULL) },
	{ "newline inside the line", "say a\nb", 0, CTL_PARSE_CONTROL_CHAR, false, W(NULL) },
	{ "invalid UTF-8", "say \xff", 0, CTL_PARSE_NOT_UTF8, false, W(NULL) },
	{ "overlong UTF-8", "say \xc0\xaf", 0, CTL_PARSE_NOT_UTF8, false, W(NULL) },
	{ "UTF-16 surrogate", "say \xed\xa0\x80", 0, CTL_PARSE_NOT_UTF8, false, W(NULL) },
	{ "truncated UTF-8", "say \xe2\x82", 0, CTL_PARSE_NOT_UTF8, false, W(NULL) },
	{ "unterminated quote", "say \"abc", 0, CTL_PARSE_UNTERMINATED_QUOTE, false, W(NULL) },
	{ "escape at the end", "say \"abc\\", 0, CTL_PARSE_UNTERMINATED_QUOTE, false, W(NULL) },
	{ "escaped closing quote", "say \"abc\\\"", 0, CTL_PARSE_UNTERMINATED_QUOTE, false, W(NULL) },
	{ "lone quote", "\"", 0, CTL_PARSE_UNTERMINATED_QUOTE, false, W(NULL) },
	{ "\\n escape", "say \"a\\nb\"", 0, CTL_PARSE_BAD_ESCAPE, false, W(NULL) },
	{ "\\x escape", "say \"\\x41\"", 0, CTL_PARSE_BAD_ESCAPE, false, W(NULL) },
	{ "quote inside a bare word", "say ab\"c\"", 0, CTL_PARSE_QUOTE_IN_WORD, false, W(NULL) },
	{ "text after a closing quote", "say \"ab\"c", 0, CTL_PARSE_QUOTE_IN_WORD, false, W(NULL) },
	{ "two quoted words touching", "say \"a\"\"b\"", 0, CTL_PARSE_QUOTE_IN_WORD, false, W(NULL) },
};

static void check_parse_rows(void)
{
	static struct ctl_words w;

	for (size_t i = 0; i < ARRAY_LEN(parse_rows); i++) {
		const struct parse_row *r = &parse_rows[i];
		size_t len = r->len ? r->len : strlen(r->line);
		enum ctl_parse_status st = ctl_parse(r->line, len, &w);
		int n = 0;

		while (r->words[n])
			n++;
		CHECK(st == r->status, "%s: status %s, expected %s", r->name,
		      ctl_parse_status_str(st), ctl_parse_status_str(r->status));
		CHECK(w.argc == n, "%s: %d words, expected %d", r->name, w.argc, n);
		CHECK(w.json == r->json, "%s: json %d", r->name, w.json);
		CHECK(w.argv[w.argc] == NULL, "%s: argv not NULL-terminated", r->name);
		for (int k = 0; k < n && k < w.argc; k++)
			CHECK(strcmp(w.argv[k], r->words[k]) == 0, "%s: word %d is \"%s\", expected \"%s\"",
			      r->name, k, w.argv[k], r->words[k]);
	}
}

/* n words "x", then --json when json, in line; returns the length. */
static size_t words_line(char *line, int n, bool json)
{
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		if (i)
			line[len++] = ' ';
		line[len++] = 'x';
	}
	if (json) {
		memcpy(line + len, n ? " --json" : "--json", n ? 7 : 6);
		len += n ? 7 : 6;
	}
	return len;
}

/* The limits: a line of CTL_MAX_LINE - 1 bytes (with its newline,
 * CTL_MAX_LINE) is the longest; CTL_MAX_WORDS words, --json counted. */
static void check_limits(void)
{
	static struct ctl_words w;
	static char line[CTL_MAX_LINE + 16];
	size_t n;

	memset(line, 'a', sizeof(line));
	CHECK(ctl_parse(line, CTL_MAX_LINE - 1, &w) == CTL_PARSE_OK && w.argc == 1 &&
	      strlen(w.argv[0]) == CTL_MAX_LINE - 1, "longest line");
	CHECK(ctl_parse(line, CTL_MAX_LINE, &w) == CTL_PARSE_TOO_LONG && w.argc == 0,
	      "one byte too long");
	CHECK(ctl_parse(line, sizeof(line), &w) == CTL_PARSE_TOO_LONG, "much too long");

	n = words_line(line, CTL_MAX_WORDS, false);
	CHECK(ctl_parse(line, n, &w) == CTL_PARSE_OK && w.argc == CTL_MAX_WORDS,
	      "%d words", CTL_MAX_WORDS);
	n = words_line(line, CTL_MAX_WORDS + 1, false);
	CHECK(ctl_parse(line, n, &w) == CTL_PARSE_TOO_MANY_WORDS, "%d words", CTL_MAX_WORDS + 1);
	n = words_line(line, CTL_MAX_WORDS - 1, true);
	CHECK(ctl_parse(line, n, &w) == CTL_PARSE_OK && w.argc == CTL_MAX_WORDS - 1 && w.json,
	      "--json as the last word allowed");
	n = words_line(line, CTL_MAX_WORDS, true);
	CHECK(ctl_parse(line, n, &w) == CTL_PARSE_TOO_MANY_WORDS, "--json counts as a word");

	/* Empty quoted words: two bytes in, one (the NUL) out. */
	for (n = 0; n + 3 <= CTL_MAX_LINE - 1; n += 3)
		memcpy(line + n, "\"\" ", 3);
	CHECK(ctl_parse(line, 3 * CTL_MAX_WORDS - 1, &w) == CTL_PARSE_OK &&
	      w.argc == CTL_MAX_WORDS && w.argv[CTL_MAX_WORDS - 1][0] == '\0', "empty words");
}

/* Words that need quotes, and words that cannot travel at all. */
static void check_quoting(void)
{
	static const struct {
		const char *word, *quoted;   /* quoted NULL: refused */
	} rows[] = {
		{ "plain", "plain" },
		{ "", "\"\"" },
		{ "two words", "\"two words\"" },
		{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ "a\\b", "a\\b" },
		{ "a\\b c", "\"a\\\\b c\"" },
		{ "--json", "\"--json\"" },
		{ "--key", "--key" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "tab\there", NULL },
		{ "new\nline", NULL },
		{ "\xff", NULL },
	};
	static struct ctl_words w;

	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct ctl_buf b = { 0 };
		int rc = ctl_quote_append(&b, rows[i].word);

		if (!rows[i].quoted) {
			CHECK(rc == -1 && b.len == 0, "quote row %zu: accepted", i);
		} else {
			CHECK(rc == 0 && b.p && strcmp(b.p, rows[i].quoted) == 0,
			      "quote row %zu: \"%s\"", i, b.p ? b.p : "(null)");
			/* And back. */
			CHECK(b.p && ctl_parse(b.p, b.len, &w) == CTL_PARSE_OK && w.argc == 1 &&
			      strcmp(w.argv[0], rows[i].word) == 0, "quote row %zu: round trip", i);
		}
		ctl_buf_free(&b);
	}
}

static void check_build_request(void)
{
	static const char *const argv[] = { "room", "show", "app 1", "", "x\"y", "--json" };
	static struct ctl_words w;
	struct ctl_buf b = { 0 };
	const char *bad[] = { "ok", "a\x01" };
	static char big[CTL_MAX_LINE];
	const char *big_argv[] = { big };
	int bad_word = -1;

	CHECK(ctl_build_request(&b, 6, argv, true, NULL) == 0, "build");
	CHECK(b.p && strcmp(b.p, "room show \"app 1\" \"\" \"x\\\"y\" \"--json\" --json\n") == 0,
	      "request: %s", b.p);
	CHECK(ctl_parse(b.p, b.len - 1, &w) == CTL_PARSE_OK && w.json && w.argc == 6,
	      "parses back");
	for (int i = 0; i < 6 && i < w.argc; i++)
		CHECK(strcmp(w.argv[i], argv[i]) == 0, "word %d back: %s", i, w.argv[i]);
	ctl_buf_free(&b);

	CHECK(ctl_build_request(&b, 2, bad, false, &bad_word) == -1 && bad_word == 1 && b.len == 0,
	      "control character refused (%d)", bad_word);

	memset(big, 'b', CTL_MAX_LINE - 2);   /* with "\n": CTL_MAX_LINE - 1 */
	CHECK(ctl_build_request(&b, 1, big_argv, false, NULL) == 0 && b.len == CTL_MAX_LINE - 1,
	      "long request");
	ctl_buf_free(&b);
	big[CTL_MAX_LINE - 2] = 'b';          /* CTL_MAX_LINE with "\n": still fits */
	CHECK(ctl_build_request(&b, 1, big_argv, false, NULL) == 0 && b.len == CTL_MAX_LINE,
	      "longest request");
	ctl_buf_free(&b);
	CHECK(ctl_build_request(&b, 1, big_argv, true, NULL) == -2 && b.len == 0,
	      "too long with --json");
	ctl_buf_free(&b);
}

/* Feeds text to a reader in chunks of `chunk` bytes. */
static enum ctl_read_result feed_chunks(struct ctl_reply_reader *r, const char *text, size_t len,
					size_t chunk, size_t *consumed)
{
	enum ctl_read_result res = CTL_READ_MORE;
	size_t off = 0;

	while (off < len && res == CTL_READ_MORE) {
		size_t n = len - off < chunk ? len - off : chunk, used = 0;

		res = ctl_reply_feed(r, text + off, n, &used);
		off += used;
		if (res == CTL_READ_MORE && used != n)
			return CTL_READ_BAD;  /* MORE must take everything */
	}
	*consumed = off;
	return res;
}

static void check_replies(void)
{
	static const struct {
		const char *text;
		enum ctl_read_result res;
		bool ok;
		const char *body;
		size_t used;   /* bytes of text that are the reply */
	} rows[] = {
		{ "OK 0\n", CTL_READ_DONE, true, "", 5 },
		{ "OK 6\nhello\n", CTL_READ_DONE, true, "hello\n", 11 },
		{ "ERR 5\nnope\n", CTL_READ_DONE, false, "nope\n", 11 },
		{ "OK 2\nabOK 1\nc", CTL_READ_DONE, true, "ab", 7 },   /* the next reply stays */
		{ "OK 3\nab", CTL_READ_MORE, true, NULL, 7 },
		{ "OK", CTL_READ_MORE, false, NULL, 2 },
		{ "ok 1\nx", CTL_READ_BAD, false, NULL, 0 },
		{ "OK 01\nx", CTL_READ_BAD, false, NULL, 0 },
		{ "OK -1\n", CTL_READ_BAD, false, NULL, 0 },
		{ "OK 1 \nx", CTL_READ_BAD, false, NULL, 0 },
		{ "OK \n", CTL_READ_BAD, false, NULL, 0 },
		{ "ERR\n", CTL_READ_BAD, false, NULL, 0 },
		{ "OK 99999999999\n", CTL_READ_BAD, false, NULL, 0 },
		{ "OK 16777217\n", CTL_READ_BAD, false, NULL, 0 },
		{ "HTTP/1.1 200 OK\r\n", CTL_READ_BAD, false, NULL, 0 },
		{ "OK 1xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", CTL_READ_BAD, false, NULL, 0 },
	};
	static const size_t chunks[] = { 1, 2, 3, 7, 4096 };

	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		for (size_t c = 0; c < ARRAY_LEN(chunks); c++) {
			struct ctl_reply_reader r = { 0 };
			size_t used = 0;
			enum ctl_read_result res = feed_chunks(&r, rows[i].text, strlen(rows[i].text),
							       chunks[c], &used);

			CHECK(res == rows[i].res, "reply row %zu chunk %zu: result %d", i, chunks[c],
			      res);
			if (res == CTL_READ_DONE) {
				CHECK(r.ok == rows[i].ok, "reply row %zu: ok", i);
				CHECK(r.body.len == strlen(rows[i].body) &&
				      memcmp(r.body.p, rows[i].body, r.body.len) == 0,
				      "reply row %zu: body", i);
				CHECK(used == rows[i].used, "reply row %zu chunk %zu: used %zu", i,
				      chunks[c], used);
			}
			ctl_reply_reader_free(&r);
		}

	{
		char st[32];

		CHECK(ctl_format_status(st, true, 0) == 5 && strcmp(st, "OK 0\n") == 0, "OK 0");
		CHECK(ctl_format_status(st, false, 123) == 8 && strcmp(st, "ERR 123\n") == 0,
		      "ERR 123");
	}
}

static void check_default_path(void)
{
	char p[128];

	unsetenv("STRATA_STATE_DIR");
	CHECK(ctl_default_socket_path(p, sizeof(p)) == 0 && strcmp(p, "/run/strata/ctl.sock") == 0,
	      "default: %s", p);
	setenv("STRATA_STATE_DIR", "", 1);
	CHECK(ctl_default_socket_path(p, sizeof(p)) == 0 && strcmp(p, "/run/strata/ctl.sock") == 0,
	      "empty: %s", p);
	setenv("STRATA_STATE_DIR", "/tmp/s", 1);
	CHECK(ctl_default_socket_path(p, sizeof(p)) == 0 && strcmp(p, "/tmp/s/ctl.sock") == 0,
	      "state dir: %s", p);
	setenv("STRATA_STATE_DIR", "/tmp/s/", 1);
	CHECK(ctl_default_socket_path(p, sizeof(p)) == 0 && strcmp(p, "/tmp/s/ctl.sock") == 0,
	      "trailing slash: %s", p);
	setenv("STRATA_STATE_DIR", "/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1);
	CHECK(ctl_default_socket_path(p, sizeof(p)) == -1, "too long for sun_path");
	unsetenv("STRATA_STATE_DIR");
}

int main(void)
{
	check_parse_rows();
	check_limits();
	check_quoting();
	check_build_request();
	check_replies();
	check_default_path();
	return test_summary("cp_ctl_proto");
}
