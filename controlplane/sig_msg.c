/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Request parsing: the envelope (one JSON object, "type", "id"), the field
 * readers, and the small requests (resume, unpublish, chat, keepalive,
 * leave).  join is in sig_msg_join.c, publish and preferences in
 * sig_msg_media.c.
 *
 * jansson does the JSON (RFC 8259): it validates UTF-8, refuses NUL in
 * strings and keys (no JSON_ALLOW_NUL), refuses integers that overflow
 * 64 bits, and, with JSON_REJECT_DUPLICATES, objects that name a key
 * twice.  Before it runs, a linear scan bounds the nesting depth, so a
 * deeply nested message costs neither stack nor memory.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sig_msg_priv.h"

static const char *const request_names[SIG_REQ_COUNT] = {
#define SIG_REQ_NAME(name, wire, answer) [SIG_REQ_##name] = wire,
	SIG_FOREACH_REQUEST(SIG_REQ_NAME)
#undef SIG_REQ_NAME
};

static const char *const answer_names[SIG_REQ_COUNT] = {
#define SIG_ANSWER_NAME(name, wire, answer) [SIG_REQ_##name] = answer,
	SIG_FOREACH_REQUEST(SIG_ANSWER_NAME)
#undef SIG_ANSWER_NAME
};

static const char *const error_names[STRATA_SIG_ERROR_COUNT] = {
#define SIG_ERROR_NAME(name, str) [STRATA_SIG_ERR_##name] = str,
	STRATA_SIG_FOREACH_ERROR(SIG_ERROR_NAME)
#undef SIG_ERROR_NAME
};

static const char *const profile_names[SIG_SRTP_PROFILE_COUNT] = {
#define SIG_SRTP_NAME(name, value) [value] = #name,
	SIG_FOREACH_SRTP_PROFILE(SIG_SRTP_NAME)
#undef SIG_SRTP_NAME
};

const char *sig_request_name(enum sig_req_type t)
{
	return t > SIG_REQ_NONE && t < SIG_REQ_COUNT ? request_names[t] : NULL;
}

const char *sig_answer_name(enum sig_req_type t)
{
	return t > SIG_REQ_NONE && t < SIG_REQ_COUNT ? answer_names[t] : NULL;
}

const char *sig_error_name(enum strata_sig_error e)
{
	return (unsigned)e < STRATA_SIG_ERROR_COUNT ? error_names[e] : NULL;
}

const char *sig_srtp_profile_name(enum sig_srtp_profile p)
{
	return p > SIG_SRTP_NONE && p < SIG_SRTP_PROFILE_COUNT ? profile_names[p] : NULL;
}

enum sig_srtp_profile sig_srtp_profile_by_name(const char *name)
{
	for (int p = SIG_SRTP_NONE + 1; p < SIG_SRTP_PROFILE_COUNT; p++)
		if (strcmp(name, profile_names[p]) == 0)
			return (enum sig_srtp_profile)p;
	return SIG_SRTP_NONE;
}

/* The names signaling.h spells; SDP's encoding names are case-insensitive
 * (RFC 4855 section 3), so "vp8" is VP8 too. */
static const char *const codec_names[] = {
	[STRATA_CODEC_OPUS] = "opus",
	[STRATA_CODEC_VP8] = "VP8",
	[STRATA_CODEC_VP9] = "VP9",
	[STRATA_CODEC_H264] = "H264",
	[STRATA_CODEC_AV1] = "AV1",
};

const char *sig_codec_name(enum strata_codec c)
{
	return (unsigned)c < sizeof(codec_names) / sizeof(codec_names[0]) ? codec_names[c] : NULL;
}

int sig_codec_by_name(const char *name)
{
	for (unsigned c = 1; c < sizeof(codec_names) / sizeof(codec_names[0]); c++)
		if (codec_names[c] && strcasecmp(name, codec_names[c]) == 0)
			return (int)c;
	return 0;
}

const char *sig_kind_name(enum strata_media_kind k)
{
	switch (k) {
	case STRATA_MEDIA_AUDIO:
		return "audio";
	case STRATA_MEDIA_VIDEO:
		return "video";
	}
	return NULL;
}

static bool id_chars(const char *s, size_t len, size_t max, const char *extra)
{
	if (len == 0 || len > max)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c != '\0' && strchr(extra, c))))
			return false;
	}
	return true;
}

bool sig_resource_id_valid(const char *s, size_t len)
{
	return id_chars(s, len, SIG_MAX_RESOURCE_ID, "._:@-");
}

bool sig_object_id_valid(const char *s, size_t len)
{
	return id_chars(s, len, SIG_MAX_OBJECT_ID, "._:-");
}

/* ---- field readers --------------------------------------------------------- */

