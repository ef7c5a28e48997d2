/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The messages strata-cp sends a client (include/strata/signaling.h), turned
 * into the library's callbacks.
 */
#include <stdio.h>
#include <string.h>

#include "client_priv.h"

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void remember_name(struct strata_client *c, json_t *p)
{
	const char *id = str(p, "participantId");
	if (id[0])
		json_object_set_new(c->names, id, json_string(str(p, "displayName")));
}

static void stream_added(struct strata_client *c, const char *pid, json_t *s)
{
	struct strata_client_remote r = {
		.participant_id = pid,
		.display_name = json_string_value(json_object_get(c->names, pid)),
		.stream_id = str(s, "streamId"),
		.kind = str(s, "kind"),
		.codec = str(s, "codec"),
		.ssrc = (uint32_t)json_integer_value(json_object_get(s, "ssrc")),
		.pt = (uint8_t)json_integer_value(json_object_get(s, "pt")),
	};
	if (!r.display_name)
		r.display_name = "";
	if (c->ev->on_stream_added)
		c->ev->on_stream_added(c->user, &r);
}

/* joined lists the participants already there with their streams: each is
 * told as participant-joined, then its streams as stream-added. */
static void participants(struct strata_client *c, json_t *list)
{
	size_t i, j;
	json_t *p, *s;

	json_array_foreach(list, i, p) {
		remember_name(c, p);
		if (c->ev->on_participant_joined)
			c->ev->on_participant_joined(c->user, str(p, "participantId"),
						     str(p, "displayName"));
		json_array_foreach(json_object_get(p, "streams"), j, s)
			stream_added(c, str(p, "participantId"), s);
	}
}

static int take_media(struct strata_client *c, json_t *m)
{
	char err[160];

	if (client_media_key(&c->media, str(m, "profile"), str(m, "send"), str(m, "recv"),
			     str(m, "address"), (int)json_integer_value(json_object_get(m, "port")),
			     err, sizeof(err)) < 0) {
		if (c->ev->on_error)
			c->ev->on_error(c->user, "UnsupportedMedia", err);
		return -1;
	}
	return 0;
}

void client_on_message(struct strata_client *c, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *m = json_loadb(text, len, 0, &jerr);
	const char *type = str(m, "type");

	if (!m)
		return;
	if (!strcmp(type, "joined") || !strcmp(type, "resumed")) {
		bool joined = type[0] == 'j';
		snprintf(c->participant_id, sizeof(c->participant_id), "%s",
			 str(m, "participantId"));
		if (joined)
			snprintf(c->resume_token, sizeof(c->resume_token), "%s",
				 str(m, "resumeToken"));
		/* A resume carries the same keys: rekeying would reset the
		 * SRTP rollover state media is using, so keep ours. */
		if (joined && take_media(c, json_object_get(m, "media")) < 0) {
			c->state = CS_FAILED;
			if (c->conn)
				sig_client_close(c->conn, 1000);
			json_decref(m);
			return;
		}
		c->state = CS_JOINED;
		if (joined && c->ev->on_joined)
			c->ev->on_joined(c->user, c->participant_id,
					 str(json_object_get(m, "media"), "profile"));
		if (!joined && c->ev->on_resumed)
			c->ev->on_resumed(c->user);
		if (joined)
			participants(c, json_object_get(m, "participants"));
	} else if (!strcmp(type, "error")) {
		if (c->state == CS_JOINING)
			c->state = CS_FAILED;
		if (c->ev->on_error)
			c->ev->on_error(c->user, str(m, "reason"), str(m, "message"));
	} else if (!strcmp(type, "published")) {
		size_t i;
		json_t *s;
		json_array_foreach(json_object_get(m, "streams"), i, s)
			if (c->ev->on_published)
				c->ev->on_published(c->user,
						    (uint32_t)json_integer_value(json_object_get(s, "ssrc")),
						    str(s, "streamId"));
	} else if (!strcmp(type, "participant-joined")) {
		remember_name(c, m);
		if (c->ev->on_participant_joined)
			c->ev->on_participant_joined(c->user, str(m, "participantId"),
						     str(m, "displayName"));
	} else if (!strcmp(type, "participant-left")) {
		if (c->ev->on_participant_left)
			c->ev->on_participant_left(c->user, str(m, "participantId"), str(m, "reason"));
	} else if (!strcmp(type, "stream-added")) {
		stream_added(c, str(m, "participantId"), m);
	} else if (!strcmp(type, "stream-removed")) {
		if (c->ev->on_stream_removed)
			c->ev->on_stream_removed(c->user, str(m, "participantId"), str(m, "streamId"));
	} else if (!strcmp(type, "chat")) {
		if (c->ev->on_chat)
			c->ev->on_chat(c->user, str(m, "participantId"), str(m, "displayName"),
				       str(m, "text"));
	} else if (!strcmp(type, "loudest-changed")) {
		if (c->ev->on_loudest)
			c->ev->on_loudest(c->user, str(m, "participantId"));
	} else if (!strcmp(type, "preferences-set")) {
		if (c->ev->on_preferences_set)
			c->ev->on_preferences_set(c->user);
	} else if (!strcmp(type, "left")) {
		c->state = CS_LEFT;
		if (c->ev->on_left)
			c->ev->on_left(c->user);
	}
	json_decref(m);
}
