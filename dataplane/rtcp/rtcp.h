/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading RTCP: a compound (RFC 3550 section 6.1) or reduced-size (RFC 5506)
 * packet, already SRTCP-decrypted and without the SRTCP trailer, as a
 * sequence of typed items.
 *
 * Everything here works on a byte buffer and its length, never reads past
 * that length, never writes and never allocates.  An item describes one
 * individual RTCP packet; its variable-length parts (report blocks, SDES
 * chunks, NACK pairs, FIR entries, REMB SSRCs, TWCC chunks and deltas) stay
 * in the buffer and are read through the accessors below, rtcp_fb.h and
 * rtcp_twcc.h.  Every item the iterator returns has been checked whole, so
 * those accessors cannot run past it.
 *
 * A packet whose later part is bad: the iterator returns each individual
 * packet as soon as that packet has been checked, and stops at the first
 * one that fails, with the reason in it->err.  The items already returned
 * stand: RFC 3550 section 6.1 says "Each individual RTCP packet in the
 * compound packet may be processed independently with no requirements upon
 * the order or combination of packets", the compound arrived authenticated
 * by SRTCP (so a bad tail is a sender's bug, not a splice), and a PLI or
 * NACK that arrived intact should not be lost to a broken REMB after it.
 * Nothing after the bad packet is read, even when its length field looked
 * sound: a packet that lies about its contents casts doubt on what
 * follows.  A caller that wants all or nothing calls dp_rtcp_validate()
 * first.
 *
 * The first packet: RFC 3550 requires an SR or RR first in every compound
 * packet; RFC 5506 lets a session that negotiated reduced-size RTCP
 * (a=rtcp-rsize, which WebRTC always offers) send a feedback message alone.
 * By default any type may come first; DP_RTCP_REQUIRE_REPORT_FIRST restores
 * RFC 3550's rule for legs that did not negotiate reduced size.
 *
 * Leniencies, each on purpose: unknown packet types and feedback formats
 * are returned as items, not refused (RFC 3550 section 6.1: "An
 * implementation SHOULD ignore incoming RTCP packets with types unknown to
 * it"), so the caller can count them; bytes after the last report block,
 * SDES chunk or BYE reason are allowed (profile-specific extensions and
 * zero padding); a PLI with FCI is a PLI (RFC 4585 forbids the FCI, but
 * nothing in it changes the meaning); padding is accepted on any packet
 * (RFC 3550 asks only the last to carry it).
 */
#ifndef STRATA_DP_RTCP_H
#define STRATA_DP_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtcp_error.h"

/*
 * The longest individual RTCP packet: the 16-bit length field counts
 * 32-bit words minus one.  (A compound packet is as long as its datagram.)
 */
#define DP_RTCP_MAX_PACKET_LEN (65536u * 4)

enum dp_rtcp_item_type {
	DP_RTCP_ITEM_SR,       /* 200: item.report, with sender info */
	DP_RTCP_ITEM_RR,       /* 201: item.report */
	DP_RTCP_ITEM_SDES,     /* 202: item.sdes */
	DP_RTCP_ITEM_BYE,      /* 203: item.bye */
	DP_RTCP_ITEM_APP,      /* 204: item.app (contents not interpreted) */
	DP_RTCP_ITEM_NACK,     /* 205 FMT 1: item.nack */
	DP_RTCP_ITEM_TWCC,     /* 205 FMT 15: item.twcc */
	DP_RTCP_ITEM_PLI,      /* 206 FMT 1: item.fb */
	DP_RTCP_ITEM_FIR,      /* 206 FMT 4: item.fir */
	DP_RTCP_ITEM_REMB,     /* 206 FMT 15 with 'REMB': item.remb */
	DP_RTCP_ITEM_FB_OTHER, /* any other RTPFB or PSFB message: item.fb */
	DP_RTCP_ITEM_UNKNOWN,  /* any other packet type (XR, ...): body only */
	DP_RTCP_ITEM_TYPE_COUNT
};

/* RFC 3550 section 6.4.1: the sender information of an SR. */
struct dp_rtcp_sender_info {
	uint64_t ntp;          /* NTP timestamp: seconds since 1900 << 32 | fraction */
	uint32_t rtp_ts;       /* RTP timestamp of the same instant */
	uint32_t packet_count; /* sender's packet count */
	uint32_t octet_count;  /* sender's octet count (payload octets) */
};

/* RFC 3550 section 6.4.1: one reception report block. */
struct dp_rtcp_report_block {
	uint32_t ssrc;            /* SSRC_n, the source reported on */
	uint8_t fraction_lost;    /* lost/expected since the last report, * 256 */
	int32_t cumulative_lost;  /* 24-bit signed: -8388608 .. 8388607 */
	uint32_t ext_highest_seq; /* cycles << 16 | highest sequence number */
	uint32_t jitter;          /* interarrival jitter, RTP timestamp units */
	uint32_t lsr;             /* middle 32 bits of the last SR's NTP time */
	uint32_t dlsr;            /* delay since that SR, 1/65536 s */
};

/* SR and RR.  The blocks are read with dp_rtcp_report_block(). */
struct dp_rtcp_report {
	struct dp_rtcp_sender_info si; /* SR only; zero in an RR */
	uint8_t n_blocks;              /* RC */
	const uint8_t *blocks;         /* n_blocks * 24 octets */
	const uint8_t *ext;            /* profile-specific extension, or NULL */
	uint32_t ext_len;
};

/* SDES: SC chunks, walked with dp_rtcp_sdes_next(). */
struct dp_rtcp_sdes {
	uint8_t n_chunks; /* SC */
	const uint8_t *chunks;
	const uint8_t *end;
};

struct dp_rtcp_sdes_chunk {
	uint32_t ssrc;        /* SSRC/CSRC of the chunk */
	bool has_cname;       /* a CNAME item was present (the first one wins) */
	uint8_t cname_len;    /* 0 to 255 */
	const uint8_t *cname; /* not NUL-terminated; NULL without CNAME */
};

/* Where dp_rtcp_sdes_next() is in an SDES item; start it zeroed. */
struct dp_rtcp_sdes_cursor {
	uint32_t off;  /* octets of chunks already walked */
	uint8_t index; /* chunks already returned */
};

/* BYE: SC SSRCs and an optional reason. */
struct dp_rtcp_bye {
	uint8_t n_ssrcs;       /* SC */
	const uint8_t *ssrcs;  /* n_ssrcs * 4 octets, read with dp_rtcp_bye_ssrc() */
	uint8_t reason_len;
	const uint8_t *reason; /* not NUL-terminated; NULL without a reason */
};

/* APP: skipped, but named so that the caller can count it. */
struct dp_rtcp_app {
	uint8_t subtype; /* the 5-bit field of the first octet */
	uint8_t name[4]; /* four ASCII characters */
	const uint8_t *data;
	uint32_t data_len;
};

/* What every RTPFB and PSFB message carries (RFC 4585 section 6.1). */
struct dp_rtcp_fb {
	uint32_t media_ssrc; /* "SSRC of media source" (the sender is item.ssrc) */
	const uint8_t *fci;  /* Feedback Control Information */
	uint32_t fci_len;
};

/* Generic NACK: n_pairs PID/BLP words (rtcp_fb.h expands them). */
struct dp_rtcp_nack {
	uint32_t media_ssrc;
	uint32_t n_pairs;
	const uint8_t *pairs;
};

/* FIR: n_entries SSRC + sequence number entries (rtcp_fb.h reads them). */
struct dp_rtcp_fir {
	uint32_t media_ssrc; /* unused by RFC 5104, 0 by convention */
	uint32_t n_entries;
	const uint8_t *entries;
};

/*
 * The most SSRCs a REMB may list.  The field allows 255; a receiver lists
 * the video SSRCs it receives over the transport, which for a receiver of
 * this router is at most a gallery's tiles times their simulcast encodings.
 * Anything longer is garbage, and the cap lets callers keep the list in a
 * fixed array.
 */
#define DP_RTCP_REMB_MAX_SSRCS 64

/* REMB, draft-alvestrand-rmcat-remb-03 section 2.2. */
struct dp_rtcp_remb {
	uint32_t media_ssrc;  /* always 0 by the draft */
	uint64_t bitrate_bps; /* mantissa << exp */
	uint8_t exp;          /* BR Exp, 0 .. 63 */
	uint32_t mantissa;    /* BR Mantissa, 18 bits */
	uint8_t n_ssrcs;      /* Num SSRC, at most DP_RTCP_REMB_MAX_SSRCS */
	const uint8_t *ssrcs; /* read with dp_rtcp_remb_ssrc() */
};

/*
 * Transport-wide congestion control feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1).  The
 * per-packet statuses and arrival times come from rtcp_twcc.h.
 */
struct dp_rtcp_twcc {
	uint32_t media_ssrc;
	uint16_t base_seq;         /* transport-wide sequence number of the first */
	uint16_t status_count;     /* packets described, 1 .. 65535 */
	int32_t reference_time;    /* 24-bit signed, in units of 64 ms */
	uint8_t fb_count;          /* feedback packet count */
	uint32_t n_chunks;         /* chunks that cover status_count */
	uint32_t n_received;       /* statuses with a receive delta */
	const uint8_t *chunks;     /* n_chunks * 2 octets */
	const uint8_t *deltas;     /* the receive deltas, right after the chunks */
	const uint8_t *end;        /* end of the FCI (padding excluded) */
};

/* One individual RTCP packet. */
struct dp_rtcp_item {
	enum dp_rtcp_item_type type;
	uint8_t pt;            /* packet type */
	uint8_t count;         /* the header's 5-bit field: RC, SC, FMT or subtype */
	bool padded;           /* P was set (the padding is excluded from body) */
	uint32_t off;          /* where the packet starts in the buffer */
	uint32_t len;          /* its whole length, header and padding included */
	uint32_t ssrc;         /* the first SSRC after the header: the sender of
				* SR, RR, APP and feedback; the first chunk's or
				* the first listed SSRC of SDES and BYE; else 0 */
	const uint8_t *body;   /* what follows the 4-octet header ... */
	uint32_t body_len;     /* ... up to the padding */
	union {
		struct dp_rtcp_report report; /* SR, RR */
		struct dp_rtcp_sdes sdes;
		struct dp_rtcp_bye bye;
		struct dp_rtcp_app app;
		struct dp_rtcp_fb fb;         /* PLI, FB_OTHER */
		struct dp_rtcp_nack nack;
		struct dp_rtcp_fir fir;
		struct dp_rtcp_remb remb;
		struct dp_rtcp_twcc twcc;
	};
};

/* dp_rtcp_iter_init() flags. */
enum {
	/* Refuse a first packet that is not SR or RR (FIRST_NOT_REPORT). */
	DP_RTCP_REQUIRE_REPORT_FIRST = 1u << 0,
};

struct dp_rtcp_iter {
	const uint8_t *p;
	uint32_t len;
	uint32_t off;         /* where the next packet starts */
	uint32_t n_items;     /* items returned so far */
	unsigned flags;
	enum dp_rtcp_error err; /* why the iteration ended (OK: at the end) */
	bool done;
};

/* Starts an iteration over the `len` octets at `p`. */
void dp_rtcp_iter_init(struct dp_rtcp_iter *it, const uint8_t *p, uint32_t len,
		       unsigned flags);

/*
 * Fills *item with the next individual packet and returns true; or returns
 * false at the end, with it->err OK after the last packet or the reason the
 * next one was refused.  Once it has returned false it keeps returning
 * false.  An empty buffer is refused (TRUNCATED): RTCP has no empty packet.
 */
bool dp_rtcp_next(struct dp_rtcp_iter *it, struct dp_rtcp_item *item);

/* Checks every packet; OK only if the iterator would end cleanly. */
enum dp_rtcp_error dp_rtcp_validate(const uint8_t *p, uint32_t len, unsigned flags);

/*
 * Parses the one individual packet at the start of `len` octets into *item
 * (off = 0) and stores its length, padding included, in *consumed.  The
 * iterator is a loop around this.
 */
enum dp_rtcp_error dp_rtcp_parse_one(const uint8_t *p, uint32_t len, struct dp_rtcp_item *item,
				     uint32_t *consumed);

/* The name of an item type ("nack"), or "unknown". */
const char *dp_rtcp_item_type_name(int type);

/* Report block i (0 .. n_blocks - 1) of an SR or RR; false past the end. */
bool dp_rtcp_report_block(const struct dp_rtcp_report *r, unsigned i,
			  struct dp_rtcp_report_block *rb);

/* Decodes / encodes the 24 octets of a report block at p. */
void dp_rtcp_report_block_read(const uint8_t *p, struct dp_rtcp_report_block *rb);
void dp_rtcp_report_block_write(uint8_t *p, const struct dp_rtcp_report_block *rb);

/*
 * The next chunk of an SDES item: fills *c and returns true, or returns
 * false after the last chunk.  Items other than CNAME are skipped.
 */
bool dp_rtcp_sdes_next(const struct dp_rtcp_sdes *s, struct dp_rtcp_sdes_cursor *cur,
		       struct dp_rtcp_sdes_chunk *c);

/* SSRC i (0 .. n_ssrcs - 1) of a BYE, or 0 past the end. */
uint32_t dp_rtcp_bye_ssrc(const struct dp_rtcp_bye *b, unsigned i);

#endif /* STRATA_DP_RTCP_H */
