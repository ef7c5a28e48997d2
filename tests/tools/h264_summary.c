/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * h264_summary: what an RTP H.264 capture (rtp_file.h) holds, as Strata's
 * own parser reads it (dataplane/codec/h264.c: dp_h264_parse and
 * dp_h264_track): totals, and with --units one line per access unit.
 *
 *   h264_summary FILE [--units]
 *
 * Exits 1 when a packet is refused or is not RTP.
 */
#include <stdio.h>
#include <string.h>

#include "h264.h"
#include "rtp_file.h"
#include "rtp_header.h"


int main(int argc, char **argv)
{
	struct rtp_file file;
	struct dp_h264_track track = { 0 };
	int per_unit = argc == 3 && !strcmp(argv[2], "--units");
	unsigned units = 0, idr_units = 0, bad = 0, by_kind[4] = { 0 }, nal_types[32] = { 0 };
	unsigned by_tid[8] = { 0 }, by_did[8] = { 0 }, layered_units = 0, unknown = 0;
	unsigned mixed = 0, max_packets = 0, cur_packets = 0;
	uint32_t unit_types = 0;
	uint8_t unit_tid = 0, unit_did = 0, unit_layers = 0, unit_idr = 0;
	char keys[256] = "";
	size_t klen = 0;

	if (argc < 2 || argc > 3 || (argc == 3 && !per_unit)) {
		fprintf(stderr, "usage: h264_summary FILE [--units]\n");
		return 2;
	}
	if (rtp_file_read(argv[1], &file) != 0)
		return 2;

	if (per_unit)
		printf("unit   seq    ts          idr did tid packets NAL types\n");
	for (uint32_t i = 0; i <= file.count; i++) {
		const uint8_t *p = i < file.count ? file.packets[i].data : NULL;
		uint32_t len = i < file.count ? file.packets[i].len : 0, hdr;
		struct dp_h264_info in;
		enum dp_h264_status st = DP_H264_OK;

		if (p && strata_rtp_header_len(p, len, &hdr) != STRATA_RTP_PARSE_OK) {
			fprintf(stderr, "packet %u is not RTP\n", i);
			bad++;
			continue;
		}
		if (p) {
			st = dp_h264_parse(p + hdr, len - hdr, &in);
			if (st != DP_H264_OK) {
				fprintf(stderr, "packet %u (seq %u) refused: %s\n", i, strata_rtp_seq(p),
					dp_h264_status_str(st));
				bad++;
				continue;
			}
			dp_h264_track(&track, &in, strata_be32(p + 4));
		}
		/* The access unit before this packet is complete: account for it. */
		if (!p || in.au_start) {
			if (units) {
				idr_units += unit_idr;
				layered_units += unit_layers;
				if (unit_layers) {
					by_tid[unit_tid]++;
					by_did[unit_did]++;
				}
				if (unit_idr && klen + 8 < sizeof(keys))
					klen += (size_t)snprintf(keys + klen, sizeof(keys) - klen, "%s%u",
								 klen ? "," : "", units - 1);
				if (per_unit) {
					printf(" %3s %3u %3u %7u ", unit_idr ? "idr" : "",
					       unit_did, unit_tid, cur_packets);
					for (unsigned t = 0; t < 32; t++)
						if (unit_types & (1u << t))
							printf(" %u", t);
					printf("\n");
				}
			}
			if (cur_packets > max_packets)
				max_packets = cur_packets;
			if (!p)
				break;
			if (per_unit)
				printf("%5u %5u %10u", units, strata_rtp_seq(p), strata_be32(p + 4));
			units++;
			cur_packets = 0;
			unit_types = 0;
			unit_tid = unit_did = unit_layers = unit_idr = 0;
		}
		cur_packets++;
		by_kind[in.packet & 3]++;
		unit_types |= in.types;
		for (unsigned t = 0; t < 32; t++)
			nal_types[t] += (in.types >> t) & 1;
		unit_idr |= in.idr;
		unknown += in.layers_unknown;
		mixed += in.has_layers && !in.uniform;
		if (in.has_layers) {
			unit_layers = 1;
			if (in.max_tid > unit_tid)
				unit_tid = in.max_tid;
			if (in.max_did > unit_did)
				unit_did = in.max_did;
		}
	}

	printf("packets %u (single %u, STAP-A %u, FU-A %u), access units %u, most packets in "
	       "one %u\n", file.count, by_kind[DP_H264_PACKET_SINGLE],
	       by_kind[DP_H264_PACKET_STAP_A], by_kind[DP_H264_PACKET_FU_A], units, max_packets);
	printf("IDR access units %u: %s\n", idr_units, keys);
	printf("packets carrying NAL unit type:");
	for (unsigned t = 0; t < 32; t++)
		if (nal_types[t])
			printf(" %u: %u", t, nal_types[t]);
	printf("\n");
	printf("access units with layer ids %u; by highest TID: 0: %u, 1: %u, 2: %u, 3: %u; "
	       "by highest DID: 0: %u, 1: %u, 2: %u, 3: %u\n", layered_units, by_tid[0], by_tid[1],
	       by_tid[2], by_tid[3], by_did[0], by_did[1], by_did[2], by_did[3]);
	printf("packets mixing layers %u, with unknown layer ids %u\n", mixed, unknown);
	rtp_file_free(&file);
	return bad ? 1 : 0;
}
