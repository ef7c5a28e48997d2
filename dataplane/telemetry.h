/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef STRATA_DP_TELEMETRY_H
#define STRATA_DP_TELEMETRY_H

#include "main_lcore.h"

/*
 * DPDK telemetry commands under /strata/, so dpdk-telemetry.py (and any
 * client of the telemetry socket) reads strata-dp's counters:
 *   /strata/stats      totals; rx = forwarded + punted + replied + dropped + in_flight
 *   /strata/drops      every drop reason's counter, input and output
 *   /strata/workers    per-worker totals
 *   /strata/legs       the leg ids in use
 *   /strata/leg,ID     one leg: addresses, worker, counters
 * Values come from the main lcore's latest snapshot (every
 * timers.stats_interval_ms, and on every STATS command).
 */
void dp_telemetry_register(struct dp_main *mn);
void dp_telemetry_unregister(void);
/* The main lcore publishes a new snapshot. */
void dp_telemetry_publish(const struct dp_counters *sum, const struct strata_event_stats *st,
			  const struct dp_counters *per_worker, unsigned n_workers);

#endif /* STRATA_DP_TELEMETRY_H */
