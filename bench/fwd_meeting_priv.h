/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench fwd --mix meeting, inside: the meeting one cell runs
 * (fwd_meeting.c: its traffic, setup, checks and slices) and the crypto-only
 * ceiling of the same work (fwd_meeting_ceiling.c).
 */
#ifndef STRATA_FWD_MEETING_PRIV_H
#define STRATA_FWD_MEETING_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "bench_imb.h"
#include "fwd_bench.h"

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
};

/* Raw intel-ipsec-mb doing the meeting's crypto: per input one decrypt
 * and as many encrypts as it made outputs (recorded in m->out_count). */
struct meeting_ceiling {
	IMB_MGR *mgr;
	const struct strata_srtp_profile *p;
	const struct strata_srtp_keys *in_keys[2]; /* video, audio publisher */
	const struct strata_srtp_keys **out_keys;
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
