/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The signaling request parser (controlplane/sig_msg*.c) as tables:
 *
 *  1. the requests of signaling.h's example exchange, and their fields;
 *  2. every field of every request made wrong in every way: each other
 *     JSON type, and absent (or null) when it is required; each must be
 *     refused with MalformedMessage and a message naming the field's path;
 *  3. rows of values out of range, limits exactly at and one past, the
 *     errors with their own reasons (InvalidToken, InvalidResourceId,
 *     UnsupportedMedia, UnknownMessage), envelopes that are not JSON;
 *  4. unknown fields, at every level, are ignored.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sig_msg.h"
#include "srtp.h"
#include "test_util.h"

static struct sig_request req;
static struct sig_parse_error perr;

static int parse(const char *text)
{
	return sig_request_parse(text, strlen(text), &req, &perr);
}

/* ---- 1. good requests --------------------------------------------------------- */

#define JOIN_OK                                                                          \
	"{\"type\":\"join\",\"id\":1,\"token\":\"cHJvdmlzaW9uAGFsaWNl\","                 \
	"\"resourceId\":\"standup\",\"displayName\":\"Alice\","                          \
	"\"capabilities\":{\"codecs\":[\"VP8\",\"opus\"],"                               \
	"\"srtpProfiles\":[\"AEAD_AES_128_GCM\",\"AES_CM_128_HMAC_SHA1_80\"],"           \
	"\"rtx\":false,\"headerExtensions\":{\"audioLevel\":1,\"transportCc\":3,"        \
	"\"dependencyDescriptor\":12}},\"media\":{\"address\":\"192.0.2.1\",\"port\":50000}}"
#define RESUME_OK "{\"type\":\"resume\",\"id\":5,\"resumeToken\":\"r-9c41\"}"
#define PUBLISH_OK                                                                       \
	"{\"type\":\"publish\",\"id\":2,\"streams\":[{\"kind\":\"audio\",\"codec\":\"opus\"," \
	"\"ssrc\":1111,\"pt\":111,\"clockRate\":48000},{\"kind\":\"video\",\"codec\":\"VP8\"," \
	"\"ssrc\":2222,\"pt\":96,\"clockRate\":90000,\"rtxSsrc\":2223,\"rtxPt\":97,"         \
	"\"simulcast\":[{\"ssrc\":2222,\"rid\":\"lo\"},{\"ssrc\":2224,\"rid\":\"hi\"}],"      \
	"\"layers\":{\"spatial\":1,\"temporal\":3}}]}"
#define UNPUBLISH_OK "{\"type\":\"unpublish\",\"id\":6,\"streamId\":\"s-42\"}"
#define PREFS_OK                                                                         \
	"{\"type\":\"preferences\",\"id\":3,\"maxVideoSources\":4,"                      \
	"\"sources\":{\"s-11\":{\"maxSpatial\":0,\"maxTemporal\":0,\"maxHeight\":360}}}"
#define CHAT_OK "{\"type\":\"chat\",\"id\":4,\"text\":\"hello\"}"
#define KEEPALIVE_OK "{\"type\":\"keepalive\",\"id\":7}"
#define LEAVE_OK "{\"type\":\"leave\",\"id\":8}"

