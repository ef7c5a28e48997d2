/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the SRTP fuzz target and its seed generator must agree on: the fixed
 * master keys and the layout of a fuzz input.  A seed that authenticates
 * only does so under these keys, so change them and the corpus together
 * (rerun gen_srtp_seeds, see there).
 *
 * A fuzz input is one selector byte followed by the packet bytes:
 *
 *   bits 0-2  profile: STRATA_SRTP_AES_CM_128_HMAC_SHA1_80 + (bits % 5)
 *   bit 3     SRTCP rather than SRTP
 *   bit 4     the profile's second policy: SRTCP unencrypted (E=0) and the
 *             smallest replay window, so REPLAY_OLD is close at hand
 *   bit 5     the stream's SSRC is not the first packet's (SSRC_MISMATCH)
 *   bit 6     several packets: each is a 2-byte big-endian length and that
 *             many bytes (fewer if the input ends first)
 *   bit 7     with bit 6, all packets go in one burst; without it, one call
 *             per packet, on the same stream
 */
#ifndef STRATA_FUZZ_KEYS_H
#define STRATA_FUZZ_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "srtp.h"

#define FUZZ_SEL_PROFILE 0x07u
#define FUZZ_SEL_RTCP 0x08u
#define FUZZ_SEL_POLICY2 0x10u
#define FUZZ_SEL_SSRC_MISMATCH 0x20u
#define FUZZ_SEL_MULTI 0x40u
#define FUZZ_SEL_BURST 0x80u

#define FUZZ_MAX_OPS 8
#define FUZZ_POLICY2_WINDOW STRATA_SRTP_WINDOW_MIN

/* Arbitrary but fixed; each profile uses the first key_len/salt_len bytes. */
static const uint8_t fuzz_master_key[STRATA_SRTP_MAX_KEY_LEN] = {
	0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c,
	0x06, 0xde, 0x41, 0x39, 0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb,
	0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6, 0x5d, 0x52,
};
static const uint8_t fuzz_master_salt[STRATA_SRTP_MAX_SALT_LEN] = {
	0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb,
	0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
};

static inline enum strata_srtp_profile_id fuzz_sel_profile(uint8_t sel)
{
	return (enum strata_srtp_profile_id)(STRATA_SRTP_AES_CM_128_HMAC_SHA1_80 +
					     (sel & FUZZ_SEL_PROFILE) % 5);
}

/* The policy a selector names; both programs create sessions from this. */
static inline struct strata_srtp_policy fuzz_policy(enum strata_srtp_profile_id profile,
						    bool policy2)
{
	struct strata_srtp_policy pol = {
		.profile = profile,
		.master_key = fuzz_master_key,
		.master_salt = fuzz_master_salt,
		.replay_window = policy2 ? FUZZ_POLICY2_WINDOW : 0,
		.rtcp_unencrypted = policy2,
	};
	return pol;
}

#endif /* STRATA_FUZZ_KEYS_H */
