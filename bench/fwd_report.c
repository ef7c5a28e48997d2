/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench fwd's report: the table (with the dataplane's memory per
 * leg, subscription and mbuf) or the JSON document.
 */
#include <math.h>
#include <stdio.h>

#include <rte_version.h>

#include "bench_report.h"
#include "fwd_bench.h"

double fwd_ratio(const struct fwd_result *r)
{
	return r->out_pps / r->ceiling_out_pps;
}

static double disturbed_pct(const struct fwd_stats *st)
{
	return st->bursts ? 100.0 * (double)st->disturbed / (double)st->bursts : 0;
}

/* res[p][s][f], FWD_MAX_LIST sizes and fan-outs per profile. */
static const struct fwd_result *at(const struct fwd_result *res, unsigned p, unsigned s,
				   unsigned f)
{
	return &res[((size_t)p * FWD_MAX_LIST + s) * FWD_MAX_LIST + f];
}

static size_t mbuf_bytes(const struct fwd_ctx *x)
{
	const struct rte_mempool *mp = x->dp.pool;

	return mp->header_size + mp->elt_size + mp->trailer_size;
}

void fwd_report_json(const struct fwd_options *o, const struct fwd_ctx *x, const char *cpu,
		     const struct fwd_stats *st, const struct fwd_result *res)
{
	struct bench_json j;

	bench_json_init(&j, stdout);
	bench_json_begin_object(&j, NULL);
	bench_json_begin_object(&j, "machine");
	bench_json_string(&j, "cpu", cpu);
	bench_json_string(&j, "ipsec_mb", imb_get_version_str());
	bench_json_string(&j, "arch", strata_srtp_engine_arch(x->w->srtp));
	bench_json_string(&j, "dpdk", rte_version());
	bench_json_uint(&j, "core", x->core);
	bench_json_string(&j, "codec", o->meeting ? "vp9+opus"
				       : o->codec == FWD_CODEC_VP8 ? "vp8" : "h264");
	bench_json_string(&j, "checksum", o->sw_checksum ? "software"
			   : x->checksum_modelled ? "offload-modelled" : "offload");
	bench_json_string(&j, "memory", x->hugepages ? "hugepages" : "no-huge");
	bench_json_uint(&j, "burst", FWD_BURST);
	bench_json_uint(&j, "mbufs", x->cfg.pool.mbufs);
	bench_json_uint(&j, "mbuf_cache", x->cfg.pool.mbuf_cache);
	bench_json_double(&j, "duration", o->duration);
	bench_json_uint(&j, "slices", FWD_SLICES);
	bench_json_uint(&j, "bursts", st->bursts);
	bench_json_double(&j, "disturbed_pct", disturbed_pct(st));
	bench_json_end_object(&j);
	bench_json_begin_object(&j, "memory");
	bench_json_uint(&j, "leg_bytes", sizeof(struct dp_leg));
	bench_json_uint(&j, "subscription_bytes", sizeof(struct dp_sub));
	bench_json_uint(&j, "stream_bytes", sizeof(struct dp_stream));
	bench_json_uint(&j, "mbuf_bytes", mbuf_bytes(x));
	bench_json_uint(&j, "mbuf_element_bytes", x->dp.pool->elt_size);
	bench_json_end_object(&j);
	bench_json_begin_array(&j, "results");
	for (unsigned p = 0; p < o->nprofiles; p++)
		for (unsigned s = 0; s < o->nsizes; s++)
			for (unsigned f = 0; f < o->nfanouts; f++) {
				const struct fwd_result *r = at(res, p, s, f);

				bench_json_begin_object(&j, NULL);
				bench_json_string(&j, "mix", !o->meeting ? "uniform"
							     : o->meeting_dd ? "meeting" : "meeting-vp9");
				bench_json_string(&j, "profile", o->profiles[p]->name);
				bench_json_uint(&j, "size", o->sizes[s]);
				bench_json_uint(&j, "fanout", o->fanouts[f]);
				bench_json_double(&j, "out_pps", r->out_pps);
				bench_json_double(&j, "ceiling_out_pps", r->ceiling_out_pps);
				bench_json_double(&j, "ratio", fwd_ratio(r));
				if (o->meeting) {
					bench_json_double(&j, "in_pps", r->in_pps);
					bench_json_double(&j, "rtcp_in_pps", r->rtcp_in_pps);
					bench_json_double(&j, "rtx_out_pps", r->rtx_out_pps);
				}
				bench_json_end_object(&j);
			}
	bench_json_end_array(&j);
	bench_json_end_object(&j);
	bench_json_finish(&j);
}