int sig_fail(struct sig_pctx *p, enum strata_sig_error reason, const char *path,
	     const char *fmt, ...)
{
	char *m = p->err->message;
	size_t cap = sizeof(p->err->message), n;
	va_list ap;

	/* "REQUEST: PATH: what", cut at the buffer's end. */
	n = (size_t)snprintf(m, cap, "%s: ", p->req);
	if (path && path[0] && n < cap)
		n += (size_t)snprintf(m + n, cap - n, "%s: ", path);
	if (n < cap) {
		va_start(ap, fmt);
		vsnprintf(m + n, cap - n, fmt, ap);
		va_end(ap);
	}
	p->err->reason = reason;
	return -1;
}

void sig_path_key(char *out, const char *parent, const char *key)
{
	if (parent && parent[0])
		snprintf(out, SIG_PATH_LEN, "%s.%s", parent, key);
	else
		snprintf(out, SIG_PATH_LEN, "%s", key);
}

void sig_path_index(char *out, const char *parent, size_t i)
{
	snprintf(out, SIG_PATH_LEN, "%s[%zu]", parent, i);
}

json_t *sig_member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return v && !json_is_null(v) ? v : NULL;
}

/* The member, or 0 (absent, optional) / -1 (absent, required). */
static int member(struct sig_pctx *p, json_t *obj, const char *parent, const char *key,
		  int required, json_t **v, char *path)
{
	sig_path_key(path, parent, key);
	*v = sig_member(obj, key);
	if (*v)
		return 1;
	if (required)
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, path, "missing");
	return 0;
}

int sig_get_string(struct sig_pctx *p, json_t *obj, const char *parent, const char *key,
		   int required, size_t min, size_t max, char *dst, size_t *len)
{
	char path[SIG_PATH_LEN];
	json_t *v;
	int r = member(p, obj, parent, key, required, &v, path);

	if (r <= 0) {
		dst[0] = '\0';
		if (len)
			*len = 0;
		return r;
	}
	if (!json_is_string(v))
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, path, "must be a string");
	size_t n = json_string_length(v);
	if (n < min)
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, path, "empty");
	if (n > max)
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, path,
				"longer than %zu bytes", max);
	memcpy(dst, json_string_value(v), n);
	dst[n] = '\0';
	if (len)
		*len = n;
	return 1;
}

int sig_get_int(struct sig_pctx *p, json_t *obj, const char *parent, const char *key,
		int required, int64_t min, int64_t max, int64_t *out)
{
	char path[SIG_PATH_LEN];
	json_t *v;
	int r = member(p, obj, parent, key, required, &v, path);

	if (r <= 0)
		return r;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, path,
				"must be an integer in %lld..%lld", (long long)min,
				(long long)max);
	*out = json_integer_value(v);
	return 1;
}

int sig_get_bool(struct sig_pctx *p, json_t *obj, const char *parent, const char *key,
		 int required, bool *out)
{
	char path[SIG_PATH_LEN];
	json_t *v;
	int r = member(p, obj, parent, key, required, &v, path);

	if (r <= 0)
		return r;
	if (!json_is_boolean(v))
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, path,
				"must be true or false");
	*out = json_is_true(v);
	return 1;
}

int sig_get_object(struct sig_pctx *p, json_t *obj, const char *parent, const char *key,
		   int required, json_t **out)
{
	char path[SIG_PATH_LEN];
	int r = member(p, obj, parent, key, required, out, path);

	if (r <= 0)
		return r;
	if (!json_is_object(*out))
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, path, "must be an object");
	return 1;
}

int sig_get_array(struct sig_pctx *p, json_t *obj, const char *parent, const char *key,
		  int required, size_t max, json_t **out)
{
	char path[SIG_PATH_LEN];
	int r = member(p, obj, parent, key, required, out, path);

	if (r <= 0)
		return r;
	if (!json_is_array(*out))
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, path, "must be an array");
	if (json_array_size(*out) > max)
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, path,
				"more than %zu entries", max);
	return 1;
}

/* ---- the envelope ------------------------------------------------------------ */

/* Deepest [ or { nesting outside strings, stopping early past limit; the
 * input's JSON validity is jansson's to judge. */
unsigned sig_nesting_depth(const char *s, size_t len, unsigned limit)
{
	unsigned depth = 0, deepest = 0;
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > deepest && (deepest = depth) > limit)
				break;
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		}
	}
	return deepest;
}

/* A sentence per jansson failure, without the input (its text quotes it). */
static const char *json_failure(const json_error_t *e)
{
	switch (json_error_code(e)) {
	case json_error_invalid_utf8:
		return "not valid UTF-8";
	case json_error_premature_end_of_input:
		return "not JSON: the text ends too early";
	case json_error_end_of_input_expected:
		return "not JSON: text after the object";
	case json_error_null_character:
	case json_error_null_byte_in_key:
		return "not JSON: a NUL character";
	case json_error_duplicate_key:
		return "a key appears twice in one object";
	case json_error_numeric_overflow:
		return "a number is out of range";
	case json_error_stack_overflow:
		return "nested too deeply";
	case json_error_out_of_memory:
		return "out of memory";
	default:
		return "not JSON";
	}
}

