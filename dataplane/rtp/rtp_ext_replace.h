/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replacing one element of an RTP header extension block (RFC 8285) by data
 * of another length: how the fan-out gives a receiver its own dependency
 * descriptor when the rewrite makes it longer.  No DPDK: the fuzz target
 * (tests/fuzz/fuzz_rtp_ext_replace.c) runs it alone.
 */
#ifndef STRATA_RTP_EXT_REPLACE_H
#define STRATA_RTP_EXT_REPLACE_H

#include <stdint.h>

/*
 * Writes to out (cap octets) the RTP header hdr[0..hdr_len) with its
 * header extension element `id` replaced by data[0..len), in the one-byte
 * form (RFC 8285 section 4.2) when every element fits it and the input
 * used it, else the two-byte form (section 4.3).  Returns the new header's
 * length, or 0 when it does not fit, the input has no such element, or its
 * block does not parse.  hdr is a header strata_rtp_header_len accepted
 * (hdr_len its length); out and hdr must not overlap.
 */
uint32_t strata_rtp_ext_replace(const uint8_t *hdr, uint32_t hdr_len, uint8_t id,
				const uint8_t *data, uint32_t len, uint8_t *out, uint32_t cap);

#endif /* STRATA_RTP_EXT_REPLACE_H */
