/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-client: joins a Strata room with libstrata-client and bridges the
 * media to and from real GStreamer encoders and decoders (client_gst.c).
 *
 *   strata-client --url wss://HOST:PORT/strata/v1 --ca CERT.pem --token TOKEN
 *                 --room RESOURCE_ID [--name NAME] [--bind IP[:PORT]] [--announce]
 *                 [--publish] [--seconds S] [--wait-for N]
 *                 [--max-temporal T [--prefs-at S]] [--linger S] [--json]
 *                 [--size WxH] [--bitrate BPS] [--resume-at S]
 *                 [--srtp-profiles P1,P2...] [--video-codec vp8|vp9|h264]
 *
 * --publish sends S seconds (default 10) of a test pattern as VP8 with three
 * temporal layers (or --video-codec: VP9 or H.264, one layer) plus a tone as
 * Opus, once N participants (--wait-for, default 1: only this one) are in
 * the room.  Every remote stream, of any of those codecs, is received and
 * decoded (client_codec.c).  --max-temporal T asks the router for temporal
 * layers up to T of every remote video, S seconds after joining (--prefs-at,
 * default 0: as each stream appears).  The client leaves when it has
 * published everything and heard nothing for --linger seconds (default 2),
 * or after S + 30 seconds in all.  --resume-at S drops the signaling
 * connection S seconds after joining and resumes on a new one with the
 * resume token; media goes on meanwhile.
 *
 * It prints one row per stream: what it sent (frames the encoders made) and
 * per received stream the packets, frames decoded, decode errors and the
 * highest temporal layer received (VP8's payload descriptor; -1 for codecs
 * without layers; over the whole call, and from 0.5 s after the router
 * confirmed the preferences); --json prints the same as one
 * JSON object.  Exit status: 0, 1 on a failure, 3 when strata-cp refused
 * the join (the reason is printed, e.g. InvalidToken).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gst/gst.h>

#include "client_codec.h"
#include "client_gst.h"
#include "strata_client.h"

#define MAX_REMOTE 64
#define EARLY_MAX 512    /* packets: 2 s of two 150 kbit/s videos and their audio */
#define EARLY_LEN 1500   /* our payloaders' MTU is 1200 */

/* GStreamer keeps caches and type registrations alive until exit on
 * purpose; they are not leaks of ours. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0";
}

struct remote {
	char from[130], participant[64], stream_id[64], kind[8], codec[8];
	uint32_t ssrc;
	const struct client_codec *codec_info; /* NULL: none of ours */
	struct gst_receiver *rx;
	unsigned long packets, frames_received;
	int max_tid, max_tid_after_prefs;
};

struct app {
	struct strata_client *c;
	struct gst_publisher *pub;
	struct gst_publisher_opts popts;
	const char *name;
	bool publish, published, pub_done, json, joined;
	int max_temporal;
	double prefs_at, linger, resume_at;
	bool resume_asked, resumed;
	unsigned connection_lost;
	unsigned wait_for, participants;
	gint64 t_joined, t_prefs_set, t_last_rx, t_pub_done, t_published;
	bool prefs_sent;
	char refused[64], refused_msg[200];
	bool failed;
	struct remote remote[MAX_REMOTE];
	/* Packets of streams not added yet, oldest first from early_next. */
	struct early {
		uint32_t ssrc;
		uint16_t len;
		uint8_t rtp[EARLY_LEN];
	} early[EARLY_MAX];
	unsigned early_next;
	unsigned n_remote;
	char vstream[64], astream[64];
	char profile[32];
};

static double secs_since(gint64 t)
{
	return (double)(g_get_monotonic_time() - t) / G_USEC_PER_SEC;
}

static void send_prefs(struct app *a)
{
	const char *ids[MAX_REMOTE];
	int tl[MAX_REMOTE];
	unsigned n = 0;

	for (unsigned i = 0; i < a->n_remote; i++)
		if (!strcmp(a->remote[i].kind, "video")) {
			ids[n] = a->remote[i].stream_id;
			tl[n++] = a->max_temporal;
		}
	if (n && strata_client_set_preferences(a->c, -1, ids, tl, n) == 0)
		a->prefs_sent = true;
}

