/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The assembled form of RTP protect, as the forwarder uses it: the
 * receiver's rewritten header and payload prefix are written into the
 * output buffer, the rest of the payload is read from the input packet,
 * and the engine encrypts both in one pass.  libsrtp2, an independent
 * implementation, must decrypt exactly header || prefix || rest, for every
 * profile, every prefix length 0..16 and payloads shorter than, equal to
 * and longer than one AES block (the prefix path encrypts the first block
 * itself and hands the rest to ipsec-mb).
 */
#include <srtp2/srtp.h>

#include "srtp.h"
#include "test_util.h"

static void libsrtp_policy(srtp_policy_t *pol, const struct strata_srtp_profile *p,
			   uint8_t *key_salt)
{
	memset(pol, 0, sizeof(*pol));
	switch (p->id) {
	case STRATA_SRTP_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtp);
		break;
	case STRATA_SRTP_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol->rtp);
		break;
	case STRATA_SRTP_AES_256_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&pol->rtp);
		break;
	case STRATA_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtp);
		break;
	default:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol->rtp);
		break;
	}
	pol->rtcp = pol->rtp;
	pol->key = key_salt;
	pol->ssrc.type = ssrc_any_inbound;
	pol->window_size = 1024;
}

/* One profile: `count` packets in bursts of 16, each with its own prefix. */
static void run_profile(struct strata_srtp_engine *e, const struct strata_srtp_profile *p,
			uint64_t *rng)
{
	enum { BURST = 16, MAXLEN = 1400 };
	uint8_t key_salt[46];
	for (size_t i = 0; i < sizeof(key_salt); i++)
		key_salt[i] = (uint8_t)test_rand(rng);

	static struct strata_srtp_session session;
	struct strata_srtp_policy sp = {.profile = p->id, .master_key = key_salt,
					.master_salt = key_salt + p->key_len};
	CHECK(strata_srtp_session_init(&session, e, &sp) == STRATA_SRTP_OK, "%s: init", p->name);
	struct strata_srtp_tx tx;
	strata_srtp_tx_init(&tx, 0xfeedf00d);

	srtp_policy_t pol;
	srtp_t in;
	libsrtp_policy(&pol, p, key_salt);
	CHECK(srtp_create(&in, &pol) == srtp_err_status_ok, "%s: srtp_create", p->name);

	static uint8_t input[BURST][MAXLEN], out[BURST][MAXLEN + 32], want[BURST][MAXLEN];
	struct strata_srtp_op ops[BURST];
	uint16_t seq = 65500;

	for (unsigned round = 0; round < 40; round++) {
		for (unsigned i = 0; i < BURST; i++) {
			/* The input: a 12-byte header and a payload of 0..80
			 * bytes (around one block) or up to 1200. */
			uint32_t plen = (round & 1) ? test_rand(rng) % 81 : test_rand(rng) % 1201;
			uint32_t prefix = test_rand(rng) % 17;
			if (prefix > plen)
				prefix = plen;
			for (uint32_t b = 0; b < 12 + plen; b++)
				input[i][b] = (uint8_t)test_rand(rng);
			/* The receiver's copy: its own header (SSRC, seq) and a
			 * rewritten prefix; the rest comes from the input. */
			want[i][0] = 0x80;
			want[i][1] = 96;
			want[i][2] = (uint8_t)(seq >> 8);
			want[i][3] = (uint8_t)seq;
			memcpy(want[i] + 4, input[i] + 4, 4);
			want[i][8] = 0xfe, want[i][9] = 0xed, want[i][10] = 0xf0, want[i][11] = 0x0d;
			for (uint32_t b = 0; b < prefix; b++)
				want[i][12 + b] = (uint8_t)test_rand(rng);
			memcpy(want[i] + 12 + prefix, input[i] + 12 + prefix, plen - prefix);
			memcpy(out[i], want[i], 12 + prefix);
			seq++;
			ops[i] = (struct strata_srtp_op){
				.session = &session, .tx = &tx, .src = NULL, .buf = out[i],
				.len = 12 + plen, .cap = sizeof(out[i]),
				.payload = input[i] + 12 + prefix, .prefix = prefix};
		}
		CHECK(strata_srtp_protect(e, ops, BURST) == BURST, "%s round %u: protect", p->name,
		      round);
		for (unsigned i = 0; i < BURST; i++) {
			int len = (int)ops[i].len;
			uint32_t plain = ops[i].len - p->rtp_tag_len;
			CHECK(ops[i].status == STRATA_SRTP_OK, "%s: status %s", p->name,
			      strata_srtp_status_name(ops[i].status));
			srtp_err_status_t r = srtp_unprotect(in, out[i], &len);
			CHECK(r == srtp_err_status_ok, "%s round %u op %u (prefix %u, len %u): libsrtp2 says %d",
			      p->name, round, i, ops[i].prefix, plain, r);
			CHECK(len == (int)plain, "%s: length %d, want %u", p->name, len, plain);
			if (r == srtp_err_status_ok)
				CHECK_MEM(out[i], want[i], plain, p->name);
		}
	}
	srtp_dealloc(in);
	strata_srtp_session_wipe(&session);
}

int main(void)
{
	uint64_t rng = 0x5eed0a55e4b1edull;
	struct strata_srtp_engine *e = strata_srtp_engine_create();

	srtp_init();
	CHECK(e != NULL, "engine");
	for (int id = STRATA_SRTP_PROFILE_NONE + 1; e && id < STRATA_SRTP_PROFILE_COUNT; id++)
		run_profile(e, strata_srtp_profile_get(id), &rng);

	/* The assembled form needs a payload pointer and a prefix of at most
	 * STRATA_SRTP_MAX_PREFIX bytes that fits the packet. */
	static struct strata_srtp_session s;
	uint8_t key[46] = {1}, buf[200] = {0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7};
	struct strata_srtp_policy sp = {.profile = STRATA_SRTP_AES_CM_128_HMAC_SHA1_80,
					.master_key = key, .master_salt = key + 16};
	struct strata_srtp_tx tx;
	strata_srtp_session_init(&s, e, &sp);
	strata_srtp_tx_init(&tx, 7);
	struct strata_srtp_op bad[] = {
		{.session = &s, .tx = &tx, .buf = buf, .len = 40, .cap = 200},
		{.session = &s, .tx = &tx, .buf = buf, .len = 40, .cap = 200, .payload = buf,
		 .prefix = 17},
		{.session = &s, .tx = &tx, .buf = buf, .len = 20, .cap = 200, .payload = buf,
		 .prefix = 9},
	};
	strata_srtp_protect(e, bad, 3);
	for (unsigned i = 0; i < 3; i++)
		CHECK(bad[i].status == STRATA_SRTP_BAD_PARAM, "bad op %u: %s", i,
		      strata_srtp_status_name(bad[i].status));
	strata_srtp_engine_destroy(e);
	return test_summary("srtp_assembled");
}
