/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp's sessions on disk, so that a restarted strata-cp (a crash,
 * kill -9, an upgrade) takes over the media legs strata-dp still forwards
 * and clients come back with their resume tokens.
 *
 * The file, state_dir/sessions.state, holds every joined participant:
 * room, ids in the dataplane, addresses, SRTP profile and master keys,
 * published streams and subscriptions.  It is sealed like the app store
 * (AES-256-GCM under a key derived from the master key, appstore_file.h),
 * with a body that starts "STRATASS" so neither file can pass for the
 * other, and replaced atomically (secure_file.h) at most every SAVE_MS
 * after a change: a participant who joined in the last moments before a
 * crash is lost, and its leg then is an orphan the reconciliation removes.
 *
 * Restoring: the participants come back "away" (no connection), with
 * sessions.resume_grace_s to resume; their ids are claimed in the pools
 * once strata-dp's geometry is known; the first DUMP is then reconciled
 * (cp_program.c): what strata-dp has and the file does not is removed,
 * what the file has and strata-dp lost is programmed again, and what both
 * have is left alone, so its media never stops.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "appstore_file.h"
#include "cp.h"
#include "log.h"
#include "secure_file.h"

CP_LOG_MODULE(persist);

#define MAGIC "STRATASS"
#define STATE_FILE "sessions.state"
#define SAVE_MS 100

static void hexs(const uint8_t *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = 0;
}

static int unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = s ? strlen(s) : 0;

	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (int)(n / 2);
}

static json_t *addr_json(const struct strata_addr *a)
{
	char ip[33];

	hexs(a->ip, 16, ip);
	return json_pack("{s:i, s:s, s:i}", "family", a->family, "ip", ip, "port", a->port);
}

static void addr_from(json_t *o, struct strata_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)json_integer_value(json_object_get(o, "family"));
	a->port = (uint16_t)json_integer_value(json_object_get(o, "port"));
	unhex(json_string_value(json_object_get(o, "ip")), a->ip, 16);
}

static json_t *u32_array(const uint32_t *v, unsigned n)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static void u32_from(json_t *a, uint32_t *v, unsigned max)
{
	for (unsigned i = 0; i < max && i < json_array_size(a); i++)
		v[i] = (uint32_t)json_integer_value(json_array_get(a, i));
}

static json_t *participant_json(const struct cp_participant *p)
{
	char send[2 * CP_KEY_SALT_MAX + 1], recv[2 * CP_KEY_SALT_MAX + 1];
	json_t *pubs = json_array(), *subs = json_array(), *prefs = json_array(), *o;

	for (unsigned i = 0; i < p->n_pubs; i++) {
		const struct cp_pub *b = &p->pubs[i];

		json_array_append_new(
			pubs, json_pack("{s:s, s:i, s:i, s:i, s:i, s:I, s:i, s:i, s:i, s:o, s:o, s:o, "
					"s:I}",
					"id", b->id, "kind", b->kind, "codec", b->codec, "pt", b->pt,
					"rtx_pt", b->rtx_pt, "clock_rate", (json_int_t)b->clock_rate,
					"n", b->n_encodings, "spatial", b->spatial_layers, "temporal",
					b->temporal_layers, "ssrc", u32_array(b->ssrc, b->n_encodings),
					"rtx_ssrc", u32_array(b->rtx_ssrc, b->n_encodings), "streams",
					u32_array(b->dp_stream, b->n_encodings), "source",
					(json_int_t)b->dp_source));
	}
	for (const struct cp_sub *s = p->subs; s; s = s->next)
		json_array_append_new(subs, json_pack("{s:s, s:s, s:I, s:I, s:i, s:i, s:i}",
						      "publisher", s->publisher->id, "pub", s->pub_id,
						      "sub", (json_int_t)s->dp_sub, "ssrc",
						      (json_int_t)s->ssrc, "pt", s->pt, "spatial",
						      s->spatial, "temporal", s->temporal));
	for (unsigned i = 0; i < p->n_prefs; i++)
		json_array_append_new(prefs, json_pack("{s:s, s:i, s:i}", "pub", p->prefs[i].pub_id,
						       "spatial", p->prefs[i].max_spatial,
						       "temporal", p->prefs[i].max_temporal));
	hexs(p->send_key, p->key_len, send);
	hexs(p->recv_key, p->key_len, recv);
	o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:I, s:o, s:o, s:i, s:s, s:s, s:I, s:b, s:i, s:i, "
		      "s:i, s:i, s:o, s:o, s:o}",
		      "id", p->id, "resume", p->resume, "serial", (json_int_t)p->serial, "user",
		      p->user, "display", p->display, "leg", (json_int_t)p->dp_leg, "local",
		      addr_json(&p->local), "remote", addr_json(&p->remote), "profile", p->profile,
		      "send", send, "recv", recv, "codecs", (json_int_t)p->codecs, "rtx", p->rtx,
		      "ext_al", p->ext_audio_level, "ext_tcc", p->ext_transport_cc, "ext_dd",
		      p->ext_dependency_descriptor, "max_video", p->max_video_sources, "pubs", pubs,
		      "subs", subs, "prefs", prefs);
	OPENSSL_cleanse(send, sizeof(send));
	OPENSSL_cleanse(recv, sizeof(recv));
	return o;
}

