/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What participants mean for strata-dp: a leg per participant, a source
 * (with a stream per simulcast encoding) per published stream, and a
 * subscription per (receiver, published stream).  Commands go out in the
 * order the dataplane needs them (subscriptions before the streams they
 * name, streams before their leg), so deletes never meet EBUSY.
 *
 * Also the dataplane's events: a restart replays everything held here
 * (keys included: they live in strata-cp's memory for exactly that), and
 * the first attach of a strata-cp process removes what an earlier one
 * left (DUMP, then deletes), since this process cannot key it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cp.h"
#include "log.h"

CP_LOG_MODULE(dataplane);

static void count_failure(const struct strata_cmd *cmd, int status)
{
	if (status == STRATA_CMD_OK)
		return;
	CP_WARN("dataplane command failed", CP_KV_UINT("type", cmd->type),
		CP_KV_UINT("seq", cmd->seq), CP_KV_INT("status", status));
}

/* The result of a command that names no participant. */
static void plain_result(void *arg, const struct strata_cmd *cmd, int status)
{
	(void)arg;
	count_failure(cmd, status);
}

/* The result of a command that names participant arg: one fewer
 * outstanding, and freed if it left meanwhile. */
static void participant_result(void *arg, const struct strata_cmd *cmd, int status)
{
	struct cp_participant *p = arg;

	count_failure(cmd, status);
	p->inflight--;
	if (p->gone && !p->inflight)
		cp_participant_release(NULL, p);
}

static void send_for(struct cp *cp, struct cp_participant *p, const struct strata_cmd *cmd,
		     cp_dplink_result_fn *cb)
{
	cp_state_changed(cp);
	if (cp_dplink_send(cp->dp, cmd, cb ? cb : participant_result, p) == 0)
		p->inflight++;
	else if (cb)
		cb(p, cmd, -ENOTCONN);
}

/* Key and salt lengths of a profile (RFC 3711, RFC 7714). */
static void keying_fill(struct strata_keying *k, uint8_t profile, const uint8_t *key_salt)
{
	size_t klen = (profile == 3 || profile == 5) ? 32 : 16;
	size_t slen = (profile == 4 || profile == 5) ? 12 : 14;

	memset(k, 0, sizeof(*k));
	k->profile = profile;
	memcpy(k->key, key_salt, klen);
	memcpy(k->salt, key_salt + klen, slen);
}

int cp_program_leg(struct cp *cp, struct cp_participant *p, cp_dplink_result_fn *cb)
{
	struct strata_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_LEG_ADD;
	cmd.u.leg_add.leg = p->dp_leg;
	cmd.u.leg_add.room = p->room->dp_room;
	cmd.u.leg_add.local = p->local;
	cmd.u.leg_add.remote = p->remote;
	/* Clients behind NAT: learn the address from authenticated packets. */
	cmd.u.leg_add.latch = 1;
	keying_fill(&cmd.u.leg_add.rx, p->profile, p->send_key);
	keying_fill(&cmd.u.leg_add.tx, p->profile, p->recv_key);
	send_for(cp, p, &cmd, cb);
	OPENSSL_cleanse(&cmd, sizeof(cmd));
	return 0;
}

void cp_program_pub(struct cp *cp, struct cp_participant *p, struct cp_pub *pub)
{
	for (unsigned e = 0; e < pub->n_encodings; e++) {
		struct strata_cmd cmd;
		struct strata_cmd_stream_add *s = &cmd.u.stream_add;

		memset(&cmd, 0, sizeof(cmd));
		cmd.type = STRATA_CMD_STREAM_ADD;
		s->stream = pub->dp_stream[e];
		s->source = pub->dp_source;
		s->leg = p->dp_leg;
		s->ssrc = pub->ssrc[e];
		s->rtx_ssrc = pub->rtx_ssrc[e];
		s->clock_rate = pub->clock_rate;
		s->kind = pub->kind;
		s->codec = pub->codec;
		s->pt = pub->pt;
		s->rtx_pt = pub->rtx_ssrc[e] ? pub->rtx_pt : 0;
		s->encoding = (uint8_t)e;
		s->ext_audio_level = p->ext_audio_level;
		s->ext_transport_cc = p->ext_transport_cc;
		s->ext_dependency_descriptor = p->ext_dependency_descriptor;
		send_for(cp, p, &cmd, NULL);
	}
}

/* The layer targets of s: the top the publisher sends, lowered to r's
 * preference for that stream. */
static void targets(const struct cp_participant *r, const struct cp_pub *pub, uint8_t *spatial,
		    uint8_t *temporal)
{
	const struct cp_pref *pref = cp_participant_pref(r, pub->id);
	uint8_t top = pub->n_encodings > 1 ? pub->n_encodings - 1 : pub->spatial_layers - 1;

	*spatial = top;
	*temporal = 255;
	if (pub->kind != STRATA_MEDIA_VIDEO || !pref)
		return;
	if (pref->max_spatial != 255 && pref->max_spatial < top)
		*spatial = pref->max_spatial;
	if (pref->max_temporal != 255)
		*temporal = pref->max_temporal;
}

static void sub_send_add(struct cp *cp, struct cp_participant *r, struct cp_sub *s)
{
	struct cp_pub *pub = cp_participant_pub(s->publisher, s->pub_id);
	struct strata_cmd cmd;

	if (!pub)
		return;
	s->dp_sub = cp_idpool_take(&cp->subs);
	if (!s->dp_sub) {
		CP_WARN("no subscription id left", CP_KV_STR("participant", r->id));
		return;
	}
	targets(r, pub, &s->spatial, &s->temporal);
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_SUB_ADD;
	cmd.u.sub_add.sub = s->dp_sub;
	cmd.u.sub_add.leg = r->dp_leg;
	cmd.u.sub_add.source = pub->dp_source;
	cmd.u.sub_add.ssrc = s->ssrc;
	cmd.u.sub_add.pt = s->pt;
	cmd.u.sub_add.spatial = s->spatial;
	cmd.u.sub_add.temporal = s->temporal;
	send_for(cp, r, &cmd, NULL);
}

static void sub_send_del(struct cp *cp, struct cp_participant *r, struct cp_sub *s)
{
	struct strata_cmd cmd;

	if (!s->dp_sub)
		return;
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_SUB_DEL;
	cmd.u.sub_del.sub = s->dp_sub;
	send_for(cp, r, &cmd, NULL);
	cp_idpool_give(&cp->subs, s->dp_sub);
	s->dp_sub = 0;
}

/* An SSRC for what r receives: random, nonzero, unused by r so far. */
static uint32_t fresh_ssrc(const struct cp_participant *r)
{
	for (;;) {
		uint32_t v = 0;
		bool used = false;

		if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1 || v == 0)
			continue;
		for (const struct cp_sub *s = r->subs; s && !used; s = s->next)
			used = s->ssrc == v;
		if (!used)
			return v;
	}
}

