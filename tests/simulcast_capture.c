/* SPDX-License-Identifier: BSD-3-Clause */
/* A Chromium VP8 simulcast capture, read and checked (simulcast_capture.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture_sidecar.h"
#include "codec/av1_dd.h"
#include "rtp/rtp_ext.h"
#include "rtp/rtp_header.h"
#include "simulcast_capture.h"
#include "tables.h"
#include "test_util.h"
#include "vp8.h"

/* The sidecar's SSRCs by rid ("ssrcs": [{"ssrc": N, "rid": "h", ...}]) and
 * the descriptor's extension id ("extensions": {"dependency-descriptor": N}). */
static int read_sidecar(const char *path, struct capture *c)
{
	static const char rids[ENCODINGS] = { 'l', 'm', 'h' };
	char *text = capture_sidecar_read(path);
	const char *at;

	if (!text)
		return -1;
	int dd_id = capture_sidecar_dd_ext_id(text);
	c->dd_id = dd_id > 0 ? (uint8_t)dd_id : 0;
	at = strstr(text, "\"ssrcs\":");
	for (unsigned n = 0; at && (at = strstr(at, "{\"ssrc\":")) != NULL && n < ENCODINGS; n++) {
		uint32_t ssrc = (uint32_t)strtoul(at + strlen("{\"ssrc\":"), NULL, 10);
		const char *rid = strstr(at, "\"rid\": \"");
		for (unsigned e = 0; rid && e < ENCODINGS; e++)
			if (rid[strlen("\"rid\": \"")] == rids[e])
				c->ssrc[e] = ssrc;
		at++;
	}
	free(text);
	for (unsigned e = 0; e < ENCODINGS; e++)
		if (!c->ssrc[e]) {
			fprintf(stderr, "%s: no SSRC for rid '%c'\n", path, rids[e]);
			return -1;
		}
	return 0;
}

/*
 * Frames as the capture holds them: a frame is the packets of one SSRC
 * with one timestamp; its TID is the descriptor's when there is one (the
 * dependency descriptor's template), else the VP8 payload descriptor's.
 */
int load_capture(const char *path, const char *sidecar, struct capture *c)
{
	static struct dp_av1_dd_stream dds[ENCODINGS];
	uint32_t last_ts[ENCODINGS] = { 0 };
	bool have_ts[ENCODINGS] = { false };

	memset(c, 0, sizeof(*c));
	if (read_sidecar(sidecar, c) != 0 || rtp_file_read(path, &c->file) != 0)
		return -1;
	uint32_t n = c->file.count;
	c->enc = calloc(n, 1);
	c->frame_of = calloc(n, sizeof(*c->frame_of));
	c->frames = calloc(n, sizeof(*c->frames));
	if (!c->enc || !c->frame_of || !c->frames)
		return -1;
	c->picture_ids = 1;
	for (unsigned e = 0; e < ENCODINGS; e++) {
		dp_av1_dd_stream_init(&dds[e]);
		c->first_key[e] = -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = c->file.packets[i].data;
		uint32_t len = c->file.packets[i].len, hdr_len;
		struct dp_frame_info fi;
		unsigned e = ENCODINGS;

		if (strata_rtp_header_len(p, len, &hdr_len) != STRATA_RTP_PARSE_OK ||
		    (p[0] & 0x20) || dp_vp8_parse(p + hdr_len, len - hdr_len, &fi) != 0) {
			fprintf(stderr, "%s: packet %u: bad RTP header, padding or VP8 payload "
				"descriptor\n", path, i);
			return -1;
		}
		for (unsigned k = 0; k < ENCODINGS; k++)
			if (strata_be32(p + 8) == c->ssrc[k])
				e = k;
		if (e == ENCODINGS) {
			fprintf(stderr, "%s: packet %u: SSRC %u not in the sidecar\n", path, i,
				strata_be32(p + 8));
			return -1;
		}
		c->enc[i] = (uint8_t)e;
		c->picture_ids &= fi.has_picture_id;
		uint8_t tid = fi.temporal, key = fi.keyframe;
		uint64_t dti = 0;
		if (c->dd_id) {
			uint32_t dlen = 0;
			const uint8_t *dd = strata_rtp_ext_find(p, hdr_len, c->dd_id, &dlen);
			struct dp_av1_dd_frame f;
			if (!dd || dp_av1_dd_parse(&dds[e], dd, dlen, &f) != DP_AV1_DD_OK) {
				fprintf(stderr, "%s: packet %u: no descriptor, or it does not parse\n",
					path, i);
				return -1;
			}
			tid = f.temporal;
			key = f.structure_attached;
			dti = f.dti;
			/* The model below takes decode target t for TID t. */
			for (unsigned dt = 0; key && dt < f.structure->dt_cnt; dt++)
				if (f.structure->dt_temporal[dt] != dt ||
				    f.structure->dt_spatial[dt] != 0) {
					fprintf(stderr, "%s: packet %u: decode target %u is S%uT%u\n",
						path, i, dt, f.structure->dt_spatial[dt],
						f.structure->dt_temporal[dt]);
					return -1;
				}
		}
		uint32_t ts = strata_be32(p + 4);
		if (!have_ts[e] || ts != last_ts[e]) {
			c->frames[c->n_frames] = (struct capture_frame){
				.enc = (uint8_t)e, .tid = tid, .key = key, .sync = fi.sync, .dti = dti,
				.first_packet = i,
				.index = c->enc_frames[e]++ };
			if (key && c->first_key[e] < 0)
				c->first_key[e] = (int32_t)c->n_frames;
			c->keys[e] += key;
			if (tid < LAYERS)
				c->by_tid[e][tid]++;
			c->n_frames++;
			have_ts[e] = true;
			last_ts[e] = ts;
		} else if (key) {
			fprintf(stderr, "%s: packet %u: a keyframe start inside a frame\n", path, i);
			return -1;
		}
		/* The frame of this SSRC now open. */
		for (int32_t k = (int32_t)c->n_frames - 1; k >= 0; k--)
			if (c->frames[k].enc == e) {
				c->frame_of[i] = k;
				break;
			}
	}
	return 0;
}

