/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-thread engines: the ipsec-mb manager and the counters. */
#include <stdlib.h>
#include <string.h>

#include "srtp_engine.h"

static const char *const status_names[STRATA_SRTP_STATUS_COUNT] = {
#define STRATA_SRTP_STATUS_NAME(name, str) [STRATA_SRTP_##name] = str,
	STRATA_SRTP_FOREACH_STATUS(STRATA_SRTP_STATUS_NAME)
#undef STRATA_SRTP_STATUS_NAME
};

const char *strata_srtp_status_name(int status)
{
	if (status < 0 || status >= STRATA_SRTP_STATUS_COUNT)
		return "unknown";
	return status_names[status];
}

struct strata_srtp_engine *strata_srtp_engine_create(void)
{
	/* aligned_alloc wants a size that is a multiple of the alignment. */
	size_t size = (sizeof(struct strata_srtp_engine) + 63) & ~(size_t)63;
	struct strata_srtp_engine *e = aligned_alloc(64, size);

	if (e == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->mgr = alloc_mb_mgr(0);
	if (e->mgr == NULL) {
		free(e);
		return NULL;
	}
	/* Picks the widest instruction set the CPU has (AVX-512 with VAES and
	 * SHA-NI on the machines Strata targets). */
	init_mb_mgr_auto(e->mgr, &e->arch);
	return e;
}

void strata_srtp_engine_destroy(struct strata_srtp_engine *e)
{
	if (e == NULL)
		return;
	free_mb_mgr(e->mgr);
	/* The scratch held IVs and tags: nothing secret, but no reason to
	 * leave them behind either. */
	explicit_bzero(e, sizeof(*e));
	free(e);
}

IMB_MGR *strata_srtp_engine_mgr(struct strata_srtp_engine *e)
{
	return e->mgr;
}

const char *strata_srtp_engine_arch(const struct strata_srtp_engine *e)
{
	switch (e->arch) {
	case IMB_ARCH_AVX512: return "avx512";
	case IMB_ARCH_AVX2: return "avx2";
	case IMB_ARCH_AVX: return "avx";
	case IMB_ARCH_SSE: return "sse";
	default: return "none";
	}
}

const struct strata_srtp_counters *strata_srtp_engine_counters(const struct strata_srtp_engine *e)
{
	return &e->counters;
}
