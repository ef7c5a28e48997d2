/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * End to end, offline, with a real decoder: a VP9 L3T3 capture from
 * headless Chromium (tests/data/vp9/l3t3.rtp, see capture.sh next to it)
 * goes through what strata-dp does for one receiver -- dp_vp9_parse,
 * dp_select_layers, the sequence number map, dp_select_marker -- for each
 * of the nine fixed spatial and temporal targets and for moving ones, and
 * GStreamer's rtpvp9depay + vp9dec decode each result
 * (tests/tools/vp9_decode_check).
 *
 *   test_dp_vp9_layers CAPTURE SIDECAR [VP9_DECODE_CHECK WEBRTC_DEPAY]
 *
 * Checked for each target, offline: the output's sequence numbers are
 * gapless (padding-only packets, which carry no VP9 data, are dropped and
 * their numbers closed up too), its PictureIDs are the input's (a VP9
 * receiver reads P_DIFFs and picture groups as PictureID differences:
 * never renumbered, see codec/vp9.h); a layer frame goes whole or not at
 * all; every forwarded layer frame references (P_DIFF, D) only forwarded
 * ones; every picture the receiver gets carries exactly one marker bit, on
 * its last packet (RFC 9628 section 4.1); for a fixed target, exactly the
 * layer frames of SID <= S and TID <= T are forwarded.
 *
 * Then decoded: for each spatial layer S, a reference made without any of
 * our code (webrtc_depay --max-spatial S: every picture, layers 0..S, as
 * IVF) gives each picture's pixels at that layer; each output decodes with
 * no error, to one picture per forwarded picture, each equal, pixel for
 * pixel, to the reference's same picture at the layer the receiver had.
 * Controls, broken on purpose (layer 2 without layer 1, which it depends
 * on; TID 2 without TID 1, which it references), must fail that check; a
 * third (upper layers joined at a delta picture) fails the offline
 * reference check, and its decode is only reported (see there why).
 *
 * Without the tools, or without GStreamer's VP9 elements, the offline
 * checks run and the test then reports "skipped" (exit 77).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "decode_fixture.h"
#include "rtp_header.h"
#include "select.h"
#include "test_util.h"
#include "tools/rtp_file.h"
#include "vp9.h"

#define SEQ_MASK 0xffffu
#define LAYERS 3

struct layer_frame {
	uint8_t present, tid, p, d, n_ref;
	uint8_t p_diff[DP_VP9_MAX_REFS];
	uint16_t packets;
};

struct capture_picture {
	uint16_t pid;
	uint8_t key, tid;
	struct layer_frame lf[LAYERS];
};

struct capture {
	struct rtp_file file;
	struct dp_frame_info *fi;    /* per packet */
	struct dp_frame_svc *svc;    /* per packet */
	uint32_t *hdr_len;           /* per packet */
	uint8_t *padding_only;       /* per packet */
	int32_t *picture_of;         /* per packet, -1 for padding */
	struct capture_picture *pictures;
	uint32_t n_pictures;
	uint8_t n_layers;            /* the first key picture's SS */
	uint8_t flexible;
};

static int32_t picture_index[1 << 15];

