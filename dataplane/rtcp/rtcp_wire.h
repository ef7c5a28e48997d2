/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTCP's numbers and network-order reads and writes, shared by the parsers
 * and the builders of dataplane/rtcp.  Callers check bounds first; these
 * only move bytes.
 */
#ifndef STRATA_DP_RTCP_WIRE_H
#define STRATA_DP_RTCP_WIRE_H

#include <stdint.h>

#include "rtcp.h" /* DP_RTCP_MAX_PACKET_LEN */

/* RFC 3550 section 12.1 and RFC 4585 section 6.1: packet types. */
#define DP_RTCP_PT_SR 200
#define DP_RTCP_PT_RR 201
#define DP_RTCP_PT_SDES 202
#define DP_RTCP_PT_BYE 203
#define DP_RTCP_PT_APP 204
#define DP_RTCP_PT_RTPFB 205 /* transport layer feedback */
#define DP_RTCP_PT_PSFB 206  /* payload-specific feedback */

/* Feedback message types (the FMT field). */
#define DP_RTCP_FMT_NACK 1  /* RTPFB: RFC 4585 section 6.2.1 */
#define DP_RTCP_FMT_TWCC 15 /* RTPFB: draft-holmer-rmcat-transport-wide-cc-extensions-01 */
#define DP_RTCP_FMT_PLI 1   /* PSFB: RFC 4585 section 6.3.1 */
#define DP_RTCP_FMT_FIR 4   /* PSFB: RFC 5104 section 4.3.1 */
#define DP_RTCP_FMT_AFB 15  /* PSFB: RFC 4585 section 6.4, REMB's carrier */

/* SDES item types, RFC 3550 section 6.5. */
#define DP_RTCP_SDES_END 0
#define DP_RTCP_SDES_CNAME 1

#define DP_RTCP_HEADER_LEN 4     /* V P count, PT, length */
#define DP_RTCP_FB_HEADER_LEN 12 /* + SSRC of packet sender, of media source */
#define DP_RTCP_SENDER_INFO_LEN 20
#define DP_RTCP_REPORT_BLOCK_LEN 24
#define DP_RTCP_MAX_COUNT 31 /* the 5-bit RC and SC fields */

static inline uint16_t dp_rtcp_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t dp_rtcp_get24(const uint8_t *p)
{
	return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}

static inline uint32_t dp_rtcp_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void dp_rtcp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void dp_rtcp_put24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

static inline void dp_rtcp_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A 24-bit two's complement field, sign-extended. */
static inline int32_t dp_rtcp_sext24(uint32_t v)
{
	return (int32_t)((v & 0xffffffu) ^ 0x800000u) - 0x800000;
}

/*
 * Writes the first word of every RTCP packet for a packet of `len` octets
 * (a multiple of 4, at least 4): V=2, P=0, the 5-bit count or FMT, PT and
 * the length in 32-bit words minus one.
 */
static inline void dp_rtcp_put_header(uint8_t *p, uint8_t count, uint8_t pt, uint32_t len)
{
	p[0] = (uint8_t)(0x80 | (count & 0x1f));
	p[1] = pt;
	dp_rtcp_put16(p + 2, (uint16_t)(len / 4 - 1));
}

/* The 12 octets that start every feedback message (RFC 4585 section 6.1). */
static inline void dp_rtcp_put_fb_header(uint8_t *p, uint8_t fmt, uint8_t pt, uint32_t len,
					 uint32_t sender_ssrc, uint32_t media_ssrc)
{
	dp_rtcp_put_header(p, fmt, pt, len);
	dp_rtcp_put32(p + 4, sender_ssrc);
	dp_rtcp_put32(p + 8, media_ssrc);
}

#endif /* STRATA_DP_RTCP_WIRE_H */