struct cp_sub *cp_program_sub(struct cp *cp, struct cp_participant *r, struct cp_participant *q,
			      struct cp_pub *pub)
{
	struct cp_sub *s = calloc(1, sizeof(*s));
	struct cp_sub **at = &r->subs;

	if (!s)
		return NULL;
	s->publisher = q;
	snprintf(s->pub_id, sizeof(s->pub_id), "%s", pub->id);
	s->ssrc = fresh_ssrc(r);
	s->pt = pub->pt;
	/* Appended: r's subscriptions in the order the streams appeared,
	 * which is the order maxVideoSources keeps. */
	while (*at)
		at = &(*at)->next;
	*at = s;
	cp_program_video_limit(cp, r);
	if (pub->kind != STRATA_MEDIA_VIDEO)
		sub_send_add(cp, r, s);
	return s;
}

void cp_program_sub_del(struct cp *cp, struct cp_participant *r, struct cp_sub *s)
{
	for (struct cp_sub **at = &r->subs; *at; at = &(*at)->next) {
		if (*at == s) {
			*at = s->next;
			break;
		}
	}
	sub_send_del(cp, r, s);
	free(s);
	cp_program_video_limit(cp, r);
}

void cp_program_video_limit(struct cp *cp, struct cp_participant *r)
{
	unsigned n = 0;

	for (struct cp_sub *s = r->subs; s; s = s->next) {
		struct cp_pub *pub = cp_participant_pub(s->publisher, s->pub_id);
		bool want;

		if (!pub || pub->kind != STRATA_MEDIA_VIDEO)
			continue;
		want = r->max_video_sources < 0 || n < (unsigned)r->max_video_sources;
		n++;
		if (want && !s->dp_sub)
			sub_send_add(cp, r, s);
		else if (!want && s->dp_sub)
			sub_send_del(cp, r, s);
	}
}

