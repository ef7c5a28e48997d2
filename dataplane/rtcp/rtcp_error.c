/* SPDX-License-Identifier: BSD-3-Clause */
/* The names of dataplane/rtcp's refusals, from the one list in rtcp_error.h. */
#include "rtcp_error.h"

static const char *const names[] = {
#define DP_RTCP_ERROR_NAME(name, str) str,
	DP_RTCP_FOREACH_ERROR(DP_RTCP_ERROR_NAME)
#undef DP_RTCP_ERROR_NAME
};

const char *dp_rtcp_error_name(int err)
{
	if (err < 0 || err >= DP_RTCP_ERROR_COUNT)
		return "unknown";
	return names[err];
}
