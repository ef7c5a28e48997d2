/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * webrtc_capture: records what headless Chromium sends over WebRTC (SVC or
 * simulcast video from its fake camera) as plaintext RTP (rtp_file.h), with
 * a JSON sidecar naming the negotiated payload type and extension ids.
 *
 *   webrtc_capture --codec vp9|av1|vp8-simulcast|vp8|h264 --out FILE.rtp
 *                  [--seconds N] [--mode L3T3] [--width W] [--height H]
 *                  [--fps N] [--max-kbps K[,K,K]] [--warmup MS] [--pli-every MS]
 *                  [--without EXT[,EXT]] [--sidecar FILE.json] [--chromium PATH]
 *                  [--srtp PROFILE[:PROFILE]] [--page-dir DIR] [--keep] [--verbose]
 *
 * Defaults: 6 seconds of 1280x720 at 30 fps after a 3000 ms warm-up; VP9
 * and AV1 in L3T3 capped at 1000 kbit/s, VP8 simulcast as rids l/m/h scaled
 * down by 4/2/1 each in L1T3 capped at 100/300/700 kbit/s, VP8 and H.264 in
 * L1T3; a keyframe request (PLI) every 2000 ms; every header extension
 * of webrtc_sdp.c's list that the browser offers, less those named with
 * --without (e.g. "dependency-descriptor": Chromium then writes the VP8
 * layer fields into the VP8 payload descriptor instead); the SRTP profiles
 * of webrtc_dtls.c, SRTP_AES128_CM_SHA1_80 first, unless --srtp names
 * others (OpenSSL's names, e.g. SRTP_AEAD_AES_256_GCM).  Needs root
 * (network namespaces), iproute2, chromium, libsrtp2 and OpenSSL.
 *
 * How (the pieces are in webrtc_*.c, each with its RFC):
 *
 *   1. Two network namespaces joined by a veth pair (webrtc_netns.h): the
 *      tool at 198.51.100.1, Chromium at 198.51.100.2.
 *   2. The tool serves the capture page over plain HTTP (webrtc_http.c;
 *      the origin is declared secure to Chromium so getUserMedia works).
 *   3. The page (webrtc_capture.js) POSTs its offer; the tool answers as an
 *      ICE-lite, DTLS-passive endpoint with one host candidate, the wanted
 *      codec and the header extensions it keeps (webrtc_sdp.c).
 *   4. On the UDP port (webrtc_media.c): STUN checks answered, the DTLS
 *      handshake, SRTP keys exported, every RTP packet decrypted with
 *      libsrtp2 and written to the capture; receiver reports, PLIs and
 *      transport-wide feedback sent back (webrtc_rtcp.c).
 *   5. After the warm-up the tool asks for a keyframe (PLI); the capture
 *      starts at it (each stream at its own) and lasts --seconds, with a
 *      keyframe request every --pli-every ms; each stream then completes
 *      its current frame (webrtc_media.h).  The page then reports its
 *      encoder's view (getStats) into the sidecar; everything is stopped
 *      and removed, on failure too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "webrtc_capture.h"
#include "webrtc_payload.h"

/* Where the page is (meson passes the source directory). */
#ifndef WEBRTC_PAGE_DIR
#define WEBRTC_PAGE_DIR "tests/tools"
#endif

/* How long each phase may take before the run is declared failed. */
#define OFFER_TIMEOUT_US (40 * 1000000ull)
#define CONNECT_TIMEOUT_US (20 * 1000000ull)
#define MEDIA_TIMEOUT_US (20 * 1000000ull)
#define KEYFRAME_TIMEOUT_US (20 * 1000000ull)
#define REPORT_TIMEOUT_US (10 * 1000000ull)

static const struct codec_preset presets[] = {
	{ "vp9", "VP9", "L3T3", 0 },
	{ "av1", "AV1", "L3T3", 0 },
	{ "vp8-simulcast", "VP8", "L1T3", 1 },
	{ "vp8", "VP8", "L1T3", 0 },
	{ "h264", "H264", "L1T3", 0 },
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static uint64_t now_us(void)
{
	static uint64_t start;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t t = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	if (!start)
		start = t;
	/* One second in, so that no arrival time is 0 (webrtc_rtcp.c). */
	return t - start + 1000000u;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: webrtc_capture --codec vp9|av1|vp8-simulcast|vp8|h264 --out FILE.rtp\n"
		"                      [--seconds N] [--mode L3T3] [--width W] [--height H] [--fps N]\n"
		"                      [--max-kbps K[,K,K]] [--warmup MS] [--pli-every MS]\n"
		"                      [--without EXT[,EXT]] [--sidecar FILE.json] [--chromium PATH]\n"
		"                      [--srtp PROFILE[:PROFILE]] [--page-dir DIR] [--keep] [--verbose]\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->seconds = 6;
	o->width = 1280;
	o->height = 720;
	o->fps = 30;
	o->pli_every_ms = 2000;
	o->warmup_ms = 3000;
	o->chromium = "chromium";
	o->page_dir = WEBRTC_PAGE_DIR;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = 1;

		if (!strcmp(a, "--keep"))
			o->keep = 1, takes = 0;
		else if (!strcmp(a, "--verbose"))
			o->verbose = 1, takes = 0;
		else if (!v)
			goto bad;
		else if (!strcmp(a, "--codec")) {
			for (size_t k = 0; k < sizeof(presets) / sizeof(presets[0]); k++)
				if (!strcmp(v, presets[k].arg))
					o->codec = &presets[k];
			if (!o->codec)
				goto bad;
		} else if (!strcmp(a, "--out"))
			o->out = v;
		else if (!strcmp(a, "--sidecar"))
			o->sidecar = v;
		else if (!strcmp(a, "--mode"))
			o->mode = v;
		else if (!strcmp(a, "--without"))
			o->without = v;
		else if (!strcmp(a, "--srtp"))
			o->srtp = v;
		else if (!strcmp(a, "--chromium"))
			o->chromium = v;
		else if (!strcmp(a, "--page-dir"))
			o->page_dir = v;
		else if (!strcmp(a, "--seconds"))
			o->seconds = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--width"))
			o->width = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--height"))
			o->height = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--fps"))
			o->fps = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--pli-every"))
			o->pli_every_ms = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--warmup"))
			o->warmup_ms = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--max-kbps")) {
			char *p = (char *)v;
			o->n_max_kbps = 0;
			while (*p && o->n_max_kbps < 3) {
				o->max_kbps[o->n_max_kbps++] = (unsigned)strtoul(p, &p, 10);
				if (*p == ',')
					p++;
			}
		} else
			goto bad;
		i += takes;
	}
	if (!o->codec || !o->out || !o->seconds || !o->width || !o->height || !o->fps)
		goto bad;
	if (!o->mode)
		o->mode = o->codec->mode;
	if (!o->n_max_kbps) {
		/* Modest caps that still leave room for every layer. */
		static const unsigned sim[] = { 100, 300, 700 };
		if (o->codec->simulcast)
			memcpy(o->max_kbps, sim, sizeof(sim)), o->n_max_kbps = 3;
		else
			o->max_kbps[0] = 1000, o->n_max_kbps = 1;
	}
	if (o->codec->simulcast && o->n_max_kbps != 3) {
		fprintf(stderr, "webrtc_capture: simulcast needs three --max-kbps values\n");
		return -1;
	}
	return 0;
bad:
	usage();
	return -1;
}

