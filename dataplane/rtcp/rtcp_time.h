/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The arithmetic of RFC 3550's report blocks: NTP timestamps and their
 * middle 32 bits (LSR), the delay since the last SR (DLSR), the round trip
 * a sender computes from them, and the loss figures of Appendix A.3.
 */
#ifndef STRATA_DP_RTCP_TIME_H
#define STRATA_DP_RTCP_TIME_H

#include <stdint.h>

/* Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
#define DP_RTCP_NTP_UNIX_OFFSET 2208988800u

/* A Unix time in microseconds as a 64-bit NTP timestamp (32.32 seconds). */
uint64_t dp_rtcp_ntp_from_unix_us(uint64_t unix_us);

/*
 * RFC 3550 section 6.4.1, LSR: "The middle 32 bits out of 64 in the NTP
 * timestamp (as explained in Section 4) received as part of the most
 * recent RTCP sender report (SR) packet from source SSRC_n."  Also the
 * form of the arrival time A in the round-trip computation.
 */
static inline uint32_t dp_rtcp_ntp_mid32(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}

/*
 * DLSR: "The delay, expressed in units of 1/65536 seconds, between
 * receiving the last SR packet from source SSRC_n and sending this
 * reception report block."  Rounded to the nearest unit; a delay past
 * 65536 s gives 0xffffffff.
 */
uint32_t dp_rtcp_dlsr_from_us(uint64_t delay_us);

/*
 * "Source SSRC_n can compute the round-trip propagation delay to SSRC_r by
 * recording the time A when this reception report block is received.  It
 * calculates the total round-trip time A-LSR using the last SR timestamp
 * (LSR) field, and then subtracting this field to leave the round-trip
 * propagation delay as (A - LSR - DLSR)."
 *
 * Returns that delay in microseconds from three middle-32 values; -1 when
 * LSR is 0 ("If no SR has been received yet, the field is set to zero"),
 * and 0 when DLSR exceeds A - LSR (clocks that disagree).
 */
int64_t dp_rtcp_rtt_us(uint32_t arrival_mid32, uint32_t lsr, uint32_t dlsr);

/*
 * Appendix A.3's fraction lost over one reporting interval: 0 when nothing
 * was expected or duplicates outnumber losses, else lost * 256 / expected,
 * at most 255.
 */
uint8_t dp_rtcp_fraction_lost(uint32_t expected_interval, uint32_t received_interval);

/*
 * Appendix A.3: "Since this signed number is carried in 24 bits, it should
 * be clamped at 0x7fffff for positive loss or 0x800000 for negative loss
 * rather than wrapping around."
 */
int32_t dp_rtcp_clamp_cumulative_lost(int64_t lost);

#endif /* STRATA_DP_RTCP_TIME_H */
