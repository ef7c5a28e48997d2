/* SPDX-License-Identifier: BSD-3-Clause */
/* Report block arithmetic (rtcp_time.h says what each computes and why). */
#include "rtcp_time.h"

uint64_t dp_rtcp_ntp_from_unix_us(uint64_t unix_us)
{
	uint64_t sec = unix_us / 1000000 + DP_RTCP_NTP_UNIX_OFFSET;
	uint64_t frac = ((unix_us % 1000000) << 32) / 1000000;
	return sec << 32 | frac;
}

uint32_t dp_rtcp_dlsr_from_us(uint64_t delay_us)
{
	/* 65536 s is the first delay the 32-bit field cannot hold. */
	if (delay_us >= 65536ull * 1000000)
		return UINT32_MAX;
	uint64_t units = (delay_us * 65536 + 500000) / 1000000;
	return units > UINT32_MAX ? UINT32_MAX : (uint32_t)units;
}

int64_t dp_rtcp_rtt_us(uint32_t arrival_mid32, uint32_t lsr, uint32_t dlsr)
{
	if (lsr == 0)
		return -1;
	/* A - LSR modulo 2^32: the NTP seconds' low 16 bits wrap every 18 h. */
	int64_t delay = (int64_t)(uint32_t)(arrival_mid32 - lsr) - (int64_t)dlsr;
	if (delay < 0)
		return 0;
	return (delay * 1000000 + 32768) >> 16;
}

uint8_t dp_rtcp_fraction_lost(uint32_t expected_interval, uint32_t received_interval)
{
	/*
	 * "lost_interval = expected_interval - received_interval;
	 *  if (expected_interval == 0 || lost_interval <= 0) fraction = 0;
	 *  else fraction = (lost_interval << 8) / expected_interval;"
	 * Everything lost would give 256; the field holds 255.
	 */
	if (expected_interval == 0 || received_interval >= expected_interval)
		return 0;
	uint64_t lost = expected_interval - received_interval;
	uint64_t fraction = (lost << 8) / expected_interval;
	return fraction > 255 ? 255 : (uint8_t)fraction;
}

int32_t dp_rtcp_clamp_cumulative_lost(int64_t lost)
{
	if (lost > 0x7fffff)
		return 0x7fffff;
	if (lost < -0x800000)
		return -0x800000;
	return (int32_t)lost;
}