/* ---- Chromium ----------------------------------------------------------- */

/* The first line of `chromium --version`, for the sidecar. */
static void browser_version(struct capture *c)
{
	char cmd[600];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s' --version 2>/dev/null", c->opt.chromium);
	p = popen(cmd, "r");
	if (p && fgets(c->browser_version, sizeof(c->browser_version), p))
		c->browser_version[strcspn(c->browser_version, "\n")] = '\0';
	if (p)
		pclose(p);
}

static int start_chromium(struct capture *c)
{
	char user_data[128], origin[96], url[96], log_path[128], fake[64];
	int pipefd[2];

	snprintf(user_data, sizeof(user_data), "--user-data-dir=%s/profile", c->work);
	snprintf(origin, sizeof(origin), "--unsafely-treat-insecure-origin-as-secure=http://%s:%u",
		 WRTC_TOOL_ADDR, c->http_port);
	snprintf(url, sizeof(url), "http://%s:%u/", WRTC_TOOL_ADDR, c->http_port);
	snprintf(log_path, sizeof(log_path), "%s/chromium.log", c->work);
	snprintf(fake, sizeof(fake), "--use-fake-device-for-media-stream=fps=%u", c->opt.fps);
	/* The flags of ../shared/RECIPES.md, the fake camera's frame rate
	 * (its default is 20 fps), and the page's origin declared secure
	 * (getUserMedia needs a secure context; the page is plain HTTP on a
	 * documentation address). */
	char *argv[] = {
		(char *)c->opt.chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", user_data,
		fake, "--use-fake-ui-for-media-stream",
		"--enable-logging=stderr", "--v=0", origin, url, NULL,
	};

	browser_version(c);
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	c->chromium_log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	c->chromium = wrtc_spawn(c->ns.browser, argv, pipefd[1]);
	close(pipefd[1]);
	c->chromium_out = pipefd[0];
	fcntl(c->chromium_out, F_SETFL, O_NONBLOCK);
	if (c->chromium < 0)
		return -1;
	fprintf(stderr, "webrtc_capture: chromium started (pid %d) on %s\n", (int)c->chromium, url);
	for (size_t i = 0; argv[i]; i++)
		fprintf(stderr, "%s%s", i ? " " : "webrtc_capture: ", argv[i]);
	fprintf(stderr, "\n");
	return 0;
}