int cp_persist_save(struct cp *cp)
{
	json_t *rooms = json_array(), *top;
	char path[CP_PATH_MAX + 32], *text;
	uint8_t *file = NULL;
	size_t file_len = 0, len;
	struct cp_err err = { { 0 } };
	unsigned k;
	int rc = -1;

	for (struct cp_room *r = cp_rooms_first(&cp->rooms, &k); r;
	     r = cp_rooms_next(&cp->rooms, r, &k)) {
		json_t *ps = json_array();

		for (struct cp_participant *p = r->members; p; p = p->next)
			if (p->joined && p->dp_leg)
				json_array_append_new(ps, participant_json(p));
		json_array_append_new(rooms, json_pack("{s:s, s:s, s:I, s:o}", "app", r->app,
						       "resource", r->resource, "dp_room",
						       (json_int_t)r->dp_room, "participants", ps));
	}
	top = json_pack("{s:i, s:I, s:I, s:o}", "v", 1, "next_serial", (json_int_t)cp->next_serial,
			"next_dp_room", (json_int_t)cp->rooms.next_dp_room, "rooms", rooms);
	text = top ? json_dumps(top, JSON_COMPACT) : NULL;
	json_decref(top);
	if (!text) {
		CP_WARN("sessions not saved: out of memory");
		return -1;
	}
	/* The body: the magic, then the JSON. */
	len = strlen(text);
	uint8_t *body = malloc(8 + len);
	if (body) {
		memcpy(body, MAGIC, 8);
		memcpy(body + 8, text, len);
		if (cp_appstore_seal(cp->master, body, 8 + len, &file, &file_len, &err) == 0) {
			cp_config_path(&cp->cfg, STATE_FILE, path, sizeof(path));
			rc = cp_file_write_atomic(path, file, file_len, true, &err) == CP_FILE_OK ? 0
												   : -1;
		}
		OPENSSL_cleanse(body, 8 + len);
		free(body);
	}
	OPENSSL_cleanse(text, len);
	free(text);
	free(file);
	if (rc < 0)
		CP_WARN("sessions not saved", CP_KV_STR("error", err.msg[0] ? err.msg : "out of memory"));
	return rc;
}

static struct cp_participant *restore_one(struct cp *cp, struct cp_room *room, json_t *o)
{
	struct cp_participant *p = calloc(1, sizeof(*p));
	json_t *pubs = json_object_get(o, "pubs");
	int n;

