/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * End to end, offline, with real decoders: the H.264 captures made by
 * tests/data/h264/capture.sh (x264 and openh264 through GStreamer's
 * rtph264pay) go through dp_h264_parse, dp_h264_track and dp_h264_filter
 * for receivers with several limits, and GStreamer decodes each result
 * (tests/tools/h264_decode_check: avdec_h264 for avc.rtp and l1t3.rtp,
 * openh264dec for l2t3.rtp).  Why not avdec_h264 for l2t3.rtp: behind
 * GStreamer's h264parse it decodes 44 of the 150 pictures of the base
 * layer when the stream carries subset SPS NAL units (type 15), which
 * every receiver gets (parameter sets have no layer ids, and the IDR's
 * STAP-A holds the SPS, subset SPS and PPSs together); without them it
 * decodes them all.  openh264dec decodes both layers.
 *
 *   test_dp_h264_layers DATA_DIR [DECODE_CHECK]
 *
 * Offline, for each capture: every packet parses; 150 access units, IDRs
 * at 0, 60 and 120 and nowhere else, the first packet of each of those a
 * keyframe start for select.h; one picture start per access unit; the
 * capture's layering (TIDs 0,2,1,2 repeating; DID 1 in l2t3.rtp) is what
 * the parser reads; no ids are ever unknown; every packet cut at every
 * length, in an exact heap buffer, is refused or parses consistently.
 *
 * The receiver, as strata-dp would run it (a reference for the
 * integration): its limits change only at an access unit's first packet
 * (dp_frame_info.frame_start); the temporal limit goes down at once and up
 * one layer at a time, at an access unit of TID cur + 1 (every one is a
 * switching point, dp_frame_info.sync) or straight to the target at an
 * IDR; the DID limit goes down at an access unit start and up at the
 * packet carrying an IDR layer representation of the next DID
 * (dp_h264_info.idr_dids, RFC 6190 section 4.2.2).  Each packet then goes
 * by dp_h264_filter.  Forwarded packets are renumbered without gaps.
 *
 * With a decoder: GStreamer's parser marks IDR access units exactly where
 * Strata found them; each output decodes without error to as many
 * pictures as access units were forwarded with a picture, each pixel for
 * pixel the one the full stream gives for that access unit (for DID 0,
 * the stream with every DID 1 NAL unit taken out); so temporal up-switches
 * at every kind of picture are clean, which is what treating every TID > 0
 * picture as a switching point rests on.  A control stream (TID 2
 * pictures forwarded without the TID 1 pictures they reference) must fail
 * that check.
 *
 * Without DECODE_CHECK or the GStreamer elements the offline checks run
 * and the test reports "skipped" (77).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode_fixture.h"
#include "h264.h"
#include "rtp_header.h"
#include "test_util.h"
#include "tools/rtp_file.h"

#define UNITS 150
#define MIXED_IN_L2T3 38

/* The capture's layering (h264_capture.c): openh264's dyadic order. */
static uint8_t tid_of(uint32_t au)
{
	static const uint8_t tids[] = { 0, 2, 1, 2 };
	return tids[au % 4];
}

static bool idr_au(uint32_t au)
{
	return au % 60 == 0;
}

struct capture {
	const char *name;
	struct rtp_file file;
	struct dp_h264_info *in; /* per packet, after dp_h264_track */
	struct dp_frame_info *fi;
	uint32_t *au;            /* per packet: its access unit */
	uint32_t *hdr;           /* per packet: RTP header length */
	uint32_t units;
};

