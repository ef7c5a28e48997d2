/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Putting the transport-wide sequence number into an RTP header that is
 * being forwarded: the header as the publisher sent it, already copied into
 * the receiver's output buffer.
 *
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 section 2:
 *
 *    0                   1                   2
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  ID   | L=1   |transport-wide sequence number |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * "This RTP header extension is added on the transport layer": the number
 * is the receiver leg's, so the publisher's own number (which counts the
 * publisher's transport) is replaced, and a packet without one gets one.
 * In order of preference, so that the header grows only when it must:
 *  1. an element already carrying the receiver's id and 2 octets: its value;
 *  2. the publisher's transport-cc element (its id, 2 octets): rewritten in
 *     place with the receiver's id;
 *  3. RFC 8285 section 4.2 one-byte form: "padding ... may be placed
 *     between extension elements, if desired, or after the last extension
 *     element": three padding octets at the end of the block take it;
 *  4. the block grows by one 32-bit word (one-byte or section 4.3 two-byte
 *     form: the element and its padding);
 *  5. no extension at all: one is added (X = 1, 0xBEDE, one word).
 * Bytes after the header (a rewritten payload descriptor, `tail` octets)
 * move with it.  An element of another length that already has the
 * receiver's id (the publisher uses that id for something else) is a
 * conflict the receiver could not resolve: refused, the packet goes
 * unstamped.  An id outside 1..14 cannot be written in the one-byte
 * form (section 4.2: 15 is reserved) and is refused by the caller's
 * configuration; an unknown profile is left alone.
 */
#ifndef STRATA_RTP_EXT_TWCC_H
#define STRATA_RTP_EXT_TWCC_H

#include <stdint.h>

enum dp_twcc_put {
	DP_TWCC_PUT_NO_ROOM = -1,   /* growing would pass `room` */
	DP_TWCC_PUT_BAD_HEADER = -2, /* unknown profile, malformed block, bad id */
};

/*
 * hdr: the RTP header (hdr_len octets, checked by strata_rtp_header_len),
 * followed by `tail` octets that belong to the payload; room: how many
 * octets the packet may grow.  pub_id: the publisher's transport-cc id (0:
 * none), id: the receiver's (1..14).  Writes `seq` and returns how many
 * octets the header grew (0, 4 or 8), or an enum dp_twcc_put.
 */
int dp_rtp_ext_twcc_put(uint8_t *hdr, uint32_t hdr_len, uint32_t tail, uint32_t room,
			uint8_t pub_id, uint8_t id, uint16_t seq);

/*
 * How many octets dp_rtp_ext_twcc_put would add (0, 4 or 8), or an enum
 * dp_twcc_put; writes nothing.  The stamp needs the packet's final size
 * before it takes a number.
 */
int dp_rtp_ext_twcc_growth(const uint8_t *hdr, uint32_t hdr_len, uint32_t room, uint8_t pub_id,
			   uint8_t id);

#endif /* STRATA_RTP_EXT_TWCC_H */
