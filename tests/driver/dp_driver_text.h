/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text forms of the messages for strata-dp-driver and test doubles:
 * commands parsed from "NAME key=value ..." words and printed back in the
 * same words (as JSON), events and punted packets printed as JSON lines.
 *
 *   addresses  1.2.3.4:5000, [2001:db8::1]:5000, or none
 *   keying     PROFILE:HEX, the SDES profile name and the master key then
 *              the master salt in hex (key_len + salt_len bytes); or none
 *   numbers    decimal or 0x hex; temporal=all is 255
 *
 * Parsing checks syntax and sizes only: a command the dataplane must
 * refuse (id 0, an unknown profile number) can still be written, so tests
 * can send it.
 */
#ifndef STRATA_DP_DRIVER_TEXT_H
#define STRATA_DP_DRIVER_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <strata/messages.h>

/*
 * argv[0] is the command's name (leg-add ...), the rest key=value words.
 * Fills *cmd (type and union; seq 0).  0, or -1 with err set.
 */
int dp_text_parse_cmd(int argc, char **argv, struct strata_cmd *cmd, char *err, size_t errlen);
/* The key=value words a command takes, for usage messages. */
const char *dp_text_cmd_usage(unsigned cmd_type);

int dp_text_parse_addr(const char *s, struct strata_addr *a);
int dp_text_parse_keying(const char *s, struct strata_keying *k, char *err, size_t errlen);
/* Strict hex (even length, digits only): the byte count, or -1. */
long dp_text_parse_hex(const char *s, uint8_t *out, size_t cap);

/* "1.2.3.4:5000", "[::1]:5000" or "none"; buf of DP_TEXT_ADDR_LEN. */
#define DP_TEXT_ADDR_LEN 56
const char *dp_text_addr(const struct strata_addr *a, char *buf);

/* JSON lines, each ending in a newline. */
void dp_text_json_cmd(FILE *f, const struct strata_cmd *cmd);
void dp_text_json_event(FILE *f, const struct strata_event *ev);
void dp_text_json_punt(FILE *f, unsigned worker, const struct strata_packet *pkt);
/* {"cmd":NAME,"seq":N,"status":S[,"error":E]}; seq 0 is left out. */
void dp_text_json_result(FILE *f, const char *cmd, uint32_t seq, const char *status,
			 const char *error);
/* A JSON string, quoted and escaped. */
void dp_text_json_string(FILE *f, const char *s);
void dp_text_json_hex(FILE *f, const uint8_t *p, size_t n);

/* "ok", "einval", ...; the driver's own errors (negative errnos)
 * "ring-full", "timeout", "restarted", "gone", "invalid", "read-only". */
const char *dp_text_status_name(int status);
/* "leg-add", ... and "cmd-result", "stats", ...; "unknown" otherwise. */
const char *dp_text_cmd_name(unsigned type);
const char *dp_text_event_name(unsigned type);
/* The enum by name; 0 when unknown. */
unsigned dp_text_cmd_type(const char *name);
unsigned dp_text_event_type(const char *name);

/* "stun", "dtls", "no-leg", "other"; "unknown" otherwise. */
const char *dp_text_packet_class(unsigned cls);

#endif /* STRATA_DP_DRIVER_TEXT_H */
