/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Dependency Descriptor end to end, offline, on what a browser sends:
 * the headless Chromium captures of AV1 L3T3 and VP9 L3T3 in tests/data
 * (their capture.sh says how they were made; both carry the descriptor on
 * every packet).
 *
 *  - Every packet's descriptor parses (dataplane/codec/av1_dd.c; VP9's
 *    padding-only bandwidth probes carry none and are left out), the
 *    structure is learnt from the first packet and from every keyframe, and
 *    each packet reads the same as with the capture tools' independent
 *    reader (tests/tools/webrtc_dd.c): layers, DTIs, frame and chain
 *    differences, structure.
 *  - For each of the nine targets (spatial 0..2 x temporal 0..2) a receiver
 *    selects (dataplane/select_dd.c): it starts at the first packet, is at
 *    the decode target of the target layers from then on, gets exactly the
 *    frames of that decode target, never one that references a frame it did
 *    not get, never asks for a keyframe (nothing is lost), and can parse
 *    every descriptor it gets, rewritten as told, with the active decode
 *    targets it can decode.
 *  - What it gets is written out as a forwarder would send it (gapless
 *    sequence numbers, the marker where told, the rewritten descriptor in
 *    the header extension, re-encoded as RFC 8285 requires), and then, with
 *    the capture tools: webrtc_summary reads every rewritten descriptor and
 *    finds the layers the target asks for, complete; webrtc_depay makes the
 *    codec bitstream of it, which is byte for byte the one it makes from the
 *    capture when it filters the layers itself by the descriptor; and
 *    GStreamer decodes that (av1dec, libaom; vp9dec) without error, every
 *    picture out at the target's resolution.
 *
 * The tools are in the build tree (tests/tools); without GStreamer's
 * decoders the decode is skipped (and said so), the rest still runs.
 */
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "av1_dd.h"
#include "capture_sidecar.h"
#include "rtp_ext.h"
#include "rtp_header.h"
#include "select_dd.h"
#include "test_util.h"
#include "tools/rtp_file.h"
#include "tools/webrtc_dd.h"

#ifndef AV1_DD_DATA_DIR
#define AV1_DD_DATA_DIR "tests/data"
#endif
#ifndef AV1_DD_TOOLS_DIR
#define AV1_DD_TOOLS_DIR "build/tests/tools"
#endif

struct capture {
	const char *name;     /* directory under tests/data */
	const char *decoder;  /* GStreamer pipeline after filesrc */
	unsigned keyframes;   /* packets with a structure */
};

static const struct capture captures[] = {
	{ "av1", "ivfparse ! av1parse ! av1dec", 3 },
	{ "vp9", "ivfparse ! vp9dec", 3 },
};

/* The sidecar's "dependency-descriptor" extension id, -1 when none. */
static int dd_ext_id(const char *json_path)
{
	char *text = capture_sidecar_read(json_path);
	int id = text ? capture_sidecar_dd_ext_id(text) : -1;

	free(text);
	return id;
}

/* The descriptor of an RTP packet, or NULL. */
static const uint8_t *packet_dd(const struct rtp_file_packet *p, uint8_t id, uint32_t *len,
				uint32_t *hdr_len)
{
	if (strata_rtp_header_len(p->data, p->len, hdr_len) != STRATA_RTP_PARSE_OK)
		return NULL;
	return strata_rtp_ext_find(p->data, *hdr_len, id, len);
}

/* ---- Parse, against the independent reader ------------------------------ */

static bool same_as_wrtc(const struct dp_av1_dd_frame *f, const struct wrtc_dd_frame *w)
{
	if (f->start_of_frame != w->start_of_frame || f->end_of_frame != w->end_of_frame ||
	    (uint16_t)f->frame_number != w->frame_number || f->spatial != w->sid ||
	    f->temporal != w->tid || f->fdiff_cnt != w->fdiff_cnt ||
	    f->structure_attached != !!w->has_structure)
		return false;
	for (unsigned dt = 0; dt < f->dt_cnt; dt++)
		if (dp_av1_dd_dti_of(f->dti, dt) != w->dti[dt])
			return false;
	for (unsigned i = 0; i < f->fdiff_cnt; i++)
		if (f->fdiff[i] != w->fdiff[i])
			return false;
	for (unsigned c = 0; c < f->chain_cnt; c++)
		if (f->chain_fdiff[c] != w->chain_fdiff[c])
			return false;
	return true;
}