static int load_capture(const char *path, struct capture *c)
{
	memset(c, 0, sizeof(*c));
	if (rtp_file_read(path, &c->file) != 0)
		return -1;
	uint32_t n = c->file.count;
	c->fi = calloc(n, sizeof(*c->fi));
	c->svc = calloc(n, sizeof(*c->svc));
	c->hdr_len = calloc(n, sizeof(*c->hdr_len));
	c->padding_only = calloc(n, 1);
	c->picture_of = calloc(n, sizeof(*c->picture_of));
	c->pictures = calloc(n, sizeof(*c->pictures));
	if (!c->fi || !c->svc || !c->hdr_len || !c->padding_only || !c->picture_of || !c->pictures)
		return -1;
	memset(picture_index, 0xff, sizeof(picture_index));
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = c->file.packets[i].data;
		uint32_t len = c->file.packets[i].len, end = len;
		struct dp_vp9_desc d;

		if (strata_rtp_header_len(p, len, &c->hdr_len[i]) != STRATA_RTP_PARSE_OK) {
			fprintf(stderr, "%s: packet %u: bad RTP header\n", path, i);
			return -1;
		}
		if (p[0] & 0x20)
			end = p[len - 1] <= len - c->hdr_len[i] ? len - p[len - 1] : c->hdr_len[i];
		c->picture_of[i] = -1;
		if (end == c->hdr_len[i]) {
			c->padding_only[i] = 1;
			continue;
		}
		const uint8_t *pl = p + c->hdr_len[i];
		uint32_t pl_len = end - c->hdr_len[i];
		if (dp_vp9_parse(pl, pl_len, &c->fi[i], &c->svc[i]) != 0 ||
		    dp_vp9_parse_desc(pl, pl_len, &d, NULL) != 0 || !d.i || !d.l) {
			fprintf(stderr, "%s: packet %u does not parse (or lacks I or L)\n", path, i);
			return -1;
		}
		if (picture_index[d.picture_id] < 0) {
			struct capture_picture *pc = &c->pictures[c->n_pictures];
			picture_index[d.picture_id] = (int32_t)c->n_pictures++;
			pc->pid = d.picture_id;
			pc->tid = d.tid;
		}
		int32_t k = picture_index[d.picture_id];
		struct capture_picture *pc = &c->pictures[k];
		c->picture_of[i] = k;
		if (d.keyframe)
			pc->key = 1;
		if (d.v && !c->n_layers)
			c->n_layers = d.ss_layers;
		c->flexible |= d.f;
		if (d.sid >= LAYERS) {
			fprintf(stderr, "%s: packet %u: SID %u\n", path, i, d.sid);
			return -1;
		}
		struct layer_frame *lf = &pc->lf[d.sid];
		if (d.b) {
			lf->present = 1;
			lf->tid = d.tid;
			lf->p = d.p;
			lf->d = d.d;
			lf->n_ref = d.n_ref;
			memcpy(lf->p_diff, d.p_diff, sizeof(lf->p_diff));
		}
		lf->packets++;
	}
	return 0;
}

static void free_capture(struct capture *c)
{
	rtp_file_free(&c->file);
	free(c->fi);
	free(c->svc);
	free(c->hdr_len);
	free(c->padding_only);
	free(c->picture_of);
	free(c->pictures);
}

/* The picture a layer frame's P_DIFF names, or -1. */
static int32_t ref_picture(const struct capture *c, uint32_t k, uint8_t diff)
{
	return picture_index[(c->pictures[k].pid - diff) & 0x7fff];
}

/* What the capture itself must be for the test to mean anything. */
static void check_capture(const struct capture *c)
{
	unsigned keys = 0, pattern_ok = 1, complete = 1, refs_known = 1;
	uint32_t since_key = 0;

	for (uint32_t k = 0; k < c->n_pictures; k++) {
		static const uint8_t tids[] = { 0, 2, 1, 2 };
		const struct capture_picture *pc = &c->pictures[k];

		if (pc->key) {
			keys++;
			since_key = 0;
		}
		pattern_ok &= pc->tid == tids[since_key++ % 4];
		for (unsigned s = 0; s < LAYERS; s++) {
			const struct layer_frame *lf = &pc->lf[s];
			complete &= lf->present;
			for (unsigned r = 0; lf->p && r < lf->n_ref; r++)
				refs_known &= ref_picture(c, k, lf->p_diff[r]) >= 0;
		}
	}
	CHECK(c->n_pictures >= 60, "capture: only %u pictures", c->n_pictures);
	CHECK(c->n_layers == LAYERS, "capture: %u spatial layers in the SS", c->n_layers);
	CHECK(c->pictures[0].key, "capture: the first picture is not a key picture");
	CHECK(keys >= 2, "capture: %u key pictures, want a few", keys);
	CHECK(pattern_ok, "capture: the TIDs do not follow 0,2,1,2 from each key picture");
	CHECK(complete, "capture: a picture lacks a spatial layer");
	CHECK(refs_known, "capture: a P_DIFF names a picture not in the capture");
}

