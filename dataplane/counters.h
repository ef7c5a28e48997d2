/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every way strata-dp disposes of a packet, in one list.
 *
 * Each received packet ends in exactly one disposition: forwarded (it
 * produced at least one output), punted to strata-cp, handed to another
 * worker (handoff) or to the main lcore (slowpath: ARP, ND, ICMP), replied
 * to by the main lcore, or dropped for one of the reasons below.  Per lcore,
 * at every burst boundary:
 *
 *     rx + handoff_in + slowpath_in =
 *         forwarded + punted + replied + handoff_out + slowpath_out + drops
 *
 * and over all lcores, rx = forwarded + punted + replied + drops + in flight,
 * where in flight = (handoff_out - handoff_in) + (slowpath_out - slowpath_in).
 *
 * Outputs (one input can make many) have their own account: every output a
 * worker builds is sent or dropped for one of the DP_TX_DROP reasons.
 *
 * Counters have one writer (their worker) and are read by snapshot.
 */
#ifndef STRATA_DP_COUNTERS_H
#define STRATA_DP_COUNTERS_H

#include <stdint.h>

#include "rtcp/rtcp_error.h"
#include "rtcp/rtcp.h"
#include "rtcp_counters.h"
#include "srtp/srtp_status.h"

/* Why an input packet was dropped: enum name, counter name. */
#define DP_FOREACH_DROP(_)                                                     \
	_(ETH_TRUNCATED, "eth_truncated")         /* shorter than its L2 header */ \
	_(ETH_NOT_FOR_US, "eth_not_for_us")       /* another unicast MAC */     \
	_(VLAN_MISMATCH, "vlan_mismatch")         /* tag absent, extra or other */ \
	_(ETHERTYPE_UNKNOWN, "ethertype_unknown")                              \
	_(ARP_INVALID, "arp_invalid")             /* not Ethernet/IPv4 ARP */   \
	_(ARP_NOT_FOR_US, "arp_not_for_us")                                    \
	_(IPV4_TRUNCATED, "ipv4_truncated")                                    \
	_(IPV4_BAD_HEADER, "ipv4_bad_header")     /* version, IHL, total length */ \
	_(IPV4_BAD_CHECKSUM, "ipv4_bad_checksum")                              \
	_(IPV4_OPTIONS, "ipv4_options")           /* media never carries them */ \
	_(IPV4_FRAGMENT, "ipv4_fragment")         /* SRTP is not fragmented */ \
	_(IPV4_NOT_FOR_US, "ipv4_not_for_us")                                  \
	_(IPV6_TRUNCATED, "ipv6_truncated")                                    \
	_(IPV6_BAD_HEADER, "ipv6_bad_header")     /* version, payload length */ \
	_(IPV6_EXT_HEADER, "ipv6_ext_header")     /* extension headers unsupported */ \
	_(IPV6_NOT_FOR_US, "ipv6_not_for_us")                                  \
	_(L4_UNSUPPORTED, "l4_unsupported")       /* neither UDP nor ICMP(v6) */ \
	_(ICMP_UNSUPPORTED, "icmp_unsupported")   /* not echo / NS / NA */      \
	_(ICMP_INVALID, "icmp_invalid")           /* truncated or bad checksum */ \
	_(UDP_TRUNCATED, "udp_truncated")                                      \
	_(UDP_BAD_LENGTH, "udp_bad_length")       /* length field vs IP length */ \
	_(UDP_BAD_CHECKSUM, "udp_bad_checksum")                                \
	_(UDP_NO_CHECKSUM_V6, "udp_no_checksum_v6") /* zero checksum over IPv6 */ \
	_(SLOWPATH_FULL, "slowpath_full")         /* ARP/ND/ICMP queue full */  \
	_(PUNT_FULL, "punt_full")                 /* ring to strata-cp full */  \
	_(PUNT_TOO_BIG, "punt_too_big")           /* over a punt slot (2048 B) */ \
	_(HANDOFF_FULL, "handoff_full")           /* ring to the owning worker full */ \
	_(LEG_GONE, "leg_gone")                   /* leg deleted while in flight */ \
	_(SPOOFED_SOURCE, "spoofed_source")       /* not the leg's remote, no latch */ \
	_(RTP_INVALID, "rtp_invalid")             /* not RTP/RTCP after demux */ \
	_(UNKNOWN_SSRC, "unknown_ssrc")           /* no stream of this leg */  \
	_(SRTP_FAILED, "srtp_failed")             /* unprotect refused: see srtp_* */ \
	_(RTCP_CONSUMED, "rtcp_consumed")         /* authenticated RTCP not forwarded */ \
	_(RTCP_INVALID, "rtcp_invalid")           /* authenticated, unparsable: see rtcp_err_* */ \
	_(RTX_CONSUMED, "rtx_consumed")           /* publisher's RTX repair: into the cache only, nobody waited */ \
	_(RTX_INVALID, "rtx_invalid")             /* RTX without an OSN, or not the stream's RTX PT */ \
	_(RTX_DUPLICATE, "rtx_duplicate")         /* repair of a packet the cache has */ \
	_(RTX_UNCACHED, "rtx_uncached")           /* repair the cache could not take (budget, newer in its slot) */ \
	_(RTX_STALE, "rtx_stale")                 /* repair of a frame under a replaced DD structure */ \
	_(NOT_VIDEO_PAYLOAD, "bad_payload")       /* codec payload header unparsable */ \
	_(NO_SUBSCRIBERS, "no_subscribers")       /* nobody receives this source */ \
	_(LAYER_FILTERED, "layer_filtered")       /* every receiver's layers exclude it */ \
	_(OTHER_ENCODING, "other_encoding")       /* no receiver gets this simulcast encoding */ \
	_(WAITING_KEYFRAME, "waiting_keyframe")   /* receivers wait for a keyframe */ \
	_(TOO_LATE, "too_late")                   /* older than the rewrite window */ \
	_(PADDING_ONLY, "padding_only")           /* RTP padding, no media: nobody needs it */ \
	_(DD_INVALID, "dd_invalid")               /* dependency descriptor missing or refused */

