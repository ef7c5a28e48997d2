/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * webrtc_summary: what a webrtc_capture capture holds, per SSRC: packets,
 * sequence gaps, pictures, keyframes, the header extensions present, and
 * the layers seen three ways where the codec has them: the VP9 payload
 * descriptor (SID/TID), the AV1 OBU extension headers, and the dependency
 * descriptor (its template structure, and each frame's layer by its
 * template).
 *
 *   webrtc_summary FILE.rtp [FILE.json] [--frames]
 *                  [--expect-ssrcs N] [--expect-layers SxT] [--expect-dd]
 *                  [--expect-complete]
 *
 * The sidecar defaults to FILE.json.  --frames adds a line per frame.  The
 * --expect options make it a check (exit 1 when not met): N SSRCs; every
 * SSRC with spatial layers 0..S-1 and temporal layers 0..T-1 all present
 * and no other (as its payload tells them, or its dependency descriptor);
 * every packet with a dependency descriptor that reads, and one with the
 * template structure on every keyframe; no sequence gap, every timestamp
 * ending with a marker, every frame with its last packet and every picture
 * with every spatial layer.  Exit 2 on unreadable input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtp_ext.h"
#include "rtp_file.h"
#include "rtp_header.h"
#include "webrtc_dd.h"
#include "webrtc_payload.h"
#include "webrtc_sidecar.h"

#define MAX_SSRCS 8
#define MAX_S 4
#define MAX_T 8

struct sum {
	uint32_t ssrc;
	char rid[16];
	unsigned pt;
	unsigned long packets, bytes, padding_only, markers, seq_gaps, pictures;
	/* Pictures (timestamps) that ended without a marker, and frames whose
	 * last packet never came: a VP8 frame without its marker, a VP9 layer
	 * frame without E, a dependency descriptor frame without
	 * end_of_frame. */
	unsigned long unmarked, incomplete, dd_incomplete;
	int ts_marked, frame_open, dd_open;
	uint16_t last_seq;
	uint32_t first_ts, last_ts;
	unsigned long ext_packets[256];
	/* Layer frames by (spatial, temporal) id, from the payload (VP8 TID,
	 * VP9 SID/TID, AV1 OBU extension). */
	unsigned long layers[MAX_S][MAX_T];
	/* Pictures (timestamps) with a keyframe; pic_key and pic_structure are
	 * the picture being read: a keyframe in it, a structure on it. */
	unsigned long keyframes;
	int pic_key, pic_structure;
	/* The spatial layers each picture has, as a mask: how many pictures
	 * had each mask (an SVC encoder may leave upper layers out). */
	unsigned pic_sids;
	unsigned long sid_masks[1u << MAX_S];
	/* VP9 */
	unsigned long ss_packets, flexible, non_flexible;
	unsigned ss_layers;
	uint16_t ss_w[8], ss_h[8];
	/* AV1 */
	unsigned long obu_types[16], n_bit, tu_with_seq_header;
	uint32_t seq_header_ts;
	int have_seq_header_ts;
	/* Dependency descriptor */
	struct wrtc_dd_structure dd;
	unsigned long dd_packets, dd_structures, dd_errors, dd_extended, dd_frames[MAX_S][MAX_T];
	unsigned long dd_keyframes_with_structure;
	unsigned dd_dt_cnt, dd_chain_cnt, dd_templates, dd_max_s, dd_max_t;
	uint16_t dd_w[4], dd_h[4];
	int dd_resolutions;
};

struct summary {
	struct wrtc_sidecar side;
	int codec;
	struct sum s[MAX_SSRCS];
	int n;
	int per_frame;
	/* The packet being read, for the AV1 element callback. */
	struct sum *cur;
	int cur_z, cur_keyframe;
	uint32_t cur_ts;
};

static struct sum *sum_of(struct summary *su, uint32_t ssrc)
{
	for (int i = 0; i < su->n; i++)
		if (su->s[i].ssrc == ssrc)
			return &su->s[i];
	if (su->n == MAX_SSRCS)
		return NULL;
	struct sum *s = &su->s[su->n++];
	memset(s, 0, sizeof(*s));
	s->ssrc = ssrc;
	return s;
}