static int load(const char *dir, const char *name, struct capture *c)
{
	char path[4096];
	struct dp_h264_track t = { 0 };

	memset(c, 0, sizeof(*c));
	c->name = name;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (rtp_file_read(path, &c->file) != 0)
		return -1;
	uint32_t n = c->file.count;
	c->in = calloc(n, sizeof(*c->in));
	c->fi = calloc(n, sizeof(*c->fi));
	c->au = calloc(n, sizeof(*c->au));
	c->hdr = calloc(n, sizeof(*c->hdr));
	if (!c->in || !c->fi || !c->au || !c->hdr)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = c->file.packets[i].data;
		uint32_t len = c->file.packets[i].len;
		enum dp_h264_status st = DP_H264_EMPTY;

		if (strata_rtp_header_len(p, len, &c->hdr[i]) == STRATA_RTP_PARSE_OK)
			st = dp_h264_parse(p + c->hdr[i], len - c->hdr[i], &c->in[i]);
		CHECK(st == DP_H264_OK, "%s packet %u: %s", name, i, dp_h264_status_str(st));
		if (st != DP_H264_OK)
			return -1;
		dp_h264_track(&t, &c->in[i], strata_be32(p + 4));
		dp_h264_frame_info(&c->in[i], &c->fi[i]);
		c->units += c->in[i].au_start;
		c->au[i] = c->units - 1;
	}
	return 0;
}

static void unload(struct capture *c)
{
	rtp_file_free(&c->file);
	free(c->in);
	free(c->fi);
	free(c->au);
	free(c->hdr);
}

/* ---- offline ------------------------------------------------------------ */

static void check_offline(const struct capture *c, bool layered, uint8_t top_did)
{
	uint32_t pictures[UNITS] = { 0 }, mixed = 0;
	uint8_t au_tid[UNITS] = { 0 }, au_did[UNITS] = { 0 }, au_idr[UNITS] = { 0 };

	CHECK(c->units == UNITS, "%s: %u access units", c->name, c->units);
	for (uint32_t i = 0; i < c->file.count && c->units == UNITS; i++) {
		const struct dp_h264_info *in = &c->in[i];
		uint32_t au = c->au[i];

		CHECK(!in->late && !in->layers_unknown, "%s packet %u: late %u unknown %u", c->name,
		      i, in->late, in->layers_unknown);
		CHECK(in->has_layers == layered || (layered && !(in->types & (1u << 1 | 1u << 5 |
			1u << 14 | 1u << 20))), "%s packet %u: layers %u", c->name, i, in->has_layers);
		CHECK(!(c->fi[i].keyframe && c->fi[i].frame_start) || idr_au(au),
		      "%s packet %u: a keyframe start in access unit %u", c->name, i, au);
		if (in->au_start)
			CHECK(!idr_au(au) || c->fi[i].keyframe, "%s: IDR access unit %u starts "
			      "without a keyframe", c->name, au);
		pictures[au] += in->picture_start;
		au_idr[au] |= in->idr;
		if (in->has_layers) {
			au_tid[au] = in->max_tid > au_tid[au] ? in->max_tid : au_tid[au];
			au_did[au] = in->max_did > au_did[au] ? in->max_did : au_did[au];
			if (!in->uniform) {
				mixed++;
				CHECK(in->max_tid == 2 && in->layer_mask == (1ull << 2 | 1ull << 10),
				      "%s packet %u mixes %#llx", c->name, i,
				      (unsigned long long)in->layer_mask);
			}
		}
	}
	for (uint32_t au = 0; au < UNITS && c->units == UNITS; au++) {
		CHECK(pictures[au] == 1, "%s access unit %u: %u picture starts", c->name, au,
		      pictures[au]);
		CHECK(au_idr[au] == idr_au(au), "%s access unit %u: IDR %u", c->name, au,
		      au_idr[au]);
		if (layered)
			CHECK(au_tid[au] == tid_of(au) && au_did[au] == top_did,
			      "%s access unit %u: TID %u DID %u, expected %u %u", c->name, au,
			      au_tid[au], au_did[au], tid_of(au), top_did);
	}
	CHECK(mixed == (top_did ? MIXED_IN_L2T3 : 0), "%s: %u packets mix layers", c->name,
	      mixed);

	/* Every packet cut at every length, in an exact buffer. */
	for (uint32_t i = 0; i < c->file.count; i++) {
		const uint8_t *pl = c->file.packets[i].data + c->hdr[i];
		uint32_t len = c->file.packets[i].len - c->hdr[i];

		for (uint32_t cut = 0; cut < len; cut++) {
			uint8_t *p = malloc(cut ? cut : 1);
			struct dp_h264_info in;

			memcpy(p, pl, cut);
			enum dp_h264_status st = dp_h264_parse(p, cut, &in);
			free(p);
			CHECK(st < DP_H264_STATUS_COUNT && (st != DP_H264_OK ||
			      (in.nal_count >= 1 && in.nal_count <= cut)),
			      "%s packet %u cut to %u: %s", c->name, i, cut, dp_h264_status_str(st));
		}
	}
}

