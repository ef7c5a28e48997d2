/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Signaling messages for debug logs, without their secrets.  A join
 * carries an access token, joined and resumed carry SRTP master keys and a
 * resume token: none of them may reach a log file, where they would
 * outlive the call and let whoever reads the log join as the user or
 * decrypt the media.  Chat text is not a secret but is the users' own
 * words; logs get its length.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>

#include "sig_msg_priv.h"

#define REDACT_MAX_DEPTH 32

static bool contains_ci(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++)
		if (strncasecmp(s, word, n) == 0)
			return true;
	return false;
}

static bool secret_key(const char *key)
{
	return strcasecmp(key, "token") == 0 || strcasecmp(key, "resumeToken") == 0 ||
	       strcasecmp(key, "send") == 0 || strcasecmp(key, "recv") == 0 ||
	       contains_ci(key, "key") || contains_ci(key, "secret") ||
	       contains_ci(key, "password") || contains_ci(key, "token");
}

static void redact_tree(json_t *v)
{
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
			redact_tree(e);
		return;
	}
	if (!json_is_object(v))
		return;
	for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
		const char *key = json_object_iter_key(it);
		json_t *val = json_object_iter_value(it);
		char note[48];

		if (secret_key(key)) {
			json_object_iter_set_new(v, it, json_string("<redacted>"));
		} else if (strcmp(key, "text") == 0 && json_is_string(val)) {
			snprintf(note, sizeof(note), "<%zu bytes>", json_string_length(val));
			json_object_iter_set_new(v, it, json_string(note));
		} else {
			redact_tree(val);
		}
	}
}

/* Copies s into out, cutting with "..." when it does not fit. */
static size_t put(char *out, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (!cap)
		return 0;
	if (n < cap) {
		memcpy(out, s, n + 1);
		return n;
	}
	if (cap < 4) {
		out[0] = '\0';
		return 0;
	}
	memcpy(out, s, cap - 4);
	memcpy(out + cap - 4, "...", 4);
	return cap - 1;
}

size_t sig_redact(const char *text, size_t len, char *out, size_t cap)
{
	char note[64];
	json_t *root = NULL;
	char *s;
	size_t n;

	if (len <= STRATA_SIG_MAX_MESSAGE &&
	    sig_nesting_depth(text, len, REDACT_MAX_DEPTH) <= REDACT_MAX_DEPTH)
		root = json_loadb(text, len, 0, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		snprintf(note, sizeof(note), "<%zu bytes, not JSON>", len);
		return put(out, cap, note);
	}
	redact_tree(root);
	s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!s)
		return put(out, cap, "<out of memory>");
	n = put(out, cap, s);
	free(s);
	return n;
}

/* ---- parsed requests ---------------------------------------------------------- */

struct out {
	char *p;
	size_t cap, len;
};

static void add(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	o->len += (size_t)n;
	if (o->len >= o->cap) {
		o->len = o->cap - 1;
		if (o->cap >= 4)
			memcpy(o->p + o->cap - 4, "...", 4);
	}
}

static void describe_join(struct out *o, const struct sig_join *j)
{
	const char *sep = "";

	add(o, " resourceId=%s displayName=\"%s\" token=<redacted %zu bytes> codecs=",
	    j->resource_id, j->display_name, strlen(j->token));
	for (int c = 1; c < 32; c++)
		if (j->codecs & (1u << c) && sig_codec_name((enum strata_codec)c)) {
			add(o, "%s%s", sep, sig_codec_name((enum strata_codec)c));
			sep = ",";
		}
	add(o, " srtp=");
	for (unsigned i = 0; i < j->n_srtp_profiles; i++)
		add(o, "%s%s", i ? "," : "",
		    sig_srtp_profile_name((enum sig_srtp_profile)j->srtp_profiles[i]));
	add(o, " rtx=%d ext=%u/%u/%u", j->rtx, j->ext_audio_level, j->ext_transport_cc,
	    j->ext_dependency_descriptor);
	if (j->has_media) {
		char a[INET6_ADDRSTRLEN] = "?";
		inet_ntop(j->media.family == STRATA_AF_INET6 ? AF_INET6 : AF_INET, j->media.ip, a,
			  sizeof(a));
		add(o, " media=%s port %u", a, j->media.port);
	}
}

static void describe_publish(struct out *o, const struct sig_publish *p)
{
	for (unsigned i = 0; i < p->n_streams; i++) {
		const struct sig_stream *s = &p->streams[i];
		add(o, " [%s %s ssrc=%u pt=%u", sig_kind_name((enum strata_media_kind)s->kind),
		    sig_codec_name((enum strata_codec)s->codec), s->ssrc, s->pt);
		if (s->rtx_pt)
			add(o, " rtx=%u/%u", s->rtx_ssrc, s->rtx_pt);
		if (s->n_simulcast)
			add(o, " simulcast=%u", s->n_simulcast);
		if (s->kind == STRATA_MEDIA_VIDEO)
			add(o, " layers=%u/%u", s->spatial_layers, s->temporal_layers);
		add(o, "]");
	}
}

size_t sig_request_describe(const struct sig_request *req, char *out, size_t cap)
{
	struct out o = { out, cap, 0 };
	const char *name = sig_request_name(req->type);

	if (!cap)
		return 0;
	out[0] = '\0';
	add(&o, "%s id=%lld", name ? name : "?", (long long)req->id);
	switch (req->type) {
	case SIG_REQ_JOIN:
		describe_join(&o, &req->u.join);
		break;
	case SIG_REQ_RESUME:
		add(&o, " resumeToken=<redacted %zu bytes>", strlen(req->u.resume.resume_token));
		break;
	case SIG_REQ_PUBLISH:
		describe_publish(&o, &req->u.publish);
		break;
	case SIG_REQ_UNPUBLISH:
		add(&o, " streamId=%s", req->u.unpublish.stream_id);
		break;
	case SIG_REQ_PREFERENCES:
		add(&o, " maxVideoSources=%d sources=%u", req->u.preferences.max_video_sources,
		    req->u.preferences.n_sources);
		break;
	case SIG_REQ_CHAT:
		add(&o, " text=<%zu bytes>", req->u.chat.text_len);
		break;
	default:
		break;
	}
	return o.len;
}