static const char *ext_name(const struct wrtc_sidecar *sc, int id)
{
	if (id == sc->mid) return "mid";
	if (id == sc->rid) return "rid";
	if (id == sc->abs_send_time) return "abs-send-time";
	if (id == sc->transport_cc) return "transport-cc";
	if (id == sc->dependency_descriptor) return "dependency-descriptor";
	if (id == sc->video_layers_allocation) return "video-layers-allocation";
	if (id == sc->video_orientation) return "video-orientation";
	return "?";
}

/* Counts every extension element present (RFC 8285 one- and two-byte). */
static void count_extensions(struct sum *s, const uint8_t *p, uint32_t hdr_len)
{
	if (!(p[0] & 0x10))
		return;
	for (int id = 1; id < 256; id++) {
		uint32_t len;
		if (strata_rtp_ext_find(p, hdr_len, (uint8_t)id, &len))
			s->ext_packets[id]++;
	}
}

/* AV1 section 5.9.2, uncompressed_header(), for a frame header at the start
 * of an OBU payload (never reduced_still_picture_header in WebRTC):
 * show_existing_frame f(1), then frame_type f(2), 0 being KEY_FRAME. */
static void av1_element(void *ctx, const uint8_t *p, size_t len, int first, int last)
{
	struct summary *su = ctx;
	struct sum *s = su->cur;
	struct wrtc_obu_header h;
	(void)last;

	/* A continuation carries no OBU header. */
	if (first && su->cur_z)
		return;
	if (wrtc_obu_header_parse(p, len, &h) != 0)
		return;
	s->obu_types[h.type]++;
	if (h.type == WRTC_OBU_SEQUENCE_HEADER &&
	    (!s->have_seq_header_ts || s->seq_header_ts != su->cur_ts)) {
		s->tu_with_seq_header++;
		s->seq_header_ts = su->cur_ts;
		s->have_seq_header_ts = 1;
	}
	if (h.type == WRTC_OBU_FRAME || h.type == WRTC_OBU_FRAME_HEADER) {
		size_t at = h.header_len;
		uint64_t size;
		if (h.has_size) {
			size_t n = wrtc_leb128_read(p + at, len - at, &size);
			at += n ? n : len;
		}
		if (h.sid < MAX_S && h.tid < MAX_T) {
			s->layers[h.sid][h.tid]++;
			s->pic_sids |= 1u << h.sid;
		}
		if (at < len && !(p[at] & 0x80) && ((p[at] >> 5) & 3) == 0) {
			su->cur_keyframe = 1;
		}
		if (su->per_frame)
			printf("  ts %u AV1 %s sid %u tid %u%s\n", su->cur_ts,
			       h.type == WRTC_OBU_FRAME ? "OBU_FRAME" : "OBU_FRAME_HEADER", h.sid,
			       h.tid, su->cur_keyframe == 1 ? " KEY" : "");
	}
}

