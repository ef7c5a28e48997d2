/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SDES (RFC 3550 section 6.5): checking the chunks, walking them for their
 * CNAMEs, and the one-chunk CNAME builder.  Items other than CNAME are
 * stepped over by their length octet and never interpreted.
 */
#include <string.h>

#include "rtcp_build.h"
#include "rtcp_parse_priv.h"
#include "rtcp_wire.h"

/*
 * RFC 3550 section 6.5:
 *
 *        |V=2|P|    SC   |  PT=SDES=202  |             length            |
 * chunk  |                          SSRC/CSRC_1                          |
 *   1    |                           SDES items                          |
 *        |                              ...                              |
 *
 * "Each chunk consists of an SSRC/CSRC identifier followed by a list of
 * zero or more items, which carry information about the SSRC/CSRC.  Each
 * chunk starts on a 32-bit boundary.  Each item consists of an 8-bit type
 * field, an 8-bit octet count describing the length of the text (thus, not
 * including this two-octet header), and the text itself."
 *
 * "The list of items in each chunk MUST be terminated by one or more null
 * octets, the first of which is interpreted as an item type of zero to
 * denote the end of the list.  No length octet follows the null item type
 * octet, but additional null octets MUST be included if needed to pad
 * until the next 32-bit boundary."
 *
 * Walks the chunk at p (avail octets left in the packet): its SSRC, its
 * first CNAME, and in *chunk_len where the next chunk starts.  The octets
 * after the terminator are not checked to be null, and the last chunk may
 * stop short of its word boundary when the packet's own padding (P) took
 * those octets.
 */
static enum dp_rtcp_error walk_chunk(const uint8_t *p, uint32_t avail,
				     struct dp_rtcp_sdes_chunk *c, uint32_t *chunk_len)
{
	if (avail < 4)
		return DP_RTCP_COUNT_PAST_END;
	memset(c, 0, sizeof(*c));
	c->ssrc = dp_rtcp_get32(p);

	uint32_t i = 4;
	for (;;) {
		if (i >= avail)
			return DP_RTCP_SDES_BAD_ITEM; /* no terminator */
		uint8_t type = p[i];
		if (type == DP_RTCP_SDES_END)
			break;
		if (avail - i < 2 || avail - i - 2 < p[i + 1])
			return DP_RTCP_SDES_BAD_ITEM;
		if (type == DP_RTCP_SDES_CNAME && !c->has_cname) {
			c->has_cname = true;
			c->cname_len = p[i + 1];
			c->cname = p + i + 2;
		}
		i += 2u + p[i + 1];
	}
	/* Past the null octet, up to the next multiple of 4. */
	i = (i + 4) & ~3u;
	*chunk_len = i < avail ? i : avail;
	return DP_RTCP_OK;
}

enum dp_rtcp_error dp_rtcp_parse_sdes(struct dp_rtcp_item *item)
{
	struct dp_rtcp_sdes *s = &item->sdes;
	struct dp_rtcp_sdes_chunk c;
	uint32_t off = 0;

	s->n_chunks = item->count;
	s->chunks = item->body;
	s->end = item->body + item->body_len;
	item->ssrc = 0;
	for (unsigned k = 0; k < item->count; k++) {
		uint32_t n = 0;
		enum dp_rtcp_error err = walk_chunk(item->body + off, item->body_len - off, &c, &n);
		if (err != DP_RTCP_OK)
			return err;
		if (k == 0)
			item->ssrc = c.ssrc;
		off += n;
	}
	return DP_RTCP_OK;
}

bool dp_rtcp_sdes_next(const struct dp_rtcp_sdes *s, struct dp_rtcp_sdes_cursor *cur,
		       struct dp_rtcp_sdes_chunk *c)
{
	uint32_t avail = (uint32_t)(s->end - s->chunks);
	uint32_t n = 0;

	if (cur->index >= s->n_chunks || cur->off > avail)
		return false;
	if (walk_chunk(s->chunks + cur->off, avail - cur->off, c, &n) != DP_RTCP_OK)
		return false;
	cur->off += n;
	cur->index++;
	return true;
}

uint32_t dp_rtcp_build_sdes_cname(uint8_t *buf, uint32_t cap, uint32_t ssrc,
				  const uint8_t *cname, unsigned cname_len)
{
	if (cname_len > 255 || (cname_len && !cname))
		return 0;
	/* Header, SSRC, CNAME type and length, text, the null octet, padded. */
	uint32_t len = 4 + ((4 + 2 + cname_len + 1 + 3) & ~3u);
	if (len > cap)
		return 0;

	dp_rtcp_put_header(buf, 1, DP_RTCP_PT_SDES, len);
	dp_rtcp_put32(buf + 4, ssrc);
	buf[8] = DP_RTCP_SDES_CNAME;
	buf[9] = (uint8_t)cname_len;
	if (cname_len)
		memcpy(buf + 10, cname, cname_len);
	memset(buf + 10 + cname_len, 0, len - 10 - cname_len);
	return len;
}
