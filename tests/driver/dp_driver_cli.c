/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-dp-driver: drives a running strata-dp through its shared-memory
 * rings, the way strata-cp does, for integration tests and for poking at a
 * dataplane by hand.
 *
 *   strata-dp-driver [OPTIONS] COMMAND [key=value ...]
 *   strata-dp-driver [OPTIONS] batch FILE|-      one command per line
 *
 * Every command prints JSON lines on stdout: a result per command,
 * {"cmd":"leg-add","seq":1,"status":"ok"}, and every event or punted packet
 * the process read ({"event":...}, {"punt":...}).  The exit status is 0
 * only when every command's result is ok; 1 when one was not (or a wait
 * ended without what it waited for); 2 for a usage error or when the
 * segment cannot be attached to (the message on stderr says why).
 *
 * Events are read as they come, in ring order, so one process may read
 * events that a later one would have waited for: a test that needs events
 * across several commands runs them in one batch, or keeps every
 * invocation's output.  Attaching drains the event ring (results left by
 * an earlier process are dropped; other events are printed).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dp_driver.h"
#include "dp_driver_text.h"

#define PROG "strata-dp-driver"
#define MAX_WORDS 64

enum { RC_OK = 0, RC_FAILED = 1, RC_USAGE = 2 };

struct ctx {
	struct dp_driver_opts opts;
	struct dp_driver *drv;
	bool dry_run;
	bool stop_on_error;
	bool in_batch;
};

struct command {
	const char *name;
	int (*run)(struct ctx *c, int argc, char **argv);
	const char *usage;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int remaining_ms(uint64_t deadline)
{
	uint64_t now = now_ms();

	return now >= deadline ? 0 : (int)(deadline - now);
}

/* Attaches on first use; a segment that cannot be attached to ends the run. */
static struct dp_driver *need_driver(struct ctx *c)
{
	char err[512];

