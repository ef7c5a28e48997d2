/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench crypto: SRTP protect and unprotect rates on one core, with
 * Strata's engine, libsrtp2 and raw intel-ipsec-mb side by side.
 *
 * How a number is made (see run_row and struct lane): the three engines of
 * one (profile, op, size) take turns in short slices, each burst is timed
 * by itself and the timed parts are summed; bursts the scheduler cut into
 * are left out; a cell's rate is the median of its slices.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "bench_report.h"
#include "crypto_bench.h"
#include "strata_bench.h"

#define DEFAULT_SIZES { 100, 200, 1200 }
#define MAX_SIZES 3
#define MAX_PAYLOAD 8192u
#define POOL_PACKETS 256u    /* packets per pool, rounded up to whole bursts */
#define QUICK_DURATION 0.05
#define ROUNDS 10            /* slices per cell, see run_row */
#define DISTURBED_US 100     /* see struct lane */

struct options {
	const struct strata_srtp_profile *profile; /* NULL: all five */
	unsigned sizes[MAX_SIZES], nsizes;
	unsigned burst;
	double duration;
	int core;                                  /* -1: the last one allowed */
	int json;
};

/* pps of each cell, [engine][profile id][op][size index]. */
static double results[CB_ENGINE_COUNT][STRATA_SRTP_PROFILE_COUNT][CB_OP_COUNT][MAX_SIZES];

static void usage(FILE *f)
{
	fprintf(f,
"usage: strata-bench crypto [OPTIONS]\n"
"\n"
"SRTP protect and unprotect rates (packets per second) on one pinned core,\n"
"side by side, for every profile, both operations and payloads of 100, 200\n"
"and 1200 bytes after a 12-byte RTP header:\n"
"  strata    Strata's engine, bursts of --burst packets; protect writes\n"
"            out of place (plaintext -> separate output buffer)\n"
"  libsrtp2  the system's libsrtp2, one srtp_protect/srtp_unprotect per\n"
"            packet; protect works in place, so its time includes copying\n"
"            the plaintext into the buffer it protects\n"
"  ipsec-mb  the ceiling: the same AES-CTR + HMAC-SHA1 or AES-GCM jobs on\n"
"            the same buffers through the same burst API, no SRTP framing\n"
"Packets carry fresh sequence numbers and rotate through a pool of %u.\n"
"Unprotect: each burst is first protected, untimed; only unprotect is timed.\n"
"A cell (engine, profile, op, size) runs --duration seconds in %u slices,\n"
"taking turns with the other two engines; its rate is the median slice.\n"
"Bursts during which the thread lost its core (slower than the cell's\n"
"fastest by over %d us and over 2x) are left out and counted in the report.\n"
"Every operation is checked; one failure aborts the run (exit status 1).\n"
"\n"
"options:\n"
"  --profile NAME  only this profile: AES_CM_128_HMAC_SHA1_80,\n"
"                  AES_CM_128_HMAC_SHA1_32, AES_256_CM_HMAC_SHA1_80,\n"
"                  AEAD_AES_128_GCM or AEAD_AES_256_GCM (default: all)\n"
"  --size N        only this payload size, 1..%u bytes (default: 100, 200, 1200)\n"
"  --burst N       packets per Strata and ipsec-mb burst, 1..%u (default 32)\n"
"  --duration S    seconds measured per cell, fractions allowed (default 0.5),\n"
"                  after a warm-up of a tenth of that (at most 0.1 s)\n"
"  --quick         the same as --duration %g: a smoke run, rough numbers\n"
"  --core N        pin to core N (default: the last core this process may use)\n"
"  --json          print only JSON on stdout:\n"
"                  {\"machine\":{cpu, ipsec_mb, arch, libsrtp2, core, burst,\n"
"                   duration, slices, bursts, disturbed_pct},\n"
"                   \"results\":[{engine, profile, op, size, pps}, ...]}\n"
"  --help          this text\n"
"Progress goes to stderr; the table (or the JSON) to stdout.\n",
		POOL_PACKETS, ROUNDS, DISTURBED_US, MAX_PAYLOAD, IMB_MAX_BURST_SIZE, QUICK_DURATION);
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

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "burst", required_argument, NULL, 'b' },
		{ "duration", required_argument, NULL, 'd' },
		{ "quick", no_argument, NULL, 'q' },
		{ "core", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const unsigned default_sizes[] = DEFAULT_SIZES;
	char *end;
	int ch;

	*o = (struct options){ .burst = 32, .duration = 0.5, .core = -1 };
	memcpy(o->sizes, default_sizes, sizeof(default_sizes));
	o->nsizes = MAX_SIZES;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			if ((o->profile = strata_srtp_profile_by_name(optarg)) == NULL)
				bench_fail("unknown profile '%s' (see --help)", optarg);
			break;
		case 's':
			o->sizes[0] = parse_uint("--size", optarg, 1, MAX_PAYLOAD);
			o->nsizes = 1;
			break;
		case 'b':
			o->burst = parse_uint("--burst", optarg, 1, IMB_MAX_BURST_SIZE);
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
			o->core = (int)parse_uint("--core", optarg, 0, 4095);
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
}

