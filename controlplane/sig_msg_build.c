/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Server messages: answers and events as compact, single-line JSON.
 *
 * jansson builds everything except the SRTP master keys of "joined" and
 * "resumed": jansson copies strings into its own heap blocks and frees
 * them without wiping, so the media object, which carries the keys, is
 * appended by hand into the one buffer the caller gets back, and the
 * base64 scratch is wiped.  sig_json_free wipes that buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "sig_msg.h"

#define MEDIA_KEY_MAX 64  /* bytes of key || salt: 32 + 14 at most */

void sig_json_free(char *json)
{
	if (!json)
		return;
	explicit_bzero(json, strlen(json));
	free(json);
}

/* Takes a reference to obj: dumps it compactly, or NULL. */
static char *dump(json_t *obj)
{
	char *s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;

	json_decref(obj);
	return s;
}

static json_t *typed(const char *type, int64_t id)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (json_object_set_new(o, "type", json_string(type)) < 0 ||
	    (id >= 0 && json_object_set_new(o, "id", json_integer(id)) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Sets key to a copy of s; fails on NULL or on invalid UTF-8. */
static int set_str(json_t *o, const char *key, const char *s)
{
	json_t *v = s ? json_string(s) : NULL;

	return v ? json_object_set_new(o, key, v) : -1;
}

static int set_u32(json_t *o, const char *key, uint32_t v)
{
	return json_object_set_new(o, key, json_integer(v));
}

static json_t *stream_json(const struct sig_stream_info *s, const char *participant_id)
{
	const char *kind = sig_kind_name(s->kind), *codec = sig_codec_name(s->codec);
	json_t *o = json_object();

	if (!o || !kind || !codec || !s->stream_id ||
	    (participant_id && set_str(o, "participantId", participant_id) < 0) ||
	    set_str(o, "streamId", s->stream_id) < 0 || set_str(o, "kind", kind) < 0 ||
	    set_str(o, "codec", codec) < 0 || set_u32(o, "ssrc", s->ssrc) < 0 ||
	    set_u32(o, "pt", s->pt) < 0 ||
	    (s->rtx_pt && (set_u32(o, "rtxSsrc", s->rtx_ssrc) < 0 ||
			   set_u32(o, "rtxPt", s->rtx_pt) < 0))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *participants_json(const struct sig_participant_info *p, size_t n)
{
	json_t *arr = json_array();

	if (!arr || (n && !p))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		/* The *_new calls take the reference even when they fail, so
		 * each new value is handed over before anything else can fail. */
		json_t *o = json_object();

		if (json_array_append_new(arr, o) < 0 ||
		    json_object_set_new(o, "streams", json_array()) < 0)
			goto fail;
		json_t *streams = json_object_get(o, "streams");
		if (set_str(o, "participantId", p[i].participant_id) < 0 ||
		    set_str(o, "displayName", p[i].display_name ? p[i].display_name : "") < 0 ||
		    (p[i].n_streams && !p[i].streams))
			goto fail;
		for (size_t s = 0; s < p[i].n_streams; s++)
			if (json_array_append_new(streams, stream_json(&p[i].streams[s], NULL)) < 0)
				goto fail;
	}
	return arr;
fail:
	json_decref(arr);
	return NULL;
}

/* Appends ,"media":{...}} to a dumped object (whose final '}' it
 * replaces); frees the input.  The keys are base64 (no escaping needed);
 * the address goes through jansson for escaping. */
static char *append_media(char *head, const struct sig_media_info *m)
{
	char send[4 * (MEDIA_KEY_MAX + 2) / 3 + 4], recv[sizeof(send)];
	const char *profile = sig_srtp_profile_name(m->profile);
	json_t *addr = m->address ? json_string(m->address) : NULL;
	char *addr_json = addr ? json_dumps(addr, JSON_ENCODE_ANY) : NULL;
	char *out = NULL;
	size_t head_len, cap;

	json_decref(addr);
	if (!head || !addr_json || !profile || !m->send || !m->recv || !m->send_len ||
	    !m->recv_len || m->send_len > MEDIA_KEY_MAX || m->recv_len > MEDIA_KEY_MAX)
		goto out;
	EVP_EncodeBlock((unsigned char *)send, m->send, (int)m->send_len);
	EVP_EncodeBlock((unsigned char *)recv, m->recv, (int)m->recv_len);

	head_len = strlen(head);
	if (head_len < 2 || head[head_len - 1] != '}')
		goto out;
	cap = head_len + strlen(addr_json) + strlen(send) + strlen(recv) + 128;
	out = malloc(cap);
	if (!out)
		goto out;
	snprintf(out, cap,
		 "%.*s,\"media\":{\"address\":%s,\"port\":%u,\"profile\":\"%s\","
		 "\"send\":\"%s\",\"recv\":\"%s\"}}",
		 (int)(head_len - 1), head, addr_json, m->port, profile, send, recv);
out:
	explicit_bzero(send, sizeof(send));
	explicit_bzero(recv, sizeof(recv));
	free(addr_json);
	free(head);
	return out;
}

char *sig_build_joined(int64_t id, const struct sig_joined *j)
{
	json_t *o = typed("joined", id);

	if (!o || !j || set_str(o, "participantId", j->participant_id) < 0 ||
	    set_str(o, "resumeToken", j->resume_token) < 0 ||
	    set_str(o, "resourceId", j->resource_id) < 0 ||
	    json_object_set_new(o, "participants",
				participants_json(j->participants, j->n_participants)) < 0) {
		json_decref(o);
		return NULL;
	}
	/* The resume token is a secret too, but a short-lived one that only
	 * this connection receives; jansson's copy is freed with the tree. */
	return append_media(dump(o), &j->media);
}

char *sig_build_resumed(int64_t id, const char *participant_id,
			const struct sig_participant_info *participants, size_t n,
			const struct sig_media_info *media)
{
	json_t *o = typed("resumed", id);

	if (!o || !media || set_str(o, "participantId", participant_id) < 0 ||
	    json_object_set_new(o, "participants", participants_json(participants, n)) < 0) {
		json_decref(o);
		return NULL;
	}
	return append_media(dump(o), media);
}

char *sig_build_published(int64_t id, const struct sig_published_stream *s, size_t n)
{
	json_t *o = typed("published", id), *arr;

	if (!o || json_object_set_new(o, "streams", json_array()) < 0 || (n && !s)) {
		json_decref(o);
		return NULL;
	}
	arr = json_object_get(o, "streams");
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_object();
		if (!e || json_array_append_new(arr, e) < 0 || set_u32(e, "ssrc", s[i].ssrc) < 0 ||
		    set_str(e, "streamId", s[i].stream_id) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return dump(o);
}

char *sig_build_answer(enum sig_req_type answering, int64_t id)
{
	switch (answering) {
	case SIG_REQ_UNPUBLISH:
	case SIG_REQ_PREFERENCES:
	case SIG_REQ_CHAT:
	case SIG_REQ_KEEPALIVE:
	case SIG_REQ_LEAVE:
		return id >= 0 ? dump(typed(sig_answer_name(answering), id)) : NULL;
	default:
		return NULL;
	}
}

char *sig_build_error(int64_t id, enum strata_sig_error reason, const char *message)
{
	const char *name = sig_error_name(reason);
	json_t *o = name ? typed("error", id) : NULL;

	if (!o || set_str(o, "reason", name) < 0 ||
	    set_str(o, "message", message ? message : "") < 0) {
		json_decref(o);
		return NULL;
	}
	return dump(o);
}

/* An event whose fields are all strings: NULL-terminated key, value pairs. */
static char *string_event(const char *type, const char *k1, const char *v1, const char *k2,
			  const char *v2, const char *k3, const char *v3)
{
	json_t *o = typed(type, -1);

	if (!o || (k1 && set_str(o, k1, v1) < 0) || (k2 && set_str(o, k2, v2) < 0) ||
	    (k3 && set_str(o, k3, v3) < 0)) {
		json_decref(o);
		return NULL;
	}
	return dump(o);
}

char *sig_build_participant_joined(const char *participant_id, const char *display_name)
{
	return string_event("participant-joined", "participantId", participant_id, "displayName",
			    display_name ? display_name : "", NULL, NULL);
}

char *sig_build_participant_left(const char *participant_id, const char *reason)
{
	return string_event("participant-left", "participantId", participant_id, "reason", reason,
			    NULL, NULL);
}

char *sig_build_stream_added(const char *participant_id, const struct sig_stream_info *s)
{
	json_t *o;

	if (!participant_id || !s)
		return NULL;
	o = stream_json(s, participant_id);
	if (!o || json_object_set_new(o, "type", json_string("stream-added")) < 0) {
		json_decref(o);
		return NULL;
	}
	return dump(o);
}

char *sig_build_stream_removed(const char *participant_id, const char *stream_id)
{
	return string_event("stream-removed", "participantId", participant_id, "streamId",
			    stream_id, NULL, NULL);
}

char *sig_build_participants(const char *const *order, size_t n)
{
	json_t *o = typed("participants", -1), *arr;

	if (!o || json_object_set_new(o, "order", json_array()) < 0 || (n && !order)) {
		json_decref(o);
		return NULL;
	}
	arr = json_object_get(o, "order");
	for (size_t i = 0; i < n; i++) {
		json_t *v = order[i] ? json_string(order[i]) : NULL;
		if (json_array_append_new(arr, v) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return dump(o);
}

char *sig_build_loudest_changed(const char *participant_id)
{
	return string_event("loudest-changed", "participantId", participant_id, NULL, NULL, NULL,
			    NULL);
}

char *sig_build_chat(const char *participant_id, const char *display_name, const char *text)
{
	return string_event("chat", "participantId", participant_id, "displayName",
			    display_name ? display_name : "", "text", text);
}

char *sig_build_closing(const char *reason)
{
	return string_event("closing", "reason", reason, NULL, NULL, NULL, NULL);
}
