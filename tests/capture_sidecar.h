/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The JSON sidecar a capture script writes next to its RTP file
 * (tests/data/.../capture.sh, webrtc_capture): read whole, and the field
 * every replay test needs, the dependency descriptor's extension id.
 */
#ifndef STRATA_TEST_CAPTURE_SIDECAR_H
#define STRATA_TEST_CAPTURE_SIDECAR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAPTURE_SIDECAR_MAX (1 << 16)

/* The sidecar, whole, NUL-terminated (free() it); NULL when unreadable. */
static inline char *capture_sidecar_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = f ? malloc(CAPTURE_SIDECAR_MAX) : NULL;
	size_t n = buf ? fread(buf, 1, CAPTURE_SIDECAR_MAX - 1, f) : 0;

	if (f)
		fclose(f);
	if (buf)
		buf[n] = 0;
	return buf;
}

/* The "dependency-descriptor" extension id (its first mention is in
 * "extensions"), -1 when the capture has none. */
static inline int capture_sidecar_dd_ext_id(const char *text)
{
	const char *k = strstr(text, "\"dependency-descriptor\":");

	return k ? atoi(k + strlen("\"dependency-descriptor\":")) : -1;
}

#endif /* STRATA_TEST_CAPTURE_SIDECAR_H */