static void read_dd(struct summary *su, struct sum *s, const uint8_t *p, uint32_t hdr_len,
		    uint32_t ts)
{
	uint32_t len;
	const uint8_t *d;
	struct wrtc_dd_frame f;

	if (!su->side.dependency_descriptor ||
	    !(d = strata_rtp_ext_find(p, hdr_len, (uint8_t)su->side.dependency_descriptor, &len)))
		return;
	s->dd_packets++;
	enum wrtc_dd_result r = wrtc_dd_parse(d, len, &s->dd, &f);
	if (r != WRTC_DD_OK) {
		if (s->dd_errors++ < 5)
			fprintf(stderr, "SSRC %u ts %u: dependency descriptor: %s\n", s->ssrc, ts,
				wrtc_dd_result_name(r));
		return;
	}
	s->dd_extended += f.extended;
	if (f.has_structure) {
		s->dd_structures++;
		s->pic_structure = 1;
		s->dd_dt_cnt = s->dd.dt_cnt;
		s->dd_chain_cnt = s->dd.chain_cnt;
		s->dd_templates = s->dd.template_cnt;
		s->dd_max_s = s->dd.max_spatial_id;
		s->dd_max_t = s->dd.max_temporal_id;
		s->dd_resolutions = s->dd.resolutions_present;
		memcpy(s->dd_w, s->dd.width, sizeof(s->dd_w));
		memcpy(s->dd_h, s->dd.height, sizeof(s->dd_h));
	}
	if (f.start_of_frame) {
		s->dd_incomplete += s->dd_open;
		s->dd_open = 1;
	}
	if (f.end_of_frame)
		s->dd_open = 0;
	if (f.start_of_frame && f.sid < MAX_S && f.tid < MAX_T) {
		s->dd_frames[f.sid][f.tid]++;
		s->pic_sids |= 1u << f.sid;
		if (su->per_frame)
			printf("  ts %u DD frame %u sid %u tid %u template %u%s%s\n", ts,
			       f.frame_number, f.sid, f.tid, f.template_id,
			       f.has_structure ? " +structure" : "",
			       f.has_active_decode_targets ? " +active-targets" : "");
	}
}

/* The keyframe and structure counts of the picture just read. */
static void end_picture(struct sum *s)
{
	if (s->pic_sids)
		s->sid_masks[s->pic_sids]++;
	s->pic_sids = 0;
	s->keyframes += (unsigned long)s->pic_key;
	s->dd_keyframes_with_structure += (unsigned long)(s->pic_key && s->pic_structure);
	s->pic_key = s->pic_structure = 0;
}

/* An IDR slice (NAL unit type 5) in a single NAL unit, a STAP-A or the
 * first fragment of an FU-A (RFC 6184 sections 5.6 to 5.8). */
static int h264_has_idr(const uint8_t *p, size_t len)
{
	unsigned type = len ? p[0] & 0x1f : 0;

	if (type == 5)
		return 1;
	if (type == 28)
		return len > 1 && (p[1] & 0x80) && (p[1] & 0x1f) == 5;
	if (type == 24) {
		for (size_t at = 1; at + 3 <= len; at += 2 + (size_t)(p[at] << 8 | p[at + 1]))
			if ((p[at + 2] & 0x1f) == 5)
				return 1;
	}
	return 0;
}