static void check_good(void)
{
	const struct sig_join *j = &req.u.join;
	const struct sig_publish *p = &req.u.publish;
	const struct sig_preferences *pr = &req.u.preferences;

	CHECK(parse(JOIN_OK) == 0, "join: %s", perr.message);
	CHECK(req.type == SIG_REQ_JOIN && req.id == 1, "join type/id");
	CHECK(strcmp(j->token, "cHJvdmlzaW9uAGFsaWNl") == 0, "join token");
	CHECK(strcmp(j->resource_id, "standup") == 0, "join resourceId");
	CHECK(strcmp(j->display_name, "Alice") == 0, "join displayName");
	CHECK(j->codecs == (1u << STRATA_CODEC_VP8 | 1u << STRATA_CODEC_OPUS), "join codecs %x",
	      j->codecs);
	CHECK(j->n_srtp_profiles == 2 && j->srtp_profiles[0] == SIG_SRTP_AEAD_AES_128_GCM &&
		      j->srtp_profiles[1] == SIG_SRTP_AES_CM_128_HMAC_SHA1_80,
	      "join srtp profiles in order");
	CHECK(!j->rtx && j->ext_audio_level == 1 && j->ext_transport_cc == 3 &&
		      j->ext_dependency_descriptor == 12,
	      "join rtx and extensions");
	CHECK(j->has_media && j->media.family == STRATA_AF_INET && j->media.port == 50000 &&
		      j->media.ip[0] == 192 && j->media.ip[3] == 1,
	      "join media");

	CHECK(parse("{\"type\":\"join\",\"id\":1,\"token\":\"t\",\"resourceId\":\"r\","
		    "\"capabilities\":{\"codecs\":[\"vp9\",\"x-unknown\",\"AV1\"],"
		    "\"srtpProfiles\":[\"NOPE\",\"AEAD_AES_256_GCM\",\"AEAD_AES_256_GCM\"]},"
		    "\"media\":{\"address\":\"2001:db8::7\",\"port\":1}}") == 0,
	      "join minimal: %s", perr.message);
	CHECK(j->codecs == (1u << STRATA_CODEC_VP9 | 1u << STRATA_CODEC_AV1) && !j->rtx &&
		      j->display_name[0] == '\0' && j->n_srtp_profiles == 1 &&
		      j->srtp_profiles[0] == SIG_SRTP_AEAD_AES_256_GCM,
	      "join: unknown names ignored, repeats dropped, codecs case-insensitive");
	CHECK(j->media.family == STRATA_AF_INET6 && j->media.ip[0] == 0x20 && j->media.port == 1,
	      "join IPv6 media");

	CHECK(parse(RESUME_OK) == 0 && req.type == SIG_REQ_RESUME &&
		      strcmp(req.u.resume.resume_token, "r-9c41") == 0,
	      "resume: %s", perr.message);

	CHECK(parse(PUBLISH_OK) == 0, "publish: %s", perr.message);
	CHECK(req.type == SIG_REQ_PUBLISH && p->n_streams == 2, "publish streams");
	CHECK(p->streams[0].kind == STRATA_MEDIA_AUDIO && p->streams[0].codec == STRATA_CODEC_OPUS &&
		      p->streams[0].ssrc == 1111 && p->streams[0].pt == 111 &&
		      p->streams[0].clock_rate == 48000 && p->streams[0].rtx_pt == 0 &&
		      p->streams[0].temporal_layers == 1,
	      "publish audio stream");
	CHECK(p->streams[1].kind == STRATA_MEDIA_VIDEO && p->streams[1].codec == STRATA_CODEC_VP8 &&
		      p->streams[1].ssrc == 2222 && p->streams[1].rtx_ssrc == 2223 &&
		      p->streams[1].rtx_pt == 97 && p->streams[1].n_simulcast == 2 &&
		      p->streams[1].simulcast[1].ssrc == 2224 &&
		      strcmp(p->streams[1].simulcast[0].rid, "lo") == 0 &&
		      p->streams[1].spatial_layers == 1 && p->streams[1].temporal_layers == 3,
	      "publish video stream");
	CHECK(parse("{\"type\":\"publish\",\"id\":2,\"streams\":[{\"kind\":\"video\","
		    "\"codec\":\"H264\",\"ssrc\":4294967295,\"pt\":127}]}") == 0 &&
		      p->streams[0].clock_rate == 90000 && p->streams[0].ssrc == 4294967295u,
	      "publish: default clock rate, largest SSRC: %s", perr.message);

	CHECK(parse(UNPUBLISH_OK) == 0 && strcmp(req.u.unpublish.stream_id, "s-42") == 0,
	      "unpublish: %s", perr.message);

	CHECK(parse(PREFS_OK) == 0, "preferences: %s", perr.message);
	CHECK(pr->max_video_sources == 4 && pr->has_sources && pr->n_sources == 1 &&
		      strcmp(pr->sources[0].stream_id, "s-11") == 0 &&
		      pr->sources[0].max_spatial == 0 && pr->sources[0].max_temporal == 0 &&
		      pr->sources[0].max_height == 360,
	      "preferences fields");
	CHECK(parse("{\"type\":\"preferences\",\"id\":3,\"sources\":{\"a\":{},\"b\":null}}") == 0 &&
		      pr->max_video_sources == -1 && pr->n_sources == 1 &&
		      pr->sources[0].max_spatial == -1 && pr->sources[0].max_height == -1,
	      "preferences: absent limits are -1, null entries skipped: %s", perr.message);

	CHECK(parse(CHAT_OK) == 0 && req.u.chat.text_len == 5 &&
		      strcmp(req.u.chat.text, "hello") == 0,
	      "chat: %s", perr.message);
	CHECK(parse(KEEPALIVE_OK) == 0 && req.type == SIG_REQ_KEEPALIVE && req.id == 7,
	      "keepalive");
	CHECK(parse(LEAVE_OK) == 0 && req.type == SIG_REQ_LEAVE && req.id == 8, "leave");
	CHECK(parse("{\"type\":\"keepalive\",\"id\":9007199254740991}") == 0 &&
		      req.id == 9007199254740991LL,
	      "the largest id");
	CHECK(parse("{\"type\":\"keepalive\",\"id\":0}") == 0, "id 0");
	/* Not NUL-terminated: the parser reads len bytes only. */
	{
		char buf[] = KEEPALIVE_OK "garbage";
		CHECK(sig_request_parse(buf, strlen(KEEPALIVE_OK), &req, &perr) == 0,
		      "length-bounded input: %s", perr.message);
	}
}

/* ---- 2. every field wrong in every way ------------------------------------------ */

enum jtype { J_STRING, J_INT, J_BOOL, J_ARRAY, J_OBJECT };

struct field {
	const char *base;   /* a good message */
	const char *path;   /* dotted, with [i]; the path the error must name */
	enum jtype type;
	bool required;
};

static const struct field fields[] = {
	{ JOIN_OK, "type", J_STRING, true },
	{ JOIN_OK, "id", J_INT, true },
	{ JOIN_OK, "token", J_STRING, true },
	{ JOIN_OK, "resourceId", J_STRING, true },
	{ JOIN_OK, "displayName", J_STRING, false },
	{ JOIN_OK, "capabilities", J_OBJECT, true },
	{ JOIN_OK, "capabilities.codecs", J_ARRAY, true },
	{ JOIN_OK, "capabilities.codecs[1]", J_STRING, true },
	{ JOIN_OK, "capabilities.srtpProfiles", J_ARRAY, true },
	{ JOIN_OK, "capabilities.srtpProfiles[0]", J_STRING, true },
	{ JOIN_OK, "capabilities.rtx", J_BOOL, false },
	{ JOIN_OK, "capabilities.headerExtensions", J_OBJECT, false },
	{ JOIN_OK, "capabilities.headerExtensions.audioLevel", J_INT, false },
	{ JOIN_OK, "capabilities.headerExtensions.transportCc", J_INT, false },
	{ JOIN_OK, "capabilities.headerExtensions.dependencyDescriptor", J_INT, false },
	{ JOIN_OK, "media", J_OBJECT, false },
	{ JOIN_OK, "media.address", J_STRING, true },
	{ JOIN_OK, "media.port", J_INT, true },
	{ RESUME_OK, "id", J_INT, true },
	{ RESUME_OK, "resumeToken", J_STRING, true },
	{ PUBLISH_OK, "streams", J_ARRAY, true },
	{ PUBLISH_OK, "streams[1]", J_OBJECT, true },
	{ PUBLISH_OK, "streams[0].kind", J_STRING, true },
	{ PUBLISH_OK, "streams[1].kind", J_STRING, true },
	{ PUBLISH_OK, "streams[0].codec", J_STRING, true },
	{ PUBLISH_OK, "streams[1].codec", J_STRING, true },
	{ PUBLISH_OK, "streams[0].ssrc", J_INT, true },
	{ PUBLISH_OK, "streams[1].ssrc", J_INT, true },
	{ PUBLISH_OK, "streams[0].pt", J_INT, true },
	{ PUBLISH_OK, "streams[1].pt", J_INT, true },
	{ PUBLISH_OK, "streams[0].clockRate", J_INT, false },
	{ PUBLISH_OK, "streams[1].clockRate", J_INT, false },
	/* rtxSsrc and rtxPt go together: absent alone is its own row below. */
	{ PUBLISH_OK, "streams[1].rtxSsrc", J_INT, true },
	{ PUBLISH_OK, "streams[1].rtxPt", J_INT, true },
	{ PUBLISH_OK, "streams[1].simulcast", J_ARRAY, false },
	{ PUBLISH_OK, "streams[1].simulcast[1]", J_OBJECT, true },
	{ PUBLISH_OK, "streams[1].simulcast[1].ssrc", J_INT, true },
	{ PUBLISH_OK, "streams[1].simulcast[0].rid", J_STRING, false },
	{ PUBLISH_OK, "streams[1].layers", J_OBJECT, false },
	{ PUBLISH_OK, "streams[1].layers.spatial", J_INT, false },
	{ PUBLISH_OK, "streams[1].layers.temporal", J_INT, false },
	{ UNPUBLISH_OK, "streamId", J_STRING, true },
	{ PREFS_OK, "maxVideoSources", J_INT, false },
	{ PREFS_OK, "sources", J_OBJECT, false },
	{ PREFS_OK, "sources.s-11", J_OBJECT, false },
	{ PREFS_OK, "sources.s-11.maxSpatial", J_INT, false },
	{ PREFS_OK, "sources.s-11.maxTemporal", J_INT, false },
	{ PREFS_OK, "sources.s-11.maxHeight", J_INT, false },
	{ CHAT_OK, "text", J_STRING, true },
	{ KEEPALIVE_OK, "id", J_INT, true },
	{ LEAVE_OK, "type", J_STRING, true },
};