static void maybe_publish(struct app *a)
{
	if (!a->publish || a->published || !a->joined || a->participants < a->wait_for)
		return;
	const struct client_codec *v = a->popts.video, *au = a->popts.audio;
	struct strata_client_stream s[2] = {
		{ .kind = v->kind, .codec = v->name, .ssrc = a->popts.video_ssrc, .pt = v->pt,
		  .clock_rate = v->clock_rate, .temporal_layers = v->temporal_layers },
		{ .kind = au->kind, .codec = au->name, .ssrc = a->popts.audio_ssrc, .pt = au->pt,
		  .clock_rate = au->clock_rate },
	};
	if (strata_client_publish(a->c, s, 2) == 0)
		a->published = true;
}

static void on_joined(void *user, const char *pid, const char *profile)
{
	struct app *a = user;
	fprintf(stderr, "strata-client: %s joined as %s (%s)\n", a->name, pid, profile);
	snprintf(a->profile, sizeof(a->profile), "%s", profile);
	a->joined = true;
	a->participants = 1;
	a->t_joined = g_get_monotonic_time();
	maybe_publish(a);
}

static void on_resumed(void *user)
{
	struct app *a = user;
	fprintf(stderr, "strata-client: %s resumed on a new connection\n", a->name);
	a->resumed = true;
}

static void on_error(void *user, const char *reason, const char *message)
{
	struct app *a = user;
	fprintf(stderr, "strata-client: %s: error %s: %s\n", a->name, reason, message);
	if (!a->joined) {
		snprintf(a->refused, sizeof(a->refused), "%s", reason);
		snprintf(a->refused_msg, sizeof(a->refused_msg), "%s", message);
	} else if (strcmp(reason, "Connection")) {
		a->failed = true;
	} else {
		a->connection_lost++;
	}
}

static void on_published(void *user, uint32_t ssrc, const char *stream_id)
{
	struct app *a = user;

	snprintf(ssrc == a->popts.video_ssrc ? a->vstream : a->astream, 64, "%s", stream_id);
	if (!a->t_published && a->vstream[0] && a->astream[0])
		a->t_published = g_get_monotonic_time();
}

/* strata-cp answers "published" before the others' subscriptions reach
 * strata-dp and before the others read their stream-added (a packet of a
 * stream not yet added is not theirs to decode): half a second for that,
 * so they get the first keyframe too.  The main loop starts the encoders,
 * not on_published: signaling (the others' stream-added) and media go on
 * being read meanwhile. */
static void maybe_start_publisher(struct app *a)
{
	char err[200];

	if (a->pub || a->failed || !a->t_published || secs_since(a->t_published) < 0.5)
		return;
	a->pub = gst_publisher_new(&a->popts, err, sizeof(err));
	if (!a->pub) {
		fprintf(stderr, "strata-client: %s\n", err);
		a->failed = true;
	}
}

static void on_participant_joined(void *user, const char *pid, const char *name)
{
	struct app *a = user;
	fprintf(stderr, "strata-client: %s: %s (%s) joined\n", a->name, name, pid);
	a->participants++;
	maybe_publish(a);
}

static void on_participant_left(void *user, const char *pid, const char *reason)
{
	struct app *a = user;
	fprintf(stderr, "strata-client: %s: %s left (%s)\n", a->name, pid, reason);
}

static void remote_rtp(struct app *a, struct remote *r, const uint8_t *rtp, size_t len)
{
	r->packets++;
	if (!strcmp(r->kind, "video")) {
		int tid = r->codec_info && r->codec_info->tid ? r->codec_info->tid(rtp, len) : -1;
		r->frames_received += (rtp[1] & 0x80) != 0;
		if (tid > r->max_tid)
			r->max_tid = tid;
		if (a->t_prefs_set && secs_since(a->t_prefs_set) > 0.5 &&
		    tid > r->max_tid_after_prefs)
			r->max_tid_after_prefs = tid;
	} else {
		r->frames_received++;
	}
	if (r->rx)
		gst_receiver_push(r->rx, rtp, len);
}

