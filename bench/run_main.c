/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench run SCENARIO --direct: a scenario's traffic through a
 * running strata-dp over net_memif (run_bench.h for the pieces).
 *
 * Order of a run:
 *   1. the crypto-only ceiling of the scenario's work: `strata-bench fwd`'s
 *      raw ipsec-mb ceiling (fwd_ceiling.c) for each media's payload size
 *      and fan-out, in a child process before this one starts EAL, mixed
 *      in the scenario's proportions (time per input adds up);
 *   2. EAL, memif, strata-dp programmed, a warm-up that every
 *      subscription must pass (every receiver gets its first outputs,
 *      right);
 *   3. a calibration trial, flat out: the generator's own ceiling;
 *   4. NDR (zero loss) and PDR (loss <= 0.5 %) by RFC 2544 binary search
 *      (ndr.c) between 1/200 of it and it;
 *   5. one trial at 80 % of NDR for latency (the histogram is recorded in
 *      that trial only: the searches' overloaded trials would measure
 *      queueing);
 *   6. strata-dp's state removed, the report.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "bench_report.h"
#include "dp_driver.h"
#include "run_bench.h"
#include "run_report.h"
#include "strata_bench.h"

struct run_opts {
	const char *scenario;
	struct run_setup_params setup;
	double trial_s;
	double max_rate;
	double rate;                /* --rate: one trial, no search */
	unsigned sample_every;
	double backlog_ms;
	bool direct, json, no_ceiling;
	const char *out, *plots;
};

static struct run_state *live;

static void teardown_at_exit(void)
{
	if (live != NULL)
		run_teardown(live);
	live = NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: strata-bench run SCENARIO.conf --direct [OPTIONS]\n"
		"  Loads a running strata-dp with the scenario (bench/scenarios/) over net_memif,\n"
		"  programming it through its shared memory (--direct), and finds the zero-loss\n"
		"  (NDR) and 0.5%%-loss (PDR) rates, latency at 80%% of NDR and the crypto-only\n"
		"  ceiling.  strata-dp needs \"net_memif0,role=server,socket=PATH,mac=DP_MAC\" in\n"
		"  eal.vdevs, that port with --dp-ip, gateway4 = GATEWAY and a static neighbour\n"
		"  for it with this process's --mac (bench/scenarios/strata-dp-memif.conf).\n"
		"  --direct            program strata-dp through its shared memory (required:\n"
		"                      sessions through strata-cp are not implemented)\n"
		"  --shm NAME          strata-dp's shared memory (default /strata)\n"
		"  --memif PATH        its memif socket (default /run/strata-bench.memif)\n"
		"  --mac MAC           this side's MAC (default 02:00:00:00:00:01)\n"
		"  --dp-mac MAC        strata-dp's memif MAC (default 02:00:00:00:00:02)\n"
		"  --dp-ip IP          strata-dp's address (default 192.0.2.2)\n"
		"  --client-ip IP      the clients' address, behind the gateway (198.51.100.1)\n"
		"  --core N            this process's lcore (default 0)\n"
		"  --trial S           seconds per trial (default 2)\n"
		"  --max-rate PPS      highest offered inputs/s searched (default: the\n"
		"                      generator's calibrated maximum)\n"
		"  --sample N          decrypt one output in N per subscription (default 8)\n"
		"  --backlog-ms MS     a trial's outputs arriving more than MS after it ended\n"
		"                      are lost: a backlog the router's rings hid (default 20)\n"
		"  --rate PPS          one trial at this many inputs/s instead of the searches\n"
		"                      (a smoke test: exits 1 on any loss or wrong output)\n"
		"  --takeover          claim the shared memory from a live strata-cp\n"
		"  --no-ceiling        skip the crypto-only ceiling\n"
		"  --out FILE          the full results as JSON (default SCENARIO-run.json)\n"
		"  --plots DIR         SVG plots: throughput against load, latency CDF\n"
		"  --json              print only the summary line as JSON\n");
}

