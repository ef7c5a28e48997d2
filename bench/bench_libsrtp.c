/* SPDX-License-Identifier: BSD-3-Clause */
/* libsrtp2 contexts for the benchmarks' clients (bench_libsrtp.h). */
#include <string.h>

#include "bench_libsrtp.h"
#include "bench_report.h"

srtp_t bench_libsrtp_create(const struct strata_keying *k, uint32_t ssrc, unsigned long window)
{
	const struct strata_srtp_profile *p = strata_srtp_profile_get(k->profile);
	/* libsrtp2 takes the master key and salt as one string. */
	uint8_t key[STRATA_SRTP_MAX_KEY_LEN + STRATA_SRTP_MAX_SALT_LEN];
	srtp_policy_t pol;
	srtp_t ctx;

	memset(&pol, 0, sizeof(pol));
	if (p == NULL || !bench_libsrtp_policy(p->id, &pol.rtp))
		bench_fail("no libsrtp2 policy for profile %u", k->profile);
	pol.rtcp = pol.rtp;
	memcpy(key, k->key, p->key_len);
	memcpy(key + p->key_len, k->salt, p->salt_len);
	pol.ssrc.type = ssrc_specific;
	pol.ssrc.value = ssrc;
	pol.key = key;
	pol.window_size = window;
	int st = srtp_create(&ctx, &pol);
	explicit_bzero(key, sizeof(key));
	if (st != srtp_err_status_ok)
		bench_fail("libsrtp2's srtp_create(%s) returned srtp_err_status %d", p->name, st);
	return ctx;
}
