/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench run: the results as a table, JSON and SVG (run_report.h).
 * The SVG is written directly: two simple line plots, throughput against
 * offered load (every trial of the searches) and the latency CDF from the
 * histogram at 80 % of NDR.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench_report.h"
#include "run_report.h"

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

static double ratio(const struct run_results *r)
{
	return isfinite(r->ceiling_out_pps) && r->ceiling_out_pps > 0
		       ? r->ndr_out_pps / r->ceiling_out_pps : NAN;
}

static double cycles_per_output(const struct run_results *r)
{
	/* The workers poll without pause: at NDR each output had at most
	 * this many worker cycles. */
	return r->ndr_out_pps > 0 ? r->tsc_hz * r->workers / r->ndr_out_pps : NAN;
}

void run_report_table(const struct run_results *r, FILE *f)
{
	static const char *const hdr[] = { "measure", "value" };
	struct bench_table *t = bench_table_new(2, hdr, "lr");
	char c[64];

	fprintf(f, "\nstrata-bench run %s: %s, %u room(s) of %u publisher(s) + %u listener(s), "
		   "%u leg(s), %u stream(s), %u subscription(s), %u worker(s), %.1f s trials\n",
		r->sc->name, r->sc->profile_name, r->sc->rooms, r->sc->publishers,
		r->sc->listeners, r->legs, r->streams, r->subs, r->workers, r->trial_s);
#define ROW(name, ...) \
	do { \
		bench_table_cell(t, "%s", name); \
		snprintf(c, sizeof(c), __VA_ARGS__); \
		bench_table_cell(t, "%s", c); \
	} while (0)
	ROW("outputs per input", "%.2f", r->outputs_per_input);
	if (r->fixed) {
		ROW("fixed rate in / out (pps)", "%.0f / %.0f", r->fixed_in_pps, r->fixed_out_pps);
		ROW("outputs expected / received", "%llu / %llu",
		    (unsigned long long)r->fixed_expected, (unsigned long long)r->fixed_received);
		ROW("loss", "%.4f%%", r->fixed_loss * 100);
	}
	if (!r->fixed) {
		ROW("NDR in (pps)", "%.0f%s", r->ndr_in_pps, r->ndr_found ? "" : " (none: even the lowest rate lost)");
		ROW("NDR out (pps)", "%.0f", r->ndr_out_pps);
		ROW("NDR out per worker (pps)", "%.0f", r->ndr_out_pps / r->workers);
		ROW("NDR in / out (Gbit/s)", "%.3f / %.3f", r->ndr_in_pps * r->bits_per_input / 1e9,
		    r->ndr_out_pps * r->bits_per_output / 1e9);
		if (r->pdr_found)
			ROW("PDR out (pps, loss <= 0.5%)", "%.0f (loss %.3f%%)", r->pdr_out_pps, r->pdr_loss * 100);
		else
			ROW("PDR out (pps, loss <= 0.5%)", "none: every PDR trial lost more");
		ROW("generator max in (pps)", "%.0f%s", r->gen_max_in_pps,
		    r->gen_limited ? " (reached or fell short: the generator limits)" : "");
	}
	char ceil_s[32] = "not measured";
	if (isfinite(r->ceiling_out_pps))
		snprintf(ceil_s, sizeof(ceil_s), "%.0f", r->ceiling_out_pps);
	ROW("crypto-only ceiling out (pps)", "%s", ceil_s);
	ROW("NDR / ceiling", "%.3f", ratio(r));
	ROW("worker cycles per output at NDR", "%.0f", cycles_per_output(r));
	ROW(r->fixed ? "latency: at the fixed rate, in (pps)" : "latency: at 80% of NDR, in (pps)", "%.0f",
	    r->lat_rate_in_pps);
	ROW("latency p50 / p99 (us)", "%.1f / %.1f", us(hist_percentile(&r->lat, 50)),
	    us(hist_percentile(&r->lat, 99)));
	ROW("latency p99.9 / max (us)", "%.1f / %.1f", us(hist_percentile(&r->lat, 99.9)),
	    us(r->lat.count ? r->lat.max : 0));
	ROW("latency samples", "%llu", (unsigned long long)r->lat.count);
	ROW("outputs checked / wrong", "%llu / %llu", (unsigned long long)r->outputs,
	    (unsigned long long)r->wrong);
	ROW("decrypted (libsrtp2) / failed / payload wrong", "%llu / %llu / %llu",
	    (unsigned long long)r->decrypted, (unsigned long long)r->decrypt_fail,
	    (unsigned long long)r->payload_bad);
	ROW("sequence gaps / duplicates (all trials)", "%llu / %llu", (unsigned long long)r->gaps,
	    (unsigned long long)r->duplicates);
	ROW("late outputs, from an earlier trial (not counted)", "%llu",
	    (unsigned long long)r->late);
	ROW("backlog outputs, over --backlog-ms after their trial (lost)", "%llu (%.0f ms)",
	    (unsigned long long)r->backlog, r->backlog_ms);
#undef ROW
	bench_table_print(t, f);
	bench_table_free(t);
	fprintf(f, "\ntrials (offered inputs/s -> outputs/s, loss; late outputs of earlier trials; "
		   "backlog):\n");
	for (unsigned i = 0; i < r->n_points; i++)
		fprintf(f, "  %-9s %10.0f -> %11.0f  %.4f%%  %llu late  %llu backlog\n",
			r->points[i].search, r->points[i].offered_pps, r->points[i].out_pps,
			r->points[i].loss * 100, (unsigned long long)r->points[i].late,
			(unsigned long long)r->points[i].backlog);
}

