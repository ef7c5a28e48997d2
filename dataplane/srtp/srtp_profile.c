/* SPDX-License-Identifier: BSD-3-Clause */
/* The SRTP protection profiles Strata implements. */
#include <string.h>

#include "srtp.h"

/*
 * RFC 4568 section 6.2 defines AES_CM_128_HMAC_SHA1_80 and _32: a 128-bit
 * master key, a 112-bit master salt, and an 80- or 32-bit SRTP tag; SRTCP
 * always carries an 80-bit tag ("the SRTCP authentication tag is 80 bits"
 * for AES_CM_128_HMAC_SHA1_32 too, section 6.2.2).  RFC 6188 section 6 adds
 * AES_256_CM_HMAC_SHA1_80 with a 256-bit key.  RFC 7714 section 12 defines
 * the AEAD profiles: 128- or 256-bit key, 96-bit salt, 16-octet tag.
 */
static const struct strata_srtp_profile profiles[STRATA_SRTP_PROFILE_COUNT] = {
	[STRATA_SRTP_AES_CM_128_HMAC_SHA1_80] = {
		.id = STRATA_SRTP_AES_CM_128_HMAC_SHA1_80,
		.name = "AES_CM_128_HMAC_SHA1_80",
		.key_len = 16, .salt_len = 14, .rtp_tag_len = 10, .rtcp_tag_len = 10,
	},
	[STRATA_SRTP_AES_CM_128_HMAC_SHA1_32] = {
		.id = STRATA_SRTP_AES_CM_128_HMAC_SHA1_32,
		.name = "AES_CM_128_HMAC_SHA1_32",
		.key_len = 16, .salt_len = 14, .rtp_tag_len = 4, .rtcp_tag_len = 10,
	},
	[STRATA_SRTP_AES_256_CM_HMAC_SHA1_80] = {
		.id = STRATA_SRTP_AES_256_CM_HMAC_SHA1_80,
		.name = "AES_256_CM_HMAC_SHA1_80",
		.key_len = 32, .salt_len = 14, .rtp_tag_len = 10, .rtcp_tag_len = 10,
	},
	[STRATA_SRTP_AEAD_AES_128_GCM] = {
		.id = STRATA_SRTP_AEAD_AES_128_GCM,
		.name = "AEAD_AES_128_GCM",
		.key_len = 16, .salt_len = 12, .rtp_tag_len = 16, .rtcp_tag_len = 16,
		.aead = true,
	},
	[STRATA_SRTP_AEAD_AES_256_GCM] = {
		.id = STRATA_SRTP_AEAD_AES_256_GCM,
		.name = "AEAD_AES_256_GCM",
		.key_len = 32, .salt_len = 12, .rtp_tag_len = 16, .rtcp_tag_len = 16,
		.aead = true,
	},
};

const struct strata_srtp_profile *strata_srtp_profile_get(enum strata_srtp_profile_id id)
{
	if ((unsigned)id <= STRATA_SRTP_PROFILE_NONE || (unsigned)id >= STRATA_SRTP_PROFILE_COUNT)
		return NULL;
	return &profiles[id];
}

const struct strata_srtp_profile *strata_srtp_profile_by_name(const char *name)
{
	for (unsigned i = STRATA_SRTP_PROFILE_NONE + 1; name && i < STRATA_SRTP_PROFILE_COUNT; i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}