/* The parent container of path's last step, and that step (a key, or an
 * index when *key is NULL).  Keys may contain '-' but not '.'. */
static json_t *walk(json_t *root, const char *path, char *key, size_t *index, bool *is_index)
{
	char buf[128];
	json_t *cur = root;
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	p = buf;
	for (;;) {
		size_t n = strcspn(p, ".[");
		char step[64];
		bool idx = false;
		size_t i = 0;

		if (n) {
			snprintf(step, sizeof(step), "%.*s", (int)n, p);
			p += n;
		} else if (*p == '[') {
			i = strtoul(p + 1, &p, 10);
			p++; /* ] */
			idx = true;
		}
		if (*p == '.')
			p++;
		if (!*p) {
			if (idx) {
				*is_index = true;
				*index = i;
			} else {
				*is_index = false;
				snprintf(key, 64, "%s", step);
			}
			return cur;
		}
		cur = idx ? json_array_get(cur, i) : json_object_get(cur, step);
		if (!cur)
			return NULL;
	}
}

/* base with the value at path replaced (NULL: removed), as text. */
static char *mutate(const char *base, const char *path, json_t *value)
{
	json_t *root = json_loads(base, 0, NULL), *parent;
	char key[64];
	size_t index;
	bool is_index;
	char *out;

	parent = walk(root, path, key, &index, &is_index);
	if (!parent) {
		fprintf(stderr, "bad test path %s\n", path);
		exit(2);
	}
	if (is_index) {
		if (value)
			json_array_set(parent, index, value);
		else
			json_array_remove(parent, index);
	} else if (value) {
		json_object_set(parent, key, value);
	} else {
		json_object_del(parent, key);
	}
	out = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return out;
}

static bool names_path(const char *message, const char *path)
{
	char want[160];

	snprintf(want, sizeof(want), ": %s: ", path);
	return strstr(message, want) != NULL;
}

static void check_fields(void)
{
	json_t *values[] = { json_string("x"), json_integer(7), json_real(1.5), json_true(),
			     json_array(), json_object() };
	const enum jtype value_type[] = { J_STRING, J_INT, J_INT, J_BOOL, J_ARRAY, J_OBJECT };
	const bool is_real[] = { false, false, true, false, false, false };

	for (size_t f = 0; f < ARRAY_LEN(fields); f++) {
		const struct field *fl = &fields[f];
		bool array_elem = fl->path[strlen(fl->path) - 1] == ']';

		for (size_t v = 0; v < ARRAY_LEN(values); v++) {
			char *text;
			int rc;

			if (value_type[v] == fl->type && !is_real[v])
				continue;
			text = mutate(fl->base, fl->path, values[v]);
			rc = parse(text);
			CHECK(rc < 0 && perr.reason == STRATA_SIG_ERR_MALFORMED_MESSAGE &&
				      (names_path(perr.message, fl->path) ||
				       /* a wrong "type" has no request name yet */
				       strcmp(fl->path, "type") == 0),
			      "%s = %s: rc %d reason %d message \"%s\"", fl->path,
			      json_dumps(values[v], JSON_ENCODE_ANY), rc, perr.reason, perr.message);
			free(text);
		}
		if (array_elem)
			continue;
		/* Absent, and null (which counts as absent). */
		for (int null = 0; null < 2; null++) {
			json_t *jn = json_null();
			char *text = mutate(fl->base, fl->path, null ? jn : NULL);
			int rc = parse(text);

			if (fl->required)
				CHECK(rc < 0 && perr.reason == STRATA_SIG_ERR_MALFORMED_MESSAGE &&
					      strstr(perr.message, fl->path) &&
					      strstr(perr.message, "missing"),
				      "%s %s: rc %d \"%s\"", fl->path, null ? "null" : "absent", rc,
				      perr.message);
			else
				CHECK(rc == 0, "optional %s %s: \"%s\"", fl->path,
				      null ? "null" : "absent", perr.message);
			json_decref(jn);
			free(text);
		}
	}
	for (size_t v = 0; v < ARRAY_LEN(values); v++)
		json_decref(values[v]);
}

/* ---- 3. values, limits, envelopes ----------------------------------------------- */

struct row {
	const char *name;
	const char *text;          /* NULL: built by the caller */
	int reason;                /* -1: accepted */
	const char *says;          /* a substring of the message */
};

