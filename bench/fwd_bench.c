/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench fwd: strata-dp's forwarding path on one worker core, against
 * the crypto-only ceiling of the same work.
 *
 * How a number is made: for one (profile, payload size, fan-out) the
 * forwarding and the ceiling take turns in short slices (who goes first
 * alternates), each burst is timed by itself and the timed parts are
 * summed; bursts the scheduler cut into are left out (struct lane); the
 * cell's rate is the median of its slices.  After every forwarding slice
 * the worker's counters must show every input forwarded to every receiver
 * and nothing dropped, or the run stops.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "bench_report.h"
#include "fwd_bench.h"
#include "fwd_meeting.h"
#include "strata_bench.h"

#define QUICK_DURATION 0.05

enum { LANE_FWD, LANE_CEILING, LANE_COUNT };

static struct fwd_result results[STRATA_SRTP_PROFILE_COUNT][FWD_MAX_LIST][FWD_MAX_LIST];
static struct fwd_stats stats;
static volatile sig_atomic_t interrupted;

/* Ctrl-C stops between bursts, so that the exit handlers remove EAL's
 * runtime directory and the shared-memory segment. */
static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void usage(FILE *f)
{
	struct dp_config defaults;

	dp_config_defaults(&defaults);
	fprintf(f,
"usage: strata-bench fwd [OPTIONS]\n"
"\n"
"strata-dp's forwarding path on one worker core, in this process: DPDK's EAL,\n"
"a net_null port (its TX frees what it is given), strata-dp's tables, one\n"
"worker, and legs, a stream and subscriptions made with real LEG_ADD,\n"
"STREAM_ADD and SUB_ADD commands -- one publisher and F receivers, each with\n"
"its own random keys.  The publishing client sends a VP8 video stream (frames\n"
"of %d packets, three temporal layers; every receiver takes them all).\n"
"\n"
"Timed, per burst of %d inputs: dp_worker_rx() and dp_fanout_flush() --\n"
"classify, leg lookup, one unprotect burst, per receiver select and rewrite,\n"
"assembled protect into a fresh mbuf, TX burst.  Untimed (the NIC): mbufs\n"
"from the pool, Ethernet/IPv4/UDP frames with the client's SRTP packets, and\n"
"RX checksum flags as a NIC with checksum offload sets them.\n"
"Ceiling: raw intel-ipsec-mb doing the same crypto (1 decrypt and F encrypts\n"
"per input, the engine's jobs, burst sizes and the legs' own keys), nothing\n"
"else.  The two take turns in %d slices per cell; each rate is the median\n"
"slice.  Bursts during which the thread lost its core (over %d us and 2x\n"
"slower than the lane's best) are left out and counted in the report.\n"
"After every slice every input must have gone to every receiver, with no\n"
"drop of any reason; the first outputs of each group are decrypted and\n"
"checked as the receivers would.  Any failure aborts (exit status 1).\n"
"\n"
"options:\n"
"  --profile NAME  only this profile (publisher and receivers), e.g.\n"
"                  AES_CM_128_HMAC_SHA1_80 or AEAD_AES_128_GCM (default: both)\n"
"  --size N        only this RTP payload size, %d..%d bytes (default: 200, 1200)\n"
"  --fanout N      only this many receivers, 1..%d (default: 1, 10, 100)\n"
"  --duration S    seconds per cell and lane, fractions allowed (default 0.5),\n"
"                  after a warm-up of a tenth of that (at most 0.1 s)\n"
"  --quick         the same as --duration %g: a smoke run, rough numbers\n"
"  --core N        the worker's core (default: the last this process may use)\n"
"  --codec NAME    vp8 (default) or h264: no payload descriptor to rewrite\n"
"  --mix meeting   a meeting instead (fwd_meeting.c): Chromium's VP9 L3T3 capture\n"
"                  (dependency descriptor negotiated) and Opus audio from two\n"
"                  publishers, one audio packet per three video packets, to F\n"
"                  receivers at mixed layer targets (S2T2 down to S0T0); out\n"
"                  counts what the receivers get, the ceiling does the same\n"
"                  crypto (per input a decrypt and as many encrypts as\n"
"                  receivers got it); size is the mix's mean RTP payload;\n"
"                  results carry \"mix\":\"meeting\" (default: fan-out 10).\n"
"                  Each receiver also sends SRTCP on the media's clock: an\n"
"                  RR every ~1 s, a PLI every 2-3 s, a NACK for 1 %% of the\n"
"                  video packets it gets (4 in 5 answered from the cache, as\n"
"                  RTX for 3 receivers in 4; 1 in 5 too old for it); the\n"
"                  retransmissions are outputs, the ceiling decrypts the\n"
"                  SRTCP and encrypts them; JSON adds in_pps, rtcp_in_pps\n"
"                  and rtx_out_pps\n"
"  --mix meeting-vp9  the same without the dependency descriptor: layers\n"
"                  chosen by VP9's payload descriptor (\"mix\":\"meeting-vp9\")\n"
"  --capture PATH  the VP9 capture of --mix meeting (default: the tree's\n"
"                  tests/data/vp9/l3t3.rtp)\n"
"  --sw-checksum   checksums in software: unflagged inputs are verified and\n"
"                  outputs summed by the worker (default: as with a NIC that\n"
"                  offloads them; net_null has no offloads, so the bench sets\n"
"                  the port's flag and net_null ignores the mbufs' flags)\n"
"  --mbuf-cache N  the mbuf pool's per-lcore cache, 0..%d (default: strata-dp's\n"
"                  dataplane.pool.mbuf_cache, %u; the pool has its %u mbufs)\n"
"  --no-ceiling    forwarding only, no ceiling (and no ratio): for profiling,\n"
"                  e.g. perf record -g -- strata-bench fwd --no-ceiling ...\n"
"  --json          print only JSON on stdout:\n"
"                  {\"machine\":{...}, \"memory\":{leg_bytes, subscription_bytes,\n"
"                   stream_bytes, mbuf_bytes}, \"results\":[{profile, size,\n"
"                   fanout, out_pps, ceiling_out_pps, ratio}, ...]}\n"
"  --help          this text\n"
"Progress goes to stderr; the table (or the JSON) to stdout.\n",
		FWD_FRAME_PACKETS, FWD_BURST, FWD_SLICES, FWD_DISTURBED_US, FWD_MIN_SIZE, FWD_MAX_SIZE,
		FWD_MAX_FANOUT, QUICK_DURATION, RTE_MEMPOOL_CACHE_MAX_SIZE, defaults.pool.mbuf_cache,
		defaults.pool.mbufs);
}