static bool same_structure(const struct dp_av1_dd_structure *s, const struct wrtc_dd_structure *w)
{
	if (!w->valid || s->dt_cnt != w->dt_cnt || s->template_cnt != w->template_cnt ||
	    s->chain_cnt != w->chain_cnt || s->template_id_offset != w->template_id_offset ||
	    s->max_spatial != w->max_spatial_id || s->max_temporal != w->max_temporal_id)
		return false;
	for (unsigned dt = 0; dt < s->dt_cnt; dt++)
		if (s->dt_spatial[dt] != w->dt_sid[dt] || s->dt_temporal[dt] != w->dt_tid[dt] ||
		    (s->chain_cnt && s->protected_by[dt] != w->dt_protected_by[dt]))
			return false;
	for (unsigned sid = 0; s->resolutions_present && sid <= s->max_spatial; sid++)
		if (s->max_width[sid] != w->width[sid] || s->max_height[sid] != w->height[sid])
			return false;
	return true;
}

/* ---- The forwarder's output ---------------------------------------------- */

/*
 * Rebuilds the header extension of an RTP header with element `id`
 * replaced by data[0..len).  RFC 8285 section 4.2 (one-byte header) holds
 * elements of 1 to 16 octets; section 4.3 (two-byte header, profile
 * 0x100 and 4 bits) up to 255: when the new element no longer fits the
 * one-byte form, every element moves to the two-byte one.  Returns the new
 * header's length.
 */
static size_t rewrite_header(const uint8_t *hdr, uint32_t hdr_len, uint8_t id,
			     const uint8_t *data, size_t len, uint8_t *out)
{
	size_t fixed = STRATA_RTP_FIXED_HEADER_LEN + 4u * (hdr[0] & 0x0f);
	uint16_t profile = strata_be16(hdr + fixed);
	const uint8_t *p = hdr + fixed + 4, *end = hdr + hdr_len;
	struct {
		uint8_t id, len;
		const uint8_t *data;
	} el[32];
	unsigned n = 0;
	bool one_byte = profile == 0xBEDE;

	while (p < end && n < 32) {
		if (*p == 0) {
			p++;
			continue;
		}
		uint8_t eid = one_byte ? *p >> 4 : p[0];
		size_t elen = one_byte ? (*p & 0x0f) + 1u : p[1];
		if (one_byte && eid == 15)
			break;
		const uint8_t *d = p + (one_byte ? 1 : 2);
		el[n].id = eid;
		el[n].len = (uint8_t)(eid == id ? len : elen);
		el[n].data = eid == id ? data : d;
		n++;
		p = d + elen;
	}
	bool two = !one_byte;
	for (unsigned i = 0; i < n; i++)
		if (el[i].len > 16 || el[i].len == 0)
			two = true;

	memcpy(out, hdr, fixed);
	size_t at = fixed + 4;
	for (unsigned i = 0; i < n; i++) {
		if (two) {
			out[at++] = el[i].id;
			out[at++] = el[i].len;
		} else {
			out[at++] = (uint8_t)(el[i].id << 4 | (el[i].len - 1));
		}
		memcpy(out + at, el[i].data, el[i].len);
		at += el[i].len;
	}
	while ((at - fixed) % 4)
		out[at++] = 0;
	uint16_t words = (uint16_t)((at - fixed - 4) / 4);
	out[fixed] = two ? 0x10 : 0xBE;
	out[fixed + 1] = two ? 0x00 : 0xDE;
	out[fixed + 2] = (uint8_t)(words >> 8);
	out[fixed + 3] = (uint8_t)words;
	return at;
}

static int run(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;

	if (!p)
		return -1;
	if (out) {
		n = fread(out, 1, cap - 1, p);
		out[n] = 0;
	} else {
		char sink[4096];
		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool same_file(const char *a, const char *b)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
	return run(cmd, NULL, 0) == 0;
}

static bool have_decoder(const char *element)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "gst-inspect-1.0 %s >/dev/null 2>&1", element);
	return run(cmd, NULL, 0) == 0;
}

/* Decodes an IVF file; returns the pictures out (-1 on an error) and the
 * last picture's size. */