void fwd_report_table(const struct fwd_options *o, const struct fwd_ctx *x, const char *cpu,
		      const struct fwd_stats *st, const struct fwd_result *res)
{
	static const char *const headers[] = {
		"profile", "size", "fan-out", "in Mpps", "out Mpps", "ceiling Mpps", "ratio",
	};
	struct bench_table *t = bench_table_new(7, headers, "lrrrrrr");

	for (unsigned p = 0; p < o->nprofiles; p++)
		for (unsigned s = 0; s < o->nsizes; s++)
			for (unsigned f = 0; f < o->nfanouts; f++) {
				const struct fwd_result *r = at(res, p, s, f);

				bench_table_cell(t, "%s", o->profiles[p]->name);
				bench_table_cell(t, "%u B", o->sizes[s]);
				bench_table_cell(t, "%u", o->fanouts[f]);
				bench_table_cell(t, "%.3f", (r->in_pps > 0 ? r->in_pps
							     : r->out_pps / o->fanouts[f]) / 1e6);
				bench_table_cell(t, "%.2f", r->out_pps / 1e6);
				if (isnan(r->ceiling_out_pps)) {
					bench_table_cell(t, "-");
					bench_table_cell(t, "-");
				} else {
					bench_table_cell(t, "%.2f", r->ceiling_out_pps / 1e6);
					bench_table_cell(t, "%.2f", fwd_ratio(r));
				}
			}
	printf("strata-bench fwd: %s, ipsec-mb %s (%s), %s, worker on core %u\n"
	       "%s, checksums %s, %u mbufs (cache %u, %s), %g s per cell and lane\n\n",
	       cpu, imb_get_version_str(), strata_srtp_engine_arch(x->w->srtp), rte_version(),
	       x->core, o->meeting ? "meeting mix (VP9 L3T3 + Opus, mixed layer targets)"
	       : o->codec == FWD_CODEC_VP8 ? "VP8" : "H.264",
	       o->sw_checksum ? "in software"
	       : x->checksum_modelled ? "offloaded (modelled)" : "offloaded",
	       x->cfg.pool.mbufs, x->cfg.pool.mbuf_cache,
	       x->hugepages ? "on hugepages" : "--no-huge", o->duration);
	bench_table_print(t, stdout);
	if (o->meeting) {
		/* Of the inputs, the receivers' SRTCP; of the outputs, the
		 * retransmissions that answered their NACKs. */
		printf("\n");
		for (unsigned p = 0; p < o->nprofiles; p++)
			for (unsigned f = 0; f < o->nfanouts; f++) {
				const struct fwd_result *r = at(res, p, 0, f);
				printf("%s fan-out %u: receivers' RTCP in %.1f kpps, retransmissions "
				       "out %.1f kpps\n", o->profiles[p]->name, o->fanouts[f],
				       r->rtcp_in_pps / 1e3, r->rtx_out_pps / 1e3);
			}
	}
	printf("\nsize: RTP payload after a 12-byte header.  out Mpps: receivers' packets (inputs\n"
	       "x fan-out) per second of the timed calls, dp_worker_rx + dp_fanout_flush per\n"
	       "burst of %d inputs, on one core; median of %u slices.  Untimed: building the\n"
	       "input frames in mbufs (the NIC's and the client's work).  ceiling Mpps: raw\n"
	       "ipsec-mb doing the same 1 decrypt + F encrypts per input (same jobs, bursts,\n"
	       "sizes and keys), nothing else.  ratio = out / ceiling.\n"
	       "Left out as descheduled (over %d us and 2x slower than the lane's best):\n"
	       "%.2f %% of %llu timed bursts.\n\n",
	       FWD_BURST, FWD_SLICES, FWD_DISTURBED_US, disturbed_pct(st), (unsigned long long)st->bursts);
	printf("memory: %zu bytes per leg (struct dp_leg), %zu per subscription (struct dp_sub),\n"
	       "%zu per stream (struct dp_stream); mempool elements of %u bytes (struct rte_mbuf,\n"
	       "%u of private area, %u of data room), %zu with the mempool's own header.\n",
	       sizeof(struct dp_leg), sizeof(struct dp_sub), sizeof(struct dp_stream),
	       x->dp.pool->elt_size, (unsigned)rte_pktmbuf_priv_size(x->dp.pool),
	       (unsigned)rte_pktmbuf_data_room_size(x->dp.pool), mbuf_bytes(x));
	bench_table_free(t);
}
