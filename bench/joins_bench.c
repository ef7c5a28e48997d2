/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench joins: how many joins strata-cp completes per second of its
 * one core, next to how many raw TLS handshakes the same OpenSSL completes
 * per second of one core, measured in the same run.
 *
 *   join       a new TLS connection (full handshake: strata-cp keeps no
 *              session cache and issues no tickets), the WebSocket upgrade,
 *              a "join" with a vidyo.io token checked against the app store
 *              (HMAC-SHA384), a room, a leg programmed into the dataplane
 *              (strata-fake-dp answers), fresh SRTP keys, the "joined"
 *              answer; then the client drops the connection and strata-cp
 *              removes the participant (resume_grace_s = 0): LEG_DEL.
 *   handshake  a TCP connection and a full TLS handshake with the same
 *              certificate, key and policy (sig_tls_apply_policy), served
 *              by a forked process doing nothing else.
 *
 * "Per second of one core" is the work divided by the CPU time the serving
 * process used meanwhile (/proc/PID/schedstat: nanoseconds on a CPU), so
 * the figure does not depend on the client or on latency.  strata-cp is
 * single-threaded; so is the handshake server (blocking accept, handshake,
 * close).  Both are pinned to the same core (--core), the clients and
 * strata-fake-dp to the others, and both are kept busy by `concurrency`
 * clients at once (the joins' on libwebsockets, the handshakes' in
 * threads), so neither idles between two.  Joins and handshakes alternate
 * in rounds and the medians are reported: the machine is shared.
 *
 * It runs the real strata-cp and strata-fake-dp from the build tree
 * (found next to this binary; --cp and --fake-dp override).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "appstore.h"
#include "masterkey.h"
#include "sig_tls.h"
#include "strata_bench.h"
#include "token.h"

extern char **environ;

struct opts {
	unsigned joins, handshakes, concurrency, warmup, rounds;
	int core;               /* both servers run here, the client elsewhere */
	bool json;
	char cp[PATH_MAX], fake_dp[PATH_MAX];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Nanoseconds process pid has spent on a CPU (all its threads). */
static uint64_t cpu_ns(pid_t pid)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

/* Pins pid (0: this process) to core, or to every other core when
 * others is set; quietly does nothing on a one-core machine. */
static void pin(pid_t pid, int core, bool others)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (core < 0 || n < 2 || core >= n)
		return;
	CPU_ZERO(&set);
	for (long c = 0; c < n; c++)
		if ((c == core) != others)
			CPU_SET(c, &set);
	sched_setaffinity(pid, sizeof(set), &set);
}

static pid_t spawn(char *const argv[], const char *out_path)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, out_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		fprintf(stderr, "strata-bench joins: cannot run %s: %s\n", argv[0], strerror(rc));
		return -1;
	}
	return pid;
}

static void stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* ---- the joins' client -------------------------------------------------- */

struct slot {
	struct lws *wsi;
	bool busy, sent;
	size_t got;
	char buf[8192];
};

struct joins {
	const char *join_msg;
	size_t join_len;
	unsigned done, failed, started, total;
	struct slot *slots;
	unsigned n_slots;
	char first_error[256];
};

static struct joins *J;