void cp_program_layers(struct cp *cp, struct cp_participant *r, struct cp_sub *s)
{
	struct cp_pub *pub = cp_participant_pub(s->publisher, s->pub_id);
	struct strata_cmd cmd;
	uint8_t sp, tp;

	if (!pub || !s->dp_sub)
		return;
	targets(r, pub, &sp, &tp);
	if (sp == s->spatial && tp == s->temporal)
		return;
	s->spatial = sp;
	s->temporal = tp;
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_SUB_SET_LAYERS;
	cmd.u.sub_set_layers.sub = s->dp_sub;
	cmd.u.sub_set_layers.spatial = sp;
	cmd.u.sub_set_layers.temporal = tp;
	send_for(cp, r, &cmd, NULL);
}

void cp_program_pub_del(struct cp *cp, struct cp_participant *p, struct cp_pub *pub)
{
	for (unsigned e = 0; e < pub->n_encodings; e++) {
		struct strata_cmd cmd;

		if (!pub->dp_stream[e])
			continue;
		memset(&cmd, 0, sizeof(cmd));
		cmd.type = STRATA_CMD_STREAM_DEL;
		cmd.u.stream_del.stream = pub->dp_stream[e];
		send_for(cp, p, &cmd, NULL);
		cp_idpool_give(&cp->streams, pub->dp_stream[e]);
		pub->dp_stream[e] = 0;
	}
	cp_idpool_give(&cp->sources, pub->dp_source);
	pub->dp_source = 0;
}

void cp_program_leg_del(struct cp *cp, struct cp_participant *p)
{
	struct strata_cmd cmd;

	if (!p->dp_leg)
		return;
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_LEG_DEL;
	cmd.u.leg_del.leg = p->dp_leg;
	send_for(cp, p, &cmd, NULL);
	cp_idpool_give(&cp->legs, p->dp_leg);
	cp_idpool_give(&cp->ports, p->local.port);
	p->dp_leg = 0;
}

/* ---- the dataplane's side ------------------------------------------------ */

static int init_pools(struct cp *cp, const struct strata_shm_header *h)
{
	if (cp->pools_ready)
		return 0;
	if (cp_idpool_init(&cp->legs, 1, h->max_legs) < 0 ||
	    cp_idpool_init(&cp->streams, 1, h->max_streams) < 0 ||
	    cp_idpool_init(&cp->sources, 1, h->max_sources) < 0 ||
	    cp_idpool_init(&cp->subs, 1, h->max_subscriptions) < 0 ||
	    cp_idpool_init(&cp->ports, cp->cfg.dataplane.port_min, cp->cfg.dataplane.port_max) < 0)
		return -1;
	cp->pools_ready = true;
	/* Sessions restored from sessions.state hold their ids already. */
	unsigned k;
	for (struct cp_room *room = cp_rooms_first(&cp->rooms, &k); room;
	     room = cp_rooms_next(&cp->rooms, room, &k)) {
		for (struct cp_participant *p = room->members; p; p = p->next) {
			cp_idpool_claim(&cp->legs, p->dp_leg);
			cp_idpool_claim(&cp->ports, p->local.port);
			for (unsigned i = 0; i < p->n_pubs; i++) {
				cp_idpool_claim(&cp->sources, p->pubs[i].dp_source);
				for (unsigned e = 0; e < p->pubs[i].n_encodings; e++)
					cp_idpool_claim(&cp->streams, p->pubs[i].dp_stream[e]);
			}
			for (struct cp_sub *sb = p->subs; sb; sb = sb->next)
				cp_idpool_claim(&cp->subs, sb->dp_sub);
		}
	}
	return 0;
}