	if (c->drv)
		return c->drv;
	c->drv = dp_driver_attach(&c->opts, err, sizeof(err));
	if (!c->drv) {
		fprintf(stderr, PROG ": %s\n", err);
		exit(RC_USAGE);
	}
	return c->drv;
}

static int usage_error(const char *cmd, const char *err)
{
	dp_text_json_result(stdout, cmd, 0, "usage", err);
	fprintf(stderr, PROG ": %s\n", err);
	return RC_USAGE;
}

/* A number word of the waiting commands: key=N. */
static int word_number(const char *word, const char *key, long *out)
{
	size_t klen = strlen(key);
	char *end;

	if (strncmp(word, key, klen) || word[klen] != '=')
		return 0;
	errno = 0;
	*out = strtol(word + klen + 1, &end, 10);
	return errno || *end || *out < 0 || end == word + klen + 1 ? -1 : 1;
}

/* ---- commands to strata-dp ----------------------------------------------- */

static int print_result(const char *name, uint32_t seq, int status)
{
	dp_text_json_result(stdout, name, seq, dp_text_status_name(status), NULL);
	return status == STRATA_CMD_OK ? RC_OK : RC_FAILED;
}

/* leg-add, leg-del, stream-*, sub-*: one command, one result. */
static int run_simple(struct ctx *c, int argc, char **argv)
{
	struct strata_cmd cmd;
	char err[512];
	int rc;

	if (dp_text_parse_cmd(argc, argv, &cmd, err, sizeof(err)) < 0)
		return usage_error(argv[0], err);
	if (c->dry_run) {
		dp_text_json_cmd(stdout, &cmd);
		explicit_bzero(&cmd, sizeof(cmd));
		return RC_OK;
	}
	rc = dp_driver_cmd(need_driver(c), &cmd);
	explicit_bzero(&cmd, sizeof(cmd));
	return print_result(argv[0], rc == -ENOBUFS ? 0 : dp_driver_last_seq(c->drv), rc);
}

/*
 * dump and stats: their answers are events, printed as they come; the
 * result line comes last.  Whether strata-dp sends the CMD_RESULT before or
 * after the answer, both orders are waited out.
 */
static int run_answered(struct ctx *c, int argc, char **argv)
{
	struct strata_cmd cmd;
	struct strata_event ev;
	bool is_dump, got_result = false, got_answer = false;
	uint64_t deadline;
	int64_t seq;
	int status = 0, rc;
	char err[512];

	if (dp_text_parse_cmd(argc, argv, &cmd, err, sizeof(err)) < 0)
		return usage_error(argv[0], err);
	if (c->dry_run) {
		dp_text_json_cmd(stdout, &cmd);
		return RC_OK;
	}
	is_dump = cmd.type == STRATA_CMD_DUMP;
	seq = dp_driver_send(need_driver(c), &cmd);
	if (seq < 0)
		return print_result(argv[0], 0, (int)seq);
	deadline = now_ms() + (uint64_t)(c->opts.timeout_ms > 0 ? c->opts.timeout_ms
							    : DP_DRIVER_DEFAULT_TIMEOUT_MS);
	while (!got_result || (status == STRATA_CMD_OK && !got_answer)) {
		rc = dp_driver_next_event(c->drv, &ev, remaining_ms(deadline));
		if (rc <= 0) {
			status = rc ? rc : -ETIMEDOUT;
			break;
		}
		if (ev.type == STRATA_EVENT_CMD_RESULT && ev.u.cmd_result.seq == (uint32_t)seq) {
			got_result = true;
			status = ev.u.cmd_result.status;
			continue;
		}
		if (ev.type == (is_dump ? STRATA_EVENT_DUMP_END : STRATA_EVENT_STATS))
			got_answer = true;
		dp_text_json_event(stdout, &ev);
	}
	/* Leg counters follow the totals: take what comes without a pause. */
	if (!is_dump && status == STRATA_CMD_OK)
		while (dp_driver_next_event(c->drv, &ev, 20) == 1)
			dp_text_json_event(stdout, &ev);
	return print_result(argv[0], (uint32_t)seq, status);
}

/* ---- reading what strata-dp sends ---------------------------------------- */

/* wait-events MS [count=N] [until=EVENT] */
static int run_wait_events(struct ctx *c, int argc, char **argv)
{
	static const char usage[] = "wait-events MS [count=N] [until=EVENT]";
	long ms = -1, count = -1, n;
	unsigned until = 0;
	struct strata_event ev;
	bool seen_until = false;
	uint64_t deadline;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "until=", 6) == 0) {
			until = dp_text_event_type(argv[i] + 6);
			if (!until)
				return usage_error(argv[0],
						   "until=: not an event name (try cmd-result, "
						   "stream-started, leg-latched...)");
		} else if ((rc = word_number(argv[i], "count", &n)) != 0) {
			if (rc < 0)
				return usage_error(argv[0], "count=: expected a number");
			count = n;
		} else if (ms < 0) {
			char *end;

			ms = strtol(argv[i], &end, 10);
			if (*end || ms < 0)
				return usage_error(argv[0], usage);
		} else {
			return usage_error(argv[0], usage);
		}
	}
	if (ms < 0)
		return usage_error(argv[0], usage);
	if (c->dry_run)
		return RC_OK;
	need_driver(c);
	deadline = now_ms() + (uint64_t)ms;
	for (n = 0; (count < 0 || n < count) && !seen_until; n++) {
		rc = dp_driver_next_event(c->drv, &ev, remaining_ms(deadline));
		if (rc < 0)
			return print_result(argv[0], 0, rc);
		if (rc == 0)
			break;
		dp_text_json_event(stdout, &ev);
		seen_until = until && ev.type == until;
	}
	if ((until && !seen_until) || (count >= 0 && n < count)) {
		dp_text_json_result(stdout, argv[0], 0, "timeout", NULL);
		return RC_FAILED;
	}
	return RC_OK;
}

/* punts [MS] [count=N] */
static int run_punts(struct ctx *c, int argc, char **argv)
{
	long ms = -1, count = -1, n;
	struct strata_packet pkt;
	unsigned worker;
	uint64_t deadline;
	int rc;

	for (int i = 1; i < argc; i++) {
		if ((rc = word_number(argv[i], "count", &n)) != 0) {
			if (rc < 0)
				return usage_error(argv[0], "count=: expected a number");
			count = n;
		} else if (ms < 0) {
			char *end;

			ms = strtol(argv[i], &end, 10);
			if (*end || ms < 0)
				return usage_error(argv[0], "punts [MS] [count=N]");
		} else {
			return usage_error(argv[0], "punts [MS] [count=N]");
		}
	}
	if (c->dry_run)
		return RC_OK;
	need_driver(c);
	deadline = now_ms() + (uint64_t)(ms > 0 ? ms : 0);
	for (n = 0; count < 0 || n < count; n++) {
		rc = dp_driver_next_punt(c->drv, &pkt, &worker, remaining_ms(deadline));
		if (rc < 0)
			return print_result(argv[0], 0, rc);
		if (rc == 0)
			break;
		dp_text_json_punt(stdout, worker, &pkt);
	}
	if (count >= 0 && n < count) {
		dp_text_json_result(stdout, argv[0], 0, "timeout", NULL);
		return RC_FAILED;
	}
	return RC_OK;
}

