/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-fake-dp: a stand-in for strata-dp on the far side of the rings,
 * with no DPDK and no packets.  It creates the segment with dp_shm_create,
 * answers every command as the dataplane's tables would (ids in range,
 * EEXIST, ENOENT, EBUSY for a leg still referenced), answers DUMP and STATS
 * with their events, and echoes each packet of the tx ring back as a punt
 * (classified by its first byte, RFC 7983), so that strata-dp-driver and
 * strata-cp can be tested without a NIC.
 *
 *   strata-fake-dp [--shm NAME] [--workers N] [--max N] [--group G]
 *                  [--log FILE] [--stats-interval MS]
 *
 * --log writes every command it takes as a JSON line, keys included (it is
 * a test double).  It prints one line when ready and runs until SIGTERM or
 * SIGINT, then removes the segment.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../dataplane/shm.h"
#include "dp_driver_text.h"

#define PROG "strata-fake-dp"

struct model {
	uint32_t max;
	struct strata_cmd_leg_add *legs;     /* keys wiped; leg == 0: free */
	struct strata_cmd_stream_add *streams;
	struct strata_cmd_sub_add *subs;
	uint8_t *cur_spatial, *cur_temporal;
	unsigned n_legs, n_streams, n_subs;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool valid_id(const struct model *m, uint32_t id)
{
	return id >= 1 && id <= m->max;
}

static bool leg_referenced(const struct model *m, uint32_t leg)
{
	for (uint32_t i = 1; i <= m->max; i++)
		if ((m->streams[i].stream && m->streams[i].leg == leg) ||
		    (m->subs[i].sub && m->subs[i].leg == leg))
			return true;
	return false;
}

static bool source_exists(const struct model *m, uint32_t source)
{
	for (uint32_t i = 1; i <= m->max; i++)
		if (m->streams[i].stream && m->streams[i].source == source)
			return true;
	return false;
}

static bool profile_ok(uint8_t p)
{
	return p >= 1 && p <= 5;
}

static int do_leg_add(struct model *m, const struct strata_cmd_leg_add *p)
{
	if (!valid_id(m, p->leg) || !profile_ok(p->rx.profile) || !profile_ok(p->tx.profile) ||
	    p->local.family == STRATA_AF_NONE)
		return STRATA_CMD_EINVAL;
	if (m->legs[p->leg].leg)
		return STRATA_CMD_EEXIST;
	m->legs[p->leg] = *p;
	explicit_bzero(&m->legs[p->leg].rx, sizeof(p->rx));
	explicit_bzero(&m->legs[p->leg].tx, sizeof(p->tx));
	m->legs[p->leg].rx.profile = p->rx.profile;
	m->legs[p->leg].tx.profile = p->tx.profile;
	m->n_legs++;
	return STRATA_CMD_OK;
}

static int do_cmd(struct model *m, const struct strata_cmd *cmd)
{
	uint32_t id;

	memcpy(&id, cmd->u.raw, sizeof(id));
	switch (cmd->type) {
	case STRATA_CMD_LEG_ADD:
		return do_leg_add(m, &cmd->u.leg_add);
	case STRATA_CMD_LEG_DEL:
		if (!valid_id(m, id))
			return STRATA_CMD_EINVAL;
		if (!m->legs[id].leg)
			return STRATA_CMD_ENOENT;
		if (leg_referenced(m, id))
			return STRATA_CMD_EBUSY;
		memset(&m->legs[id], 0, sizeof(m->legs[id]));
		m->n_legs--;
		return STRATA_CMD_OK;
	case STRATA_CMD_STREAM_ADD: {
		const struct strata_cmd_stream_add *s = &cmd->u.stream_add;

		if (!valid_id(m, s->stream) || !valid_id(m, s->source))
			return STRATA_CMD_EINVAL;
		if (!valid_id(m, s->leg) || !m->legs[s->leg].leg)
			return STRATA_CMD_ENOENT;
		if (m->streams[s->stream].stream)
			return STRATA_CMD_EEXIST;
		m->streams[s->stream] = *s;
		m->n_streams++;
		return STRATA_CMD_OK;
	}
	case STRATA_CMD_STREAM_DEL:
		if (!valid_id(m, id))
			return STRATA_CMD_EINVAL;
		if (!m->streams[id].stream)
			return STRATA_CMD_ENOENT;
		memset(&m->streams[id], 0, sizeof(m->streams[id]));
		m->n_streams--;
		return STRATA_CMD_OK;
	case STRATA_CMD_SUB_ADD: {
		const struct strata_cmd_sub_add *s = &cmd->u.sub_add;

		if (!valid_id(m, s->sub))
			return STRATA_CMD_EINVAL;
		if (!valid_id(m, s->leg) || !m->legs[s->leg].leg || !source_exists(m, s->source))
			return STRATA_CMD_ENOENT;
		if (m->subs[s->sub].sub)
			return STRATA_CMD_EEXIST;
		m->subs[s->sub] = *s;
		m->cur_spatial[s->sub] = 0;
		m->cur_temporal[s->sub] = 0;
		m->n_subs++;
		return STRATA_CMD_OK;
	}
	case STRATA_CMD_SUB_DEL:
		if (!valid_id(m, id))
			return STRATA_CMD_EINVAL;
		if (!m->subs[id].sub)
			return STRATA_CMD_ENOENT;
		memset(&m->subs[id], 0, sizeof(m->subs[id]));
		m->n_subs--;
		return STRATA_CMD_OK;
	case STRATA_CMD_SUB_SET_LAYERS:
		id = cmd->u.sub_set_layers.sub;
		if (!valid_id(m, id))
			return STRATA_CMD_EINVAL;
		if (!m->subs[id].sub)
			return STRATA_CMD_ENOENT;
		m->subs[id].spatial = cmd->u.sub_set_layers.spatial;
		m->subs[id].temporal = cmd->u.sub_set_layers.temporal;
		return STRATA_CMD_OK;
	case STRATA_CMD_LEG_SET_PREFS:
		/* Checked as strata-dp checks it; the model keeps no wishes. */
		id = cmd->u.leg_set_prefs.leg;
		if (!valid_id(m, id))
			return STRATA_CMD_EINVAL;
		return m->legs[id].leg ? STRATA_CMD_OK : STRATA_CMD_ENOENT;
	case STRATA_CMD_ROOM_SET_POLICY:
		return cmd->u.room_set_policy.room != 0 &&
				       cmd->u.room_set_policy.layer_policy <=
					       STRATA_LAYER_POLICY_SPEAKER_FIRST &&
				       cmd->u.room_set_policy.speaker_events_per_s <= 16
			       ? STRATA_CMD_OK
			       : STRATA_CMD_EINVAL;
	case STRATA_CMD_DUMP:
	case STRATA_CMD_STATS:
		return STRATA_CMD_OK;
	}
	return STRATA_CMD_EINVAL;
}

/* Like strata-dp's main lcore: a full event ring drops (and counts). */
static void post(struct dp_shm *shm, const struct strata_event *ev)
{
	(void)dp_shm_event_post(shm, ev);
}

static void post_result(struct dp_shm *shm, const struct strata_cmd *cmd, int status)
{
	struct strata_event ev = { .type = STRATA_EVENT_CMD_RESULT };

	ev.u.cmd_result.seq = cmd->seq;
	ev.u.cmd_result.cmd_type = cmd->type;
	ev.u.cmd_result.status = (uint16_t)status;
	post(shm, &ev);
}

/* DUMP answers after its result, STATS before: strata-dp-driver copes with both. */
static void post_dump(struct dp_shm *shm, const struct model *m)
{
	struct strata_event ev;

	for (uint32_t i = 1; i <= m->max; i++) {
		const struct strata_cmd_leg_add *l = &m->legs[i];

		if (!l->leg)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.type = STRATA_EVENT_DUMP_LEG;
		ev.u.dump_leg.leg = l->leg;
		ev.u.dump_leg.room = l->room;
		ev.u.dump_leg.local = l->local;
		ev.u.dump_leg.remote = l->remote;
		ev.u.dump_leg.latch = l->latch;
		ev.u.dump_leg.rx_profile = l->rx.profile;
		ev.u.dump_leg.tx_profile = l->tx.profile;
		ev.u.dump_leg.worker = (uint16_t)(l->room % dp_shm_header(shm)->n_workers);
		post(shm, &ev);
	}
	for (uint32_t i = 1; i <= m->max; i++) {
		const struct strata_cmd_stream_add *s = &m->streams[i];

		if (!s->stream)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.type = STRATA_EVENT_DUMP_STREAM;
		ev.u.stream.stream = s->stream;
		ev.u.stream.source = s->source;
		ev.u.stream.leg = s->leg;
		ev.u.stream.ssrc = s->ssrc;
		ev.u.stream.audio_level = 127;
		post(shm, &ev);
	}
	for (uint32_t i = 1; i <= m->max; i++) {
		const struct strata_cmd_sub_add *s = &m->subs[i];

		if (!s->sub)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.type = STRATA_EVENT_DUMP_SUB;
		ev.u.dump_sub.sub = s->sub;
		ev.u.dump_sub.leg = s->leg;
		ev.u.dump_sub.source = s->source;
		ev.u.dump_sub.ssrc = s->ssrc;
		ev.u.dump_sub.spatial = s->spatial;
		ev.u.dump_sub.temporal = s->temporal;
		ev.u.dump_sub.cur_spatial = m->cur_spatial[i];
		ev.u.dump_sub.cur_temporal = m->cur_temporal[i];
		post(shm, &ev);
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = STRATA_EVENT_DUMP_END;
	post(shm, &ev);
}

static void post_stats(struct dp_shm *shm, const struct model *m, bool legs)
{
	struct strata_event ev = { .type = STRATA_EVENT_STATS };

	ev.u.stats.time_ns = now_ns();
	ev.u.stats.legs = m->n_legs;
	ev.u.stats.streams = m->n_streams;
	ev.u.stats.subscriptions = m->n_subs;
	ev.u.stats.workers = dp_shm_header(shm)->n_workers;
	post(shm, &ev);
	for (uint32_t i = 1; legs && i <= m->max; i++) {
		if (!m->legs[i].leg)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.type = STRATA_EVENT_LEG_STATS;
		ev.u.leg_stats.leg = i;
		ev.u.leg_stats.remote = m->legs[i].remote;
		post(shm, &ev);
	}
}

/* RFC 7983 section 7: the first byte tells STUN, DTLS and RTP/RTCP apart. */
static uint8_t classify(const struct strata_packet *pkt)
{
	uint8_t b = pkt->len ? pkt->data[0] : 255;

	if (b <= 3)
		return STRATA_PACKET_STUN;
	if (b >= 20 && b <= 63)
		return STRATA_PACKET_DTLS;
	if (b >= 128 && b <= 191)
		return STRATA_PACKET_NO_LEG;
	return STRATA_PACKET_OTHER;
}

/* Each packet strata-cp sends comes back as if the peer had answered. */
static bool echo_tx(struct dp_shm *shm)
{
	struct strata_ring *tx = dp_shm_tx_ring(shm);
	const struct strata_packet *in = strata_ring_peek(tx);
	struct strata_packet *out;
	struct strata_ring *punt;

	if (!in)
		return false;
	punt = dp_shm_punt_ring(shm, in->remote.port % dp_shm_header(shm)->n_workers);
	out = strata_ring_reserve(punt);
	if (out) {
		memcpy(out, in, sizeof(*out));
		out->class = classify(in);
		out->port_id = 0;
		strata_ring_commit(punt);
	}
	strata_ring_release(tx);
	return true;
}

static bool alloc_model(struct model *m, uint32_t max)
{
	m->max = max;
	m->legs = calloc(max + 1, sizeof(*m->legs));
	m->streams = calloc(max + 1, sizeof(*m->streams));
	m->subs = calloc(max + 1, sizeof(*m->subs));
	m->cur_spatial = calloc(max + 1, 1);
	m->cur_temporal = calloc(max + 1, 1);
	return m->legs && m->streams && m->subs && m->cur_spatial && m->cur_temporal;
}

static void free_model(struct model *m)
{
	free(m->legs);
	free(m->streams);
	free(m->subs);
	free(m->cur_spatial);
	free(m->cur_temporal);
}

static long number_arg(const char *opt, const char *arg, long min, long max)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || v < min || v > max) {
		fprintf(stderr, PROG ": --%s %s: expected %ld to %ld\n", opt, arg, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "shm", required_argument, NULL, 's' },
		{ "workers", required_argument, NULL, 'w' },
		{ "max", required_argument, NULL, 'm' },
		{ "group", required_argument, NULL, 'g' },
		{ "log", required_argument, NULL, 'l' },
		{ "stats-interval", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct dp_shm_params p;
	struct sigaction sa = { .sa_handler = on_signal };
	struct model m = { 0 };
	struct strata_cmd cmd;
	struct dp_shm *shm;
	uint64_t stats_ns = 0, next_stats = 0;
	FILE *log = NULL;
	char err[512];
	int opt;

	dp_shm_params_default(&p);
	p.n_workers = 2;
	p.max_legs = p.max_streams = p.max_sources = p.max_subscriptions = 1024;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': p.name = optarg; break;
		case 'w':
			p.n_workers = (uint32_t)number_arg("workers", optarg, 1,
							   STRATA_SHM_MAX_WORKERS);
			break;
		case 'm':
			p.max_legs = p.max_streams = p.max_sources = p.max_subscriptions =
				(uint32_t)number_arg("max", optarg, 1, 1 << 20);
			break;
		case 'g': p.group = optarg; break;
		case 'l':
			log = fopen(optarg, "w");
			if (!log) {
				fprintf(stderr, PROG ": %s: %s\n", optarg, strerror(errno));
				return 2;
			}
			setvbuf(log, NULL, _IOLBF, 0);
			break;
		case 'i':
			stats_ns = (uint64_t)number_arg("stats-interval", optarg, 1, 3600000) *
				   1000000;
			break;
		default:
			fprintf(stderr, "usage: " PROG " [--shm NAME] [--workers N] [--max N] "
					"[--group G] [--log FILE] [--stats-interval MS]\n");
			return 2;
		}
	}
	if (!alloc_model(&m, p.max_legs)) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	shm = dp_shm_create(&p, err, sizeof(err));
	if (!shm) {
		fprintf(stderr, PROG ": %s\n", err);
		free_model(&m);
		return 1;
	}
	dp_shm_set_state(shm, STRATA_DP_RUNNING);
	printf("{\"fake_dp\":\"ready\",\"shm\":\"%s\",\"epoch\":\"%016llx\",\"pid\":%d}\n",
	       dp_shm_name(shm), (unsigned long long)dp_shm_boot_epoch(shm), (int)getpid());
	fflush(stdout);

	while (!stop) {
		uint64_t now = now_ns();
		bool busy = false;

		dp_shm_heartbeat(shm, now);
		if (stats_ns && now >= next_stats) {
			post_stats(shm, &m, false);
			next_stats = now + stats_ns;
		}
		while (dp_shm_command_take(shm, &cmd)) {
			int status = do_cmd(&m, &cmd);

			busy = true;
			if (log)
				dp_text_json_cmd(log, &cmd);
			if (cmd.type == STRATA_CMD_STATS)
				post_stats(shm, &m, true);
			post_result(shm, &cmd, status);
			if (cmd.type == STRATA_CMD_DUMP)
				post_dump(shm, &m);
			explicit_bzero(&cmd, sizeof(cmd));
		}
		while (echo_tx(shm))
			busy = true;
		if (!busy) {
			struct timespec ts = { 0, 100000 };

			nanosleep(&ts, NULL);
		}
	}
	dp_shm_destroy(shm);
	free_model(&m);
	if (log)
		fclose(log);
	return 0;
}