/* Everything held here, programmed again into a restarted strata-dp. */
static void replay(struct cp *cp)
{
	unsigned k, legs = 0, pubs = 0, subs = 0;

	for (struct cp_room *room = cp_rooms_first(&cp->rooms, &k); room;
	     room = cp_rooms_next(&cp->rooms, room, &k)) {
		for (struct cp_participant *p = room->members; p; p = p->next) {
			if (!p->dp_leg)
				continue;
			cp_program_leg(cp, p, NULL);
			legs++;
			for (unsigned i = 0; i < p->n_pubs; i++, pubs++)
				cp_program_pub(cp, p, &p->pubs[i]);
		}
		for (struct cp_participant *p = room->members; p; p = p->next) {
			for (struct cp_sub *s = p->subs; s; s = s->next) {
				struct cp_pub *pub = cp_participant_pub(s->publisher, s->pub_id);
				struct strata_cmd cmd;

				if (!s->dp_sub || !pub)
					continue;
				memset(&cmd, 0, sizeof(cmd));
				cmd.type = STRATA_CMD_SUB_ADD;
				cmd.u.sub_add.sub = s->dp_sub;
				cmd.u.sub_add.leg = p->dp_leg;
				cmd.u.sub_add.source = pub->dp_source;
				cmd.u.sub_add.ssrc = s->ssrc;
				cmd.u.sub_add.pt = s->pt;
				cmd.u.sub_add.spatial = s->spatial;
				cmd.u.sub_add.temporal = s->temporal;
				send_for(cp, p, &cmd, NULL);
				subs++;
			}
		}
	}
	CP_INFO("strata-dp restarted: state replayed", CP_KV_UINT("legs", legs),
		CP_KV_UINT("streams", pubs), CP_KV_UINT("subscriptions", subs));
}

static void attached(void *arg, bool is_replay)
{
	struct cp *cp = arg;
	const struct strata_shm_header *h = cp_dplink_header(cp->dp);
	struct strata_cmd cmd;

	CP_INFO("attached to strata-dp", CP_KV_UINT("pid", h->dp_pid),
		CP_KV_UINT("workers", h->n_workers), CP_KV_UINT("max_legs", h->max_legs));
	if (init_pools(cp, h) < 0) {
		CP_ERR("out of memory for the id pools");
		return;
	}
	if (is_replay) {
		replay(cp);
		return;
	}
	/* What strata-dp holds from an earlier strata-cp: what sessions.state
	 * restored is kept (or programmed again if strata-dp lost it), the
	 * rest removed (nobody here holds its keys).  Ask what there is. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_DUMP;
	cp->cleaning = cp_dplink_send(cp->dp, &cmd, plain_result, NULL) == 0;
}

static void detached(void *arg, const char *why)
{
	struct cp *cp = arg;

	(void)cp;
	CP_WARN("strata-dp link lost", CP_KV_STR("why", why));
}

static void orphan_del(struct cp *cp, enum strata_cmd_type type, uint32_t id)
{
	struct strata_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = type;
	memcpy(cmd.u.raw, &id, sizeof(id)); /* every *_del starts with its id */
	cp_dplink_send(cp->dp, &cmd, plain_result, NULL);
}

