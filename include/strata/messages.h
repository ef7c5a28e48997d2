/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The messages strata-cp and strata-dp exchange over the shared-memory rings
 * (ABI version STRATA_SHM_ABI_VERSION; see shm.h for the rings).
 *
 *   command ring   cp -> dp   struct strata_cmd, one per slot
 *   event ring     dp -> cp   struct strata_event, one per slot
 *   punt rings     dp -> cp   struct strata_packet: what strata-dp does not
 *                             own (STUN, DTLS, packets for unknown ports)
 *   tx ring        cp -> dp   struct strata_packet: UDP payloads strata-dp
 *                             sends for cp (STUN answers, DTLS records)
 *
 * Every struct is fixed-size, little-endian as laid out on x86-64, with
 * explicit padding; `[cp]` fields are written by strata-cp, `[dp]` by
 * strata-dp.  Addresses and ports are in network byte order in ip[] and in
 * host order in port.
 *
 * Identifiers are chosen by strata-cp and are indices into strata-dp's
 * pre-sized pools: leg ids in [1, max_legs], stream ids in [1, max_streams],
 * source ids in [1, max_sources], subscription ids in [1, max_subscriptions]
 * (the maxima are in the segment header).  0 is never a valid id.
 *
 * Every command gets exactly one STRATA_EVENT_CMD_RESULT with its `seq`.
 * Key material crosses the command ring once: strata-dp copies it into its
 * own state and wipes the slot before releasing it.
 */
#ifndef STRATA_MESSAGES_H
#define STRATA_MESSAGES_H

#include <stdint.h>

#define STRATA_CMD_SLOT_SIZE 256
#define STRATA_EVENT_SLOT_SIZE 256
#define STRATA_PACKET_MAX 2048
#define STRATA_PACKET_SLOT_SIZE (STRATA_PACKET_MAX + 64)

/* ---- shared pieces ------------------------------------------------------- */

enum strata_addr_family { STRATA_AF_NONE = 0, STRATA_AF_INET = 4, STRATA_AF_INET6 = 6 };

struct strata_addr {
	uint8_t family;  /* enum strata_addr_family */
	uint8_t pad;
	uint16_t port;   /* host byte order */
	uint8_t ip[16];  /* network byte order; IPv4 in ip[0..3] */
};

/* SRTP keying for one direction of a leg. */
struct strata_keying {
	uint8_t profile;          /* enum strata_srtp_profile_id (1..5) */
	uint8_t rtcp_unencrypted; /* SRTCP E=0 (authenticate only) */
	uint16_t replay_window;   /* packets; 0 = strata-dp's default */
	uint8_t key[32];          /* master key (16 or 32 bytes used) */
	uint8_t salt[14];         /* master salt (14, or 12 for AEAD) */
	uint8_t pad[2];
};

enum strata_media_kind { STRATA_MEDIA_AUDIO = 1, STRATA_MEDIA_VIDEO = 2 };

enum strata_codec {
	STRATA_CODEC_OPUS = 1,
	STRATA_CODEC_VP8 = 2,
	STRATA_CODEC_VP9 = 3,
	STRATA_CODEC_H264 = 4,
	STRATA_CODEC_AV1 = 5,
};

/* ---- commands (cp -> dp) ------------------------------------------------- */

enum strata_cmd_type {
	STRATA_CMD_LEG_ADD = 1,
	STRATA_CMD_LEG_DEL,
	STRATA_CMD_STREAM_ADD,
	STRATA_CMD_STREAM_DEL,
	STRATA_CMD_SUB_ADD,
	STRATA_CMD_SUB_DEL,
	STRATA_CMD_SUB_SET_LAYERS,
	STRATA_CMD_DUMP,          /* answer: DUMP_* events, then DUMP_END */
	STRATA_CMD_STATS,         /* answer: STATS and LEG_STATS events now */
	STRATA_CMD_LEG_SET_PREFS, /* a receiver's wishes for layer adaptation */
	STRATA_CMD_ROOM_SET_POLICY, /* a room's layer policy and speaker events */
	STRATA_CMD_TYPE_COUNT
};

/* A leg: one client's media 5-tuple with its SRTP keys per direction. */
struct strata_cmd_leg_add {
	uint32_t leg;
	uint32_t room;             /* legs of a room share a worker when they can */
	struct strata_addr local;  /* one of strata-dp's addresses, and a UDP port */
	struct strata_addr remote; /* the client's address; port 0 = not known yet */
	uint8_t latch;             /* the remote may move: learn it from packets
				    * that pass SRTP authentication */
	/* RFC 8285 id the client negotiated for the transport-wide sequence
	 * number (draft-holmer-rmcat-transport-wide-cc-extensions-01) on what
	 * strata-dp sends it, 0 = not negotiated.  With it, strata-dp stamps
	 * every packet it sends the leg and runs a delay- and loss-based
	 * bandwidth estimate on the client's transport-cc feedback; without
	 * it, REMB and receiver reports are the only estimate. */
	uint8_t ext_transport_cc;
	uint8_t pad[2];
	struct strata_keying rx;   /* what the client sends */
	struct strata_keying tx;   /* what strata-dp sends the client */
};

