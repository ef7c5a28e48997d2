/* SPDX-License-Identifier: BSD-3-Clause */
/* The temporal layer of a received VP8 RTP packet (no GStreamer needed). */
#ifndef STRATA_CLIENT_VP8_DESC_H
#define STRATA_CLIENT_VP8_DESC_H

#include <stddef.h>
#include <stdint.h>

/* The TID of an RTP packet's VP8 payload descriptor (RFC 7741 section
 * 4.2), or -1 when it has none (no T bit) or is not one. */
int client_vp8_tid(const uint8_t *rtp, size_t len);

#endif /* STRATA_CLIENT_VP8_DESC_H */