/* Why an output packet (one receiver's copy) was not sent. */
#define DP_FOREACH_TX_DROP(_)                                                  \
	_(NO_MBUF, "no_mbuf")                     /* output pool empty */        \
	_(NO_NEIGHBOR, "no_neighbor")             /* next hop not resolved yet */ \
	_(NO_REMOTE, "no_remote")                 /* receiver's address unknown */ \
	_(TOO_BIG, "too_big")                     /* over the port's MTU */      \
	_(SRTP_PROTECT, "srtp_protect")           /* protect refused (key expired...) */ \
	_(TX_FULL, "tx_full")                     /* NIC queue did not take it */ \
	_(FANOUT_FULL, "fanout_full")             /* ring to another worker full */

enum dp_drop {
#define DP_DROP_ENUM(name, str) DP_DROP_##name,
	DP_FOREACH_DROP(DP_DROP_ENUM)
#undef DP_DROP_ENUM
	DP_DROP_COUNT
};

enum dp_tx_drop {
#define DP_TX_DROP_ENUM(name, str) DP_TX_DROP_##name,
	DP_FOREACH_TX_DROP(DP_TX_DROP_ENUM)
#undef DP_TX_DROP_ENUM
	DP_TX_DROP_COUNT
};

/* One lcore's counters: written by that lcore only. */
struct dp_counters {
	uint64_t rx_packets;       /* from the NIC */
	uint64_t rx_bytes;
	uint64_t handoff_in;       /* from other workers' rings */
	uint64_t slowpath_in;      /* main lcore: from the workers' slow-path rings */
	uint64_t forwarded;
	uint64_t punted;
	uint64_t replied;          /* main lcore: ARP, ND, ICMP echo answered */
	uint64_t handoff_out;
	uint64_t slowpath_out;
	uint64_t drop[DP_DROP_COUNT];
	/* Unprotect outcomes behind DP_DROP_SRTP_FAILED, by SRTP status. */
	uint64_t srtp_rx[STRATA_SRTP_STATUS_COUNT];
	uint64_t tx_packets;       /* outputs sent */
	uint64_t tx_bytes;
	uint64_t tx_drop[DP_TX_DROP_COUNT];
	uint64_t fanout_in;        /* shares of inputs from other workers */
	uint64_t notify_dropped;   /* notifications to the main lcore lost */
	/* RTCP (rtcp_counters.h); the refusals behind DP_DROP_RTCP_INVALID by
	 * parser error; the items read, by type. */
	uint64_t rtcp[DP_RTCP_COUNTER_COUNT];
	uint64_t rtcp_err[DP_RTCP_ERROR_COUNT];
	uint64_t rtcp_items[DP_RTCP_ITEM_TYPE_COUNT];
};

const char *dp_drop_name(enum dp_drop d);
const char *dp_tx_drop_name(enum dp_tx_drop d);

#endif /* STRATA_DP_COUNTERS_H */
