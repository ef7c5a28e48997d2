/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-cp's commands, applied by the main lcore.
 *
 * Every command is validated completely before anything changes, so a
 * refused command leaves the tables as they were; every command gets one
 * CMD_RESULT.  New entries are filled in, then published with a release
 * store (port map, SSRC slot, receiver list); deleted ones are unpublished,
 * then retired through RCU (tables_update.h).
 */
#include <string.h>

#include <rte_hash.h>
#include <rte_malloc.h>

#include "codec/h264.h"
#include "adapt.h"
#include "leg_bwe.h"
#include "main_lcore.h"
#include "rtcp_state.h"
#include "net/iface.h"

#define ID_OK(id, max) ((id) >= 1 && (id) <= (max))

static void result(struct dp_main *mn, const struct strata_cmd *cmd, enum strata_cmd_status st)
{
	struct strata_event *ev = dp_event_reserve(mn, STRATA_EVENT_CMD_RESULT);

	if (ev == NULL)
		return;
	ev->u.cmd_result.seq = cmd->seq;
	ev->u.cmd_result.cmd_type = cmd->type;
	ev->u.cmd_result.status = (uint16_t)st;
	dp_event_commit(mn);
}

/* Which port and local-address index an address of ours is. */
static int find_local(const struct dp *dp, const struct strata_addr *a, uint16_t *port_index,
		      uint16_t *addr_index)
{
	for (uint16_t p = 0; p < dp->n_ports; p++) {
		int idx = dp_iface_find_addr(&dp->ports[p].ifc, a->family, a->ip);
		if (idx >= 0) {
			*port_index = p;
			*addr_index = (uint16_t)idx;
			return 0;
		}
	}
	return -1;
}

static bool keying_ok(const struct strata_keying *k)
{
	return strata_srtp_profile_get(k->profile) != NULL &&
	       (k->replay_window == 0 ||
		(k->replay_window >= STRATA_SRTP_WINDOW_MIN &&
		 k->replay_window <= STRATA_SRTP_WINDOW_MAX));
}

static int session_from(struct dp_main *mn, struct strata_srtp_session *s,
			const struct strata_keying *k)
{
	const struct strata_srtp_profile *p = strata_srtp_profile_get(k->profile);
	struct strata_srtp_policy pol = {
		.profile = p->id,
		.master_key = k->key,
		.master_salt = k->salt,
		.replay_window = k->replay_window ? k->replay_window
						  : mn->dp->cfg->srtp.replay_window,
		.rtcp_unencrypted = k->rtcp_unencrypted,
	};
	return strata_srtp_session_init(s, mn->srtp, &pol);
}

/*
 * A room's legs share a worker while it can carry them, so a room's
 * packets rarely cross workers; past fanout_per_worker legs the room spreads
 * to the least-loaded worker, whose receivers then get shares of decrypted
 * inputs (fanout.c).
 */
static uint16_t choose_worker(struct dp_main *mn, uint32_t room)
{
	struct dp *dp = mn->dp;
	uint16_t least = 0;

	for (unsigned k = 1; k < dp->n_workers; k++)
		if (mn->legs_per_worker[k] < mn->legs_per_worker[least])
			least = (uint16_t)k;
	if (room == 0 || mn->rooms == NULL)
		return least;

	void *data = NULL;
	struct dp_room *r = NULL;
	if (rte_hash_lookup_data(mn->rooms, &room, &data) >= 0) {
		r = data;
	} else if ((r = calloc(1, sizeof(*r))) != NULL) {
		r->worker = least;
		if (rte_hash_add_key_data(mn->rooms, &room, r) < 0) {
			free(r);
			return least;
		}
	} else {
		return least;
	}
	if (r->legs >= dp->cfg->rooms.fanout_per_worker)
		return least;
	r->legs++;
	return r->worker;
}

