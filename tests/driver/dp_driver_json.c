/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON lines for what strata-dp-driver prints besides commands (those are
 * printed from their field table, in dp_driver_text.c): events, punted
 * packets, results, and the names of the ring's enums, which the parser
 * looks commands up by too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "dp_driver_text.h"
#include "srtp.h"

/* ---- printing ------------------------------------------------------------ */

const char *dp_text_addr(const struct strata_addr *a, char *buf)
{
	char ip[INET6_ADDRSTRLEN];

	if (a->family == STRATA_AF_INET && inet_ntop(AF_INET, a->ip, ip, sizeof(ip)))
		snprintf(buf, DP_TEXT_ADDR_LEN, "%s:%u", ip, a->port);
	else if (a->family == STRATA_AF_INET6 && inet_ntop(AF_INET6, a->ip, ip, sizeof(ip)))
		snprintf(buf, DP_TEXT_ADDR_LEN, "[%s]:%u", ip, a->port);
	else if (a->family == STRATA_AF_NONE)
		snprintf(buf, DP_TEXT_ADDR_LEN, "none");
	else
		snprintf(buf, DP_TEXT_ADDR_LEN, "family-%u", a->family);
	return buf;
}

void dp_text_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void dp_text_json_hex(FILE *f, const uint8_t *p, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputc('"', f);
}

static void json_addr(FILE *f, const char *key, const struct strata_addr *a)
{
	char buf[DP_TEXT_ADDR_LEN];

	fprintf(f, ",\"%s\":\"%s\"", key, dp_text_addr(a, buf));
}

void dp_text_json_result(FILE *f, const char *cmd, uint32_t seq, const char *status,
			 const char *error)
{
	fputs("{\"cmd\":", f);
	dp_text_json_string(f, cmd);
	if (seq)
		fprintf(f, ",\"seq\":%u", seq);
	fputs(",\"status\":", f);
	dp_text_json_string(f, status);
	if (error) {
		fputs(",\"error\":", f);
		dp_text_json_string(f, error);
	}
	fputs("}\n", f);
}

static const char *profile_name(unsigned id)
{
	const struct strata_srtp_profile *prof = strata_srtp_profile_get(id);

	return prof ? prof->name : "none";
}