struct target {
	uint8_t s, t;
};

struct scenario {
	const char *name;
	/* The targets in each third of the capture's packets (so changes fall
	 * mid-picture as well as between pictures). */
	struct target targets[3];
	/* Controls: which layer frames to forward instead of dp_select_layers,
	 * and the spatial layer the receiver then has. */
	bool (*broken)(uint32_t picture, uint8_t sid, uint8_t tid);
	uint8_t (*broken_layer)(uint32_t picture);
	bool visible; /* the decode must show the breakage */
};

/* Layers 0 and 2, not 1: every layer 2 frame depends (D) on the layer 1
 * frame of its picture. */
static bool layer1_left_out(uint32_t picture, uint8_t sid, uint8_t tid)
{
	(void)picture;
	(void)tid;
	return sid != 1;
}

/* TIDs 0 and 2, not 1: the TID 2 picture after each TID 1 picture
 * references it. */
static bool tid1_left_out(uint32_t picture, uint8_t sid, uint8_t tid)
{
	(void)picture;
	(void)sid;
	return tid != 1;
}

static uint8_t all_layers(uint32_t picture)
{
	(void)picture;
	return 2;
}

/* Layer 0 only, then from picture 20 (a delta picture) all three layers:
 * layer 1 and 2 frames reference earlier frames of their layers, never
 * sent.  Offline the references say so; the pixels hardly do, as
 * Chromium's encoder predicts its upper layers almost only from the layer
 * below in this capture, so the decode is reported, not required to
 * differ. */
static bool spatial_without_key(uint32_t picture, uint8_t sid, uint8_t tid)
{
	(void)tid;
	return sid == 0 || picture >= 20;
}

static uint8_t spatial_without_key_layer(uint32_t picture)
{
	return picture >= 20 ? 2 : 0;
}

static const struct scenario scenarios[] = {
	{ "S0T0", { { 0, 0 }, { 0, 0 }, { 0, 0 } }, NULL, NULL },
	{ "S0T1", { { 0, 1 }, { 0, 1 }, { 0, 1 } }, NULL, NULL },
	{ "S0T2", { { 0, 2 }, { 0, 2 }, { 0, 2 } }, NULL, NULL },
	{ "S1T0", { { 1, 0 }, { 1, 0 }, { 1, 0 } }, NULL, NULL },
	{ "S1T1", { { 1, 1 }, { 1, 1 }, { 1, 1 } }, NULL, NULL },
	{ "S1T2", { { 1, 2 }, { 1, 2 }, { 1, 2 } }, NULL, NULL },
	{ "S2T0", { { 2, 0 }, { 2, 0 }, { 2, 0 } }, NULL, NULL },
	{ "S2T1", { { 2, 1 }, { 2, 1 }, { 2, 1 } }, NULL, NULL },
	{ "S2T2", { { 2, 2 }, { 2, 2 }, { 2, 2 } }, NULL, NULL },
	{ "S2T2->S0T0->S2T2", { { 2, 2 }, { 0, 0 }, { 2, 2 } }, NULL, NULL },
	{ "S0T0->S1T2->S2T1", { { 0, 0 }, { 1, 2 }, { 2, 1 } }, NULL, NULL },
	{ "S2T1->S1T2->S0T0", { { 2, 1 }, { 1, 2 }, { 0, 0 } }, NULL, NULL },
	{ "S0T2->S2T0->S1T2", { { 0, 2 }, { 2, 0 }, { 1, 2 } }, NULL, NULL },
	{ "control: layer 2 without layer 1", { { 0, 0 } }, layer1_left_out, all_layers, 1 },
	{ "control: TID 2 without TID 1", { { 0, 0 } }, tid1_left_out, all_layers, 1 },
	{ "control: S0->S2 at a delta picture", { { 0, 0 } }, spatial_without_key,
	  spatial_without_key_layer, 0 },
};

static struct target target_at(const struct scenario *s, uint32_t i, uint32_t n)
{
	uint32_t phase = (uint32_t)((uint64_t)i * 3 / n);
	return s->targets[phase < 3 ? phase : 2];
}