/* Media can outrun signaling: strata-cp programs a subscription into
 * strata-dp as it sends the stream-added, and a receiver busy elsewhere
 * (starting its own encoders on a loaded machine) may read the stream's
 * first packets before that message.  They are kept, the oldest
 * overwritten, and handed on once the stream is added. */
static void keep_early(struct app *a, uint32_t ssrc, const uint8_t *rtp, size_t len)
{
	struct early *e = &a->early[a->early_next];

	if (len > EARLY_LEN)
		return;
	e->ssrc = ssrc;
	e->len = (uint16_t)len;
	memcpy(e->rtp, rtp, len);
	a->early_next = (a->early_next + 1) % EARLY_MAX;
}

static void take_early(struct app *a, struct remote *r)
{
	for (unsigned n = 0; n < EARLY_MAX; n++) {
		struct early *e = &a->early[(a->early_next + n) % EARLY_MAX];
		if (e->len && e->ssrc == r->ssrc) {
			remote_rtp(a, r, e->rtp, e->len);
			e->len = 0;
		}
	}
}

static void on_stream_added(void *user, const struct strata_client_remote *s)
{
	struct app *a = user;
	struct remote *r;
	char err[200];

	if (a->n_remote == MAX_REMOTE)
		return;
	r = &a->remote[a->n_remote++];
	memset(r, 0, sizeof(*r));
	snprintf(r->from, sizeof(r->from), "%s", s->display_name[0] ? s->display_name
								    : s->participant_id);
	snprintf(r->participant, sizeof(r->participant), "%s", s->participant_id);
	snprintf(r->stream_id, sizeof(r->stream_id), "%s", s->stream_id);
	snprintf(r->kind, sizeof(r->kind), "%s", s->kind);
	snprintf(r->codec, sizeof(r->codec), "%s", s->codec);
	r->ssrc = s->ssrc;
	r->max_tid = r->max_tid_after_prefs = -1;
	r->codec_info = client_codec_by_name(s->codec);
	if (r->codec_info)
		r->rx = gst_receiver_new(r->codec_info, s->pt, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "no decoder here for %s", s->codec);
	if (!r->rx)
		fprintf(stderr, "strata-client: %s: stream %s: %s\n", a->name, s->stream_id, err);
	take_early(a, r);
	if (a->max_temporal >= 0 && a->prefs_at <= 0 && !strcmp(s->kind, "video"))
		send_prefs(a);
	maybe_publish(a);
}

static void on_preferences_set(void *user)
{
	struct app *a = user;
	a->t_prefs_set = g_get_monotonic_time();
}

static void on_chat(void *user, const char *pid, const char *name, const char *text)
{
	struct app *a = user;
	(void)pid;
	fprintf(stderr, "strata-client: %s: chat from %s: %s\n", a->name, name, text);
}

static void on_loudest(void *user, const char *pid)
{
	(void)user;
	(void)pid;
}

static void on_rtp(void *user, uint32_t ssrc, const uint8_t *rtp, size_t len)
{
	struct app *a = user;

	a->t_last_rx = g_get_monotonic_time();
	for (unsigned i = 0; i < a->n_remote; i++)
		if (a->remote[i].ssrc == ssrc) {
			remote_rtp(a, &a->remote[i], rtp, len);
			return;
		}
	keep_early(a, ssrc, rtp, len);
}

static void send_packet(void *user, const uint8_t *rtp, size_t len, bool video)
{
	struct app *a = user;
	(void)video;
	strata_client_send_rtp(a->c, rtp, len);
}