/* ---- one receiver ------------------------------------------------------- */

struct scenario {
	const char *name;
	const char *capture;
	/* Targets (DID, TID) from the start, then from the second packet of
	 * access unit at[k]; eff[k]: the access unit from which the receiver
	 * has the new limits (worked out by hand from the rules). */
	uint8_t did[3], tid[3];
	uint32_t at[2], eff[2];
	bool control; /* forward TID 0 and 2, drop TID 1: must fail */
};

static const struct scenario scenarios[] = {
	{ "AVC, strictest limits", "avc.rtp", { 0, 0, 0 }, { 0, 0, 0 }, { 999, 999 }, { 999, 999 } },
	{ "T0", "l1t3.rtp", { 0, 0, 0 }, { 0, 0, 0 }, { 999, 999 }, { 999, 999 } },
	{ "T1", "l1t3.rtp", { 0, 0, 0 }, { 1, 1, 1 }, { 999, 999 }, { 999, 999 } },
	{ "T2", "l1t3.rtp", { 0, 0, 0 }, { 2, 2, 2 }, { 999, 999 }, { 999, 999 } },
	/* Down at the next access unit; up at the next TID 2 one (AU 101). */
	{ "T2->T1->T2", "l1t3.rtp", { 0, 0, 0 }, { 2, 1, 2 }, { 50, 100 }, { 51, 101 } },
	/* Up at a TID 1 picture (AU 42), then at a TID 2 picture that
	 * references the TID 1 picture before it (AU 83 = 4k+3). */
	{ "T0->T1->T2", "l1t3.rtp", { 0, 0, 0 }, { 0, 1, 2 }, { 40, 82 }, { 42, 83 } },
	/* The change comes in the middle of a TID 1 access unit (70): that
	 * one stays dropped, the next TID 1 one (74) is the switch. */
	{ "T1->T0->T1", "l1t3.rtp", { 0, 0, 0 }, { 1, 0, 1 }, { 29, 70 }, { 30, 74 } },
	/* Up from T0 straight to T2 at the IDR. */
	{ "T0->T2 at an IDR", "l1t3.rtp", { 0, 0, 0 }, { 0, 2, 2 }, { 119, 140 }, { 120, 140 } },
	{ "control", "l1t3.rtp", { 0, 0, 0 }, { 2, 2, 2 }, { 999, 999 }, { 999, 999 }, true },
	{ "D0 T0", "l2t3.rtp", { 0, 0, 0 }, { 0, 0, 0 }, { 999, 999 }, { 999, 999 } },
	{ "D0 T1", "l2t3.rtp", { 0, 0, 0 }, { 1, 1, 1 }, { 999, 999 }, { 999, 999 } },
	{ "D0 T2 (mixed STAP-As dropped)", "l2t3.rtp", { 0, 0, 0 }, { 2, 2, 2 }, { 999, 999 },
	  { 999, 999 } },
	{ "D1 T0", "l2t3.rtp", { 1, 1, 1 }, { 0, 0, 0 }, { 999, 999 }, { 999, 999 } },
	{ "D1 T2", "l2t3.rtp", { 1, 1, 1 }, { 2, 2, 2 }, { 999, 999 }, { 999, 999 } },
	{ "D1 T2->T1->T2", "l2t3.rtp", { 1, 1, 1 }, { 2, 1, 2 }, { 40, 90 }, { 41, 91 } },
	/* DID up waits for DID 1's next IDR layer representation (AU 60). */
	{ "D0->D1 at the IDR", "l2t3.rtp", { 0, 1, 1 }, { 2, 2, 2 }, { 30, 140 }, { 60, 140 } },
};

