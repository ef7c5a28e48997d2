/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the capture tool tells the browser as an RTP receiver: receiver
 * reports (RFC 3550 section 6.4.2), picture loss indications (RFC 4585
 * section 6.3.1) when it wants a keyframe, and transport-wide congestion
 * control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * section 3.1), without which Chromium's bandwidth estimate would not
 * let all layers through.  Also the per-SSRC counts the sidecar reports.
 */
#ifndef STRATA_TESTS_WEBRTC_RTCP_H
#define STRATA_TESTS_WEBRTC_RTCP_H

#include <stddef.h>
#include <stdint.h>

#define WRTC_MAX_STREAMS 8
/* Transport-wide sequence numbers reported per feedback packet at most. */
#define WRTC_TWCC_MAX_PER_FEEDBACK 400

struct wrtc_rx_stream {
	uint32_t ssrc;
	uint8_t pt;
	char rid[16];             /* from the rid extension, when seen */
	uint64_t packets, bytes;
	/* RFC 3550 appendix A.1/A.3 sequence accounting. */
	uint16_t max_seq;
	uint32_t cycles, base_seq;
	uint32_t expected_prior, received_prior;
	/* The last sender report: middle 32 bits of its NTP time, and when it
	 * came (microseconds, our clock). */
	uint32_t lsr;
	uint64_t lsr_at_us;
};

struct wrtc_rtcp {
	uint32_t our_ssrc;
	struct wrtc_rx_stream streams[WRTC_MAX_STREAMS];
	int n_streams;
	/* Transport-wide feedback: arrival times by sequence number (0 when
	 * not received), the next number to report and the highest seen,
	 * both unwrapped. */
	uint64_t *twcc_arrival_us;  /* 65536 entries */
	int64_t twcc_next, twcc_max;
	uint8_t twcc_fb_count;
};

int wrtc_rtcp_init(struct wrtc_rtcp *r, uint32_t our_ssrc);
void wrtc_rtcp_free(struct wrtc_rtcp *r);

/* Accounts one decrypted RTP packet; `twcc_seq` is its transport-wide
 * sequence number or -1.  Returns its stream, or NULL when there are too
 * many SSRCs. */
struct wrtc_rx_stream *wrtc_rtcp_on_rtp(struct wrtc_rtcp *r, const uint8_t *pkt, size_t len,
					uint64_t now_us, int twcc_seq);

/* Reads a decrypted compound RTCP packet from the browser (sender
 * reports). */
void wrtc_rtcp_on_rtcp(struct wrtc_rtcp *r, const uint8_t *pkt, size_t len, uint64_t now_us);

/* Writes a compound RTCP packet into out: a receiver report with a block
 * for each stream whose `report[i]` is set, then a PLI per stream when
 * `pli`, then transport-wide feedback when `twcc` and there is anything new
 * to report.  Returns its length (leaving room for the SRTCP trailer is the
 * caller's business).
 *
 * Report blocks are held back on purpose before a stream is captured:
 * Chromium sends the mid and rid extensions until a report block
 * acknowledges the SSRC, and the capture should show a stream's first
 * packets with them, as a forwarder sees a new stream. */
size_t wrtc_rtcp_build(struct wrtc_rtcp *r, uint8_t *out, size_t cap, uint64_t now_us, int pli,
		       int twcc, const uint8_t report[WRTC_MAX_STREAMS]);

#endif /* STRATA_TESTS_WEBRTC_RTCP_H */
