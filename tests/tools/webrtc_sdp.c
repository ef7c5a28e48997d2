/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading the browser's offer and writing the tool's answer
 * (webrtc_sdp.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "webrtc_sdp.h"

/* The header extensions the answer keeps when offered, with their short
 * names in the sidecar.  They are the ones a forwarder must read or
 * rewrite: stream identification (RFC 8843 mid, RFC 8852 rid), the
 * congestion-control timestamps (abs-send-time, transport-wide sequence
 * numbers), the AV1 dependency descriptor (which Chromium also sends with
 * VP8 and VP9 when negotiated), the layer allocation a receiver's bandwidth
 * estimate needs, and the orientation a receiver must apply.  Others
 * (toffset, playout-delay, timing, colour space...) are left out to keep
 * the packets close to what an SFU negotiates. */
static const struct {
	const char *uri, *name;
} kept_exts[] = {
	{ "urn:ietf:params:rtp-hdrext:sdes:mid", "mid" },
	{ "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", "rid" },
	{ "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", "repaired-rid" },
	{ "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", "abs-send-time" },
	{ "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
	  "transport-cc" },
	{ "https://aomediacodec.github.io/av1-rtp-spec/"
	  "#dependency-descriptor-rtp-header-extension",
	  "dependency-descriptor" },
	{ "http://www.webrtc.org/experiments/rtp-hdrext/video-layers-allocation00",
	  "video-layers-allocation" },
	{ "urn:3gpp:video-orientation", "video-orientation" },
};

const char *wrtc_ext_kept(const char *uri, const char *without)
{
	for (size_t i = 0; i < sizeof(kept_exts) / sizeof(kept_exts[0]); i++) {
		const char *name = kept_exts[i].name, *w = without;
		size_t n = strlen(name);

		if (strcmp(uri, kept_exts[i].uri))
			continue;
		for (; w && *w; w += strcspn(w, ","), w += *w == ',')
			if (!strncmp(w, name, n) && (w[n] == ',' || w[n] == '\0'))
				return NULL;
		return name;
	}
	return NULL;
}

static int fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return -1;
}

static struct wrtc_sdp_codec *codec_by_pt(struct wrtc_offer *o, int pt)
{
	for (int i = 0; i < o->n_codecs; i++)
		if (o->codecs[i].pt == pt)
			return &o->codecs[i];
	return NULL;
}

/* Copies a value that must fit whole: a cut ufrag or fingerprint would
 * only fail later, less clearly. */
static int copy(char *dst, size_t cap, const char *src, char *err, size_t err_len)
{
	size_t n = strlen(src);

	if (n >= cap)
		return fail(err, err_len, "SDP value too long: %.40s", src);
	memcpy(dst, src, n + 1);
	return 0;
}