/* send local=IP:PORT remote=IP:PORT data=HEX|text=STRING */
static int run_send(struct ctx *c, int argc, char **argv)
{
	static const char usage[] = "send local=IP:PORT remote=IP:PORT data=HEX|text=STRING";
	struct strata_addr local, remote;
	bool have_local = false, have_remote = false, have_data = false;
	uint8_t data[STRATA_PACKET_MAX];
	size_t len = 0;
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (strncmp(w, "local=", 6) == 0 && !have_local) {
			if (dp_text_parse_addr(w + 6, &local) < 0)
				return usage_error(argv[0], "local=: expected IP:PORT");
			have_local = true;
		} else if (strncmp(w, "remote=", 7) == 0 && !have_remote) {
			if (dp_text_parse_addr(w + 7, &remote) < 0)
				return usage_error(argv[0], "remote=: expected IP:PORT");
			have_remote = true;
		} else if (strncmp(w, "data=", 5) == 0 && !have_data) {
			long n = dp_text_parse_hex(w + 5, data, sizeof(data));

			if (n < 0)
				return usage_error(argv[0],
						   "data=: expected hex, at most 2048 bytes");
			len = (size_t)n;
			have_data = true;
		} else if (strncmp(w, "text=", 5) == 0 && !have_data) {
			len = strlen(w + 5);
			if (len > sizeof(data))
				return usage_error(argv[0], "text=: at most 2048 bytes");
			memcpy(data, w + 5, len);
			have_data = true;
		} else {
			return usage_error(argv[0], usage);
		}
	}
	if (!have_local || !have_remote || !have_data)
		return usage_error(argv[0], usage);
	if (c->dry_run)
		return RC_OK;
	rc = dp_driver_send_packet(need_driver(c), &local, &remote, data, len);
	return print_result(argv[0], 0, rc);
}

/* ---- status -------------------------------------------------------------- */

static const char *state_name(uint32_t state)
{
	switch (state) {
	case STRATA_DP_STARTING: return "starting";
	case STRATA_DP_RUNNING: return "running";
	case STRATA_DP_STOPPING: return "stopping";
	}
	return "unknown";
}

static void json_ring(const char *name, struct strata_ring *r)
{
	printf("\"%s\":{\"slots\":%u,\"used\":%llu,\"drops\":%llu}", name, r->slot_count,
	       (unsigned long long)strata_ring_used(r),
	       (unsigned long long)atomic_load_explicit(&r->drops, memory_order_relaxed));
}