struct result {
	uint32_t forwarded, mixed, unknown;
	bool au_fwd[UNITS], au_base[UNITS], au_ext[UNITS];
	uint8_t au_did[UNITS], au_tid[UNITS]; /* the limits the AU got */
};

static void write_packet(FILE *out, const uint8_t *p, uint32_t len, uint16_t seq)
{
	uint8_t copy[RTP_FILE_MAX_PACKET];

	memcpy(copy, p, len);
	copy[2] = (uint8_t)(seq >> 8);
	copy[3] = (uint8_t)seq;
	if (rtp_file_write_packet(out, copy, len) != 0)
		CHECK(0, "cannot write a packet");
}

static void run(const struct capture *c, const struct scenario *s, FILE *out, struct result *r)
{
	uint8_t cur_did = s->did[0], cur_tid = s->tid[0], stage = 0;
	uint16_t seq = 1000;

	memset(r, 0, sizeof(*r));
	for (uint32_t i = 0; i < c->file.count; i++) {
		const struct dp_h264_info *in = &c->in[i];
		const struct dp_frame_info *fi = &c->fi[i];
		uint32_t au = c->au[i];

		/* The target changes at the second packet of access unit at[k]
		 * (at the next access unit if that one has a single packet). */
		if (stage < 2 && (au > s->at[stage] || (au == s->at[stage] && !in->au_start)))
			stage++;
		uint8_t want_did = s->did[stage], want_tid = s->tid[stage];

		if (fi->frame_start) {
			if (fi->keyframe)
				cur_tid = want_tid;
			else if (want_tid < cur_tid)
				cur_tid = want_tid;
			else if (want_tid > cur_tid && fi->has_layers && fi->sync &&
				 fi->temporal == cur_tid + 1)
				cur_tid = fi->temporal;
			if (want_did < cur_did)
				cur_did = want_did;
		}
		if (want_did > cur_did && (in->idr_dids & (1u << (cur_did + 1))))
			cur_did++;
		r->au_did[au] = cur_did;
		r->au_tid[au] = cur_tid;

		bool forward;
		if (s->control) {
			forward = !in->has_layers || in->max_tid != 1;
		} else {
			enum dp_h264_verdict v = dp_h264_filter(in, cur_did, cur_tid);
			r->mixed += v == DP_H264_MIXED_LAYERS;
			r->unknown += v == DP_H264_LAYERS_UNKNOWN;
			forward = v == DP_H264_FORWARD;
		}
		if (!forward)
			continue;
		r->forwarded++;
		r->au_fwd[au] = true;
		r->au_base[au] |= !!(in->types & (1u << 1 | 1u << 5));
		r->au_ext[au] |= !!(in->types & (1u << 20));
		write_packet(out, c->file.packets[i].data, c->file.packets[i].len, seq++);
	}
}

/* ---- decoding ----------------------------------------------------------- */

/* Runs h264_decode_check with decoder ("avdec" or "openh264") and reads
 * its line: MD5s, 32 characters, and the keyframes. */
static struct decoded decode(const char *tool, const char *decoder, const char *path)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "'%s' --decoder %s --hashes --keyframes '%s'", tool, decoder,
		 path);
	return decode_run(cmd, 32);
}

static bool decoder_available(const char *tool, const char *decoder)
{
	char args[64];

	snprintf(args, sizeof(args), "--decoder %s", decoder);
	return decode_tool_probe(tool, args);
}

/* l2t3.rtp without its DID 1 NAL units (and the packets left empty): the
 * base layer as an ideal MANE would cut it, the reference for DID 0. */
