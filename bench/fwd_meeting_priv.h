/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench fwd --mix meeting, inside: the meeting one cell runs
 * (fwd_meeting.c: its traffic, setup, checks and slices), the receivers'
 * RTCP in it (fwd_meeting_rtcp.c) and the crypto-only ceiling of the same
 * work (fwd_meeting_ceiling.c).
 */
#ifndef STRATA_FWD_MEETING_PRIV_H
#define STRATA_FWD_MEETING_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "bench_imb.h"
#include "fwd_bench.h"

/* A cycle entry: a video packet's index in the capture, or one of these. */
#define MEETING_AUDIO UINT32_MAX
#define MEETING_RTCP 0x80000000u  /* | index into struct meeting's rtcp */

enum meeting_rtcp_kind {
	MEETING_RR,        /* RR + SDES: the regular report */
	MEETING_PLI,       /* RR + SDES + PLI */
	MEETING_NACK,      /* RR + SDES + NACK of a packet the cache holds */
	MEETING_NACK_OLD,  /* ... of one older than the cache holds */
};

/* One receiver's SRTCP compound packet in the cycle (fwd_meeting_rtcp.c). */
struct meeting_rtcp {
	uint32_t recv;
	uint8_t kind;             /* enum meeting_rtcp_kind */
	int8_t target_loop;       /* NACK: the named packet's pass, relative (0, -1) */
	uint16_t rtx_len;         /* NACK: its retransmission's RTP length, recorded */
	uint32_t target;          /* NACK: the named packet's index in the capture */
	uint32_t newest;          /* the newest video packet it got by then ... */
	int8_t newest_loop;       /* ... in this pass or the one before (-1) */
	uint16_t len;             /* the compound's length, before SRTCP */
};

/* What a stretch of the cycle's RTCP entries should make strata-dp count. */
struct meeting_rtcp_expect {
	uint64_t packets, pli, nack, hit, miss, rtx, retx, refused;
};

/* What the bench knows of a receiver: its RTCP sender, and its video
 * sequence numbers as a function of the cycle (learnt in the model pass). */
struct meeting_recv {
	srtp_t rtcp_client;       /* libsrtp2 with the keys the leg receives with */
	uint32_t ssrc;            /* its own RTCP SSRC */
	bool rtx;                 /* its video subscription negotiated RTX */
	bool known;               /* the model pass saw its outputs */
	uint32_t total;           /* video outputs per pass of the capture */
	uint32_t base_loop;       /* seq(L, v) = base_seq + (L - base_loop) * total + rank[v] */
	uint16_t base_seq;
	uint16_t audio_delta;     /* its audio numbers minus the publisher's */
	uint32_t lost;            /* NACKs it sent: its report's cumulative loss */
	uint32_t ref_v;           /* the model pass's first output: capture packet */
	uint16_t ref_seq;         /* ... and its number */
	uint16_t nacked[8];       /* numbers it NACKed whose answer is due */
	uint8_t n_nacked;
};

struct meeting {
	const struct strata_srtp_profile *profile;
	unsigned fanout;
	bool dd;                  /* the video stream negotiated the descriptor */
	uint32_t video_leg, audio_leg, video_stream, audio_stream, first_recv_leg, first_sub;
	struct strata_addr video_local, video_remote, audio_local, audio_remote;
	srtp_t video_client, audio_client;
	uint32_t video_ssrc, audio_ssrc;
	struct strata_keying *recv_keys;

	/* The cycle: one pass over the capture with the audio in between. */
	uint32_t cycle_len;
	uint32_t *entry;          /* video packet index, or UINT32_MAX for audio */
	uint16_t *entry_len;      /* its RTP packet's length */
	uint32_t *out_count;      /* outputs it made, recorded */
	uint32_t pos, loops;
	uint16_t seq_v, seq_a;
	uint32_t ts_a;
	uint32_t burst_entry[FWD_BURST]; /* the inputs of the last burst */
	uint32_t burst_loop[FWD_BURST];  /* ... and their passes */

	/* The receivers' RTCP (fwd_meeting_rtcp.c). */
	struct strata_keying *recv_rx_keys; /* what each receiver's client sends with */
	struct meeting_recv *recv;
	uint8_t *got;             /* [r * n_video + v]: receiver r gets capture packet v */
	uint16_t *rank;           /* [r * n_video + v]: its video outputs of a pass before v */
	uint32_t n_video;
	struct meeting_rtcp *rtcp;
	uint32_t n_rtcp;
	bool rtcp_on;             /* the cycle has its RTCP entries */
	uint64_t kf_last;         /* the last keyframe request's stamp (TSC) */
	uint64_t kf_notes, nack_notes; /* keyframe requests, NACKs for the publisher */
};

#define RTX_PT 99           /* the receivers' RTX payload type */
#define MAX_RTP 1500

/* ---- fwd_meeting.c -------------------------------------------------------- */