/* `strata-bench fwd`'s crypto-only ceiling, outputs/s, for one cell. */
static double fwd_ceiling_of(const char *profile, unsigned size, unsigned fanout, int core)
{
	char self[1024], cmd[2048], line[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		bench_fail("cannot find this program (/proc/self/exe)");
	self[n] = 0;
	snprintf(cmd, sizeof(cmd), "'%s' fwd --profile %s --size %u --fanout %u --duration 1 "
		 "--core %d --json 2>&1", self, profile, size, fanout, core);
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		bench_fail("cannot run %s", cmd);
	double c = NAN;
	while (fgets(line, sizeof(line), p) != NULL) {
		const char *at = strstr(line, "\"ceiling_out_pps\": ");
		if (at != NULL)
			c = strtod(at + strlen("\"ceiling_out_pps\": "), NULL);
	}
	if (pclose(p) != 0 || !(c > 0))
		bench_fail("the ceiling (%s) failed; run it alone to see why", cmd);
	return c;
}

/* The scenario's ceiling: per input of media m, F_m outputs that take
 * F_m / C_m seconds at the ceiling; weighted by the media's rates. */
static double scenario_ceiling(const struct run_scenario *sc, int core)
{
	unsigned fanout = sc->publishers + sc->listeners - 1;
	double outs = 0, secs = 0;
	for (unsigned m = 0; m < sc->n_media; m++) {
		double c = fwd_ceiling_of(sc->profile_name, sc->media[m].size, fanout, core);
		outs += sc->media[m].pps * fanout;
		secs += sc->media[m].pps * fanout / c;
	}
	return outs / secs;
}

struct search_ctx {
	struct run_state *st;
	struct run_results *r;
	double seconds;
	const char *label;
	double last_out_pps;
	unsigned short_trials;      /* passed, but the generator offered less */
};

static void progress(void *arg, const struct run_trial *t, double done)
{
	struct search_ctx *c = arg;
	bench_progress_update("%s at %.0f in/s: %3.0f%%, %.0f out/s, loss %.3f%%", c->label,
			      t->rate, done * 100, t->received / (t->elapsed > 0 ? t->elapsed : 1),
			      t->expected ? 100.0 * (1.0 - (double)t->received / (double)t->expected)
					  : 0.0);
}

static void record(struct search_ctx *c, const struct run_trial *t)
{
	struct run_results *r = c->r;
	if (r->n_points < RUN_MAX_POINTS)
		r->points[r->n_points++] = (struct run_point){
			.search = c->label, .offered_pps = (double)t->offered / t->elapsed,
			.out_pps = (double)t->received / t->elapsed, .loss = t->loss,
			.late = t->late, .backlog = t->backlog,
		};
	r->outputs += t->received + t->late + t->backlog;
	r->late += t->late;
	r->backlog += t->backlog;
	r->wrong += t->bad;
}

static int search_trial(void *arg, double rate, double *loss)
{
	struct search_ctx *c = arg;
	struct run_trial t = { .rate = rate, .seconds = c->seconds };
	bench_progress_begin("%s trial at %.0f inputs/s", c->label, rate);
	run_trial(c->st, &t, progress, c);
	record(c, &t);
	/* A trial the generator could not offer in full still counts by
	 * strata-dp's loss; the results report the rates actually offered,
	 * and say so when the generator fell short (gen_limited). */
	double offered_rate = (double)t.offered / t.elapsed;
	*loss = t.loss;
	if (offered_rate < 0.97 * rate && t.loss == 0)
		c->short_trials++;
	c->last_out_pps = (double)t.received / t.elapsed;
	bench_progress_end("%.0f in/s offered, %.0f out/s, loss %.4f%%%s%s%s", offered_rate,
			   c->last_out_pps, t.loss * 100, t.bad ? ", WRONG OUTPUTS" : "",
			   t.late ? " (and late outputs of an earlier trial, not counted)" : "",
			   t.backlog ? " (some only after the trial's backlog limit: lost)" : "");
	if (t.received == 0 && t.expected > 0) {
		/* Nothing came back: say whether this side ran out of mbufs. */
		struct rte_eth_stats es = { 0 };
		rte_eth_stats_get(c->st->port_id, &es);
		fprintf(stderr, "strata-bench run: no outputs in that trial; this port has received "
				"%llu, missed %llu, %llu without an mbuf; %u mbufs free\n",
			(unsigned long long)es.ipackets, (unsigned long long)es.imissed,
			(unsigned long long)es.rx_nombuf, rte_mempool_avail_count(c->st->pool));
	}
	if (t.bad != 0)
		bench_fail("%llu outputs were wrong (see the counters in the JSON)",
			   (unsigned long long)t.bad);
	return 0;
}

/* The outputs/s of the search's best trial. */
static void best(const struct ndr_result *nr, struct run_results *r, unsigned first_point,
		 double *in_pps, double *out_pps, double *loss)
{
	*in_pps = *out_pps = 0;
	*loss = nr->loss;
	for (unsigned i = 0; i < nr->n_trials; i++)
		if (nr->found && nr->trials[i].rate == nr->rate) {
			*in_pps = r->points[first_point + i].offered_pps;
			*out_pps = r->points[first_point + i].out_pps;
		}
}

int bench_run_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "direct", no_argument, NULL, 'd' },   { "shm", required_argument, NULL, 's' },
		{ "memif", required_argument, NULL, 'M' }, { "mac", required_argument, NULL, 'm' },
		{ "dp-mac", required_argument, NULL, 'D' }, { "dp-ip", required_argument, NULL, 'I' },
		{ "client-ip", required_argument, NULL, 'C' }, { "core", required_argument, NULL, 'c' },
		{ "trial", required_argument, NULL, 't' }, { "max-rate", required_argument, NULL, 'r' },
		{ "sample", required_argument, NULL, 'S' }, { "rate", required_argument, NULL, 'R' }, { "takeover", no_argument, NULL, 'T' },
		{ "backlog-ms", required_argument, NULL, 'B' },
		{ "no-ceiling", no_argument, NULL, 'N' }, { "out", required_argument, NULL, 'o' },
		{ "plots", required_argument, NULL, 'p' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },      { NULL, 0, NULL, 0 },
	};
	struct run_opts o = {
		.setup = { .memif_socket = "/run/strata-bench.memif", .shm = "/strata",
			   .dp_mac = "02:00:00:00:00:02", .my_mac = "02:00:00:00:00:01",
			   .dp_ip = "192.0.2.2", .client_ip = "198.51.100.1", .core = 0 },
		.trial_s = 2, .sample_every = 8, .backlog_ms = 20,
	};
	int c;

	bench_set_name("strata-bench run");
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.direct = true; break;
		case 's': o.setup.shm = optarg; break;
		case 'M': o.setup.memif_socket = optarg; break;
		case 'm': o.setup.my_mac = optarg; break;
		case 'D': o.setup.dp_mac = optarg; break;
		case 'I': o.setup.dp_ip = optarg; break;
		case 'C': o.setup.client_ip = optarg; break;
		case 'c': o.setup.core = atoi(optarg); break;
		case 't': o.trial_s = atof(optarg); break;
		case 'r': o.max_rate = atof(optarg); break;
		case 'S': o.sample_every = (unsigned)atoi(optarg); break;
		case 'B': o.backlog_ms = atof(optarg); break;
		case 'R': o.rate = atof(optarg); break;
		case 'T': o.setup.takeover = true; break;
		case 'N': o.no_ceiling = true; break;
		case 'o': o.out = optarg; break;
		case 'p': o.plots = optarg; break;
		case 'j': o.json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	o.scenario = argv[optind];
	if (!o.direct)
		bench_fail("only --direct is implemented: sessions through strata-cp's signaling "
			   "are not (yet); add --direct");
	if (!(o.trial_s >= 0.1 && o.trial_s <= 600) || o.sample_every == 0 ||
	    o.max_rate < 0 || o.rate < 0 || o.setup.core < 0 ||
	    !(o.backlog_ms >= 0 && o.backlog_ms <= 3000))
		bench_fail("--trial 0.1..600, --sample >= 1, --max-rate >= 0, --rate >= 0, --core >= 0, "
			   "--backlog-ms 0..3000");

	static struct run_scenario sc;
	char err[1024];
	if (run_scenario_load(o.scenario, &sc, err, sizeof(err)) != 0)
		bench_fail("%s", err);

	static struct run_results r;
	static struct run_state st;
	r.sc = &sc;
	r.trial_s = o.trial_s;
	hist_init(&r.lat);
	r.ceiling_out_pps = NAN;
	/* Steps at most: ceiling, set-up, calibration, two searches, latency. */
	bench_progress_init((o.no_ceiling ? 0 : 1) + 2 + 2 * 14 + 1);
	if (!o.no_ceiling) {
		bench_progress_begin("crypto-only ceiling (strata-bench fwd)");
		r.ceiling_out_pps = scenario_ceiling(&sc, o.setup.core);
		bench_progress_end("%.0f outputs/s", r.ceiling_out_pps);
	}

	st.sc = &sc;
	st.sample_every = o.sample_every;
	st.backlog_ms = o.backlog_ms;
	r.backlog_ms = o.backlog_ms;
	live = &st;
	atexit(teardown_at_exit);
	bench_progress_begin("EAL, memif %s, shared memory %s", o.setup.memif_socket, o.setup.shm);
	run_setup(&st, &o.setup);
	run_program(&st);
	bench_progress_end("%u legs, %u streams, %u subscriptions programmed", st.n_legs,
			   st.n_streams, st.n_subs);
	r.workers = dp_driver_workers(st.drv);
	r.tsc_hz = st.tsc_hz;
	r.legs = st.n_legs, r.streams = st.n_streams, r.subs = st.n_subs;
	r.outputs_per_input = st.outputs_per_input;
	r.bits_per_input = st.bits_per_input;
	r.bits_per_output = st.bits_per_output;
	run_warmup(&st, 30);

	struct search_ctx sx = { .st = &st, .r = &r, .seconds = o.trial_s, .label = "calibrate" };
	if (o.rate > 0) {
		struct run_trial ft = { .rate = o.rate, .seconds = o.trial_s, .lat = &r.lat };
		sx.label = "fixed";
		bench_progress_begin("one trial at %.0f inputs/s", o.rate);
		run_trial(&st, &ft, progress, &sx);
		record(&sx, &ft);
		r.fixed = true;
		r.fixed_in_pps = r.lat_rate_in_pps = (double)ft.offered / ft.elapsed;
		r.fixed_out_pps = (double)ft.received / ft.elapsed;
		r.fixed_loss = ft.loss;
		r.fixed_expected = ft.expected;
		r.fixed_received = ft.received;
		r.ndr_in_pps = r.ndr_out_pps = r.pdr_out_pps = r.pdr_in_pps = NAN;
		bench_progress_end("%.0f in/s, %.0f out/s, loss %.4f%%", r.fixed_in_pps,
				   r.fixed_out_pps, ft.loss * 100);
		goto report;
	}
	struct run_trial cal = { .rate = 1e9, .seconds = o.trial_s < 1 ? o.trial_s : 1 };
	bench_progress_begin("calibration: the generator flat out");
	run_trial(&st, &cal, NULL, NULL);
	record(&sx, &cal);
	r.gen_max_in_pps = (double)cal.offered / cal.elapsed;
	bench_progress_end("%.0f inputs/s offered, %.0f outputs/s, loss %.3f%%", r.gen_max_in_pps,
			   (double)cal.received / cal.elapsed, cal.loss * 100);
	double hi = 0.95 * r.gen_max_in_pps;
	if (o.max_rate > 0 && o.max_rate < hi)
		hi = o.max_rate;

	/* The lowest rate searched keeps every stream alive (run_bench.h). */
	double lo = hi / 200 > st.min_alive_rate ? hi / 200 : st.min_alive_rate;
	if (lo > hi / 2)
		lo = hi / 2;
	struct ndr_params np = { .lo = lo, .hi = hi, .loss_threshold = 0,
				 .resolution = 0.02, .max_trials = 14 };
	struct ndr_result nr;
	unsigned first = r.n_points;
	sx.label = "NDR";
	if (ndr_search(&np, search_trial, &sx, &nr) != 0)
		bench_fail("the NDR search failed");
	r.ndr_found = nr.found;
	best(&nr, &r, first, &r.ndr_in_pps, &r.ndr_out_pps, &r.ndr_loss);
	r.gen_limited = (nr.found && nr.rate == hi && o.max_rate == 0) || sx.short_trials > 0;

	np.loss_threshold = 0.005;
	/* PDR >= NDR: search above it only. */
	if (nr.found)
		np.lo = nr.rate;
	first = r.n_points;
	sx.label = "PDR";
	struct ndr_result pr;
	if (ndr_search(&np, search_trial, &sx, &pr) != 0)
		bench_fail("the PDR search failed");
	r.pdr_found = pr.found;
	best(&pr, &r, first, &r.pdr_in_pps, &r.pdr_out_pps, &r.pdr_loss);
	if (nr.found && (!pr.found || r.pdr_out_pps < r.ndr_out_pps)) {
		/* The NDR trial lost nothing, within PDR's 0.5 %: PDR is at
		 * least that (a noisy retrial at the same rate lost more). */
		r.pdr_found = true;
		r.pdr_in_pps = r.ndr_in_pps, r.pdr_out_pps = r.ndr_out_pps, r.pdr_loss = 0;
	}

	if (nr.found) {
		struct run_trial lt = { .rate = 0.8 * nr.rate, .seconds = o.trial_s, .lat = &r.lat };
		sx.label = "latency";
		bench_progress_begin("latency at 80%% of NDR, %.0f inputs/s", lt.rate);
		run_trial(&st, &lt, progress, &sx);
		record(&sx, &lt);
		r.lat_rate_in_pps = (double)lt.offered / lt.elapsed;
		bench_progress_end("p50 %.1f us, p99 %.1f us, loss %.4f%%",
				   hist_percentile(&r.lat, 50) / 1e3, hist_percentile(&r.lat, 99) / 1e3,
				   lt.loss * 100);
	}