static void orphan_keep(struct cp_orphans *o, uint32_t id)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		uint32_t *ids = realloc(o->ids, cap * sizeof(*ids));

		if (!ids)
			return; /* left in strata-dp: logged as the count below */
		o->ids = ids;
		o->cap = cap;
	}
	o->ids[o->n++] = id;
}

static size_t orphan_flush(struct cp *cp, struct cp_orphans *o, enum strata_cmd_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < o->n; i++) {
		if (o->kept && o->kept[i])
			continue; /* ours: kept */
		orphan_del(cp, type, o->ids[i]);
		n++;
	}
	free(o->ids);
	free(o->kept);
	memset(o, 0, sizeof(*o));
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Whether strata-dp listed id (o sorted); the entry is marked "ours, kept"
 * (in o->kept: zeroing it would unsort the array under later searches). */
static bool dumped(struct cp_orphans *o, uint32_t id)
{
	uint32_t *hit = id && o->n ? bsearch(&id, o->ids, o->n, sizeof(*o->ids), cmp_u32) : NULL;

	if (hit && o->kept)
		o->kept[hit - o->ids] = 1;
	return hit != NULL;
}

static void sort_dumped(struct cp_orphans *o)
{
	if (o->n)
		qsort(o->ids, o->n, sizeof(*o->ids), cmp_u32);
	o->kept = calloc(o->n ? o->n : 1, 1);
}

/* Restored sessions against the DUMP: what strata-dp has is marked kept;
 * what it lost is programmed again.  Returns how many were re-added. */
static unsigned reconcile(struct cp *cp)
{
	unsigned k, added = 0;

	sort_dumped(&cp->orphan_legs);
	sort_dumped(&cp->orphan_streams);
	sort_dumped(&cp->orphan_subs);
	for (struct cp_room *room = cp_rooms_first(&cp->rooms, &k); room;
	     room = cp_rooms_next(&cp->rooms, room, &k)) {
		for (struct cp_participant *p = room->members; p; p = p->next) {
			if (!p->dp_leg)
				continue;
			if (!dumped(&cp->orphan_legs, p->dp_leg)) {
				cp_program_leg(cp, p, NULL);
				added++;
			}
		}
	}
	return added;
}

static void readd_streams_and_subs(struct cp *cp, unsigned *added)
{
	unsigned k;

	for (struct cp_room *room = cp_rooms_first(&cp->rooms, &k); room;
	     room = cp_rooms_next(&cp->rooms, room, &k)) {
		for (struct cp_participant *p = room->members; p; p = p->next) {
			for (unsigned i = 0; i < p->n_pubs; i++) {
				bool missing = false;

				for (unsigned e = 0; e < p->pubs[i].n_encodings; e++)
					missing |= !dumped(&cp->orphan_streams, p->pubs[i].dp_stream[e]);
				if (missing) {
					/* All its encodings again: the kept ones answer
					 * EEXIST, harmlessly. */
					cp_program_pub(cp, p, &p->pubs[i]);
					(*added)++;
				}
			}
		}
		for (struct cp_participant *p = room->members; p; p = p->next) {
			for (struct cp_sub *sb = p->subs; sb; sb = sb->next) {
				struct cp_pub *pub = cp_participant_pub(sb->publisher, sb->pub_id);
				struct strata_cmd cmd;

				if (!sb->dp_sub || !pub || dumped(&cp->orphan_subs, sb->dp_sub))
					continue;
				memset(&cmd, 0, sizeof(cmd));
				cmd.type = STRATA_CMD_SUB_ADD;
				cmd.u.sub_add.sub = sb->dp_sub;
				cmd.u.sub_add.leg = p->dp_leg;
				cmd.u.sub_add.source = pub->dp_source;
				cmd.u.sub_add.ssrc = sb->ssrc;
				cmd.u.sub_add.pt = sb->pt;
				cmd.u.sub_add.spatial = sb->spatial;
				cmd.u.sub_add.temporal = sb->temporal;
				send_for(cp, p, &cmd, NULL);
				(*added)++;
			}
		}
	}
}