struct result {
	uint32_t packets;
	uint16_t *fwd_packets;   /* per picture and layer: forwarded packets */
	uint8_t *top;            /* per picture: highest layer forwarded, or 0xff */
	uint8_t *markers;        /* per picture: forwarded copies with the marker */
	uint8_t *last_marked;    /* per picture: its last forwarded packet had it */
	uint32_t pictures;       /* forwarded pictures */
	unsigned broken_refs, partial_frames;
};

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * Runs the capture through one receiver and writes what it gets to `out`.
 * The same steps as dataplane/fanout.c, minus encryption and the network.
 */
static void run(const struct capture *c, const struct scenario *s, FILE *out, struct result *r)
{
	static struct dp_sub sub;
	static struct dp_stream stream;
	uint32_t n = c->file.count;
	uint32_t last_seq = 0;
	bool have_out = false;

	memset(&sub, 0, sizeof(sub));
	sub.cur_spatial = DP_NONE;
	sub.cur_temporal = DP_NONE;
	memset(r, 0, sizeof(*r));
	r->fwd_packets = calloc((size_t)c->n_pictures * LAYERS, sizeof(*r->fwd_packets));
	r->top = malloc(c->n_pictures);
	r->markers = calloc(c->n_pictures, 1);
	r->last_marked = calloc(c->n_pictures, 1);
	memset(r->top, 0xff, c->n_pictures);
	int32_t last_picture = -1;

	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *in = c->file.packets[i].data;
		uint32_t len = c->file.packets[i].len;
		uint16_t in_seq = strata_rtp_seq(in);
		const struct dp_frame_info *fi = &c->fi[i];
		const struct dp_frame_svc *svc = &c->svc[i];
		int32_t k = c->picture_of[i];
		bool marker;

		if (c->padding_only[i]) {
			/* No VP9 data: not forwarded, and its number closed up. */
			if (sub.seq.started)
				dp_seqmap_drop(&sub.seq, in_seq, SEQ_MASK);
			continue;
		}
		if (s->broken) {
			bool fwd = s->broken((uint32_t)k, svc->spatial, fi->temporal);
			if (!fwd) {
				dp_seqmap_drop(&sub.seq, in_seq, SEQ_MASK);
				continue;
			}
			marker = dp_vp9_marker(in[1] >> 7, fi, svc, s->broken_layer((uint32_t)k));
		} else {
			struct target t = target_at(s, i, n);
			struct dp_select_target st = { .encoding = 0, .spatial = t.s, .temporal = t.t };
			enum dp_select sel = dp_select_layers(&sub, &sub.frame, &stream, fi, svc, &st);
			if (dp_select_reason(sel) != DP_SELECT_FORWARD) {
				if (sub.seq.started)
					dp_seqmap_drop(&sub.seq, in_seq, SEQ_MASK);
				continue;
			}
			marker = dp_select_marker(&sub.frame, fi, svc, in[1] >> 7);
		}
		uint32_t out_seq = 0;
		CHECK(dp_seqmap_forward(&sub.seq, in_seq, SEQ_MASK, &out_seq) == DP_SEQMAP_OK,
		      "%s: packet %u too late", s->name, i);

		uint8_t pkt[RTP_FILE_MAX_PACKET];
		memcpy(pkt, in, len);
		put_be16(pkt + 2, (uint16_t)out_seq);
		pkt[1] = (uint8_t)((pkt[1] & 0x7f) | (marker ? 0x80 : 0));
		/* One encoding: the PictureID map is the identity (codec/vp9.h:
		 * never renumbered); the rewrite still runs, as fanout.c does. */
		dp_vp9_rewrite(pkt + c->hdr_len[i], fi, fi->picture_id, fi->tl0picidx);
		CHECK(memcmp(pkt + 4, in + 4, len - 4) == 0, "%s: packet %u: the rewrite changed "
		      "more than the sequence number and the marker", s->name, i);
		CHECK(rtp_file_write_packet(out, pkt, len) == 0, "%s: write failed", s->name);

		CHECK(!have_out || out_seq == ((last_seq + 1) & SEQ_MASK),
		      "%s: sequence number %u after %u", s->name, out_seq, last_seq);
		last_seq = out_seq;
		have_out = true;
		r->packets++;
		r->fwd_packets[(size_t)k * LAYERS + svc->spatial]++;
		if (r->top[k] == 0xff || svc->spatial > r->top[k])
			r->top[k] = svc->spatial;
		r->markers[k] += marker;
		if (k != last_picture && last_picture >= 0)
			CHECK(k > last_picture, "%s: picture %d after %d", s->name, k, last_picture);
		r->last_marked[k] = marker;
		last_picture = k;
	}

	for (uint32_t k = 0; k < c->n_pictures; k++) {
		const struct capture_picture *pc = &c->pictures[k];
		if (r->top[k] == 0xff)
			continue;
		r->pictures++;
		for (unsigned sid = 0; sid < LAYERS; sid++) {
			const struct layer_frame *lf = &pc->lf[sid];
			uint16_t got = r->fwd_packets[(size_t)k * LAYERS + sid];
			if (!got)
				continue;
			r->partial_frames += got != lf->packets;
			for (unsigned q = 0; lf->p && q < lf->n_ref; q++) {
				int32_t ref = ref_picture(c, k, lf->p_diff[q]);
				r->broken_refs += ref < 0 || !r->fwd_packets[(size_t)ref * LAYERS + sid];
			}
			if (lf->d)
				r->broken_refs += !r->fwd_packets[(size_t)k * LAYERS + sid - 1];
		}
		if (!s->broken)
			CHECK(r->markers[k] == 1 && r->last_marked[k], "%s: picture %u: %u marker "
			      "bits, on its last packet: %u", s->name, k, r->markers[k],
			      r->last_marked[k]);
	}
}

