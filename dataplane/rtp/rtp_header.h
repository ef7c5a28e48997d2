/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bounds-checked reading of the fixed RTP and RTCP headers.
 *
 * Everything here reads at most `len` bytes from `p` and never writes.  The
 * SRTP engine, the classifier and the fuzz targets share these so that one
 * piece of code decides where an RTP header ends.
 */
#ifndef STRATA_RTP_HEADER_H
#define STRATA_RTP_HEADER_H

#include <stdint.h>

enum strata_rtp_parse {
	STRATA_RTP_PARSE_OK = 0,
	STRATA_RTP_PARSE_TOO_SHORT,   /* fewer bytes than the fixed header */
	STRATA_RTP_PARSE_BAD_VERSION, /* version field is not 2 */
	STRATA_RTP_PARSE_BAD_HEADER,  /* CSRC list or extension past the end */
};

#define STRATA_RTP_FIXED_HEADER_LEN 12
#define STRATA_RTCP_FIXED_HEADER_LEN 8

static inline uint16_t strata_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t strata_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static inline void strata_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * RFC 3550 section 5.1:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   |                           timestamp                           |
 *   |           synchronization source (SSRC) identifier            |
 *   |            contributing source (CSRC) identifiers             |
 *   |                             ....                              |
 *
 * Section 5.3.1: "If the X bit in the RTP header is one, a variable-length
 * header extension MUST be appended to the RTP header, following the CSRC
 * list if present.  The header extension contains a 16-bit length field
 * that counts the number of 32-bit words in the extension, excluding the
 * four-octet extension header."
 *
 * Stores in *hdr_len the length of fixed header + CSRCs + extension: where
 * the payload (the part SRTP encrypts) starts.
 */
static inline enum strata_rtp_parse
strata_rtp_header_len(const uint8_t *p, uint32_t len, uint32_t *hdr_len)
{
	if (len < STRATA_RTP_FIXED_HEADER_LEN)
		return STRATA_RTP_PARSE_TOO_SHORT;
	if ((p[0] >> 6) != 2)
		return STRATA_RTP_PARSE_BAD_VERSION;

	uint32_t n = STRATA_RTP_FIXED_HEADER_LEN + 4u * (p[0] & 0x0f);
	if (p[0] & 0x10) {
		if (n + 4 > len)
			return STRATA_RTP_PARSE_BAD_HEADER;
		n += 4 + 4u * strata_be16(p + n + 2);
	}
	if (n > len)
		return STRATA_RTP_PARSE_BAD_HEADER;
	*hdr_len = n;
	return STRATA_RTP_PARSE_OK;
}

static inline uint16_t strata_rtp_seq(const uint8_t *p)
{
	return strata_be16(p + 2);
}

static inline uint32_t strata_rtp_ssrc(const uint8_t *p)
{
	return strata_be32(p + 8);
}

/* RFC 3550 section 6.4.1: the sender's SSRC follows V/P/RC, PT and length. */
static inline uint32_t strata_rtcp_ssrc(const uint8_t *p)
{
	return strata_be32(p + 4);
}

#endif /* STRATA_RTP_HEADER_H */
