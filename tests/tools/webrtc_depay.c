/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * webrtc_depay: turns one stream of a webrtc_capture capture back into the
 * codec's own bitstream, so that GStreamer decodes it from a file:
 *
 *   webrtc_depay FILE.rtp [FILE.json] --out OUT [--ssrc N | --rid R]
 *                [--max-spatial S] [--max-temporal T] [--by-dd]
 *
 *   VP8, VP9, AV1: an IVF file (fourcc VP80, VP90, AV01; 90 kHz time base,
 *   one IVF frame per picture / temporal unit).  H.264: an Annex B byte
 *   stream.  Decode with e.g.
 *
 *     gst-launch-1.0 filesrc location=OUT ! ivfparse ! vp9dec ! fakesink
 *     gst-launch-1.0 filesrc location=OUT ! ivfparse ! av1parse ! av1dec ! fakesink
 *
 * Without --ssrc or --rid the first SSRC in the file is taken.  The layer
 * limits keep VP9 layer frames and AV1 OBUs with spatial id <= S and
 * temporal id <= T (VP8: TID <= T), which is what a forwarder does for a
 * receiver that wants those layers.  With --by-dd the layers are told by
 * the dependency descriptor instead (each frame's template), for every
 * codec: what a forwarder that reads only the descriptor does.  Prints one
 * line of JSON: pictures written, packets used, pictures dropped as
 * incomplete, layer frames (or OBUs) left out.
 *
 * How each codec comes back:
 *   VP8 (RFC 7741): the payloads after the descriptor, from S=1/PID=0 to
 *     the marker, are one frame.
 *   VP9 (RFC 9628): the payloads from B to E are one layer frame; the kept
 *     layer frames of a picture (one timestamp) are joined into a
 *     superframe (VP9 bitstream annex B) with its index.
 *   AV1 (AV1 RTP specification section 4): OBU elements are reassembled
 *     across packets (Z, Y), given back their obu_size field, and each
 *     temporal unit gets its temporal delimiter (the RTP format drops them).
 *   H.264 (RFC 6184): single NAL units, STAP-A and FU-A, each NAL unit
 *     behind a 4-byte start code.
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

#define MAX_FRAME (4 << 20)
#define MAX_LAYER_FRAMES 8

struct depay {
	int codec;
	unsigned max_s, max_t;
	/* --by-dd: the descriptor's extension id, its structure, and whether
	 * the current frame is left out; the payload limits are then open. */
	int dd_id;
	unsigned dd_max_s, dd_max_t;
	struct wrtc_dd_structure dd;
	int dd_skip;
	FILE *out;
	/* The picture being built. */
	uint8_t *buf;
	size_t len;
	uint32_t ts;
	int open, broken;
	/* VP9: the layer frames of the picture, as (offset, size) in buf. */
	size_t lf_off[MAX_LAYER_FRAMES], lf_len[MAX_LAYER_FRAMES];
	int n_lf, in_lf;
	/* AV1: an OBU split across packets. */
	uint8_t *obu;
	size_t obu_len;
	int obu_open;
	uint16_t last_seq;
	int have_seq;
	/* Bytes of codec data (not the AV1 temporal delimiter) in the
	 * picture: a picture whose layers were all left out is not written. */
	size_t kept;
	uint32_t first_ts;
	int have_first_ts;
	unsigned long pictures, packets, incomplete, dropped_layers;
};

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void ivf_header(FILE *f, const char *fourcc, int w, int h)
{
	uint8_t hdr[32] = { 'D', 'K', 'I', 'F' };

	put_le(hdr + 4, 0, 2);
	put_le(hdr + 6, 32, 2);
	memcpy(hdr + 8, fourcc, 4);
	put_le(hdr + 12, (uint64_t)w, 2);
	put_le(hdr + 14, (uint64_t)h, 2);
	put_le(hdr + 16, 90000, 4);
	put_le(hdr + 20, 1, 4);
	put_le(hdr + 24, 0, 4); /* frame count: rewritten at the end */
	fwrite(hdr, 1, sizeof(hdr), f);
}

static void append(struct depay *d, const void *p, size_t n)
{
	if (d->len + n > MAX_FRAME) {
		d->broken = 1;
		return;
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
}

/* VP9 bitstream annex B.3, superframe_index(): a marker byte
 * 0b110 | bytes_per_framesize_minus_1 (2) | frames_in_superframe_minus_1 (3),
 * the frame sizes little-endian, the marker again. */
static void vp9_superframe(struct depay *d)
{
	uint8_t idx[2 + 4 * MAX_LAYER_FRAMES];
	size_t n = 0;

	if (d->n_lf < 2)
		return;
	idx[n++] = (uint8_t)(0xc0 | 3 << 3 | (d->n_lf - 1));
	for (int i = 0; i < d->n_lf; i++, n += 4)
		put_le(idx + n, d->lf_len[i], 4);
	idx[n++] = idx[0];
	append(d, idx, n);
}

static void emit(struct depay *d)
{
	uint8_t fh[12];

	/* A layer frame without its E packet, an OBU without its end. */
	if (d->in_lf || d->obu_open)
		d->broken = 1;
	if (d->open && !d->broken && d->codec == WRTC_CODEC_VP9)
		vp9_superframe(d);
	if (d->open && !d->broken && d->kept > 0) {
		if (d->codec == WRTC_CODEC_H264) {
			fwrite(d->buf, 1, d->len, d->out);
		} else {
			put_le(fh, d->len, 4);
			if (!d->have_first_ts) {
				d->first_ts = d->ts;
				d->have_first_ts = 1;
			}
			/* The RTP clock from the first picture on, 90 kHz as the
			 * header says. */
			put_le(fh + 4, (uint32_t)(d->ts - d->first_ts), 8);
			fwrite(fh, 1, sizeof(fh), d->out);
			fwrite(d->buf, 1, d->len, d->out);
		}
		d->pictures++;
	} else if (d->open && d->broken) {
		d->incomplete++;
	}
	d->open = d->broken = 0;
	d->len = 0;
	d->kept = 0;
	d->n_lf = 0;
	d->in_lf = 0;
	d->obu_open = 0;
	d->obu_len = 0;
}

static void begin(struct depay *d, uint32_t ts)
{
	d->open = 1;
	d->broken = 0;
	d->len = 0;
	d->kept = 0;
	d->ts = ts;
	if (d->codec == WRTC_CODEC_AV1) {
		/* AV1 section 5.6: a temporal delimiter OBU, with obu_size 0,
		 * starts every temporal unit. */
		static const uint8_t td[2] = { 0x12, 0x00 };
		append(d, td, sizeof(td));
	}
}

static void vp8(struct depay *d, const uint8_t *p, size_t len, int marker)
{
	struct wrtc_vp8_desc v;

	if (wrtc_vp8_desc_parse(p, len, &v) != 0) {
		d->broken = 1;
		return;
	}
	if (v.start && v.partition == 0) {
		if (v.has_tid && v.tid > d->max_t) {
			d->dropped_layers++;
			d->open = 0;
			return;
		}
		if (d->open) {
			/* The previous frame never got its marker. */
			d->broken = 1;
			emit(d);
		}
		begin(d, d->ts);
	}
	if (!d->open)
		return;
	append(d, p + v.len, len - v.len);
	d->kept += len - v.len;
	if (marker)
		emit(d);
}

static void vp9(struct depay *d, const uint8_t *p, size_t len)
{
	struct wrtc_vp9_desc v;

	if (wrtc_vp9_desc_parse(p, len, &v) != 0) {
		d->broken = 1;
		return;
	}
	if (v.b) {
		/* The previous layer frame never got its E packet. */
		if (d->in_lf)
			d->broken = 1;
		d->in_lf = 0;
		if (v.sid > d->max_s || v.tid > d->max_t) {
			d->dropped_layers++;
			return;
		}
		if (d->n_lf == MAX_LAYER_FRAMES) {
			d->broken = 1;
			return;
		}
		d->in_lf = 1;
		d->lf_off[d->n_lf] = d->len;
		d->lf_len[d->n_lf] = 0;
		d->n_lf++;
	}
	if (!d->in_lf)
		return;
	append(d, p + v.len, len - v.len);
	d->kept += len - v.len;
	d->lf_len[d->n_lf - 1] += len - v.len;
	if (v.e)
		d->in_lf = 0;
}

/* One complete OBU from the RTP payload: kept with its size field, unless
 * the layer limits or the RTP format's rules (section 5: no temporal
 * delimiters, tile lists or padding travel) leave it out. */
static void av1_obu(struct depay *d, const uint8_t *p, size_t len)
{
	struct wrtc_obu_header h;
	uint8_t hdr[2 + 8];
	size_t n;
	uint64_t size;

	if (wrtc_obu_header_parse(p, len, &h) != 0) {
		d->broken = 1;
		return;
	}
	if (h.type == WRTC_OBU_TEMPORAL_DELIMITER || h.type == WRTC_OBU_TILE_LIST ||
	    h.type == WRTC_OBU_PADDING)
		return;
	if (h.has_extension && (h.sid > d->max_s || h.tid > d->max_t)) {
		d->dropped_layers++;
		return;
	}
	const uint8_t *payload = p + h.header_len;
	size_t payload_len = len - h.header_len;
	if (h.has_size) {
		n = wrtc_leb128_read(payload, payload_len, &size);
		if (!n || size > payload_len - n) {
			d->broken = 1;
			return;
		}
		payload += n;
		payload_len = (size_t)size;
	}
	hdr[0] = p[0] | 0x02; /* obu_has_size_field */
	n = 1;
	if (h.has_extension)
		hdr[n++] = p[1];
	n += wrtc_leb128_write(hdr + n, payload_len);
	append(d, hdr, n);
	append(d, payload, payload_len);
	d->kept += n + payload_len;
}

static void av1_element(void *ctx, const uint8_t *p, size_t len, int first, int last);

struct av1_ctx {
	struct depay *d;
	const struct wrtc_av1_agg *agg;
};

static void av1_element(void *ctx, const uint8_t *p, size_t len, int first, int last)
{
	struct av1_ctx *c = ctx;
	struct depay *d = c->d;
	int continues = first && c->agg->z, continued = last && c->agg->y;

	if (continues && !d->obu_open) {
		/* The start of this OBU was never seen. */
		d->broken = 1;
		return;
	}
	if (!continues)
		d->obu_len = 0;
	if (d->obu_len + len > MAX_FRAME) {
		d->broken = 1;
		return;
	}
	memcpy(d->obu + d->obu_len, p, len);
	d->obu_len += len;
	d->obu_open = continued;
	if (!continued) {
		av1_obu(d, d->obu, d->obu_len);
		d->obu_len = 0;
	}
}

static void av1(struct depay *d, const uint8_t *p, size_t len)
{
	struct wrtc_av1_agg agg;
	struct av1_ctx c = { d, &agg };

	/* The aggregation header is read inside; agg is filled before the
	 * first element's callback. */
	agg.z = len && (p[0] & 0x80);
	agg.y = len && (p[0] & 0x40);
	if (wrtc_av1_elements(p, len, &agg, av1_element, &c) != 0)
		d->broken = 1;
}

static void h264_nal(struct depay *d, const uint8_t *p, size_t len)
{
	static const uint8_t start[4] = { 0, 0, 0, 1 };

	append(d, start, 4);
	append(d, p, len);
	d->kept += 4 + len;
}

/* RFC 6184 section 5.7.1 (STAP-A: 16-bit NALU size, NALU, ...) and 5.8
 * (FU-A: FU indicator F|NRI|28, FU header S|E|R|type). */
static void h264(struct depay *d, const uint8_t *p, size_t len)
{
	unsigned type = p[0] & 0x1f;

	if (type >= 1 && type <= 23) {
		h264_nal(d, p, len);
	} else if (type == 24) {
		size_t at = 1;
		while (at + 2 <= len) {
			size_t n = (size_t)(p[at] << 8 | p[at + 1]);
			if (at + 2 + n > len) {
				d->broken = 1;
				return;
			}
			h264_nal(d, p + at + 2, n);
			at += 2 + n;
		}
	} else if (type == 28 && len >= 2) {
		if (p[1] & 0x80) {
			uint8_t nal = (uint8_t)((p[0] & 0xe0) | (p[1] & 0x1f));
			h264_nal(d, &nal, 1);
		}
		append(d, p + 2, len - 2);
		d->kept += len - 2;
	} else {
		d->broken = 1;
	}
}

static void packet(struct depay *d, const uint8_t *p, uint32_t len)
{
	uint32_t hdr_len, end = len;
	uint16_t seq = strata_rtp_seq(p);
	uint32_t ts = strata_be32(p + 4);
	int marker = p[1] >> 7;

	if (strata_rtp_header_len(p, len, &hdr_len) != STRATA_RTP_PARSE_OK)
		return;
	if (p[0] & 0x20)
		end = p[len - 1] <= len - hdr_len ? len - p[len - 1] : hdr_len;
	/* A missing packet spoils the picture it belongs to. */
	if (d->have_seq && (uint16_t)(d->last_seq + 1) != seq)
		d->broken = 1;
	d->last_seq = seq;
	d->have_seq = 1;
	if (end == hdr_len)
		return; /* padding only */
	if (d->dd_id) {
		uint32_t dl;
		const uint8_t *dp = strata_rtp_ext_find(p, hdr_len, (uint8_t)d->dd_id, &dl);
		struct wrtc_dd_frame f;
		if (!dp || wrtc_dd_parse(dp, dl, &d->dd, &f) != WRTC_DD_OK) {
			d->broken = 1;
		} else if (f.start_of_frame) {
			d->dd_skip = f.sid > d->dd_max_s || f.tid > d->dd_max_t;
			d->dropped_layers += (unsigned long)d->dd_skip;
		}
		if (d->dd_skip) {
			if (marker && d->open)
				emit(d);
			return;
		}
	}
	d->packets++;
	if (d->open && ts != d->ts)
		emit(d);
	if (!d->open && d->codec != WRTC_CODEC_VP8)
		begin(d, ts);
	d->ts = ts;
	switch (d->codec) {
	case WRTC_CODEC_VP8:
		vp8(d, p + hdr_len, end - hdr_len, marker);
		return;
	case WRTC_CODEC_VP9:
		vp9(d, p + hdr_len, end - hdr_len);
		break;
	case WRTC_CODEC_AV1:
		av1(d, p + hdr_len, end - hdr_len);
		break;
	case WRTC_CODEC_H264:
		h264(d, p + hdr_len, end - hdr_len);
		break;
	}
	if (marker)
		emit(d);
}

int main(int argc, char **argv)
{
	const char *rtp = NULL, *json = NULL, *out = NULL, *rid = NULL;
	char json_buf[1024];
	long ssrc = -1;
	struct wrtc_sidecar side;
	struct rtp_file file;
	static struct depay d;

	d.max_s = d.max_t = 7;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "--out") && v)
			out = v, i++;
		else if (!strcmp(argv[i], "--ssrc") && v)
			ssrc = strtol(v, NULL, 0), i++;
		else if (!strcmp(argv[i], "--rid") && v)
			rid = v, i++;
		else if (!strcmp(argv[i], "--max-spatial") && v)
			d.max_s = (unsigned)atoi(v), i++;
		else if (!strcmp(argv[i], "--max-temporal") && v)
			d.max_t = (unsigned)atoi(v), i++;
		else if (!strcmp(argv[i], "--by-dd"))
			d.dd_id = -1;
		else if (argv[i][0] != '-' && !rtp)
			rtp = argv[i];
		else if (argv[i][0] != '-' && !json)
			json = argv[i];
		else
			rtp = NULL, i = argc;
	}
	if (!rtp || !out) {
		fprintf(stderr, "usage: webrtc_depay FILE.rtp [FILE.json] --out OUT "
				"[--ssrc N | --rid R] [--max-spatial S] [--max-temporal T] [--by-dd]\n");
		return 2;
	}
	if (!json) {
		size_t n = strlen(rtp);
		if (n > 4 && !strcmp(rtp + n - 4, ".rtp"))
			n -= 4;
		snprintf(json_buf, sizeof(json_buf), "%.*s.json", (int)n, rtp);
		json = json_buf;
	}
	if (wrtc_sidecar_read(json, &side) != 0 || rtp_file_read(rtp, &file) != 0)
		return 2;
	d.codec = wrtc_codec_from_name(side.codec);
	if (d.dd_id) {
		if (!side.dependency_descriptor) {
			fprintf(stderr, "webrtc_depay: --by-dd, but no dependency descriptor was "
					"negotiated\n");
			return 2;
		}
		d.dd_id = side.dependency_descriptor;
		d.dd_max_s = d.max_s;
		d.dd_max_t = d.max_t;
		d.max_s = d.max_t = 7;
	}
	d.buf = malloc(MAX_FRAME);
	d.obu = malloc(MAX_FRAME);
	d.out = fopen(out, "wb");
	if (d.codec < 0 || !d.buf || !d.obu || !d.out) {
		fprintf(stderr, "webrtc_depay: cannot start (codec %s, output %s)\n", side.codec, out);
		return 2;
	}
	/* The stream: by rid (from the rid extension of its first packets),
	 * by SSRC, or the first one. */
	if (rid) {
		for (uint32_t i = 0; i < file.count && ssrc < 0; i++) {
			const uint8_t *p = file.packets[i].data;
			uint32_t hdr_len, rl;
			const uint8_t *r;
			if (side.rid && strata_rtp_header_len(p, file.packets[i].len, &hdr_len) == 0 &&
			    (r = strata_rtp_ext_find(p, hdr_len, (uint8_t)side.rid, &rl)) &&
			    rl == strlen(rid) && !memcmp(r, rid, rl))
				ssrc = strata_rtp_ssrc(p);
		}
		if (ssrc < 0) {
			fprintf(stderr, "webrtc_depay: no packet with rid '%s'\n", rid);
			return 2;
		}
	} else if (ssrc < 0 && file.count) {
		ssrc = strata_rtp_ssrc(file.packets[0].data);
	}
	if (d.codec != WRTC_CODEC_H264)
		ivf_header(d.out, d.codec == WRTC_CODEC_VP8 ? "VP80" :
				  d.codec == WRTC_CODEC_VP9 ? "VP90" : "AV01",
			   side.width, side.height);
	for (uint32_t i = 0; i < file.count; i++)
		if (file.packets[i].len >= 12 &&
		    strata_rtp_ssrc(file.packets[i].data) == (uint32_t)ssrc)
			packet(&d, file.packets[i].data, file.packets[i].len);
	emit(&d);
	if (d.codec != WRTC_CODEC_H264) {
		uint8_t n[4];
		put_le(n, d.pictures, 4);
		fseek(d.out, 24, SEEK_SET);
		fwrite(n, 1, 4, d.out);
	}
	if (fclose(d.out) != 0) {
		fprintf(stderr, "webrtc_depay: cannot write %s\n", out);
		return 2;
	}
	printf("{\"ssrc\":%lu,\"pictures\":%lu,\"packets\":%lu,\"incomplete\":%lu,"
	       "\"dropped_layer_frames\":%lu}\n",
	       (unsigned long)ssrc, d.pictures, d.packets, d.incomplete, d.dropped_layers);
	rtp_file_free(&file);
	free(d.buf);
	free(d.obu);
	return 0;
}
