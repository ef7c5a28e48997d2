/* SPDX-License-Identifier: BSD-3-Clause */
/* The SRTP tests' shared fixture: see srtp_fixture.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtp_header.h"
#include "srtp_fixture.h"
#include "test_util.h"

const struct strata_srtp_profile *fx_profile(unsigned k)
{
	return strata_srtp_profile_get((enum strata_srtp_profile_id)(STRATA_SRTP_PROFILE_NONE + 1 +
								     k));
}

uint32_t fx_grow(const struct strata_srtp_profile *p, bool rtcp)
{
	return rtcp ? STRATA_SRTCP_TRAILER_LEN + p->rtcp_tag_len : p->rtp_tag_len;
}

uint32_t fx_last_tag_byte(const struct strata_srtp_profile *p, bool rtcp, uint32_t len)
{
	return rtcp && p->aead ? len - STRATA_SRTCP_TRAILER_LEN - 1 : len - 1;
}

uint32_t fx_srtcp_word_at(const struct strata_srtp_profile *p, uint32_t len)
{
	return p->aead ? len - STRATA_SRTCP_TRAILER_LEN
		       : len - STRATA_SRTCP_TRAILER_LEN - p->rtcp_tag_len;
}

/* RFC 3711 B.3's master key, lengthened to 256 bits, and its salt. */
static const uint8_t master_key[STRATA_SRTP_MAX_KEY_LEN] = {
	0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39,
	0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6, 0xc1, 0x73,
};
static const uint8_t master_salt[STRATA_SRTP_MAX_SALT_LEN] = {
	0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
};

struct strata_srtp_policy fx_policy(enum strata_srtp_profile_id id)
{
	return (struct strata_srtp_policy){
		.profile = id, .master_key = master_key, .master_salt = master_salt,
	};
}

struct strata_srtp_engine *fx_engine(void)
{
	struct strata_srtp_engine *e = strata_srtp_engine_create();

	if (e == NULL) {
		fprintf(stderr, "strata_srtp_engine_create failed\n");
		exit(2);
	}
	return e;
}

int fx_main_profiles(const char *name, fx_profile_test *const *tests, size_t n)
{
	struct strata_srtp_engine *e = fx_engine();

	for (unsigned k = 0; k < FX_PROFILES; k++)
		for (size_t t = 0; t < n; t++)
			tests[t](e, fx_profile(k)->id);
	strata_srtp_engine_destroy(e);
	return test_summary(name);
}

enum strata_srtp_direction fx_dir(bool rtcp, bool protect)
{
	if (rtcp)
		return protect ? STRATA_SRTP_RTCP_PROTECT : STRATA_SRTP_RTCP_UNPROTECT;
	return protect ? STRATA_SRTP_RTP_PROTECT : STRATA_SRTP_RTP_UNPROTECT;
}

const char *const fx_dir_names[STRATA_SRTP_DIRECTION_COUNT] = {
	"rtp protect", "rtp unprotect", "rtcp protect", "rtcp unprotect",
};

unsigned fx_burst(struct strata_srtp_engine *e, enum strata_srtp_direction d,
		  struct strata_srtp_op *ops, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		ops[i].status = -1;
	switch (d) {
	case STRATA_SRTP_RTP_PROTECT: return strata_srtp_protect(e, ops, n);
	case STRATA_SRTP_RTP_UNPROTECT: return strata_srtp_unprotect(e, ops, n);
	case STRATA_SRTP_RTCP_PROTECT: return strata_srtcp_protect(e, ops, n);
	default: return strata_srtcp_unprotect(e, ops, n);
	}
}

struct strata_srtp_op fx_op_protect(struct strata_srtp_session *s, struct strata_srtp_tx *tx,
				    const uint8_t *src, uint8_t *buf, uint32_t len, uint32_t cap)
{
	return (struct strata_srtp_op){
		.session = s, .tx = tx, .src = src, .buf = buf, .len = len, .cap = cap,
	};
}

struct strata_srtp_op fx_op_unprotect(struct strata_srtp_session *s, struct strata_srtp_rx *rx,
				      uint8_t *buf, uint32_t len)
{
	return (struct strata_srtp_op){ .session = s, .rx = rx, .buf = buf, .len = len, .cap = len };
}

void fx_fill(uint8_t *p, uint32_t n, uint8_t first)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(first + i);
}

void fx_rtp_header(uint8_t *p, uint8_t b0, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc)
{
	p[0] = b0;
	p[1] = pt;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	strata_put_be32(p + 4, ts);
	strata_put_be32(p + 8, ssrc);
}

uint32_t fx_rtp(uint8_t *p, uint16_t seq, uint32_t ts, uint32_t ssrc, uint32_t payload,
		uint8_t fill)
{
	fx_rtp_header(p, 0x80, 96, seq, ts, ssrc);
	fx_fill(p + STRATA_RTP_FIXED_HEADER_LEN, payload, fill);
	return STRATA_RTP_FIXED_HEADER_LEN + payload;
}

uint32_t fx_rtcp(uint8_t *p, uint32_t ssrc, uint32_t body, uint8_t fill)
{
	p[0] = 0x80;
	p[1] = body ? 200 : 201;
	p[2] = 0;
	p[3] = (uint8_t)((8 + body) / 4 - 1);
	strata_put_be32(p + 4, ssrc);
	fx_fill(p + STRATA_RTCP_FIXED_HEADER_LEN, body, fill);
	return STRATA_RTCP_FIXED_HEADER_LEN + body;
}

void *fx_xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL && n == 0)
		p = malloc(1);
	if (p == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

uint8_t *fx_exact(const uint8_t *p, uint32_t len)
{
	uint8_t *b = fx_xmalloc(len);

	if (len)
		memcpy(b, p, len);
	return b;
}

void *fx_zalloc64(size_t n)
{
	void *p = aligned_alloc(64, n);

	if (p == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memset(p, 0, n);
	return p;
}

const char *fx_label(const char *fmt, ...)
{
	static char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}
