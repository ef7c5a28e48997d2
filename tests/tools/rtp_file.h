/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RTP capture files in tests/data/ (written by vp8_capture, read by
 * vp8_decode_check and the tests): plaintext RTP packets, one record each,
 * in the order they were sent, with nothing before the first record:
 *
 *     +--------+--------+--------+--------+---------------------------+
 *     |  packet length, 32 bits, big-endian  |  the packet, RTP header |
 *     +--------+--------+--------+--------+---------------------------+
 *
 * No timing and no transport headers: the tests replay the packets in
 * file order.  A file whose last record is cut short is refused.
 */
#ifndef STRATA_TESTS_RTP_FILE_H
#define STRATA_TESTS_RTP_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* No RTP packet we capture or forward is longer. */
#define RTP_FILE_MAX_PACKET 2048

struct rtp_file_packet {
	uint32_t len;
	uint8_t data[RTP_FILE_MAX_PACKET];
};

struct rtp_file {
	struct rtp_file_packet *packets;
	uint32_t count;
};

static inline void rtp_file_free(struct rtp_file *f)
{
	free(f->packets);
	f->packets = NULL;
	f->count = 0;
}

/* Reads a whole file.  Returns 0, or -1 with a message on stderr. */
static inline int rtp_file_read(const char *path, struct rtp_file *f)
{
	FILE *in = fopen(path, "rb");
	uint32_t cap = 0;

	f->packets = NULL;
	f->count = 0;
	if (!in) {
		fprintf(stderr, "%s: cannot open\n", path);
		return -1;
	}
	for (;;) {
		uint8_t hdr[4];
		size_t got = fread(hdr, 1, sizeof(hdr), in);

		if (got == 0 && feof(in))
			break;
		if (got != sizeof(hdr))
			goto truncated;
		uint32_t len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
			       (uint32_t)hdr[2] << 8 | hdr[3];
		if (len == 0 || len > RTP_FILE_MAX_PACKET) {
			fprintf(stderr, "%s: record %u has length %u\n", path, f->count, len);
			goto fail;
		}
		if (f->count == cap) {
			cap = cap ? 2 * cap : 256;
			void *p = realloc(f->packets, (size_t)cap * sizeof(*f->packets));
			if (!p) {
				fprintf(stderr, "%s: out of memory\n", path);
				goto fail;
			}
			f->packets = p;
		}
		struct rtp_file_packet *pkt = &f->packets[f->count];
		if (fread(pkt->data, 1, len, in) != len)
			goto truncated;
		pkt->len = len;
		f->count++;
	}
	fclose(in);
	return 0;

truncated:
	fprintf(stderr, "%s: record %u is truncated\n", path, f->count);
fail:
	fclose(in);
	rtp_file_free(f);
	return -1;
}

/* Appends one record.  Returns 0, or -1 on a write error. */
static inline int rtp_file_write_packet(FILE *out, const uint8_t *data, uint32_t len)
{
	uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			   (uint8_t)len };

	if (fwrite(hdr, 1, sizeof(hdr), out) != sizeof(hdr))
		return -1;
	return fwrite(data, 1, len, out) == len ? 0 : -1;
}

#endif /* STRATA_TESTS_RTP_FILE_H */