static enum strata_cmd_status leg_add(struct dp_main *mn, const struct strata_cmd_leg_add *c)
{
	struct dp *dp = mn->dp;
	struct dp_tables *t = &dp->tables;
	uint16_t pi, ai;

	if (!ID_OK(c->leg, t->max_legs) || c->local.port == 0 || !keying_ok(&c->rx) ||
	    !keying_ok(&c->tx) ||
	    (c->remote.port != 0 && c->remote.family != c->local.family) ||
	    c->ext_transport_cc > 14 /* RFC 8285 one-byte ids: 1..14 */)
		return STRATA_CMD_EINVAL;
	struct dp_leg *leg = &t->legs[c->leg];
	if (leg->in_use || leg->retiring)
		return STRATA_CMD_EEXIST;
	if (find_local(dp, &c->local, &pi, &ai) != 0)
		return STRATA_CMD_EADDR;
	if (dp_leg_by_port(t, ai, c->local.port) != 0)
		return STRATA_CMD_EEXIST;

	uint32_t gen = atomic_load(&leg->gen);
	memset(leg, 0, offsetof(struct dp_leg, rx));
	atomic_store(&leg->gen, gen);
	if (session_from(mn, &leg->rx, &c->rx) != STRATA_SRTP_OK ||
	    session_from(mn, &leg->tx, &c->tx) != STRATA_SRTP_OK) {
		strata_srtp_session_wipe(&leg->rx);
		strata_srtp_session_wipe(&leg->tx);
		return STRATA_CMD_EINVAL;
	}
	if (dp_leg_bwe_attach(leg, dp->tsc_hz) != 0) {
		strata_srtp_session_wipe(&leg->rx);
		strata_srtp_session_wipe(&leg->tx);
		return STRATA_CMD_ENOSPC;
	}
	dp_adapt_leg_added(mn, c->leg);
	leg->ext_transport_cc = c->ext_transport_cc;
	leg->latch = c->latch != 0;
	leg->room = c->room;
	leg->port_id = dp->ports[pi].port_id;
	leg->local_addr = ai;
	leg->local = c->local;
	leg->remote = c->remote;
	leg->worker = choose_worker(mn, c->room);
	mn->legs_per_worker[leg->worker]++;
	leg->in_use = 1;
	if (c->remote.port != 0)
		dp_main_resolve_leg(mn, leg);
	/* Published last: from here on workers find the leg. */
	atomic_store_explicit(&t->leg_by_port[ai][c->local.port], c->leg, memory_order_release);
	return STRATA_CMD_OK;
}

/*
 * A source that no stream publishes and no receiver subscribes to is
 * forgotten, so its id can come back as another kind or codec (a client
 * that republishes in H.264 after VP8, or a control plane reusing ids).
 * While receivers stay subscribed it is kept as it was: the publisher may
 * come back, and their rewrite state is that codec's.  Workers may still
 * read n_encodings for a packet of the retiring stream; 0 there selects
 * as for a single encoding, which is what that stream was.
 */
static void source_forget_if_unused(struct dp_main *mn, uint32_t id)
{
	struct dp_source *src = &mn->dp->tables.sources[id];

	for (unsigned e = 0; e < DP_SOURCE_MAX_ENCODINGS; e++)
		if (atomic_load(&src->encodings[e]) != 0)
			return;
	const struct dp_sub_list *list = atomic_load(&src->subs);
	if (list != NULL && list->count != 0)
		return;
	src->in_use = 0;
	src->kind = 0;
	src->codec = 0;
	src->n_encodings = 0;
}

static void stream_unpublish(struct dp_main *mn, uint32_t id);
static void sub_unpublish(struct dp_main *mn, uint32_t id);

static enum strata_cmd_status leg_del(struct dp_main *mn, const struct strata_cmd_leg_del *c)
{
	struct dp_tables *t = &mn->dp->tables;

	if (!ID_OK(c->leg, t->max_legs))
		return STRATA_CMD_EINVAL;
	struct dp_leg *leg = &t->legs[c->leg];
	if (!leg->in_use)
		return STRATA_CMD_ENOENT;

