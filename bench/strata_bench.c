/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench: Strata's benchmarks, one subcommand each.
 *
 *   strata-bench help              lists the subcommands
 *   strata-bench help SUBCOMMAND   its options (same as SUBCOMMAND --help)
 *   strata-bench SUBCOMMAND [OPTIONS]
 */
#include <stdio.h>
#include <string.h>

#include "strata_bench.h"

struct subcommand {
	const char *name;
	const char *usage;   /* the options, after "strata-bench NAME" */
	const char *summary; /* one line: what it measures */
	int (*main)(int argc, char **argv);
};

static const struct subcommand subcommands[] = {
	{ "crypto",
	  "[--profile NAME] [--size N] [--burst N] [--duration S | --quick] [--core N] [--json]",
	  "SRTP protect/unprotect rate on one core: Strata vs libsrtp2 vs raw ipsec-mb",
	  bench_crypto_main },
	{ "joins",
	  "[--joins N] [--handshakes N] [--concurrency N] [--rounds N] [--core N] [--quick] "
	  "[--cp PATH] [--fake-dp PATH] [--json]",
	  "strata-cp's joins (TLS + token + room + leg) per core-second vs raw TLS handshakes",
	  bench_joins_main },
#ifdef STRATA_BENCH_FWD
	{ "fwd",
	  "[--profile NAME] [--size N] [--fanout N] [--duration S | --quick] [--core N] "
	  "[--codec vp8|h264] [--sw-checksum] [--mbuf-cache N] [--no-ceiling] [--json]",
	  "strata-dp's forwarding path on one core (decrypt once, encrypt per receiver) vs "
	  "raw ipsec-mb",
	  bench_fwd_main },
	{ "run",
	  "SCENARIO.conf --direct [--shm NAME] [--memif PATH] [--mac MAC] [--dp-mac MAC] "
	  "[--dp-ip IP] [--client-ip IP] [--core N] [--trial S] [--max-rate PPS] [--sample N] "
	  "[--takeover] [--no-ceiling] [--out FILE] [--plots DIR] [--json]",
	  "a scenario through a running strata-dp over net_memif: NDR, PDR, latency, "
	  "against the crypto-only ceiling",
	  bench_run_main },
#endif
};

#define SUBCOMMAND_COUNT (sizeof(subcommands) / sizeof(subcommands[0]))

static const struct subcommand *find(const char *name)
{
	for (size_t i = 0; i < SUBCOMMAND_COUNT; i++)
		if (strcmp(subcommands[i].name, name) == 0)
			return &subcommands[i];
	return NULL;
}

static void list(FILE *f)
{
	fprintf(f, "usage: strata-bench SUBCOMMAND [OPTIONS]\n"
		   "       strata-bench help [SUBCOMMAND]\n\nsubcommands:\n");
	for (size_t i = 0; i < SUBCOMMAND_COUNT; i++)
		fprintf(f, "  %-8s %s\n           strata-bench %s %s\n", subcommands[i].name,
			subcommands[i].summary, subcommands[i].name, subcommands[i].usage);
	fprintf(f, "\n'strata-bench SUBCOMMAND --help' explains its options.\n");
}

int main(int argc, char **argv)
{
	const struct subcommand *sc;

	if (argc < 2) {
		list(stderr);
		return 2;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		if (argc < 3) {
			list(stdout);
			return 0;
		}
		if ((sc = find(argv[2])) == NULL) {
			fprintf(stderr, "strata-bench: no subcommand '%s'\n", argv[2]);
			return 2;
		}
		char *help_argv[] = { argv[2], "--help", NULL };
		return sc->main(2, help_argv);
	}
	if ((sc = find(argv[1])) == NULL) {
		fprintf(stderr, "strata-bench: no subcommand '%s'; 'strata-bench help' lists them\n",
			argv[1]);
		return 2;
	}
	return sc->main(argc - 1, argv + 1);
}
