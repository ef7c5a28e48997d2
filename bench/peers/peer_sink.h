/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The receivers' side of strata-peer-load: N UDP sockets on loopback, one per
 * receiver, read by one thread.  Every packet is counted against the current
 * trial by its RTP sequence number (the peer forwards the publisher's
 * numbering unchanged); one in `sample` is decrypted with that receiver's own
 * libsrtp2 context and compared with what the publisher sent, and the first
 * few samples of each trial are also tried with the publisher's key, which
 * must fail: the proof that the peer re-encrypted rather than relayed.
 */
#ifndef STRATA_PEER_SINK_H
#define STRATA_PEER_SINK_H

#include <netinet/in.h>
#include <pthread.h>
#include <srtp2/srtp.h>
#include <stdbool.h>
#include <stdint.h>

/* A trial's sequence range must not overlap the previous trial's stragglers
 * in the 16-bit space: two trials together stay under 65536. */
#define SINK_MAX_TRIAL_PACKETS 30000u
#define SINK_SENDER_KEY_TRIES 4u /* per receiver and trial */

/* The generator's plaintext payload: a marker, the packet's number, then a
 * pattern derived from the number, so a decrypted sample can be checked to
 * the last byte. */
#define LOAD_MAGIC 0x53504c44u /* "SPLD" */
void load_fill_payload(uint8_t *p, unsigned len, uint64_t num);
bool load_check_payload(const uint8_t *p, unsigned len, uint64_t *num);

struct sink_rx {
	int fd;
	srtp_t ctx;      /* this receiver's key, as the peer's SDP offered it */
	uint8_t *seen;   /* bitmap over the trial's packets */
	uint64_t received, dup, stale, sample_ctr;
	uint64_t decrypted, decrypt_failed, payload_wrong, sender_key_tried, sender_key_ok;
};

struct sink_totals {
	uint64_t received, dup, stale, not_rtp, rtcp;
	uint64_t decrypted, decrypt_failed, payload_wrong, sender_key_tried, sender_key_ok;
	uint64_t min_received, max_received; /* over receivers */
	uint64_t gaps;                       /* receivers' missing packets inside the trial */
};

struct sink {
	unsigned n_rx, sample, payload_len;
	struct sink_rx *rx;
	srtp_t sender_ctx; /* the publisher's key and profile, on the receive side:
			    * opens what the publisher sent, must not open outputs */
	int epfd;
	pthread_t thread;
	pthread_mutex_t lock; /* trial state vs. the reader; taken once per batch */
	bool trial_on, stop;
	uint16_t first_seq;
	uint16_t seq_base; /* the generator's packet number n goes out as seq_base + n */
	uint32_t trial_n;
	uint64_t not_rtp, rtcp;
};

/* Binds n receivers on addr at base_port + 2 i (the odd ports stay free for
 * RTCP, which the peer sends to RTP + 1 without rtcp-mux); keys are
 * key||salt. */
int sink_open(struct sink *s, struct in_addr addr, unsigned base_port, unsigned n,
	      srtp_profile_t profile, uint8_t *const *rx_keys, srtp_profile_t sender_profile,
	      const uint8_t *sender_key, unsigned sample, unsigned payload_len);
int sink_start(struct sink *s);
void sink_trial_begin(struct sink *s, uint16_t first_seq, uint32_t n);
void sink_trial_end(struct sink *s, struct sink_totals *t);
void sink_close(struct sink *s);

#endif
