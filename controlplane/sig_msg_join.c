/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The join request: token, resourceId, displayName, capabilities and the
 * optional media address.  The token is only shaped here (a string of at
 * most SIG_MAX_TOKEN bytes); token.c decides whether it is genuine.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>

#include "sig_msg_priv.h"

#define CODEC_NAME_MAX 32
#define PROFILE_NAME_MAX 32

static bool has_control_chars(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/* Each element a string of at most max bytes; calls take() for it. */
static int string_list(struct sig_pctx *p, json_t *arr, const char *path, size_t max,
		       void (*take)(struct sig_join *, const char *), struct sig_join *j)
{
	char ipath[SIG_PATH_LEN];
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		sig_path_index(ipath, path, i);
		if (!json_is_string(v))
			return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, ipath,
					"must be a string");
		if (json_string_length(v) > max)
			return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, ipath,
					"longer than %zu bytes", max);
		take(j, json_string_value(v));
	}
	return 0;
}

static void take_codec(struct sig_join *j, const char *name)
{
	int c = sig_codec_by_name(name);

	if (c)
		j->codecs |= 1u << c;
}

static void take_profile(struct sig_join *j, const char *name)
{
	enum sig_srtp_profile prof = sig_srtp_profile_by_name(name);

	if (prof == SIG_SRTP_NONE)
		return;
	for (unsigned i = 0; i < j->n_srtp_profiles; i++)
		if (j->srtp_profiles[i] == prof)
			return;
	j->srtp_profiles[j->n_srtp_profiles++] = (uint8_t)prof;
}

static int header_extensions(struct sig_pctx *p, json_t *caps, struct sig_join *j)
{
	static const struct {
		const char *key;
		size_t offset;
	} ext[] = {
		{ "audioLevel", offsetof(struct sig_join, ext_audio_level) },
		{ "transportCc", offsetof(struct sig_join, ext_transport_cc) },
		{ "dependencyDescriptor", offsetof(struct sig_join, ext_dependency_descriptor) },
	};
	json_t *he;
	int r = sig_get_object(p, caps, "capabilities", "headerExtensions", SIG_OPTIONAL, &he);

	if (r <= 0)
		return r;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		int64_t id;
		/* RFC 8285: one-byte headers carry ids 1..14, two-byte ones 1..255. */
		r = sig_get_int(p, he, "capabilities.headerExtensions", ext[i].key, SIG_OPTIONAL,
				1, 255, &id);
		if (r < 0)
			return -1;
		if (r > 0)
			*((uint8_t *)j + ext[i].offset) = (uint8_t)id;
	}
	return 0;
}

static int capabilities(struct sig_pctx *p, json_t *root, struct sig_join *j)
{
	json_t *caps, *arr;

	if (sig_get_object(p, root, "", "capabilities", SIG_REQUIRED, &caps) < 0)
		return -1;

	if (sig_get_array(p, caps, "capabilities", "codecs", SIG_REQUIRED, SIG_MAX_CODECS,
			  &arr) < 0 ||
	    string_list(p, arr, "capabilities.codecs", CODEC_NAME_MAX, take_codec, j) < 0)
		return -1;
	if (!j->codecs)
		return sig_fail(p, STRATA_SIG_ERR_UNSUPPORTED_MEDIA, "capabilities.codecs",
				"none of opus, VP8, VP9, H264, AV1");

	if (sig_get_array(p, caps, "capabilities", "srtpProfiles", SIG_REQUIRED,
			  SIG_MAX_SRTP_PROFILES, &arr) < 0 ||
	    string_list(p, arr, "capabilities.srtpProfiles", PROFILE_NAME_MAX, take_profile,
			j) < 0)
		return -1;
	if (!j->n_srtp_profiles)
		return sig_fail(p, STRATA_SIG_ERR_UNSUPPORTED_MEDIA, "capabilities.srtpProfiles",
				"no SRTP profile this router supports");

	if (sig_get_bool(p, caps, "capabilities", "rtx", SIG_OPTIONAL, &j->rtx) < 0)
		return -1;
	return header_extensions(p, caps, j);
}

static int media_address(struct sig_pctx *p, json_t *root, struct sig_join *j)
{
	char addr[INET6_ADDRSTRLEN];
	json_t *media;
	int64_t port;
	int r = sig_get_object(p, root, "", "media", SIG_OPTIONAL, &media);

	if (r <= 0)
		return r;
	if (sig_get_string(p, media, "media", "address", SIG_REQUIRED, 1, sizeof(addr) - 1,
			   addr, NULL) < 0 ||
	    sig_get_int(p, media, "media", "port", SIG_REQUIRED, 1, 65535, &port) < 0)
		return -1;
	memset(&j->media, 0, sizeof(j->media));
	if (inet_pton(AF_INET, addr, j->media.ip) == 1)
		j->media.family = STRATA_AF_INET;
	else if (inet_pton(AF_INET6, addr, j->media.ip) == 1)
		j->media.family = STRATA_AF_INET6;
	else
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, "media.address",
				"not an IPv4 or IPv6 address");
	j->media.port = (uint16_t)port;
	j->has_media = true;
	return 0;
}

int sig_parse_join(struct sig_pctx *p, json_t *root, struct sig_join *j)
{
	json_t *v;
	size_t n;

	memset(j, 0, sizeof(*j));

	/* Token and ResourceID: a wrong JSON type is a malformed message, a
	 * string of the wrong shape is the error vidyo.io clients handle. */
	v = sig_member(root, "token");
	if (v && json_is_string(v) &&
	    (json_string_length(v) == 0 || json_string_length(v) > SIG_MAX_TOKEN))
		return sig_fail(p, STRATA_SIG_ERR_INVALID_TOKEN, "token",
				json_string_length(v) ? "longer than 4096 bytes" : "empty");
	if (sig_get_string(p, root, "", "token", SIG_REQUIRED, 1, SIG_MAX_TOKEN, j->token,
			   NULL) < 0)
		return -1;

	v = sig_member(root, "resourceId");
	if (v && json_is_string(v) &&
	    !sig_resource_id_valid(json_string_value(v), json_string_length(v)))
		return sig_fail(p, STRATA_SIG_ERR_INVALID_RESOURCE_ID, "resourceId",
				"must be 1..128 bytes of letters, digits and ._:@-");
	if (sig_get_string(p, root, "", "resourceId", SIG_REQUIRED, 1, SIG_MAX_RESOURCE_ID,
			   j->resource_id, NULL) < 0)
		return -1;

	if (sig_get_string(p, root, "", "displayName", SIG_OPTIONAL, 0, SIG_MAX_DISPLAY_NAME,
			   j->display_name, &n) < 0)
		return -1;
	if (has_control_chars(j->display_name, n))
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, "displayName",
				"contains control characters");

	if (capabilities(p, root, j) < 0)
		return -1;
	return media_address(p, root, j);
}