/* Plaintext RTP packets: version 2, PT 96, the bench's SSRC, a payload of
 * arbitrary bytes (the cipher does not care, but zeroes could be special-
 * cased by somebody some day). */
static void fill_pool(struct cb_cell *c)
{
	uint32_t x = 0x9e3779b9u;

	for (unsigned s = 0; s < c->pool; s++) {
		uint8_t *p = c->src + (size_t)s * c->src_stride;

		p[0] = 0x80;
		p[1] = 96;
		p[2] = p[3] = 0;
		p[4] = (uint8_t)(s >> 8);
		p[5] = (uint8_t)s;
		p[6] = p[7] = 0;
		p[8] = (uint8_t)(CB_SSRC >> 24);
		p[9] = (uint8_t)(CB_SSRC >> 16);
		p[10] = (uint8_t)(CB_SSRC >> 8);
		p[11] = (uint8_t)CB_SSRC;
		for (unsigned i = CB_HDR_LEN; i < c->len; i++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* xorshift32 */
			p[i] = (uint8_t)x;
		}
	}
}

static size_t round64(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

/* Room after a packet: libsrtp2 may write SRTP_MAX_TRAILER_LEN (tag and
 * MKI), more than Strata's STRATA_SRTP_MAX_TRAILER. */
#define OUT_ROOM (SRTP_MAX_TRAILER_LEN > STRATA_SRTP_MAX_TRAILER ? SRTP_MAX_TRAILER_LEN \
								 : STRATA_SRTP_MAX_TRAILER)

static void set_size(struct cb_cell *c, unsigned payload)
{
	c->len = CB_HDR_LEN + payload;
	c->src_stride = round64(c->len);
	c->out_stride = round64(c->len + OUT_ROOM);
	fill_pool(c);
}

/*
 * One engine's progress through a row.
 *
 * The cores are shared: another thread may take ours for a scheduler tick
 * or more in the middle of a timed burst, which then counts milliseconds
 * for microseconds of work and swamps the sum.  A burst slower than the
 * fastest burst of its engine in this cell by more than DISTURBED_US, and
 * by more than that fastest burst's own time, was descheduled (interrupts
 * and cache misses cost far less): it is left out, packets and time alike,
 * and counted, and the report says how many there were.
 */
struct lane {
	unsigned slot;      /* next pool slot */
	uint64_t best;      /* ticks of its fastest burst so far */
	uint64_t bursts, disturbed;
};

static uint64_t bursts_total, bursts_disturbed;

/* Runs bursts of engine c->engine_id for `seconds`, and on until one burst
 * counts.  Returns packets per second of the counted bursts' timed parts. */
static double run_slice(struct cb_cell *c, struct lane *l, double seconds)
{
	cb_burst_fn fn = cb_burst_fn_for(c->engine_id, c->op);
	uint64_t min_excess = (uint64_t)(bench_tsc_hz() * DISTURBED_US / 1e6);
	uint64_t ticks = 0, packets = 0;
	struct bench_clock clk;

	bench_clock_start(&clk);
	do {
		uint64_t t = fn(c, l->slot, c->burst);

		l->slot = (l->slot + c->burst) % c->pool;
		l->bursts++;
		if (t < l->best)
			l->best = t;
		if (t - l->best > min_excess && t - l->best > l->best) {
			l->disturbed++;
			continue;
		}
		ticks += t;
		packets += c->burst;
	} while (bench_clock_elapsed(&clk) < seconds || packets == 0);
	return (double)packets * bench_tsc_hz() / (double)ticks;
}

