/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp: the control plane.  App developers' clients talk to it over
 * TLS WebSocket signaling; operators over the control socket (stratactl)
 * and the Prometheus endpoint; strata-dp through shared memory.  All of it
 * in one thread and one event loop (sig_server.h), without root and
 * without DPDK.
 *
 *   strata-cp [-c FILE] [--check]
 *
 * -c FILE reads the `controlplane` section of FILE (conf/strata.conf
 * documents it); without it every setting takes its default.  --check
 * reads the configuration and exits.  SIGTERM and SIGINT stop it (clients
 * get a close, strata-dp's legs are removed); SIGHUP reloads the reloadable
 * settings and reopens the log files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cp.h"
#include "log.h"
#include "masterkey.h"
#include "sig_tls.h"

CP_LOG_MODULE(main);

#define TICK_US 1000000

static void usage(FILE *f)
{
	fprintf(f, "usage: strata-cp [-c FILE] [--check]\n"
		   "\n"
		   "  -c, --config FILE  read the `controlplane` section of FILE\n"
		   "      --check        check the configuration and exit\n"
		   "  -V, --version      print the version\n"
		   "  -h, --help         this text\n");
}

/* mkdir -p with mode for the missing parts; the last part must end up a
 * directory. */
static int make_dir(const char *path, mode_t mode)
{
	char buf[CP_PATH_MAX];
	struct stat st;

	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, strlen(path) + 1);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -1;
	if (stat(buf, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* Started as root with `user` configured: the state directory becomes the
 * user's and the process becomes the user, before anything is opened. */
static int drop_privileges(const struct cp_config *cfg)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;
	if (!cfg->user[0]) {
		fprintf(stderr, "strata-cp: warning: running as root; set controlplane.user to "
				"run as an unprivileged user\n");
		return 0;
	}
	pw = getpwnam(cfg->user);
	if (!pw) {
		fprintf(stderr, "strata-cp: controlplane.user: no user \"%s\": create it "
				"(useradd --system %s) or change the setting\n",
			cfg->user, cfg->user);
		return -1;
	}
	if (make_dir(cfg->state_dir, 0700) < 0 || chown(cfg->state_dir, pw->pw_uid, pw->pw_gid) < 0) {
		fprintf(stderr, "strata-cp: %s: %s\n", cfg->state_dir, strerror(errno));
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		fprintf(stderr, "strata-cp: cannot become %s: %s\n", cfg->user, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		fprintf(stderr, "strata-cp: still root after dropping privileges\n");
		return -1;
	}
	return 0;
}

static void ctl_fd(void *arg, int fd, short revents)
{
	ctl_handle(arg, fd, revents);
}

static void metrics_fd(void *arg, int fd, short revents)
{
	cp_metrics_http_handle(arg, fd, revents);
}

static void dp_tick(void *arg)
{
	struct cp *cp = arg;

	cp_dplink_poll(cp->dp);
	sig_timer_arm(cp->dp_timer, cp->cfg.dataplane.poll_us);
}

static void tick(void *arg)
{
	struct cp *cp = arg;

	cp_sessions_tick(cp);
	ctl_run_timers(cp->ctl);
	if (cp->http)
		cp_metrics_http_run_timers(cp->http);
	cp_log_flush_suppressed();
	sig_timer_arm(cp->tick, TICK_US);
}

static void signal_readable(void *arg, struct sig_fd *f, int fd)
{
	struct cp *cp = arg;
	struct signalfd_siginfo si;
	char msg[600];

	(void)f;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			int rc = cp_reload(cp, msg, sizeof(msg));

			cp_log_reopen();
			cp_audit_reopen();
			if (rc == 0)
				CP_INFO("SIGHUP: reloaded", CP_KV_STR("detail", msg));
			else
				CP_WARN("SIGHUP: reload failed", CP_KV_STR("detail", msg));
			continue;
		}
		CP_INFO("stopping", CP_KV_STR("signal", strsignal((int)si.ssi_signo)));
		cp->stopping = true;
		sig_server_stop(cp->sig);
	}
}

static const struct sig_fd_ops signal_ops = { .readable = signal_readable };

static void collect(struct cp_metrics *reg, void *arg)
{
	struct cp *cp = arg;
	struct cp_metric *m;

	if ((m = cp_metrics_find(reg, "strata_cp_rooms")))
		cp_series_set(cp_metric_series(m, NULL), cp->rooms.n_rooms);
	if ((m = cp_metrics_find(reg, "strata_cp_participants")))
		cp_series_set(cp_metric_series(m, NULL), cp->n_participants);
	if ((m = cp_metrics_find(reg, "strata_cp_dataplane_up")))
		cp_series_set(cp_metric_series(m, NULL), cp_dplink_up(cp->dp));
	if ((m = cp_metrics_find(reg, "strata_cp_joins_total")))
		for (int r = 0; r < CP_JOIN_RESULT_COUNT; r++)
			cp_series_set_counter(CP_SERIES(m, cp_join_result_name(r)), cp->joins[r]);
	if ((m = cp_metrics_find(reg, "strata_cp_signaling_connections"))) {
		struct sig_server_stats st;

		sig_server_stats(cp->sig, &st);
		cp_series_set(cp_metric_series(m, NULL), (double)st.open);
	}
	if ((m = cp_metrics_find(reg, "strata_cp_signaling_closes_total"))) {
		struct sig_server_stats st;

		sig_server_stats(cp->sig, &st);
		for (int r = 0; r < SIG_CLOSE_COUNT; r++)
			cp_series_set_counter(CP_SERIES(m, sig_close_name(r)), st.closes[r]);
	}
}

static int metrics_setup(struct cp *cp)
{
	struct cp_metrics *reg = cp->metrics;

	if (!cp_metrics_gauge(reg, "strata_cp_rooms", "Rooms with participants.", NULL) ||
	    !cp_metrics_gauge(reg, "strata_cp_participants", "Participants joined.", NULL) ||
	    !cp_metrics_gauge(reg, "strata_cp_dataplane_up", "1 while strata-dp is attached.",
			      NULL) ||
	    !cp_metrics_gauge(reg, "strata_cp_signaling_connections",
			      "Open signaling connections.", NULL) ||
	    !cp_metrics_counter(reg, "strata_cp_joins_total", "Join requests by outcome.",
				"result", NULL) ||
	    !cp_metrics_counter(reg, "strata_cp_signaling_closes_total",
				"Signaling connections ended, by reason (dead: no answer to a ping).",
				"reason", NULL) ||
	    cp_metrics_add_collector(reg, collect, cp) < 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct cp cpv; /* large (the rooms' table): not on the stack */
	struct cp *cp = &cpv;
	struct sig_server_config sc;
	struct cp_dplink_ops dops = cp_dplink_handlers;
	char err[1024], path[CP_PATH_MAX + 64], cert[PATH_MAX], key[PATH_MAX], note[1024];
	uint8_t master[CP_MASTER_KEY_LEN];
	struct cp_err cerr = { { 0 } };
	bool check = false;
	struct sig_fd *sigfd = NULL;
	sigset_t mask;
	int opt, sfd = -1, rc = 1;

	while ((opt = getopt_long(argc, argv, "c:Vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': cp->config_path = optarg; break;
		case 'k': check = true; break;
		case 'V': printf("strata-cp %s\n", CP_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	cp_config_defaults(&cp->cfg);
	if (cp->config_path && cp_config_load(cp->config_path, &cp->cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "strata-cp: %s\n", err);
		return 2;
	}
	if (check) {
		printf("strata-cp: %s: the controlplane section is valid\n",
		       cp->config_path ? cp->config_path : "(defaults)");
		return 0;
	}
	if (drop_privileges(&cp->cfg) < 0)
		return 1;
	umask(077);
	if (make_dir(cp->cfg.state_dir, 0700) < 0) {
		fprintf(stderr, "strata-cp: state_dir %s: %s: create it, owned by this user\n",
			cp->cfg.state_dir, strerror(errno));
		return 1;
	}
	if (cp->cfg.logs.file[0] && cp_log_open(cp->cfg.logs.file) < 0) {
		fprintf(stderr, "strata-cp: logs.file %s: %s\n", cp->cfg.logs.file, strerror(errno));
		return 1;
	}
	cp_log_set_level(NULL, (enum cp_log_level)cp_log_level_parse(cp->cfg.logs.level));
	cp_config_path(&cp->cfg, cp->cfg.logs.audit[0] ? cp->cfg.logs.audit : "audit.log", path,
		       sizeof(path));
	if (cp_audit_open(path) < 0) {
		CP_ERR("cannot open the audit log", CP_KV_STR("path", path),
		       CP_KV_STR("error", strerror(errno)));
		return 1;
	}
	cp->started_ms = cp_now_ms();

	/* The app store, sealed under the master key. */
	cp_config_path(&cp->cfg, cp->cfg.apps.master_key, path, sizeof(path));
	switch (cp_masterkey_load(path, true, master, &cerr)) {
	case 0:
		break;
	case 1:
		CP_WARN("created a new master key for the app store: back it up",
			CP_KV_STR("path", path));
		break;
	default:
		CP_ERR("master key", CP_KV_STR("error", cerr.msg));
		return 1;
	}
	cp_config_path(&cp->cfg, cp->cfg.apps.store, path, sizeof(path));
	if (cp_appstore_open(path, master, true, &cp->apps, &cerr) != 0) {
		OPENSSL_cleanse(master, sizeof(master));
		CP_ERR("app store", CP_KV_STR("path", path), CP_KV_STR("error", cerr.msg));
		return 1;
	}
	/* Kept for sealing sessions.state; wiped at exit. */
	memcpy(cp->master, master, sizeof(master));
	OPENSSL_cleanse(master, sizeof(master));

	/* TLS: the configured pair, or a self-signed one in the state dir. */
	if (cp->cfg.signaling.cert[0]) {
		cp_config_path(&cp->cfg, cp->cfg.signaling.cert, cert, sizeof(cert));
		cp_config_path(&cp->cfg, cp->cfg.signaling.key, key, sizeof(key));
	} else if (sig_tls_self_signed(cp->cfg.state_dir, cert, key, note, sizeof(note)) ==
		   SIG_TLS_SELF_ERROR) {
		CP_ERR("self-signed certificate", CP_KV_STR("error", note));
		goto out_apps;
	} else {
		CP_WARN("no certificate configured (signaling.cert): using a self-signed one",
			CP_KV_STR("detail", note), CP_KV_STR("cert", cert));
	}

	cp_rooms_init(&cp->rooms);
	cp_persist_load(cp);
	if (cp_ratelimit_init(&cp->rl_addr, cp->cfg.quotas.joins_per_s_per_address,
			      cp->cfg.quotas.joins_burst_per_address, 65536) < 0 ||
	    cp_ratelimit_init(&cp->rl_app, cp->cfg.quotas.joins_per_s_per_app,
			      cp->cfg.quotas.joins_burst_per_app, 4096) < 0) {
		CP_ERR("out of memory");
		goto out_rl;
	}

	memset(&sc, 0, sizeof(sc));
	sc.address = cp->cfg.signaling.address[0] ? cp->cfg.signaling.address : NULL;
	sc.port = cp->cfg.signaling.port;
	sc.cert_file = cert;
	sc.key_file = key;
	sc.max_connections = cp->cfg.signaling.max_connections;
	sc.idle_timeout_s = cp->cfg.signaling.idle_timeout_s;
	sc.ping_interval_s = cp->cfg.signaling.ping_interval_s;
	sc.pong_timeout_s = cp->cfg.signaling.pong_timeout_s;
	sc.handlers = &cp_sig_handlers;
	sc.app = cp;
	cp->sig = sig_server_create(&sc, err, sizeof(err));
	if (!cp->sig) {
		CP_ERR("signaling server", CP_KV_STR("error", err));
		goto out_rl;
	}

	/* Signals through a signalfd in the loop: no work in handlers. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0 || !(sigfd = sig_watch_fd(cp->sig, sfd, &signal_ops, cp))) {
		CP_ERR("signalfd", CP_KV_STR("error", strerror(errno)));
		goto out_sig;
	}

	/* Metrics, then the control socket that reports them. */
	cp->metrics = cp_metrics_new();
	if (!cp->metrics || metrics_setup(cp) < 0) {
		CP_ERR("out of memory");
		goto out_metrics;
	}
	if (cp->cfg.metrics.address[0]) {
		snprintf(path, sizeof(path), strchr(cp->cfg.metrics.address, ':') ? "[%s]:%u" : "%s:%u",
			 cp->cfg.metrics.address, cp->cfg.metrics.port);
		cp->http = cp_metrics_http_open(cp->metrics, path, err, sizeof(err));
		if (!cp->http) {
			CP_ERR("metrics endpoint", CP_KV_STR("error", err));
			goto out_metrics;
		}
		cp->metrics_watch = sig_fdwatch_new(cp->sig, metrics_fd, cp->http);
		if (!cp->metrics_watch)
			goto out_metrics;
		cp_metrics_http_set_watch(cp->http, sig_fdwatch_watch(cp->metrics_watch));
	}

	cp->ctl = ctl_new(NULL);
	if (!cp->ctl || ctl_register_log_commands(cp->ctl) < 0 || cp_commands_register(cp) < 0 ||
	    ctl_set_metrics(cp->ctl, cp->metrics) < 0) {
		CP_ERR("control socket: out of memory");
		goto out_ctl;
	}
	cp_config_path(&cp->cfg, cp->cfg.control.socket[0] ? cp->cfg.control.socket
							    : CTL_SOCKET_NAME,
		       path, sizeof(path));
	if (ctl_listen(cp->ctl, path, err, sizeof(err)) < 0) {
		CP_ERR("control socket", CP_KV_STR("error", err));
		goto out_ctl;
	}
	cp->ctl_watch = sig_fdwatch_new(cp->sig, ctl_fd, cp->ctl);
	if (!cp->ctl_watch)
		goto out_ctl;
	ctl_set_watch(cp->ctl, sig_fdwatch_watch(cp->ctl_watch));

	/* The dataplane: attached now if strata-dp runs, else retried. */
	dops.arg = cp;
	cp->dp = cp_dplink_new(cp->cfg.dataplane.shm, &dops, err, sizeof(err));
	if (!cp->dp) {
		CP_ERR("dataplane link", CP_KV_STR("error", err));
		goto out_ctl;
	}
	cp->dp_timer = sig_timer_new(cp->sig, dp_tick, cp);
	cp->tick = sig_timer_new(cp->sig, tick, cp);
	if (!cp->dp_timer || !cp->tick)
		goto out_dp;
	cp_dplink_poll(cp->dp);
	if (!cp_dplink_up(cp->dp))
		CP_WARN("strata-dp is not attached yet: joins fail until it is",
			CP_KV_STR("why", cp_dplink_error(cp->dp)));
	sig_timer_arm(cp->dp_timer, cp->cfg.dataplane.poll_us);
	sig_timer_arm(cp->tick, TICK_US);

	CP_INFO("ready", CP_KV_UINT("pid", getpid()), CP_KV_UINT("sig_port", sig_server_port(cp->sig)),
		CP_KV_STR("ctl", ctl_path(cp->ctl)),
		CP_KV_INT("metrics_port", cp->http ? cp_metrics_http_port(cp->http) : 0),
		CP_KV_STR("shm", cp->cfg.dataplane.shm), CP_KV_UINT("uid", getuid()));
	sig_server_run(cp->sig);
	rc = 0;

	/* Shutting down: every client gets a close (and its participant goes),
	 * then what that queued for strata-dp is given a moment to go out. */
	cp->stopping = true; /* participants go with their connections now */
	sig_server_close_all(cp->sig, SIG_CLOSE_GOING_AWAY);
	/* Until every connection has written what it had queued ("left",
	 * "closing") and closed, or 5 s. */
	for (int i = 0; i < 250; i++) {
		struct sig_server_stats st;

		sig_server_stats(cp->sig, &st);
		if (!st.open)
			break;
		sig_server_service(cp->sig, 20);
	}
	/* Those away (waiting to resume) go too: a stopped strata-cp serves
	 * nobody's media. */
	cp_sessions_remove_all(cp, "shutdown");
	for (int i = 0; i < 2000 && cp_dplink_up(cp->dp) && cp_dplink_outstanding(cp->dp); i++) {
		struct timespec ts = { 0, 1000000 };

		cp_dplink_poll(cp->dp);
		nanosleep(&ts, NULL);
	}
	/* Every participant went with its connection: nothing to take over. */
	cp_persist_save(cp);
	CP_INFO("stopped", CP_KV_UINT("participants", cp->n_participants));
out_dp:
	sig_timer_free(cp->save_timer);
	cp->save_timer = NULL;
	sig_timer_free(cp->dp_timer);
	sig_timer_free(cp->tick);
	cp->dp_timer = cp->tick = NULL;
out_ctl:
	if (cp->ctl)
		ctl_set_watch(cp->ctl, NULL);
	ctl_free(cp->ctl);
	sig_fdwatch_free(cp->ctl_watch);
out_metrics:
	if (cp->http)
		cp_metrics_http_set_watch(cp->http, NULL);
	cp_metrics_http_close(cp->http);
	sig_fdwatch_free(cp->metrics_watch);
out_sig:
	if (sigfd)
		sig_fd_close(sigfd);
	/* Closes the connections still open: their participants go too. */
	sig_server_destroy(cp->sig);
	if (sfd >= 0)
		close(sfd);
	cp_dplink_free(cp->dp);
	cp_metrics_free(cp->metrics);
out_rl:
	cp_ratelimit_fini(&cp->rl_addr);
	cp_ratelimit_fini(&cp->rl_app);
	cp_rooms_fini(&cp->rooms);
	free(cp->orphan_subs.kept);
	free(cp->orphan_streams.kept);
	free(cp->orphan_legs.kept);
	free(cp->orphan_subs.ids);
	free(cp->orphan_streams.ids);
	free(cp->orphan_legs.ids);
	for (struct cp_ban *b = cp->bans, *n; b; b = n) {
		n = b->next;
		free(b);
	}
	if (cp->pools_ready) {
		cp_idpool_fini(&cp->legs);
		cp_idpool_fini(&cp->streams);
		cp_idpool_fini(&cp->sources);
		cp_idpool_fini(&cp->subs);
		cp_idpool_fini(&cp->ports);
	}
out_apps:
	OPENSSL_cleanse(cp->master, sizeof(cp->master));
	cp_appstore_close(cp->apps);
	return rc;
}