	if (!p)
		return NULL;
	snprintf(p->id, sizeof(p->id), "%s", json_string_value(json_object_get(o, "id")) ?: "");
	snprintf(p->resume, sizeof(p->resume), "%s",
		 json_string_value(json_object_get(o, "resume")) ?: "");
	snprintf(p->user, sizeof(p->user), "%s", json_string_value(json_object_get(o, "user")) ?: "");
	snprintf(p->display, sizeof(p->display), "%s",
		 json_string_value(json_object_get(o, "display")) ?: "");
	p->serial = (uint64_t)json_integer_value(json_object_get(o, "serial"));
	p->dp_leg = (uint32_t)json_integer_value(json_object_get(o, "leg"));
	addr_from(json_object_get(o, "local"), &p->local);
	addr_from(json_object_get(o, "remote"), &p->remote);
	p->profile = (uint8_t)json_integer_value(json_object_get(o, "profile"));
	n = unhex(json_string_value(json_object_get(o, "send")), p->send_key, CP_KEY_SALT_MAX);
	/* Key || salt as long as the profile's (RFC 3711, RFC 7714). */
	static const int key_len[] = { 0, 30, 30, 46, 28, 44 };
	if (n <= 0 || p->profile < 1 || p->profile > 5 || n != key_len[p->profile] ||
	    unhex(json_string_value(json_object_get(o, "recv")), p->recv_key, CP_KEY_SALT_MAX) !=
		    n ||
	    !p->id[0] || !p->dp_leg || !p->local.port ||
	    (p->local.family != STRATA_AF_INET && p->local.family != STRATA_AF_INET6) ||
	    !cp_user_valid(p->user, strlen(p->user))) {
		OPENSSL_cleanse(p, sizeof(*p));
		free(p);
		return NULL;
	}
	p->key_len = (uint8_t)n;
	p->codecs = (uint32_t)json_integer_value(json_object_get(o, "codecs"));
	p->rtx = json_is_true(json_object_get(o, "rtx"));
	p->ext_audio_level = (uint8_t)json_integer_value(json_object_get(o, "ext_al"));
	p->ext_transport_cc = (uint8_t)json_integer_value(json_object_get(o, "ext_tcc"));
	p->ext_dependency_descriptor = (uint8_t)json_integer_value(json_object_get(o, "ext_dd"));
	p->max_video_sources = (int)json_integer_value(json_object_get(o, "max_video"));
	for (size_t i = 0; i < json_array_size(pubs) && p->n_pubs < CP_MAX_PUBS; i++) {
		json_t *b = json_array_get(pubs, i);
		struct cp_pub *pub = &p->pubs[p->n_pubs++];

		snprintf(pub->id, sizeof(pub->id), "%s",
			 json_string_value(json_object_get(b, "id")) ?: "");
		pub->kind = (uint8_t)json_integer_value(json_object_get(b, "kind"));
		pub->codec = (uint8_t)json_integer_value(json_object_get(b, "codec"));
		pub->pt = (uint8_t)json_integer_value(json_object_get(b, "pt"));
		pub->rtx_pt = (uint8_t)json_integer_value(json_object_get(b, "rtx_pt"));
		pub->clock_rate = (uint32_t)json_integer_value(json_object_get(b, "clock_rate"));
		pub->n_encodings = (uint8_t)json_integer_value(json_object_get(b, "n"));
		if (pub->n_encodings < 1 || pub->n_encodings > CP_MAX_ENCODINGS)
			pub->n_encodings = 1;
		pub->spatial_layers = (uint8_t)json_integer_value(json_object_get(b, "spatial"));
		pub->temporal_layers = (uint8_t)json_integer_value(json_object_get(b, "temporal"));
		u32_from(json_object_get(b, "ssrc"), pub->ssrc, pub->n_encodings);
		u32_from(json_object_get(b, "rtx_ssrc"), pub->rtx_ssrc, pub->n_encodings);
		u32_from(json_object_get(b, "streams"), pub->dp_stream, pub->n_encodings);
		pub->dp_source = (uint32_t)json_integer_value(json_object_get(b, "source"));
		bool ok = pub->dp_source && pub->id[0];
		for (unsigned e = 0; e < pub->n_encodings; e++)
			ok = ok && pub->dp_stream[e];
		if (!ok)
			p->n_pubs--; /* not a stream this strata-cp could have written */
	}
	json_t *prefs = json_object_get(o, "prefs");
	for (size_t i = 0; i < json_array_size(prefs) && p->n_prefs < CP_MAX_PREFS; i++) {
		json_t *f = json_array_get(prefs, i);
		struct cp_pref *d = &p->prefs[p->n_prefs++];

		snprintf(d->pub_id, sizeof(d->pub_id), "%s",
			 json_string_value(json_object_get(f, "pub")) ?: "");
		d->max_spatial = (uint8_t)json_integer_value(json_object_get(f, "spatial"));
		d->max_temporal = (uint8_t)json_integer_value(json_object_get(f, "temporal"));
	}
	p->owner = cp;
	p->joined = true;
	p->audio_level = 127;
	p->joined_ms = p->last_heard_ms = p->away_since_ms = cp_now_ms();
	cp_room_add(room, p);
	cp->n_participants++;
	return p;
}

/* Subscriptions name their publisher by id: linked once the room is whole. */
static void restore_subs(struct cp_room *room, json_t *parts)
{
	size_t i = 0;

	for (struct cp_participant *p = room->members; p; p = p->next, i++) {
		json_t *subs = NULL;

		/* The array order is the member order of the saved room. */
		for (size_t k = 0; k < json_array_size(parts); k++) {
			const char *id =
				json_string_value(json_object_get(json_array_get(parts, k), "id"));
			if (id && !strcmp(id, p->id))
				subs = json_object_get(json_array_get(parts, k), "subs");
		}
		struct cp_sub **at = &p->subs;
		for (size_t k = 0; k < json_array_size(subs); k++) {
			json_t *o = json_array_get(subs, k);
			const char *pid = json_string_value(json_object_get(o, "publisher"));
			struct cp_participant *q = pid ? cp_room_member(room, pid) : NULL;
			struct cp_sub *s;

			/* Only a stream its publisher still has. */
			const char *pub = json_string_value(json_object_get(o, "pub"));
			if (!q || q == p || !pub || !cp_participant_pub(q, pub) ||
			    !(s = calloc(1, sizeof(*s))))
				continue;
			s->publisher = q;
			snprintf(s->pub_id, sizeof(s->pub_id), "%s",
				 json_string_value(json_object_get(o, "pub")) ?: "");
			s->dp_sub = (uint32_t)json_integer_value(json_object_get(o, "sub"));
			s->ssrc = (uint32_t)json_integer_value(json_object_get(o, "ssrc"));
			s->pt = (uint8_t)json_integer_value(json_object_get(o, "pt"));
			s->spatial = (uint8_t)json_integer_value(json_object_get(o, "spatial"));
			s->temporal = (uint8_t)json_integer_value(json_object_get(o, "temporal"));
			*at = s;
			at = &s->next;
		}
	}
}