/* Orphans found by the first DUMP, collected until DUMP_END and deleted
 * then in the order strata-dp accepts: subscriptions, streams, legs. */
static void on_dump(struct cp *cp, const struct strata_event *ev)
{
	size_t subs, streams, legs;

	if (!cp->cleaning)
		return;
	switch (ev->type) {
	case STRATA_EVENT_DUMP_SUB:
		orphan_keep(&cp->orphan_subs, ev->u.dump_sub.sub);
		break;
	case STRATA_EVENT_DUMP_STREAM:
		orphan_keep(&cp->orphan_streams, ev->u.stream.stream);
		break;
	case STRATA_EVENT_DUMP_LEG:
		orphan_keep(&cp->orphan_legs, ev->u.dump_leg.leg);
		break;
	case STRATA_EVENT_DUMP_END: {
		unsigned added, n_legs = (unsigned)cp->orphan_legs.n;

		cp->cleaning = false;
		/* Ours (restored) are marked kept, or programmed again when
		 * strata-dp lost them (legs, streams, subscriptions: the order
		 * it needs); what is left is an orphan, deleted (subscriptions,
		 * streams, legs).  The two sets share no id. */
		added = reconcile(cp);
		readd_streams_and_subs(cp, &added);
		subs = orphan_flush(cp, &cp->orphan_subs, STRATA_CMD_SUB_DEL);
		streams = orphan_flush(cp, &cp->orphan_streams, STRATA_CMD_STREAM_DEL);
		legs = orphan_flush(cp, &cp->orphan_legs, STRATA_CMD_LEG_DEL);
		if (legs || streams || subs)
			CP_WARN("removed an earlier strata-cp's state from strata-dp",
				CP_KV_UINT("legs", legs), CP_KV_UINT("streams", streams),
				CP_KV_UINT("subscriptions", subs));
		if (cp->restored)
			CP_INFO("restored sessions reconciled with strata-dp",
				CP_KV_UINT("legs_kept", n_legs - legs),
				CP_KV_UINT("programmed_again", added));
		break;
	}
	default:
		break;
	}
}

static struct cp_participant *by_leg(struct cp *cp, uint32_t leg)
{
	unsigned k;

	for (struct cp_room *room = cp_rooms_first(&cp->rooms, &k); room;
	     room = cp_rooms_next(&cp->rooms, room, &k))
		for (struct cp_participant *p = room->members; p; p = p->next)
			if (p->dp_leg == leg)
				return p;
	return NULL;
}

static struct cp_room *room_by_dp(struct cp *cp, uint32_t dp_room)
{
	unsigned k;

	for (struct cp_room *r = cp_rooms_first(&cp->rooms, &k); r;
	     r = cp_rooms_next(&cp->rooms, r, &k))
		if (r->dp_room == dp_room)
			return r;
	return NULL;
}

static struct cp_participant *publisher_of(struct cp_room *room, uint32_t stream)
{
	for (struct cp_participant *p = room->members; p; p = p->next)
		for (unsigned i = 0; i < p->n_pubs; i++)
			for (unsigned e = 0; e < p->pubs[i].n_encodings; e++)
				if (stream && p->pubs[i].dp_stream[e] == stream)
					return p;
	return NULL;
}

/*
 * strata-dp's speaker ranking (RFC 6464 levels of the room's audio) as the
 * signaling events: "participants" with everyone ordered by speech
 * activity (those ranked first, the rest in join order), and
 * "loudest-changed" when the loudest is someone new.
 */