#define E(x) STRATA_SIG_ERR_##x
#define J(caps_and_more)                                                                 \
	"{\"type\":\"join\",\"id\":1,\"token\":\"t\",\"resourceId\":\"r\"," caps_and_more "}"
#define CAPS "\"capabilities\":{\"codecs\":[\"VP8\"],\"srtpProfiles\":[\"AEAD_AES_128_GCM\"]}"
#define P(stream) "{\"type\":\"publish\",\"id\":2,\"streams\":[" stream "]}"
#define V(extra) "{\"kind\":\"video\",\"codec\":\"VP8\",\"ssrc\":10,\"pt\":96" extra "}"
#define A(extra) "{\"kind\":\"audio\",\"codec\":\"opus\",\"ssrc\":20,\"pt\":111" extra "}"
#define PR(body) "{\"type\":\"preferences\",\"id\":3," body "}"

static const struct row rows[] = {
	/* envelopes */
	{ "empty", "", E(MALFORMED_MESSAGE), "not JSON" },
	{ "garbage", "hello", E(MALFORMED_MESSAGE), "not JSON" },
	{ "truncated", "{\"type\":\"keepalive\",", E(MALFORMED_MESSAGE), "ends too early" },
	{ "trailing", "{\"type\":\"keepalive\",\"id\":1} {}", E(MALFORMED_MESSAGE),
	  "text after" },
	{ "array", "[1,2]", E(MALFORMED_MESSAGE), "not a JSON object" },
	{ "string", "\"join\"", E(MALFORMED_MESSAGE), "not" },
	{ "number", "1", E(MALFORMED_MESSAGE), "not" },
	{ "null", "null", E(MALFORMED_MESSAGE), "not" },
	{ "duplicate key", "{\"type\":\"keepalive\",\"id\":1,\"id\":2}", E(MALFORMED_MESSAGE),
	  "twice" },
	{ "NUL escape", "{\"type\":\"chat\",\"id\":1,\"text\":\"a\\u0000b\"}",
	  E(MALFORMED_MESSAGE), "NUL" },
	{ "bad UTF-8", "{\"type\":\"chat\",\"id\":1,\"text\":\"\xc3\x28\"}",
	  E(MALFORMED_MESSAGE), "UTF-8" },
	{ "lone surrogate", "{\"type\":\"chat\",\"id\":1,\"text\":\"\\ud800\"}",
	  E(MALFORMED_MESSAGE), "not JSON" },
	{ "huge number", "{\"type\":\"keepalive\",\"id\":123456789012345678901234567890}",
	  E(MALFORMED_MESSAGE), "range" },
	{ "nested 16", "{\"type\":\"keepalive\",\"id\":1,\"x\":[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]}",
	  -1, NULL },
	{ "nested 17",
	  "{\"type\":\"keepalive\",\"id\":1,\"x\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}",
	  E(MALFORMED_MESSAGE), "nested" },
	{ "brackets in strings do not nest",
	  "{\"type\":\"chat\",\"id\":1,\"text\":\"[[[[[[[[[[[[[[[[[[[[\\\"[[[[\"}", -1, NULL },
	/* type and id */
	{ "no type", "{\"id\":1}", E(MALFORMED_MESSAGE), "type: missing" },
	{ "unknown type", "{\"type\":\"joined\",\"id\":1}", E(UNKNOWN_MESSAGE), "type" },
	{ "type case", "{\"type\":\"Join\",\"id\":1}", E(UNKNOWN_MESSAGE), "type" },
	{ "type with NUL", "{\"type\":\"keepalive\\u0000x\",\"id\":1}", E(MALFORMED_MESSAGE),
	  "NUL" },
	{ "no id", "{\"type\":\"keepalive\"}", E(MALFORMED_MESSAGE), "id: missing" },
	{ "negative id", "{\"type\":\"keepalive\",\"id\":-1}", E(MALFORMED_MESSAGE), "id: " },
	{ "id 2^53", "{\"type\":\"keepalive\",\"id\":9007199254740992}", E(MALFORMED_MESSAGE),
	  "id: " },
	{ "id real", "{\"type\":\"keepalive\",\"id\":1.0}", E(MALFORMED_MESSAGE), "id: " },
	{ "unknown fields everywhere",
	  "{\"type\":\"join\",\"id\":1,\"x\":{\"y\":[1]},\"token\":\"t\",\"resourceId\":\"r\","
	  "\"capabilities\":{\"codecs\":[\"VP8\"],\"srtpProfiles\":[\"AEAD_AES_128_GCM\"],"
	  "\"future\":true,\"headerExtensions\":{\"mid\":4}},\"media\":{\"address\":\"::1\","
	  "\"port\":9,\"proto\":\"udp\"}}",
	  -1, NULL },
	/* join */
	{ "join ok", J(CAPS), -1, NULL },
	{ "empty token", "{\"type\":\"join\",\"id\":1,\"token\":\"\",\"resourceId\":\"r\"," CAPS "}",
	  E(INVALID_TOKEN), "token: empty" },
	{ "resourceId empty", "{\"type\":\"join\",\"id\":1,\"token\":\"t\",\"resourceId\":\"\"," CAPS "}",
	  E(INVALID_RESOURCE_ID), "resourceId" },
	{ "resourceId space",
	  "{\"type\":\"join\",\"id\":1,\"token\":\"t\",\"resourceId\":\"a b\"," CAPS "}",
	  E(INVALID_RESOURCE_ID), "resourceId" },
	{ "resourceId slash",
	  "{\"type\":\"join\",\"id\":1,\"token\":\"t\",\"resourceId\":\"a/b\"," CAPS "}",
	  E(INVALID_RESOURCE_ID), "resourceId" },
	{ "resourceId all allowed",
	  "{\"type\":\"join\",\"id\":1,\"token\":\"t\",\"resourceId\":\"aZ09._:@-\"," CAPS "}", -1,
	  NULL },
	{ "displayName control", J(CAPS ",\"displayName\":\"a\\nb\""), E(MALFORMED_MESSAGE),
	  "displayName: contains control" },
	{ "displayName UTF-8", J(CAPS ",\"displayName\":\"Zoë 王\""), -1, NULL },
	{ "no known codec",
	  J("\"capabilities\":{\"codecs\":[\"G711\"],\"srtpProfiles\":[\"AEAD_AES_128_GCM\"]}"),
	  E(UNSUPPORTED_MEDIA), "capabilities.codecs" },
	{ "no codecs",
	  J("\"capabilities\":{\"codecs\":[],\"srtpProfiles\":[\"AEAD_AES_128_GCM\"]}"),
	  E(UNSUPPORTED_MEDIA), "capabilities.codecs" },
	{ "no known profile",
	  J("\"capabilities\":{\"codecs\":[\"VP8\"],\"srtpProfiles\":[\"NULL_HMAC_SHA1_80\"]}"),
	  E(UNSUPPORTED_MEDIA), "capabilities.srtpProfiles" },
	{ "codec name too long",
	  J("\"capabilities\":{\"codecs\":[\"VP8\",\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"],"
	    "\"srtpProfiles\":[\"AEAD_AES_128_GCM\"]}"),
	  E(MALFORMED_MESSAGE), "capabilities.codecs[1]: longer than 32" },
	{ "extension id 0", J(CAPS ",\"x\":0"), -1, NULL },
	{ "extension id 0",
	  J("\"capabilities\":{\"codecs\":[\"VP8\"],\"srtpProfiles\":[\"AEAD_AES_128_GCM\"],"
	    "\"headerExtensions\":{\"audioLevel\":0}}"),
	  E(MALFORMED_MESSAGE), "capabilities.headerExtensions.audioLevel: must be an integer in 1..255" },
	{ "extension id 256",
	  J("\"capabilities\":{\"codecs\":[\"VP8\"],\"srtpProfiles\":[\"AEAD_AES_128_GCM\"],"
	    "\"headerExtensions\":{\"transportCc\":256}}"),
	  E(MALFORMED_MESSAGE), "capabilities.headerExtensions.transportCc" },
	{ "extension id 255",
	  J("\"capabilities\":{\"codecs\":[\"VP8\"],\"srtpProfiles\":[\"AEAD_AES_128_GCM\"],"
	    "\"headerExtensions\":{\"dependencyDescriptor\":255}}"),
	  -1, NULL },
	{ "media hostname", J(CAPS ",\"media\":{\"address\":\"example.com\",\"port\":1}"),
	  E(MALFORMED_MESSAGE), "media.address: not an IPv4 or IPv6" },
	{ "media port 0", J(CAPS ",\"media\":{\"address\":\"192.0.2.1\",\"port\":0}"),
	  E(MALFORMED_MESSAGE), "media.port: must be an integer in 1..65535" },
	{ "media port 65536", J(CAPS ",\"media\":{\"address\":\"192.0.2.1\",\"port\":65536}"),
	  E(MALFORMED_MESSAGE), "media.port" },
	{ "media address too long",
	  J(CAPS ",\"media\":{\"address\":\"0000:0000:0000:0000:0000:0000:255.255.255.2555\","
	    "\"port\":1}"),
	  E(MALFORMED_MESSAGE), "media.address: longer than" },
	/* resume */
	{ "resume empty", "{\"type\":\"resume\",\"id\":1,\"resumeToken\":\"\"}", E(INVALID_TOKEN),
	  "resumeToken: empty" },
	/* publish */
	{ "no streams", "{\"type\":\"publish\",\"id\":2,\"streams\":[]}", E(MALFORMED_MESSAGE),
	  "streams: empty" },
	{ "kind", P("{\"kind\":\"data\",\"codec\":\"VP8\",\"ssrc\":1,\"pt\":96}"),
	  E(MALFORMED_MESSAGE), "streams[0].kind: must be \"audio\" or \"video\"" },
	{ "kind long", P("{\"kind\":\"videovideo\",\"codec\":\"VP8\",\"ssrc\":1,\"pt\":96}"),
	  E(MALFORMED_MESSAGE), "streams[0].kind: must be" },
	{ "codec unknown", P("{\"kind\":\"video\",\"codec\":\"MPEG2\",\"ssrc\":1,\"pt\":96}"),
	  E(UNSUPPORTED_MEDIA), "streams[0].codec" },
	{ "audio VP8", P("{\"kind\":\"audio\",\"codec\":\"VP8\",\"ssrc\":1,\"pt\":96}"),
	  E(MALFORMED_MESSAGE), "streams[0].codec: not an audio codec" },
	{ "video opus", P("{\"kind\":\"video\",\"codec\":\"opus\",\"ssrc\":1,\"pt\":96}"),
	  E(MALFORMED_MESSAGE), "streams[0].codec: not a video codec" },
	{ "ssrc 0", P("{\"kind\":\"video\",\"codec\":\"VP8\",\"ssrc\":0,\"pt\":96}"),
	  E(MALFORMED_MESSAGE), "streams[0].ssrc: must be an integer in 1..4294967295" },
	{ "ssrc 2^32", P("{\"kind\":\"video\",\"codec\":\"VP8\",\"ssrc\":4294967296,\"pt\":96}"),
	  E(MALFORMED_MESSAGE), "streams[0].ssrc" },
	{ "pt 95", P("{\"kind\":\"video\",\"codec\":\"VP8\",\"ssrc\":1,\"pt\":95}"),
	  E(MALFORMED_MESSAGE), "streams[0].pt: must be an integer in 96..127" },
	{ "pt 128", P("{\"kind\":\"video\",\"codec\":\"VP8\",\"ssrc\":1,\"pt\":128}"),
	  E(MALFORMED_MESSAGE), "streams[0].pt" },
	{ "pt 72 (RTCP)", P("{\"kind\":\"video\",\"codec\":\"VP8\",\"ssrc\":1,\"pt\":72}"),
	  E(MALFORMED_MESSAGE), "streams[0].pt" },
	{ "opus clock 8000", P(A(",\"clockRate\":8000")), E(MALFORMED_MESSAGE),
	  "streams[0].clockRate: must be 48000" },
	{ "VP8 clock 48000", P(V(",\"clockRate\":48000")), E(MALFORMED_MESSAGE),
	  "streams[0].clockRate: must be 90000" },
	{ "rtxSsrc alone", P(V(",\"rtxSsrc\":11")), E(MALFORMED_MESSAGE),
	  "streams[0].rtxPt: missing" },
	{ "rtxPt alone", P(V(",\"rtxPt\":97")), E(MALFORMED_MESSAGE),
	  "streams[0].rtxSsrc: missing" },
	{ "rtxPt = pt", P(V(",\"rtxSsrc\":11,\"rtxPt\":96")), E(MALFORMED_MESSAGE),
	  "streams[0].rtxPt: must differ" },
	{ "rtx audio", P(A(",\"rtxSsrc\":21,\"rtxPt\":97")), E(MALFORMED_MESSAGE),
	  "video only" },
	{ "rtxSsrc = ssrc", P(V(",\"rtxSsrc\":10,\"rtxPt\":97")), E(MALFORMED_MESSAGE),
	  "streams[0].rtxSsrc: SSRC used twice" },
	{ "two streams one SSRC", P(V("") "," V("")), E(MALFORMED_MESSAGE),
	  "streams[1].ssrc: SSRC used twice" },
	{ "simulcast audio", P(A(",\"simulcast\":[{\"ssrc\":5}]")), E(MALFORMED_MESSAGE),
	  "streams[0].simulcast: simulcast is for video only" },
	{ "simulcast own ssrc once", P(V(",\"simulcast\":[{\"ssrc\":10},{\"ssrc\":11}]")), -1,
	  NULL },
	{ "simulcast own ssrc twice", P(V(",\"simulcast\":[{\"ssrc\":10},{\"ssrc\":10}]")),
	  E(MALFORMED_MESSAGE), "streams[0].simulcast[1].ssrc: SSRC used twice" },
	{ "simulcast = rtx", P(V(",\"rtxSsrc\":11,\"rtxPt\":97,\"simulcast\":[{\"ssrc\":11}]")),
	  E(MALFORMED_MESSAGE), "streams[0].simulcast[0].ssrc: SSRC used twice" },
	{ "simulcast other stream's ssrc",
	  P(A("") "," V(",\"simulcast\":[{\"ssrc\":20}]")), E(MALFORMED_MESSAGE),
	  "streams[1].simulcast[0].ssrc: SSRC used twice" },
	{ "rid chars", P(V(",\"simulcast\":[{\"ssrc\":11,\"rid\":\"a b\"}]")),
	  E(MALFORMED_MESSAGE), "streams[0].simulcast[0].rid: must be letters" },
	{ "rid 17", P(V(",\"simulcast\":[{\"ssrc\":11,\"rid\":\"aaaaaaaaaaaaaaaaa\"}]")),
	  E(MALFORMED_MESSAGE), "streams[0].simulcast[0].rid: longer than 16" },
	{ "rid 16", P(V(",\"simulcast\":[{\"ssrc\":11,\"rid\":\"aaaaaaaaaaaaaaaa\"}]")), -1,
	  NULL },
	{ "rid empty", P(V(",\"simulcast\":[{\"ssrc\":11,\"rid\":\"\"}]")),
	  E(MALFORMED_MESSAGE), "streams[0].simulcast[0].rid: empty" },
	{ "layers audio", P(A(",\"layers\":{\"temporal\":2}")), E(MALFORMED_MESSAGE),
	  "streams[0].layers: layers are for video only" },
	{ "temporal 0", P(V(",\"layers\":{\"temporal\":0}")), E(MALFORMED_MESSAGE),
	  "streams[0].layers.temporal: must be an integer in 1..4" },
	{ "temporal 5", P(V(",\"layers\":{\"temporal\":5}")), E(MALFORMED_MESSAGE),
	  "streams[0].layers.temporal" },
	{ "spatial 4", P(V(",\"layers\":{\"spatial\":4}")), -1, NULL },
	{ "spatial 5", P(V(",\"layers\":{\"spatial\":5}")), E(MALFORMED_MESSAGE),
	  "streams[0].layers.spatial" },
	/* unpublish */
	{ "streamId chars", "{\"type\":\"unpublish\",\"id\":1,\"streamId\":\"s 1\"}",
	  E(MALFORMED_MESSAGE), "streamId: not a stream id" },
	{ "streamId empty", "{\"type\":\"unpublish\",\"id\":1,\"streamId\":\"\"}",
	  E(MALFORMED_MESSAGE), "streamId: empty" },
	/* preferences */
	{ "prefs empty", PR("\"x\":1"), -1, NULL },
	{ "maxVideoSources 257", PR("\"maxVideoSources\":257"), E(MALFORMED_MESSAGE),
	  "maxVideoSources: must be an integer in 0..256" },
	{ "maxVideoSources 0", PR("\"maxVideoSources\":0"), -1, NULL },
	{ "source key", PR("\"sources\":{\"s 1\":{}}"), E(MALFORMED_MESSAGE),
	  "sources: a key is not a stream id" },
	{ "source key empty", PR("\"sources\":{\"\":{}}"), E(MALFORMED_MESSAGE),
	  "sources: a key" },
	{ "maxSpatial 4", PR("\"sources\":{\"s-1\":{\"maxSpatial\":4}}"), E(MALFORMED_MESSAGE),
	  "sources.s-1.maxSpatial: must be an integer in 0..3" },
	{ "maxTemporal -1", PR("\"sources\":{\"s-1\":{\"maxTemporal\":-1}}"),
	  E(MALFORMED_MESSAGE), "sources.s-1.maxTemporal" },
	{ "maxHeight 8193", PR("\"sources\":{\"s-1\":{\"maxHeight\":8193}}"),
	  E(MALFORMED_MESSAGE), "sources.s-1.maxHeight: must be an integer in 0..8192" },
	{ "maxHeight 0", PR("\"sources\":{\"s-1\":{\"maxHeight\":0}}"), -1, NULL },
	/* chat */
	{ "chat empty", "{\"type\":\"chat\",\"id\":1,\"text\":\"\"}", E(MALFORMED_MESSAGE),
	  "text: empty" },
};

