/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading the few fields the capture tools need from a webrtc_capture
 * sidecar (FILE.json next to FILE.rtp): the codec, its payload type and
 * the negotiated header extension ids.  Not a JSON parser: the sidecar is
 * written by webrtc_capture.c in a fixed shape, one key per line.
 */
#ifndef STRATA_TESTS_WEBRTC_SIDECAR_H
#define STRATA_TESTS_WEBRTC_SIDECAR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wrtc_sidecar {
	char codec[16];
	int payload_type, width, height;
	/* Extension ids, 0 when not negotiated. */
	int mid, rid, abs_send_time, transport_cc, dependency_descriptor,
		video_layers_allocation, video_orientation;
};

/* The number after "KEY": in text (searching from `from`), or -1. */
static inline int wrtc_sidecar_int(const char *text, const char *key)
{
	char pat[80];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(text, pat);
	return p ? atoi(p + strlen(pat)) : -1;
}

/* Reads SIDECAR; returns 0, or -1 with a message. */
static inline int wrtc_sidecar_read(const char *path, struct wrtc_sidecar *s)
{
	FILE *f = fopen(path, "r");
	static char text[65536];
	size_t n;
	const char *p, *ext, *end;

	memset(s, 0, sizeof(*s));
	if (!f) {
		fprintf(stderr, "%s: cannot open\n", path);
		return -1;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	p = strstr(text, "\"codec\": \"");
	s->payload_type = wrtc_sidecar_int(text, "payload_type");
	s->width = wrtc_sidecar_int(text, "width");
	s->height = wrtc_sidecar_int(text, "height");
	ext = strstr(text, "\"extensions\": {");
	end = ext ? strchr(ext, '}') : NULL;
	if (!p || s->payload_type < 0 || !ext || !end) {
		fprintf(stderr, "%s: not a webrtc_capture sidecar\n", path);
		return -1;
	}
	sscanf(p + 10, "%15[^\"]", s->codec);
	/* Only the extensions object: cut the text at its end. */
	char saved = *end;
	*(char *)end = '\0';
	int *ids[] = { &s->mid, &s->rid, &s->abs_send_time, &s->transport_cc,
		       &s->dependency_descriptor, &s->video_layers_allocation,
		       &s->video_orientation };
	const char *names[] = { "mid", "rid", "abs-send-time", "transport-cc",
				"dependency-descriptor", "video-layers-allocation",
				"video-orientation" };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		int v = wrtc_sidecar_int(ext, names[i]);
		*ids[i] = v > 0 ? v : 0;
	}
	*(char *)end = saved;
	return 0;
}

#endif /* STRATA_TESTS_WEBRTC_SIDECAR_H */