static int client_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		     size_t len)
{
	struct slot *s = user;
	unsigned char frame[LWS_PRE + 4096];

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (!s || s->sent)
			return 0;
		memcpy(frame + LWS_PRE, J->join_msg, J->join_len);
		if (lws_write(wsi, frame + LWS_PRE, J->join_len, LWS_WRITE_TEXT) < (int)J->join_len)
			return -1;
		s->sent = true;
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (!s)
			return -1;
		if (s->got + len < sizeof(s->buf)) {
			memcpy(s->buf + s->got, in, len);
			s->got += len;
		}
		if (!lws_is_final_fragment(wsi))
			return 0;
		s->buf[s->got] = 0;
		if (strstr(s->buf, "\"type\":\"joined\"") || strstr(s->buf, "\"joined\"")) {
			J->done++;
		} else {
			J->failed++;
			if (!J->first_error[0])
				snprintf(J->first_error, sizeof(J->first_error), "%.200s", s->buf);
		}
		return -1; /* done: drop the connection */
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (s && !J->first_error[0])
			snprintf(J->first_error, sizeof(J->first_error), "connection error: %.*s",
				 in ? (int)len : 0, in ? (const char *)in : "");
		if (s) {
			J->failed++;
			s->busy = false;
			s->wsi = NULL;
		}
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
	case LWS_CALLBACK_WSI_DESTROY:
		if (s && s->busy && s->wsi == wsi) {
			if (!s->got && reason == LWS_CALLBACK_CLIENT_CLOSED)
				J->failed++;
			s->busy = false;
			s->wsi = NULL;
		}
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{ "bench-joins", client_cb, 0, 8192, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void quiet(int level, const char *line)
{
	(void)level;
	(void)line;
}

static bool connect_slot(struct lws_context *ctx, struct slot *s, int port)
{
	struct lws_client_connect_info i;

	memset(s, 0, sizeof(*s));
	memset(&i, 0, sizeof(i));
	i.context = ctx;
	i.address = "127.0.0.1";
	i.port = port;
	i.path = "/strata/v1";
	i.host = "127.0.0.1";
	i.origin = "127.0.0.1";
	i.protocol = "strata.v1";
	i.local_protocol_name = "bench-joins";
	i.ssl_connection = LCCSCF_USE_SSL;
	i.alpn = "http/1.1";
	i.userdata = s;
	i.pwsi = &s->wsi;
	s->busy = true;
	J->started++;
	if (!lws_client_connect_via_info(&i)) {
		if (s->busy) {
			J->failed++;
			s->busy = false;
		}
		return false;
	}
	return true;
}

/* Runs joins until `total` are done or failed; *cpu gets strata-cp's CPU
 * time after `warmup` of them and at the end. */
static int run_joins(const char *ca, int port, const struct opts *o, pid_t cp_pid,
		     uint64_t *cpu, uint64_t *wall, unsigned *measured, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	struct lws_context *ctx;
	SSL_CTX *tls = SSL_CTX_new(TLS_client_method());
	uint64_t cpu0 = 0, wall0 = 0, deadline = mono_ns() + 300ull * 1000000000ull;
	unsigned done0 = 0;
	bool measuring = false;

	if (!tls || !SSL_CTX_load_verify_locations(tls, ca, NULL)) {
		snprintf(err, errlen, "cannot load %.400s", ca);
		SSL_CTX_free(tls);
		return -1;
	}
	lws_set_log_level(LLL_ERR, quiet);
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.provided_client_ssl_ctx = tls;
	info.timeout_secs = 10;
	info.connect_timeout_secs = 10;
	info.fd_limit_per_thread = 4096;
	ctx = lws_create_context(&info);
	if (!ctx) {
		snprintf(err, errlen, "cannot create the client context");
		SSL_CTX_free(tls);
		return -1;
	}
	J->done = J->failed = J->started = 0;
	memset(J->slots, 0, J->n_slots * sizeof(*J->slots));
	J->total = o->warmup + o->joins;
	while (J->done + J->failed < J->total && mono_ns() < deadline) {
		for (unsigned k = 0; k < J->n_slots && J->started < J->total; k++)
			if (!J->slots[k].busy)
				connect_slot(ctx, &J->slots[k], port);
		lws_service(ctx, 0);
		if (!measuring && J->done >= o->warmup) {
			measuring = true;
			cpu0 = cpu_ns(cp_pid);
			wall0 = mono_ns();
			done0 = J->done;
		}
	}
	*cpu = cpu_ns(cp_pid) - cpu0;
	*wall = mono_ns() - wall0;
	*measured = J->done - done0;
	lws_context_destroy(ctx);
	SSL_CTX_free(tls);
	if (J->failed) {
		snprintf(err, errlen, "%u of %u joins failed; the first: %.200s", J->failed,
			 J->total, J->first_error);
		return -1;
	}
	return 0;
}

/* ---- raw TLS handshakes -------------------------------------------------- */

static void tls_server(int lfd, SSL_CTX *ctx)
{
	for (;;) {
		int fd = accept(lfd, NULL, NULL);
		SSL *ssl;

		if (fd < 0)
			continue;
		ssl = SSL_new(ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_accept(ssl) == 1)
			SSL_shutdown(ssl);
		SSL_free(ssl);
		close(fd);
	}
}

/* Clients of the handshake server, in threads, so that connections wait
 * in its backlog and it never idles between two (as strata-cp does not,
 * with joins in flight). */
struct hs_clients {
	struct sockaddr_in addr;
	SSL_CTX *ctx;
	unsigned total;
	_Atomic unsigned next, ok, failed;
};

static void *hs_client(void *arg)
{
	struct hs_clients *h = arg;

	while (atomic_fetch_add(&h->next, 1) < h->total) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		SSL *ssl;

		if (fd < 0 || connect(fd, (struct sockaddr *)&h->addr, sizeof(h->addr)) < 0) {
			atomic_fetch_add(&h->failed, 1);
			if (fd >= 0)
				close(fd);
			continue;
		}
		ssl = SSL_new(h->ctx);
		SSL_set_fd(ssl, fd);
		SSL_set1_host(ssl, "127.0.0.1");
		if (SSL_connect(ssl) == 1) {
			atomic_fetch_add(&h->ok, 1);
			SSL_shutdown(ssl);
		} else {
			atomic_fetch_add(&h->failed, 1);
		}
		SSL_free(ssl);
		close(fd);
	}
	return NULL;
}

static int run_handshakes(const char *cert, const char *key, const struct opts *o,
			  uint64_t *cpu, uint64_t *wall, char *err, size_t errlen)
{
	struct hs_clients h = { .addr = { .sin_family = AF_INET } };
	socklen_t alen = sizeof(h.addr);
	SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
	int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	pthread_t th[1024];
	unsigned n_th = o->concurrency;
	uint64_t cpu0, wall0;
	pid_t pid;

	h.ctx = SSL_CTX_new(TLS_client_method());
	h.addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!sctx || !h.ctx || lfd < 0 || bind(lfd, (struct sockaddr *)&h.addr, sizeof(h.addr)) < 0 ||
	    listen(lfd, 1024) < 0 || getsockname(lfd, (struct sockaddr *)&h.addr, &alen) < 0 ||
	    SSL_CTX_use_certificate_chain_file(sctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(sctx, key, SSL_FILETYPE_PEM) != 1 ||
	    sig_tls_apply_policy(sctx, err, errlen) < 0 ||
	    !SSL_CTX_load_verify_locations(h.ctx, cert, NULL)) {
		if (!err[0])
			snprintf(err, errlen, "TLS server set-up failed");
		if (lfd >= 0)
			close(lfd);
		SSL_CTX_free(sctx);
		SSL_CTX_free(h.ctx);
		return -1;
	}
	SSL_CTX_set_verify(h.ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_session_cache_mode(h.ctx, SSL_SESS_CACHE_OFF);
	pid = fork();
	if (pid == 0) {
		pin(0, o->core, false);
		tls_server(lfd, sctx);
		_exit(0);
	}
	close(lfd);
	/* Warm-up, one client, then the measured ones in threads. */
	h.total = o->warmup;
	hs_client(&h);
	h.total = o->warmup + o->handshakes;
	h.next = o->warmup; /* the warm-up loop's last look went one past */
	h.ok = 0;
	cpu0 = cpu_ns(pid);
	wall0 = mono_ns();
	for (unsigned i = 0; i < n_th; i++)
		if (pthread_create(&th[i], NULL, hs_client, &h) != 0)
			n_th = i;
	for (unsigned i = 0; i < n_th; i++)
		pthread_join(th[i], NULL);
	*cpu = cpu_ns(pid) - cpu0;
	*wall = mono_ns() - wall0;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	SSL_CTX_free(sctx);
	SSL_CTX_free(h.ctx);
	if (h.ok != o->handshakes) {
		snprintf(err, errlen, "%u of %u handshakes failed", o->handshakes - h.ok,
			 o->handshakes);
		return -1;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, unsigned n)
{
	double s[100];

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* ---- set-up ---------------------------------------------------------------- */

static int make_app(const char *state, char *token, size_t cap, char *err, size_t errlen)
{
	char path[PATH_MAX + 32], key[CP_DEVKEY_MAX + 1];
	uint8_t master[CP_MASTER_KEY_LEN];
	struct cp_appstore *store;
	struct cp_err e = { { 0 } };
	int rc;

	snprintf(path, sizeof(path), "%s/master.key", state);
	if (cp_masterkey_load(path, true, master, &e) < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/apps.store", state);
	rc = cp_appstore_open(path, master, true, &store, &e);
	OPENSSL_cleanse(master, sizeof(master));
	if (rc != 0)
		goto fail;
	rc = cp_appstore_add(store, "bench", NULL, (uint64_t)time(NULL), key, &e);
	cp_appstore_close(store);
	if (rc != 0)
		goto fail;
	rc = cp_token_generate("bench", "user", (uint64_t)time(NULL) + 3600, NULL,
			       (const uint8_t *)key, strlen(key), token, cap);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc != CP_TOKEN_OK) {
		snprintf(err, errlen, "token: %.200s", cp_token_error_message(rc));
		return -1;
	}
	return 0;
fail:
	snprintf(err, errlen, "app store: %.400s", e.msg);
	return -1;
}

/* The sig_port of strata-cp's "ready" line, or -1 after 10 s. */
static int wait_ready(const char *log, pid_t pid)
{
	for (int i = 0; i < 200; i++) {
		char line[2048];
		FILE *f = fopen(log, "r");
		int port = -1;

		while (f && fgets(line, sizeof(line), f)) {
			const char *p = strstr(line, "msg=ready");

			if (p && (p = strstr(p, "sig_port=")))
				port = atoi(p + 9);
		}
		if (f)
			fclose(f);
		if (port > 0)
			return port;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		usleep(50000);
	}
	return -1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: strata-bench joins [--joins N] [--handshakes N] [--concurrency N] [--rounds N]\n"
		"                          [--core N] [--quick]\n"
		"                          [--cp PATH] [--fake-dp PATH] [--json]\n"
		"\n"
		"Joins strata-cp completes per second of its one core (a full TLS handshake, the\n"
		"WebSocket upgrade, a token checked against the app store, a room, a dataplane leg,\n"
		"\"joined\"), next to raw TLS handshakes per second of one core with the same\n"
		"OpenSSL, certificate and policy, measured in the same run; both as work divided by\n"
		"the serving process's CPU time, in rounds that alternate (medians).  --json prints\n"
		"{\"joins_per_s\":X,\"tls_handshakes_per_s\":Y,\"ratio\":X/Y}.\n"
		"\n"
		"  --joins N         joins measured (default 2000, --quick 300)\n"
		"  --handshakes N    handshakes measured (default 2000, --quick 300)\n"
		"  --concurrency N   joins in flight (default 16)\n"
		"  --core N          the core both servers are pinned to (default 1; -1: none);\n"
		"                    the client and strata-fake-dp run on the others\n"
		"  --rounds N        joins and handshakes alternate in N rounds; medians are\n"
		"                    reported (default 5)\n"
		"  --cp PATH         strata-cp (default: ../controlplane/strata-cp from here)\n"
		"  --fake-dp PATH    strata-fake-dp (default: ../tests/driver/strata-fake-dp)\n");
}

static void default_path(char *out, size_t len, const char *rel)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		n = 0;
	self[n] = 0;
	snprintf(out, len, "%s/../%s", dirname(self), rel);
}

int bench_joins_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "joins", required_argument, NULL, 'n' },
		{ "handshakes", required_argument, NULL, 'k' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "core", required_argument, NULL, 'C' },
		{ "quick", no_argument, NULL, 'q' },
		{ "cp", required_argument, NULL, 'p' },
		{ "fake-dp", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .joins = 2000, .handshakes = 2000, .concurrency = 16, .warmup = 50,
			  .rounds = 5, .core = 1 };
	char dir[] = "/tmp/strata-bench-joins.XXXXXX", state[PATH_MAX], conf[PATH_MAX],
	     log[PATH_MAX], shm[64], token[CP_TOKEN_MAX_LEN + 1], msg[CP_TOKEN_MAX_LEN + 512],
	     cert[PATH_MAX + 32], key[PATH_MAX + 32], err[512] = "";
	uint64_t jcpu = 0, jwall = 0, hcpu = 0, hwall = 0;
	unsigned measured = 0;
	pid_t dp = -1, cp = -1;
	struct joins j = { 0 };
	int opt, port, rc = 1;
	FILE *f;

	default_path(o.cp, sizeof(o.cp), "controlplane/strata-cp");
	default_path(o.fake_dp, sizeof(o.fake_dp), "tests/driver/strata-fake-dp");
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'n': o.joins = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'k': o.handshakes = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'c': o.concurrency = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r': o.rounds = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'C': o.core = (int)strtol(optarg, NULL, 10); break;
		case 'q': o.joins = o.handshakes = 300; break;
		case 'p': snprintf(o.cp, sizeof(o.cp), "%s", optarg); break;
		case 'f': snprintf(o.fake_dp, sizeof(o.fake_dp), "%s", optarg); break;
		case 'j': o.json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!o.joins || !o.handshakes || !o.concurrency || o.concurrency > 1024 || !o.rounds ||
	    o.rounds > 100 || o.joins < o.rounds || o.handshakes < o.rounds) {
		usage(stderr);
		return 2;
	}
	if (!mkdtemp(dir)) {
		perror("strata-bench joins: mkdtemp");
		return 1;
	}
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(conf, sizeof(conf), "%s/strata.conf", dir);
	snprintf(log, sizeof(log), "%s/cp.log", dir);
	snprintf(shm, sizeof(shm), "/strata-bench-joins-%d", (int)getpid());
	if (mkdir(state, 0700) < 0 || make_app(state, token, sizeof(token), err, sizeof(err)) < 0)
		goto out;
	f = fopen(conf, "w");
	if (!f)
		goto out;
	/* Quotas out of the way: the bench measures the work, not the limits. */
	fprintf(f,
		"controlplane = {\n"
		"  state_dir = \"%s\";\n"
		"  signaling = { address = \"127.0.0.1\"; port = 0; max_connections = 4096; };\n"
		"  metrics = { address = \"\"; };\n"
		"  dataplane = { shm = \"%s\"; ports = \"10000-60000\"; };\n"
		"  quotas = { participants_per_room = 100000; rooms_per_app = 10000000;\n"
		"             participants_per_app = 100000000; joins_per_s_per_address = 0;\n"
		"             joins_per_s_per_app = 0; };\n"
		"  sessions = { resume_grace_s = 0; };\n"
		"};\n",
		state, shm);
	fclose(f);

	char *dp_argv[] = { o.fake_dp, "--shm", shm, "--max", "65536", NULL };
	char *cp_argv[] = { o.cp, "-c", conf, NULL };
	dp = spawn(dp_argv, log);
	if (dp < 0)
		goto out;
	usleep(200000);
	cp = spawn(cp_argv, log);
	if (cp < 0)
		goto out;
	/* Both servers on one core, the client and strata-fake-dp on the others:
	 * the two measurements then see the same core. */
	pin(cp, o.core, false);
	pin(dp, o.core, true);
	pin(0, o.core, true);
	port = wait_ready(log, cp);
	if (port < 0) {
		snprintf(err, sizeof(err), "strata-cp did not start: see %.400s", log);
		goto out;
	}
	snprintf(cert, sizeof(cert), "%s/" SIG_TLS_SELF_CERT, state);
	snprintf(key, sizeof(key), "%s/" SIG_TLS_SELF_KEY, state);

	snprintf(msg, sizeof(msg),
		 "{\"type\":\"join\",\"id\":1,\"token\":\"%s\",\"resourceId\":\"bench\","
		 "\"capabilities\":{\"codecs\":[\"VP8\",\"opus\"],"
		 "\"srtpProfiles\":[\"AEAD_AES_128_GCM\"]}}",
		 token);
	j.join_msg = msg;
	j.join_len = strlen(msg);
	j.n_slots = o.concurrency;
	j.slots = calloc(o.concurrency, sizeof(*j.slots));
	J = &j;
	if (!j.slots)
		goto out;
	/* Rounds of joins and handshakes in turn, so both see the same
	 * machine (it is shared); the medians are reported. */
	struct opts ro = o;
	double jr[100], hr[100], rr[100];
	uint64_t tj = 0, th = 0;
	unsigned tm = 0;

	ro.joins = o.joins / o.rounds;
	ro.handshakes = o.handshakes / o.rounds;
	for (unsigned r = 0; r < o.rounds; r++) {
		if (run_joins(cert, port, &ro, cp, &jcpu, &jwall, &measured, err, sizeof(err)) < 0 ||
		    run_handshakes(cert, key, &ro, &hcpu, &hwall, err, sizeof(err)) < 0)
			goto out;
		if (!jcpu || !hcpu) {
			snprintf(err, sizeof(err), "no CPU time from /proc/PID/schedstat");
			goto out;
		}
		jr[r] = measured / (jcpu / 1e9);
		hr[r] = ro.handshakes / (hcpu / 1e9);
		rr[r] = jr[r] / hr[r];
		tj += jcpu;
		th += hcpu;
		tm += measured;
	}
	double jps = median(jr, o.rounds), hps = median(hr, o.rounds), ratio = median(rr, o.rounds);

	if (o.json) {
		printf("{\"joins_per_s\":%.1f,\"tls_handshakes_per_s\":%.1f,\"ratio\":%.3f}\n", jps,
		       hps, ratio);
	} else {
		for (unsigned r = 0; r < o.rounds; r++)
			printf("round %u: %.1f joins/core-s, %.1f handshakes/core-s, ratio %.3f\n", r + 1,
			       jr[r], hr[r], rr[r]);
		printf("joins:          %u, strata-cp used %.3f s of CPU: median %.1f joins per "
		       "core-second\n",
		       tm, tj / 1e9, jps);
		printf("TLS handshakes: %u, the server used %.3f s of CPU: median %.1f handshakes per "
		       "core-second\n",
		       ro.handshakes * o.rounds, th / 1e9, hps);
		printf("ratio:          median %.3f (target >= 0.6)\n", ratio);
	}
	rc = 0;
out:
	if (rc && err[0])
		fprintf(stderr, "strata-bench joins: %s\n", err);
	stop(cp);
	stop(dp);
	free(j.slots);
	if (rc == 0) {
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "strata-bench joins: could not remove %s\n", dir);
	} else {
		fprintf(stderr, "strata-bench joins: kept %s for a look\n", dir);
	}
	return rc;
}