static void latency_obj(struct bench_json *j, const struct run_results *r)
{
	bench_json_begin_object(j, "latency_us");
	bench_json_double(j, "p50", us(hist_percentile(&r->lat, 50)));
	bench_json_double(j, "p99", us(hist_percentile(&r->lat, 99)));
	bench_json_double(j, "p999", us(hist_percentile(&r->lat, 99.9)));
	bench_json_double(j, "max", us(r->lat.count ? r->lat.max : 0));
	bench_json_end_object(j);
}

static void summary(struct bench_json *j, const struct run_results *r)
{
	bench_json_string(j, "scenario", r->sc->name);
	bench_json_string(j, "profile", r->sc->profile_name);
	bench_json_uint(j, "workers", r->workers);
	bench_json_double(j, "ndr_out_pps", r->ndr_out_pps);
	bench_json_double(j, "pdr_out_pps", r->pdr_out_pps);
	bench_json_double(j, "ceiling_out_pps", r->ceiling_out_pps);
	bench_json_double(j, "ratio", ratio(r));
	latency_obj(j, r);
}

void run_report_json_line(const struct run_results *r, FILE *f)
{
	struct bench_json j;
	bench_json_init(&j, f);
	bench_json_begin_object(&j, NULL);
	summary(&j, r);
	bench_json_end_object(&j);
	bench_json_finish(&j);
}

void run_report_json_file(const struct run_results *r, FILE *f)
{
	struct bench_json j;
	bench_json_init(&j, f);
	bench_json_begin_object(&j, NULL);
	summary(&j, r);
	if (r->fixed) {
		bench_json_begin_object(&j, "fixed_rate");
		bench_json_double(&j, "in_pps", r->fixed_in_pps);
		bench_json_double(&j, "out_pps", r->fixed_out_pps);
		bench_json_double(&j, "loss", r->fixed_loss);
		bench_json_uint(&j, "outputs_expected", r->fixed_expected);
		bench_json_uint(&j, "outputs_received", r->fixed_received);
		bench_json_end_object(&j);
	}
	bench_json_double(&j, "ndr_in_pps", r->ndr_in_pps);
	bench_json_double(&j, "pdr_in_pps", r->pdr_in_pps);
	bench_json_double(&j, "pdr_loss", r->pdr_loss);
	bench_json_double(&j, "ndr_out_gbps", r->ndr_out_pps * r->bits_per_output / 1e9);
	bench_json_double(&j, "ndr_in_gbps", r->ndr_in_pps * r->bits_per_input / 1e9);
	bench_json_double(&j, "ndr_out_pps_per_worker", r->ndr_out_pps / r->workers);
	bench_json_double(&j, "cycles_per_output_at_ndr", cycles_per_output(r));
	bench_json_double(&j, "generator_max_in_pps", r->gen_max_in_pps);
	bench_json_bool(&j, "generator_limited", r->gen_limited);
	bench_json_double(&j, "latency_rate_in_pps", r->lat_rate_in_pps);
	bench_json_uint(&j, "latency_samples", r->lat.count);
	bench_json_uint(&j, "legs", r->legs);
	bench_json_uint(&j, "streams", r->streams);
	bench_json_uint(&j, "subscriptions", r->subs);
	bench_json_double(&j, "outputs_per_input", r->outputs_per_input);
	bench_json_uint(&j, "outputs_checked", r->outputs);
	bench_json_uint(&j, "outputs_wrong", r->wrong);
	bench_json_uint(&j, "decrypted", r->decrypted);
	bench_json_uint(&j, "decrypt_failed", r->decrypt_fail);
	bench_json_uint(&j, "payload_wrong", r->payload_bad);
	bench_json_uint(&j, "sequence_gaps", r->gaps);
	bench_json_uint(&j, "late_outputs", r->late);
	bench_json_uint(&j, "backlog_outputs", r->backlog);
	bench_json_double(&j, "backlog_ms", r->backlog_ms);
	bench_json_begin_array(&j, "trials");
	for (unsigned i = 0; i < r->n_points; i++) {
		bench_json_begin_object(&j, NULL);
		bench_json_string(&j, "search", r->points[i].search);
		bench_json_double(&j, "offered_in_pps", r->points[i].offered_pps);
		bench_json_double(&j, "out_pps", r->points[i].out_pps);
		bench_json_double(&j, "loss", r->points[i].loss);
		bench_json_uint(&j, "late", r->points[i].late);
		bench_json_uint(&j, "backlog", r->points[i].backlog);
		bench_json_end_object(&j);
	}
	bench_json_end_array(&j);
	bench_json_end_object(&j);
	bench_json_finish(&j);
}

