/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench fwd, inside.  One process holds a whole strata-dp without
 * its loops: EAL, a mempool, a net_null port, the tables, one worker and
 * the main lcore's command state (fwd_setup.c).  A "group" is one
 * publisher leg and F receiver legs of one profile, made with real
 * LEG_ADD / STREAM_ADD / SUB_ADD commands; fwd_traffic.c plays the clients
 * (libsrtp2) and the NIC and drives the worker's burst path, fwd_ceiling.c
 * does the same crypto with raw ipsec-mb, fwd_bench.c measures and
 * fwd_report.c prints.
 */
#ifndef STRATA_FWD_BENCH_H
#define STRATA_FWD_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include <srtp2/srtp.h>

#include "dp.h"
#include "main_lcore.h"

#define FWD_BURST DP_BURST         /* inputs per timed call, as rte_eth_rx_burst gives */
#define FWD_HDR_LEN 12             /* RTP fixed header */
#define FWD_MAX_FANOUT 1000
#define FWD_MIN_SIZE 16            /* RTP payload: a VP8 descriptor and header fit */
#define FWD_MAX_SIZE 1400          /* with the tag and headers, under a 1500 MTU */
#define FWD_BUF_STRIDE 2048        /* a packet buffer: payload, tag, room */
#define FWD_FRAME_PACKETS 8        /* RTP packets per video frame */
#define FWD_FIRST_TS 90000         /* the first frame's RTP timestamp */
#define FWD_MAX_LIST 3             /* default sizes and fan-outs, or one asked for */
#define FWD_SLICES 10              /* slices per cell and lane */
#define FWD_DISTURBED_US 100       /* see struct lane in fwd_bench.c */
#define FWD_STOCK (FWD_BURST * 128) /* frames made ahead for the timed bursts */

enum fwd_codec { FWD_CODEC_VP8, FWD_CODEC_H264 };

struct fwd_options {
	const struct strata_srtp_profile *profiles[STRATA_SRTP_PROFILE_COUNT];
	unsigned nprofiles;
	unsigned sizes[FWD_MAX_LIST], nsizes;
	unsigned fanouts[FWD_MAX_LIST], nfanouts;
	double duration;
	int core;                  /* -1: the last one allowed */
	int json;
	bool sw_checksum;
	bool no_ceiling;
	enum fwd_codec codec;
	int mbuf_cache;            /* -1: strata-dp's default (dataplane.pool.mbuf_cache) */
	bool meeting;              /* --mix meeting or meeting-vp9 (fwd_meeting.h) */
	bool meeting_dd;           /* ... with the dependency descriptor (meeting) */
	const char *capture;       /* its VP9 capture */
};

/* Outputs per second; the ceiling is NaN with --no-ceiling. */
struct fwd_result {
	double out_pps, ceiling_out_pps;
	double in_pps;             /* inputs per second; 0: out_pps / fan-out */
	/* --mix meeting: of those, the receivers' RTCP packets, and the
	 * retransmissions that answered their NACKs. */
	double rtcp_in_pps, rtx_out_pps;
};

/* Timed bursts, and how many were left out as descheduled. */
struct fwd_stats {
	uint64_t bursts, disturbed;
};

/* One publisher and its receivers, all of one SRTP profile. */
struct fwd_group {
	const struct strata_srtp_profile *profile;
	unsigned fanout;
	uint32_t pub_leg;          /* leg id */
	uint32_t first_recv_leg;   /* receivers' legs: first_recv_leg + r, r < fanout */
	uint32_t first_sub;        /* their subscriptions, likewise */
	uint32_t stream, source;
	struct strata_addr pub_local, pub_remote;
	uint16_t first_recv_remote_port; /* receiver r's client listens on + r */
	uint8_t recv_remote_ip[16];

	/* The publishing client: libsrtp2 with its own copy of the keys. */
	srtp_t client;
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	uint16_t picture_id;
	uint8_t tl0;
	unsigned frame_packet;     /* position in the current frame */
	bool keyframe_sent;
	/* Its frames' Ethernet, IPv4 and UDP headers for payloads of hdr_size. */
	uint8_t hdr[42];
	unsigned hdr_size;

	/* The receivers' keys, kept to check their first outputs. */
	struct strata_keying *recv_keys; /* fanout of them */
	bool verified;
};

struct fwd_ctx {
	struct dp dp;
	struct dp_config cfg;
	struct dp_port_config port_cfg;
	struct dp_main mn;
	struct dp_worker *w;
	struct dp_iface client_ifc;         /* the wire seen from the gateway */
	uint8_t gateway_mac[6];
	uint16_t port_id;
	bool sw_checksum;
	bool checksum_modelled;             /* tx offload set by the bench (net_null has none) */
	bool hugepages;                     /* EAL memory on hugepages (else --no-huge) */
	enum fwd_codec codec;
	uint32_t cmd_seq;
	unsigned core;

