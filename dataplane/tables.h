/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-dp's tables: legs, streams, sources and subscriptions, in pools
 * sized at start-up and addressed by index (the ids strata-cp chooses).
 *
 * Writers.  The main lcore creates and deletes entries (commands); workers
 * read them without locks.  Deleted entries are reclaimed after an RCU
 * grace period (rte_rcu_qsbr: every worker reports a quiescent state once
 * per loop), so a worker never sees an entry reused under it within one
 * iteration.  Packets that wait in rings across iterations carry the
 * entry's generation and are dropped (DP_DROP_LEG_GONE) if it changed.
 * Fields marked [owner] are written only by the worker that owns the leg
 * (for a subscription: the receiver leg's worker); [main] only by the main
 * lcore; [const] once before the entry is published.
 */
#ifndef STRATA_DP_TABLES_H
#define STRATA_DP_TABLES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <strata/messages.h>

#include "codec/av1_dd.h"
#include "out_template.h"
#include "select_dd.h"
#include "seqmap.h"
#include "select_frame.h"
#include "srtp/srtp.h"

struct dp_h264_track;

#define DP_MAX_WORKERS 16
#define DP_LEG_MAX_SSRCS 16     /* published SSRCs (incl. RTX) per leg */
#define DP_SOURCE_MAX_ENCODINGS 4

struct dp_leg_bwe; /* leg_bwe.h */

/* Per-leg counters [owner]. */
struct dp_leg_counters {
	uint64_t rx_packets, rx_bytes, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_dropped;
	uint64_t srtp_auth_fail, srtp_replay;
};

/* A published SSRC of a leg, for the lookup of incoming packets. */
struct dp_leg_ssrc {
	_Atomic uint32_t stream; /* stream index, 0 = free slot [main] */
	uint32_t ssrc;           /* [main], valid while stream != 0 */
	uint8_t rtx;             /* the stream's RTX SSRC [main] */
	uint8_t pad[3];
};

struct dp_leg {
	/* Identity and routing [const]. */
	_Atomic uint32_t gen;     /* bumped when deleted [main] */
	uint8_t in_use;           /* [main] */
	uint8_t retiring;         /* deleted, waiting for a grace period [main] */
	uint8_t latch;
	uint8_t ext_transport_cc; /* receiver's RFC 8285 id, 0 = no stamping */
	uint16_t worker;          /* owning worker */
	uint32_t room;
	uint16_t port_id;         /* DPDK port of the local address */
	uint16_t local_addr;      /* index in the address table */
	struct strata_addr local;
	_Atomic uint32_t neighbor; /* next hop's neighbour entry, 0 = none [main] */

	/* Where the client is [owner] (latching), read by main for dumps. */
	struct strata_addr remote;
	_Atomic uint32_t remote_gen; /* bumped by the owner when remote moves */

	/* Headers of what is sent to the leg [owner]: next to the fields
	 * above, which every output reads too. */
	struct dp_out_template out;
	struct dp_leg_counters counters;
	struct dp_leg_ssrc ssrcs[DP_LEG_MAX_SSRCS];

	/* SRTP: what the client sends, what we send it [const]; wiped by main
	 * after the grace period that follows deletion. */
	struct strata_srtp_session rx;
	struct strata_srtp_session tx;

	/* Bandwidth estimation (leg_bwe.h): allocated by main at the slot's
	 * first LEG_ADD, reset at every LEG_ADD, kept for reuse; its estimator
	 * is written by the owner only.  Past `tx`: LEG_ADD's reset keeps it. */
	struct dp_leg_bwe *bwe;
} __attribute__((aligned(64)));

/* What a codec-aware parser learnt about a packet's frame. */
struct dp_frame_info {
	uint8_t keyframe;     /* the first packet of a keyframe */
	uint8_t frame_start;  /* the first packet of a frame */
	uint8_t temporal;     /* temporal layer id, 0 when the stream has none */
	uint8_t sync;         /* a temporal switching point (VP8 Y bit) */
	uint8_t has_layers;   /* the packet carries temporal layer info */
	uint8_t desc_len;     /* payload descriptor bytes (rewritten per receiver) */
	uint16_t picture_id;  /* VP8 PictureID (15-bit), if has_picture_id */
	uint8_t has_picture_id;
	uint8_t has_tl0;
	uint8_t tl0picidx;
	uint8_t picture_id_bits; /* 7 or 15 */
};

/* One encoding of a source: one SSRC (plus RTX) a leg publishes. */
struct dp_stream {
	/* [const] */
	uint8_t in_use;
	uint8_t retiring;         /* [main] */
	uint8_t kind;             /* enum strata_media_kind */
	uint8_t codec;            /* enum strata_codec */
	uint8_t pt, rtx_pt;
	uint8_t encoding;         /* index within the source */
	uint8_t ext_audio_level;  /* RFC 8285 ids, 0 = none */
	uint8_t ext_abs_send_time, ext_transport_cc, ext_dependency_descriptor, ext_mid;
	uint32_t leg, source, ssrc, rtx_ssrc, clock_rate;
	_Atomic uint32_t gen;     /* [main] */

	/* Receive state [owner = the publisher leg's worker]. */
	struct strata_srtp_rx srtp;
	struct strata_srtp_rx srtp_rtx;
	uint64_t packets, bytes;
	uint64_t last_packet_tsc;
	uint64_t last_keyframe_tsc;
	uint64_t layer_bytes[4][4]; /* RTP octets per (spatial, temporal) layer (layer_meter.h) */
	uint8_t started;
	uint8_t audio_level;      /* last RFC 6464 level, 127 = silence */
	uint16_t last_seq;
	uint32_t last_ts;
	uint8_t stop_reported;    /* STREAM_STOPPED sent, not restarted [main] */

	/* Codec state the stream's packets build up, for the fan-out [owner]:
	 * H.264 access units and prefix NAL units (codec/h264.h) for H.264
	 * streams, and the dependency descriptor's template structure for
	 * streams that negotiated it.  Allocated by main with the stream,
	 * freed after the grace period that follows its deletion; NULL
	 * otherwise. */
	struct dp_h264_track *h264;
	struct dp_av1_dd_stream *dd;
} __attribute__((aligned(64)));

/*
 * A source's receivers, grouped by the worker that serves them: what the
 * publisher's worker reads to fan a packet out.  Published by the main lcore
 * with a release store; replaced, never edited; the old list is freed after
 * a grace period.
 */
struct dp_sub_list {
	uint32_t count;
	uint16_t first[DP_MAX_WORKERS + 1]; /* subs[first[w] .. first[w+1]) are worker w's */
	uint32_t subs[];
};

struct dp_source {
	uint8_t in_use;           /* [main] */
	uint8_t kind, codec;
	uint8_t n_encodings;
	_Atomic uint32_t encodings[DP_SOURCE_MAX_ENCODINGS]; /* stream per encoding, 0 = none [main] */
	struct dp_sub_list *_Atomic subs;                    /* [main] */
} __attribute__((aligned(64)));

/* A receiver leg's view of a source.  Kept under 512 bytes. */
struct dp_sub {
	/* [const] */
	uint8_t in_use;
	uint8_t retiring;         /* [main] */
	uint8_t pt, rtx_pt;
	uint16_t worker;          /* the receiver leg's worker */
	uint32_t leg, source, ssrc, rtx_ssrc;
	_Atomic uint32_t gen;     /* [main] */
	/* Targets [main: SUB_SET_LAYERS], read by the worker. */
	_Atomic uint8_t target_spatial;
	_Atomic uint8_t target_temporal;
	/* SUB_SET_LAYERS as strata-cp sent it [main]: with a bandwidth
	 * estimate, the targets are these lowered by adaptation (leg_bwe.h). */
	uint8_t cap_spatial, cap_temporal;
	uint8_t paused;
	/* Nothing at all [main: adapt.c]: paused by the receiver, or left out
	 * by the layer policy (the estimate cannot carry even its base
	 * layer, or beyond max_video_sources).  Back on from a keyframe. */
	_Atomic uint8_t off;
	uint16_t max_height;

	/* What the receiver gets now [owner = receiver leg's worker]. */
	uint8_t cur_spatial;      /* encoding forwarded, DP_NONE before the first keyframe */
	uint8_t cur_temporal;
	struct dp_select_frame frame; /* the decisions of the last two frames */
	uint8_t waiting_keyframe;
	uint8_t tl0_delta;        /* VP8 TL0PICIDX: out = in - delta */
	uint8_t last_tl0_out;
	uint8_t h264_did;         /* H.264 SVC: the highest dependency_id it gets */
	uint16_t dd_fn_delta;     /* dependency descriptor frame number: out = in - delta */
	uint16_t dd_last_fn;      /* ... the last one it got */
	struct dp_select_dd_state dd; /* streams with the dependency descriptor */
	/* Its rewritten descriptor's extended fields (active decode targets
	 * rx_mask of structure dd_tail_gen) for descriptors of the mandatory
	 * fields alone: the same octets after them whatever the frame. */
	uint32_t dd_tail_gen, dd_tail_mask;
	uint8_t dd_tail_len;
	uint8_t dd_tail[DP_AV1_DD_REWRITE_GROWTH + 1];
	uint64_t keyframe_asked_tsc;
	struct dp_seqmap seq;     /* RTP sequence numbers, gapless */
	struct dp_seqmap picture; /* VP8 PictureID, gapless */
	uint32_t ts_delta;        /* RTP timestamp: out = in + delta */
	uint32_t last_out_ts;
	uint64_t last_out_tsc;
	struct strata_srtp_tx srtp;
	uint64_t packets, bytes, dropped;
} __attribute__((aligned(64)));

#define DP_NONE 0xff

struct dp_tables {
	uint32_t max_legs, max_streams, max_sources, max_subs;
	struct dp_leg *legs;       /* [0] unused: ids start at 1 */
	struct dp_stream *streams;
	struct dp_source *sources;
	struct dp_sub *subs;
	/* Local address index -> UDP port -> leg id, 0 = none [main]. */
	uint16_t n_addrs;
	_Atomic uint32_t **leg_by_port;
};

/* The leg that owns local address `addr` (table index), UDP port `port`. */
static inline uint32_t dp_leg_by_port(const struct dp_tables *t, uint16_t addr, uint16_t port)
{
	return atomic_load_explicit(&t->leg_by_port[addr][port], memory_order_acquire);
}

#endif /* STRATA_DP_TABLES_H */