static void read_packet(struct summary *su, const uint8_t *p, uint32_t len)
{
	uint32_t hdr_len;
	struct sum *s;

	if (strata_rtp_header_len(p, len, &hdr_len) != STRATA_RTP_PARSE_OK ||
	    !(s = sum_of(su, strata_rtp_ssrc(p))))
		return;
	uint16_t seq = strata_rtp_seq(p);
	uint32_t ts = strata_be32(p + 4);
	uint32_t end = len;
	if (p[0] & 0x20)
		end = p[len - 1] <= len - hdr_len ? len - p[len - 1] : hdr_len;

	if (s->packets && (uint16_t)(s->last_seq + 1) != seq)
		s->seq_gaps++;
	if (!s->packets || ts != s->last_ts) {
		end_picture(s);
		s->unmarked += s->packets && !s->ts_marked;
		s->ts_marked = 0;
		s->pictures++;
	}
	s->ts_marked |= p[1] >> 7;
	if (!s->packets)
		s->first_ts = ts;
	s->last_seq = seq;
	s->last_ts = ts;
	s->pt = p[1] & 0x7f;
	s->packets++;
	s->bytes += len;
	s->markers += p[1] >> 7;
	count_extensions(s, p, hdr_len);
	if (su->side.rid && !s->rid[0]) {
		uint32_t rl;
		const uint8_t *r = strata_rtp_ext_find(p, hdr_len, (uint8_t)su->side.rid, &rl);
		if (r && rl < sizeof(s->rid))
			memcpy(s->rid, r, rl);
	}
	if (end == hdr_len) {
		s->padding_only++;
		return;
	}

	const uint8_t *pl = p + hdr_len;
	size_t pl_len = end - hdr_len;
	int keyframe = 0;
	if (su->codec == WRTC_CODEC_VP8) {
		struct wrtc_vp8_desc d;
		if (wrtc_vp8_desc_parse(pl, pl_len, &d) == 0 && d.start && d.partition == 0) {
			s->incomplete += s->frame_open;
			s->frame_open = 1;
			s->layers[0][d.tid & 3]++;
			keyframe = d.keyframe;
			if (su->per_frame)
				printf("  ts %u VP8 picture %u tid %u%s%s\n", ts, d.picture_id, d.tid,
				       d.y ? " Y" : "", d.keyframe ? " KEY" : "");
		}
	} else if (su->codec == WRTC_CODEC_VP9) {
		struct wrtc_vp9_desc d;
		if (wrtc_vp9_desc_parse(pl, pl_len, &d) == 0) {
			if (d.b) {
				s->incomplete += s->frame_open;
				s->frame_open = 1;
			}
			if (d.e)
				s->frame_open = 0;
			if (d.v) {
				s->ss_packets++;
				s->ss_layers = d.ss_layers;
				memcpy(s->ss_w, d.ss_width, sizeof(s->ss_w));
				memcpy(s->ss_h, d.ss_height, sizeof(s->ss_h));
			}
			if (d.b) {
				if (d.f)
					s->flexible++;
				else
					s->non_flexible++;
				if (d.sid < MAX_S && d.tid < MAX_T) {
					s->layers[d.sid][d.tid]++;
					s->pic_sids |= 1u << d.sid;
				}
				keyframe = d.keyframe;
				if (su->per_frame)
					printf("  ts %u VP9 picture %u sid %u tid %u%s%s%s%s\n", ts,
					       d.picture_id, d.sid, d.tid, d.p ? " P" : "",
					       d.u ? " U" : "", d.d ? " D" : "",
					       d.keyframe ? " KEY" : "");
			}
		}
	} else if (su->codec == WRTC_CODEC_AV1) {
		struct wrtc_av1_agg agg;
		su->cur = s;
		su->cur_ts = ts;
		su->cur_z = pl_len && (pl[0] & 0x80);
		su->cur_keyframe = 0;
		wrtc_av1_elements(pl, pl_len, &agg, av1_element, su);
		s->n_bit += agg.n;
		keyframe = su->cur_keyframe == 1;
	} else if (su->codec == WRTC_CODEC_H264) {
		keyframe = h264_has_idr(pl, pl_len);
	}
	s->pic_key |= keyframe;
	if (su->codec == WRTC_CODEC_VP8 && (p[1] & 0x80))
		s->frame_open = 0;
	read_dd(su, s, p, hdr_len, ts);
}

static void print_layers(const char *what, unsigned long t[MAX_S][MAX_T])
{
	int any = 0;

	for (int si = 0; si < MAX_S; si++)
		for (int ti = 0; ti < MAX_T; ti++)
			any |= t[si][ti] != 0;
	if (!any)
		return;
	printf("  %s:", what);
	for (int si = 0; si < MAX_S; si++)
		for (int ti = 0; ti < MAX_T; ti++)
			if (t[si][ti])
				printf(" S%dT%d=%lu", si, ti, t[si][ti]);
	printf("\n");
}

/* Pictures that lack a spatial layer some other picture has. */
static unsigned long pictures_missing_layers(const struct sum *s)
{
	unsigned all = 0;
	unsigned long n = 0;

	for (unsigned m = 1; m < (1u << MAX_S); m++)
		if (s->sid_masks[m])
			all |= m;
	for (unsigned m = 1; m < (1u << MAX_S); m++)
		if (m != all)
			n += s->sid_masks[m];
	return n;
}

/* Spatial and temporal layer counts when (0..S-1) x (0..T-1) are all
 * present and nothing else is. */
