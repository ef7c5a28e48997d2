/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef STRATA_DP_FANOUT_H
#define STRATA_DP_FANOUT_H

#include "dp.h"

/* Sends an authenticated, decrypted RTP packet of stream `stream_id` to its
 * source's receivers: this worker's directly, other workers' through their
 * fan-out rings.  Takes the mbuf (freed after the outputs are encrypted). */
void dp_fanout(struct dp_worker *w, struct rte_mbuf *m, struct dp_stream *st, uint32_t stream_id);

/* A share of an input from another worker: this worker's receivers only. */
void dp_fanout_share(struct dp_worker *w, struct rte_mbuf *m);

/* Encrypts the collected outputs in one burst, transmits them and frees
 * the inputs they were made from. */
void dp_fanout_flush(struct dp_worker *w);

#endif /* STRATA_DP_FANOUT_H */