static int run_status(struct ctx *c, int argc, char **argv)
{
	struct dp_driver_opts ro = c->opts;
	const struct strata_shm_header *h;
	struct dp_driver *drv = c->drv;
	uint64_t cp_hb, now;
	struct timespec ts;
	char err[512];

	if (argc > 1)
		return usage_error(argv[0], "status takes no words");
	if (c->dry_run)
		return RC_OK;
	if (!drv) {
		/* Read-only: status works beside a running strata-cp. */
		ro.flags = DP_DRIVER_READONLY;
		drv = dp_driver_attach(&ro, err, sizeof(err));
		if (!drv) {
			printf("{\"shm\":");
			dp_text_json_string(stdout, ro.name ? ro.name : STRATA_SHM_DEFAULT_NAME);
			printf(",\"attached\":false,\"error\":");
			dp_text_json_string(stdout, err);
			printf("}\n");
			fprintf(stderr, PROG ": %s\n", err);
			return RC_FAILED;
		}
	}
	h = dp_driver_header(drv);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	cp_hb = atomic_load_explicit(&h->cp_heartbeat_ns, memory_order_acquire);
	printf("{\"shm\":\"%s\",\"attached\":true,\"magic_ok\":true,\"abi\":%u,"
	       "\"header_size\":%u,\"segment_size\":%llu,\"epoch\":\"%016llx\","
	       "\"dp_pid\":%u,\"dp_alive\":%s,\"dp_state\":\"%s\",\"heartbeat_age_ms\":%.3f,"
	       "\"workers\":%u,\"max_legs\":%u,\"max_streams\":%u,\"max_sources\":%u,"
	       "\"max_subscriptions\":%u,\"cp_pid\":%u,\"cp_heartbeat_age_ms\":",
	       dp_driver_name(drv), h->abi_version, h->header_size,
	       (unsigned long long)h->segment_size, (unsigned long long)h->boot_epoch, h->dp_pid,
	       h->dp_pid && (kill((pid_t)h->dp_pid, 0) == 0 || errno == EPERM) ? "true" : "false",
	       state_name(atomic_load_explicit(&h->dp_state, memory_order_acquire)),
	       (double)dp_driver_heartbeat_age_ns(drv) / 1e6, h->n_workers, h->max_legs,
	       h->max_streams, h->max_sources, h->max_subscriptions,
	       atomic_load_explicit(&h->cp_pid, memory_order_acquire));
	if (cp_hb)
		printf("%.3f", now > cp_hb ? (double)(now - cp_hb) / 1e6 : 0.0);
	else
		printf("null");
	printf(",\"rings\":{");
	json_ring("command", dp_driver_command_ring(drv));
	putchar(',');
	json_ring("event", dp_driver_event_ring(drv));
	putchar(',');
	json_ring("tx", dp_driver_tx_ring(drv));
	printf(",\"punt\":[");
	for (unsigned w = 0; w < dp_driver_workers(drv); w++) {
		struct strata_ring *r = dp_driver_punt_ring(drv, w);

		printf("%s{\"slots\":%u,\"used\":%llu,\"drops\":%llu}", w ? "," : "", r->slot_count,
		       (unsigned long long)strata_ring_used(r),
		       (unsigned long long)atomic_load_explicit(&r->drops, memory_order_relaxed));
	}
	printf("]}}\n");
	if (drv != c->drv)
		dp_driver_detach(drv);
	return RC_OK;
}

/* ---- batch --------------------------------------------------------------- */

/* Splits a line into words: blanks separate, "double quotes" group. */
static int split_words(char *line, char **words, int max)
{
	int n = 0;
	char *p = line, *out;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max)
			return -1;
		words[n++] = out = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
			if (*p == '"') {
				p++;
				while (*p && *p != '"')
					*out++ = *p++;
				if (*p != '"')
					return -1;
				p++;
			} else {
				*out++ = *p++;
			}
		}
		if (*p)
			p++;
		*out = 0;
	}
	return n;
}

static int run_one(struct ctx *c, int argc, char **argv);

static int run_batch(struct ctx *c, int argc, char **argv)
{
	char *line = NULL, *words[MAX_WORDS];
	size_t cap = 0;
	unsigned lineno = 0;
	int worst = RC_OK;
	FILE *f;

	if (argc != 2)
		return usage_error(argv[0], "batch FILE|-");
	if (c->in_batch)
		return usage_error(argv[0], "batch does not nest");
	f = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "r");
	if (!f) {
		fprintf(stderr, PROG ": %s: %s\n", argv[1], strerror(errno));
		return RC_USAGE;
	}
	c->in_batch = true;
	while (getline(&line, &cap, f) > 0) {
		int n = split_words(line, words, MAX_WORDS), rc;

		lineno++;
		if (n == 0)
			continue;
		if (n < 0) {
			fprintf(stderr, PROG ": %s:%u: unbalanced quote or more than %d words\n",
				argv[1], lineno, MAX_WORDS);
			rc = RC_USAGE;
		} else {
			rc = run_one(c, n, words);
			if (rc != RC_OK)
				fprintf(stderr, PROG ": %s:%u: %s failed\n", argv[1], lineno,
					words[0]);
		}
		if (rc > worst)
			worst = rc;
		if (rc != RC_OK && c->stop_on_error)
			break;
	}
	c->in_batch = false;
	if (line)
		explicit_bzero(line, cap); /* lines carry keys */
	free(line);
	if (f != stdin)
		fclose(f);
	return worst;
}

/* ---- table --------------------------------------------------------------- */