struct strata_cmd_leg_del {
	uint32_t leg;
};

/*
 * A stream: one SSRC a leg publishes.  Streams of one source are its
 * simulcast encodings (encoding 0 the lowest); a source with one stream is
 * plain (or SVC) media.  Receivers subscribe to sources.
 */
struct strata_cmd_stream_add {
	uint32_t stream;
	uint32_t source;
	uint32_t leg;            /* the publisher */
	uint32_t ssrc;
	uint32_t rtx_ssrc;       /* RFC 4588 retransmissions; 0 = none */
	uint32_t clock_rate;     /* Hz: 90000 video, 48000 Opus */
	uint8_t kind;            /* enum strata_media_kind */
	uint8_t codec;           /* enum strata_codec */
	uint8_t pt;              /* payload type */
	uint8_t rtx_pt;          /* 0 = none */
	uint8_t encoding;        /* simulcast encoding index, 0 = lowest */
	/* RFC 8285 header extension ids as the publisher negotiated them,
	 * 0 = not negotiated. */
	uint8_t ext_audio_level;          /* RFC 6464 */
	uint8_t ext_abs_send_time;
	uint8_t ext_transport_cc;
	uint8_t ext_dependency_descriptor; /* AV1 RTP spec appendix A */
	uint8_t ext_mid;
	uint8_t pad[2];
};

struct strata_cmd_stream_del {
	uint32_t stream;
};

/* A receiver leg gets a source, rewritten to its own SSRC. */
struct strata_cmd_sub_add {
	uint32_t sub;
	uint32_t leg;            /* the receiver */
	uint32_t source;
	uint32_t ssrc;           /* the SSRC the receiver sees */
	uint32_t rtx_ssrc;       /* 0 = the receiver has no RTX */
	uint8_t pt;              /* payload type the receiver expects */
	uint8_t rtx_pt;
	uint8_t spatial;         /* target: simulcast encoding or spatial layer */
	uint8_t temporal;        /* target temporal layer; 255 = all */
};

struct strata_cmd_sub_del {
	uint32_t sub;
};

/*
 * The layers a receiver may get at most (the cap).  Once strata-dp has a
 * bandwidth estimate for the receiver leg (REMB or transport-cc feedback),
 * the targets it applies are the cap lowered to what the estimate, the
 * leg's preferences and the room's policy allow; it reports every change
 * with STRATA_EVENT_LAYERS_CHANGED.  Before any feedback the targets are
 * the cap.  max_height and paused are wishes too (0 = none).
 */
struct strata_cmd_sub_set_layers {
	uint32_t sub;
	uint8_t spatial;
	uint8_t temporal;
	uint8_t paused;          /* the receiver does not want this video now */
	uint8_t pad;
	uint16_t max_height;     /* largest picture height wanted, 0 = any */
	uint16_t pad2;
};

/* A receiver's wishes that are not per subscription. */
struct strata_cmd_leg_set_prefs {
	uint32_t leg;
	uint8_t max_video_sources; /* video subscriptions served at once; 0 = all */
	uint8_t pad[3];
};

enum strata_layer_policy {
	STRATA_LAYER_POLICY_EQUAL_SHARE = 0, /* every video an equal share, in steps */
	STRATA_LAYER_POLICY_SPEAKER_FIRST,   /* the active speaker's video first */
};

/* A room's policy (rooms have it from their first leg; these are defaults). */
struct strata_cmd_room_set_policy {
	uint32_t room;
	uint8_t layer_policy;        /* enum strata_layer_policy: EQUAL_SHARE */
	uint8_t speaker_events_per_s; /* ACTIVE_SPEAKER events at most, 1..16; 0 = 2 */
	uint8_t pad[2];
};

struct strata_cmd {
	uint16_t type;   /* enum strata_cmd_type [cp] */
	uint16_t pad;
	uint32_t seq;    /* echoed in the CMD_RESULT event [cp] */
	union {
		struct strata_cmd_leg_add leg_add;
		struct strata_cmd_leg_del leg_del;
		struct strata_cmd_stream_add stream_add;
		struct strata_cmd_stream_del stream_del;
		struct strata_cmd_sub_add sub_add;
		struct strata_cmd_sub_del sub_del;
		struct strata_cmd_sub_set_layers sub_set_layers;
		struct strata_cmd_leg_set_prefs leg_set_prefs;
		struct strata_cmd_room_set_policy room_set_policy;
		uint8_t raw[STRATA_CMD_SLOT_SIZE - 8];
	} u;
};