/* ---- SVG ---------------------------------------------------------------------- */

#define W 640
#define H 400
#define ML 80
#define MR 20
#define MT 30
#define MB 50

static void svg_open(FILE *f, const char *title, const char *xl, const char *yl, double xmax,
		     double ymax)
{
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" "
		   "height=\"100%%\" fill=\"white\"/>\n", W, H);
	fprintf(f, "<text x=\"%d\" y=\"18\" text-anchor=\"middle\">%s</text>\n", W / 2, title);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", ML, H - MB,
		W - MR, H - MB);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", ML, MT, ML,
		H - MB);
	for (int i = 0; i <= 4; i++) {
		double fx = ML + (W - ML - MR) * i / 4.0, fy = H - MB - (H - MT - MB) * i / 4.0;
		fprintf(f, "<text x=\"%.0f\" y=\"%d\" text-anchor=\"middle\">%.3g</text>\n", fx,
			H - MB + 16, xmax * i / 4);
		fprintf(f, "<text x=\"%d\" y=\"%.0f\" text-anchor=\"end\">%.3g</text>\n", ML - 4,
			fy + 4, ymax * i / 4);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", (ML + W - MR) / 2,
		H - 12, xl);
	fprintf(f, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" "
		   "text-anchor=\"middle\">%s</text>\n", (MT + H - MB) / 2, (MT + H - MB) / 2, yl);
}

static double px(double x, double xmax)
{
	return ML + (W - ML - MR) * (xmax > 0 ? x / xmax : 0);
}

static double py(double y, double ymax)
{
	return H - MB - (H - MT - MB) * (ymax > 0 ? y / ymax : 0);
}

static int cmp_point(const void *a, const void *b)
{
	double x = ((const struct run_point *)a)->offered_pps;
	double y = ((const struct run_point *)b)->offered_pps;
	return x < y ? -1 : x > y;
}

int run_report_svg(const struct run_results *r, const char *dir)
{
	char path[1024];
	FILE *f;

	struct run_point pts[RUN_MAX_POINTS];
	unsigned n = r->n_points;
	memcpy(pts, r->points, n * sizeof(pts[0]));
	qsort(pts, n, sizeof(pts[0]), cmp_point);
	double xmax = 0, ymax = 0;
	for (unsigned i = 0; i < n; i++) {
		if (pts[i].offered_pps > xmax)
			xmax = pts[i].offered_pps;
		if (pts[i].out_pps > ymax)
			ymax = pts[i].out_pps;
	}
	snprintf(path, sizeof(path), "%s/%s-throughput.svg", dir, r->sc->name);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	char title[256];
	snprintf(title, sizeof(title), "%s: outputs/s against offered inputs/s (red: loss)",
		 r->sc->name);
	svg_open(f, title, "offered inputs/s", "outputs/s received", xmax * 1.05, ymax * 1.05);
	fprintf(f, "<polyline fill=\"none\" stroke=\"blue\" points=\"");
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%.1f,%.1f ", px(pts[i].offered_pps, xmax * 1.05),
			py(pts[i].out_pps, ymax * 1.05));
	fprintf(f, "\"/>\n");
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
			px(pts[i].offered_pps, xmax * 1.05), py(pts[i].out_pps, ymax * 1.05),
			pts[i].loss > 0 ? "red" : "green");
	fprintf(f, "</svg>\n");
	if (fclose(f) != 0)
		return -1;

	snprintf(path, sizeof(path), "%s/%s-latency.svg", dir, r->sc->name);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	snprintf(title, sizeof(title), "%s: latency CDF at %.0f inputs/s (80%% of NDR)",
		 r->sc->name, r->lat_rate_in_pps);
	double lmax = us(hist_percentile(&r->lat, 99.99)) * 1.1 + 1;
	svg_open(f, title, "latency (us)", "fraction of outputs", lmax, 1.0);
	fprintf(f, "<polyline fill=\"none\" stroke=\"blue\" points=\"");
	uint64_t seen = 0;
	for (unsigned i = 0; i < HIST_BUCKETS && r->lat.count > 0; i++) {
		if (r->lat.bucket[i] == 0)
			continue;
		seen += r->lat.bucket[i];
		double x = us(hist_bucket_high(i));
		if (x > lmax)
			x = lmax;
		fprintf(f, "%.1f,%.1f ", px(x, lmax), py((double)seen / (double)r->lat.count, 1.0));
	}
	fprintf(f, "\"/>\n</svg>\n");
	return fclose(f) == 0 ? 0 : -1;
}