static unsigned parse_uint(const char *opt, const char *s, unsigned lo, unsigned hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-' || v < lo || v > hi)
		bench_fail("%s wants a whole number from %u to %u, not '%s'", opt, lo, hi, s);
	return (unsigned)v;
}

static void parse_options(int argc, char **argv, struct fwd_options *o)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "fanout", required_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' },
		{ "quick", no_argument, NULL, 'q' },
		{ "core", required_argument, NULL, 'c' },
		{ "codec", required_argument, NULL, 'k' },
		{ "mix", required_argument, NULL, 'M' },
		{ "capture", required_argument, NULL, 'C' },
		{ "sw-checksum", no_argument, NULL, 'S' },
		{ "no-ceiling", no_argument, NULL, 'N' },
		{ "mbuf-cache", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;
	bool fanout_set = false;

	*o = (struct fwd_options){
		.profiles = { strata_srtp_profile_get(STRATA_SRTP_AES_CM_128_HMAC_SHA1_80),
			      strata_srtp_profile_get(STRATA_SRTP_AEAD_AES_128_GCM) },
		.nprofiles = 2, .sizes = { 200, 1200 }, .nsizes = 2,
		.fanouts = { 1, 10, 100 }, .nfanouts = 3, .duration = 0.5, .core = -1,
		.mbuf_cache = -1,
	};
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			if ((o->profiles[0] = strata_srtp_profile_by_name(optarg)) == NULL)
				bench_fail("unknown profile '%s' (see --help)", optarg);
			o->nprofiles = 1;
			break;
		case 's':
			o->sizes[0] = parse_uint("--size", optarg, FWD_MIN_SIZE, FWD_MAX_SIZE);
			o->nsizes = 1;
			break;
		case 'f':
			o->fanouts[0] = parse_uint("--fanout", optarg, 1, FWD_MAX_FANOUT);
			o->nfanouts = 1;
			fanout_set = true;
			break;
		case 'd':
			errno = 0;
			o->duration = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' || !(o->duration > 0) ||
			    o->duration > 3600)
				bench_fail("--duration wants seconds above 0 (at most 3600), not '%s'",
					   optarg);
			break;
		case 'q':
			o->duration = QUICK_DURATION;
			break;
		case 'c':
			o->core = (int)parse_uint("--core", optarg, 0, CPU_SETSIZE - 1);
			break;
		case 'k':
			if (strcmp(optarg, "vp8") == 0)
				o->codec = FWD_CODEC_VP8;
			else if (strcmp(optarg, "h264") == 0)
				o->codec = FWD_CODEC_H264;
			else
				bench_fail("--codec is vp8 or h264, not '%s'", optarg);
			break;
		case 'M':
			if (strcmp(optarg, "meeting") == 0)
				o->meeting = o->meeting_dd = true;
			else if (strcmp(optarg, "meeting-vp9") == 0)
				o->meeting = true;
			else if (strcmp(optarg, "uniform") != 0)
				bench_fail("--mix is meeting, meeting-vp9 or uniform, not '%s'", optarg);
			break;
		case 'C':
			o->capture = optarg;
			break;
		case 'S':
			o->sw_checksum = true;
			break;
		case 'N':
			o->no_ceiling = true;
			break;
		case 'm':
			o->mbuf_cache = (int)parse_uint("--mbuf-cache", optarg, 0,
							RTE_MEMPOOL_CACHE_MAX_SIZE);
			break;
		case 'j':
			o->json = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc)
		bench_fail("unexpected argument '%s' (see --help)", argv[optind]);
	if (o->meeting) {
		/* One mix: the capture's sizes, fan-out 10 unless asked. */
		if (!fanout_set) {
			o->fanouts[0] = 10;
			o->nfanouts = 1;
		}
		if (o->capture == NULL)
			o->capture = FWD_MEETING_CAPTURE;
		o->nsizes = 1;
	}
}

