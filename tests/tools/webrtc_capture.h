/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * webrtc_capture's shared state (webrtc_capture.c runs it; webrtc_signal.c
 * is the page's side: the HTTP handler and the sidecar).
 */
#ifndef STRATA_TESTS_WEBRTC_CAPTURE_H
#define STRATA_TESTS_WEBRTC_CAPTURE_H

#include <stdio.h>
#include <sys/types.h>

#include "webrtc_http.h"
#include "webrtc_media.h"
#include "webrtc_netns.h"
#include "webrtc_sdp.h"

/* What --codec names: the codec, its default scalability mode, simulcast. */
struct codec_preset {
	const char *arg, *name, *mode;
	int simulcast;
};

/* The command line (webrtc_capture.c has the defaults). */
struct options {
	const struct codec_preset *codec;
	const char *mode, *out, *sidecar, *chromium, *page_dir, *without, *srtp;
	unsigned seconds, width, height, fps, pli_every_ms, warmup_ms;
	unsigned max_kbps[3];
	int n_max_kbps, keep, verbose;
};

/* One run: its namespaces and work directory, the page's server, the media
 * port, the offer, the page's report, Chromium and its output. */
struct capture {
	struct options opt;
	struct wrtc_netns ns;
	char work[64];
	struct wrtc_http http;
	uint16_t http_port;
	struct wrtc_media media;
	FILE *out;
	struct wrtc_offer offer;
	int have_offer, codec;
	char *report;              /* the page's JSON, or NULL */
	int page_error;
	pid_t chromium;
	char browser_version[128];    /* `chromium --version` */
	int chromium_out, chromium_log;
	char line[8192];
	size_t line_len;
};

/* The HTTP handler (webrtc_http.h) for the page: GET / and
 * /webrtc_capture.js (from opt.page_dir), GET /config, POST /offer (the
 * answer), GET /status, POST /report. */
void wrtc_handle_http(void *ctx, const struct wrtc_http_request *req,
		      struct wrtc_http_response *resp);

/* Writes the sidecar (described in webrtc_signal.c).  Returns 0 or -1. */
int wrtc_write_sidecar(struct capture *c, const char *path);

/* A whole file, NUL-terminated, malloc'd; NULL when unreadable. */
char *wrtc_read_file(const char *path, size_t *len);

#endif /* STRATA_TESTS_WEBRTC_CAPTURE_H */