void free_capture(struct capture *c)
{
	rtp_file_free(&c->file);
	free(c->enc);
	free(c->frame_of);
	free(c->frames);
}

/*
 * webrtc_summary's count of frames per layer for each SSRC ("frames by
 * dependency descriptor: S0T0=34 S0T1=33 S0T2=65" when the capture has the
 * descriptor, else "frames by descriptor: ..."): the independent reader's
 * view of what the capture holds.  Returns 0 when every SSRC was found.
 */
static int summary_counts(const char *tool, const char *capture, const struct capture *c,
			  uint32_t counts[ENCODINGS][LAYERS])
{
	char cmd[8448], line[1024];
	const char *key = c->dd_id ? "frames by dependency descriptor:" : "frames by descriptor:";
	int enc = -1, found = 0;

	memset(counts, 0, sizeof(uint32_t) * ENCODINGS * LAYERS);
	snprintf(cmd, sizeof(cmd), "'%s' '%s'", tool, capture);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		unsigned long ssrc;
		if (sscanf(line, "SSRC %lu", &ssrc) == 1) {
			enc = -1;
			for (int e = 0; e < ENCODINGS; e++)
				if (c->ssrc[e] == ssrc)
					enc = e;
			continue;
		}
		const char *at = strstr(line, key);
		if (!at || enc < 0)
			continue;
		for (at += strlen(key); (at = strstr(at, "S0T")) != NULL;) {
			unsigned t, count;
			if (sscanf(at, "S0T%u=%u", &t, &count) == 2 && t < LAYERS)
				counts[enc][t] = count;
			at += 3;
		}
		found++;
	}
	int st = pclose(p);
	return st == 0 && found == ENCODINGS ? 0 : -1;
}

/* What the capture must be for the test to mean anything. */
void check_capture(const struct capture *c, const char *summary_tool, const char *path)
{
	uint32_t counts[ENCODINGS][LAYERS];

	for (unsigned e = 0; e < ENCODINGS; e++) {
		CHECK(c->first_key[e] >= 0 && c->frames[c->first_key[e]].index == 0,
		      "capture: encoding %u does not start with a keyframe", e);
		CHECK(c->keys[e] >= 2, "capture: encoding %u has %u keyframes: no later one to "
		      "switch at", e, c->keys[e]);
		for (unsigned t = 0; t < LAYERS; t++)
			CHECK(c->by_tid[e][t] > 0, "capture: encoding %u has no TID %u frame", e, t);
	}
	int got = summary_counts(summary_tool, path, c, counts);
	CHECK(got == 0, "webrtc_summary %s: no frame counts for the three SSRCs", path);
	for (unsigned e = 0; got == 0 && e < ENCODINGS; e++)
		for (unsigned t = 0; t < LAYERS; t++)
			CHECK(counts[e][t] == c->by_tid[e][t], "capture: encoding %u TID %u: %u "
			      "frames here, webrtc_summary counts %u", e, t, c->by_tid[e][t],
			      counts[e][t]);
}