int cp_persist_load(struct cp *cp)
{
	char path[CP_PATH_MAX + 32];
	uint8_t *file = NULL, *body = NULL;
	size_t file_len = 0, body_len = 0;
	struct cp_err err = { { 0 } };
	int rc;

	cp_config_path(&cp->cfg, STATE_FILE, path, sizeof(path));
	rc = cp_file_read(path, CP_APPSTORE_FILE_MAX, true, &file, &file_len, &err);
	if (rc == CP_FILE_ABSENT)
		return 0;
	if (rc != CP_FILE_OK ||
	    cp_appstore_unseal(cp->master, file, file_len, &body, &body_len, &err) != 0 ||
	    body_len < 8 || memcmp(body, MAGIC, 8) != 0) {
		CP_WARN("sessions file unusable: starting without sessions",
			CP_KV_STR("path", path), CP_KV_STR("error", err.msg[0] ? err.msg : "not a sessions file"));
		if (file)
			cp_file_free(file, file_len);
		if (body)
			cp_file_free(body, body_len);
		return -1;
	}
	cp_file_free(file, file_len);
	rc = cp_persist_restore(cp, (const char *)body + 8, body_len - 8);
	cp_file_free(body, body_len);
	if (rc < 0)
		CP_WARN("sessions file unreadable: starting without sessions", CP_KV_STR("path", path));
	else if (cp->restored)
		CP_INFO("sessions restored: waiting for their clients to resume",
			CP_KV_UINT("participants", cp->n_participants),
			CP_KV_UINT("rooms", cp->rooms.n_rooms),
			CP_KV_UINT("resume_grace_s", cp->cfg.sessions.resume_grace_s));
	return rc;
}

int cp_persist_restore(struct cp *cp, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *top, *rooms;
	unsigned n = 0;

	top = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!top || json_integer_value(json_object_get(top, "v")) != 1) {
		json_decref(top);
		return -1;
	}
	cp->next_serial = (uint64_t)json_integer_value(json_object_get(top, "next_serial"));
	rooms = json_object_get(top, "rooms");
	for (size_t i = 0; i < json_array_size(rooms); i++) {
		json_t *r = json_array_get(rooms, i), *parts = json_object_get(r, "participants");
		const char *app = json_string_value(json_object_get(r, "app"));
		const char *res = json_string_value(json_object_get(r, "resource"));
		struct cp_room *room;
		bool created;

		if (!app || !res || !json_array_size(parts) ||
		    !(room = cp_room_get(&cp->rooms, app, res, &created)))
			continue;
		room->dp_room = (uint32_t)json_integer_value(json_object_get(r, "dp_room"));
		for (size_t k = 0; k < json_array_size(parts); k++)
			n += restore_one(cp, room, json_array_get(parts, k)) != NULL;
		restore_subs(room, parts);
		if (!room->n_members)
			cp_room_drop(&cp->rooms, room);
	}
	cp->rooms.next_dp_room = (uint32_t)json_integer_value(json_object_get(top, "next_dp_room"));
	if (!cp->rooms.next_dp_room)
		cp->rooms.next_dp_room = 1;
	json_decref(top);
	cp->restored = n > 0;
	return 0;
}

static void save_now(void *arg)
{
	struct cp *cp = arg;

	cp->save_armed = false;
	cp_persist_save(cp);
}

void cp_state_changed(struct cp *cp)
{
	if (cp->save_armed || cp->stopping)
		return;
	if (!cp->save_timer && cp->sig)
		cp->save_timer = sig_timer_new(cp->sig, save_now, cp);
	if (!cp->save_timer)
		return;
	cp->save_armed = true;
	sig_timer_arm(cp->save_timer, SAVE_MS * 1000);
}