static const struct command commands[] = {
	{ "leg-add", run_simple, NULL },
	{ "leg-del", run_simple, NULL },
	{ "stream-add", run_simple, NULL },
	{ "stream-del", run_simple, NULL },
	{ "sub-add", run_simple, NULL },
	{ "sub-del", run_simple, NULL },
	{ "sub-layers", run_simple, NULL },
	{ "leg-prefs", run_simple, NULL },
	{ "room-policy", run_simple, NULL },
	{ "dump", run_answered, "  (prints dump-leg, dump-stream, dump-sub, dump-end events)" },
	{ "stats", run_answered, "  (prints stats and leg-stats events)" },
	{ "wait-events", run_wait_events, "MS [count=N] [until=EVENT]" },
	{ "punts", run_punts, "[MS] [count=N]" },
	{ "send", run_send, "local=IP:PORT remote=IP:PORT data=HEX|text=STRING" },
	{ "status", run_status, "" },
	{ "batch", run_batch, "FILE|-   (one command per line; # comments)" },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int run_one(struct ctx *c, int argc, char **argv)
{
	const struct command *cmd = find_command(argv[0]);
	char err[160];

	if (!cmd) {
		snprintf(err, sizeof(err), "unknown command %s (try --help)", argv[0]);
		return usage_error(argv[0], err);
	}
	return cmd->run(c, argc, argv);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [OPTIONS] COMMAND [key=value ...]\n"
		"Drives a running strata-dp through its shared-memory rings, as strata-cp does.\n"
		"Prints JSON lines; exits 0 only when every command's result is ok.\n\n"
		"options:\n"
		"  --shm NAME        the segment (default $STRATA_SHM or /strata)\n"
		"  --timeout MS      wait this long for a command's result (default %d)\n"
		"  --wait MS         wait this long for the segment to appear\n"
		"  --takeover        attach even while another control plane is attached\n"
		"  --dry-run         parse and print commands; attach to nothing\n"
		"  -e, --stop-on-error   stop a batch at the first failure\n\n"
		"commands:\n",
		DP_DRIVER_DEFAULT_TIMEOUT_MS);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *cmd = &commands[i];
		unsigned type = dp_text_cmd_type(cmd->name);

		fprintf(f, "  %s %s\n", cmd->name,
			cmd->run == run_simple ? dp_text_cmd_usage(type) : cmd->usage);
	}
	fprintf(f,
		"\nkeys are PROFILE:HEX, the SDES profile and the master key then salt in hex:\n"
		"  " PROG " leg-add id=1 room=1 local=10.0.0.1:40000 \\\n"
		"      remote=10.0.0.2:5000 latch=1 rx=AES_CM_128_HMAC_SHA1_80:<60 hex digits> \\\n"
		"      tx=AEAD_AES_256_GCM:<88 hex digits>\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "shm", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "wait", required_argument, NULL, 'w' },
		{ "takeover", no_argument, NULL, 'T' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "stop-on-error", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx c = { .opts = { .name = getenv("STRATA_SHM") } };
	struct strata_event ev;
	int opt, rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* "+": options end at the command, whose words are its own. */
	while ((opt = getopt_long(argc, argv, "+eh", longopts, NULL)) != -1) {
		char *end;
		long v;

		switch (opt) {
		case 's':
			c.opts.name = optarg;
			break;
		case 't':
		case 'w':
			v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > 86400000) {
				fprintf(stderr, PROG ": --%s %s: expected milliseconds\n",
					opt == 't' ? "timeout" : "wait", optarg);
				return RC_USAGE;
			}
			if (opt == 't')
				c.opts.timeout_ms = (int)v;
			else
				c.opts.wait_ms = (int)v;
			break;
		case 'T':
			c.opts.flags |= DP_DRIVER_TAKEOVER;
			break;
		case 'n':
			c.dry_run = true;
			break;
		case 'e':
			c.stop_on_error = true;
			break;
		case 'h':
			usage(stdout);
			return RC_OK;
		default:
			usage(stderr);
			return RC_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return RC_USAGE;
	}
	rc = run_one(&c, argc - optind, argv + optind);

	/* Events read while waiting for results, not printed yet. */
	if (c.drv) {
		while (dp_driver_next_queued(c.drv, &ev))
			dp_text_json_event(stdout, &ev);
		dp_driver_detach(c.drv);
	}
	return rc;
}
