/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture tool's UDP port (webrtc_media.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "rtp_ext.h"
#include "rtp_file.h"
#include "rtp_header.h"
#include "webrtc_media.h"
#include "webrtc_payload.h"
#include "webrtc_stun.h"

/* Transport-wide feedback this often (Chromium's own receivers send it
 * every 50 to 250 ms, by bitrate). */
#define RTCP_INTERVAL_US 50000
/* Streams that have not finished their frame this long after the capture
 * time is up are cut where they are. */
#define FINISH_GRACE_US 1000000
/* The SRTCP trailer: E flag + index (4) and the longest tag (16, GCM). */
#define SRTCP_TRAILER 20

static void random_token(char *out, size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char r[64];

	RAND_bytes(r, (int)len);
	for (size_t i = 0; i < len; i++)
		out[i] = alphabet[r[i] % 64];
	out[len] = '\0';
}

int wrtc_media_open(struct wrtc_media *m, const char *addr, const char *srtp_profiles,
		    int codec, uint64_t warmup_us, uint64_t capture_us, unsigned pli_every_ms,
		    FILE *capture)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	uint32_t our_ssrc;

	memset(m, 0, sizeof(*m));
	m->capture = capture;
	m->codec = codec;
	m->warmup_us = warmup_us;
	m->capture_us = capture_us;
	m->pli_every_ms = pli_every_ms;
	/* RFC 8839 section 5.4: ice-ufrag at least 4 characters, ice-pwd at
	 * least 22, from the ice-char set. */
	random_token(m->ufrag, 8);
	random_token(m->pwd, 24);
	inet_pton(AF_INET, addr, &sa.sin_addr);
	m->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (m->fd < 0 || bind(m->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(m->fd, (struct sockaddr *)&sa, &salen) != 0) {
		fprintf(stderr, "webrtc_capture: UDP bind on %s: %s\n", addr, strerror(errno));
		return -1;
	}
	m->port = ntohs(sa.sin_port);
	RAND_bytes((unsigned char *)&our_ssrc, sizeof(our_ssrc));
	if (wrtc_dtls_init(&m->dtls, m->fd, srtp_profiles) != 0 ||
	    wrtc_rtcp_init(&m->rtcp, our_ssrc) != 0)
		return -1;
	if (srtp_init() != srtp_err_status_ok) {
		fprintf(stderr, "webrtc_capture: srtp_init failed\n");
		return -1;
	}
	return 0;
}

/* libsrtp2 policies for the negotiated profile.  RFC 5764 section 4.1.2:
 * with SRTP_AES128_CM_HMAC_SHA1_32 "the SRTCP authentication tag is 80
 * bits", so only RTP has the short tag. */
static int srtp_session(const struct wrtc_srtp_keys *k, uint8_t *key, int inbound, srtp_t *s)
{
	srtp_policy_t p;

	memset(&p, 0, sizeof(p));
	switch (k->id) {
	case SRTP_AES128_CM_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
		break;
	case SRTP_AES128_CM_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
		break;
	case SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp);
		break;
	case SRTP_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtcp);
		break;
	default:
		return -1;
	}
	p.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	p.key = key;
	p.window_size = 1024;
	return srtp_create(s, &p) == srtp_err_status_ok ? 0 : -1;
}

static void on_connected(struct wrtc_media *m)
{
	if (wrtc_dtls_export_keys(&m->dtls, &m->keys) != 0 ||
	    srtp_session(&m->keys, m->keys.client, 1, &m->srtp_in) != 0 ||
	    srtp_session(&m->keys, m->keys.server, 0, &m->srtp_out) != 0) {
		fprintf(stderr, "webrtc_capture: cannot set up SRTP after DTLS\n");
		m->dtls.state = WRTC_DTLS_FAILED;
		return;
	}
	m->srtp_ready = 1;
	fprintf(stderr, "webrtc_capture: DTLS connected (%s, %s), SRTP %s\n",
		wrtc_dtls_version(&m->dtls), wrtc_dtls_cipher(&m->dtls), m->keys.profile);
}

static void on_stun(struct wrtc_media *m, const uint8_t *p, size_t len,
		    const struct sockaddr_in *from)
{
	uint8_t out[256];
	size_t out_len;
	struct wrtc_stun_request_info info;
	enum wrtc_stun_result r = wrtc_stun_answer(p, len, from, m->ufrag, m->pwd, out, &out_len,
						   &info);

	if (r == WRTC_STUN_ANSWERED) {
		sendto(m->fd, out, out_len, 0, (const struct sockaddr *)from, sizeof(*from));
		if (m->stun_answered++ == 0)
			fprintf(stderr, "webrtc_capture: first ICE check answered\n");
	} else if (r != WRTC_STUN_NOT_REQUEST) {
		if (m->stun_refused++ < 5)
			fprintf(stderr, "webrtc_capture: STUN request refused: %s\n",
				wrtc_stun_result_name(r));
	}
}

