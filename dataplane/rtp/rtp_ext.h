/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Finding an RTP header extension element by id (RFC 8285).
 */
#ifndef STRATA_RTP_EXT_H
#define STRATA_RTP_EXT_H

#include <stdint.h>

#include "rtp_header.h"

/*
 * RFC 8285 section 4.2 (one-byte header, profile 0xBEDE): each element is
 * "ID (4 bits) | len (4 bits, length - 1) | data"; ID 0 is padding and
 * "the value 15 is reserved for future extensions and MUST NOT be used as
 * an identifier"; when seen, processing stops.  Section 4.3 (two-byte
 * header, profile 0x100 followed by 4 bits of app data): "ID (8 bits) |
 * length (8 bits) | data", padding bytes are 0.
 *
 * Returns the element's data and its length in *out_len, or NULL.  `hdr`
 * is a header strata_rtp_header_len accepted, `hdr_len` its length.
 */
static inline const uint8_t *strata_rtp_ext_find(const uint8_t *hdr, uint32_t hdr_len, uint8_t id,
						 uint32_t *out_len)
{
	if (id == 0 || !(hdr[0] & 0x10))
		return NULL;
	uint32_t at = STRATA_RTP_FIXED_HEADER_LEN + 4u * (hdr[0] & 0x0f);
	uint16_t profile = strata_be16(hdr + at);
	const uint8_t *p = hdr + at + 4, *end = hdr + hdr_len;

	if (profile == 0xBEDE) {
		while (p < end) {
			uint8_t eid = *p >> 4, elen = (*p & 0x0f) + 1;
			if (*p == 0) { /* padding */
				p++;
				continue;
			}
			if (eid == 15 || p + 1 + elen > end)
				return NULL;
			if (eid == id) {
				*out_len = elen;
				return p + 1;
			}
			p += 1 + elen;
		}
	} else if ((profile & 0xfff0) == 0x1000) {
		while (p < end) {
			if (*p == 0) {
				p++;
				continue;
			}
			if (p + 2 > end || p + 2 + p[1] > end)
				return NULL;
			if (p[0] == id) {
				*out_len = p[1];
				return p + 2;
			}
			p += 2 + p[1];
		}
	}
	return NULL;
}

#endif /* STRATA_RTP_EXT_H */
