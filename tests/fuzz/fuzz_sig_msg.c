/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the signaling request parser and validator
 * (controlplane/sig_msg*.c) on arbitrary bytes, as a WebSocket message
 * delivers them.
 *
 * The input is copied into a heap buffer of exactly its length (ASan
 * sees any read past it; the parser must not need a NUL).  Then:
 *
 *  - sig_request_parse either accepts it, and every promise of sig_msg.h
 *    holds: a known type, an id in [0, 2^53-1], every string within its
 *    bound and NUL-terminated, every count within its array, codes and
 *    kinds known, payload types dynamic, SSRCs nonzero and distinct
 *    within the request (a stream's own SSRC once among its encodings),
 *    layers and preference limits in range;
 *  - or refuses it with a known reason, a NUL-terminated message that
 *    begins with the request's name (or "message"), and an id that is -1
 *    or what the input carried;
 *  - the redacting printer and the describer always terminate their
 *    output within the buffer, print "<N bytes, not JSON>" for what is
 *    not an object, and never let a token of the parsed request through.
 *
 * Any broken promise abort()s.
 *
 * Seeds (corpus/sig_msg/): every request of signaling.h's example
 * exchange, the limits (16 streams, 8 encodings, 64 sources), and
 * near-misses (duplicate keys, deep nesting, a NUL escape, bad UTF-8).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_invariant.h"
#include "sig_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool bounded(const char *s, size_t max)
{
	return memchr(s, '\0', max + 1) != NULL;
}

static bool pt_dynamic(unsigned pt)
{
	return pt >= 96 && pt <= 127;
}

static void check_join(const struct sig_join *j)
{
	INVARIANT(bounded(j->token, SIG_MAX_TOKEN) && j->token[0]);
	INVARIANT(bounded(j->resource_id, SIG_MAX_RESOURCE_ID));
	INVARIANT(sig_resource_id_valid(j->resource_id, strlen(j->resource_id)));
	INVARIANT(bounded(j->display_name, SIG_MAX_DISPLAY_NAME));
	for (const char *c = j->display_name; *c; c++)
		INVARIANT((unsigned char)*c >= 0x20 && *c != 0x7f);
	INVARIANT(j->codecs && !(j->codecs & ~(uint32_t)0x3e));
	INVARIANT(j->n_srtp_profiles >= 1 && j->n_srtp_profiles < SIG_SRTP_PROFILE_COUNT);
	for (unsigned i = 0; i < j->n_srtp_profiles; i++) {
		INVARIANT(sig_srtp_profile_name((enum sig_srtp_profile)j->srtp_profiles[i]));
		for (unsigned k = 0; k < i; k++)
			INVARIANT(j->srtp_profiles[k] != j->srtp_profiles[i]);
	}
	if (j->has_media)
		INVARIANT((j->media.family == STRATA_AF_INET || j->media.family == STRATA_AF_INET6) &&
			  j->media.port);
}

static void check_publish(const struct sig_publish *p)
{
	uint32_t seen[SIG_MAX_STREAMS * (2 + SIG_MAX_SIMULCAST)];
	size_t n = 0;

	INVARIANT(p->n_streams >= 1 && p->n_streams <= SIG_MAX_STREAMS);
	for (unsigned i = 0; i < p->n_streams; i++) {
		const struct sig_stream *s = &p->streams[i];
		bool video = s->kind == STRATA_MEDIA_VIDEO;

		INVARIANT(s->kind == STRATA_MEDIA_AUDIO || video);
		INVARIANT(sig_codec_name((enum strata_codec)s->codec));
		INVARIANT(video == (s->codec != STRATA_CODEC_OPUS));
		INVARIANT(s->ssrc && pt_dynamic(s->pt));
		INVARIANT(s->clock_rate == (video ? 90000u : 48000u));
		INVARIANT((s->rtx_pt == 0) == (s->rtx_ssrc == 0));
		if (s->rtx_pt)
			INVARIANT(video && pt_dynamic(s->rtx_pt) && s->rtx_pt != s->pt);
		INVARIANT(s->spatial_layers >= 1 && s->spatial_layers <= SIG_MAX_SPATIAL);
		INVARIANT(s->temporal_layers >= 1 && s->temporal_layers <= SIG_MAX_TEMPORAL);
		INVARIANT(s->n_simulcast <= SIG_MAX_SIMULCAST && (video || !s->n_simulcast));
		if (!video)
			INVARIANT(s->spatial_layers == 1 && s->temporal_layers == 1);

		/* Distinct SSRCs; a stream's own once more among its encodings. */
		for (size_t k = 0; k < n; k++)
			INVARIANT(seen[k] != s->ssrc);
		seen[n++] = s->ssrc;
		if (s->rtx_ssrc) {
			for (size_t k = 0; k < n; k++)
				INVARIANT(seen[k] != s->rtx_ssrc);
			seen[n++] = s->rtx_ssrc;
		}
		unsigned own = 0;
		for (unsigned e = 0; e < s->n_simulcast; e++) {
			const struct sig_simulcast *enc = &s->simulcast[e];
			INVARIANT(enc->ssrc && bounded(enc->rid, SIG_MAX_RID));
			if (enc->ssrc == s->ssrc) {
				INVARIANT(++own == 1);
				continue;
			}
			for (size_t k = 0; k < n; k++)
				INVARIANT(seen[k] != enc->ssrc);
			seen[n++] = enc->ssrc;
		}
	}
}

static void check_preferences(const struct sig_preferences *pr)
{
	INVARIANT(pr->max_video_sources >= -1 && pr->max_video_sources <= SIG_MAX_VIDEO_SOURCES);
	INVARIANT(pr->n_sources <= SIG_MAX_PREF_SOURCES && (pr->has_sources || !pr->n_sources));
	for (unsigned i = 0; i < pr->n_sources; i++) {
		const struct sig_source_pref *s = &pr->sources[i];
		INVARIANT(bounded(s->stream_id, SIG_MAX_OBJECT_ID));
		INVARIANT(sig_object_id_valid(s->stream_id, strlen(s->stream_id)));
		INVARIANT(s->max_spatial >= -1 && s->max_spatial < SIG_MAX_SPATIAL);
		INVARIANT(s->max_temporal >= -1 && s->max_temporal < SIG_MAX_TEMPORAL);
		INVARIANT(s->max_height >= -1 && s->max_height <= SIG_MAX_HEIGHT);
	}
}

static void check_accepted(const struct sig_request *r)
{
	INVARIANT(sig_request_name(r->type) && r->id >= 0 && r->id <= SIG_MAX_REQUEST_ID);
	switch (r->type) {
	case SIG_REQ_JOIN:
		check_join(&r->u.join);
		break;
	case SIG_REQ_RESUME:
		INVARIANT(bounded(r->u.resume.resume_token, SIG_MAX_RESUME_TOKEN) &&
			  r->u.resume.resume_token[0]);
		break;
	case SIG_REQ_PUBLISH:
		check_publish(&r->u.publish);
		break;
	case SIG_REQ_UNPUBLISH:
		INVARIANT(bounded(r->u.unpublish.stream_id, SIG_MAX_OBJECT_ID));
		INVARIANT(sig_object_id_valid(r->u.unpublish.stream_id,
					      strlen(r->u.unpublish.stream_id)));
		break;
	case SIG_REQ_PREFERENCES:
		check_preferences(&r->u.preferences);
		break;
	case SIG_REQ_CHAT:
		INVARIANT(r->u.chat.text_len >= 1 && r->u.chat.text_len <= SIG_MAX_CHAT);
		INVARIANT(strlen(r->u.chat.text) == r->u.chat.text_len);
		break;
	default:
		break;
	}
}

static void check_refused(const struct sig_parse_error *e)
{
	size_t n = strnlen(e->message, sizeof(e->message));

	INVARIANT(sig_error_name(e->reason));
	INVARIANT(n > 0 && n < sizeof(e->message));
	INVARIANT(e->id >= -1 && e->id <= SIG_MAX_REQUEST_ID);
	/* "REQUEST: ..." or "message: ..." */
	const char *colon = strchr(e->message, ':');
	INVARIANT(colon);
	if (strncmp(e->message, "message", (size_t)(colon - e->message)) != 0) {
		bool known = false;
		for (int t = SIG_REQ_NONE + 1; t < SIG_REQ_COUNT; t++)
			if (strlen(sig_request_name((enum sig_req_type)t)) ==
				    (size_t)(colon - e->message) &&
			    strncmp(e->message, sig_request_name((enum sig_req_type)t),
				    (size_t)(colon - e->message)) == 0)
				known = true;
		INVARIANT(known);
	}
}

/* A secret can be checked for in the printers' output only when nothing
 * else in the input spells it: it appears once, and there are no escapes
 * that could spell it another way. */
static bool secret_checkable(const char *text, size_t size, const char *secret)
{
	size_t len = strlen(secret), count = 0;

	if (len < 8 || memchr(text, '\\', size))
		return false;
	for (size_t i = 0; i + len <= size; i++)
		if (memcmp(text + i, secret, len) == 0)
			count++;
	return count == 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sig_request req;
	static struct sig_parse_error err;
	static char out[512], small[8];
	char *text = malloc(size ? size : 1);
	size_t n;

	if (!text)
		return 0;
	memcpy(text, data, size);
	if (sig_request_parse(text, size, &req, &err) == 0) {
		const char *secret = req.type == SIG_REQ_JOIN ? req.u.join.token
				     : req.type == SIG_REQ_RESUME ? req.u.resume.resume_token
								  : NULL;
		bool checkable = secret && secret_checkable(text, size, secret);

		check_accepted(&req);
		n = sig_request_describe(&req, out, sizeof(out));
		INVARIANT(n < sizeof(out) && out[n] == '\0');
		INVARIANT(!checkable || !strstr(out, secret));
		n = sig_redact(text, size, out, sizeof(out));
		INVARIANT(n < sizeof(out) && out[n] == '\0');
		INVARIANT(!checkable || !strstr(out, secret));
	} else {
		check_refused(&err);
		n = sig_redact(text, size, out, sizeof(out));
		INVARIANT(n < sizeof(out) && out[n] == '\0');
	}
	n = sig_redact(text, size, small, sizeof(small));
	INVARIANT(n < sizeof(small) && small[n] == '\0');
	free(text);
	return 0;
}
