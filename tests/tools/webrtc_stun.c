/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STUN Binding requests answered as an ICE-lite agent (webrtc_stun.h).
 *
 * RFC 5389 section 6: "All STUN messages MUST start with a 20-byte header
 * followed by zero or more Attributes":
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |0 0|     STUN Message Type     |         Message Length        |
 *   |                         Magic Cookie                          |
 *   |                     Transaction ID (96 bits)                  |
 *
 * RFC 8445 section 7.3: the responding agent checks USERNAME ("RFRAG:LFRAG"
 * where RFRAG is its own fragment) and MESSAGE-INTEGRITY (short-term
 * credentials: the key is its own password), then answers with a success
 * response carrying XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT.
 * An ICE-lite agent is always controlled and keeps no check list of its
 * own; consent freshness (RFC 7675) is the same request, answered the same
 * way.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "webrtc_stun.h"

#define STUN_MAGIC 0x2112A442u
#define STUN_HEADER 20
#define STUN_BINDING_REQUEST 0x0001
#define STUN_BINDING_SUCCESS 0x0101
#define ATTR_USERNAME 0x0006
#define ATTR_MESSAGE_INTEGRITY 0x0008
#define ATTR_XOR_MAPPED_ADDRESS 0x0020
#define ATTR_USE_CANDIDATE 0x0025
#define ATTR_FINGERPRINT 0x8028
/* RFC 5389 section 15.5: CRC-32 of the message XOR'ed with this. */
#define FINGERPRINT_XOR 0x5354554eu

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* The CRC-32 of ISO 3309 / ITU-T V.42 (the one zlib computes), bit by bit:
 * only a few dozen messages a second go through it. */
static uint32_t crc32_v42(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

/* HMAC-SHA1 over msg[0..upto) with the header's length field set to
 * `length_field`, as RFC 5389 section 15.4 asks ("the length MUST then be
 * set to point to the length of the message up to, and including, the
 * MESSAGE-INTEGRITY attribute itself"). */
static void integrity(const uint8_t *msg, size_t upto, uint16_t length_field, const char *key,
		      uint8_t mac[20])
{
	uint8_t copy[1500];
	unsigned int mac_len = 20;

	memset(mac, 0, 20);
	if (upto > sizeof(copy))
		return;
	memcpy(copy, msg, upto);
	put16(copy + 2, length_field);
	HMAC(EVP_sha1(), key, (int)strlen(key), copy, upto, mac, &mac_len);
}

enum wrtc_stun_result wrtc_stun_answer(const uint8_t *req, size_t len,
				       const struct sockaddr_in *from, const char *ufrag,
				       const char *pwd, uint8_t *out, size_t *out_len,
				       struct wrtc_stun_request_info *info)
{
	size_t at = STUN_HEADER, ufrag_len = strlen(ufrag);
	const uint8_t *username = NULL, *mi = NULL, *fp = NULL;
	uint16_t username_len = 0;
	uint8_t mac[20];

	memset(info, 0, sizeof(*info));
	if (len < STUN_HEADER || (req[0] & 0xc0) || get32(req + 4) != STUN_MAGIC ||
	    (size_t)get16(req + 2) + STUN_HEADER != len || (len & 3))
		return WRTC_STUN_MALFORMED;
	if (get16(req) != STUN_BINDING_REQUEST)
		return WRTC_STUN_NOT_REQUEST;
	while (at + 4 <= len) {
		uint16_t type = get16(req + at), alen = get16(req + at + 2);

		if (at + 4 + alen > len)
			return WRTC_STUN_MALFORMED;
		/* Section 15.4: attributes after MESSAGE-INTEGRITY other than
		 * FINGERPRINT are ignored. */
		if (mi && type != ATTR_FINGERPRINT) {
			at += 4 + ((alen + 3u) & ~3u);
			continue;
		}
		switch (type) {
		case ATTR_USERNAME:
			username = req + at + 4;
			username_len = alen;
			break;
		case ATTR_MESSAGE_INTEGRITY:
			if (alen != 20)
				return WRTC_STUN_MALFORMED;
			mi = req + at;
			break;
		case ATTR_FINGERPRINT:
			if (alen != 4)
				return WRTC_STUN_MALFORMED;
			fp = req + at;
			break;
		case ATTR_USE_CANDIDATE:
			info->use_candidate = 1;
			break;
		}
		at += 4 + ((alen + 3u) & ~3u);
	}
	if (fp && get32(fp + 4) != (crc32_v42(req, (size_t)(fp - req)) ^ FINGERPRINT_XOR))
		return WRTC_STUN_BAD_FINGERPRINT;
	if (!username || username_len <= ufrag_len || memcmp(username, ufrag, ufrag_len) ||
	    username[ufrag_len] != ':')
		return WRTC_STUN_BAD_USERNAME;
	if (!mi)
		return WRTC_STUN_BAD_INTEGRITY;
	integrity(req, (size_t)(mi - req), (uint16_t)(mi + 24 - req - STUN_HEADER), pwd, mac);
	if (memcmp(mac, mi + 4, 20))
		return WRTC_STUN_BAD_INTEGRITY;

	/* The response: header, XOR-MAPPED-ADDRESS (12), MESSAGE-INTEGRITY
	 * (24), FINGERPRINT (8). */
	uint8_t *p = out;
	put16(p, STUN_BINDING_SUCCESS);
	put32(p + 4, STUN_MAGIC);
	memcpy(p + 8, req + 8, 12);
	p += STUN_HEADER;
	put16(p, ATTR_XOR_MAPPED_ADDRESS);
	put16(p + 2, 8);
	p[4] = 0;
	p[5] = 0x01; /* IPv4 */
	put16(p + 6, (uint16_t)(ntohs(from->sin_port) ^ (STUN_MAGIC >> 16)));
	put32(p + 8, ntohl(from->sin_addr.s_addr) ^ STUN_MAGIC);
	p += 12;
	integrity(out, (size_t)(p - out), (uint16_t)(p + 24 - out - STUN_HEADER), pwd, mac);
	put16(p, ATTR_MESSAGE_INTEGRITY);
	put16(p + 2, 20);
	memcpy(p + 4, mac, 20);
	p += 24;
	put16(out + 2, (uint16_t)(p + 8 - out - STUN_HEADER));
	uint32_t crc = crc32_v42(out, (size_t)(p - out)) ^ FINGERPRINT_XOR;
	put16(p, ATTR_FINGERPRINT);
	put16(p + 2, 4);
	put32(p + 4, crc);
	p += 8;
	*out_len = (size_t)(p - out);
	return WRTC_STUN_ANSWERED;
}

const char *wrtc_stun_result_name(enum wrtc_stun_result r)
{
	switch (r) {
	case WRTC_STUN_ANSWERED: return "answered";
	case WRTC_STUN_NOT_REQUEST: return "not a request";
	case WRTC_STUN_MALFORMED: return "malformed";
	case WRTC_STUN_BAD_USERNAME: return "wrong USERNAME";
	case WRTC_STUN_BAD_INTEGRITY: return "wrong MESSAGE-INTEGRITY";
	case WRTC_STUN_BAD_FINGERPRINT: return "wrong FINGERPRINT";
	}
	return "?";
}