static int tools_available(const char *tool, const char *depay)
{
	if (!depay || !*depay || access(depay, X_OK) != 0)
		return 0;
	return decode_tool_probe(tool, "");
}

/* The reference pictures of layers 0..S: webrtc_depay, then the decoder. */
static struct decoded reference(const char *tool, const char *depay, const char *capture,
				const char *sidecar, unsigned s, const char *tmp)
{
	char ivf[4096], cmd[8192];
	struct decoded d = { .status = -1 };

	snprintf(ivf, sizeof(ivf), "%s/strata-vp9-ref-%d-%u.ivf", tmp, (int)getpid(), s);
	snprintf(cmd, sizeof(cmd), "'%s' '%s' '%s' --out '%s' --max-spatial %u > /dev/null",
		 depay, capture, sidecar, ivf, s);
	int st = system(cmd);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		d = decode_hashes(tool, ivf, 0);
	unlink(ivf);
	return d;
}

int main(int argc, char **argv)
{
	struct capture cap;
	const char *tool = argc > 3 ? argv[3] : NULL, *depay = argc > 4 ? argv[4] : NULL;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: test_dp_vp9_layers CAPTURE SIDECAR "
				"[VP9_DECODE_CHECK WEBRTC_DEPAY]\n");
		return 2;
	}
	if (load_capture(argv[1], &cap) != 0)
		return 1;
	check_capture(&cap);
	printf("capture: %u packets, %u pictures, %u spatial layers, %s mode\n", cap.file.count,
	       cap.n_pictures, cap.n_layers, cap.flexible ? "flexible" : "non-flexible");

	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	int decoding = tools_available(tool, depay);
	struct decoded ref[LAYERS] = { 0 };
	for (unsigned s = 0; decoding && s < LAYERS; s++) {
		ref[s] = reference(tool, depay, argv[1], argv[2], s, tmp);
		CHECK(ref[s].status == 0 && ref[s].frames == cap.n_pictures && ref[s].errors == 0 &&
		      ref[s].n_hashes == cap.n_pictures,
		      "reference S%u: status %d, %u of %u pictures (%u hashes), %u errors", s,
		      ref[s].status, ref[s].frames, cap.n_pictures, ref[s].n_hashes, ref[s].errors);
	}

	for (unsigned i = 0; i < ARRAY_LEN(scenarios); i++) {
		const struct scenario *s = &scenarios[i];
		char path[4096];
		struct result r;
		FILE *out = decode_temp_file(path, sizeof(path), "strata-vp9-layers");

		if (!out) {
			CHECK(0, "cannot create %s", path);
			continue;
		}
		run(&cap, s, out, &r);
		CHECK(fclose(out) == 0, "%s: write failed", s->name);

		CHECK(r.partial_frames == 0, "%s: %u layer frames forwarded in part", s->name,
		      r.partial_frames);
		if (s->broken)
			CHECK(r.broken_refs > 0, "%s: the control breaks no reference", s->name);
		else
			CHECK(r.broken_refs == 0, "%s: %u references to layer frames not forwarded",
			      s->name, r.broken_refs);
		const struct target *t0 = &s->targets[0];
		if (!s->broken && !memcmp(t0, &s->targets[1], sizeof(*t0)) &&
		    !memcmp(t0, &s->targets[2], sizeof(*t0))) {
			unsigned wrong = 0;
			for (uint32_t k = 0; k < cap.n_pictures; k++)
				for (unsigned sid = 0; sid < LAYERS; sid++) {
					const struct layer_frame *lf = &cap.pictures[k].lf[sid];
					bool want = sid <= t0->s && lf->tid <= t0->t;
					wrong += want != (r.fwd_packets[(size_t)k * LAYERS + sid] != 0);
				}
			CHECK(wrong == 0, "%s: %u layer frames forwarded or dropped against the "
			      "target", s->name, wrong);
		}
		printf("%-42s forwarded %3u packets, %3u of %u pictures", s->name, r.packets,
		       r.pictures, cap.n_pictures);
		if (decoding) {
			/* The output read as an RTP file: rename it so. */
			char rtp[4200];
			snprintf(rtp, sizeof(rtp), "%s.rtp", path);
			CHECK(rename(path, rtp) == 0, "cannot rename %s", path);
			struct decoded d = decode_hashes(tool, rtp, 0);
			unsigned differ = 0, k = 0;
			for (uint32_t p = 0; p < cap.n_pictures; p++) {
				if (r.top[p] == 0xff)
					continue;
				differ += k >= d.n_hashes || ref[r.top[p]].n_hashes <= p ||
					  strcmp(d.hashes[k], ref[r.top[p]].hashes[p]) != 0;
				k++;
			}
			printf("; decoded %u, %u errors, %u pictures differ", d.frames, d.errors,
			       differ);
			if (s->broken) {
				CHECK(!s->visible || differ > 0 || d.errors > 0, "%s: broken on "
				      "purpose, yet every picture matches: the picture check sees "
				      "nothing", s->name);
			} else {
				CHECK(d.status == 0, "%s: vp9_decode_check exited with %d", s->name,
				      d.status);
				CHECK(d.packets == r.packets, "%s: the decoder read %u packets of %u",
				      s->name, d.packets, r.packets);
				CHECK(d.frames == r.pictures, "%s: %u pictures decoded, %u forwarded",
				      s->name, d.frames, r.pictures);
				CHECK(d.errors == 0, "%s: %u decode errors", s->name, d.errors);
				CHECK(differ == 0, "%s: %u decoded pictures differ from the reference's",
				      s->name, differ);
			}
			decoded_free(&d);
			unlink(rtp);
		} else {
			unlink(path);
		}
		printf("\n");
		free(r.fwd_packets);
		free(r.top);
		free(r.markers);
		free(r.last_marked);
	}
	for (unsigned s = 0; s < LAYERS; s++)
		decoded_free(&ref[s]);
	free_capture(&cap);

	int status = test_summary("dp_vp9_layers");
	if (status == 0 && !decoding) {
		printf("SKIP: the offline checks passed, but nothing was decoded: %s\n",
		       tool && *tool ? "vp9_decode_check --probe failed (are GStreamer's "
				       "rtpvp9depay, ivfparse and vp9dec installed?)"
				     : "vp9_decode_check was not built (libgstreamer1.0-dev missing); "
				       "run scripts/setup");
		return 77;
	}
	return status;
}