/* ---- events (dp -> cp) --------------------------------------------------- */

enum strata_event_type {
	STRATA_EVENT_CMD_RESULT = 1,
	STRATA_EVENT_STATS,           /* dataplane totals, every second and on request */
	STRATA_EVENT_LEG_STATS,       /* one leg's counters */
	STRATA_EVENT_KEYFRAME_NEEDED, /* a receiver waits for a keyframe of a stream */
	STRATA_EVENT_STREAM_STARTED,  /* first authenticated packet of a stream */
	STRATA_EVENT_STREAM_STOPPED,  /* no packet for stream_timeout */
	STRATA_EVENT_LEG_LATCHED,     /* a leg's remote address was learnt or moved */
	STRATA_EVENT_DUMP_LEG,
	STRATA_EVENT_DUMP_STREAM,
	STRATA_EVENT_DUMP_SUB,
	STRATA_EVENT_DUMP_END,
	STRATA_EVENT_LAYERS_CHANGED,  /* bandwidth adaptation moved a subscription */
	STRATA_EVENT_ACTIVE_SPEAKER,  /* a room's speaker ranking or loudest changed */
	STRATA_EVENT_TYPE_COUNT
};

/* Why a command failed; 0 is success. */
enum strata_cmd_status {
	STRATA_CMD_OK = 0,
	STRATA_CMD_EINVAL,   /* malformed: bad id, family, profile, key... */
	STRATA_CMD_EEXIST,   /* the id (or the local address/port) is in use */
	STRATA_CMD_ENOENT,   /* no such leg, stream, source or subscription */
	STRATA_CMD_ENOSPC,   /* a pool or a per-leg table is full */
	STRATA_CMD_EADDR,    /* the local address is not one of strata-dp's */
	STRATA_CMD_EBUSY,    /* still referenced (e.g. a leg with streams) */
};

struct strata_event_cmd_result {
	uint32_t seq;
	uint16_t cmd_type;
	uint16_t status;     /* enum strata_cmd_status */
};

/* Dataplane totals.  rx_packets = forwarded + dropped + punted + replied +
 * in_flight holds exactly in every snapshot. */
struct strata_event_stats {
	uint64_t time_ns;       /* CLOCK_MONOTONIC of the snapshot */
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t forwarded;     /* inputs that produced at least one output */
	uint64_t dropped;       /* inputs dropped, all reasons */
	uint64_t punted;        /* inputs handed to strata-cp */
	uint64_t replied;       /* ARP, ND, ICMP answered */
	uint64_t in_flight;     /* between workers at the snapshot */
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t tx_dropped;    /* outputs lost: no mbuf, no neighbour, TX full */
	uint32_t legs, streams, subscriptions, workers;
	uint64_t mbufs_in_use;  /* packet buffers taken from the pool (leak checks) */
	uint64_t events_dropped; /* events lost to a full event ring */
	uint64_t pad[10];
};

struct strata_event_leg_stats {
	uint32_t leg;
	uint32_t pad;
	uint64_t rx_packets, rx_bytes, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_dropped;
	uint64_t srtp_auth_fail, srtp_replay;
	struct strata_addr remote;   /* as latched */
	/* Bandwidth estimate of what strata-dp may send the leg (bit/s), 0
	 * before any REMB or transport-cc feedback; bwe_source says which
	 * input bounds it: 0 none yet, 1 delay (transport-cc), 2 REMB, 3 loss. */
	uint32_t bwe_bps;
	uint8_t bwe_source;
	uint8_t pad2[3];
	uint64_t twcc_stamped;       /* packets sent with a transport-wide number */
	uint64_t twcc_feedbacks;     /* transport-cc feedback messages read */
	uint64_t remb_count;         /* REMB messages read */
	uint64_t twcc_unstamped;     /* packets sent without a number: no room
				      * under the MTU, or the publisher's header
				      * extension block could not take one */
	/* What the leg's receiver reports (RFC 3550 6.4.1) last said about the
	 * media strata-dp sends it; all 0 before the first report block. */
	uint64_t rr_blocks;          /* report blocks read */
	uint32_t rr_fraction_lost;   /* lost since its previous report, / 256 */
	int32_t rr_cumulative_lost;
	uint32_t rr_jitter;          /* interarrival jitter, RTP timestamp units */
	uint32_t pad3;
	int64_t rr_rtt_us;           /* from LSR/DLSR of our SRs; -1 unknown */
};