static const struct strata_client_events events = {
	.on_joined = on_joined,
	.on_resumed = on_resumed,
	.on_error = on_error,
	.on_published = on_published,
	.on_participant_joined = on_participant_joined,
	.on_participant_left = on_participant_left,
	.on_stream_added = on_stream_added,
	.on_chat = on_chat,
	.on_loudest = on_loudest,
	.on_preferences_set = on_preferences_set,
	.on_rtp = on_rtp,
};

/* --help: to stdout, exit 0; a bad command line: to stderr, exit 2. */
static void usage_to(FILE *f, int status)
{
	fprintf(f,
		"usage: strata-client --url URL --ca CERT --token TOKEN --room ID [--name NAME]\n"
		"         [--bind IP[:PORT]] [--announce] [--publish] [--seconds S] [--wait-for N]\n"
		"         [--max-temporal T [--prefs-at S]] [--linger S] [--json] [--size WxH]\n"
		"         [--bitrate BPS] [--resume-at S] [--srtp-profiles P1,P2...]\n"
		"         [--video-codec vp8|vp9|h264]\n"
		"  --publish sends a test pattern (VP8 with three temporal layers, or VP9 or\n"
		"  H.264 with --video-codec) and a tone as Opus; every remote stream (VP8, VP9,\n"
		"  H.264, Opus) is decoded and its frames and decode errors counted.\n");
	exit(status);
}

static void usage(void)
{
	usage_to(stderr, 2);
}