/* RFC 3550 section 5.1: with P set, "the last octet of the padding contains
 * a count of how many padding octets should be ignored, including itself". */
static int padding_only(const uint8_t *p, uint32_t len, uint32_t hdr_len)
{
	return (p[0] & 0x20) && len > hdr_len && p[len - 1] == len - hdr_len;
}

static void write_packet(struct wrtc_media *m, int idx, const uint8_t *p, uint32_t len)
{
	if (rtp_file_write_packet(m->capture, p, len) != 0) {
		fprintf(stderr, "webrtc_capture: cannot write the capture: %s\n", strerror(errno));
		m->state = WRTC_CAPTURE_DONE;
		return;
	}
	m->written++;
	m->written_bytes += len;
	m->stream_written[idx]++;
}

static void finish_if_all_closed(struct wrtc_media *m)
{
	for (int i = 0; i < m->rtcp.n_streams; i++)
		if (!m->stream_closed[i])
			return;
	m->state = WRTC_CAPTURE_DONE;
}

static void on_rtp(struct wrtc_media *m, uint8_t *p, size_t len, uint64_t now_us)
{
	int plen = (int)len;
	uint32_t hdr_len, ext_len;
	const uint8_t *ext;
	int twcc = -1;

	if (srtp_unprotect(m->srtp_in, p, &plen) != srtp_err_status_ok ||
	    strata_rtp_header_len(p, (uint32_t)plen, &hdr_len) != STRATA_RTP_PARSE_OK ||
	    plen > RTP_FILE_MAX_PACKET) {
		m->rtp_bad++;
		return;
	}
	m->rtp_in++;
	if (m->twcc_id && (ext = strata_rtp_ext_find(p, hdr_len, (uint8_t)m->twcc_id, &ext_len)) &&
	    ext_len == 2)
		twcc = strata_be16(ext);
	struct wrtc_rx_stream *s = wrtc_rtcp_on_rtp(&m->rtcp, p, (size_t)plen, now_us, twcc);
	if (!s) {
		m->not_written++;
		return;
	}
	int idx = (int)(s - m->rtcp.streams);
	if (m->rid_id && !s->rid[0] &&
	    (ext = strata_rtp_ext_find(p, hdr_len, (uint8_t)m->rid_id, &ext_len)) &&
	    ext_len < sizeof(s->rid))
		memcpy(s->rid, ext, ext_len);

	if (m->state == WRTC_CAPTURE_WAITING) {
		m->state = WRTC_CAPTURE_WARMUP;
		m->warmup_end_us = now_us + m->warmup_us;
		fprintf(stderr, "webrtc_capture: media flowing; warming up for %.1f s\n",
			(double)m->warmup_us / 1e6);
	}
	/* A stream is written from the first packet of a keyframe on; one
	 * that starts once time is up is left out altogether. */
	if (!m->stream_started[idx]) {
		if (m->state != WRTC_CAPTURE_KEYFRAME && m->state != WRTC_CAPTURE_RUNNING)
			m->stream_closed[idx] = 1;
		else if (wrtc_starts_keyframe(m->codec, p + hdr_len, (size_t)plen - hdr_len))
			m->stream_started[idx] = 1;
		if (!m->stream_started[idx]) {
			m->not_written++;
			return;
		}
	}
	if (m->state == WRTC_CAPTURE_KEYFRAME) {
		m->state = WRTC_CAPTURE_RUNNING;
		m->first_rtp_us = now_us;
		m->stop_us = now_us + m->capture_us;
		m->next_pli_us = now_us + m->pli_every_ms * 1000ull;
		fprintf(stderr, "webrtc_capture: keyframe; capturing for %.1f s\n",
			(double)m->capture_us / 1e6);
	}
	if (m->state == WRTC_CAPTURE_RUNNING ||
	    (m->state == WRTC_CAPTURE_FINISHING && !m->stream_closed[idx])) {
		write_packet(m, idx, p, (uint32_t)plen);
		m->padding_only += padding_only(p, (uint32_t)plen, hdr_len);
		/* The marker ends a picture (VP8, VP9, H.264) or a temporal unit
		 * (AV1): the stream's last frame is complete. */
		if (p[1] & 0x80)
			m->stream_closed[idx] = m->state == WRTC_CAPTURE_FINISHING ? 1 : 2;
		else if (m->state == WRTC_CAPTURE_RUNNING)
			m->stream_closed[idx] = 0;
		if (m->state == WRTC_CAPTURE_FINISHING)
			finish_if_all_closed(m);
	} else {
		m->not_written++;
	}
}

static void on_rtcp(struct wrtc_media *m, uint8_t *p, size_t len, uint64_t now_us)
{
	int plen = (int)len;

	if (srtp_unprotect_rtcp(m->srtp_in, p, &plen) != srtp_err_status_ok) {
		m->rtcp_bad++;
		return;
	}
	m->rtcp_in++;
	wrtc_rtcp_on_rtcp(&m->rtcp, p, (size_t)plen, now_us);
}