/* Chromium's stderr goes to chromium.log in the work directory; the page's
 * console lines (and everything with --verbose) are echoed. */
static void read_chromium(struct capture *c)
{
	for (;;) {
		ssize_t n = read(c->chromium_out, c->line + c->line_len,
				 sizeof(c->line) - 1 - c->line_len);
		if (n <= 0)
			return;
		if (c->chromium_log >= 0 && write(c->chromium_log, c->line + c->line_len,
						  (size_t)n) != n)
			c->chromium_log = -1;
		c->line_len += (size_t)n;
		c->line[c->line_len] = '\0';
		char *start = c->line, *nl;
		while ((nl = strchr(start, '\n'))) {
			*nl = '\0';
			if (c->opt.verbose || strstr(start, "capture:"))
				fprintf(stderr, "chromium: %s\n", start);
			start = nl + 1;
		}
		c->line_len = strlen(start);
		memmove(c->line, start, c->line_len);
		if (c->line_len == sizeof(c->line) - 1)
			c->line_len = 0;
	}
}
/* ---- the run ------------------------------------------------------------ */

static int fail_at(const char *what)
{
	fprintf(stderr, "webrtc_capture: %s\n", what);
	return -1;
}

static int run(struct capture *c)
{
	uint64_t start = now_us(), offer_at = 0, connected_at = 0, done_at = 0;

	for (;;) {
		struct pollfd fds[2 + 1 + WRTC_HTTP_MAX_CLIENTS];
		int n = 0, timeout = 100, t;
		uint64_t now;

		fds[n++] = (struct pollfd){ .fd = c->media.fd, .events = POLLIN };
		fds[n++] = (struct pollfd){ .fd = c->chromium_out, .events = POLLIN };
		n += wrtc_http_pollfds(&c->http, fds + n, (int)(sizeof(fds) / sizeof(fds[0])) - n);
		t = wrtc_media_timeout_ms(&c->media, now_us());
		if (t >= 0 && t < timeout)
			timeout = t;
		if (poll(fds, (nfds_t)n, timeout) < 0 && errno != EINTR)
			return fail_at("poll failed");
		now = now_us();
		if (fds[0].revents & POLLIN)
			wrtc_media_input(&c->media, now);
		if (fds[1].revents)
			read_chromium(c);
		wrtc_http_service(&c->http, fds + 2, n - 2);
		wrtc_media_tick(&c->media, now);

		if (stop_requested)
			return fail_at("interrupted");
		if (waitpid(c->chromium, NULL, WNOHANG) == c->chromium) {
			c->chromium = 0;
			return fail_at("chromium exited early (see chromium.log; --keep keeps it)");
		}
		if (c->page_error)
			return -1;
		if (c->media.dtls.state == WRTC_DTLS_FAILED)
			return fail_at("the DTLS handshake failed");
		if (c->have_offer && !offer_at)
			offer_at = now;
		if (c->media.srtp_ready && !connected_at)
			connected_at = now;
		if (!offer_at && now - start > OFFER_TIMEOUT_US)
			return fail_at("no offer from the page in time");
		if (offer_at && !connected_at && now - offer_at > CONNECT_TIMEOUT_US)
			return fail_at("no DTLS connection in time (ICE or DTLS stuck)");
		if (connected_at && c->media.state == WRTC_CAPTURE_WAITING &&
		    now - connected_at > MEDIA_TIMEOUT_US)
			return fail_at("connected, but no media came");
		if (connected_at && c->media.state < WRTC_CAPTURE_RUNNING &&
		    now - connected_at > MEDIA_TIMEOUT_US + c->opt.warmup_ms * 1000ull +
						 KEYFRAME_TIMEOUT_US)
			return fail_at("no keyframe came after the warm-up");
		if (c->media.state == WRTC_CAPTURE_DONE) {
			if (!done_at) {
				done_at = now;
				fflush(c->out);
				fprintf(stderr, "webrtc_capture: capture complete; waiting for the "
						"page's report\n");
			}
			if (c->report)
				return 0;
			if (now - done_at > REPORT_TIMEOUT_US) {
				fprintf(stderr, "webrtc_capture: no report from the page; the sidecar "
						"will have none\n");
				return 0;
			}
		}
	}
}