void dp_text_json_event(FILE *f, const struct strata_event *ev)
{
	fprintf(f, "{\"event\":\"%s\"", dp_text_event_name(ev->type));
	switch (ev->type) {
	case STRATA_EVENT_CMD_RESULT: {
		const struct strata_event_cmd_result *r = &ev->u.cmd_result;

		fprintf(f, ",\"seq\":%u,\"cmd\":\"%s\",\"status\":\"%s\"", r->seq,
			dp_text_cmd_name(r->cmd_type), dp_text_status_name(r->status));
		break;
	}
	case STRATA_EVENT_STATS: {
		const struct strata_event_stats *s = &ev->u.stats;

		fprintf(f,
			",\"time_ns\":%llu,\"rx_packets\":%llu,\"rx_bytes\":%llu,"
			"\"forwarded\":%llu,\"dropped\":%llu,\"punted\":%llu,\"replied\":%llu,"
			"\"in_flight\":%llu,\"tx_packets\":%llu,\"tx_bytes\":%llu,"
			"\"tx_dropped\":%llu,\"legs\":%u,\"streams\":%u,\"subscriptions\":%u,"
			"\"workers\":%u",
			(unsigned long long)s->time_ns, (unsigned long long)s->rx_packets,
			(unsigned long long)s->rx_bytes, (unsigned long long)s->forwarded,
			(unsigned long long)s->dropped, (unsigned long long)s->punted,
			(unsigned long long)s->replied, (unsigned long long)s->in_flight,
			(unsigned long long)s->tx_packets, (unsigned long long)s->tx_bytes,
			(unsigned long long)s->tx_dropped, s->legs, s->streams, s->subscriptions,
			s->workers);
		break;
	}
	case STRATA_EVENT_LEG_STATS: {
		const struct strata_event_leg_stats *s = &ev->u.leg_stats;

		fprintf(f,
			",\"leg\":%u,\"rx_packets\":%llu,\"rx_bytes\":%llu,\"rx_dropped\":%llu,"
			"\"tx_packets\":%llu,\"tx_bytes\":%llu,\"tx_dropped\":%llu,"
			"\"srtp_auth_fail\":%llu,\"srtp_replay\":%llu",
			s->leg, (unsigned long long)s->rx_packets, (unsigned long long)s->rx_bytes,
			(unsigned long long)s->rx_dropped, (unsigned long long)s->tx_packets,
			(unsigned long long)s->tx_bytes, (unsigned long long)s->tx_dropped,
			(unsigned long long)s->srtp_auth_fail, (unsigned long long)s->srtp_replay);
		json_addr(f, "remote", &s->remote);
		fprintf(f,
			",\"bwe_bps\":%u,\"bwe_source\":%u,\"twcc_stamped\":%llu,"
			"\"twcc_feedbacks\":%llu,\"remb_count\":%llu,\"twcc_unstamped\":%llu",
			s->bwe_bps, s->bwe_source, (unsigned long long)s->twcc_stamped,
			(unsigned long long)s->twcc_feedbacks, (unsigned long long)s->remb_count,
			(unsigned long long)s->twcc_unstamped);
		fprintf(f,
			",\"rr_blocks\":%llu,\"rr_fraction_lost\":%u,\"rr_cumulative_lost\":%d,"
			"\"rr_jitter\":%u,\"rr_rtt_us\":%lld",
			(unsigned long long)s->rr_blocks, s->rr_fraction_lost, s->rr_cumulative_lost,
			s->rr_jitter, (long long)s->rr_rtt_us);
		break;
	}
	case STRATA_EVENT_STREAM_STARTED:
	case STRATA_EVENT_STREAM_STOPPED:
	case STRATA_EVENT_DUMP_STREAM: {
		const struct strata_event_stream *s = &ev->u.stream;

		fprintf(f,
			",\"stream\":%u,\"source\":%u,\"leg\":%u,\"ssrc\":%u,\"packets\":%llu,"
			"\"bytes\":%llu,\"audio_level\":%u",
			s->stream, s->source, s->leg, s->ssrc, (unsigned long long)s->packets,
			(unsigned long long)s->bytes, s->audio_level);
		break;
	}
	case STRATA_EVENT_KEYFRAME_NEEDED: {
		const struct strata_event_keyframe_needed *k = &ev->u.keyframe_needed;

		fprintf(f, ",\"stream\":%u,\"source\":%u,\"ssrc\":%u,\"sub\":%u", k->stream,
			k->source, k->ssrc, k->sub);
		break;
	}
	case STRATA_EVENT_LEG_LATCHED:
		fprintf(f, ",\"leg\":%u", ev->u.leg_latched.leg);
		json_addr(f, "remote", &ev->u.leg_latched.remote);
		break;
	case STRATA_EVENT_DUMP_LEG: {
		const struct strata_event_dump_leg *l = &ev->u.dump_leg;

		fprintf(f, ",\"leg\":%u,\"room\":%u", l->leg, l->room);
		json_addr(f, "local", &l->local);
		json_addr(f, "remote", &l->remote);
		fprintf(f,
			",\"latch\":%u,\"rx_profile\":\"%s\",\"tx_profile\":\"%s\","
			"\"worker\":%u",
			l->latch, profile_name(l->rx_profile), profile_name(l->tx_profile),
			l->worker);
		break;
	}
	case STRATA_EVENT_DUMP_SUB: {
		const struct strata_event_dump_sub *s = &ev->u.dump_sub;

		fprintf(f,
			",\"sub\":%u,\"leg\":%u,\"source\":%u,\"ssrc\":%u,\"spatial\":%u,"
			"\"temporal\":%u,\"cur_spatial\":%u,\"cur_temporal\":%u",
			s->sub, s->leg, s->source, s->ssrc, s->spatial, s->temporal,
			s->cur_spatial, s->cur_temporal);
		break;
	}
	case STRATA_EVENT_DUMP_END:
		break;
	case STRATA_EVENT_LAYERS_CHANGED: {
		const struct strata_event_layers_changed *l = &ev->u.layers_changed;

		fprintf(f,
			",\"sub\":%u,\"leg\":%u,\"estimate_bps\":%u,\"bps\":%u,\"spatial\":%u,"
			"\"temporal\":%u,\"cap_spatial\":%u,\"cap_temporal\":%u,\"on\":%u,"
			"\"off\":%u",
			l->sub, l->leg, l->estimate_bps, l->bps, l->spatial, l->temporal,
			l->cap_spatial, l->cap_temporal, l->on, l->off);
		break;
	}
	case STRATA_EVENT_ACTIVE_SPEAKER: {
		const struct strata_event_active_speaker *a = &ev->u.active_speaker;
		unsigned n = a->n < STRATA_SPEAKER_MAX_RANKED ? a->n : STRATA_SPEAKER_MAX_RANKED;

		fprintf(f,
			",\"room\":%u,\"loudest_stream\":%u,\"loudest_leg\":%u,"
			"\"loudest_changed\":%u,\"ranked\":[",
			a->room, a->loudest_stream, a->loudest_leg, a->loudest_changed);
		for (unsigned i = 0; i < n; i++)
			fprintf(f, "%s%u", i ? "," : "", a->ranked[i]);
		fputc(']', f);
		break;
	}
	default:
		fprintf(f, ",\"type\":%u,\"raw\":", ev->type);
		dp_text_json_hex(f, ev->u.raw, 64);
		break;
	}
	fputs("}\n", f);
}

