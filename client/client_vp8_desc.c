/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The temporal layer of a received VP8 packet (client_vp8_desc.h), read from
 * its payload descriptor.  Fuzzed by tests/fuzz/fuzz_client_msg.c.
 */
#include "client_vp8_desc.h"

int client_vp8_tid(const uint8_t *rtp, size_t len)
{
	size_t off;

	if (len < 12)
		return -1;
	off = 12 + 4u * (rtp[0] & 0x0f);
	if ((rtp[0] & 0x10) && len >= off + 4)
		off += 4 + 4u * ((size_t)rtp[off + 2] << 8 | rtp[off + 3]);
	/*
	 * RFC 7741 section 4.2:
	 *      |X|R|N|S|R| PID |
	 * X:   |I|L|T|K| RSV   |
	 * I:   |M| PictureID   |  (M: a second byte)
	 * L:   |   TL0PICIDX   |
	 * T/K: |TID|Y| KEYIDX  |
	 */
	if (len < off + 2 || !(rtp[off] & 0x80))
		return -1;
	uint8_t x = rtp[off + 1];
	off += 2;
	if (x & 0x80) {
		if (len <= off)
			return -1;
		off += (rtp[off] & 0x80) ? 2 : 1;
	}
	if (x & 0x40)
		off++;
	if (!(x & 0x20) || len <= off)
		return -1;
	return rtp[off] >> 6;
}