static void check_rows(void)
{
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		const struct row *r = &rows[i];
		int rc = parse(r->text);

		if (r->reason < 0)
			CHECK(rc == 0, "%s: refused: %s", r->name, perr.message);
		else
			CHECK(rc < 0 && (int)perr.reason == r->reason && strstr(perr.message, r->says),
			      "%s: rc %d reason %s message \"%s\" (wanted %s \"%s\")", r->name, rc,
			      sig_error_name(perr.reason), perr.message,
			      sig_error_name((enum strata_sig_error)r->reason), r->says);
	}
}

/* Arrays and strings exactly at their limit and one past it. */
static void check_limits(void)
{
	char *buf = malloc(STRATA_SIG_MAX_MESSAGE + 64);
	size_t n;

	/* chat text: 4096 bytes, then 4097 */
	for (int extra = 0; extra < 2; extra++) {
		n = (size_t)sprintf(buf, "{\"type\":\"chat\",\"id\":1,\"text\":\"");
		memset(buf + n, 'a', SIG_MAX_CHAT + extra);
		n += SIG_MAX_CHAT + extra;
		strcpy(buf + n, "\"}");
		CHECK(extra ? parse(buf) < 0 && strstr(perr.message, "text: longer than 4096")
			    : parse(buf) == 0 && req.u.chat.text_len == SIG_MAX_CHAT,
		      "chat text of %d bytes: %s", SIG_MAX_CHAT + extra, perr.message);
	}
	/* displayName: 128, 129 (in UTF-8 bytes: 64 two-byte letters fit) */
	for (int extra = 0; extra < 2; extra++) {
		n = (size_t)sprintf(buf, J(CAPS ",\"displayName\":\""));
		n -= 1; /* drop J's closing brace */
		for (int k = 0; k < 64; k++)
			n += (size_t)sprintf(buf + n, "\xc3\xa9");
		if (extra)
			buf[n++] = 'x';
		strcpy(buf + n, "\"}");
		CHECK(extra ? parse(buf) < 0 && strstr(perr.message, "displayName: longer than 128")
			    : parse(buf) == 0 && strlen(req.u.join.display_name) == 128,
		      "displayName of %d bytes: %s", 128 + extra, perr.message);
	}
	/* token: 4096 bytes accepted, 4097 InvalidToken */
	for (int extra = 0; extra < 2; extra++) {
		n = (size_t)sprintf(buf, "{\"type\":\"join\",\"id\":1," CAPS ",\"resourceId\":\"r\",\"token\":\"");
		memset(buf + n, 'Q', SIG_MAX_TOKEN + extra);
		n += SIG_MAX_TOKEN + extra;
		strcpy(buf + n, "\"}");
		CHECK(extra ? parse(buf) < 0 && perr.reason == STRATA_SIG_ERR_INVALID_TOKEN &&
				      strstr(perr.message, "token: longer")
			    : parse(buf) == 0 && strlen(req.u.join.token) == SIG_MAX_TOKEN,
		      "token of %d bytes: %s", SIG_MAX_TOKEN + extra, perr.message);
	}
	/* resourceId 128 / 129 */
	for (int extra = 0; extra < 2; extra++) {
		n = (size_t)sprintf(buf, "{\"type\":\"join\",\"id\":1,\"token\":\"t\"," CAPS ",\"resourceId\":\"");
		memset(buf + n, 'r', SIG_MAX_RESOURCE_ID + extra);
		n += SIG_MAX_RESOURCE_ID + extra;
		strcpy(buf + n, "\"}");
		CHECK(extra ? parse(buf) < 0 && perr.reason == STRATA_SIG_ERR_INVALID_RESOURCE_ID
			    : parse(buf) == 0,
		      "resourceId of %d bytes: %s", SIG_MAX_RESOURCE_ID + extra, perr.message);
	}
	/* resumeToken 256 / 257 */
	for (int extra = 0; extra < 2; extra++) {
		n = (size_t)sprintf(buf, "{\"type\":\"resume\",\"id\":1,\"resumeToken\":\"");
		memset(buf + n, 'r', SIG_MAX_RESUME_TOKEN + extra);
		n += SIG_MAX_RESUME_TOKEN + extra;
		strcpy(buf + n, "\"}");
		CHECK(extra ? parse(buf) < 0 && perr.reason == STRATA_SIG_ERR_INVALID_TOKEN
			    : parse(buf) == 0,
		      "resumeToken of %d bytes: %s", SIG_MAX_RESUME_TOKEN + extra, perr.message);
	}
	/* streamId 64 / 65 */
	for (int extra = 0; extra < 2; extra++) {
		n = (size_t)sprintf(buf, "{\"type\":\"unpublish\",\"id\":1,\"streamId\":\"");
		memset(buf + n, 's', SIG_MAX_OBJECT_ID + extra);
		n += SIG_MAX_OBJECT_ID + extra;
		strcpy(buf + n, "\"}");
		CHECK(extra ? parse(buf) < 0 && strstr(perr.message, "streamId: longer than 64")
			    : parse(buf) == 0,
		      "streamId of %d bytes: %s", SIG_MAX_OBJECT_ID + extra, perr.message);
	}
	/* 16 streams, then 17 */
	for (int extra = 0; extra < 2; extra++) {
		n = (size_t)sprintf(buf, "{\"type\":\"publish\",\"id\":2,\"streams\":[");
		for (int s = 0; s < SIG_MAX_STREAMS + extra; s++)
			n += (size_t)sprintf(buf + n, "%s{\"kind\":\"video\",\"codec\":\"VP8\","
					     "\"ssrc\":%d,\"pt\":96}", s ? "," : "", 100 + s);
		strcpy(buf + n, "]}");
		CHECK(extra ? parse(buf) < 0 && strstr(perr.message, "streams: more than 16")
			    : parse(buf) == 0 && req.u.publish.n_streams == SIG_MAX_STREAMS,
		      "%d streams: %s", SIG_MAX_STREAMS + extra, perr.message);
	}
	/* 8 simulcast encodings, then 9 */
	for (int extra = 0; extra < 2; extra++) {
		n = (size_t)sprintf(buf, P("{\"kind\":\"video\",\"codec\":\"VP8\",\"ssrc\":1,"
					     "\"pt\":96,\"simulcast\":["));
		n -= 2; /* reopen the simulcast array */
		for (int e = 0; e < SIG_MAX_SIMULCAST + extra; e++)
			n += (size_t)sprintf(buf + n, "%s{\"ssrc\":%d}", e ? "," : "", 200 + e);
		strcpy(buf + n, "]}]}");
		CHECK(extra ? parse(buf) < 0 &&
				      strstr(perr.message, "streams[0].simulcast: more than 8")
			    : parse(buf) == 0 && req.u.publish.streams[0].n_simulcast == 8,
		      "%d encodings: %s", SIG_MAX_SIMULCAST + extra, perr.message);
	}
	/* 32 codec names, then 33 */
	for (int extra = 0; extra < 2; extra++) {
		n = (size_t)sprintf(buf, "{\"type\":\"join\",\"id\":1,\"token\":\"t\","
				    "\"resourceId\":\"r\",\"capabilities\":{\"srtpProfiles\":"
				    "[\"AEAD_AES_128_GCM\"],\"codecs\":[");
		for (int c = 0; c < SIG_MAX_CODECS + extra; c++)
			n += (size_t)sprintf(buf + n, "%s\"%s\"", c ? "," : "", c ? "x" : "VP8");
		strcpy(buf + n, "]}}");
		CHECK(extra ? parse(buf) < 0 &&
				      strstr(perr.message, "capabilities.codecs: more than 32")
			    : parse(buf) == 0,
		      "%d codecs: %s", SIG_MAX_CODECS + extra, perr.message);
	}
	/* 64 sources, then 65 */
	for (int extra = 0; extra < 2; extra++) {
		n = (size_t)sprintf(buf, "{\"type\":\"preferences\",\"id\":3,\"sources\":{");
		for (int s = 0; s < SIG_MAX_PREF_SOURCES + extra; s++)
			n += (size_t)sprintf(buf + n, "%s\"s-%d\":{\"maxTemporal\":1}", s ? "," : "", s);
		strcpy(buf + n, "}}");
		CHECK(extra ? parse(buf) < 0 && strstr(perr.message, "sources: more than 64")
			    : parse(buf) == 0 && req.u.preferences.n_sources == 64,
		      "%d sources: %s", SIG_MAX_PREF_SOURCES + extra, perr.message);
	}
	/* The whole message: STRATA_SIG_MAX_MESSAGE bytes parse (as far as
	 * size goes), one more is refused before JSON. */
	n = (size_t)sprintf(buf, "{\"type\":\"keepalive\",\"id\":1,\"pad\":\"");
	memset(buf + n, ' ', STRATA_SIG_MAX_MESSAGE - n - 2);
	memcpy(buf + STRATA_SIG_MAX_MESSAGE - 2, "\"}", 2);
	CHECK(sig_request_parse(buf, STRATA_SIG_MAX_MESSAGE, &req, &perr) == 0,
	      "a message of exactly the limit: %s", perr.message);
	buf[STRATA_SIG_MAX_MESSAGE] = ' ';
	CHECK(sig_request_parse(buf, STRATA_SIG_MAX_MESSAGE + 1, &req, &perr) < 0 &&
		      strstr(perr.message, "larger than 65536"),
	      "one byte over: %s", perr.message);
	free(buf);
}

