/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * webrtc_capture, the page's side (webrtc_capture.h): what the tool serves
 * to the capture page over HTTP -- the page, its configuration, the SDP
 * answer to its offer, the capture's status -- and the sidecar it writes
 * with what was negotiated and what the page reported.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "webrtc_capture.h"

/* Simulcast: three encodings, a quarter, half and full resolution. */
static const char *const sim_rids[] = { "l", "m", "h" };
static const unsigned sim_scale[] = { 4, 2, 1 };

char *wrtc_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = '\0';
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void respond(struct wrtc_http_response *r, int status, const char *type, const char *fmt,
		    ...)
{
	va_list ap;
	char *body = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&body, fmt, ap);
	va_end(ap);
	r->status = status;
	r->content_type = type;
	r->body = n >= 0 ? body : NULL;
	r->body_len = n >= 0 ? (size_t)n : 0;
}

/* What the page sends (webrtc_capture.js reads it first). */
static void serve_config(struct capture *c, struct wrtc_http_response *r)
{
	const struct options *o = &c->opt;
	char rids[32] = "", scale[32] = "";
	size_t rl = 0, sl = 0;

	for (int i = 0; o->codec->simulcast && i < 3; i++) {
		rl += (size_t)snprintf(rids + rl, sizeof(rids) - rl, "%s\"%s\"", i ? "," : "",
				       sim_rids[i]);
		sl += (size_t)snprintf(scale + sl, sizeof(scale) - sl, "%s%u", i ? "," : "",
				       sim_scale[i]);
	}
	respond(r, 200, "application/json",
		"{\"codec\":\"%s\",\"mode\":\"%s\",\"width\":%u,\"height\":%u,\"fps\":%u,"
		"\"seconds\":%u,\"rids\":[%s],\"scaleDownBy\":[%s],\"maxKbps\":[%u,%u,%u]}",
		o->codec->name, o->mode, o->width, o->height, o->fps, o->seconds, rids, scale,
		o->max_kbps[0], o->max_kbps[1], o->max_kbps[2]);
}

static void serve_offer(struct capture *c, const struct wrtc_http_request *req,
			struct wrtc_http_response *r)
{
	char err[200], answer[8192];
	unsigned total = 0;

	if (c->have_offer) {
		respond(r, 409, "text/plain", "one offer per run\n");
		return;
	}
	if (wrtc_offer_parse(req->body, &c->offer, err, sizeof(err)) != 0) {
		fprintf(stderr, "webrtc_capture: bad offer: %s\n", err);
		respond(r, 400, "text/plain", "%s\n", err);
		return;
	}
	c->codec = wrtc_offer_pick_codec(&c->offer, c->opt.codec->name);
	if (c->codec < 0) {
		fprintf(stderr, "webrtc_capture: the offer has no %s\n", c->opt.codec->name);
		respond(r, 400, "text/plain", "no %s in the offer\n", c->opt.codec->name);
		return;
	}
	if (c->opt.codec->simulcast && c->offer.n_rids != 3) {
		fprintf(stderr, "webrtc_capture: expected 3 rids in the offer, got %d\n",
			c->offer.n_rids);
		respond(r, 400, "text/plain", "expected three rids\n");
		return;
	}
	for (int i = 0; i < c->opt.n_max_kbps; i++)
		total += c->opt.max_kbps[i];
	/* The bandwidth estimate starts at, and never drops below, four times
	 * the encodings' caps together, while maxBitrate in the encodings
	 * keeps the rate modest.  Every layer is then on from the first frame
	 * (Chromium wants headroom before it enables a layer, and pads to
	 * probe for it until it has), and the pacer, which paces at a multiple
	 * of the estimate, keeps no queue: Chromium drops the queued packets
	 * of a stream when a keyframe is sent, which near the estimate cut
	 * pictures in two at every keyframe request. */
	total *= 4;
	struct wrtc_answer_params p = {
		.ice_ufrag = c->media.ufrag, .ice_pwd = c->media.pwd,
		.fingerprint = c->media.dtls.fingerprint, .addr = WRTC_TOOL_ADDR,
		.port = c->media.port, .codec = c->codec,
		.start_kbps = total, .min_kbps = total, .max_kbps = 2 * total,
		.without = c->opt.without,
	};
	int n = wrtc_answer_write(answer, sizeof(answer), &c->offer, &p);
	if (n < 0) {
		respond(r, 500, "text/plain", "answer too long\n");
		return;
	}
	for (int i = 0; i < c->offer.n_exts; i++) {
		const char *name = wrtc_ext_kept(c->offer.exts[i].uri, c->opt.without);
		if (name && !strcmp(name, "transport-cc"))
			c->media.twcc_id = c->offer.exts[i].id;
		if (name && !strcmp(name, "rid"))
			c->media.rid_id = c->offer.exts[i].id;
	}
	snprintf(c->media.dtls.peer_fingerprint, sizeof(c->media.dtls.peer_fingerprint), "%s",
		 c->offer.fingerprint);
	c->have_offer = 1;
	fprintf(stderr, "webrtc_capture: offer taken, answering %s payload type %d\n",
		c->offer.codecs[c->codec].name, c->offer.codecs[c->codec].pt);
	if (c->opt.verbose)
		fprintf(stderr, "--- offer ---\n%s--- answer ---\n%s", req->body, answer);
	respond(r, 200, "application/sdp", "%s", answer);
}

