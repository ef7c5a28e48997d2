/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench run: a scenario's traffic through a running strata-dp.
 *
 *   run_scenario.c  the scenario file (libconfig): rooms, people, streams
 *   run_setup.c     this process's EAL and its net_memif port (the client
 *                   side of strata-dp's memif), and programming strata-dp
 *                   through the shared-memory contract (tests/driver's
 *                   dp_driver, as the integration tests do) -- --direct
 *   run_traffic.c   one trial: the generator (fresh SRTP from libsrtp2
 *                   publishers, paced) and the sink (counts, continuity,
 *                   sampled libsrtp2 decryption, latency) on one lcore
 *   run_main.c      options, the NDR/PDR search (ndr.h), the crypto-only
 *                   ceiling (strata-bench fwd's, same profile, sizes and
 *                   fan-outs), the progress line
 *   run_report.c    the table, the JSON file and --json, the SVG plots
 */
#ifndef STRATA_RUN_BENCH_H
#define STRATA_RUN_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include <srtp2/srtp.h>
#include <strata/messages.h>

#include "hist.h"
#include "ndr.h"
#include "run_loss.h"

#define RUN_MAX_STREAMS_PER_PERSON 2
#define RUN_MAX_MEDIA 2
#define RUN_HDR 42                 /* Ethernet, IPv4, UDP */
#define RUN_RTP_HDR 12
#define RUN_STAMP_LEN 24           /* send TSC, stream, index, RTP timestamp, trial */

enum run_codec { RUN_CODEC_OPUS, RUN_CODEC_VP8 };

/* One kind of stream every publisher of the scenario sends. */
struct run_media {
	enum run_codec codec;
	unsigned size;             /* RTP payload bytes */
	double pps;                /* nominal packets per second per publisher */
};

struct run_scenario {
	char name[64];
	char profile_name[48];
	const struct strata_srtp_profile *profile;
	unsigned rooms;
	unsigned publishers;       /* per room; each also receives the others */
	unsigned listeners;        /* per room; receive only */
	unsigned n_media;
	struct run_media media[RUN_MAX_MEDIA];
};

/* Parses path into s: 0, or -1 with err. */
int run_scenario_load(const char *path, struct run_scenario *s, char *err, size_t errlen);

/* ---- the programmed state ------------------------------------------------ */

struct run_leg {
	uint32_t id;
	struct strata_addr local, remote;
	struct strata_keying rx, tx;   /* rx: what the client sends; tx: what it gets */
};

struct run_stream {             /* one publisher's stream */
	uint32_t id;                /* stream = source id */
	uint32_t leg;               /* index into legs */
	unsigned media;             /* index into scenario media */
	uint32_t ssrc;
	srtp_t client;              /* the publisher, libsrtp2 */
	uint16_t seq;
	uint64_t ts;                /* the next frame's; the RTP field is the low 32 bits */
	struct run_epoch ep;        /* which timestamps each trial sent (run_loss.h) */
	uint16_t picture_id;
	uint8_t tl0;
	unsigned frame_packet;
	unsigned first_sub, n_subs; /* its subscriptions: subs[first_sub ..] */
	uint8_t hdr[RUN_HDR];       /* Ethernet/IPv4/UDP towards strata-dp (lengths set per packet) */
	uint64_t sent;              /* inputs sent */
};

struct run_sub {                /* one receiver's copy of one stream */
	uint32_t id;
	uint32_t leg;               /* index into legs */
	uint32_t stream;            /* index into streams */
	uint32_t ssrc;              /* what the receiver sees */
	srtp_t client;              /* the receiver, libsrtp2, for the sample */
	struct run_loss loss;       /* this trial's outputs (and earlier trials' seen in it) */
	struct run_loss total;      /* every trial's since the warm-up */
	uint64_t seen;              /* outputs, for the sample */
	uint32_t ts_offset;         /* strata-dp's: output RTP timestamp - input's */
	bool ts_known;              /* from the first decrypted output's stamp */
	uint64_t decrypted, decrypt_fail, payload_bad;
};

struct run_state {
	const struct run_scenario *sc;
	unsigned n_legs, n_streams, n_subs;
	struct run_leg *legs;
	struct run_stream *streams;
	struct run_sub *subs;
	uint32_t sub_ssrc_base;     /* sub i's SSRC is base + i */

	/* The generator's order: stream indices in the nominal proportions. */
	uint32_t *schedule;
	unsigned schedule_len, schedule_pos;
	bool warm;                  /* warming up: streams in turn instead */
	unsigned warm_pos;
	double outputs_per_input;   /* mean over the schedule */
	double min_alive_rate;      /* inputs/s at which every stream sends 2/s */
	double bits_per_input, bits_per_output;

	/* DPDK */
	uint16_t port_id;
	struct rte_mempool *pool;
	uint8_t my_mac[6], dp_mac[6];
	uint8_t dp_ip[4], client_ip[4];
	double tsc_hz;
	uint32_t trial;             /* trials so far (the warm-up's rounds too), in the stamp */
	unsigned sample_every;      /* decrypt one output in this many per subscription */
	double backlog_ms;          /* a trial's outputs count until this long after its end */
	uint64_t counted_until;     /* ... the current trial's limit (TSC) */

	struct dp_driver *drv;
};

/* ---- run_setup.c ------------------------------------------------------------ */

struct run_setup_params {
	const char *memif_socket;   /* strata-dp's memif (role=server) */
	const char *shm;            /* strata-dp's shared memory name */
	const char *dp_mac, *my_mac;
	const char *dp_ip, *client_ip;
	int core;
	bool takeover;
};

/* EAL, the memif port, the driver; bench_fail with what to do. */
void run_setup(struct run_state *st, const struct run_setup_params *p);
/* Legs, streams and subscriptions through the shared-memory contract. */
void run_program(struct run_state *st);
/* Everything removed from strata-dp, the port closed, EAL down. */
void run_teardown(struct run_state *st);
/* strata-dp's totals now (a STATS event), 0 or -1. */
int run_dp_stats(struct run_state *st, struct strata_event_stats *out);

/* ---- run_traffic.c ------------------------------------------------------------ */

struct run_trial {
	double rate;                /* offered inputs per second */
	double seconds;
	/* results */
	uint64_t offered, sent_ok;  /* inputs tried, inputs the port took */
	uint64_t expected, received;/* outputs */
	uint64_t gaps, bad;         /* continuity gaps; wrong outputs (any check) */
	uint64_t late;              /* outputs of an earlier trial seen in this one (not in received) */
	uint64_t backlog;           /* its own outputs that came over backlog_ms after its
				     * end (not in received: lost) */
	uint64_t rtcp;              /* strata-dp's RTCP to receivers (not counted) */
	double elapsed;             /* seconds the generator ran */
	double loss;                /* 1 - received / expected, outputs */
	struct hist *lat;           /* sampled latency, ns (caller's) */
};

/* Runs one trial, then drains for the stragglers.  Only its own inputs'
 * outputs count (run_loss.h, run_origin_of); bench_fail if a receiver ever
 * counts more than its inputs make. */
void run_trial(struct run_state *st, struct run_trial *t,
	       void (*progress)(void *arg, const struct run_trial *t, double done), void *arg);
/* Sends slowly until every subscription has its first outputs and a round
 * loses nothing, then resets the accounts; bench_fail after timeout_s. */
void run_warmup(struct run_state *st, double timeout_s);

#endif /* STRATA_RUN_BENCH_H */