static int parse_simple(struct sig_pctx *p, json_t *root, struct sig_request *req)
{
	switch (req->type) {
	case SIG_REQ_JOIN:
		return sig_parse_join(p, root, &req->u.join);
	case SIG_REQ_RESUME:
		if (sig_get_string(p, root, "", "resumeToken", SIG_REQUIRED, 0,
				   SIG_MAX_RESUME_TOKEN, req->u.resume.resume_token, NULL) < 0) {
			/* A resume token the router never issued is an invalid
			 * token, whatever its shape. */
			if (json_is_string(sig_member(root, "resumeToken")))
				p->err->reason = STRATA_SIG_ERR_INVALID_TOKEN;
			return -1;
		}
		if (req->u.resume.resume_token[0] == '\0')
			return sig_fail(p, STRATA_SIG_ERR_INVALID_TOKEN, "resumeToken", "empty");
		return 0;
	case SIG_REQ_PUBLISH:
		return sig_parse_publish(p, root, &req->u.publish);
	case SIG_REQ_UNPUBLISH: {
		size_t n;
		if (sig_get_string(p, root, "", "streamId", SIG_REQUIRED, 1, SIG_MAX_OBJECT_ID,
				   req->u.unpublish.stream_id, &n) < 0)
			return -1;
		if (!sig_object_id_valid(req->u.unpublish.stream_id, n))
			return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, "streamId",
					"not a stream id");
		return 0;
	}
	case SIG_REQ_PREFERENCES:
		return sig_parse_preferences(p, root, &req->u.preferences);
	case SIG_REQ_CHAT:
		return sig_get_string(p, root, "", "text", SIG_REQUIRED, 1, SIG_MAX_CHAT,
				      req->u.chat.text, &req->u.chat.text_len) < 0 ? -1 : 0;
	case SIG_REQ_KEEPALIVE:
	case SIG_REQ_LEAVE:
		return 0;
	default:
		return -1;
	}
}

int sig_request_parse(const char *text, size_t len, struct sig_request *req,
		      struct sig_parse_error *err)
{
	struct sig_pctx p = { .err = err, .req = "message" };
	json_error_t jerr;
	json_t *root, *v;
	int rc = -1;

	err->id = -1;
	err->message[0] = '\0';
	req->type = SIG_REQ_NONE;
	req->id = -1;

	if (len > STRATA_SIG_MAX_MESSAGE)
		return sig_fail(&p, STRATA_SIG_ERR_MALFORMED_MESSAGE, NULL,
				"larger than %d bytes", STRATA_SIG_MAX_MESSAGE);
	if (sig_nesting_depth(text, len, SIG_MAX_DEPTH) > SIG_MAX_DEPTH)
		return sig_fail(&p, STRATA_SIG_ERR_MALFORMED_MESSAGE, NULL,
				"nested more than %d deep", SIG_MAX_DEPTH);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return sig_fail(&p, STRATA_SIG_ERR_MALFORMED_MESSAGE, NULL, "%s",
				json_failure(&jerr));
	if (!json_is_object(root)) {
		sig_fail(&p, STRATA_SIG_ERR_MALFORMED_MESSAGE, NULL, "not a JSON object");
		goto out;
	}

	/* The id first, so every later error can answer the request. */
	v = sig_member(root, "id");
	if (v && json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= SIG_MAX_REQUEST_ID)
		err->id = req->id = json_integer_value(v);

	v = sig_member(root, "type");
	if (!v) {
		sig_fail(&p, STRATA_SIG_ERR_MALFORMED_MESSAGE, "type", "missing");
		goto out;
	}
	if (!json_is_string(v)) {
		sig_fail(&p, STRATA_SIG_ERR_MALFORMED_MESSAGE, "type", "must be a string");
		goto out;
	}
	for (int t = SIG_REQ_NONE + 1; t < SIG_REQ_COUNT; t++)
		if (strlen(request_names[t]) == json_string_length(v) &&
		    strcmp(request_names[t], json_string_value(v)) == 0)
			req->type = (enum sig_req_type)t;
	if (req->type == SIG_REQ_NONE) {
		sig_fail(&p, STRATA_SIG_ERR_UNKNOWN_MESSAGE, "type", "not a request this server knows");
		goto out;
	}
	p.req = request_names[req->type];

	if (req->id < 0) {
		int64_t id;
		if (sig_get_int(&p, root, "", "id", SIG_REQUIRED, 0, SIG_MAX_REQUEST_ID, &id) < 0)
			goto out;
	}
	if (parse_simple(&p, root, req) == 0)
		rc = 0;
out:
	json_decref(root);
	return rc;
}