static int decode(const char *pipeline, const char *ivf, unsigned *w, unsigned *h)
{
	char cmd[2048];
	static char out[1 << 22];

	snprintf(cmd, sizeof(cmd),
		 "gst-launch-1.0 -v filesrc location='%s' ! %s ! fakesink silent=false 2>&1",
		 ivf, pipeline);
	*w = *h = 0;
	if (run(cmd, out, sizeof(out)) != 0)
		return -1;
	int pictures = 0;
	for (const char *p = out; (p = strstr(p, "last-message = chain")) != NULL; p++)
		pictures++;
	const char *caps = NULL;
	for (const char *p = out; (p = strstr(p, "video/x-raw")) != NULL; p++)
		caps = p;
	if (caps) {
		const char *pw = strstr(caps, "width=(int)"), *ph = strstr(caps, "height=(int)");
		if (pw)
			*w = (unsigned)atoi(pw + strlen("width=(int)"));
		if (ph)
			*h = (unsigned)atoi(ph + strlen("height=(int)"));
	}
	if (strstr(out, "ERROR") || strstr(out, "WARNING"))
		return -1;
	return pictures;
}

/* ---- One capture ----------------------------------------------------------- */

static void run_capture(const struct capture *c, bool decoders)
{
	char rtp_path[512], json_path[512];
	struct rtp_file file;

	snprintf(rtp_path, sizeof(rtp_path), "%s/%s/l3t3.rtp", AV1_DD_DATA_DIR, c->name);
	snprintf(json_path, sizeof(json_path), "%s/%s/l3t3.json", AV1_DD_DATA_DIR, c->name);
	int id = dd_ext_id(json_path);
	CHECK(id > 0 && id < 255, "%s: no dependency-descriptor id in %s", c->name, json_path);
	if (id <= 0 || rtp_file_read(rtp_path, &file) != 0) {
		CHECK(0, "%s: cannot read %s", c->name, rtp_path);
		return;
	}

	/* Parse everything once, as strata-dp does on the publisher's side,
	 * and with the independent reader. */
	struct dp_av1_dd_stream *sfu = malloc(sizeof(*sfu));
	struct dp_av1_dd_frame *frames = calloc(file.count, sizeof(*frames));
	struct wrtc_dd_structure *ws = calloc(1, sizeof(*ws));
	unsigned structures = 0, errors = 0, differ = 0, padding = 0;
	bool *skip = calloc(file.count, sizeof(*skip));
	uint32_t *dd_len = calloc(file.count, sizeof(*dd_len));
	const uint8_t **dd = calloc(file.count, sizeof(*dd));
	uint32_t *hdr_len = calloc(file.count, sizeof(*hdr_len));

	dp_av1_dd_stream_init(sfu);
	for (uint32_t i = 0; i < file.count; i++) {
		const struct rtp_file_packet *p = &file.packets[i];
		dd[i] = packet_dd(p, (uint8_t)id, &dd_len[i], &hdr_len[i]);
		/* Chromium's bandwidth probes: padding only, no descriptor, no
		 * frame; a forwarder consumes them. */
		if (!dd[i] && (p->data[0] & 0x20) && p->len > hdr_len[i] &&
		    p->data[p->len - 1] == p->len - hdr_len[i]) {
			skip[i] = true;
			padding++;
			continue;
		}
		if (!dd[i]) {
			errors++;
			continue;
		}
		enum dp_av1_dd_status r = dp_av1_dd_parse(sfu, dd[i], dd_len[i], &frames[i]);
		if (r != DP_AV1_DD_OK) {
			if (errors++ < 5)
				CHECK(0, "%s: packet %u: %s", c->name, i, dp_av1_dd_status_name(r));
			continue;
		}
		structures += frames[i].structure_attached;
		struct wrtc_dd_frame w;
		if (wrtc_dd_parse(dd[i], dd_len[i], ws, &w) != WRTC_DD_OK || !same_as_wrtc(&frames[i], &w) ||
		    (w.has_structure && !same_structure(frames[i].structure, ws)))
			differ++;
	}
	CHECK(errors == 0, "%s: %u of %u packets without a readable descriptor", c->name, errors,
	      file.count);
	CHECK(differ == 0, "%s: %u packets read differently by the tools' reader", c->name, differ);
	CHECK(structures == c->keyframes, "%s: %u structures, expected %u", c->name, structures,
	      c->keyframes);
	CHECK(frames[0].structure_attached, "%s: the capture does not start with a structure",
	      c->name);
	const struct dp_av1_dd_structure *s = frames[0].structure;
	CHECK(s->dt_cnt == 9 && s->max_spatial == 2 && s->max_temporal == 2,
	      "%s: structure of %u decode targets, S%u T%u", c->name, s->dt_cnt, s->max_spatial,
	      s->max_temporal);
	printf("%s: %u packets (%u padding only), %u structures (%u decode targets, %u chains, "
	       "%u templates)\n", c->name, file.count, padding, structures, s->dt_cnt, s->chain_cnt,
	       s->template_cnt);
	if (errors) {
		free(sfu);
		free(frames);
		free(ws);
		free(dd_len);
		free(dd);
		free(hdr_len);
		free(skip);
		rtp_file_free(&file);
		return;
	}

	/* Each target. */
	for (uint8_t ts = 0; ts < 3; ts++) {
		for (uint8_t tt = 0; tt < 3; tt++) {
			struct dp_select_dd_state rx;
			struct dp_av1_dd_stream *view = malloc(sizeof(*view));
			uint8_t want = dp_select_dd_target(s, dp_av1_dd_all_dts(s), ts, tt);
			char out_rtp[256], out_json[300], ivf_ours[300], ivf_ref[300], cmd[4096];
			unsigned fwd_packets = 0, wrong = 0, undecodable = 0, kn = 0, unread = 0;
			unsigned rewritten = 0, markers = 0, not_at_target = 0;
			uint64_t *fwd_frames = calloc(1 << 16, sizeof(uint64_t));

			snprintf(out_rtp, sizeof(out_rtp), "%s/strata-dd-%s-s%ut%u-%d.rtp",
				 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", c->name, ts, tt,
				 (int)getpid());
			snprintf(out_json, sizeof(out_json), "%.*s.json", (int)strlen(out_rtp) - 4,
				 out_rtp);
			snprintf(ivf_ours, sizeof(ivf_ours), "%s.ours.ivf", out_rtp);
			snprintf(ivf_ref, sizeof(ivf_ref), "%s.ref.ivf", out_rtp);
			FILE *out = fopen(out_rtp, "wb");
			CHECK(out != NULL, "%s: cannot write %s", c->name, out_rtp);
			if (!out) {
				free(view);
				free(fwd_frames);
				continue;
			}
			dp_select_dd_reset(&rx);
			dp_av1_dd_stream_init(view);
			uint16_t seq = strata_rtp_seq(file.packets[0].data);

			for (uint32_t i = 0; i < file.count; i++) {
				const struct dp_av1_dd_frame *f = &frames[i];
				if (skip[i])
					continue;
				enum dp_select_dd r = dp_select_dd_packet(&rx, f, ts, tt);
				bool forward = dp_select_dd_reason(r) == DP_SELECT_DD_FORWARD;
				bool in_dt = dp_av1_dd_dti_of(f->dti, want) != DP_AV1_DD_NOT_PRESENT;

				kn += (r & DP_SELECT_DD_KEYFRAME_NEEDED) != 0;
				not_at_target += rx.dt != want;
				wrong += forward != in_dt;
				if (!forward)
					continue;
				for (unsigned k = 0; k < f->fdiff_cnt; k++) {
					uint64_t ref = f->frame_number - f->fdiff[k];
					undecodable += fwd_frames[ref % (1 << 16)] != ref;
				}
				fwd_frames[f->frame_number % (1 << 16)] = f->frame_number;

				/* What the receiver gets. */
				uint8_t newdd[300], pkt[RTP_FILE_MAX_PACKET + 64];
				const uint8_t *d = dd[i];
				size_t dl = dd_len[i];
				if (r & DP_SELECT_DD_REWRITE) {
					dl = dp_av1_dd_rewrite(dd[i], dd_len[i], f->structure, rx.rx_mask,
							       newdd, sizeof(newdd));
					d = newdd;
					rewritten++;
				}
				struct dp_av1_dd_frame g;
				if (dl == 0 || dp_av1_dd_parse(view, d, dl, &g) != DP_AV1_DD_OK ||
				    g.active_mask != rx.rx_mask)
					unread++;
				const struct rtp_file_packet *p = &file.packets[i];
				size_t h = rewrite_header(p->data, hdr_len[i], (uint8_t)id, d, dl, pkt);
				memcpy(pkt + h, p->data + hdr_len[i], p->len - hdr_len[i]);
				pkt[2] = (uint8_t)(seq >> 8);
				pkt[3] = (uint8_t)seq;
				seq++;
				if (r & DP_SELECT_DD_MARKER) {
					pkt[1] |= 0x80;
					markers++;
				}
				rtp_file_write_packet(out, pkt, (uint32_t)(h + p->len - hdr_len[i]));
				fwd_packets++;
			}
			fclose(out);

			char what[64];
			snprintf(what, sizeof(what), "%s S%uT%u (decode target %u)", c->name, ts, tt, want);
			CHECK(want < s->dt_cnt && s->dt_spatial[want] == ts && s->dt_temporal[want] == tt,
			      "%s: not the decode target of the layers", what);
			CHECK(not_at_target == 0, "%s: %u packets away from the target", what,
			      not_at_target);
			CHECK(wrong == 0, "%s: %u packets forwarded or dropped against their DTI", what,
			      wrong);
			CHECK(undecodable == 0, "%s: %u references to frames not forwarded", what,
			      undecodable);
			CHECK(kn == 0, "%s: %u keyframe requests without a loss", what, kn);
			CHECK(unread == 0, "%s: %u descriptors the receiver cannot read", what, unread);
			bool top = ts == 2 && tt == 2;
			CHECK(top ? rewritten == 0 : rewritten == fwd_packets,
			      "%s: %u of %u packets rewritten", what, rewritten, fwd_packets);
			CHECK(ts == 2 ? markers == 0 : markers > 0, "%s: %u markers set", what, markers);
			printf("%s: %u packets forwarded, %u rewritten, %u markers set", what, fwd_packets,
			       rewritten, markers);

			/* The capture tools on the output. */
			snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", json_path, out_json);
			run(cmd, NULL, 0);
			char res[4096];
			snprintf(cmd, sizeof(cmd),
				 "'%s/webrtc_summary' '%s' --expect-ssrcs 1 --expect-layers %ux%u "
				 "--expect-dd --expect-complete 2>&1",
				 AV1_DD_TOOLS_DIR, out_rtp, ts + 1u, tt + 1u);
			int st = run(cmd, res, sizeof(res));
			CHECK(st == 0, "%s: webrtc_summary on the output: %d\n%s", what, st, res);
			snprintf(cmd, sizeof(cmd),
				 "'%s/webrtc_depay' '%s' --out '%s' >/dev/null 2>&1 && "
				 "'%s/webrtc_depay' '%s' '%s' --out '%s' --by-dd --max-spatial %u "
				 "--max-temporal %u >/dev/null 2>&1",
				 AV1_DD_TOOLS_DIR, out_rtp, ivf_ours, AV1_DD_TOOLS_DIR, rtp_path, json_path,
				 ivf_ref, ts, tt);
			st = run(cmd, NULL, 0);
			CHECK(st == 0, "%s: webrtc_depay: %d", what, st);
			CHECK(st != 0 || same_file(ivf_ours, ivf_ref),
			      "%s: the bitstream differs from the tools' own selection", what);
			if (decoders && st == 0) {
				unsigned w = 0, h = 0;
				int pics = decode(c->decoder, ivf_ours, &w, &h);
				CHECK(pics > 0, "%s: GStreamer did not decode it", what);
				if (s->resolutions_present)
					CHECK(w == s->max_width[ts] && h == s->max_height[ts],
					      "%s: decoded at %ux%u", what, w, h);
				printf(", %d pictures decoded at %ux%u", pics, w, h);
			}
			printf("\n");
			unlink(out_rtp);
			unlink(out_json);
			unlink(ivf_ours);
			unlink(ivf_ref);
			free(view);
			free(fwd_frames);
		}
	}
	free(sfu);
	free(frames);
	free(ws);
	free(dd_len);
	free(dd);
	free(hdr_len);
	free(skip);
	rtp_file_free(&file);
}

int main(void)
{
	char probe[1024];
	snprintf(probe, sizeof(probe), "%s/webrtc_depay", AV1_DD_TOOLS_DIR);
	if (access(probe, X_OK) != 0) {
		printf("%s is not built: skipped\n", probe);
		return 77;
	}
	for (unsigned i = 0; i < ARRAY_LEN(captures); i++) {
		const char *el = strstr(captures[i].decoder, "av1dec") ? "av1dec" : "vp9dec";
		bool dec = have_decoder(el);
		if (!dec)
			printf("%s: GStreamer's %s is missing: not decoded\n", captures[i].name, el);
		run_capture(&captures[i], dec);
	}
	return test_summary("dp_av1_dd_capture");
}
