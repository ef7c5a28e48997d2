/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One element of an RTP header extension block replaced by data of another
 * length (rtp_ext_replace.h).
 */
#include <stdbool.h>
#include <string.h>

#include "rtp_ext_replace.h"
#include "rtp_header.h"

/* One element of an RTP header extension block. */
struct ext_element {
	uint8_t id, len;
	const uint8_t *data;
};

#define EXT_MAX_ELEMENTS 32

/*
 * RFC 8285 section 4.2 (one-byte header, profile 0xBEDE): "ID | len" with
 * len the length minus one, 1..16 octets, IDs 1..14; section 4.3 (two-byte
 * header, profile 0x100X): "ID | length", 0..255 octets.  Padding octets
 * (0) may come between elements.  "A given extension element MUST NOT be
 * used in both forms" is the session's business: the rewritten element
 * goes in whichever form lets every element fit.
 */
uint32_t strata_rtp_ext_replace(const uint8_t *hdr, uint32_t hdr_len, uint8_t id,
				const uint8_t *data, uint32_t len, uint8_t *out, uint32_t cap)
{
	if (!(hdr[0] & 0x10) || len > UINT8_MAX)
		return 0;
	uint32_t fixed = STRATA_RTP_FIXED_HEADER_LEN + 4u * (hdr[0] & 0x0f);
	if (fixed + 4 > hdr_len)
		return 0;
	uint16_t profile = strata_be16(hdr + fixed);
	bool one_byte = profile == 0xBEDE;
	if (!one_byte && (profile & 0xfff0) != 0x1000)
		return 0;
	const uint8_t *p = hdr + fixed + 4, *end = hdr + hdr_len;
	struct ext_element el[EXT_MAX_ELEMENTS];
	unsigned n = 0;
	bool found = false, two = !one_byte;

	while (p < end) {
		if (*p == 0) {
			p++;
			continue;
		}
		uint8_t eid = one_byte ? (uint8_t)(*p >> 4) : p[0];
		if (one_byte && eid == 15)
			break;
		/* "The local identifier value 0 is reserved for padding" (4.2):
		 * padding octets are 0; anything else with ID 0 is no element. */
		if (one_byte && eid == 0)
			return 0;
		if (!one_byte && p + 2 > end)
			return 0;
		uint32_t elen = one_byte ? (*p & 0x0fu) + 1u : p[1];
		const uint8_t *d = p + (one_byte ? 1 : 2);
		if (d + elen > end || n == EXT_MAX_ELEMENTS)
			return 0;
		el[n].id = eid;
		if (eid == id) {
			el[n].len = (uint8_t)len;
			el[n].data = data;
			found = true;
		} else {
			el[n].len = (uint8_t)elen;
			el[n].data = d;
		}
		if (el[n].len > 16 || el[n].len == 0 || el[n].id > 14)
			two = true;
		n++;
		p = d + elen;
	}
	if (!found)
		return 0;

	uint32_t need = fixed + 4;
	for (unsigned i = 0; i < n; i++)
		need += (two ? 2u : 1u) + el[i].len;
	need = (need + 3u) & ~3u;
	if (need > cap || need - fixed - 4 > 4u * UINT16_MAX)
		return 0;
	memcpy(out, hdr, fixed);
	uint32_t at = fixed + 4;
	for (unsigned i = 0; i < n; i++) {
		if (two) {
			out[at++] = el[i].id;
			out[at++] = el[i].len;
		} else {
			out[at++] = (uint8_t)(el[i].id << 4 | (el[i].len - 1));
		}
		memcpy(out + at, el[i].data, el[i].len);
		at += el[i].len;
	}
	while (at < need)
		out[at++] = 0;
	uint16_t words = (uint16_t)((need - fixed - 4) / 4);
	out[fixed] = two ? 0x10 : 0xBE;
	out[fixed + 1] = two ? 0x00 : 0xDE;
	out[fixed + 2] = (uint8_t)(words >> 8);
	out[fixed + 3] = (uint8_t)words;
	return need;
}
