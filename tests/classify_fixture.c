/* SPDX-License-Identifier: BSD-3-Clause */
/* What the classifier's tests share (classify_fixture.h). */
#include <stdlib.h>
#include <string.h>

#include "classify_fixture.h"

const char *const class_names[] = { "DROP", "SLOWPATH", "MEDIA", "STUN", "DTLS",
				    "UDP_OTHER" };

const uint8_t rtp[20] = { 0x80, 0x60, 0x12, 0x34, 0, 0, 0x10, 0, 0xde, 0xad, 0xbe, 0xef,
			  1, 2, 3, 4, 5, 6, 7, 8 };

/* Builds the frame into a heap buffer of exactly its length. */
uint8_t *build(const struct spec *s, uint32_t *len_out)
{
	uint8_t buf[2048];
	uint32_t off = 0;
	bool v6 = s->fam == 6;
	const uint8_t *src = s->src ? s->src : v6 ? peer6 : peer4;
	const uint8_t *dst = s->dst ? s->dst : v6 ? our6 : our4;
	uint8_t proto = s->proto == PROTO_0 ? 0 : s->proto ? (uint8_t)s->proto : 17;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, s->dmac ? s->dmac : our_mac, 6);
	memcpy(buf + 6, peer_mac, 6);
	off = 12;
	for (unsigned t = 0; t < s->ntags; t++) {
		put16(buf + off, s->tpid[t] ? s->tpid[t] : 0x8100);
		put16(buf + off + 2, s->tci[t]);
		off += 4;
	}
	put16(buf + off, s->etype ? s->etype : v6 ? 0x86dd : 0x0800);
	off += 2;

	/* L4 first, into its own buffer. */
	uint8_t l4[1600];
	uint32_t l4_len;

	if (proto == 17) {
		l4_len = 8 + s->pl_len;
		put16(l4, SPORT);
		put16(l4 + 2, DPORT);
		put16(l4 + 4, (uint16_t)(l4_len + s->udp_len_delta));
		put16(l4 + 6, 0);
		if (s->pl_len)
			memcpy(l4 + 8, s->pl, s->pl_len);
	} else {
		l4_len = s->pl_len;
		if (s->pl_len)
			memcpy(l4, s->pl, s->pl_len);
	}
	if (s->l4_keep)
		l4_len = s->l4_keep;

	/* Checksums over what will be sent. */
	if (proto == 17 && l4_len >= 8) {
		uint32_t acc = ref_pseudo(v6, src, dst, 17, l4_len);
		uint16_t ck = (uint16_t)~ref_fold(ref_add(acc, l4, l4_len));

		if (ck == 0)
			ck = 0xffff;
		if (s->udp_ck == CK_BAD)
			ck ^= 0x0101;
		if (s->udp_ck == CK_ZERO)
			ck = 0;
		put16(l4 + 6, ck);
	} else if ((proto == 1 || proto == 58) && l4_len >= 4) {
		uint32_t acc = proto == 58 ? ref_pseudo(true, src, dst, 58, l4_len) : 0;

		put16(l4 + 2, 0);
		put16(l4 + 2, (uint16_t)~ref_fold(ref_add(acc, l4, l4_len)));
	}

	uint8_t *ip = buf + off;

	if (!v6) {
		unsigned ihl = s->ihl ? s->ihl & 0x0f : 5;
		unsigned hl = ihl * 4;

		ip[0] = (uint8_t)((s->ver ? s->ver : 4) << 4 | ihl);
		put16(ip + 2, (uint16_t)(hl + l4_len + s->ip_len_delta));
		put16(ip + 4, 0x1234);
		put16(ip + 6, s->frag == NO_FLAGS ? 0 : s->frag ? s->frag : 0x4000);
		ip[8] = s->hops ? s->hops : 64;
		ip[9] = proto;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		for (unsigned i = 20; i < hl; i++)
			ip[i] = 1; /* NOP options */
		put16(ip + 10, (uint16_t)~ref_fold(ref_add(0, ip, hl < 20 ? 20 : hl)));
		if (s->ip_ck_bad)
			ip[11] ^= 0x40;
		off += hl < 20 ? 20 : hl;
	} else {
		ip[0] = (uint8_t)((s->ver ? s->ver : 6) << 4);
		put16(ip + 4, (uint16_t)(l4_len + s->ip_len_delta));
		ip[6] = proto;
		ip[7] = s->hops ? s->hops : 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		off += 40;
	}
	memcpy(buf + off, l4, l4_len);
	off += l4_len + s->pad;

	uint8_t *frame = malloc(off);

	if (frame == NULL)
		abort();
	memcpy(frame, buf, off);
	*len_out = off;
	return frame;
}
