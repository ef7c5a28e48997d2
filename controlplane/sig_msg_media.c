/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The media requests: publish (streams, their RTX and simulcast SSRCs,
 * their layers) and preferences (what a receiver wants of each source).
 *
 * The rules come from the RTP payload formats: opus runs at 48 kHz
 * (RFC 7587 section 4.1), VP8, VP9, H.264 and AV1 at 90 kHz (RFC 7741,
 * RFC 9628, RFC 6184, the AV1 RTP specification); none of them has a
 * static payload type, so every payload type is dynamic (96..127,
 * RFC 3551 section 6), which also keeps them clear of 64..95 that
 * RFC 5761 reserves for RTCP demultiplexing.  RTX (RFC 4588) and
 * simulcast are for video only.
 */
#include <stdio.h>
#include <string.h>

#include "sig_msg_priv.h"

#define CODEC_NAME_MAX 32
#define PT_DYNAMIC_MIN 96
#define PT_DYNAMIC_MAX 127
#define MAX_SSRCS (SIG_MAX_STREAMS * (2 + SIG_MAX_SIMULCAST))

static bool rid_valid(const char *s, size_t len)
{
	/* RFC 8851 section 10: rid-id = 1*(alpha-numeric / "-" / "_"). */
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* Every SSRC of the request, to refuse one used twice: two streams on one
 * SSRC could not be told apart by the dataplane. */
struct ssrc_set {
	uint32_t ssrc[MAX_SSRCS];
	uint16_t stream[MAX_SSRCS];
	bool listed[MAX_SSRCS];     /* a stream's own SSRC, seen among its encodings */
	size_t n;
};

static int ssrc_add(struct sig_pctx *p, struct ssrc_set *set, uint32_t ssrc, size_t stream,
		    bool own_encoding, const char *path)
{
	for (size_t i = 0; i < set->n; i++) {
		if (set->ssrc[i] != ssrc)
			continue;
		/* A stream may list its own SSRC among its encodings, once. */
		if (own_encoding && set->stream[i] == stream && !set->listed[i]) {
			set->listed[i] = true;
			return 0;
		}
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, path,
				"SSRC used twice in this request");
	}
	set->ssrc[set->n] = ssrc;
	set->stream[set->n] = (uint16_t)stream;
	set->listed[set->n] = false;
	set->n++;
	return 0;
}

static int stream_kind_codec(struct sig_pctx *p, json_t *o, const char *path,
			     struct sig_stream *s)
{
	char kind[8], codec[CODEC_NAME_MAX + 1], fpath[SIG_PATH_LEN];

	if (sig_get_string(p, o, path, "kind", SIG_REQUIRED, 1, sizeof(kind) - 1, kind, NULL) < 0) {
		/* "kind" too long for any known kind is a wrong value. */
		sig_path_key(fpath, path, "kind");
		if (json_is_string(sig_member(o, "kind")))
			return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, fpath,
					"must be \"audio\" or \"video\"");
		return -1;
	}
	if (strcmp(kind, "audio") == 0)
		s->kind = STRATA_MEDIA_AUDIO;
	else if (strcmp(kind, "video") == 0)
		s->kind = STRATA_MEDIA_VIDEO;
	else
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, (sig_path_key(fpath, path, "kind"), fpath),
				"must be \"audio\" or \"video\"");

	if (sig_get_string(p, o, path, "codec", SIG_REQUIRED, 1, CODEC_NAME_MAX, codec, NULL) < 0)
		return -1;
	sig_path_key(fpath, path, "codec");
	s->codec = (uint8_t)sig_codec_by_name(codec);
	if (!s->codec)
		return sig_fail(p, STRATA_SIG_ERR_UNSUPPORTED_MEDIA, fpath,
				"not one of opus, VP8, VP9, H264, AV1");
	if ((s->codec == STRATA_CODEC_OPUS) != (s->kind == STRATA_MEDIA_AUDIO))
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, fpath,
				s->kind == STRATA_MEDIA_AUDIO ? "not an audio codec"
							      : "not a video codec");
	return 0;
}

static int stream_rtx(struct sig_pctx *p, json_t *o, const char *path, struct sig_stream *s)
{
	char fpath[SIG_PATH_LEN];
	int64_t v;
	int has_ssrc, has_pt;

	has_ssrc = sig_get_int(p, o, path, "rtxSsrc", SIG_OPTIONAL, 1, UINT32_MAX, &v);
	if (has_ssrc < 0)
		return -1;
	if (has_ssrc)
		s->rtx_ssrc = (uint32_t)v;
	has_pt = sig_get_int(p, o, path, "rtxPt", SIG_OPTIONAL, PT_DYNAMIC_MIN, PT_DYNAMIC_MAX,
			     &v);
	if (has_pt < 0)
		return -1;
	if (has_pt)
		s->rtx_pt = (uint8_t)v;
	if (!has_ssrc && !has_pt)
		return 0;
	sig_path_key(fpath, path, has_ssrc ? "rtxPt" : "rtxSsrc");
	if (!has_ssrc || !has_pt)
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, fpath,
				"missing (rtxSsrc and rtxPt go together)");
	if (s->kind != STRATA_MEDIA_VIDEO)
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, fpath, "RTX is for video only");
	if (s->rtx_pt == s->pt)
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, fpath,
				"must differ from pt");
	return 0;
}