/* One line without its "\r\n" (or "\n"); returns 0 on success. */
static int parse_line(const char *l, struct wrtc_offer *o, int in_video, char *err, size_t err_len)
{
	int pt, id;
	char a[200], b[200];

	if (!strncmp(l, "m=", 2)) {
		if (!strncmp(l, "m=video ", 8))
			o->video_sections++;
		else
			return fail(err, err_len, "unexpected media section: %.40s", l);
		return 0;
	}
	if (strncmp(l, "a=", 2))
		return 0;
	l += 2;
	if (!strncmp(l, "ice-ufrag:", 10))
		return copy(o->ice_ufrag, sizeof(o->ice_ufrag), l + 10, err, err_len);
	else if (!strncmp(l, "ice-pwd:", 8))
		return copy(o->ice_pwd, sizeof(o->ice_pwd), l + 8, err, err_len);
	else if (!strncmp(l, "fingerprint:", 12))
		return copy(o->fingerprint, sizeof(o->fingerprint), l + 12, err, err_len);
	else if (!strcmp(l, "extmap-allow-mixed"))
		o->extmap_allow_mixed = 1;
	else if (!in_video)
		return 0;
	else if (!strncmp(l, "mid:", 4))
		return copy(o->mid, sizeof(o->mid), l + 4, err, err_len);
	else if (sscanf(l, "extmap:%d %199s", &id, a) == 2) {
		/* "extmap:ID/direction URI" also parses: %d stops at '/'. */
		const char *uri = strchr(l, ' ') + 1;

		if (o->n_exts == WRTC_SDP_MAX_EXTS)
			return fail(err, err_len, "too many a=extmap lines");
		o->exts[o->n_exts].id = id;
		if (copy(o->exts[o->n_exts].uri, sizeof(o->exts[0].uri), uri, err, err_len) != 0)
			return -1;
		o->n_exts++;
	} else if (sscanf(l, "rtpmap:%d %199[^/]/%199s", &pt, a, b) == 3) {
		if (o->n_codecs == WRTC_SDP_MAX_CODECS)
			return fail(err, err_len, "too many a=rtpmap lines");
		struct wrtc_sdp_codec *c = &o->codecs[o->n_codecs++];
		c->pt = pt;
		c->clock_rate = (unsigned)strtoul(b, NULL, 10);
		return copy(c->name, sizeof(c->name), a, err, err_len);
	} else if (sscanf(l, "fmtp:%d %199s", &pt, a) == 2) {
		struct wrtc_sdp_codec *c = codec_by_pt(o, pt);
		if (c)
			return copy(c->fmtp, sizeof(c->fmtp), strchr(l, ' ') + 1, err, err_len);
	} else if (sscanf(l, "rid:%15s %199s", a, b) == 2 && !strncmp(b, "send", 4)) {
		if (o->n_rids == WRTC_SDP_MAX_RIDS)
			return fail(err, err_len, "more than %d rids", WRTC_SDP_MAX_RIDS);
		return copy(o->rids[o->n_rids++], sizeof(o->rids[0]), a, err, err_len);
	}
	return 0;
}

int wrtc_offer_parse(const char *sdp, struct wrtc_offer *o, char *err, size_t err_len)
{
	char line[1024];
	int in_video = 0;

	memset(o, 0, sizeof(*o));
	while (*sdp) {
		size_t n = strcspn(sdp, "\r\n");

		if (n >= sizeof(line))
			return fail(err, err_len, "SDP line too long");
		memcpy(line, sdp, n);
		line[n] = '\0';
		if (!strncmp(line, "m=", 2))
			in_video = !strncmp(line, "m=video ", 8);
		if (parse_line(line, o, in_video, err, err_len) != 0)
			return -1;
		sdp += n;
		sdp += strspn(sdp, "\r\n");
	}
	if (o->video_sections != 1)
		return fail(err, err_len, "expected one m=video section, got %d", o->video_sections);
	if (!o->ice_ufrag[0] || !o->ice_pwd[0] || !o->fingerprint[0] || !o->mid[0])
		return fail(err, err_len, "offer lacks ice-ufrag, ice-pwd, fingerprint or mid");
	return 0;
}

/* The value of `key` in an fmtp parameter list ("a=1;b=2"), or NULL. */
static const char *fmtp_get(const char *fmtp, const char *key, char *val, size_t val_len)
{
	size_t klen = strlen(key);

	for (const char *p = fmtp; p && *p; p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, ";");
			snprintf(val, val_len, "%.*s", (int)n, p + klen + 1);
			return val;
		}
	}
	return NULL;
}

int wrtc_offer_pick_codec(const struct wrtc_offer *o, const char *codec)
{
	int best = -1, best_score = -1;
	char v[64];

	for (int i = 0; i < o->n_codecs; i++) {
		const struct wrtc_sdp_codec *c = &o->codecs[i];
		int score = 1;

		if (strcasecmp(c->name, codec) || c->clock_rate != 90000)
			continue;
		if (!strcasecmp(codec, "VP9") && fmtp_get(c->fmtp, "profile-id", v, sizeof(v)) &&
		    strcmp(v, "0"))
			continue;
		if (!strcasecmp(codec, "AV1") && fmtp_get(c->fmtp, "profile", v, sizeof(v)) &&
		    strcmp(v, "0"))
			continue;
		if (!strcasecmp(codec, "H264")) {
			if (!fmtp_get(c->fmtp, "packetization-mode", v, sizeof(v)) || strcmp(v, "1"))
				continue;
			if (fmtp_get(c->fmtp, "profile-level-id", v, sizeof(v)) &&
			    !strcasecmp(v, "42e01f"))
				score = 2;
		}
		if (score > best_score) {
			best = i;
			best_score = score;
		}
	}
	return best;
}