	/* A leg takes its streams and its subscriptions with it. */
	for (unsigned i = 0; i < DP_LEG_MAX_SSRCS; i++) {
		uint32_t s = atomic_load(&leg->ssrcs[i].stream);
		if (s != 0 && !leg->ssrcs[i].rtx)
			stream_unpublish(mn, s);
	}
	for (uint32_t s = 1; s <= t->max_subs; s++)
		if (t->subs[s].in_use && t->subs[s].leg == c->leg)
			sub_unpublish(mn, s);

	atomic_store_explicit(&t->leg_by_port[leg->local_addr][leg->local.port], 0,
			      memory_order_release);
	atomic_fetch_add(&leg->gen, 1);
	mn->legs_per_worker[leg->worker]--;
	leg->in_use = 0;
	leg->retiring = 1;
	dp_retire(&mn->update, DP_RETIRE_LEG, c->leg, NULL);
	return STRATA_CMD_OK;
}

/* A free SSRC slot of the leg, or -1. */
static int leg_free_slot(const struct dp_leg *leg, int skip)
{
	for (int i = 0; i < DP_LEG_MAX_SSRCS; i++)
		if (i != skip && atomic_load(&leg->ssrcs[i].stream) == 0)
			return i;
	return -1;
}

static bool leg_has_ssrc(const struct dp_leg *leg, uint32_t ssrc)
{
	for (int i = 0; i < DP_LEG_MAX_SSRCS; i++)
		if (atomic_load(&leg->ssrcs[i].stream) != 0 && leg->ssrcs[i].ssrc == ssrc)
			return true;
	return false;
}

