/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Why an RTCP packet was refused, in one list.
 *
 * One X-macro yields the enum, the short names the dataplane prints and the
 * size of a per-reason counter array, so a new refusal cannot be added
 * without its name and its counter.  0 is success.  Every other value names
 * the first thing found wrong; the parser stops there (rtcp.h explains what
 * happens to the packets before it).
 */
#ifndef STRATA_DP_RTCP_ERROR_H
#define STRATA_DP_RTCP_ERROR_H

#define DP_RTCP_FOREACH_ERROR(_)                                               \
	/* Parsed (or, for an iterator, ended cleanly). */                     \
	_(OK, "ok")                                                            \
	/* Fewer than the 4 header octets where a packet should start: an    \
	 * empty buffer, or 1 to 3 octets after the last packet. */            \
	_(TRUNCATED, "truncated")                                              \
	/* The version field is not 2. */                                      \
	_(BAD_VERSION, "bad_version")                                          \
	/* The length field says the packet runs past the end of the buffer. */ \
	_(BAD_LENGTH, "bad_length")                                            \
	/* P is set but the padding count is 0 or larger than the packet      \
	 * after its header. */                                                \
	_(BAD_PADDING, "bad_padding")                                          \
	/* A compound packet was required (no RFC 5506 reduced size) and the  \
	 * first packet is not an SR or RR. */                                 \
	_(FIRST_NOT_REPORT, "first_not_report")                                \
	/* Shorter than its type's fixed part: SR 28 octets, RR 8, APP 12,    \
	 * RTPFB and PSFB 12. */                                               \
	_(TOO_SHORT, "too_short")                                              \
	/* RC or SC announces more report blocks, SDES chunks or BYE SSRCs    \
	 * than the packet holds. */                                           \
	_(COUNT_PAST_END, "count_past_end")                                    \
	/* An SDES item runs past the packet, or a chunk has no terminating   \
	 * null octet. */                                                      \
	_(SDES_BAD_ITEM, "sdes_bad_item")                                      \
	/* A BYE reason's length octet runs past the packet. */                \
	_(BYE_BAD_REASON, "bye_bad_reason")                                    \
	/* A feedback message that needs FCI (NACK, FIR, AFB, TWCC) has none. */\
	_(EMPTY_FCI, "empty_fci")                                              \
	/* The FCI is not a whole number of entries (NACK 4 octets, FIR 8). */ \
	_(FCI_BAD_LENGTH, "fci_bad_length")                                    \
	/* 'REMB' without its Num SSRC / BR Exp / BR Mantissa word. */        \
	_(REMB_TRUNCATED, "remb_truncated")                                    \
	/* REMB's Num SSRC disagrees with the packet length. */               \
	_(REMB_SSRC_COUNT, "remb_ssrc_count")                                  \
	/* REMB lists more SSRCs than DP_RTCP_REMB_MAX_SSRCS. */              \
	_(REMB_TOO_MANY_SSRCS, "remb_too_many_ssrcs")                          \
	/* REMB's mantissa shifted by its exponent does not fit 64 bits. */   \
	_(REMB_BITRATE_OVERFLOW, "remb_bitrate_overflow")                      \
	/* Transport-wide CC FCI shorter than its 8-octet header. */           \
	_(TWCC_TRUNCATED, "twcc_truncated")                                    \
	/* Transport-wide CC with a packet status count of 0. */              \
	_(TWCC_NO_STATUS, "twcc_no_status")                                    \
	/* The packet status count needs more chunks than the FCI holds. */   \
	_(TWCC_MISSING_CHUNKS, "twcc_missing_chunks")                          \
	/* A status within the count uses the reserved symbol 11. */          \
	_(TWCC_RESERVED_SYMBOL, "twcc_reserved_symbol")                        \
	/* The received packets need more receive deltas than the FCI holds. */\
	_(TWCC_MISSING_DELTAS, "twcc_missing_deltas")

enum dp_rtcp_error {
#define DP_RTCP_ERROR_ENUM(name, str) DP_RTCP_##name,
	DP_RTCP_FOREACH_ERROR(DP_RTCP_ERROR_ENUM)
#undef DP_RTCP_ERROR_ENUM
	DP_RTCP_ERROR_COUNT
};

/* The short name of an error ("bad_length"), or "unknown". */
const char *dp_rtcp_error_name(int err);

#endif /* STRATA_DP_RTCP_ERROR_H */