const char *dp_text_packet_class(unsigned cls)
{
	switch (cls) {
	case STRATA_PACKET_STUN: return "stun";
	case STRATA_PACKET_DTLS: return "dtls";
	case STRATA_PACKET_NO_LEG: return "no-leg";
	case STRATA_PACKET_OTHER: return "other";
	}
	return "unknown";
}

void dp_text_json_punt(FILE *f, unsigned worker, const struct strata_packet *pkt)
{
	size_t len = pkt->len <= STRATA_PACKET_MAX ? pkt->len : STRATA_PACKET_MAX;

	fprintf(f, "{\"punt\":\"%s\",\"worker\":%u,\"port_id\":%u",
		dp_text_packet_class(pkt->class), worker, pkt->port_id);
	json_addr(f, "local", &pkt->local);
	json_addr(f, "remote", &pkt->remote);
	fprintf(f, ",\"len\":%u,\"data\":", pkt->len);
	dp_text_json_hex(f, pkt->data, len);
	fputs("}\n", f);
}

/* ---- names ---------------------------------------------------------------- */

static const char *const cmd_names[STRATA_CMD_TYPE_COUNT] = {
	[STRATA_CMD_LEG_ADD] = "leg-add",
	[STRATA_CMD_LEG_DEL] = "leg-del",
	[STRATA_CMD_STREAM_ADD] = "stream-add",
	[STRATA_CMD_STREAM_DEL] = "stream-del",
	[STRATA_CMD_SUB_ADD] = "sub-add",
	[STRATA_CMD_SUB_DEL] = "sub-del",
	[STRATA_CMD_SUB_SET_LAYERS] = "sub-layers",
	[STRATA_CMD_DUMP] = "dump",
	[STRATA_CMD_STATS] = "stats",
	[STRATA_CMD_LEG_SET_PREFS] = "leg-prefs",
	[STRATA_CMD_ROOM_SET_POLICY] = "room-policy",
};

static const char *const event_names[STRATA_EVENT_TYPE_COUNT] = {
	[STRATA_EVENT_CMD_RESULT] = "cmd-result",
	[STRATA_EVENT_STATS] = "stats",
	[STRATA_EVENT_LEG_STATS] = "leg-stats",
	[STRATA_EVENT_KEYFRAME_NEEDED] = "keyframe-needed",
	[STRATA_EVENT_STREAM_STARTED] = "stream-started",
	[STRATA_EVENT_STREAM_STOPPED] = "stream-stopped",
	[STRATA_EVENT_LEG_LATCHED] = "leg-latched",
	[STRATA_EVENT_DUMP_LEG] = "dump-leg",
	[STRATA_EVENT_DUMP_STREAM] = "dump-stream",
	[STRATA_EVENT_DUMP_SUB] = "dump-sub",
	[STRATA_EVENT_DUMP_END] = "dump-end",
	[STRATA_EVENT_LAYERS_CHANGED] = "layers-changed",
	[STRATA_EVENT_ACTIVE_SPEAKER] = "active-speaker",
};

static const char *const status_names[] = {
	[STRATA_CMD_OK] = "ok",
	[STRATA_CMD_EINVAL] = "einval",
	[STRATA_CMD_EEXIST] = "eexist",
	[STRATA_CMD_ENOENT] = "enoent",
	[STRATA_CMD_ENOSPC] = "enospc",
	[STRATA_CMD_EADDR] = "eaddr",
	[STRATA_CMD_EBUSY] = "ebusy",
};

const char *dp_text_status_name(int status)
{
	switch (status) {
	case -ENOBUFS: return "ring-full";
	case -ETIMEDOUT: return "timeout";
	case -ESTALE: return "restarted";
	case -ENOENT: return "gone";
	case -EINVAL: return "invalid";
	case -EPERM: return "read-only";
	}
	if (status >= 0 && (size_t)status < sizeof(status_names) / sizeof(status_names[0]))
		return status_names[status];
	return status < 0 ? "error" : "unknown";
}

const char *dp_text_cmd_name(unsigned type)
{
	return type < STRATA_CMD_TYPE_COUNT && cmd_names[type] ? cmd_names[type] : "unknown";
}

const char *dp_text_event_name(unsigned type)
{
	return type < STRATA_EVENT_TYPE_COUNT && event_names[type] ? event_names[type]
								   : "unknown";
}

unsigned dp_text_cmd_type(const char *name)
{
	for (unsigned i = 1; i < STRATA_CMD_TYPE_COUNT; i++)
		if (cmd_names[i] && strcmp(cmd_names[i], name) == 0)
			return i;
	return 0;
}

unsigned dp_text_event_type(const char *name)
{
	for (unsigned i = 1; i < STRATA_EVENT_TYPE_COUNT; i++)
		if (event_names[i] && strcmp(event_names[i], name) == 0)
			return i;
	return 0;
}