static enum strata_cmd_status stream_add(struct dp_main *mn,
					 const struct strata_cmd_stream_add *c)
{
	struct dp_tables *t = &mn->dp->tables;

	if (!ID_OK(c->stream, t->max_streams) || !ID_OK(c->source, t->max_sources) ||
	    !ID_OK(c->leg, t->max_legs) || c->encoding >= DP_SOURCE_MAX_ENCODINGS ||
	    (c->kind != STRATA_MEDIA_AUDIO && c->kind != STRATA_MEDIA_VIDEO) ||
	    c->codec < STRATA_CODEC_OPUS || c->codec > STRATA_CODEC_AV1 || c->clock_rate == 0 ||
	    (c->rtx_ssrc != 0 && c->rtx_ssrc == c->ssrc))
		return STRATA_CMD_EINVAL;
	struct dp_stream *st = &t->streams[c->stream];
	struct dp_leg *leg = &t->legs[c->leg];
	struct dp_source *src = &t->sources[c->source];
	if (st->in_use || st->retiring)
		return STRATA_CMD_EEXIST;
	if (!leg->in_use)
		return STRATA_CMD_ENOENT;
	if (src->in_use && (src->kind != c->kind ||
			    (src->codec != 0 && src->codec != c->codec)))
		return STRATA_CMD_EINVAL;
	if (atomic_load(&src->encodings[c->encoding]) != 0 || leg_has_ssrc(leg, c->ssrc) ||
	    (c->rtx_ssrc && leg_has_ssrc(leg, c->rtx_ssrc)))
		return STRATA_CMD_EEXIST;
	int slot = leg_free_slot(leg, -1);
	int rtx_slot = c->rtx_ssrc ? leg_free_slot(leg, slot) : -2;
	if (slot < 0 || rtx_slot == -1)
		return STRATA_CMD_ENOSPC;

	uint32_t gen = atomic_load(&st->gen);
	memset(st, 0, sizeof(*st));
	atomic_store(&st->gen, gen);
	st->kind = c->kind;
	st->codec = c->codec;
	st->pt = c->pt;
	st->rtx_pt = c->rtx_pt;
	st->encoding = c->encoding;
	st->ext_audio_level = c->ext_audio_level;
	st->ext_abs_send_time = c->ext_abs_send_time;
	st->ext_transport_cc = c->ext_transport_cc;
	st->ext_dependency_descriptor = c->ext_dependency_descriptor;
	st->ext_mid = c->ext_mid;
	st->leg = c->leg;
	st->source = c->source;
	st->ssrc = c->ssrc;
	st->rtx_ssrc = c->rtx_ssrc;
	st->clock_rate = c->clock_rate;
	st->audio_level = 127;
	strata_srtp_rx_init(&st->srtp, &leg->rx, c->ssrc);
	strata_srtp_rx_init(&st->srtp_rtx, &leg->rx, c->rtx_ssrc);
	if (c->ext_dependency_descriptor) {
		/* The descriptor's template structure, learnt from the stream
		 * (about 9 KB: only for streams that negotiated it). */
		st->dd = rte_zmalloc("strata_dd_stream", sizeof(*st->dd), RTE_CACHE_LINE_SIZE);
		if (st->dd == NULL)
			return STRATA_CMD_ENOSPC;
		dp_av1_dd_stream_init(st->dd);
	}
	if (c->codec == STRATA_CODEC_H264) {
		st->h264 = rte_zmalloc("strata_h264_track", sizeof(*st->h264), 0);
		if (st->h264 == NULL) {
			rte_free(st->dd);
			st->dd = NULL;
			return STRATA_CMD_ENOSPC;
		}
	}
	st->in_use = 1;

	if (!src->in_use) {
		src->kind = c->kind;
		src->in_use = 1;
	}
	src->codec = c->codec;
	atomic_store_explicit(&src->encodings[c->encoding], c->stream, memory_order_release);
	if (c->encoding + 1u > src->n_encodings)
		src->n_encodings = (uint8_t)(c->encoding + 1);

	/* The SSRC slots last: incoming packets find the stream from here. */
	leg->ssrcs[slot].ssrc = c->ssrc;
	leg->ssrcs[slot].rtx = 0;
	atomic_store_explicit(&leg->ssrcs[slot].stream, c->stream, memory_order_release);
	if (c->rtx_ssrc) {
		leg->ssrcs[rtx_slot].ssrc = c->rtx_ssrc;
		leg->ssrcs[rtx_slot].rtx = 1;
		atomic_store_explicit(&leg->ssrcs[rtx_slot].stream, c->stream,
				      memory_order_release);
	}
	return STRATA_CMD_OK;
}

static void stream_unpublish(struct dp_main *mn, uint32_t id)
{
	struct dp_tables *t = &mn->dp->tables;
	struct dp_stream *st = &t->streams[id];
	struct dp_leg *leg = &t->legs[st->leg];
	struct dp_source *src = &t->sources[st->source];

	for (unsigned i = 0; i < DP_LEG_MAX_SSRCS; i++)
		if (atomic_load(&leg->ssrcs[i].stream) == id)
			atomic_store_explicit(&leg->ssrcs[i].stream, 0, memory_order_release);
	atomic_store_explicit(&src->encodings[st->encoding], 0, memory_order_release);
	/* The source stays while receivers are subscribed to it: the
	 * publisher may come back. */
	atomic_fetch_add(&st->gen, 1);
	st->in_use = 0;
	st->retiring = 1;
	dp_retire(&mn->update, DP_RETIRE_STREAM, id, NULL);
	source_forget_if_unused(mn, st->source);
}

static enum strata_cmd_status stream_del(struct dp_main *mn,
					 const struct strata_cmd_stream_del *c)
{
	struct dp_tables *t = &mn->dp->tables;

	if (!ID_OK(c->stream, t->max_streams))
		return STRATA_CMD_EINVAL;
	if (!t->streams[c->stream].in_use)
		return STRATA_CMD_ENOENT;
	stream_unpublish(mn, c->stream);
	return STRATA_CMD_OK;
}