static void report(struct app *a)
{
	unsigned long vf = 0, af = 0;

	if (a->pub)
		gst_publisher_frames(a->pub, &vf, &af);
	if (a->json) {
		printf("{\"name\":\"%s\",\"participant\":\"%s\",\"profile\":\"%s\","
		       "\"resumed\":%s,\"connection_lost\":%u,\"sent\":[", a->name,
		       strata_client_participant_id(a->c), a->profile, a->resumed ? "true" : "false",
		       a->connection_lost);
		if (a->pub)
			printf("{\"stream\":\"%s\",\"kind\":\"video\",\"codec\":\"%s\","
			       "\"frames_sent\":%lu},{\"stream\":\"%s\",\"kind\":\"audio\","
			       "\"codec\":\"%s\",\"frames_sent\":%lu}",
			       a->vstream, a->popts.video->name, vf, a->astream,
			       a->popts.audio->name, af);
		printf("],\"received\":[");
	} else {
		printf("%s (%s)\n", a->name, strata_client_participant_id(a->c));
		if (a->pub)
			printf("  sent  %-8s video %-4s %lu frames\n  sent  %-8s audio %-4s %lu "
			       "frames\n", a->vstream, a->popts.video->name, vf, a->astream,
			       a->popts.audio->name, af);
		printf("  %-12s %-8s %-5s %-5s %8s %8s %8s %7s %6s %6s\n", "from", "stream", "kind",
		       "codec", "packets", "received", "decoded", "errors", "maxTL", "TLpref");
	}
	for (unsigned i = 0; i < a->n_remote; i++) {
		struct remote *r = &a->remote[i];
		unsigned long dec = 0, err = 0;
		if (r->rx)
			gst_receiver_counts(r->rx, &dec, &err);
		if (a->json)
			printf("%s{\"from\":\"%s\",\"stream\":\"%s\",\"kind\":\"%s\",\"codec\":\"%s\","
			       "\"ssrc\":%u,\"packets\":%lu,\"frames_received\":%lu,"
			       "\"frames_decoded\":%lu,\"decode_errors\":%lu,"
			       "\"max_temporal_layer\":%d,\"max_temporal_layer_after_prefs\":%d}",
			       i ? "," : "", r->from, r->stream_id, r->kind, r->codec, r->ssrc,
			       r->packets, r->frames_received, dec, err + (r->rx ? 0 : 1), r->max_tid,
			       r->max_tid_after_prefs);
		else
			printf("  %-12s %-8s %-5s %-5s %8lu %8lu %8lu %7lu %6d %6d\n", r->from,
			       r->stream_id, r->kind, r->codec, r->packets, r->frames_received, dec,
			       err + (r->rx ? 0 : 1), r->max_tid, r->max_tid_after_prefs);
	}
	if (a->json) {
		struct strata_client_media_stats st;
		strata_client_media_stats(a->c, &st);
		printf("],\"media\":{\"sent\":%lu,\"received\":%lu,\"unprotected\":%lu,"
		       "\"auth_failed\":%lu,\"other_failed\":%lu,\"rtcp\":%lu}}\n",
		       (unsigned long)st.sent, (unsigned long)st.received,
		       (unsigned long)st.unprotected, (unsigned long)st.auth_failed,
		       (unsigned long)st.other_failed, (unsigned long)st.rtcp);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "url", 1, 0, 'u' },	      { "ca", 1, 0, 'c' },	 { "token", 1, 0, 't' },
		{ "room", 1, 0, 'r' },	      { "name", 1, 0, 'n' },	 { "bind", 1, 0, 'b' },
		{ "announce", 0, 0, 'A' },    { "publish", 0, 0, 'p' },	 { "seconds", 1, 0, 's' },
		{ "wait-for", 1, 0, 'w' },    { "max-temporal", 1, 0, 'T' },
		{ "prefs-at", 1, 0, 'P' },    { "linger", 1, 0, 'l' },	 { "json", 0, 0, 'j' },
		{ "resume-at", 1, 0, 'R' },   { "srtp-profiles", 1, 0, 'S' },   { "size", 1, 0, 'z' },	      { "bitrate", 1, 0, 'B' },
		{ "video-codec", 1, 0, 'V' },   { "help", 0, 0, 'h' },	 { 0, 0, 0, 0 },
	};
	struct strata_client_config cfg = { 0 };
	static struct app a;
	char err[200];
	int opt, status = 0;

	a.name = "client";
	a.max_temporal = -1;
	a.linger = 2;
	a.wait_for = 1;
	a.popts = (struct gst_publisher_opts){ .seconds = 10, .width = 320, .height = 240,
					       .bitrate = 300000, .keyframe_dist = 30,
					       .video = client_codec_by_name("VP8"),
					       .audio = client_codec_by_name("opus") };
	/* Whatever the others publish, this client can decode it. */
	cfg.codecs = client_codec_names();
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'u': cfg.url = optarg; break;
		case 'c': cfg.ca_file = optarg; break;
		case 't': cfg.token = optarg; break;
		case 'r': cfg.resource_id = optarg; break;
		case 'n': a.name = cfg.display_name = optarg; break;
		case 'b': cfg.bind = optarg; break;
		case 'A': cfg.announce_media = true; break;
		case 'p': a.publish = true; break;
		case 's': a.popts.seconds = (unsigned)atoi(optarg); break;
		case 'w': a.wait_for = (unsigned)atoi(optarg); break;
		case 'T': a.max_temporal = atoi(optarg); break;
		case 'P': a.prefs_at = atof(optarg); break;
		case 'l': a.linger = atof(optarg); break;
		case 'R': a.resume_at = atof(optarg); break;
		case 'S': cfg.srtp_profiles = optarg; break;
		case 'j': a.json = true; break;
		case 'z':
			if (sscanf(optarg, "%ux%u", &a.popts.width, &a.popts.height) != 2)
				usage();
			break;
		case 'B': a.popts.bitrate = (unsigned)atoi(optarg); break;
		case 'h': usage_to(stdout, 0); break;
		case 'V':
			a.popts.video = client_codec_by_name(optarg);
			if (!a.popts.video || strcmp(a.popts.video->kind, "video")) {
				fprintf(stderr, "strata-client: --video-codec %s: want vp8, vp9 or "
						"h264\n", optarg);
				usage();
			}
			break;
		default: usage();
		}
	}
	if (!cfg.url || !cfg.token || !cfg.resource_id || optind != argc || !a.popts.seconds)
		usage();
	gst_init(NULL, NULL);
	/* SSRCs of our own: random, as RFC 3550 section 8.1 asks. */
	a.popts.video_ssrc = g_random_int() | 1;
	a.popts.audio_ssrc = a.popts.video_ssrc + 1;

	a.c = strata_client_new(&cfg, &events, &a, err, sizeof(err));
	if (!a.c || strata_client_join(a.c, err, sizeof(err)) < 0) {
		fprintf(stderr, "strata-client: %s\n", err);
		return 1;
	}
	gint64 start = g_get_monotonic_time();
	double limit = a.popts.seconds + 30;
	while (!a.refused[0] && !a.failed && secs_since(start) < limit) {
		gint64 t0 = g_get_monotonic_time();
		if (strata_client_service(a.c, a.pub && !a.pub_done ? 2 : 10) < 0 && !a.joined)
			break;
		if (g_get_monotonic_time() - t0 > 300000)
			fprintf(stderr, "strata-client: %s: signaling service took %lld ms\n", a.name,
				(long long)(g_get_monotonic_time() - t0) / 1000);
		maybe_start_publisher(&a);
		if (a.pub && !a.pub_done) {
			int r = gst_publisher_pull(a.pub, send_packet, &a);
			if (r < 0)
				a.failed = true;
			else if (r > 0) {
				a.pub_done = true;
				a.t_pub_done = g_get_monotonic_time();
			}
		}
		for (unsigned i = 0; i < a.n_remote; i++)
			if (a.remote[i].rx)
				gst_receiver_poll(a.remote[i].rx);
		if (a.joined && a.max_temporal >= 0 && a.prefs_at > 0 && !a.prefs_sent &&
		    secs_since(a.t_joined) >= a.prefs_at)
			send_prefs(&a);
		if (a.joined && a.resume_at > 0 && !a.resume_asked &&
		    secs_since(a.t_joined) >= a.resume_at) {
			a.resume_asked = true;
			if (strata_client_resume(a.c, err, sizeof(err)) < 0) {
				fprintf(stderr, "strata-client: %s: resume: %s\n", a.name, err);
				a.failed = true;
			}
		}
		/* Done: published everything (or nothing to publish), heard
		 * something, and nothing more for linger seconds. */
		bool sent_all = !a.publish || a.pub_done;
		if (a.joined && sent_all && a.t_last_rx && secs_since(a.t_last_rx) > a.linger &&
		    (!a.publish || secs_since(a.t_pub_done) > a.linger))
			break;
	}
	if (a.refused[0]) {
		if (a.json)
			printf("{\"name\":\"%s\",\"error\":\"%s\",\"message\":\"%s\"}\n", a.name,
			       a.refused, a.refused_msg);
		else
			printf("%s: join refused: %s (%s)\n", a.name, a.refused, a.refused_msg);
		strata_client_free(a.c);
		return 3;
	}
	if (!a.joined) {
		fprintf(stderr, "strata-client: %s did not join\n", a.name);
		strata_client_free(a.c);
		return 1;
	}
	if (a.publish && !a.pub_done) {
		fprintf(stderr, "strata-client: %s: publishing did not finish in time\n", a.name);
		status = 1;
	}
	if (a.resume_asked && !a.resumed) {
		fprintf(stderr, "strata-client: %s: not resumed\n", a.name);
		status = 1;
	}
	if (a.failed)
		status = 1;
	strata_client_leave(a.c);
	for (int i = 0; i < 100 && strata_client_service(a.c, 10) == 0; i++)
		;
	for (unsigned i = 0; i < a.n_remote; i++)
		if (a.remote[i].rx)
			gst_receiver_finish(a.remote[i].rx);
	report(&a);
	for (unsigned i = 0; i < a.n_remote; i++)
		gst_receiver_free(a.remote[i].rx);
	gst_publisher_free(a.pub);
	strata_client_free(a.c);
	return status;
}