/* The core asked for, or the last one this process may run on. */
static unsigned choose_core(int want)
{
	cpu_set_t allowed;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		bench_fail("sched_getaffinity: %s", strerror(errno));
	if (want >= 0) {
		if (!CPU_ISSET(want, &allowed))
			bench_fail("core %d is not one this process may run on", want);
		return (unsigned)want;
	}
	for (int c = CPU_SETSIZE - 1; c >= 0; c--)
		if (CPU_ISSET(c, &allowed))
			return (unsigned)c;
	bench_fail("no core to run on");
}

/*
 * One lane's progress through a cell.  The cores are shared: another thread
 * may take ours in the middle of a timed burst, which then counts
 * milliseconds for microseconds of work.  A burst slower than the lane's
 * fastest by more than FWD_DISTURBED_US and by more than that fastest burst's
 * own time was descheduled: it is left out, packets and time alike, and
 * counted (crypto_bench.c does the same).
 */
struct lane {
	uint64_t best, bursts, disturbed;
};

struct cell {
	struct fwd_ctx *x;
	struct fwd_group *g;
	struct fwd_ceiling *ceiling;
};

static uint64_t lane_burst(struct cell *c, unsigned lane)
{
	return lane == LANE_FWD ? fwd_traffic_burst(c->x, c->g) : fwd_ceiling_burst(c->ceiling);
}