static enum strata_cmd_status sub_add(struct dp_main *mn, const struct strata_cmd_sub_add *c)
{
	struct dp_tables *t = &mn->dp->tables;

	if (!ID_OK(c->sub, t->max_subs) || !ID_OK(c->leg, t->max_legs) ||
	    !ID_OK(c->source, t->max_sources) || c->ssrc == 0)
		return STRATA_CMD_EINVAL;
	struct dp_sub *sub = &t->subs[c->sub];
	struct dp_leg *leg = &t->legs[c->leg];
	struct dp_source *src = &t->sources[c->source];
	if (sub->in_use || sub->retiring)
		return STRATA_CMD_EEXIST;
	if (!leg->in_use)
		return STRATA_CMD_ENOENT;

	uint32_t gen = atomic_load(&sub->gen);
	memset(sub, 0, sizeof(*sub));
	atomic_store(&sub->gen, gen);
	sub->pt = c->pt;
	sub->rtx_pt = c->rtx_pt;
	sub->leg = c->leg;
	sub->source = c->source;
	sub->ssrc = c->ssrc;
	sub->rtx_ssrc = c->rtx_ssrc;
	sub->worker = leg->worker;
	sub->cur_spatial = DP_NONE;
	sub->cur_temporal = DP_NONE;
	sub->cap_spatial = c->spatial;
	sub->cap_temporal = c->temporal;
	dp_adapt_sub_caps(mn, c->sub, true); /* the targets: the cap, until adaptation */
	strata_srtp_tx_init(&sub->srtp, c->ssrc);
	sub->in_use = 1;
	dp_rtcp_sub_added(mn->dp, c->sub); /* its SSRC, for the leg's RTCP */
	if (!src->in_use)
		src->in_use = 1; /* subscribed before anyone publishes */
	if (dp_source_publish_subs(&mn->update, c->source) != 0) {
		sub->in_use = 0;
		return STRATA_CMD_ENOSPC;
	}
	return STRATA_CMD_OK;
}

static void sub_unpublish(struct dp_main *mn, uint32_t id)
{
	struct dp_sub *sub = &mn->dp->tables.subs[id];

	dp_rtcp_sub_removed(mn->dp, id);
	sub->in_use = 0;
	sub->retiring = 1;
	atomic_fetch_add(&sub->gen, 1);
	/* Without memory for the new list the old one (which still names
	 * this subscription) stays; the slot is retired anyway, so the
	 * worker sees in_use = 0 and the list is rebuilt by the next change. */
	dp_source_publish_subs(&mn->update, sub->source);
	dp_retire(&mn->update, DP_RETIRE_SUB, id, NULL);
	source_forget_if_unused(mn, sub->source);
}

static enum strata_cmd_status sub_del(struct dp_main *mn, const struct strata_cmd_sub_del *c)
{
	struct dp_tables *t = &mn->dp->tables;

	if (!ID_OK(c->sub, t->max_subs))
		return STRATA_CMD_EINVAL;
	if (!t->subs[c->sub].in_use)
		return STRATA_CMD_ENOENT;
	sub_unpublish(mn, c->sub);
	return STRATA_CMD_OK;
}

static enum strata_cmd_status sub_set_layers(struct dp_main *mn,
					     const struct strata_cmd_sub_set_layers *c)
{
	struct dp_tables *t = &mn->dp->tables;

	if (!ID_OK(c->sub, t->max_subs))
		return STRATA_CMD_EINVAL;
	struct dp_sub *sub = &t->subs[c->sub];
	if (!sub->in_use)
		return STRATA_CMD_ENOENT;
	/* The cap and the wishes; adaptation (adapt.h) sets the targets. */
	sub->cap_spatial = c->spatial;
	sub->cap_temporal = c->temporal;
	sub->paused = c->paused != 0;
	sub->max_height = c->max_height;
	dp_adapt_sub_caps(mn, c->sub, false);
	return STRATA_CMD_OK;
}

