/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vp8_summary: what an RTP VP8 capture (rtp_file.h) holds, as Strata's own
 * parser (dataplane/codec/vp8.c) reads it: one line per frame and totals.
 *
 *   vp8_summary FILE [--frames]
 *
 * Without --frames only the totals are printed.  Exits 1 when a packet
 * does not parse or is not RTP.
 */
#include <stdio.h>
#include <string.h>

#include "rtp_file.h"
#include "rtp_header.h"
#include "vp8.h"

int main(int argc, char **argv)
{
	struct rtp_file file;
	int per_frame = argc == 3 && !strcmp(argv[2], "--frames");
	unsigned frames = 0, keyframes = 0, by_tid[4] = { 0 }, sync_by_tid[4] = { 0 };
	unsigned max_packets = 0, cur_packets = 0, bad = 0;
	unsigned long payload_bytes = 0, total_bytes = 0;
	char pattern[64] = "";
	size_t plen = 0;

	if (argc < 2 || argc > 3 || (argc == 3 && !per_frame)) {
		fprintf(stderr, "usage: vp8_summary FILE [--frames]\n");
		return 2;
	}
	if (rtp_file_read(argv[1], &file) != 0)
		return 2;

	if (per_frame)
		printf("frame   seq    ts          picid  tl0  tid y key  packets\n");
	for (uint32_t i = 0; i < file.count; i++) {
		const uint8_t *p = file.packets[i].data;
		uint32_t len = file.packets[i].len, hdr;
		struct dp_frame_info fi;

		total_bytes += len;
		if (strata_rtp_header_len(p, len, &hdr) != STRATA_RTP_PARSE_OK ||
		    dp_vp8_parse(p + hdr, len - hdr, &fi) != 0) {
			fprintf(stderr, "packet %u (seq %u) does not parse\n", i,
				len >= 4 ? strata_rtp_seq(p) : 0);
			bad++;
			continue;
		}
		payload_bytes += len - hdr - fi.desc_len;
		if (fi.frame_start) {
			if (cur_packets > max_packets)
				max_packets = cur_packets;
			cur_packets = 0;
			frames++;
			keyframes += fi.keyframe;
			by_tid[fi.temporal & 3]++;
			sync_by_tid[fi.temporal & 3] += fi.sync;
			if (plen + 1 < sizeof(pattern) && frames <= 16)
				pattern[plen++] = (char)('0' + fi.temporal);
			pattern[plen] = 0;
			if (per_frame)
				printf("%5u %5u %10u %6u %4u %4u %u %3s", frames - 1, strata_rtp_seq(p),
				       strata_be32(p + 4), fi.picture_id, fi.tl0picidx, fi.temporal,
				       fi.sync, fi.keyframe ? "key" : "");
		}
		cur_packets++;
		if (per_frame && (p[1] & 0x80))
			printf("  %u\n", cur_packets);
	}
	if (cur_packets > max_packets)
		max_packets = cur_packets;

	printf("packets %u, frames %u, keyframes %u, RTP bytes %lu, VP8 bytes %lu\n",
	       file.count, frames, keyframes, total_bytes, payload_bytes);
	printf("frames by TID: 0: %u, 1: %u, 2: %u, 3: %u; with Y: 0: %u, 1: %u, 2: %u, 3: %u\n",
	       by_tid[0], by_tid[1], by_tid[2], by_tid[3], sync_by_tid[0], sync_by_tid[1],
	       sync_by_tid[2], sync_by_tid[3]);
	printf("TIDs of the first frames: %s; most packets in one frame: %u\n", pattern,
	       max_packets);
	rtp_file_free(&file);
	return bad ? 1 : 0;
}
