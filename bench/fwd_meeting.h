/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench fwd --mix meeting (fwd_meeting.c): VP9 L3T3 video and Opus
 * audio to receivers at mixed layer targets.
 */
#ifndef STRATA_FWD_MEETING_H
#define STRATA_FWD_MEETING_H

#include <stdbool.h>
#include <stdint.h>

#include "fwd_bench.h"

/* The capture the video publisher replays; *mean_payload is the mix's
 * mean RTP payload, video and audio (the "size" of its results). */
void fwd_meeting_load(const char *capture_path, unsigned *mean_payload);
/* Adds one meeting's legs, subscriptions and streams per profile. */
void fwd_meeting_limits(unsigned fanout, unsigned nprofiles, struct fwd_setup_params *sp);
/* Creates a meeting of `fanout` receivers and measures it, forwarding
 * against the ceiling (res), adding its bursts to *st; bench_fail on any
 * wrong output or unexpected drop. */
void fwd_meeting_cell(struct fwd_ctx *x, const struct strata_srtp_profile *p, unsigned fanout,
		      double duration, bool no_ceiling, bool dd, uint32_t *next_leg, uint32_t *next_stream,
		      uint32_t *next_sub, struct fwd_result *res, struct fwd_stats *st);

#endif /* STRATA_FWD_MEETING_H */