static void write_base_layer(const struct capture *c, FILE *out)
{
	uint16_t seq = 1000;

	for (uint32_t i = 0; i < c->file.count; i++) {
		const uint8_t *p = c->file.packets[i].data;
		uint32_t len = c->file.packets[i].len, h = c->hdr[i];
		const struct dp_h264_info *in = &c->in[i];
		uint8_t copy[RTP_FILE_MAX_PACKET];

		if (!(in->types & (1u << 20))) {
			write_packet(out, p, len, seq++);
			continue;
		}
		if (in->packet != DP_H264_PACKET_STAP_A)
			continue;
		uint32_t n = h + 1, off = h + 1;
		memcpy(copy, p, n);
		while (off + 2 <= len) {
			uint32_t size = strata_be16(p + off);
			if ((p[off + 2] & 0x1f) != 20) {
				memcpy(copy + n, p + off, 2 + size);
				n += 2 + size;
			}
			off += 2 + size;
		}
		if (n > h + 1)
			write_packet(out, copy, n, seq++);
	}
}

struct references {
	struct decoded l1t3, base, full, avc;
};

static void check_keyframes(const char *name, const struct decoded *d)
{
	CHECK(d->status == 0 && d->units == UNITS && d->n_keys == 3 && d->keys[0] == 0 &&
	      d->keys[1] == 60 && d->keys[2] == 120,
	      "%s: GStreamer's parser: status %d, %u access units, %u IDRs (%u %u %u)", name,
	      d->status, d->units, d->n_keys, d->keys[0], d->keys[1], d->keys[2]);
}

static void check_scenario(const struct capture *c, const struct scenario *s, const char *tool,
			   const struct references *ref)
{
	char path[4096];
	struct result r;
	FILE *out = decode_temp_file(path, sizeof(path), "strata-h264");

	if (!out) {
		CHECK(0, "%s: no temporary file", s->name);
		return;
	}
	run(c, s, out, &r);
	fclose(out);

	/* Offline: which access units each limit lets through. */
	bool top = !strcmp(s->capture, "l2t3.rtp");
	for (uint32_t au = 0; au < UNITS && !s->control; au++) {
		unsigned stage = au >= s->eff[1] ? 2 : au >= s->eff[0] ? 1 : 0;
		uint8_t did = s->did[stage], tid = s->tid[stage];
		bool has_layers = strcmp(s->capture, "avc.rtp") != 0;

		CHECK(r.au_tid[au] == tid && r.au_did[au] == did,
		      "%s: access unit %u got limits D%u T%u, expected D%u T%u", s->name, au,
		      r.au_did[au], r.au_tid[au], did, tid);
		bool want = !has_layers || tid_of(au) <= tid;
		CHECK(r.au_fwd[au] == want || (top && did == 0 && tid_of(au) == 2 && !r.au_base[au]),
		      "%s: access unit %u forwarded %u", s->name, au, r.au_fwd[au]);
		CHECK(!r.au_fwd[au] || r.au_ext[au] == (top && did == 1),
		      "%s: access unit %u DID 1 %u", s->name, au, r.au_ext[au]);
	}
	CHECK(r.unknown == 0, "%s: %u packets with unknown ids", s->name, r.unknown);
	if (top && !s->control) {
		unsigned want_mixed = 0;
		for (uint32_t i = 0; i < c->file.count; i++)
			want_mixed += c->in[i].has_layers && !c->in[i].uniform &&
				      r.au_did[c->au[i]] == 0 && r.au_tid[c->au[i]] == 2;
		CHECK(r.mixed == want_mixed, "%s: %u mixed drops, expected %u", s->name, r.mixed,
		      want_mixed);
	}

	if (tool) {
		struct decoded d = decode(tool, top ? "openh264" : "avdec", path);
		unsigned expected = 0, bad = 0;

		for (uint32_t au = 0; au < UNITS; au++) {
			if (!r.au_base[au] && !r.au_ext[au])
				continue;
			const struct decoded *want = !strcmp(s->capture, "avc.rtp") ? &ref->avc :
						     !top ? &ref->l1t3 :
						     r.au_ext[au] ? &ref->full : &ref->base;
			bad += expected >= d.n_hashes || au >= want->n_hashes ||
			       strcmp(d.hashes[expected], want->hashes[au]) != 0;
			expected++;
		}
		if (s->control) {
			CHECK(d.status == 0 && bad > 0, "control: decoded (status %d), %u of %u "
			      "pictures differ: the pixel check has no teeth", d.status, bad,
			      expected);
		} else {
			CHECK(d.status == 0 && d.errors == 0 && d.frames == expected && bad == 0,
			      "%s: status %d, %u errors, %u pictures for %u access units, %u differ",
			      s->name, d.status, d.errors, d.frames, expected, bad);
		}
		printf("%-32s %3u packets, %3u pictures, %2u mixed dropped, %u differ\n", s->name,
		       r.forwarded, d.frames, r.mixed, bad);
		decoded_free(&d);
	}
	unlink(path);
}