struct out {
	char *buf;
	size_t cap, len;
	int overflow;
};

static void put(struct out *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->cap - w->len) {
		w->overflow = 1;
		return;
	}
	w->len += (size_t)n;
}

int wrtc_answer_write(char *buf, size_t cap, const struct wrtc_offer *o,
		      const struct wrtc_answer_params *p)
{
	const struct wrtc_sdp_codec *c = &o->codecs[p->codec];
	struct out w = { buf, cap, 0, 0 };
	int twcc = 0;

	/* RFC 8445 section 2.5: an ICE-lite agent only answers checks, so
	 * one host candidate and no gathering; the browser, as the full
	 * agent, is controlling and nominates.  RFC 8842 section 5.3: the
	 * answerer to "actpass" picks "passive" here, making the browser
	 * the DTLS client. */
	put(&w, "v=0\r\no=- 1 2 IN IP4 %s\r\ns=strata webrtc_capture\r\nt=0 0\r\n", p->addr);
	put(&w, "a=ice-lite\r\na=group:BUNDLE %s\r\n", o->mid);
	if (o->extmap_allow_mixed)
		put(&w, "a=extmap-allow-mixed\r\n");
	put(&w, "a=msid-semantic: WMS\r\n");
	put(&w, "m=video %u UDP/TLS/RTP/SAVPF %d\r\nc=IN IP4 %s\r\n", p->port, c->pt, p->addr);
	put(&w, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", p->ice_ufrag, p->ice_pwd);
	put(&w, "a=fingerprint:sha-256 %s\r\na=setup:passive\r\n", p->fingerprint);
	put(&w, "a=mid:%s\r\n", o->mid);
	for (int i = 0; i < o->n_exts; i++) {
		const char *name = wrtc_ext_kept(o->exts[i].uri, p->without);

		if (!name)
			continue;
		put(&w, "a=extmap:%d %s\r\n", o->exts[i].id, o->exts[i].uri);
		twcc |= !strcmp(name, "transport-cc");
	}
	put(&w, "a=recvonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\n");
	/* No RTX and no NACK: the capture is what the encoder sent, once.
	 * PLI and FIR let the tool ask for keyframes; transport-cc feedback
	 * (sent by the tool) keeps the browser's bandwidth estimate up. */
	put(&w, "a=rtpmap:%d %s/%u\r\n", c->pt, c->name, c->clock_rate);
	if (twcc)
		put(&w, "a=rtcp-fb:%d transport-cc\r\n", c->pt);
	put(&w, "a=rtcp-fb:%d ccm fir\r\na=rtcp-fb:%d nack pli\r\n", c->pt, c->pt);
	/* x-google-*-bitrate (kbit/s) are Chromium's own fmtp parameters for
	 * the limits of its bandwidth estimate: the start and floor keep every
	 * layer on from the first second. */
	if (c->fmtp[0] || p->start_kbps || p->min_kbps || p->max_kbps) {
		const char *sep = "";

		put(&w, "a=fmtp:%d ", c->pt);
		if (c->fmtp[0]) {
			put(&w, "%s", c->fmtp);
			sep = ";";
		}
		if (p->min_kbps) {
			put(&w, "%sx-google-min-bitrate=%u", sep, p->min_kbps);
			sep = ";";
		}
		if (p->start_kbps) {
			put(&w, "%sx-google-start-bitrate=%u", sep, p->start_kbps);
			sep = ";";
		}
		if (p->max_kbps)
			put(&w, "%sx-google-max-bitrate=%u", sep, p->max_kbps);
		put(&w, "\r\n");
	}
	/* RFC 8853: receive every offered rid, in the offer's order. */
	if (o->n_rids > 0) {
		for (int i = 0; i < o->n_rids; i++)
			put(&w, "a=rid:%s recv\r\n", o->rids[i]);
		put(&w, "a=simulcast:recv ");
		for (int i = 0; i < o->n_rids; i++)
			put(&w, "%s%s", i ? ";" : "", o->rids[i]);
		put(&w, "\r\n");
	}
	put(&w, "a=candidate:1 1 udp 2130706431 %s %u typ host\r\na=end-of-candidates\r\n", p->addr,
	    p->port);
	return w.overflow ? -1 : (int)w.len;
}
