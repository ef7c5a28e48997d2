/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Repairs from the publisher: what the router does with the publisher's
 * RTX answer to a NACK it sent (keyframe_req.c), and the receivers waiting
 * for it.
 *
 * A receiver NACKs a number the retransmission cache (rtx_cache.h) lacks:
 * the router asks the publisher for it, and the receiver's worker remembers
 * the wait (sub, its number, the publisher's number) in its own bounded
 * table (struct dp_rtx_worker.wait: one writer, nothing allocated).  The
 * publisher answers as RFC 4588 says (section 4: the RTX SSRC, "the
 * original sequence number (OSN)" in the first two payload octets, then
 * the original payload): its worker restores the original packet (the
 * stream's SSRC and payload type, sequence number = OSN, the payload
 * without the OSN) and puts it in the cache.  Each worker then sends it to
 * those of its receivers that wait for it, through the same path as a
 * cache hit (dp_rtcp_resend: RTX or the original, under the receiver's
 * numbers and keys).  A repair nobody waits for only fills the cache, for
 * the next NACK.
 *
 * Why the waits are kept by the receiver's worker and not by the stream:
 * only that worker may send to the receiver (it owns the subscription's
 * SRTP state and RTX numbering), and receivers of one stream are spread
 * over workers; a table per worker has one writer, and its worker looks
 * at it again only when some repair reached a cache (a counter moved) or
 * when a wait runs out.
 */
#ifndef STRATA_DP_RTX_REPAIR_H
#define STRATA_DP_RTX_REPAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "dp.h"

/*
 * An authenticated, decrypted packet of stream_id's RTX SSRC [the
 * publisher leg's worker].  Takes m: restored and cached, or dropped with
 * its reason (DP_DROP_RTX_*, DP_DROP_PADDING_ONLY for Chrome's probes of
 * padding alone).  Counted as forwarded when some receiver waited for it.
 */
void dp_rtx_repair(struct dp_worker *w, struct rte_mbuf *m, struct dp_stream *st,
		   uint32_t stream_id);

/*
 * Remembers that receiver sub_id (on this worker) waits for the
 * publisher's in_seq of stream, which it calls out_seq [the receiver's
 * worker].  A wait for the same number is not added twice.  false when the
 * table is full (counted).
 */
bool dp_rtx_wait_add(struct dp_worker *w, uint32_t stream, uint16_t in_seq, uint32_t sub_id,
		     uint16_t out_seq, uint64_t now);

/* Sends the repairs this worker's receivers wait for, and gives up waits
 * older than the cache's age [each worker, once per iteration]. */
void dp_rtx_wait_poll(struct dp_worker *w);

/*
 * One retransmission of cached packet `in` (the publisher's number and
 * content, as the fan-out parsed it) to receiver sub_id as its number
 * out_seq: as RTX when as_rtx, else as the original [the receiver's
 * worker] (rtcp_nack.c).  false when it was not sent (counted).
 */
bool dp_rtcp_resend(struct dp_worker *w, uint32_t sub_id, struct rte_mbuf *in, uint16_t out_seq,
		    bool as_rtx);

#endif /* STRATA_DP_RTX_REPAIR_H */
