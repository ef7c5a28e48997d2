/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay windows and rollover counters (RFC 3711 sections 3.3.1, 3.3.2 and
 * appendix A) as tables, in the manner of libsrtp's rdbx_driver and
 * roc_driver and of WireGuard's numbered counter selftest: each row is a
 * packet index to present, the status the receiver must answer, and the
 * highest index it must hold afterwards (whose top 32 bits are the ROC).
 *
 * The tables are data; a driver runs them: test_srtp_replay_window on the
 * bare window functions, test_srtp_replay_stream end to end through
 * strata_srtp_unprotect.
 */
#ifndef STRATA_REPLAY_TABLES_H
#define STRATA_REPLAY_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srtp.h"
#include "test_util.h"

#define RX_WORDS ARRAY_LEN(((struct strata_srtp_rx *)0)->rtp_bits)
#define RTCP_WORDS ARRAY_LEN(((struct strata_srtp_rx *)0)->rtcp_bits)
/* Indices one lap of the bitmap ring apart share a bit. */
#define RING ((uint64_t)RX_WORDS * 64)
#define RTCP_RING ((uint64_t)RTCP_WORDS * 64)

/* The window sizes at both ends of what a policy may ask for, and two in
 * between. */
extern const uint16_t windows[4];

struct row {
	uint64_t index; /* the sender's: ROC << 16 | SEQ (SRTCP: the index itself) */
	int status;     /* what the receiver must answer */
	uint64_t top;   /* the receiver's highest index afterwards */
};

struct table {
	const char *name;
	/* The receiver had already accepted `start`, as after libsrtp's
	 * srtp_set_stream_roc(): how a table begins at a ROC of 2^32 - 1. */
	bool started;
	uint64_t start;
	const struct row *rows;
	size_t n;
};

typedef void table_fn(const struct table *t, void *ctx);

/* Every SRTP table for a window of W packets: the hand-written ones, two
 * sweeps of a whole lap of the bitmap ring, and each appendix A row. */
void all_srtp_tables(uint64_t W, table_fn *run, void *ctx);
/* SRTCP carries its index: no estimate, a fixed window of 128. */
void srtcp_tables(table_fn *run, void *ctx);

/* Row i of table t answered st and left the window r: checks both against
 * the row.  `who` starts the failure message. */
void check_row(const char *who, const struct table *t, size_t i, int st,
	       const struct strata_srtp_replay *r);

/*
 * RFC 3711 appendix A, row by row: from the highest index so far (ROC ||
 * s_l) and a SEQ, the estimate; then what the whole receive path (estimate,
 * window, accept) makes of it when only `top` was received before.
 */
struct estimate_row {
	bool started;
	uint64_t top;   /* ROC || s_l */
	uint16_t seq;
	int est;        /* strata_srtp_estimate_index's answer */
	uint64_t index; /* and its estimate, when OK */
	int status;     /* the receive path's answer */
	uint64_t after; /* the highest index afterwards */
};

extern const struct estimate_row estimates[];
extern const size_t n_estimates;

#endif /* STRATA_REPLAY_TABLES_H */