void wrtc_media_input(struct wrtc_media *m, uint64_t now_us)
{
	uint8_t buf[4096];
	struct sockaddr_in from;

	for (;;) {
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(m->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);

		if (n < 0)
			return;
		if (n < 1 || from.sin_family != AF_INET)
			continue;
		if (buf[0] <= 3) {
			on_stun(m, buf, (size_t)n, &from);
		} else if (buf[0] >= 20 && buf[0] <= 63) {
			enum wrtc_dtls_state before = m->dtls.state;
			m->dtls_in++;
			if (wrtc_dtls_input(&m->dtls, buf, (size_t)n, &from) == WRTC_DTLS_CONNECTED &&
			    before != WRTC_DTLS_CONNECTED)
				on_connected(m);
		} else if (buf[0] >= 128 && buf[0] <= 191 && m->srtp_ready && n >= 12) {
			if (buf[1] >= 192 && buf[1] <= 223)
				on_rtcp(m, buf, (size_t)n, now_us);
			else
				on_rtp(m, buf, (size_t)n, now_us);
		}
	}
}

int wrtc_media_timeout_ms(struct wrtc_media *m, uint64_t now_us)
{
	int t = wrtc_dtls_timeout_ms(&m->dtls);

	if (m->srtp_ready && m->rtcp.n_streams > 0) {
		int r = m->next_rtcp_us > now_us ? (int)((m->next_rtcp_us - now_us) / 1000) : 0;
		if (t < 0 || r < t)
			t = r;
	}
	return t;
}

static void send_rtcp(struct wrtc_media *m, uint64_t now_us, int pli)
{
	uint8_t buf[1400];
	size_t len = wrtc_rtcp_build(&m->rtcp, buf, sizeof(buf) - SRTCP_TRAILER, now_us, pli,
				     m->twcc_id != 0, m->stream_started);
	int plen = (int)len;

	if (len == 0 || srtp_protect_rtcp(m->srtp_out, buf, &plen) != srtp_err_status_ok)
		return;
	if (sendto(m->fd, buf, (size_t)plen, 0, (const struct sockaddr *)&m->dtls.peer,
		   sizeof(m->dtls.peer)) < 0)
		return;
	m->rtcp_out++;
}

void wrtc_media_tick(struct wrtc_media *m, uint64_t now_us)
{
	int pli = 0;

	wrtc_dtls_handle_timeout(&m->dtls);
	if (!m->srtp_ready || now_us < m->next_rtcp_us || m->rtcp.n_streams == 0)
		return;
	m->next_rtcp_us = now_us + RTCP_INTERVAL_US;
	/* The keyframe the capture starts at, asked for again every second
	 * until it comes. */
	if ((m->state == WRTC_CAPTURE_WARMUP && now_us >= m->warmup_end_us) ||
	    (m->state == WRTC_CAPTURE_KEYFRAME && now_us >= m->next_pli_us)) {
		m->state = WRTC_CAPTURE_KEYFRAME;
		m->next_pli_us = now_us + 1000000;
		pli = 1;
	}
	/* No request in the last half second: its keyframe would be cut. */
	if (m->state == WRTC_CAPTURE_RUNNING && m->pli_every_ms && now_us >= m->next_pli_us &&
	    now_us + 500000 < m->stop_us) {
		pli = 1;
		m->next_pli_us += m->pli_every_ms * 1000ull;
		if (m->n_pli < WRTC_MAX_PLI)
			m->pli_at_ms[m->n_pli++] = (now_us - m->first_rtp_us) / 1000;
	}
	send_rtcp(m, now_us, pli);
	if (m->state == WRTC_CAPTURE_RUNNING && now_us >= m->stop_us) {
		/* Streams whose last packet ended a frame are complete already,
		 * and streams never started have nothing to complete. */
		m->state = WRTC_CAPTURE_FINISHING;
		for (int i = 0; i < m->rtcp.n_streams; i++)
			m->stream_closed[i] = m->stream_closed[i] == 2 || !m->stream_started[i];
		finish_if_all_closed(m);
	} else if (m->state == WRTC_CAPTURE_FINISHING && now_us >= m->stop_us + FINISH_GRACE_US) {
		fprintf(stderr, "webrtc_capture: a stream did not finish its frame; cut\n");
		m->state = WRTC_CAPTURE_DONE;
	}
}

void wrtc_media_close(struct wrtc_media *m)
{
	if (m->srtp_in)
		srtp_dealloc(m->srtp_in);
	if (m->srtp_out)
		srtp_dealloc(m->srtp_out);
	m->srtp_in = m->srtp_out = NULL;
	wrtc_dtls_free(&m->dtls);
	wrtc_rtcp_free(&m->rtcp);
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}
