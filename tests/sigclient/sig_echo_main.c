/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-sig-echo: the signaling server with the echo application
 * (sig_echo_app.h), for shell tests and for trying clients by hand.
 *
 *   strata-sig-echo [--address 127.0.0.1] [--port 0] (--cert C --key K | --state-dir D)
 *                   [--handshake-timeout S] [--idle-timeout S] [--rate N] [--burst N]
 *                   [--queue-bytes N] [--max-connections N] [--port-file F]
 *
 * It prints "strata-sig-echo: listening on ADDRESS port N" once it
 * listens (and writes N to --port-file), and stops on SIGINT or SIGTERM,
 * which it receives through a signalfd in the server's own loop (the way
 * sig_server.h suggests), printing its counters.
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "sig_echo_app.h"
#include "sig_tls.h"

static void on_signal(void *arg, struct sig_fd *f, int fd)
{
	struct signalfd_siginfo si;

	(void)f;
	if (read(fd, &si, sizeof(si)) == sizeof(si))
		sig_server_stop(arg);
}

static const struct sig_fd_ops signal_ops = { .readable = on_signal };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "address", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "handshake-timeout", required_argument, NULL, 'H' },
		{ "idle-timeout", required_argument, NULL, 'I' },
		{ "rate", required_argument, NULL, 'r' },
		{ "burst", required_argument, NULL, 'b' },
		{ "queue-bytes", required_argument, NULL, 'q' },
		{ "max-connections", required_argument, NULL, 'm' },
		{ "port-file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct echo_app app = { 0 };
	struct sig_server_config cfg = { .address = "127.0.0.1", .handlers = &echo_handlers,
					 .app = &app };
	static char cert[PATH_MAX], key[PATH_MAX];
	const char *state_dir = NULL, *port_file = NULL;
	char err[512];
	sigset_t mask;
	int opt, sfd;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a': cfg.address = optarg; break;
		case 'p': cfg.port = (uint16_t)atoi(optarg); break;
		case 'c': cfg.cert_file = optarg; break;
		case 'k': cfg.key_file = optarg; break;
		case 'd': state_dir = optarg; break;
		case 'H': cfg.handshake_timeout_s = (unsigned)atoi(optarg); break;
		case 'I': cfg.idle_timeout_s = (unsigned)atoi(optarg); break;
		case 'r': cfg.msg_rate = (unsigned)atoi(optarg); break;
		case 'b': cfg.msg_burst = (unsigned)atoi(optarg); break;
		case 'q': cfg.queue_max_bytes = (size_t)atol(optarg); break;
		case 'm': cfg.max_connections = (unsigned)atoi(optarg); break;
		case 'f': port_file = optarg; break;
		default:
			fprintf(stderr, "usage: strata-sig-echo [--address A] [--port P] "
					"(--cert C --key K | --state-dir D) [...]\n");
			return 2;
		}
	}
	if (!cfg.cert_file) {
		if (!state_dir) {
			fprintf(stderr, "strata-sig-echo: give --cert and --key, or --state-dir\n");
			return 2;
		}
		if (sig_tls_self_signed(state_dir, cert, key, err, sizeof(err)) < 0) {
			fprintf(stderr, "strata-sig-echo: %s\n", err);
			return 1;
		}
		printf("strata-sig-echo: %s\n", err);
		cfg.cert_file = cert;
		cfg.key_file = key;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

	app.srv = sig_server_create(&cfg, err, sizeof(err));
	if (!app.srv) {
		fprintf(stderr, "strata-sig-echo: %s\n", err);
		return 1;
	}
	if (sfd < 0 || !sig_watch_fd(app.srv, sfd, &signal_ops, app.srv)) {
		fprintf(stderr, "strata-sig-echo: cannot watch signals\n");
		return 1;
	}
	close(sfd); /* the loop has its own dup */
	printf("strata-sig-echo: listening on %s port %u\n", cfg.address,
	       sig_server_port(app.srv));
	fflush(stdout);
	if (port_file) {
		FILE *f = fopen(port_file, "w");
		if (f) {
			fprintf(f, "%u\n", sig_server_port(app.srv));
			fclose(f);
		}
	}
	sig_server_run(app.srv);

	struct sig_server_stats st;
	sig_server_stats(app.srv, &st);
	printf("strata-sig-echo: %llu accepted, %llu opened, %llu requests, %llu messages in, "
	       "%llu out\n",
	       (unsigned long long)st.accepted, (unsigned long long)st.opened,
	       (unsigned long long)st.requests, (unsigned long long)st.msgs_in,
	       (unsigned long long)st.msgs_out);
	sig_server_destroy(app.srv);
	return 0;
}
