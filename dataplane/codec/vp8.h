/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VP8 RTP payload descriptor (RFC 7741 section 4.2): what a receiver's layer
 * decision needs from each packet, and the in-place rewrite of the fields
 * that must stay continuous for each receiver (PictureID, TL0PICIDX).
 */
#ifndef STRATA_DP_VP8_H
#define STRATA_DP_VP8_H

#include <stdint.h>

#include "tables.h"

/* The longest descriptor: required octet, X octet, two PictureID octets,
 * TL0PICIDX, TID/Y/KEYIDX. */
#define DP_VP8_MAX_DESC_LEN 6

/*
 * Parses the descriptor at the start of an RTP payload (`len` bytes, RTP
 * header and padding already removed) into *fi, which it overwrites.
 * Returns 0, or -1 when the payload is truncated or inconsistent: a field
 * the X/I/M/L/T/K bits announce runs past the end, L is set without T
 * (RFC 7741 requires T with L), no VP8 payload follows the descriptor, or a
 * frame's first packet is too short for the 3-octet VP8 payload header.
 */
int dp_vp8_parse(const uint8_t *payload, uint32_t len, struct dp_frame_info *fi);

/*
 * Rewrites, in place, the PictureID and TL0PICIDX fields of a descriptor
 * that dp_vp8_parse described in *fi (the receiver's copy of it).  The
 * length does not change: a 7-bit PictureID stays 7 bits (picture_id is
 * taken modulo 2^7 or 2^15); fields the descriptor lacks are left absent.
 */
void dp_vp8_rewrite(uint8_t *desc, const struct dp_frame_info *fi, uint16_t picture_id,
		    uint8_t tl0picidx);

#endif /* STRATA_DP_VP8_H */
