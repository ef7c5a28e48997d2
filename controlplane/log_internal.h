/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What log.c offers audit.c, and no other file includes.  The audit log
 * writes through log.c's state rather than its own, so that one lock
 * orders every line, cp_log_set_clocks stamps both kinds, and
 * cp_log_get_stats counts both; this keeps that state static in log.c.
 */
#ifndef STRATA_CP_LOG_INTERNAL_H
#define STRATA_CP_LOG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* The log's CLOCK_REALTIME in milliseconds, or the clock a test set with
 * cp_log_set_clocks. */
uint64_t cp_log_realtime_ms(void);

/* Writes one audit line, text[0..len) (its newline included), to the
 * audit sink under the log's lock with a single write(2), and counts it in
 * audit_written, or in audit_errors when the write fails or text is NULL
 * (the line could not be built). */
void cp_log_write_audit(const char *text, size_t len);

#endif /* STRATA_CP_LOG_INTERNAL_H */