/* Everything strata-dp holds, for a restarted strata-cp to reconcile. */
static void dump(struct dp_main *mn)
{
	struct dp_tables *t = &mn->dp->tables;
	struct strata_event *ev;

	for (uint32_t i = 1; i <= t->max_legs; i++) {
		const struct dp_leg *leg = &t->legs[i];
		if (!leg->in_use || (ev = dp_event_reserve(mn, STRATA_EVENT_DUMP_LEG)) == NULL)
			continue;
		ev->u.dump_leg = (struct strata_event_dump_leg){
			.leg = i, .room = leg->room, .local = leg->local, .remote = leg->remote,
			.latch = leg->latch, .rx_profile = (uint8_t)leg->rx.profile->id,
			.tx_profile = (uint8_t)leg->tx.profile->id, .worker = leg->worker};
		dp_event_commit(mn);
	}
	for (uint32_t i = 1; i <= t->max_streams; i++) {
		const struct dp_stream *st = &t->streams[i];
		if (!st->in_use || (ev = dp_event_reserve(mn, STRATA_EVENT_DUMP_STREAM)) == NULL)
			continue;
		ev->u.stream = (struct strata_event_stream){
			.stream = i, .source = st->source, .leg = st->leg, .ssrc = st->ssrc,
			.packets = st->packets, .bytes = st->bytes, .audio_level = st->audio_level};
		dp_event_commit(mn);
	}
	for (uint32_t i = 1; i <= t->max_subs; i++) {
		const struct dp_sub *sub = &t->subs[i];
		if (!sub->in_use || (ev = dp_event_reserve(mn, STRATA_EVENT_DUMP_SUB)) == NULL)
			continue;
		ev->u.dump_sub = (struct strata_event_dump_sub){
			.sub = i, .leg = sub->leg, .source = sub->source, .ssrc = sub->ssrc,
			.spatial = atomic_load(&sub->target_spatial),
			.temporal = atomic_load(&sub->target_temporal),
			.cur_spatial = sub->cur_spatial, .cur_temporal = sub->cur_temporal};
		dp_event_commit(mn);
	}
	if ((ev = dp_event_reserve(mn, STRATA_EVENT_DUMP_END)) != NULL)
		dp_event_commit(mn);
}

void dp_command_apply(struct dp_main *mn, const struct strata_cmd *cmd)
{
	enum strata_cmd_status st;

	switch (cmd->type) {
	case STRATA_CMD_LEG_ADD: st = leg_add(mn, &cmd->u.leg_add); break;
	case STRATA_CMD_LEG_DEL: st = leg_del(mn, &cmd->u.leg_del); break;
	case STRATA_CMD_STREAM_ADD: st = stream_add(mn, &cmd->u.stream_add); break;
	case STRATA_CMD_STREAM_DEL: st = stream_del(mn, &cmd->u.stream_del); break;
	case STRATA_CMD_SUB_ADD: st = sub_add(mn, &cmd->u.sub_add); break;
	case STRATA_CMD_SUB_DEL: st = sub_del(mn, &cmd->u.sub_del); break;
	case STRATA_CMD_SUB_SET_LAYERS: st = sub_set_layers(mn, &cmd->u.sub_set_layers); break;
	case STRATA_CMD_LEG_SET_PREFS: st = dp_adapt_leg_prefs(mn, &cmd->u.leg_set_prefs); break;
	case STRATA_CMD_ROOM_SET_POLICY:
		st = dp_adapt_room_policy(mn, &cmd->u.room_set_policy);
		break;
	case STRATA_CMD_DUMP:
		dump(mn);
		st = STRATA_CMD_OK;
		break;
	case STRATA_CMD_STATS:
		dp_stats_emit(mn, true);
		st = STRATA_CMD_OK;
		break;
	default:
		st = STRATA_CMD_EINVAL;
		break;
	}
	result(mn, cmd, st);
}