static void print_summary(const struct capture *c)
{
	const struct wrtc_media *m = &c->media;

	fprintf(stderr, "webrtc_capture: %lu packets (%lu bytes, %lu padding-only) written to %s\n",
		m->written, m->written_bytes, m->padding_only, c->opt.out);
	for (int i = 0; i < m->rtcp.n_streams; i++)
		fprintf(stderr, "webrtc_capture:   SSRC %u rid '%s' PT %u: %lu packets received\n",
			m->rtcp.streams[i].ssrc, m->rtcp.streams[i].rid, m->rtcp.streams[i].pt,
			(unsigned long)m->rtcp.streams[i].packets);
	fprintf(stderr, "webrtc_capture: STUN answered %lu refused %lu; DTLS datagrams %lu; "
			"SRTP bad %lu; SRTCP in %lu bad %lu out %lu; PLIs %d\n",
		m->stun_answered, m->stun_refused, m->dtls_in, m->rtp_bad, m->rtcp_in, m->rtcp_bad,
		m->rtcp_out, m->n_pli);
}

/* Whether `name` runs: a path, or a program on PATH. */
static int have_program(const char *name)
{
	const char *path = getenv("PATH");
	char buf[1024];

	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	while (path && *path) {
		size_t n = strcspn(path, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);
		if (n && access(buf, X_OK) == 0)
			return 1;
		path += n + (path[n] == ':');
	}
	return 0;
}