static int layer_shape(unsigned long t[MAX_S][MAX_T], int *ns, int *nt)
{
	*ns = *nt = 0;
	for (int si = 0; si < MAX_S; si++)
		for (int ti = 0; ti < MAX_T; ti++)
			if (t[si][ti]) {
				*ns = si + 1 > *ns ? si + 1 : *ns;
				*nt = ti + 1 > *nt ? ti + 1 : *nt;
			}
	for (int si = 0; si < *ns; si++)
		for (int ti = 0; ti < *nt; ti++)
			if (!t[si][ti])
				return 0;
	return 1;
}

static void print_sum(const struct summary *su, const struct sum *s)
{
	printf("SSRC %u (0x%08x) rid '%s' PT %u: %lu packets, %lu bytes, %lu padding-only, "
	       "%lu sequence gaps\n",
	       s->ssrc, s->ssrc, s->rid, s->pt, s->packets, s->bytes, s->padding_only, s->seq_gaps);
	printf("  %lu timestamps (%.2f s), %lu packets with marker, %lu keyframes\n", s->pictures,
	       (double)(uint32_t)(s->last_ts - s->first_ts) / 90000.0, s->markers, s->keyframes);
	printf("  incomplete: %lu timestamps without marker, %lu frames without their last "
	       "packet, %lu dependency descriptor frames without end_of_frame, %lu pictures "
	       "without every spatial layer\n",
	       s->unmarked + !s->ts_marked, s->incomplete + s->frame_open,
	       s->dd_incomplete + s->dd_open, pictures_missing_layers(s));
	printf("  extensions:");
	for (int id = 1; id < 256; id++)
		if (s->ext_packets[id])
			printf(" %d(%s)=%lu", id, ext_name(&su->side, id), s->ext_packets[id]);
	printf("\n");
	if (su->codec == WRTC_CODEC_VP9) {
		printf("  VP9: %lu layer frames in non-flexible mode, %lu flexible; scalability "
		       "structure in %lu packets",
		       s->non_flexible, s->flexible, s->ss_packets);
		for (unsigned i = 0; i < s->ss_layers && i < 8; i++)
			printf("%s%ux%u", i ? " " : ": ", s->ss_w[i], s->ss_h[i]);
		printf("\n");
	}
	if (su->codec == WRTC_CODEC_AV1) {
		printf("  AV1: %lu temporal units with a sequence header, %lu packets with N; OBUs:",
		       s->tu_with_seq_header, s->n_bit);
		for (int i = 0; i < 16; i++)
			if (s->obu_types[i])
				printf(" type%d=%lu", i, s->obu_types[i]);
		printf("\n");
	}
	print_layers(su->codec == WRTC_CODEC_AV1 ? "frames by OBU extension" : "frames by descriptor",
		     (unsigned long(*)[MAX_T])s->layers);
	if (s->dd_packets) {
		printf("  dependency descriptor: %lu packets (%lu extended, %lu errors), structure in "
		       "%lu (%lu of them keyframes)\n",
		       s->dd_packets, s->dd_extended, s->dd_errors, s->dd_structures,
		       s->dd_keyframes_with_structure);
		printf("  structure: %u decode targets, %u chains, %u templates, spatial 0..%u, "
		       "temporal 0..%u",
		       s->dd_dt_cnt, s->dd_chain_cnt, s->dd_templates, s->dd_max_s, s->dd_max_t);
		for (unsigned i = 0; s->dd_resolutions && i <= s->dd_max_s && i < 4; i++)
			printf("%s%ux%u", i ? " " : ", resolutions ", s->dd_w[i], s->dd_h[i]);
		printf("\n");
		print_layers("frames by dependency descriptor", (unsigned long(*)[MAX_T])s->dd_frames);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: webrtc_summary FILE.rtp [FILE.json] [--frames] [--expect-ssrcs N] "
			"[--expect-layers SxT] [--expect-dd] [--expect-complete]\n");
}