static int stream_simulcast(struct sig_pctx *p, json_t *o, const char *path,
			    struct sig_stream *s)
{
	char spath[SIG_PATH_LEN], epath[SIG_PATH_LEN], fpath[SIG_PATH_LEN];
	json_t *arr, *e;
	size_t i, n;
	int r = sig_get_array(p, o, path, "simulcast", SIG_OPTIONAL, SIG_MAX_SIMULCAST, &arr);

	if (r <= 0)
		return r;
	sig_path_key(spath, path, "simulcast");
	if (s->kind != STRATA_MEDIA_VIDEO && json_array_size(arr))
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, spath,
				"simulcast is for video only");
	json_array_foreach(arr, i, e) {
		struct sig_simulcast *enc = &s->simulcast[i];
		int64_t ssrc;

		sig_path_index(epath, spath, i);
		if (!json_is_object(e))
			return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, epath,
					"must be an object");
		if (sig_get_int(p, e, epath, "ssrc", SIG_REQUIRED, 1, UINT32_MAX, &ssrc) < 0 ||
		    sig_get_string(p, e, epath, "rid", SIG_OPTIONAL, 1, SIG_MAX_RID, enc->rid,
				   &n) < 0)
			return -1;
		if (!rid_valid(enc->rid, n))
			return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE,
					(sig_path_key(fpath, epath, "rid"), fpath),
					"must be letters, digits, - and _");
		enc->ssrc = (uint32_t)ssrc;
		s->n_simulcast = (uint8_t)(i + 1);
	}
	return 0;
}

static int stream_layers(struct sig_pctx *p, json_t *o, const char *path, struct sig_stream *s)
{
	char lpath[SIG_PATH_LEN];
	json_t *layers;
	int64_t v;
	int r = sig_get_object(p, o, path, "layers", SIG_OPTIONAL, &layers);

	s->spatial_layers = s->temporal_layers = 1;
	if (r <= 0)
		return r;
	sig_path_key(lpath, path, "layers");
	if (s->kind != STRATA_MEDIA_VIDEO)
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, lpath,
				"layers are for video only");
	r = sig_get_int(p, layers, lpath, "spatial", SIG_OPTIONAL, 1, SIG_MAX_SPATIAL, &v);
	if (r < 0)
		return -1;
	if (r)
		s->spatial_layers = (uint8_t)v;
	r = sig_get_int(p, layers, lpath, "temporal", SIG_OPTIONAL, 1, SIG_MAX_TEMPORAL, &v);
	if (r < 0)
		return -1;
	if (r)
		s->temporal_layers = (uint8_t)v;
	return 0;
}

static int publish_stream(struct sig_pctx *p, json_t *o, const char *path, struct sig_stream *s)
{
	char fpath[SIG_PATH_LEN];
	uint32_t rate;
	int64_t v;
	int r;

	memset(s, 0, sizeof(*s));
	if (!json_is_object(o))
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, path, "must be an object");
	if (stream_kind_codec(p, o, path, s) < 0)
		return -1;
	if (sig_get_int(p, o, path, "ssrc", SIG_REQUIRED, 1, UINT32_MAX, &v) < 0)
		return -1;
	s->ssrc = (uint32_t)v;
	if (sig_get_int(p, o, path, "pt", SIG_REQUIRED, PT_DYNAMIC_MIN, PT_DYNAMIC_MAX, &v) < 0)
		return -1;
	s->pt = (uint8_t)v;

	rate = s->codec == STRATA_CODEC_OPUS ? 48000 : 90000;
	r = sig_get_int(p, o, path, "clockRate", SIG_OPTIONAL, 1, UINT32_MAX, &v);
	if (r < 0)
		return -1;
	if (r && v != rate)
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE,
				(sig_path_key(fpath, path, "clockRate"), fpath),
				"must be %u for this codec", rate);
	s->clock_rate = rate;

	if (stream_rtx(p, o, path, s) < 0 || stream_simulcast(p, o, path, s) < 0)
		return -1;
	return stream_layers(p, o, path, s);
}

