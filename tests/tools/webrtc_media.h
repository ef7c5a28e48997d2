/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The capture tool's UDP port: everything the browser sends to the one
 * host candidate of the answer, demultiplexed by first byte (RFC 7983
 * section 7):
 *
 *                  +----------------+
 *                  |        [0..3] -+--> STUN: answered as ICE-lite
 *                  |                |
 *                  |      [20..63] -+--> DTLS: the handshake, then keys
 *                  |                |
 *   packet -->     |    [128..191] -+--> SRTP/SRTCP (RFC 5761 section 4:
 *                  |                |    PT 192..223 is RTCP): decrypted;
 *                  +----------------+    RTP into the capture file
 *
 * and the RTCP the tool sends back (webrtc_rtcp.h).
 */
#ifndef STRATA_TESTS_WEBRTC_MEDIA_H
#define STRATA_TESTS_WEBRTC_MEDIA_H

#include <stdint.h>
#include <stdio.h>

#include <srtp2/srtp.h>

#include "webrtc_dtls.h"
#include "webrtc_rtcp.h"

#define WRTC_MAX_PLI 32

/*
 * The capture starts at a keyframe the tool asks for once the encoder has
 * warmed up (layers on, bandwidth estimate settled, the first slow
 * keyframes behind it), and ends with a complete frame on every stream:
 *
 *   WAITING --first RTP--> WARMUP --warm-up time, PLI--> KEYFRAME
 *     --first packet of a keyframe--> RUNNING --capture time--> FINISHING
 *     --every stream's last frame complete--> DONE
 *
 * Each stream (SSRC) is written from its own first keyframe packet on.
 */
enum wrtc_capture_state {
	WRTC_CAPTURE_WAITING = 0,  /* no media yet */
	WRTC_CAPTURE_WARMUP,       /* media flowing, nothing written */
	WRTC_CAPTURE_KEYFRAME,     /* keyframe asked for, not seen yet */
	WRTC_CAPTURE_RUNNING,      /* writing every started stream's packets */
	WRTC_CAPTURE_FINISHING,    /* time is up: completing each stream's frame */
	WRTC_CAPTURE_DONE,
};

struct wrtc_media {
	int fd;
	uint16_t port;
	char ufrag[16], pwd[40];
	struct wrtc_dtls dtls;
	struct wrtc_rtcp rtcp;
	struct wrtc_srtp_keys keys;
	srtp_t srtp_in, srtp_out;
	int srtp_ready;
	/* Negotiated extension ids the tool reads (0: not negotiated). */
	int twcc_id, rid_id;

	FILE *capture;
	int codec;                 /* enum wrtc_codec: how a keyframe starts */
	uint64_t warmup_us;        /* media before the capture starts */
	uint64_t capture_us;       /* how long to capture, from the first packet */
	unsigned pli_every_ms;     /* 0: no keyframe requests after the first */
	enum wrtc_capture_state state;
	uint64_t warmup_end_us, first_rtp_us, stop_us, next_rtcp_us, next_pli_us;
	uint8_t stream_started[WRTC_MAX_STREAMS];
	uint8_t stream_closed[WRTC_MAX_STREAMS];
	unsigned long stream_written[WRTC_MAX_STREAMS];
	uint64_t pli_at_ms[WRTC_MAX_PLI];  /* since the first packet */
	int n_pli;

	/* What happened, for the report. */
	unsigned long stun_answered, stun_refused, dtls_in, rtp_in, rtp_bad, rtcp_in, rtcp_bad,
		rtcp_out, written, written_bytes, padding_only, not_written;
};

/* Binds the UDP port on addr (any free port) and prepares DTLS
 * (srtp_profiles: as for wrtc_dtls_init).  Returns 0 or -1. */
int wrtc_media_open(struct wrtc_media *m, const char *addr, const char *srtp_profiles,
		    int codec, uint64_t warmup_us, uint64_t capture_us, unsigned pli_every_ms,
		    FILE *capture);

/* Reads and handles every datagram waiting on the socket. */
void wrtc_media_input(struct wrtc_media *m, uint64_t now_us);

/* Milliseconds until wrtc_media_tick has work (RTCP, DTLS timers). */
int wrtc_media_timeout_ms(struct wrtc_media *m, uint64_t now_us);

/* Sends what is due: DTLS retransmissions, RTCP, keyframe requests; ends
 * the capture when its time is up. */
void wrtc_media_tick(struct wrtc_media *m, uint64_t now_us);

void wrtc_media_close(struct wrtc_media *m);

#endif /* STRATA_TESTS_WEBRTC_MEDIA_H */