int main(int argc, char **argv)
{
	static struct summary su;
	const char *rtp = NULL, *json = NULL;
	char json_buf[1024];
	int expect_ssrcs = -1, expect_s = 0, expect_t = 0, expect_dd = 0, expect_complete = 0;
	int failed = 0;
	struct rtp_file file;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--frames"))
			su.per_frame = 1;
		else if (!strcmp(argv[i], "--expect-dd"))
			expect_dd = 1;
		else if (!strcmp(argv[i], "--expect-complete"))
			expect_complete = 1;
		else if (!strcmp(argv[i], "--expect-ssrcs") && i + 1 < argc)
			expect_ssrcs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--expect-layers") && i + 1 < argc &&
			 sscanf(argv[++i], "%dx%d", &expect_s, &expect_t) == 2)
			;
		else if (argv[i][0] != '-' && !rtp)
			rtp = argv[i];
		else if (argv[i][0] != '-' && !json)
			json = argv[i];
		else {
			usage();
			return 2;
		}
	}
	if (!rtp) {
		usage();
		return 2;
	}
	if (!json) {
		size_t n = strlen(rtp);
		if (n > 4 && !strcmp(rtp + n - 4, ".rtp"))
			n -= 4;
		snprintf(json_buf, sizeof(json_buf), "%.*s.json", (int)n, rtp);
		json = json_buf;
	}
	if (wrtc_sidecar_read(json, &su.side) != 0 || rtp_file_read(rtp, &file) != 0)
		return 2;
	su.codec = wrtc_codec_from_name(su.side.codec);
	if (su.codec < 0) {
		fprintf(stderr, "%s: unknown codec %s\n", json, su.side.codec);
		return 2;
	}
	printf("%s: %s, payload type %d, %u packets\n", rtp, su.side.codec, su.side.payload_type,
	       file.count);
	for (uint32_t i = 0; i < file.count; i++)
		read_packet(&su, file.packets[i].data, file.packets[i].len);
	for (int i = 0; i < su.n; i++)
		end_picture(&su.s[i]);
	for (int i = 0; i < su.n; i++)
		print_sum(&su, &su.s[i]);

	if (expect_ssrcs >= 0 && su.n != expect_ssrcs) {
		printf("FAIL: %d SSRCs, expected %d\n", su.n, expect_ssrcs);
		failed = 1;
	}
	for (int i = 0; expect_s && i < su.n; i++) {
		int ns, nt, ok;
		ok = layer_shape(su.s[i].layers, &ns, &nt) && ns == expect_s && nt == expect_t;
		ok |= layer_shape(su.s[i].dd_frames, &ns, &nt) && ns == expect_s && nt == expect_t;
		if (!ok) {
			printf("FAIL: SSRC %u has not exactly %dx%d layers\n", su.s[i].ssrc, expect_s,
			       expect_t);
			failed = 1;
		}
	}
	if (expect_dd) {
		for (int i = 0; i < su.n; i++) {
			const struct sum *s = &su.s[i];
			if (s->dd_packets + s->padding_only != s->packets || s->dd_errors ||
			    s->dd_keyframes_with_structure < s->keyframes || !s->keyframes) {
				printf("FAIL: SSRC %u: %lu of %lu packets with a readable dependency "
				       "descriptor (%lu errors), structure on %lu of %lu keyframes\n",
				       s->ssrc, s->dd_packets - s->dd_errors, s->packets, s->dd_errors,
				       s->dd_keyframes_with_structure, s->keyframes);
				failed = 1;
			}
		}
	}
	for (int i = 0; expect_complete && i < su.n; i++) {
		const struct sum *s = &su.s[i];
		unsigned long bad = s->seq_gaps + s->unmarked + !s->ts_marked + s->incomplete +
				    s->frame_open + s->dd_incomplete + s->dd_open +
				    pictures_missing_layers(s);
		if (bad) {
			printf("FAIL: SSRC %u: %lu sequence gaps, cut frames or pictures short of "
			       "a layer\n", s->ssrc, bad);
			failed = 1;
		}
	}
	rtp_file_free(&file);
	if (!failed && (expect_ssrcs >= 0 || expect_s || expect_dd || expect_complete))
		printf("OK: the expectations hold\n");
	return failed;
}