/* Bursts of one lane for `seconds` (and on until one counts); returns
 * outputs per second of the counted bursts' timed parts. */
static double run_slice(struct cell *c, unsigned lane, struct lane *l, double seconds)
{
	uint64_t min_excess = (uint64_t)(bench_tsc_hz() * FWD_DISTURBED_US / 1e6);
	uint64_t ticks = 0, inputs = 0, all_inputs = 0;
	struct dp_counters before = c->x->w->c;
	unsigned in_use = rte_mempool_in_use_count(c->x->dp.pool);
	struct bench_clock clk;

	bench_clock_start(&clk);
	do {
		uint64_t t = lane_burst(c, lane);

		all_inputs += FWD_BURST;
		l->bursts++;
		if (t < l->best)
			l->best = t;
		if (t - l->best > min_excess && t - l->best > l->best) {
			l->disturbed++;
			continue;
		}
		ticks += t;
		inputs += FWD_BURST;
	} while ((bench_clock_elapsed(&clk) < seconds || inputs == 0) && !interrupted);
	if (interrupted)
		bench_fail("interrupted");
	if (lane == LANE_FWD) {
		fwd_traffic_drain(c->x);
		fwd_traffic_check(c->x, c->g, &before, all_inputs, in_use);
	}
	return (double)inputs * c->g->fanout * bench_tsc_hz() / (double)ticks;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void run_cell(struct fwd_ctx *x, struct fwd_group *g, unsigned size, double duration,
		     bool no_ceiling, struct fwd_result *res)
{
	unsigned n_lanes = no_ceiling ? 1 : LANE_COUNT;
	struct cell c = { .x = x, .g = g };
	struct lane lanes[LANE_COUNT];
	double slices[LANE_COUNT][FWD_SLICES];
	double warmup = duration / 10 < 0.1 ? duration / 10 : 0.1;

	fwd_traffic_size(x, size);
	if (!g->verified)
		fwd_traffic_verify(x, g);
	c.ceiling = no_ceiling ? NULL : fwd_ceiling_open(x, g);
	for (unsigned e = 0; e < n_lanes; e++) {
		lanes[e] = (struct lane){ .best = UINT64_MAX };
		run_slice(&c, e, &lanes[e], warmup);
		lanes[e].bursts = lanes[e].disturbed = 0;
	}
	for (unsigned r = 0; r < FWD_SLICES; r++) {
		for (unsigned k = 0; k < n_lanes; k++) {
			unsigned e = (r + k) % n_lanes;

			slices[e][r] = run_slice(&c, e, &lanes[e], duration / FWD_SLICES);
		}
		bench_progress_update("slice %u/%u: out %.2f | ceiling %.2f Mpps", r + 1, FWD_SLICES,
				      slices[LANE_FWD][r] / 1e6,
				      no_ceiling ? 0 : slices[LANE_CEILING][r] / 1e6);
	}
	if (c.ceiling != NULL)
		fwd_ceiling_close(c.ceiling);
	for (unsigned e = 0; e < n_lanes; e++) {
		stats.bursts += lanes[e].bursts;
		stats.disturbed += lanes[e].disturbed;
	}
	res->out_pps = median(slices[LANE_FWD], FWD_SLICES);
	res->ceiling_out_pps = no_ceiling ? NAN : median(slices[LANE_CEILING], FWD_SLICES);
}

/* --mix meeting: one meeting per profile and fan-out (fwd_meeting.c). */
static int meeting_main(struct fwd_options *o, struct fwd_ctx *x, const char *cpu)
{
	uint32_t next_leg = 1, next_stream = 1, next_sub = 1;

	bench_progress_init(o->nprofiles * o->nfanouts);
	for (unsigned p = 0; p < o->nprofiles; p++)
		for (unsigned f = 0; f < o->nfanouts; f++) {
			struct fwd_result *r = &results[p][0][f];

			bench_progress_begin("meeting %s fan-out %u", o->profiles[p]->name,
					     o->fanouts[f]);
			fwd_meeting_cell(x, o->profiles[p], o->fanouts[f], o->duration, o->no_ceiling,
					 o->meeting_dd, &next_leg, &next_stream, &next_sub, r, &stats);
			bench_progress_end("out %.2f | ceiling %.2f Mpps | ratio %.2f",
					   r->out_pps / 1e6, r->ceiling_out_pps / 1e6, fwd_ratio(r));
		}
	bench_progress_close();
	if (o->json)
		fwd_report_json(o, x, cpu, &stats, &results[0][0][0]);
	else
		fwd_report_table(o, x, cpu, &stats, &results[0][0][0]);
	fwd_teardown(x);
	srtp_shutdown();
	return 0;
}

int bench_fwd_main(int argc, char **argv)
{
	static struct fwd_ctx x;
	struct fwd_options o;
	struct fwd_group *groups[STRATA_SRTP_PROFILE_COUNT][FWD_MAX_LIST];
	char cpu[256];

	bench_set_name("strata-bench fwd");
	parse_options(argc, argv, &o);
	bench_cpu_model(cpu, sizeof(cpu));
	if (srtp_init() != srtp_err_status_ok)
		bench_fail("srtp_init failed");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	struct fwd_setup_params sp = {
		.core = choose_core(o.core), .sw_checksum = o.sw_checksum, .codec = o.codec,
		.mbuf_cache = o.mbuf_cache,
	};
	for (unsigned f = 0; f < o.nfanouts; f++) {
		if (o.meeting) {
			fwd_meeting_limits(o.fanouts[f], o.nprofiles, &sp);
			continue;
		}
		sp.max_legs += o.nprofiles * (1 + o.fanouts[f]);
		sp.max_subs += o.nprofiles * o.fanouts[f];
		sp.max_streams += o.nprofiles;
	}
	if (o.meeting)
		fwd_meeting_load(o.capture, &o.sizes[0]);
	fwd_setup(&x, &sp);
	if (o.meeting)
		return meeting_main(&o, &x, cpu);

	uint32_t next_leg = 1, next_stream = 1, next_sub = 1;
	for (unsigned p = 0; p < o.nprofiles; p++)
		for (unsigned f = 0; f < o.nfanouts; f++) {
			struct fwd_group *g = aligned_alloc(64, (sizeof(*g) + 63) & ~(size_t)63);

			if (g == NULL)
				bench_fail("out of memory");
			memset(g, 0, sizeof(*g));
			g->profile = o.profiles[p];
			g->fanout = o.fanouts[f];
			fwd_group_create(&x, g, &next_leg, &next_stream, &next_sub);
			groups[p][f] = g;
		}

	bench_progress_init(o.nprofiles * o.nsizes * o.nfanouts);
	for (unsigned p = 0; p < o.nprofiles; p++)
		for (unsigned s = 0; s < o.nsizes; s++)
			for (unsigned f = 0; f < o.nfanouts; f++) {
				struct fwd_result *r = &results[p][s][f];

				bench_progress_begin("%s %u B fan-out %u", o.profiles[p]->name,
						     o.sizes[s], o.fanouts[f]);
				run_cell(&x, groups[p][f], o.sizes[s], o.duration, o.no_ceiling, r);
				bench_progress_end("out %.2f | ceiling %.2f Mpps | ratio %.2f",
						   r->out_pps / 1e6, r->ceiling_out_pps / 1e6,
						   fwd_ratio(r));
			}
	bench_progress_close();

	if (o.json)
		fwd_report_json(&o, &x, cpu, &stats, &results[0][0][0]);
	else
		fwd_report_table(&o, &x, cpu, &stats, &results[0][0][0]);

	for (unsigned p = 0; p < o.nprofiles; p++)
		for (unsigned f = 0; f < o.nfanouts; f++)
			fwd_group_free(groups[p][f]);
	fwd_teardown(&x);
	srtp_shutdown();
	return 0;
}