static void remove_tree(const char *dir)
{
	pid_t pid = fork();

	if (pid == 0) {
		execlp("rm", "rm", "-rf", "--", dir, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	struct capture *c = calloc(1, sizeof(*c));
	char sidecar[1024];
	int rc = 1;

	if (!c || parse_options(argc, argv, &c->opt) != 0)
		return 2;
	if (geteuid() != 0) {
		fprintf(stderr, "webrtc_capture: needs root (network namespaces)\n");
		return 77;
	}
	if (!have_program(c->opt.chromium) || !have_program("ip")) {
		fprintf(stderr, "webrtc_capture: needs %s and ip (run scripts/setup, which installs "
				"chromium and iproute2)\n", c->opt.chromium);
		return 77;
	}
	c->chromium_out = c->chromium_log = -1;
	c->media.fd = -1;
	c->http.listen_fd = -1;
	if (c->opt.sidecar) {
		snprintf(sidecar, sizeof(sidecar), "%s", c->opt.sidecar);
	} else {
		size_t n = strlen(c->opt.out);
		if (n > 4 && !strcmp(c->opt.out + n - 4, ".rtp"))
			n -= 4;
		snprintf(sidecar, sizeof(sidecar), "%.*s.json", (int)n, c->opt.out);
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	snprintf(c->work, sizeof(c->work), "/tmp/webrtc_capture.XXXXXX");
	if (!mkdtemp(c->work)) {
		perror("webrtc_capture: mkdtemp");
		goto out_free;
	}
	wrtc_netns_reap_stale();
	if (wrtc_netns_up(&c->ns, (unsigned)getpid()) != 0)
		goto out_netns;
	if (wrtc_netns_enter(c->ns.tool) != 0)
		goto out_netns;
	c->out = fopen(c->opt.out, "wb");
	if (!c->out) {
		fprintf(stderr, "webrtc_capture: cannot write %s: %s\n", c->opt.out, strerror(errno));
		goto out_netns;
	}
	if (wrtc_media_open(&c->media, WRTC_TOOL_ADDR, c->opt.srtp,
			    wrtc_codec_from_name(c->opt.codec->name),
			    c->opt.warmup_ms * 1000ull, c->opt.seconds * 1000000ull,
			    c->opt.pli_every_ms, c->out) != 0)
		goto out_media;
	if (wrtc_http_listen(&c->http, WRTC_TOOL_ADDR, &c->http_port, wrtc_handle_http, c) != 0)
		goto out_http;
	if (start_chromium(c) != 0)
		goto out_chromium;

	if (run(c) == 0) {
		print_summary(c);
		rc = wrtc_write_sidecar(c, sidecar) == 0 ? 0 : 1;
		if (rc == 0)
			fprintf(stderr, "webrtc_capture: sidecar %s\n", sidecar);
	} else {
		print_summary(c);
	}

out_chromium:
	wrtc_stop_group(c->chromium, 3000);
	if (c->chromium_out >= 0) {
		read_chromium(c);
		close(c->chromium_out);
	}
	if (c->chromium_log >= 0)
		close(c->chromium_log);
out_http:
	wrtc_http_close(&c->http);
out_media:
	wrtc_media_close(&c->media);
	if (fclose(c->out) != 0)
		rc = 1;
	if (rc != 0)
		unlink(c->opt.out);
out_netns:
	wrtc_netns_down(&c->ns);
	if (rc != 0 && c->opt.keep == 0) {
		char log_path[128];
		size_t len = 0;
		snprintf(log_path, sizeof(log_path), "%s/chromium.log", c->work);
		char *log = wrtc_read_file(log_path, &len);
		if (log && len) {
			const char *tail = len > 3000 ? log + len - 3000 : log;
			fprintf(stderr, "--- the end of chromium.log ---\n%s\n", tail);
		}
		free(log);
	}
	if (c->opt.keep)
		fprintf(stderr, "webrtc_capture: work directory kept: %s\n", c->work);
	else
		remove_tree(c->work);
out_free:
	free(c->report);
	free(c);
	return rc;
}
