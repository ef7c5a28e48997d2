/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client_vp8_tid (client/client_vp8_desc.c) on VP8 payload descriptors built
 * by hand from RFC 7741 section 4.2's layout: each optional field present
 * or not, one- and two-byte PictureIDs, an RTP header extension and CSRCs
 * before the descriptor, and truncations, which must answer -1.
 */
#include <stdio.h>
#include <string.h>

#include "client_vp8_desc.h"
#include "test_util.h"

/* An RTP packet: cc CSRCs, an extension of ext_words words when ext_words >
 * 0, then the descriptor bytes. */
static size_t build(uint8_t *p, unsigned cc, unsigned ext_words, const uint8_t *desc,
		    size_t desc_len)
{
	size_t n = 12;

	memset(p, 0, 128);
	p[0] = (uint8_t)(0x80 | (ext_words ? 0x10 : 0) | cc);
	p[1] = 96;
	n += 4u * cc;
	if (ext_words) {
		p[n] = 0xbe;
		p[n + 1] = 0xde;
		p[n + 3] = (uint8_t)ext_words;
		n += 4 + 4u * ext_words;
	}
	memcpy(p + n, desc, desc_len);
	return n + desc_len;
}

int main(void)
{
	uint8_t p[128];
	/* X I L T K: I with M (two bytes), L, then TID 2 Y=1. */
	static const uint8_t full[] = { 0x90, 0xf0, 0x81, 0x23, 0x07, 0xa0, 0x9d };
	/* X, I one byte, no L, T: TID 1. */
	static const uint8_t one[] = { 0x80, 0xa0, 0x05, 0x40, 0x00 };
	/* X with only K: the TID/Y/KEYIDX byte is there, but without T its
	 * TID is to be ignored (RFC 7741 4.2): no TID. */
	static const uint8_t k_only[] = { 0x80, 0x10, 0xc3, 0x00 };
	/* X without T or K: no TID. */
	static const uint8_t no_t[] = { 0x80, 0xc0, 0x05, 0x09, 0x00 };
	/* No X at all. */
	static const uint8_t no_x[] = { 0x10, 0x00 };

	CHECK(client_vp8_tid(p, build(p, 0, 0, full, sizeof(full))) == 2, "line %d: want 2", __LINE__);
	CHECK(client_vp8_tid(p, build(p, 2, 0, full, sizeof(full))) == 2, "line %d: want 2", __LINE__);
	CHECK(client_vp8_tid(p, build(p, 0, 3, full, sizeof(full))) == 2, "line %d: want 2", __LINE__);
	CHECK(client_vp8_tid(p, build(p, 1, 1, one, sizeof(one))) == 1, "line %d: want 1", __LINE__);
	CHECK(client_vp8_tid(p, build(p, 0, 0, k_only, sizeof(k_only))) == -1, "line %d: want -1", __LINE__);
	CHECK(client_vp8_tid(p, build(p, 0, 0, no_t, sizeof(no_t))) == -1, "line %d: want -1", __LINE__);
	CHECK(client_vp8_tid(p, build(p, 0, 0, no_x, sizeof(no_x))) == -1, "line %d: want -1", __LINE__);
	/* Cut before the TID byte, anywhere: -1, never a read past the end. */
	size_t len = build(p, 0, 0, full, sizeof(full));
	for (size_t cut = 0; cut < len - 1; cut++)
		CHECK(client_vp8_tid(p, cut) == -1, "line %d: want -1", __LINE__);
	/* An extension longer than the packet. */
	len = build(p, 0, 1, one, sizeof(one));
	p[15] = 200;
	CHECK(client_vp8_tid(p, len) == -1, "line %d: want -1", __LINE__);
	return test_summary("client_vp8_desc");
}
