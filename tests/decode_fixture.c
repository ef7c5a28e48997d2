/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Running a decode check and reading its line (decode_fixture.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "decode_fixture.h"

bool decode_tool_probe(const char *tool, const char *args)
{
	char cmd[4096];

	if (!tool || !*tool)
		return false;
	snprintf(cmd, sizeof(cmd), "'%s' %s --probe", tool, args);
	int st = system(cmd);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* All of what p writes, NUL-terminated; NULL when out of memory. */
static char *read_all(FILE *p)
{
	size_t cap = 1 << 16, len = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	for (size_t got; (got = fread(out + len, 1, cap - 1 - len, p)) > 0;) {
		len += got;
		if (len == cap - 1) {
			char *bigger = realloc(out, cap * 2);
			if (!bigger)
				break;
			out = bigger;
			cap *= 2;
		}
	}
	out[len] = 0;
	return out;
}

/* The number after "key": in the line, or ~0u. */
static unsigned json_uint(const char *line, const char *key)
{
	char pat[64];
	const char *at;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	at = strstr(line, pat);
	return at ? (unsigned)strtoul(at + strlen(pat), NULL, 10) : ~0u;
}

static void read_keys(struct decoded *d, const char *line)
{
	const char *k = strstr(line, "\"keyframes\":[");

	for (k = k ? k + strlen("\"keyframes\":[") : NULL;
	     k && *k != ']' && d->n_keys < DECODED_MAX_KEYS;) {
		char *end;
		d->keys[d->n_keys++] = (unsigned)strtoul(k, &end, 10);
		k = *end == ',' ? end + 1 : end;
	}
}

static void read_hashes(struct decoded *d, const char *line, unsigned hash_len)
{
	const char *h = strstr(line, "\"hashes\":[");

	d->hashes = calloc(d->frames + 1, sizeof(*d->hashes));
	for (h = h ? h + strlen("\"hashes\":[") : NULL; h && d->hashes && d->n_hashes < d->frames;) {
		const char *open = strchr(h, '"');
		const char *end = open ? strchr(open + 1, '"') : NULL;
		if (!end)
			break;
		size_t n = (size_t)(end - open - 1);
		if (hash_len ? n != hash_len : n > DECODED_HASH_MAX)
			break;
		memcpy(d->hashes[d->n_hashes], open + 1, n);
		d->hashes[d->n_hashes++][n] = 0;
		h = end + 1;
	}
}

struct decoded decode_run(const char *cmd, unsigned hash_len)
{
	struct decoded d = { .status = -1 };
	FILE *p = popen(cmd, "r");
	char *out = p ? read_all(p) : NULL;

	if (!p)
		return d;
	int st = pclose(p);
	if (!out)
		return d;
	d.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	const char *line = strstr(out, "{\"packets\":");
	if (!line) {
		d.status = d.status ? d.status : -2;
		free(out);
		return d;
	}
	d.packets = json_uint(line, "packets");
	d.units = json_uint(line, "access_units");
	d.frames = json_uint(line, "frames_decoded");
	d.errors = json_uint(line, "decode_errors");
	d.width = json_uint(line, "width");
	d.height = json_uint(line, "height");
	if (d.frames == ~0u || d.errors == ~0u) {
		d.status = d.status ? d.status : -2;
		free(out);
		return d;
	}
	read_keys(&d, line);
	read_hashes(&d, line, hash_len);
	free(out);
	return d;
}

struct decoded decode_hashes(const char *tool, const char *path, unsigned hash_len)
{
	char cmd[8448]; /* room for two paths of 4096 and more */

	snprintf(cmd, sizeof(cmd), "'%s' --hashes '%s'", tool, path);
	return decode_run(cmd, hash_len);
}

void decoded_free(struct decoded *d)
{
	free(d->hashes);
	d->hashes = NULL;
	d->n_hashes = 0;
}

FILE *decode_temp_file(char *path, size_t size, const char *prefix)
{
	const char *dir = getenv("TMPDIR");

	snprintf(path, size, "%s/%s-XXXXXX", dir && *dir ? dir : "/tmp", prefix);
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!f && fd >= 0) {
		close(fd);
		unlink(path);
	}
	return f;
}
