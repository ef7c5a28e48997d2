/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench run's results (run_main.c fills them, run_report.c prints):
 * the table, the JSON file, the --json line, the SVG plots.
 */
#ifndef STRATA_RUN_REPORT_H
#define STRATA_RUN_REPORT_H

#include <stdio.h>

#include "run_bench.h"

struct run_point {              /* one trial, for the table and the plot */
	const char *search;         /* "calibrate", "NDR", "PDR", "latency" */
	double offered_pps;         /* inputs per second achieved */
	double out_pps;             /* outputs per second received */
	double loss;
	uint64_t late;              /* outputs of earlier trials seen in it (not in out_pps) */
	uint64_t backlog;           /* its own outputs after backlog_ms (lost, not in out_pps) */
};

#define RUN_MAX_POINTS (3 * NDR_MAX_TRIALS + 4)

struct run_results {
	const struct run_scenario *sc;
	unsigned workers;
	double tsc_hz;
	double outputs_per_input, bits_per_input, bits_per_output;
	unsigned legs, streams, subs;
	double trial_s;
	/* NDR and PDR: offered inputs/s, outputs/s received, loss */
	double ndr_in_pps, ndr_out_pps, ndr_loss;
	double pdr_in_pps, pdr_out_pps, pdr_loss;
	bool ndr_found, pdr_found;
	double gen_max_in_pps;      /* the generator's own ceiling (calibration) */
	bool gen_limited;           /* NDR is the generator's limit, not strata-dp's */
	double ceiling_out_pps;     /* crypto only, NaN if not measured */
	/* --rate: one trial at a fixed rate instead of the searches */
	bool fixed;
	double fixed_in_pps, fixed_out_pps, fixed_loss;
	uint64_t fixed_expected, fixed_received;
	/* at 80 % of NDR (or the --rate trial) */
	double lat_rate_in_pps;
	struct hist lat;            /* ns */
	uint64_t lat_samples;
	/* correctness over the whole run */
	uint64_t outputs, wrong, decrypted, decrypt_fail, payload_bad, gaps, duplicates;
	uint64_t late;              /* outputs seen in a later trial than their input's */
	uint64_t backlog;           /* outputs later than backlog_ms after their trial */
	double backlog_ms;
	unsigned n_points;
	struct run_point points[RUN_MAX_POINTS];
};

void run_report_table(const struct run_results *r, FILE *f);
void run_report_json_file(const struct run_results *r, FILE *f);
/* The one-line summary --json prints. */
void run_report_json_line(const struct run_results *r, FILE *f);
/* dir/SCENARIO-throughput.svg and dir/SCENARIO-latency.svg; 0 or -1. */
int run_report_svg(const struct run_results *r, const char *dir);

#endif