static double disturbed_pct(void)
{
	return bursts_total ? 100.0 * (double)bursts_disturbed / (double)bursts_total : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * One row: the three engines on one (profile, op, size), each for
 * `duration` seconds after a warm-up.  The duration is cut into ROUNDS
 * slices and the engines take turns slice by slice (who goes first
 * rotates), so noise from elsewhere on the machine -- the cores are shared
 * -- falls on all three alike instead of on one engine's whole cell.  Each
 * engine's result is the median of its slices: the slices noise hit
 * hardest do not count.
 */
static void run_row(struct cb_cell *c, double duration, double pps[CB_ENGINE_COUNT])
{
	double slices[CB_ENGINE_COUNT][ROUNDS];
	struct lane lanes[CB_ENGINE_COUNT];
	double warmup = duration / 10 < 0.1 ? duration / 10 : 0.1;

	cb_cell_open(c);
	for (unsigned e = 0; e < CB_ENGINE_COUNT; e++) {
		lanes[e] = (struct lane){ .best = UINT64_MAX };
		c->engine_id = e;
		run_slice(c, &lanes[e], warmup);
		lanes[e].bursts = lanes[e].disturbed = 0;
	}
	for (unsigned r = 0; r < ROUNDS; r++) {
		for (unsigned k = 0; k < CB_ENGINE_COUNT; k++) {
			unsigned e = (r + k) % CB_ENGINE_COUNT;

			c->engine_id = e;
			slices[e][r] = run_slice(c, &lanes[e], duration / ROUNDS);
			bench_progress_update("slice %u/%u: %s %.2f Mpps", r + 1, ROUNDS,
					      cb_engine_names[e], slices[e][r] / 1e6);
		}
	}
	cb_cell_close(c);
	for (unsigned e = 0; e < CB_ENGINE_COUNT; e++) {
		bursts_total += lanes[e].bursts;
		bursts_disturbed += lanes[e].disturbed;
		qsort(slices[e], ROUNDS, sizeof(double), cmp_double);
		pps[e] = ROUNDS % 2 ? slices[e][ROUNDS / 2]
				    : (slices[e][ROUNDS / 2 - 1] + slices[e][ROUNDS / 2]) / 2;
	}
}

static void print_json(const struct options *o, const char *cpu, const char *arch, int core)
{
	struct bench_json j;

	bench_json_init(&j, stdout);
	bench_json_begin_object(&j, NULL);
	bench_json_begin_object(&j, "machine");
	bench_json_string(&j, "cpu", cpu);
	bench_json_string(&j, "ipsec_mb", imb_get_version_str());
	bench_json_string(&j, "arch", arch);
	bench_json_string(&j, "libsrtp2", srtp_get_version_string());
	bench_json_uint(&j, "core", (unsigned)core);
	bench_json_uint(&j, "burst", o->burst);
	bench_json_double(&j, "duration", o->duration);
	bench_json_uint(&j, "slices", ROUNDS);
	bench_json_uint(&j, "bursts", bursts_total);
	bench_json_double(&j, "disturbed_pct", disturbed_pct());
	bench_json_end_object(&j);
	bench_json_begin_array(&j, "results");
	for (int p = 1; p < STRATA_SRTP_PROFILE_COUNT; p++) {
		if (o->profile != NULL && o->profile->id != (enum strata_srtp_profile_id)p)
			continue;
		for (int op = 0; op < CB_OP_COUNT; op++)
			for (unsigned s = 0; s < o->nsizes; s++)
				for (int e = 0; e < CB_ENGINE_COUNT; e++) {
					bench_json_begin_object(&j, NULL);
					bench_json_string(&j, "engine", cb_engine_names[e]);
					bench_json_string(&j, "profile",
							  strata_srtp_profile_get(p)->name);
					bench_json_string(&j, "op", cb_op_names[op]);
					bench_json_uint(&j, "size", o->sizes[s]);
					bench_json_double(&j, "pps", results[e][p][op][s]);
					bench_json_end_object(&j);
				}
	}
	bench_json_end_array(&j);
	bench_json_end_object(&j);
	bench_json_finish(&j);
}

static void print_table(const struct options *o, const char *cpu, const char *arch, int core)
{
	static const char *const headers[] = {
		"profile", "op", "size", "strata Mpps", "libsrtp2 Mpps", "ipsec-mb Mpps",
		"strata/ipsec-mb", "strata/libsrtp2",
	};
	struct bench_table *t = bench_table_new(8, headers, "llrrrrrr");

	for (int p = 1; p < STRATA_SRTP_PROFILE_COUNT; p++) {
		if (o->profile != NULL && o->profile->id != (enum strata_srtp_profile_id)p)
			continue;
		for (int op = 0; op < CB_OP_COUNT; op++)
			for (unsigned s = 0; s < o->nsizes; s++) {
				double st = results[CB_STRATA][p][op][s];
				double lib = results[CB_LIBSRTP][p][op][s];
				double imb = results[CB_IPSECMB][p][op][s];

				bench_table_cell(t, "%s", strata_srtp_profile_get(p)->name);
				bench_table_cell(t, "%s", cb_op_names[op]);
				bench_table_cell(t, "%u B", o->sizes[s]);
				bench_table_cell(t, "%.2f", st / 1e6);
				bench_table_cell(t, "%.2f", lib / 1e6);
				bench_table_cell(t, "%.2f", imb / 1e6);
				bench_table_cell(t, "%.0f %%", imb > 0 ? 100 * st / imb : 0);
				bench_table_cell(t, "%.1fx", lib > 0 ? st / lib : 0);
			}
	}
	printf("strata-bench crypto: %s, ipsec-mb %s (%s), %s, core %d, burst %u, %g s per cell\n\n",
	       cpu, imb_get_version_str(), arch, srtp_get_version_string(), core, o->burst,
	       o->duration);
	bench_table_print(t, stdout);
	printf("\nsize: RTP payload after a 12-byte header.  Mpps: million packets per second\n"
	       "of the timed calls on one core, median of %u slices per cell; higher is better.\n"
	       "libsrtp2 protect includes a memcpy of the plaintext into its buffer (it\n"
	       "protects in place; Strata and ipsec-mb write out of place).\n"
	       "unprotect: each burst is protected untimed first; only unprotect is timed.\n"
	       "ipsec-mb: the same cipher and MAC jobs, same buffers and burst size, no SRTP\n"
	       "framing (no parsing, IV, replay window or tag handling): the ceiling.\n"
	       "Left out as descheduled (over %d us and 2x slower than the cell's best):\n"
	       "%.2f %% of %llu timed bursts.\n",
	       ROUNDS, DISTURBED_US, disturbed_pct(), (unsigned long long)bursts_total);
	bench_table_free(t);
}

int bench_crypto_main(int argc, char **argv)
{
	struct options o;
	char cpu[256];

	bench_set_name("strata-bench crypto");
	parse_options(argc, argv, &o);

	int core = bench_pin_core(o.core);
	if (core < 0) {
		if (o.core >= 0 && errno == ENODEV)
			bench_fail("core %d is not one this process may run on", o.core);
		if (o.core >= 0)
			bench_fail("cannot pin to core %d: %s", o.core, strerror(errno));
		bench_fail("cannot pin to a core: %s", strerror(errno));
	}
	bench_cpu_model(cpu, sizeof(cpu));
	if (srtp_init() != srtp_err_status_ok)
		bench_fail("srtp_init failed");

	struct cb_cell *c = aligned_alloc(64, round64(sizeof(*c)));
	if (c == NULL)
		bench_fail("out of memory");
	memset(c, 0, sizeof(*c));
	if ((c->engine = strata_srtp_engine_create()) == NULL)
		bench_fail("strata_srtp_engine_create failed");
	const char *arch = strata_srtp_engine_arch(c->engine);

	unsigned max_payload = 0;
	for (unsigned s = 0; s < o.nsizes; s++)
		if (o.sizes[s] > max_payload)
			max_payload = o.sizes[s];
	c->burst = o.burst;
	c->pool = (POOL_PACKETS + o.burst - 1) / o.burst * o.burst;
	c->src = aligned_alloc(64, c->pool * round64(CB_HDR_LEN + max_payload));
	c->out = aligned_alloc(64, c->pool * round64(CB_HDR_LEN + max_payload + OUT_ROOM));
	if (c->src == NULL || c->out == NULL)
		bench_fail("out of memory");
	/* The ceiling hashes a header and 4 bytes it never writes: let them
	 * be defined bytes (valgrind). */
	memset(c->src, 0, c->pool * round64(CB_HDR_LEN + max_payload));
	memset(c->out, 0, c->pool * round64(CB_HDR_LEN + max_payload + OUT_ROOM));

	unsigned nprofiles = o.profile ? 1 : STRATA_SRTP_PROFILE_COUNT - 1;
	bench_progress_init(nprofiles * CB_OP_COUNT * o.nsizes);
	for (int p = 1; p < STRATA_SRTP_PROFILE_COUNT; p++) {
		if (o.profile != NULL && o.profile->id != (enum strata_srtp_profile_id)p)
			continue;
		c->profile = strata_srtp_profile_get(p);
		for (int op = 0; op < CB_OP_COUNT; op++) {
			c->op = op;
			for (unsigned s = 0; s < o.nsizes; s++) {
				double pps[CB_ENGINE_COUNT];

				set_size(c, o.sizes[s]);
				bench_progress_begin("%s %s %u B", c->profile->name, cb_op_names[op],
						     o.sizes[s]);
				run_row(c, o.duration, pps);
				for (int e = 0; e < CB_ENGINE_COUNT; e++)
					results[e][p][op][s] = pps[e];
				bench_progress_end("strata %.2f | libsrtp2 %.2f | ipsec-mb %.2f Mpps",
						   pps[CB_STRATA] / 1e6, pps[CB_LIBSRTP] / 1e6,
						   pps[CB_IPSECMB] / 1e6);
			}
		}
	}
	bench_progress_close();

	if (o.json)
		print_json(&o, cpu, arch, core);
	else
		print_table(&o, cpu, arch, core);

	strata_srtp_engine_destroy(c->engine);
	free(c->src);
	free(c->out);
	free(c);
	srtp_shutdown();
	return 0;
}
