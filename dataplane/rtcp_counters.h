/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What strata-dp's RTCP handling did, in one list (the counters live in
 * struct dp_counters, one writer per lcore, summed by snapshot).  Workers
 * count what they receive and answer; the main lcore counts what it sends
 * on its own (keyframe requests, NACKs to publishers, reports).
 */
#ifndef STRATA_DP_RTCP_COUNTERS_H
#define STRATA_DP_RTCP_COUNTERS_H

#define DP_FOREACH_RTCP_COUNTER(_)                                             \
	/* Authenticated compound or reduced-size packets read. */             \
	_(RX, "rtcp_rx")                                                       \
	/* Feedback naming a media SSRC this leg does not receive. */          \
	_(UNKNOWN_MEDIA, "rtcp_unknown_media")                                 \
	/* A new RTCP sender SSRC on a leg whose table of them is full: the  \
	 * sender heard from longest ago lost its slot (or, while another new \
	 * sender waits for its first check, the packet was dropped). */       \
	_(PEERS_FULL, "rtcp_peers_full")                                       \
	/* Keyframe requests (PLI, FIR, a receiver waiting) that reached the  \
	 * main lcore, and those absorbed by the per-stream throttle. */       \
	_(KEYFRAME_ASKED, "keyframe_asked")                                    \
	_(KEYFRAME_COALESCED, "keyframe_coalesced")                            \
	/* ... absorbed already on the worker (a request is in flight). */    \
	_(KEYFRAME_PREFILTERED, "keyframe_prefiltered")                        \
	_(PLI_SENT, "pli_sent")                                                \
	_(FIR_SENT, "fir_sent")                                                \
	/* Sequence numbers receivers NACKed. */                               \
	_(NACK_SEQS, "nack_seqs")                                              \
	/* ... found in the retransmission cache, and not. */                  \
	_(RTX_HIT, "rtx_hit")                                                  \
	_(RTX_MISS, "rtx_miss")                                                \
	/* ... a number the receiver never had from this stream (before a    \
	 * simulcast switch, or older than the renumbering window). */         \
	_(RTX_UNMAPPED, "rtx_unmapped")                                        \
	/* Answers sent as RTX (RFC 4588), and as the original packet. */      \
	_(RTX_SENT, "rtx_sent")                                                \
	_(RETX_SENT, "retx_sent")                                              \
	/* Answers that could not be sent (no neighbour, no mbuf, protect). */ \
	_(RTX_SEND_FAILED, "rtx_send_failed")                                  \
	/* Without RTX over AES-GCM an original packet is not sent again: its \
	 * header may differ from the first copy under the same nonce. */      \
	_(RETX_REFUSED_AEAD, "retx_refused_aead")                              \
	/* Misses remembered for the receiver that asked (its worker's table \
	 * of them, rtx_repair.h), and those the table had no room for. */    \
	_(RTX_WAITING, "rtx_waiting")                                          \
	_(RTX_WAIT_FULL, "rtx_wait_full")                                      \
	/* The publisher's RTX answers restored (RFC 4588 section 4) and put \
	 * in the cache; those sent on to receivers that waited for them; the \
	 * waits that ended without one (older than the cache's age). */       \
	_(RTX_REPAIRED, "rtx_repaired")                                        \
	_(RTX_REPAIR_SENT, "rtx_repair_sent")                                  \
	_(RTX_REPAIR_EXPIRED, "rtx_repair_expired")                            \
	/* Repairs not sent to a receiver that waited or NACKed: of a layer  \
	 * above its own (its numbers had a gap for it all the same). */       \
	_(RTX_LAYER_FILTERED, "rtx_layer_filtered")                            \
	/* Retransmissions not sent because the receiver's copy cannot be     \
	 * made again: the dependency descriptor's structure changed since    \
	 * (or the receiver restarted on another), or the receiver's decode   \
	 * target or active decode targets did. */                            \
	_(RTX_DD_STALE, "rtx_dd_stale")                                        \
	_(RTX_DD_CHANGED, "rtx_dd_changed")                                    \
	/* Misses asked of the publisher, and the NACK packets that carried  \
	 * them (main lcore). */                                               \
	_(NACK_FORWARDED, "nack_forwarded")                                    \
	_(NACK_SENT, "nack_sent")                                              \
	/* The retransmission cache: packets put in, taken out by age or     \
	 * because a slot was reused, refused for the global budget. */        \
	_(RTX_CACHED, "rtx_cached")                                            \
	_(RTX_EVICTED, "rtx_evicted")                                          \
	_(RTX_BUDGET_FULL, "rtx_budget_full")                                  \
	/* Evicted buffers waiting for a grace period: the queue was full.  */ \
	_(RTX_LIMBO_FULL, "rtx_limbo_full")                                    \
	/* Reports the router sent: RRs to publishers, SRs to receivers. */    \
	_(RR_SENT, "rr_sent")                                                  \
	_(SR_SENT, "sr_sent")                                                  \
	/* Report blocks read from receivers' SRs and RRs. */                  \
	_(REPORT_BLOCKS, "report_blocks")                                      \
	/* RTCP the main lcore could not send (no neighbour, mbuf, protect). */\
	_(SEND_FAILED, "rtcp_send_failed")                                     \
	/* TWCC, REMB, SR and RR items handed to dp_bwe_on_feedback. */        \
	_(BWE_FEEDBACK, "bwe_feedback")

enum dp_rtcp_counter {
#define DP_RTCP_COUNTER_ENUM(name, str) DP_RTCP_C_##name,
	DP_FOREACH_RTCP_COUNTER(DP_RTCP_COUNTER_ENUM)
#undef DP_RTCP_COUNTER_ENUM
	DP_RTCP_COUNTER_COUNT
};

const char *dp_rtcp_counter_name(int c);

#endif /* STRATA_DP_RTCP_COUNTERS_H */