static int publish_ssrcs(struct sig_pctx *p, const struct sig_publish *pub)
{
	char path[SIG_PATH_LEN], epath[SIG_PATH_LEN], fpath[SIG_PATH_LEN];
	struct ssrc_set set;

	set.n = 0;
	for (size_t i = 0; i < pub->n_streams; i++) {
		const struct sig_stream *s = &pub->streams[i];

		sig_path_index(path, "streams", i);
		if (ssrc_add(p, &set, s->ssrc, i, false,
			     (sig_path_key(fpath, path, "ssrc"), fpath)) < 0)
			return -1;
		if (s->rtx_ssrc && ssrc_add(p, &set, s->rtx_ssrc, i, false,
					    (sig_path_key(fpath, path, "rtxSsrc"), fpath)) < 0)
			return -1;
		for (size_t e = 0; e < s->n_simulcast; e++) {
			char sim[SIG_PATH_LEN];
			sig_path_key(sim, path, "simulcast");
			sig_path_index(fpath, sim, e);
			sig_path_key(epath, fpath, "ssrc");
			if (ssrc_add(p, &set, s->simulcast[e].ssrc, i,
				     s->simulcast[e].ssrc == s->ssrc, epath) < 0)
				return -1;
		}
	}
	return 0;
}

int sig_parse_publish(struct sig_pctx *p, json_t *root, struct sig_publish *pub)
{
	char path[SIG_PATH_LEN];
	json_t *arr, *o;
	size_t i;

	pub->n_streams = 0;
	if (sig_get_array(p, root, "", "streams", SIG_REQUIRED, SIG_MAX_STREAMS, &arr) < 0)
		return -1;
	if (json_array_size(arr) == 0)
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, "streams", "empty");
	json_array_foreach(arr, i, o) {
		sig_path_index(path, "streams", i);
		if (publish_stream(p, o, path, &pub->streams[i]) < 0)
			return -1;
		pub->n_streams = (uint8_t)(i + 1);
	}
	return publish_ssrcs(p, pub);
}

/* ---- preferences ------------------------------------------------------------- */

static int source_pref(struct sig_pctx *p, const char *key, json_t *o, struct sig_source_pref *sp)
{
	char path[SIG_PATH_LEN];
	int64_t v;
	int r;

	/* The key was checked to be a stream id: quoting it is safe. */
	sig_path_key(path, "sources", key);
	if (!json_is_object(o))
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, path, "must be an object");
	snprintf(sp->stream_id, sizeof(sp->stream_id), "%s", key);
	sp->max_spatial = sp->max_temporal = -1;
	sp->max_height = -1;
	if ((r = sig_get_int(p, o, path, "maxSpatial", SIG_OPTIONAL, 0, SIG_MAX_SPATIAL - 1, &v)) < 0)
		return -1;
	if (r)
		sp->max_spatial = (int8_t)v;
	if ((r = sig_get_int(p, o, path, "maxTemporal", SIG_OPTIONAL, 0, SIG_MAX_TEMPORAL - 1,
			     &v)) < 0)
		return -1;
	if (r)
		sp->max_temporal = (int8_t)v;
	if ((r = sig_get_int(p, o, path, "maxHeight", SIG_OPTIONAL, 0, SIG_MAX_HEIGHT, &v)) < 0)
		return -1;
	if (r)
		sp->max_height = (int16_t)v;
	return 0;
}

int sig_parse_preferences(struct sig_pctx *p, json_t *root, struct sig_preferences *pr)
{
	json_t *sources, *o;
	const char *key;
	int64_t v;
	int r;

	pr->max_video_sources = -1;
	pr->has_sources = false;
	pr->n_sources = 0;
	r = sig_get_int(p, root, "", "maxVideoSources", SIG_OPTIONAL, 0, SIG_MAX_VIDEO_SOURCES, &v);
	if (r < 0)
		return -1;
	if (r)
		pr->max_video_sources = (int16_t)v;

	r = sig_get_object(p, root, "", "sources", SIG_OPTIONAL, &sources);
	if (r <= 0)
		return r;
	pr->has_sources = true;
	if (json_object_size(sources) > SIG_MAX_PREF_SOURCES)
		return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, "sources",
				"more than %d entries", SIG_MAX_PREF_SOURCES);
	json_object_foreach(sources, key, o) {
		if (!sig_object_id_valid(key, strlen(key)))
			return sig_fail(p, STRATA_SIG_ERR_MALFORMED_MESSAGE, "sources",
					"a key is not a stream id");
		/* A null entry is an absent one, as everywhere. */
		if (json_is_null(o))
			continue;
		if (source_pref(p, key, o, &pr->sources[pr->n_sources]) < 0)
			return -1;
		pr->n_sources++;
	}
	return 0;
}
