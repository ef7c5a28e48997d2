/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every libFuzzer target here checks beyond "no crash": a property of
 * the parser's output that must hold for any input.  A broken one aborts,
 * which libFuzzer reports as a crash with the input that broke it.
 */
#ifndef STRATA_FUZZ_INVARIANT_H
#define STRATA_FUZZ_INVARIANT_H

#include <stdio.h>
#include <stdlib.h>

#define INVARIANT(cond)                                                        \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "invariant broken at %s:%d: %s\n",     \
				__FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

#endif /* STRATA_FUZZ_INVARIANT_H */
