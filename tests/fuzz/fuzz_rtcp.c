/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: dataplane/rtcp's parser and builders on hostile RTCP.
 *
 * The input is used twice:
 *
 *  1. Whole, as a decrypted compound RTCP packet, copied into a heap buffer
 *     of exactly its length (ASan sees any read past it) and iterated with
 *     and without DP_RTCP_REQUIRE_REPORT_FIRST.  rt_check_buffer()
 *     (tests/test_dp_rtcp.h) must hold: every item lies inside the buffer,
 *     back to back; its body inside the item; every accessor walk (report
 *     blocks, SDES chunks, NACK expansion, FIR entries, REMB SSRCs, TWCC
 *     packets) stops at the counts the item states and agrees with them;
 *     a clean end consumed the whole buffer; dp_rtcp_validate() agrees.
 *
 *  2. Rebuilt: every item a builder can write (SR, RR, a one-chunk SDES
 *     CNAME, BYE without reason, PLI, FIR, NACK, REMB) is built again from
 *     its parsed fields into a buffer of exactly the size it needs, which
 *     must parse back to the same fields; one octet less must make the
 *     builder return 0 without writing.
 *
 * Any broken promise abort()s.
 *
 * Seeds (corpus/rtcp/): valid packets of every type, alone (reduced size)
 * and in compounds: sr-blocks-sdes-bye.bin, rr-sdes-chunks.bin, app.bin,
 * pli.bin, fir.bin, nack-wrap.bin, remb.bin, remb-none.bin, twcc-vectors.bin
 * (two-bit vector and a run, pion's example 6), twcc-kinds.bin (all three
 * chunk kinds), twcc-runs.bin (a long run of small deltas), xr.bin,
 * every-type.bin (one compound of all of them, as in test_dp_rtcp_truncate.c)
 * and browser.bin (RR, SDES, REMB, TWCC, NACK).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test_dp_rtcp.h"
#include "fuzz_invariant.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_parse(const uint8_t *p, uint32_t len)
{
	const char *why = rt_check_buffer(p, len, 0);
	if (!why)
		why = rt_check_buffer(p, len, DP_RTCP_REQUIRE_REPORT_FIRST);
	if (why) {
		fprintf(stderr, "invariant broken: %s\n", why);
		abort();
	}
}

/* Builds *part into an exact buffer, checks the capacity promise, and
 * returns the one item it parses back to. */
static void rebuild(const struct dp_rtcp_part *part, struct dp_rtcp_item *out, uint8_t **buf)
{
	static uint8_t scratch[DP_RTCP_MAX_PACKET_LEN];
	uint32_t len = dp_rtcp_build_compound(scratch, sizeof(scratch), part, 1);
	INVARIANT(len >= 4 && len % 4 == 0);

	uint8_t *b = malloc(len);
	memset(b, 0xa5, len);
	INVARIANT(dp_rtcp_build_compound(b, len - 1, part, 1) == 0);
	for (uint32_t i = 0; i < len; i++)
		INVARIANT(b[i] == 0xa5);
	INVARIANT(dp_rtcp_build_compound(b, len, part, 1) == len);
	INVARIANT(memcmp(b, scratch, len) == 0);

	struct dp_rtcp_iter it;
	dp_rtcp_iter_init(&it, b, len, 0);
	INVARIANT(dp_rtcp_next(&it, out));
	struct dp_rtcp_item end;
	INVARIANT(!dp_rtcp_next(&it, &end) && it.err == DP_RTCP_OK);
	*buf = b;
}

