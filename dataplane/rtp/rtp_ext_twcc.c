/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transport-wide sequence number written into a forwarded RTP header
 * (rtp_ext_twcc.h explains the order of preference).
 */
#include <stdbool.h>
#include <string.h>

#include "rtp_ext_twcc.h"
#include "rtp_header.h"

enum how {
	IN_PLACE,       /* an element to overwrite at `at` (one-byte: its id octet) */
	IN_PADDING,     /* three padding octets at `at` (one-byte form) */
	GROW_ONE_BYTE,  /* a word appended to a one-byte block */
	GROW_TWO_BYTE,  /* a word appended to a two-byte block */
	ADD_BLOCK,      /* no extension yet */
};

struct plan {
	enum how how;
	uint32_t at;    /* offset in the header */
	uint32_t ext;   /* where the extension's 4-octet profile/length word is */
	uint8_t two_byte;
};

/*
 * RFC 8285 section 4.2: "ID (4 bits) | len (4 bits, length - 1) | data";
 * ID 0 is one octet of padding; "The local identifier value 15 is
 * reserved for a future extension and MUST NOT be used as an identifier.
 * If the ID value 15 is encountered, its length field should be ignored,
 * processing of the entire extension should terminate at that point".
 * Section 4.3: "ID (8 bits) | length (8 bits) | data", padding octets 0.
 */
static int plan_for(const uint8_t *hdr, uint32_t hdr_len, uint8_t pub_id, uint8_t id,
		    struct plan *pl)
{
	if (id == 0 || id > 14)
		return DP_TWCC_PUT_BAD_HEADER;
	uint32_t ext = STRATA_RTP_FIXED_HEADER_LEN + 4u * (hdr[0] & 0x0f);
	if (!(hdr[0] & 0x10)) {
		pl->how = ADD_BLOCK;
		pl->ext = ext;
		return 8;
	}
	uint16_t profile = strata_be16(hdr + ext);
	uint32_t p = ext + 4, end = hdr_len;
	int32_t pub_at = -1, own_at = -1;
	bool own_other = false; /* our id on an element that is not 2 octets */
	uint32_t last_used = p; /* just past the last element */

	pl->ext = ext;
	if (profile == 0xBEDE) {
		while (p < end) {
			if (hdr[p] == 0) {
				p++;
				continue;
			}
			uint8_t eid = hdr[p] >> 4, elen = (uint8_t)((hdr[p] & 0x0f) + 1);
			if (eid == 15)
				break; /* the rest is not to be read (or written) */
			if (p + 1 + elen > end)
				return DP_TWCC_PUT_BAD_HEADER;
			if (elen == 2 && eid == pub_id && pub_at < 0)
				pub_at = (int32_t)p;
			if (elen == 2 && eid == id && own_at < 0)
				own_at = (int32_t)p;
			own_other |= eid == id && elen != 2;
			p += 1 + elen;
			last_used = p;
		}
		pl->two_byte = 0;
		if (own_other)
			return DP_TWCC_PUT_BAD_HEADER;
		if (pub_at >= 0 || own_at >= 0) {
			/* Our id's element when there is one (two elements with
			 * our id must not come out), else the publisher's. */
			pl->how = IN_PLACE;
			pl->at = (uint32_t)(own_at >= 0 ? own_at : pub_at);
			return 0;
		}
		if (p >= end && end - last_used >= 3) {
			pl->how = IN_PADDING;
			pl->at = last_used;
			return 0;
		}
		if (p < end)
			return DP_TWCC_PUT_BAD_HEADER; /* stopped at ID 15 */
		pl->how = GROW_ONE_BYTE;
		return 4;
	}
	if ((profile & 0xfff0) == 0x1000) {
		while (p < end) {
			if (hdr[p] == 0) {
				p++;
				continue;
			}
			if (p + 2 > end || p + 2 + hdr[p + 1] > end)
				return DP_TWCC_PUT_BAD_HEADER;
			if (hdr[p + 1] == 2 && hdr[p] == pub_id && pub_at < 0)
				pub_at = (int32_t)p;
			if (hdr[p + 1] == 2 && hdr[p] == id && own_at < 0)
				own_at = (int32_t)p;
			own_other |= hdr[p] == id && hdr[p + 1] != 2;
			p += 2u + hdr[p + 1];
		}
		pl->two_byte = 1;
		if (own_other)
			return DP_TWCC_PUT_BAD_HEADER;
		if (pub_at >= 0 || own_at >= 0) {
			pl->how = IN_PLACE;
			pl->at = (uint32_t)(own_at >= 0 ? own_at : pub_at);
			return 0;
		}
		pl->how = GROW_TWO_BYTE;
		return 4;
	}
	return DP_TWCC_PUT_BAD_HEADER;
}

int dp_rtp_ext_twcc_growth(const uint8_t *hdr, uint32_t hdr_len, uint32_t room, uint8_t pub_id,
			   uint8_t id)
{
	struct plan pl;
	int g = plan_for(hdr, hdr_len, pub_id, id, &pl);
	if (g > 0 && (uint32_t)g > room)
		return DP_TWCC_PUT_NO_ROOM;
	return g;
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int dp_rtp_ext_twcc_put(uint8_t *hdr, uint32_t hdr_len, uint32_t tail, uint32_t room,
			uint8_t pub_id, uint8_t id, uint16_t seq)
{
	struct plan pl;
	int g = plan_for(hdr, hdr_len, pub_id, id, &pl);

	if (g < 0)
		return g;
	if ((uint32_t)g > room)
		return DP_TWCC_PUT_NO_ROOM;
	if (g > 0 && tail > 0)
		memmove(hdr + hdr_len + g, hdr + hdr_len, tail);
	switch (pl.how) {
	case IN_PLACE:
		if (pl.two_byte) {
			hdr[pl.at] = id;
			put16(hdr + pl.at + 2, seq);
		} else {
			hdr[pl.at] = (uint8_t)(id << 4 | 1);
			put16(hdr + pl.at + 1, seq);
		}
		break;
	case IN_PADDING:
		hdr[pl.at] = (uint8_t)(id << 4 | 1);
		put16(hdr + pl.at + 1, seq);
		break;
	case GROW_ONE_BYTE:
		hdr[hdr_len] = (uint8_t)(id << 4 | 1);
		put16(hdr + hdr_len + 1, seq);
		hdr[hdr_len + 3] = 0;
		put16(hdr + pl.ext + 2, (uint16_t)(strata_be16(hdr + pl.ext + 2) + 1));
		break;
	case GROW_TWO_BYTE:
		hdr[hdr_len] = id;
		hdr[hdr_len + 1] = 2;
		put16(hdr + hdr_len + 2, seq);
		put16(hdr + pl.ext + 2, (uint16_t)(strata_be16(hdr + pl.ext + 2) + 1));
		break;
	case ADD_BLOCK:
		/* No extension: hdr_len is where it goes (after the CSRCs). */
		hdr[0] |= 0x10;
		hdr[hdr_len] = 0xBE;
		hdr[hdr_len + 1] = 0xDE;
		put16(hdr + hdr_len + 2, 1);
		hdr[hdr_len + 4] = (uint8_t)(id << 4 | 1);
		put16(hdr + hdr_len + 5, seq);
		hdr[hdr_len + 7] = 0;
		break;
	}
	return g;
}