/* RTP header length and payload end (padding excluded) of a packet. */
uint32_t meeting_payload_of(const uint8_t *p, uint32_t len, uint32_t *end);
/* Untimed, the NIC: n frames of the next inputs of the cycle. */
void meeting_inputs(struct fwd_ctx *x, struct meeting *m, struct rte_mbuf **mb, unsigned n);
/* After the model pass: the receivers' RTCP into the cycle. */
void meeting_schedule(struct meeting *m);

/* ---- fwd_meeting_check.c -------------------------------------------------- */

/* What the bench counts of strata-dp's side, before a stretch of the cycle. */
struct meeting_mark {
	struct dp_counters c;
	unsigned in_use;
	uint64_t kf_notes, nack_notes;
	uint32_t from;
};

void meeting_mark(const struct fwd_ctx *x, const struct meeting *m, struct meeting_mark *k);
/* Checks strata-dp's counters since k over `inputs` inputs, and that it
 * sent `outputs` outputs (UINT64_MAX: any); bench_fail otherwise. */
void meeting_check(struct fwd_ctx *x, const struct meeting *m, const struct meeting_mark *k,
		   uint64_t inputs, uint64_t outputs);
/* Untimed: the worker's notifications, keyframe requests checked. */
void meeting_drain(struct fwd_ctx *x, struct meeting *m);
/* The untimed passes: warm-up, the receivers' model, then with their
 * RTCP, checked and recorded (m->out_count). */
void meeting_record(struct fwd_ctx *x, struct meeting *m);

/* ---- fwd_meeting_rtcp.c --------------------------------------------------- */

/* Sets up strata-dp's RTCP state for one meeting (before its commands),
 * the cache's budget from the capture's rate; then the receivers' RTCP
 * senders and model (after them).  Close takes both down. */
void meeting_rtcp_start(struct fwd_ctx *x, uint32_t video_per_second);
void meeting_rtcp_open(struct meeting *m);
void meeting_rtcp_close(struct fwd_ctx *x, struct meeting *m);
/* The model pass saw receiver r get capture packet v of pass loop as seq. */
void meeting_rtcp_saw(struct meeting *m, unsigned r, uint32_t v, uint32_t loop, uint16_t seq);
void meeting_rtcp_saw_audio(struct meeting *m, unsigned r, uint16_t in_seq, uint16_t out_seq);
/* Receiver r's sequence number of capture packet v in pass loop. */
uint16_t meeting_rtcp_seq(const struct meeting *m, unsigned r, uint32_t v, uint32_t loop);
/* After the model pass: the cycle with every receiver's RTCP in it. */
void meeting_rtcp_schedule(struct meeting *m, const uint32_t *video_ts, uint32_t ts_span);
/* Untimed: the SRTCP packet of entry e at out; returns its length. */
uint32_t meeting_rtcp_packet(struct meeting *m, uint32_t e, uint8_t *out);
/* Counts the RTCP of `inputs` entries of the cycle from position `from`. */
void meeting_rtcp_expected(const struct meeting *m, uint32_t from, uint64_t inputs,
			   struct meeting_rtcp_expect *e);
/* Receiver r's video subscription negotiated RTX: one in four did not. */
static inline bool meeting_recv_rtx(unsigned r)
{
	return r % 4 != 3;
}

/* Whether a cycle entry is a receiver's RTCP packet. */
static inline bool meeting_is_rtcp(uint32_t entry)
{
	return entry != MEETING_AUDIO && (entry & MEETING_RTCP);
}

/* Raw intel-ipsec-mb doing the meeting's crypto: per input one decrypt
 * and as many encrypts as it made outputs (recorded in m->out_count): for
 * a receiver's SRTCP packet an SRTCP decrypt and its retransmissions. */
struct meeting_ceiling {
	IMB_MGR *mgr;
	const struct strata_srtp_profile *p;
	const struct strata_srtp_keys *in_keys[2]; /* video, audio publisher */
	const struct strata_srtp_keys **out_keys;
	const struct strata_srtp_keys **rtcp_keys; /* each receiver's SRTCP */
	struct meeting *m;
	uint32_t pos;              /* the ceiling's own place in the cycle */
	uint32_t burst[FWD_BURST]; /* this burst's entries */
	unsigned input, copy, receiver, out_slot, n_out;
	uint8_t *in, *out;
	IMB_JOB *jobs[IMB_MAX_BURST_SIZE];
	uint8_t iv[IMB_MAX_BURST_SIZE][16] __attribute__((aligned(16)));
	uint8_t tag[IMB_MAX_BURST_SIZE][16] __attribute__((aligned(16)));
};

void meeting_ceiling_open(struct meeting_ceiling *c, struct fwd_ctx *x, struct meeting *m);
void meeting_ceiling_close(struct meeting_ceiling *c);
/* One burst of the inputs the forwarding takes next in the cycle; returns
 * ticks and adds the outputs it made to *outputs. */
uint64_t meeting_ceiling_burst(struct meeting_ceiling *c, uint64_t *outputs);

#endif /* STRATA_FWD_MEETING_PRIV_H */
