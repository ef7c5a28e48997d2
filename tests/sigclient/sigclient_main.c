/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-sigclient: a signaling client for integration tests and people.
 *
 *   strata-sigclient --url wss://127.0.0.1:PORT/strata/v1 --ca CERT
 *                    [--script FILE|-] [--expect TYPE]... [--expect-close CODE]
 *                    [--timeout MS] [--linger MS] [--subprotocol NAME|""]
 *   strata-sigclient --mode garbage|half-open|no-upgrade|slowloris
 *                    --url ... [--ca CERT] [--timeout MS]
 *   strata-sigclient --mode tls-probe --tls 1.1|1.2|1.3 [--ciphers LIST] --url ... --ca CERT
 *
 * Everything received is printed on stdout, one JSON text a line: the
 * server's messages as they came, and the client's own events as
 * {"event":"open"}, {"event":"close","code":N,"reason":"..."},
 * {"event":"binary","bytes":N}, {"event":"fail","why":"..."}.
 *
 * A script has one directive a line (blank lines and # comments skipped):
 *
 *   {...}                    send the line as one text message
 *   send TEXT                TEXT as one text message, JSON or not
 *   wait TYPE [MS]           until a message of that "type" arrives
 *   wait-close [CODE] [MS]   until the server closes (with CODE)
 *   sleep MS
 *   send-big N               a chat request of exactly N bytes
 *   send-binary TEXT         TEXT as a binary message
 *   send-fragmented K {...}  the JSON in K frames
 *   pause-reading            stop reading (a slow reader)
 *   resume-reading
 *   close [CODE]
 *
 * Exit status: 0 when every wait and expectation was met (for --mode:
 * when the server closed the connection, or the TLS handshake completed),
 * 1 when one was not, 2 on a usage error, 3 when the connection could not
 * be opened.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ssl.h>

#include "sig_client.h"
#include "sig_misbehave.h"

#define MAX_LINES 4096
#define MAX_SEEN 65536

struct run {
	struct sig_client *c;
	char **lines;
	size_t n_lines, next;
	unsigned timeout_ms;
	/* received "type"s, in order; a wait consumes up to its match */
	char **seen;
	size_t n_seen, seen_used;
	bool opened, closed;
	int close_code;
	int status;                /* exit status so far */
	/* the directive being waited on */
	enum { IDLE, WAIT_TYPE, WAIT_CLOSE, SLEEP } state;
	char wait_type[64];
	int wait_code;
	long deadline;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void print_event(const char *fmt, const char *str_value)
{
	json_t *s = json_string(str_value ? str_value : "");
	char *q = json_dumps(s, JSON_ENCODE_ANY);

	printf(fmt, q ? q : "\"\"");
	putchar('\n');
	fflush(stdout);
	free(q);
	json_decref(s);
}

static void fail(struct run *r, const char *why)
{
	print_event("{\"event\":\"fail\",\"why\":%s}", why);
	r->status = 1;
}

static void on_open(void *user, struct sig_client *c)
{
	struct run *r = user;

	(void)c;
	r->opened = true;
	printf("{\"event\":\"open\"}\n");
	fflush(stdout);
}

static void on_message(void *user, struct sig_client *c, const char *text, size_t len,
		       bool binary)
{
	struct run *r = user;
	json_t *o, *t;

	(void)c;
	if (binary) {
		printf("{\"event\":\"binary\",\"bytes\":%zu}\n", len);
		fflush(stdout);
		return;
	}
	fwrite(text, 1, len, stdout);
	putchar('\n');
	fflush(stdout);
	o = json_loadb(text, len, 0, NULL);
	t = json_object_get(o, "type");
	if (r->n_seen < MAX_SEEN)
		r->seen[r->n_seen++] = strdup(json_is_string(t) ? json_string_value(t) : "");
	json_decref(o);
}

static void on_close(void *user, struct sig_client *c, int code, const char *reason)
{
	struct run *r = user;
	char fmt[64];

	(void)c;
	r->c = NULL;
	r->closed = true;
	r->close_code = code;
	snprintf(fmt, sizeof(fmt), "{\"event\":\"close\",\"code\":%d,\"reason\":%%s}", code);
	print_event(fmt, reason);
	if (!r->opened)
		r->status = 3;
}

static const struct sig_client_events events = { on_open, on_message, on_close };

/* ---- directives ------------------------------------------------------------------ */

static void send_big(struct run *r, size_t n)
{
	static const char head[] = "{\"type\":\"chat\",\"id\":1,\"text\":\"";
	char *buf;

	if (n < sizeof(head) + 2)
		n = sizeof(head) + 2;
	buf = malloc(n);
	memcpy(buf, head, sizeof(head) - 1);
	memset(buf + sizeof(head) - 1, 'b', n - (sizeof(head) - 1) - 2);
	memcpy(buf + n - 2, "\"}", 2);
	sig_client_send(r->c, buf, n);
	free(buf);
}

/* Runs directives until one has to wait.  Returns false when the script
 * cannot go on (the connection is gone). */
static bool step(struct run *r)
{
	while (r->state == IDLE && r->next < r->n_lines) {
		char *line = r->lines[r->next++];
		char word[32] = "", arg[64] = "";
		long a = -1, b = -1;

		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		if (*line == '{') {
			if (!r->c || sig_client_send(r->c, line, strlen(line)) < 0)
				return fail(r, "send: not open"), false;
			continue;
		}
		sscanf(line, "%31s", word);
		if (strcmp(word, "wait") == 0) {
			if (sscanf(line, "wait %63s %ld", arg, &a) < 1)
				return fail(r, "wait: which type?"), false;
			snprintf(r->wait_type, sizeof(r->wait_type), "%s", arg);
			r->state = WAIT_TYPE;
			r->deadline = now_ms() + (a > 0 ? a : (long)r->timeout_ms);
		} else if (strcmp(word, "wait-close") == 0) {
			sscanf(line, "wait-close %ld %ld", &a, &b);
			r->wait_code = (int)a;
			r->state = WAIT_CLOSE;
			r->deadline = now_ms() + (b > 0 ? b : (long)r->timeout_ms);
		} else if (strcmp(word, "sleep") == 0) {
			sscanf(line, "sleep %ld", &a);
			r->state = SLEEP;
			r->deadline = now_ms() + (a > 0 ? a : 0);
		} else if (!r->c) {
			return fail(r, "the connection is closed"), false;
		} else if (strcmp(word, "send") == 0) {
			const char *t = line + strlen("send");
			t += *t == ' ';
			sig_client_send(r->c, t, strlen(t));
		} else if (strcmp(word, "send-big") == 0 && sscanf(line, "send-big %ld", &a) == 1) {
			send_big(r, (size_t)a);
		} else if (strcmp(word, "send-binary") == 0) {
			const char *t = line + strlen("send-binary");
			t += *t == ' ';
			sig_client_send_binary(r->c, t, strlen(t));
		} else if (strcmp(word, "send-fragmented") == 0 &&
			   sscanf(line, "send-fragmented %ld", &a) == 1) {
			const char *t = strchr(line, '{');
			if (!t)
				return fail(r, "send-fragmented: no JSON"), false;
			sig_client_send_fragments(r->c, t, strlen(t), (unsigned)a);
		} else if (strcmp(word, "pause-reading") == 0) {
			sig_client_pause_reading(r->c, true);
		} else if (strcmp(word, "resume-reading") == 0) {
			sig_client_pause_reading(r->c, false);
		} else if (strcmp(word, "close") == 0) {
			sscanf(line, "close %ld", &a);
			sig_client_close(r->c, a > 0 ? (int)a : 1000);
		} else {
			fail(r, line);
			return false;
		}
	}
	return true;
}

/* Moves a waiting directive on; false when it failed. */
static bool check_wait(struct run *r)
{
	char why[160];

	switch (r->state) {
	case WAIT_TYPE:
		for (size_t i = r->seen_used; i < r->n_seen; i++)
			if (strcmp(r->seen[i], r->wait_type) == 0) {
				r->seen_used = i + 1;
				r->state = IDLE;
				return true;
			}
		if (r->closed || now_ms() > r->deadline) {
			snprintf(why, sizeof(why), "no \"%s\" message %s", r->wait_type,
				 r->closed ? "before the close" : "in time");
			fail(r, why);
			return false;
		}
		return true;
	case WAIT_CLOSE:
		if (r->closed) {
			r->state = IDLE;
			if (r->wait_code > 0 && r->close_code != r->wait_code) {
				snprintf(why, sizeof(why), "closed with %d, not %d", r->close_code,
					 r->wait_code);
				fail(r, why);
				return false;
			}
			return true;
		}
		if (now_ms() > r->deadline) {
			fail(r, "the server did not close in time");
			return false;
		}
		return true;
	case SLEEP:
		if (now_ms() >= r->deadline)
			r->state = IDLE;
		return true;
	default:
		return true;
	}
}

static int run_ws(struct sig_client_ctx *ctx, struct run *r, const char *url,
		  const char *subprotocol, unsigned linger_ms)
{
	struct sig_client_opts opts = { .subprotocol = subprotocol };
	char err[256];
	long linger_end = -1, stop = now_ms() + 600000;

	r->c = sig_client_connect(ctx, url, &opts, &events, r, err, sizeof(err));
	if (!r->c) {
		print_event("{\"event\":\"fail\",\"why\":%s}", err);
		return 3;
	}
	while (now_ms() < stop) {
		sig_client_ctx_service(ctx, 20);
		if (r->status == 3)
			return 3;
		if (!r->opened && !r->closed)
			continue;
		if (!check_wait(r) || !step(r))
			break;
		if (r->state != IDLE || r->next < r->n_lines)
			continue;
		/* The script is done: linger, then close and wait for it. */
		if (linger_end < 0)
			linger_end = now_ms() + linger_ms;
		if (r->closed)
			break;
		if (now_ms() >= linger_end && sig_client_is_open(r->c)) {
			sig_client_close(r->c, 1000);
			r->state = WAIT_CLOSE;
			r->wait_code = -1;
			r->deadline = now_ms() + 3000;
		}
	}
	return r->status;
}

static int tls_version(const char *v)
{
	return strcmp(v, "1.0") == 0   ? TLS1_VERSION
	       : strcmp(v, "1.1") == 0 ? TLS1_1_VERSION
	       : strcmp(v, "1.2") == 0 ? TLS1_2_VERSION
	       : strcmp(v, "1.3") == 0 ? TLS1_3_VERSION
				       : 0;
}

static int run_mode(const char *mode, const char *url, const char *ca, const char *tls,
		    const char *ciphers, unsigned timeout_ms)
{
	char host[256], path[256], info[256], fmt[160];
	int port;
	bool tls_url;
	long ms;

	if (sig_client_parse_url(url, host, sizeof(host), &port, path, sizeof(path), &tls_url) < 0) {
		fprintf(stderr, "strata-sigclient: bad --url %s\n", url);
		return 2;
	}
	if (strcmp(mode, "tls-probe") == 0) {
		int v = tls ? tls_version(tls) : 0, rc;
		if (!v) {
			fprintf(stderr, "strata-sigclient: --tls 1.0|1.1|1.2|1.3\n");
			return 2;
		}
		rc = sig_mis_tls_probe(host, port, ca, v, ciphers, info, sizeof(info));
		snprintf(fmt, sizeof(fmt), "{\"event\":\"tls\",\"version\":\"%s\",\"result\":\"%s\","
			 "\"info\":%%s}", tls, rc == 1 ? "completed" : rc == 0 ? "refused" : "error");
		print_event(fmt, info);
		return rc == 1 ? 0 : rc == 0 ? 1 : 3;
	}
	if (strcmp(mode, "garbage") == 0)
		ms = sig_mis_garbage(host, port, timeout_ms);
	else if (strcmp(mode, "half-open") == 0)
		ms = sig_mis_half_open(host, port, timeout_ms);
	else if (strcmp(mode, "no-upgrade") == 0 || strcmp(mode, "slowloris") == 0)
		ms = sig_mis_no_upgrade(host, port, ca, strcmp(mode, "slowloris") == 0, timeout_ms);
	else {
		fprintf(stderr, "strata-sigclient: unknown --mode %s\n", mode);
		return 2;
	}
	if (ms == -2) {
		printf("{\"event\":\"fail\",\"why\":\"cannot connect\"}\n");
		return 3;
	}
	if (ms < 0) {
		printf("{\"event\":\"open-after\",\"ms\":%u}\n", timeout_ms);
		return 1;
	}
	printf("{\"event\":\"closed-by-server\",\"after_ms\":%ld}\n", ms);
	return 0;
}

static int read_script(const char *path, struct run *r)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) >= 0 && r->n_lines < MAX_LINES) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		r->lines[r->n_lines++] = strdup(line);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: strata-sigclient --url wss://HOST:PORT/strata/v1 --ca CERT [--script FILE|-]\n"
		"                        [--expect TYPE]... [--expect-close CODE] [--timeout MS]\n"
		"                        [--linger MS] [--subprotocol NAME]\n"
		"       strata-sigclient --mode garbage|half-open|no-upgrade|slowloris|tls-probe\n"
		"                        --url URL [--ca CERT] [--tls 1.1|1.2|1.3] [--ciphers LIST]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "ca", required_argument, NULL, 'c' },
		{ "script", required_argument, NULL, 's' },
		{ "expect", required_argument, NULL, 'e' },
		{ "expect-close", required_argument, NULL, 'E' },
		{ "timeout", required_argument, NULL, 't' },
		{ "linger", required_argument, NULL, 'l' },
		{ "subprotocol", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		{ "tls", required_argument, NULL, 'T' },
		{ "ciphers", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = NULL, *ca = NULL, *script = NULL, *subprotocol = NULL, *mode = NULL,
		   *tls = NULL, *ciphers = NULL;
	char *expects[64];
	size_t n_expects = 0;
	unsigned linger = 100;
	struct run r = { .timeout_ms = 5000 };
	struct sig_client_ctx *ctx;
	char err[256];
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'u': url = optarg; break;
		case 'c': ca = optarg; break;
		case 's': script = optarg; break;
		case 'e':
		case 'E':
			if (n_expects < 64) {
				char line[96];
				snprintf(line, sizeof(line), "%s %s", opt == 'e' ? "wait" : "wait-close",
					 optarg);
				expects[n_expects++] = strdup(line);
			}
			break;
		case 't': r.timeout_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'l': linger = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'p': subprotocol = optarg; break;
		case 'm': mode = optarg; break;
		case 'T': tls = optarg; break;
		case 'C': ciphers = optarg; break;
		default: usage(); return opt == 'h' ? 0 : 2;
		}
	}
	if (!url || optind != argc) {
		usage();
		return 2;
	}
	if (mode)
		return run_mode(mode, url, ca, tls, ciphers, r.timeout_ms);

	r.lines = calloc(MAX_LINES + 64, sizeof(char *));
	r.seen = calloc(MAX_SEEN, sizeof(char *));
	if (script && read_script(script, &r) < 0)
		return 2;
	for (size_t i = 0; i < n_expects; i++)
		r.lines[r.n_lines++] = expects[i];

	ctx = sig_client_ctx_new(ca, err, sizeof(err));
	if (!ctx) {
		fprintf(stderr, "strata-sigclient: %s\n", err);
		return 3;
	}
	rc = run_ws(ctx, &r, url, subprotocol, linger);
	sig_client_ctx_free(ctx);
	for (size_t i = 0; i < r.n_lines; i++)
		free(r.lines[i]);
	for (size_t i = 0; i < r.n_seen; i++)
		free(r.seen[i]);
	free(r.lines);
	free(r.seen);
	return rc;
}
