/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour table: IPv4 (ARP) and IPv6 (ND) next hops and their MACs.
 *
 * A fixed array of entries addressed by index (0 is never an entry), sized
 * when it is created.  The main lcore is the only writer: it creates
 * entries when a leg needs a next hop (dp_neighbor_resolve), learns MACs
 * from ARP and ND (dp_neighbor_learn), and sends requests from its timer
 * (dp_neighbor_tick).  Workers keep an entry's index (in the leg) and read
 * the MAC lock-free with dp_neighbor_mac: the MAC and its valid bit are one
 * 64-bit atomic word, so a reader sees either the old MAC or the new one.
 *
 * Entries are never freed or reused: an index a worker holds always names
 * the same (port, address).  Next hops are few (gateways and on-link
 * clients); size the table for the on-link clients a port may see.
 *
 * States (a simplification of RFC 4861 section 7.3.2 that also serves ARP):
 *
 *   INCOMPLETE  no MAC yet; a request goes out every second, three times,
 *               then with a doubling interval up to 30 s, until an answer.
 *   REACHABLE   MAC valid, confirmed by an ARP/ND message less than 60 s
 *               ago.
 *   STALE       MAC valid, confirmation older than 60 s: refreshed with
 *               requests as INCOMPLETE is, while the MAC stays in use (a
 *               lost reply must not black-hole media; a moved neighbour
 *               answers, or announces itself, and is learnt).
 *   STATIC      configured; never changed by what the network says.
 *
 * Times are in any unit the caller chooses (TSC cycles on the main lcore);
 * `hz` given at init says how many make a second.
 */
#ifndef STRATA_DP_NET_NEIGHBOR_H
#define STRATA_DP_NET_NEIGHBOR_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <strata/messages.h>

#include "iface.h"

enum dp_neighbor_state {
	DP_NEIGHBOR_FREE = 0,
	DP_NEIGHBOR_INCOMPLETE,
	DP_NEIGHBOR_REACHABLE,
	DP_NEIGHBOR_STALE,
	DP_NEIGHBOR_STATIC,
};

/* mac_state: the MAC in bits 0..47 (mac[0] in bits 40..47), valid bit 48. */
#define DP_NEIGHBOR_MAC_VALID (1ull << 48)

#define DP_NEIGHBOR_FAST_REQUESTS 3   /* one a second, then back off */
#define DP_NEIGHBOR_BACKOFF_MAX_S 30  /* seconds between requests at most */
#define DP_NEIGHBOR_REACHABLE_S 60    /* refresh a confirmation this old */

struct dp_neighbor {
	_Atomic uint64_t mac_state; /* [main] writes, [workers] read */
	uint64_t last_seen;         /* last confirmation (learn) [main] */
	uint64_t last_request;      /* [main] */
	uint16_t port_id;
	uint8_t family;             /* STRATA_AF_INET or STRATA_AF_INET6 */
	uint8_t state;              /* enum dp_neighbor_state [main] */
	uint8_t requests;           /* sent since the last answer, saturating */
	uint8_t pad[3];
	uint8_t ip[16];
};

struct dp_neighbor_table {
	uint32_t capacity; /* entries 1..capacity */
	uint32_t used;     /* entries 1..used are in use */
	uint64_t hz;       /* time units per second */
	struct dp_neighbor entries[]; /* capacity + 1 */
};

/* Bytes to allocate for a table of `capacity` entries. */
size_t dp_neighbor_table_size(uint32_t capacity);

/* Initialises a zeroed or reused allocation of dp_neighbor_table_size(). */
void dp_neighbor_table_init(struct dp_neighbor_table *tbl, uint32_t capacity, uint64_t hz);

/* The entry of (port, family, ip), or 0. */
uint32_t dp_neighbor_lookup(const struct dp_neighbor_table *tbl, uint16_t port,
			    uint8_t family, const uint8_t *ip);

/*
 * The entry of (port, family, ip), created INCOMPLETE when there is none:
 * then *send_request is set, and the caller sends the first ARP request or
 * neighbour solicitation now (the entry counts it as sent at `now`).
 * Returns 0 when the table is full or the family is not INET/INET6.
 */
uint32_t dp_neighbor_resolve(struct dp_neighbor_table *tbl, uint16_t port, uint8_t family,
			     const uint8_t *ip, uint64_t now, bool *send_request);

/*
 * Records that (port, family, ip) is at mac, confirmed at `now`: the entry
 * (created if need be) becomes REACHABLE, unless it is STATIC.  Returns the
 * entry, or 0 when the table is full or the family is not INET/INET6.
 */
uint32_t dp_neighbor_learn(struct dp_neighbor_table *tbl, uint16_t port, uint8_t family,
			   const uint8_t *ip, const uint8_t mac[6], uint64_t now);

/* A configured neighbour: STATIC, whatever the entry was.  0 when full. */
uint32_t dp_neighbor_add_static(struct dp_neighbor_table *tbl, uint16_t port, uint8_t family,
				const uint8_t *ip, const uint8_t mac[6]);

/* Sends one request (ARP request or NS) for entry idx. */
typedef void (*dp_neighbor_request_fn)(void *arg, uint32_t idx, const struct dp_neighbor *e);

/*
 * The timer, called by the main lcore (every 100 ms or so): asks `send`
 * for the requests that are due (see the states above) and moves
 * REACHABLE entries older than 60 s to STALE.  Returns the requests made.
 */
unsigned dp_neighbor_tick(struct dp_neighbor_table *tbl, uint64_t now,
			  dp_neighbor_request_fn send, void *arg);

/* The MAC of entry idx, for workers: false while it has none. */
static inline bool dp_neighbor_mac(const struct dp_neighbor_table *tbl, uint32_t idx,
				   uint8_t mac[6])
{
	if (idx == 0 || idx > tbl->capacity)
		return false;

	uint64_t v = atomic_load_explicit(&tbl->entries[idx].mac_state, memory_order_acquire);

	if (!(v & DP_NEIGHBOR_MAC_VALID))
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(v >> (40 - 8 * i));
	return true;
}

/*
 * The next hop towards dst on port ifc: dst itself when it is on one of
 * the port's connected prefixes, else the port's gateway of that family.
 * Writes it to out (16 bytes; IPv4 in out[0..3], the rest zero) and
 * returns 0; -1 when there is no route (no gateway) or dst is not a
 * unicast address.
 */
int dp_next_hop(const struct dp_iface *ifc, uint8_t family, const uint8_t *dst, uint8_t out[16]);

#endif /* STRATA_DP_NET_NEIGHBOR_H */