	/* Plaintext RTP packets of one burst, rewritten for every burst. */
	uint8_t *plain;                     /* FWD_BURST * FWD_BUF_STRIDE */
	unsigned plain_len[FWD_BURST];
	unsigned size;                      /* RTP payload bytes of the current cell */

	/* Whole frames the client made ahead for one group and size, which
	 * the timed bursts take by a copy into mbufs (fwd_traffic.c). */
	uint8_t *stock;                     /* FWD_STOCK * FWD_BUF_STRIDE */
	uint16_t stock_len[FWD_STOCK];
	unsigned stock_next, stock_count;
	const struct fwd_group *stock_group;
	unsigned stock_size;
};

/* ---- fwd_setup.c ------------------------------------------------------------ */

struct fwd_setup_params {
	unsigned core;              /* the worker's core: EAL's only lcore */
	bool sw_checksum;
	enum fwd_codec codec;
	int mbuf_cache;             /* -1: strata-dp's default */
	uint32_t max_legs, max_subs, max_streams;
};

/* Everything up, or bench_fail with what to do.  Call once. */
void fwd_setup(struct fwd_ctx *x, const struct fwd_setup_params *p);
/* Everything down, EAL included, runtime files and shared memory removed. */
void fwd_teardown(struct fwd_ctx *x);
/* Creates a group's legs, stream and subscriptions through dp_command_apply,
 * and its publishing client. */
void fwd_group_create(struct fwd_ctx *x, struct fwd_group *g, uint32_t *next_leg,
		      uint32_t *next_stream, uint32_t *next_sub);
void fwd_group_free(struct fwd_group *g);
/* Applies a command as the main lcore does; bench_fail unless it succeeds. */
void fwd_command(struct fwd_ctx *x, struct strata_cmd *cmd);

/* ---- fwd_traffic.c ---------------------------------------------------------- */

/* Fills the burst's plaintext payloads for RTP payloads of `size` bytes. */
void fwd_traffic_size(struct fwd_ctx *x, unsigned size);
/*
 * Untimed, the "NIC": n fresh mbufs holding Ethernet/IPv4/UDP frames to the
 * publisher leg, each an SRTP packet the client protected with the next
 * sequence numbers.
 */
void fwd_traffic_inputs(struct fwd_ctx *x, struct fwd_group *g, struct rte_mbuf **m, unsigned n);
/* One timed burst through the worker: returns TSC ticks of the timed part. */
uint64_t fwd_traffic_burst(struct fwd_ctx *x, struct fwd_group *g);
/* Like fwd_traffic_burst, untimed, decrypting and checking every output
 * as the receivers would, and the worker's counters; bench_fail on any
 * difference. */
void fwd_traffic_verify(struct fwd_ctx *x, struct fwd_group *g);
/* Drains the worker's notifications to the main lcore (untimed). */
void fwd_traffic_drain(struct fwd_ctx *x);
/* Checks that every input of the last interval was forwarded to every
 * receiver and nothing was dropped: bench_fail otherwise. */
void fwd_traffic_check(struct fwd_ctx *x, const struct fwd_group *g,
		       const struct dp_counters *before, uint64_t inputs,
		       unsigned mbufs_in_use_before);

/* ---- fwd_ceiling.c ---------------------------------------------------------- */

struct fwd_ceiling;

/* The crypto of the group's forwarding, with the legs' own keys. */
struct fwd_ceiling *fwd_ceiling_open(struct fwd_ctx *x, const struct fwd_group *g);
void fwd_ceiling_close(struct fwd_ceiling *c);
/* One timed burst: FWD_BURST decrypts and FWD_BURST * F encrypts. */
uint64_t fwd_ceiling_burst(struct fwd_ceiling *c);

/* ---- fwd_report.c ----------------------------------------------------------- */

/* out / ceiling; NaN without a ceiling (JSON null, "-" in the table). */
double fwd_ratio(const struct fwd_result *r);
/* res: [profile][size][fanout], FWD_MAX_LIST x FWD_MAX_LIST per profile. */
void fwd_report_table(const struct fwd_options *o, const struct fwd_ctx *x, const char *cpu,
		      const struct fwd_stats *st, const struct fwd_result *res);
void fwd_report_json(const struct fwd_options *o, const struct fwd_ctx *x, const char *cpu,
		     const struct fwd_stats *st, const struct fwd_result *res);

#endif /* STRATA_FWD_BENCH_H */
