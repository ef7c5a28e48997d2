/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What each layer of a stream costs: the publisher's worker counts the RTP
 * octets of every input by (spatial, temporal) layer as the codec parser
 * found them; the main lcore turns the counts into bit rates on its
 * adaptation timer (adapt.c) and the layer policy prices its choices with
 * them (bwe/layer_policy.h: "the measured bit rate of forwarding it at
 * each (spatial, temporal) choice").  Measuring beats a model: encoders
 * split their rate between temporal layers differently (libvpx's 3-layer
 * pattern gives the base 40-60%), and a simulcast encoding or a spatial
 * layer the publisher stopped costs nothing and is no choice at all.
 *
 * Layers past the fourth count as the fourth (the policy's limit).
 */
#ifndef STRATA_DP_LAYER_METER_H
#define STRATA_DP_LAYER_METER_H

#include "dp.h"
#include "fanout_svc.h"

static inline void dp_layer_meter_count(struct dp_stream *st, const struct dp_mbuf_meta *meta,
					uint32_t len)
{
	uint8_t s = 0, t = meta->frame.temporal;

	if (meta->path == DP_PATH_VP9) {
		s = meta->svc.spatial;
	} else if (meta->path == DP_PATH_DD) {
		s = meta->codec.dd.spatial;
		t = meta->codec.dd.temporal;
	}
	st->layer_bytes[s < 4 ? s : 3][t < 4 ? t : 3] += len;
}

#endif /* STRATA_DP_LAYER_METER_H */