/* The id is echoed in the error whenever the request had a good one. */
static void check_error_ids(void)
{
	CHECK(parse("{\"type\":\"chat\",\"id\":42,\"text\":7}") < 0 && perr.id == 42,
	      "error carries the id");
	CHECK(parse("{\"type\":\"nope\",\"id\":43}") < 0 && perr.id == 43 &&
		      perr.reason == STRATA_SIG_ERR_UNKNOWN_MESSAGE,
	      "unknown type carries the id");
	CHECK(parse("{\"type\":\"chat\",\"text\":\"x\"}") < 0 && perr.id == -1,
	      "no id, none echoed");
	CHECK(parse("{\"type\":\"chat\",\"id\":\"1\",\"text\":\"x\"}") < 0 && perr.id == -1,
	      "string id, none echoed");
	CHECK(parse("not json") < 0 && perr.id == -1, "not JSON: no id");
	/* Messages name fields, never quote values: a token stays out. */
	CHECK(parse("{\"type\":\"join\",\"id\":1,\"token\":\"SECRETSECRET\",\"resourceId\":7}") < 0 &&
		      !strstr(perr.message, "SECRET"),
	      "error message quotes no value: %s", perr.message);
	CHECK(parse("{\"type\":\"join\",\"id\":1,\"token\":\"SECRET\" \"x\"}") < 0 &&
		      !strstr(perr.message, "SECRET"),
	      "JSON error quotes no input: %s", perr.message);
}

