/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The codec layer tests' side of the decode checks (dp_vp8_layers,
 * dp_vp9_layers, dp_h264_layers run tests/tools/CODEC_decode_check on what
 * they forward): probing for a tool, a temporary file for its input, and
 * running it and reading its JSON line (gst_check.h says what it holds).
 */
#ifndef STRATA_TESTS_DECODE_FIXTURE_H
#define STRATA_TESTS_DECODE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The longest hash a tool prints: "WxH:" and an MD5 in hex
 * (vp9_decode_check); the others print the MD5 alone, 32 characters. */
#define DECODED_HASH_MAX 48
#define DECODED_MAX_KEYS 16

struct decoded {
	/* The tool's exit status; -1 when it did not run or was killed, -2
	 * when it exited 0 without a result line. */
	int status;
	/* The line's counts; ~0u for one it does not have. */
	unsigned packets, units, frames, errors, width, height;
	/* "keyframes" (h264_decode_check --keyframes), the first few. */
	unsigned n_keys, keys[DECODED_MAX_KEYS];
	/* "hashes", in order, as many as frames at most. */
	unsigned n_hashes;
	char (*hashes)[DECODED_HASH_MAX + 1];
};

/* True when "'TOOL' ARGS --probe" exits 0: the tool was built and its
 * GStreamer elements are there.  False for a NULL or empty tool. */
bool decode_tool_probe(const char *tool, const char *args);

/* Runs cmd (a decode check's command line, quoted for sh) and reads the
 * line it prints.  hash_len: the length every hash has, or 0 for any
 * length up to DECODED_HASH_MAX; the hashes read stop at the first that
 * does not fit. */
struct decoded decode_run(const char *cmd, unsigned hash_len);

/* "'TOOL' --hashes 'PATH'" run by decode_run: a capture (or IVF) decoded
 * with its pictures' hashes (hash_len: vp8_decode_check's are MD5s, 32
 * characters; vp9_decode_check's "WxH:MD5", 0 for any length). */
struct decoded decode_hashes(const char *tool, const char *path, unsigned hash_len);

void decoded_free(struct decoded *d);

/* A new file $TMPDIR/PREFIX-XXXXXX (/tmp without TMPDIR), open for
 * writing, its name in path; NULL when it cannot be made. */
FILE *decode_temp_file(char *path, size_t size, const char *prefix);

#endif /* STRATA_TESTS_DECODE_FIXTURE_H */
