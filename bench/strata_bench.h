/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The subcommands of strata-bench.  Each is a main of its own: argv[0] is
 * the subcommand's name, options follow; it returns the exit status.  To add
 * one, declare its main here and give it a row in strata_bench.c's table.
 */
#ifndef STRATA_BENCH_H
#define STRATA_BENCH_H

int bench_crypto_main(int argc, char **argv);
/* Only when DPDK was found (meson defines STRATA_BENCH_FWD). */
int bench_fwd_main(int argc, char **argv);
/* strata-bench run (run_main.c), also only with DPDK. */
int bench_run_main(int argc, char **argv);
int bench_joins_main(int argc, char **argv);

#endif /* STRATA_BENCH_H */