static void check_names(void)
{
	for (int p = SIG_SRTP_NONE + 1; p < SIG_SRTP_PROFILE_COUNT; p++) {
		const char *name = sig_srtp_profile_name((enum sig_srtp_profile)p);
		const struct strata_srtp_profile *sp = name ? strata_srtp_profile_by_name(name) : NULL;
		CHECK(sp && (int)sp->id == p, "profile %d (%s) is the dataplane's", p, name);
		CHECK((int)sig_srtp_profile_by_name(name) == p, "profile %s round trip", name);
	}
	CHECK(sig_request_name(SIG_REQ_PREFERENCES) &&
		      strcmp(sig_answer_name(SIG_REQ_PREFERENCES), "preferences-set") == 0,
	      "answer names");
	CHECK(strcmp(sig_error_name(STRATA_SIG_ERR_RATE_LIMITED), "RateLimited") == 0 &&
		      !sig_error_name(STRATA_SIG_ERROR_COUNT),
	      "error names");
	CHECK(sig_resource_id_valid("a", 1) && !sig_resource_id_valid("", 0) &&
		      !sig_resource_id_valid("a\0b", 3),
	      "resource ids");
}

int main(void)
{
	check_good();
	check_fields();
	check_rows();
	check_limits();
	check_error_ids();
	check_names();
	return test_summary("cp_sig_msg");
}