struct strata_event_stream {
	uint32_t stream;
	uint32_t source;
	uint32_t leg;
	uint32_t ssrc;
	uint64_t packets;
	uint64_t bytes;
	uint8_t audio_level;  /* last RFC 6464 level (-dBov), 127 = silence */
	uint8_t pad[7];
};

struct strata_event_keyframe_needed {
	uint32_t stream;
	uint32_t source;
	uint32_t ssrc;        /* the publisher's SSRC to send a PLI/FIR for */
	uint32_t sub;         /* the subscription that waits */
};

struct strata_event_leg_latched {
	uint32_t leg;
	uint32_t pad;
	struct strata_addr remote;
};

struct strata_event_dump_leg {
	uint32_t leg, room;
	struct strata_addr local, remote;
	uint8_t latch, rx_profile, tx_profile;
	uint8_t pad;
	uint16_t worker;
	uint16_t pad2;
};

struct strata_event_dump_sub {
	uint32_t sub, leg, source, ssrc;
	uint8_t spatial, temporal;   /* targets */
	uint8_t cur_spatial, cur_temporal;
};

/* The targets strata-dp applies to a subscription changed (adaptation). */
struct strata_event_layers_changed {
	uint32_t sub, leg;
	uint32_t estimate_bps;       /* the receiver leg's estimate */
	uint32_t bps;                /* what the new choice costs (measured) */
	uint8_t spatial, temporal;   /* the new targets */
	uint8_t cap_spatial, cap_temporal; /* SUB_SET_LAYERS */
	uint8_t on;                  /* 0: the policy left it out (off says why);
				      * it gets nothing meanwhile, and starts again
				      * from a keyframe when back on */
	uint8_t off;                 /* 1 limit or paused, 2 no layers, 3 bandwidth */
	uint8_t pad[2];
};

#define STRATA_SPEAKER_MAX_RANKED 56

/* A room's speakers, the loudest first (audio streams, RFC 6464 levels). */
struct strata_event_active_speaker {
	uint32_t room;
	uint32_t loudest_stream;     /* 0: none yet */
	uint32_t loudest_leg;
	uint8_t loudest_changed;     /* the loudest is new in this event */
	uint8_t n;                   /* streams in ranked[] */
	uint8_t pad[2];
	uint32_t ranked[STRATA_SPEAKER_MAX_RANKED]; /* stream ids, the loudest first */
};

struct strata_event {
	uint16_t type;   /* enum strata_event_type [dp] */
	uint16_t pad;
	uint32_t pad2;
	union {
		struct strata_event_cmd_result cmd_result;
		struct strata_event_stats stats;
		struct strata_event_leg_stats leg_stats;
		struct strata_event_stream stream;   /* STARTED, STOPPED, DUMP_STREAM */
		struct strata_event_keyframe_needed keyframe_needed;
		struct strata_event_leg_latched leg_latched;
		struct strata_event_dump_leg dump_leg;
		struct strata_event_dump_sub dump_sub;
		struct strata_event_layers_changed layers_changed;
		struct strata_event_active_speaker active_speaker;
		uint8_t raw[STRATA_EVENT_SLOT_SIZE - 8];
	} u;
};

/* ---- packets (punted dp -> cp, or sent cp -> dp) ------------------------- */

enum strata_packet_class {
	STRATA_PACKET_STUN = 1,  /* RFC 7983: first byte 0..3 */
	STRATA_PACKET_DTLS,      /* 20..63 */
	STRATA_PACKET_NO_LEG,    /* RTP/RTCP to a port no leg owns */
	STRATA_PACKET_OTHER,     /* any other first byte */
};

struct strata_packet {
	struct strata_addr local;   /* strata-dp's address and port */
	struct strata_addr remote;  /* the peer's */
	uint16_t len;               /* bytes of UDP payload in data */
	uint8_t class;              /* enum strata_packet_class (punted only) */
	uint8_t pad;
	uint16_t port_id;           /* DPDK port it arrived on (punted only) */
	uint16_t pad2;
	uint8_t pad3[16];
	uint8_t data[STRATA_PACKET_MAX];
};

_Static_assert(sizeof(struct strata_cmd) == STRATA_CMD_SLOT_SIZE, "command slot size");
_Static_assert(sizeof(struct strata_event) == STRATA_EVENT_SLOT_SIZE, "event slot size");
_Static_assert(sizeof(struct strata_packet) == STRATA_PACKET_SLOT_SIZE, "packet slot size");

#endif /* STRATA_MESSAGES_H */