void wrtc_handle_http(void *ctx, const struct wrtc_http_request *req,
		      struct wrtc_http_response *r)
{
	struct capture *c = ctx;
	char path[600];

	if (!strcmp(req->method, "GET") &&
	    (!strcmp(req->path, "/") || !strcmp(req->path, "/webrtc_capture.js"))) {
		int html = !strcmp(req->path, "/");
		snprintf(path, sizeof(path), "%s/%s", c->opt.page_dir,
			 html ? "webrtc_capture.html" : "webrtc_capture.js");
		r->body = wrtc_read_file(path, &r->body_len);
		r->status = r->body ? 200 : 404;
		r->content_type = html ? "text/html; charset=utf-8" : "text/javascript";
		if (!r->body)
			fprintf(stderr, "webrtc_capture: cannot read %s (--page-dir)\n", path);
	} else if (!strcmp(req->method, "GET") && !strcmp(req->path, "/config")) {
		serve_config(c, r);
	} else if (!strcmp(req->method, "GET") && !strcmp(req->path, "/status")) {
		/* The page sends its final report once the capture is done. */
		respond(r, 200, "application/json", "{\"done\":%s}",
			c->media.state == WRTC_CAPTURE_DONE ? "true" : "false");
	} else if (!strcmp(req->method, "POST") && !strcmp(req->path, "/offer")) {
		serve_offer(c, req, r);
	} else if (!strcmp(req->method, "POST") && !strcmp(req->path, "/report")) {
		free(c->report);
		c->report = strdup(req->body);
		/* The page's JSON goes into the sidecar as it is: only an object
		 * is taken. */
		size_t n = c->report ? strlen(c->report) : 0;
		if (!n || c->report[0] != '{' || c->report[n - 1] != '}' ||
		    strstr(c->report, "\"error\"")) {
			fprintf(stderr, "webrtc_capture: the page reports a failure: %s\n", req->body);
			c->page_error = 1;
		}
		respond(r, 200, "text/plain", "ok\n");
	} else {
		respond(r, 404, "text/plain", "not found\n");
	}
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/*
 * The sidecar, FILE.json next to FILE.rtp (webrtc_sidecar.h reads back the
 * fields the tools need), one key per line:
 *
 *   capture, browser, format     the capture's name, `chromium --version`,
 *                                the record format
 *   codec, payload_type,         as negotiated (the payload type is the
 *   clock_rate, fmtp             offer's)
 *   scalability_mode, simulcast, what was asked of the browser
 *   width, height, fps, seconds,
 *   warmup_ms, pli_every_ms,
 *   max_kbps
 *   extensions                   short name -> negotiated id, for the
 *                                extensions kept ("dependency-descriptor",
 *                                "transport-cc", "rid", ...)
 *   extension_uris               short name -> URI
 *   extmap_allow_mixed           one- and two-byte extension headers may mix
 *                                (RFC 8285 section 6)
 *   srtp_profile, dtls           how the keys were agreed
 *   packets, bytes,              what the capture holds
 *   padding_only_packets
 *   pli_sent_at_ms               keyframe requests during the capture, in ms
 *                                after its first packet
 *   ssrcs                        per SSRC: rid, payload type, packets in the
 *                                capture, packets received (warm-up too)
 *   browser_report               the page's getStats() summary at the end
 */
int wrtc_write_sidecar(struct capture *c, const char *path)
{
	const struct wrtc_sdp_codec *codec = &c->offer.codecs[c->codec];
	const struct wrtc_media *m = &c->media;
	const char *base = strrchr(c->opt.out, '/');
	FILE *f = fopen(path, "w");
	const char *sep = "";

	if (!f) {
		fprintf(stderr, "webrtc_capture: cannot write %s\n", path);
		return -1;
	}
	fprintf(f, "{\n  \"capture\": ");
	json_string(f, base ? base + 1 : c->opt.out);
	fprintf(f, ",\n  \"browser\": ");
	json_string(f, c->browser_version);
	fprintf(f, ",\n  \"format\": \"rtp_file.h: 4-byte big-endian length + decrypted RTP "
		   "packet, in arrival order\",\n");
	fprintf(f, "  \"codec\": \"%s\",\n  \"payload_type\": %d,\n  \"clock_rate\": %u,\n",
		codec->name, codec->pt, codec->clock_rate);
	fprintf(f, "  \"fmtp\": ");
	json_string(f, codec->fmtp);
	fprintf(f, ",\n  \"scalability_mode\": \"%s\",\n  \"simulcast\": %s,\n", c->opt.mode,
		c->opt.codec->simulcast ? "true" : "false");
	fprintf(f, "  \"width\": %u,\n  \"height\": %u,\n  \"fps\": %u,\n  \"seconds\": %u,\n",
		c->opt.width, c->opt.height, c->opt.fps, c->opt.seconds);
	fprintf(f, "  \"warmup_ms\": %u,\n  \"pli_every_ms\": %u,\n", c->opt.warmup_ms,
		c->opt.pli_every_ms);
	fprintf(f, "  \"max_kbps\": [");
	for (int i = 0; i < c->opt.n_max_kbps; i++)
		fprintf(f, "%s%u", i ? ", " : "", c->opt.max_kbps[i]);
	fprintf(f, "],\n  \"extensions\": {");
	for (int i = 0; i < c->offer.n_exts; i++) {
		const char *name = wrtc_ext_kept(c->offer.exts[i].uri, c->opt.without);
		if (!name)
			continue;
		fprintf(f, "%s\n    \"%s\": %d", sep, name, c->offer.exts[i].id);
		sep = ",";
	}
	fprintf(f, "\n  },\n  \"extension_uris\": {");
	sep = "";
	for (int i = 0; i < c->offer.n_exts; i++) {
		const char *name = wrtc_ext_kept(c->offer.exts[i].uri, c->opt.without);
		if (!name)
			continue;
		fprintf(f, "%s\n    \"%s\": ", sep, name);
		json_string(f, c->offer.exts[i].uri);
		sep = ",";
	}
	fprintf(f, "\n  },\n  \"extmap_allow_mixed\": %s,\n",
		c->offer.extmap_allow_mixed ? "true" : "false");
	fprintf(f, "  \"srtp_profile\": \"%s\",\n  \"dtls\": \"%s %s\",\n", m->keys.profile,
		wrtc_dtls_version(&c->media.dtls), wrtc_dtls_cipher(&c->media.dtls));
	fprintf(f, "  \"packets\": %lu,\n  \"bytes\": %lu,\n  \"padding_only_packets\": %lu,\n",
		m->written, m->written_bytes, m->padding_only);
	fprintf(f, "  \"pli_sent_at_ms\": [");
	for (int i = 0; i < m->n_pli; i++)
		fprintf(f, "%s%lu", i ? ", " : "", (unsigned long)m->pli_at_ms[i]);
	fprintf(f, "],\n  \"ssrcs\": [");
	for (int i = 0; i < m->rtcp.n_streams; i++) {
		const struct wrtc_rx_stream *s = &m->rtcp.streams[i];
		fprintf(f, "%s\n    {\"ssrc\": %u, \"rid\": ", i ? "," : "", s->ssrc);
		json_string(f, s->rid);
		fprintf(f, ", \"payload_type\": %u, \"packets\": %lu, \"received_packets\": %lu}",
			s->pt, m->stream_written[i], (unsigned long)s->packets);
	}
	fprintf(f, "\n  ],\n  \"browser_report\": %s\n}\n", c->report ? c->report : "null");
	return fclose(f) == 0 ? 0 : -1;
}