report:
	for (unsigned i = 0; i < st.n_subs; i++) {
		r.decrypted += st.subs[i].decrypted;
		r.decrypt_fail += st.subs[i].decrypt_fail;
		r.payload_bad += st.subs[i].payload_bad;
		r.gaps += st.subs[i].total.gaps;
		r.duplicates += st.subs[i].total.duplicates;
	}
	teardown_at_exit();
	bench_progress_close();

	char path[1024];
	if (o.out == NULL) {
		snprintf(path, sizeof(path), "%s-run.json", sc.name);
		o.out = path;
	}
	FILE *f = fopen(o.out, "w");
	if (f == NULL)
		bench_fail("cannot write %s: %s", o.out, strerror(errno));
	run_report_json_file(&r, f);
	if (fclose(f) != 0)
		bench_fail("cannot write %s", o.out);
	if (o.plots != NULL && run_report_svg(&r, o.plots) != 0)
		bench_fail("cannot write the plots in %s", o.plots);
	if (o.json)
		run_report_json_line(&r, stdout);
	else
		run_report_table(&r, stdout);
	bool ok = r.wrong == 0 && r.decrypt_fail == 0 && r.payload_bad == 0;
	if (r.fixed && (r.fixed_loss > 0 || r.fixed_received != r.fixed_expected || r.gaps != 0 ||
			r.decrypted == 0))
		ok = false;
	return ok ? 0 : 1;
}