static void check_rebuild_item(const struct dp_rtcp_item *it)
{
	static struct dp_rtcp_report_block blocks[31];
	static uint32_t ssrcs[256];
	static struct dp_rtcp_fir_entry fir[DP_RTCP_MAX_PACKET_LEN / 8];
	static uint16_t seqs[65536];
	struct dp_rtcp_part part = { .ssrc = it->ssrc };
	struct dp_rtcp_item back;
	uint8_t *b = NULL;

	switch (it->type) {
	case DP_RTCP_ITEM_SR:
	case DP_RTCP_ITEM_RR: {
		part.type = it->type == DP_RTCP_ITEM_SR ? DP_RTCP_PART_SR : DP_RTCP_PART_RR;
		part.report.si = it->type == DP_RTCP_ITEM_SR ? &it->report.si : NULL;
		part.report.n = it->report.n_blocks;
		for (unsigned i = 0; i < part.report.n; i++)
			INVARIANT(dp_rtcp_report_block(&it->report, i, &blocks[i]));
		part.report.blocks = blocks;
		rebuild(&part, &back, &b);
		INVARIANT(back.type == it->type && back.ssrc == it->ssrc &&
			  back.report.n_blocks == it->report.n_blocks && back.report.ext_len == 0);
		INVARIANT(memcmp(&back.report.si, &it->report.si, sizeof(it->report.si)) == 0);
		INVARIANT(memcmp(back.report.blocks, it->report.blocks, 24u * part.report.n) == 0);
		break;
	}
	case DP_RTCP_ITEM_SDES: {
		struct dp_rtcp_sdes_cursor cur = { 0 };
		struct dp_rtcp_sdes_chunk c, bc;
		if (it->sdes.n_chunks != 1 || !dp_rtcp_sdes_next(&it->sdes, &cur, &c) ||
		    !c.has_cname)
			return;
		part.type = DP_RTCP_PART_SDES_CNAME;
		part.ssrc = c.ssrc;
		part.sdes.cname = c.cname;
		part.sdes.len = c.cname_len;
		rebuild(&part, &back, &b);
		struct dp_rtcp_sdes_cursor bcur = { 0 };
		INVARIANT(back.type == DP_RTCP_ITEM_SDES && dp_rtcp_sdes_next(&back.sdes, &bcur, &bc));
		INVARIANT(bc.ssrc == c.ssrc && bc.has_cname && bc.cname_len == c.cname_len &&
			  memcmp(bc.cname, c.cname, c.cname_len) == 0);
		break;
	}
	case DP_RTCP_ITEM_BYE:
		part.type = DP_RTCP_PART_BYE;
		part.list.n = it->bye.n_ssrcs;
		for (unsigned i = 0; i < part.list.n; i++)
			ssrcs[i] = dp_rtcp_bye_ssrc(&it->bye, i);
		part.list.ssrcs = ssrcs;
		rebuild(&part, &back, &b);
		INVARIANT(back.type == DP_RTCP_ITEM_BYE && back.bye.n_ssrcs == it->bye.n_ssrcs &&
			  !back.bye.reason);
		INVARIANT(memcmp(back.bye.ssrcs, it->bye.ssrcs, 4u * part.list.n) == 0);
		break;
	case DP_RTCP_ITEM_PLI:
		part.type = DP_RTCP_PART_PLI;
		part.media_ssrc = it->fb.media_ssrc;
		rebuild(&part, &back, &b);
		INVARIANT(back.type == DP_RTCP_ITEM_PLI && back.ssrc == it->ssrc &&
			  back.fb.media_ssrc == it->fb.media_ssrc && back.len == 12);
		break;
	case DP_RTCP_ITEM_FIR:
		part.type = DP_RTCP_PART_FIR;
		part.fir.n = it->fir.n_entries;
		for (unsigned i = 0; i < part.fir.n; i++)
			INVARIANT(dp_rtcp_fir_entry(&it->fir, i, &fir[i]));
		part.fir.entries = fir;
		rebuild(&part, &back, &b);
		INVARIANT(back.type == DP_RTCP_ITEM_FIR && back.fir.n_entries == it->fir.n_entries &&
			  back.fir.media_ssrc == 0);
		for (unsigned i = 0; i < part.fir.n; i++) {
			struct dp_rtcp_fir_entry e;
			INVARIANT(dp_rtcp_fir_entry(&back.fir, i, &e) && e.ssrc == fir[i].ssrc &&
				  e.seq == fir[i].seq);
		}
		break;
	case DP_RTCP_ITEM_NACK: {
		/* The numbers in the order the pairs name them; packed again
		 * they must name the same set (duplicates and order aside). */
		uint32_t n = dp_rtcp_nack_expand(&it->nack, seqs, 65536);
		if (n > 65536) /* more numbers than one packet of pairs can repack */
			return;
		part.type = DP_RTCP_PART_NACK;
		part.media_ssrc = it->nack.media_ssrc;
		part.nack.seqs = seqs;
		part.nack.n = n;
		rebuild(&part, &back, &b);
		INVARIANT(back.type == DP_RTCP_ITEM_NACK && back.nack.media_ssrc == it->nack.media_ssrc &&
			  back.nack.n_pairs <= n);
		static uint8_t want[65536 / 8], got[65536 / 8];
		memset(want, 0, sizeof(want));
		memset(got, 0, sizeof(got));
		for (uint32_t i = 0; i < n; i++)
			want[seqs[i] / 8] |= (uint8_t)(1u << (seqs[i] % 8));
		static uint16_t again[DP_RTCP_MAX_PACKET_LEN / 4 * 17];
		uint32_t m = dp_rtcp_nack_expand(&back.nack, again, sizeof(again) / sizeof(again[0]));
		INVARIANT(m <= sizeof(again) / sizeof(again[0]));
		for (uint32_t i = 0; i < m; i++)
			got[again[i] / 8] |= (uint8_t)(1u << (again[i] % 8));
		INVARIANT(memcmp(want, got, sizeof(want)) == 0);
		break;
	}
	case DP_RTCP_ITEM_REMB:
		part.type = DP_RTCP_PART_REMB;
		part.remb.bitrate_bps = it->remb.bitrate_bps;
		part.remb.n = it->remb.n_ssrcs;
		for (unsigned i = 0; i < part.remb.n; i++)
			ssrcs[i] = dp_rtcp_remb_ssrc(&it->remb, i);
		part.remb.ssrcs = ssrcs;
		rebuild(&part, &back, &b);
		INVARIANT(back.type == DP_RTCP_ITEM_REMB &&
			  back.remb.bitrate_bps == it->remb.bitrate_bps &&
			  back.remb.n_ssrcs == it->remb.n_ssrcs);
		INVARIANT(memcmp(back.remb.ssrcs, it->remb.ssrcs, 4u * part.remb.n) == 0);
		break;
	default:
		return;
	}
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t len = size > DP_RTCP_MAX_PACKET_LEN ? DP_RTCP_MAX_PACKET_LEN : (uint32_t)size;
	uint8_t *p = malloc(len ? len : 1);
	memcpy(p, data, len);

	check_parse(p, len);

	struct dp_rtcp_iter it;
	struct dp_rtcp_item item;
	dp_rtcp_iter_init(&it, p, len, 0);
	while (dp_rtcp_next(&it, &item))
		check_rebuild_item(&item);
	free(p);
	return 0;
}