int main(int argc, char **argv)
{
	struct capture caps[3];
	static const char *const names[] = { "avc.rtp", "l1t3.rtp", "l2t3.rtp" };
	const char *tool = argc > 2 ? argv[2] : NULL;
	struct references ref = { 0 };

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: test_dp_h264_layers DATA_DIR [DECODE_CHECK]\n");
		return 2;
	}
	for (unsigned i = 0; i < 3; i++)
		if (load(argv[1], names[i], &caps[i]) != 0) {
			CHECK(0, "cannot load %s", names[i]);
			return test_summary("dp_h264_layers");
		}
	check_offline(&caps[0], false, 0);
	check_offline(&caps[1], true, 0);
	check_offline(&caps[2], true, 1);

	bool decoding = decoder_available(tool, "avdec") && decoder_available(tool, "openh264");
	if (decoding) {
		char base[4096], path[4096];
		FILE *out = decode_temp_file(base, sizeof(base), "strata-h264");

		snprintf(path, sizeof(path), "%s/avc.rtp", argv[1]);
		ref.avc = decode(tool, "avdec", path);
		snprintf(path, sizeof(path), "%s/l1t3.rtp", argv[1]);
		ref.l1t3 = decode(tool, "avdec", path);
		snprintf(path, sizeof(path), "%s/l2t3.rtp", argv[1]);
		ref.full = decode(tool, "openh264", path);
		if (out) {
			write_base_layer(&caps[2], out);
			fclose(out);
			ref.base = decode(tool, "openh264", base);
			unlink(base);
		}
		check_keyframes("avc.rtp", &ref.avc);
		check_keyframes("l1t3.rtp", &ref.l1t3);
		check_keyframes("l2t3.rtp (openh264dec)", &ref.full);
		const struct { const char *name; const struct decoded *d; unsigned w, h; } full[] = {
			{ "avc.rtp", &ref.avc, 320, 240 },
			{ "l1t3.rtp", &ref.l1t3, 320, 240 },
			{ "l2t3.rtp, DID 1", &ref.full, 320, 240 },
			{ "l2t3.rtp, its base layer", &ref.base, 160, 120 },
		};
		for (unsigned i = 0; i < ARRAY_LEN(full); i++)
			CHECK(full[i].d->status == 0 && full[i].d->errors == 0 &&
			      full[i].d->frames == UNITS && full[i].d->n_hashes == UNITS &&
			      full[i].d->width == full[i].w && full[i].d->height == full[i].h,
			      "%s decoded: status %d, %u errors, %u pictures of %ux%u", full[i].name,
			      full[i].d->status, full[i].d->errors, full[i].d->frames,
			      full[i].d->width, full[i].d->height);
	}

	for (unsigned i = 0; i < ARRAY_LEN(scenarios); i++) {
		const struct scenario *s = &scenarios[i];
		const struct capture *c = &caps[0];
		for (unsigned k = 0; k < 3; k++)
			if (!strcmp(names[k], s->capture))
				c = &caps[k];
		if (!decoding && s->control)
			continue;
		check_scenario(c, s, decoding ? tool : NULL, &ref);
	}

	decoded_free(&ref.avc);
	decoded_free(&ref.l1t3);
	decoded_free(&ref.full);
	decoded_free(&ref.base);
	for (unsigned i = 0; i < 3; i++)
		unload(&caps[i]);
	int status = test_summary("dp_h264_layers");
	if (status == 0 && !decoding) {
		printf("dp_h264_layers: no decoder (h264_decode_check, avdec_h264 and openh264dec): "
		       "offline checks only\n");
		return 77;
	}
	return status;
}