static void on_speaker(struct cp *cp, const struct strata_event_active_speaker *as)
{
	struct cp_room *room = room_by_dp(cp, as->room);
	const char **order;
	size_t n = 0;
	char *json;

	if (!room || !(order = calloc(room->n_members + 1, sizeof(*order))))
		return;
	for (unsigned i = 0; i < as->n && i < STRATA_SPEAKER_MAX_RANKED; i++) {
		struct cp_participant *p = publisher_of(room, as->ranked[i]);
		bool seen = false;

		for (size_t k = 0; p && k < n; k++)
			seen |= order[k] == p->id;
		if (p && p->joined && !seen)
			order[n++] = p->id;
	}
	for (struct cp_participant *p = room->members; p; p = p->next) {
		bool seen = false;

		for (size_t k = 0; k < n; k++)
			seen |= order[k] == p->id;
		if (p->joined && !seen)
			order[n++] = p->id;
	}
	json = sig_build_participants(order, n);
	cp_room_broadcast(room, NULL, json);
	sig_json_free(json);
	free(order);
	if (as->loudest_stream) {
		struct cp_participant *p = publisher_of(room, as->loudest_stream);

		if (p && p->joined && strcmp(room->loudest, p->id) != 0) {
			snprintf(room->loudest, sizeof(room->loudest), "%s", p->id);
			json = sig_build_loudest_changed(p->id);
			cp_room_broadcast(room, NULL, json);
			sig_json_free(json);
		}
	}
}

static void event(void *arg, const struct strata_event *ev)
{
	struct cp *cp = arg;
	struct cp_participant *p;

	switch (ev->type) {
	case STRATA_EVENT_STATS:
		cp->dp_stats = ev->u.stats;
		cp->have_dp_stats = true;
		cp_commands_stats_ready(cp);
		break;
	case STRATA_EVENT_LEG_LATCHED:
		p = by_leg(cp, ev->u.leg_latched.leg);
		if (p)
			p->remote = ev->u.leg_latched.remote;
		break;
	case STRATA_EVENT_STREAM_STARTED:
	case STRATA_EVENT_STREAM_STOPPED:
		CP_DBG(ev->type == STRATA_EVENT_STREAM_STARTED ? "stream started"
							       : "stream stopped",
		       CP_KV_UINT("stream", ev->u.stream.stream),
		       CP_KV_UINT("ssrc", ev->u.stream.ssrc));
		break;
	case STRATA_EVENT_DUMP_LEG:
	case STRATA_EVENT_DUMP_STREAM:
	case STRATA_EVENT_DUMP_SUB:
	case STRATA_EVENT_DUMP_END:
		on_dump(cp, ev);
		break;
	case STRATA_EVENT_ACTIVE_SPEAKER:
		on_speaker(cp, &ev->u.active_speaker);
		break;
	default:
		break;
	}
}

/* Punted packets: STUN Binding requests get their answer (stun.h: what
 * the client's address looks like from here); strata-cp's clients are
 * keyed over signaling and need no DTLS, so the rest is dropped. */
static void punt(void *arg, const struct strata_packet *pkt, unsigned worker)
{
	struct cp *cp = arg;
	uint8_t out[128];
	size_t n = 0;
	enum cp_stun_result r;

	(void)worker;
	if (pkt->class != STRATA_PACKET_STUN || pkt->len > sizeof(pkt->data)) {
		CP_LOG_RL(CP_LOG_DEBUG, 1, 5, "punted packet dropped",
			  CP_KV_UINT("class", pkt->class), CP_KV_UINT("len", pkt->len));
		return;
	}
	r = cp_stun_answer(pkt->data, pkt->len, &pkt->remote, out, sizeof(out), &n);
	cp->stun[r]++;
	if (r == CP_STUN_ANSWERED)
		cp_dplink_send_packet(cp->dp, &pkt->local, &pkt->remote, out, n);
	else
		CP_LOG_RL(CP_LOG_DEBUG, 1, 5, "STUN not answered",
			  CP_KV_STR("why", cp_stun_result_name(r)));
}

const struct cp_dplink_ops cp_dplink_handlers = {
	.event = event,
	.punt = punt,
	.attached = attached,
	.detached = detached,
};
