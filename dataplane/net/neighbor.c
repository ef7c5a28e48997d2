/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour table and next-hop choice: see neighbor.h.
 *
 * Everything here but dp_neighbor_mac runs on the main lcore only.
 * Lookups scan the entries in use: they happen when a leg is added and
 * when an ARP or ND message arrives, not per packet.
 */
#include <string.h>

#include "neighbor.h"

static inline bool family_ok(uint8_t family)
{
	return family == STRATA_AF_INET || family == STRATA_AF_INET6;
}

size_t dp_neighbor_table_size(uint32_t capacity)
{
	return sizeof(struct dp_neighbor_table) +
	       ((size_t)capacity + 1) * sizeof(struct dp_neighbor);
}

void dp_neighbor_table_init(struct dp_neighbor_table *tbl, uint32_t capacity, uint64_t hz)
{
	memset(tbl, 0, dp_neighbor_table_size(capacity));
	tbl->capacity = capacity;
	tbl->hz = hz != 0 ? hz : 1;
}

uint32_t dp_neighbor_lookup(const struct dp_neighbor_table *tbl, uint16_t port,
			    uint8_t family, const uint8_t *ip)
{
	if (!family_ok(family))
		return 0;

	unsigned n = dp_af_len(family);

	for (uint32_t i = 1; i <= tbl->used; i++) {
		const struct dp_neighbor *e = &tbl->entries[i];

		if (e->port_id == port && e->family == family && memcmp(e->ip, ip, n) == 0)
			return i;
	}
	return 0;
}

/* A new INCOMPLETE entry, or 0 when the table is full.  Workers only ever
 * read an entry's mac_state, by an index the main lcore gave them after
 * this returned, so the order of these stores does not matter to them. */
static uint32_t entry_add(struct dp_neighbor_table *tbl, uint16_t port, uint8_t family,
			  const uint8_t *ip)
{
	if (tbl->used >= tbl->capacity)
		return 0;

	uint32_t idx = ++tbl->used;
	struct dp_neighbor *e = &tbl->entries[idx];

	atomic_store_explicit(&e->mac_state, 0, memory_order_relaxed);
	e->last_seen = 0;
	e->last_request = 0;
	e->port_id = port;
	e->family = family;
	e->state = DP_NEIGHBOR_INCOMPLETE;
	e->requests = 0;
	memset(e->ip, 0, sizeof(e->ip));
	memcpy(e->ip, ip, dp_af_len(family));
	return idx;
}

static uint32_t lookup_or_add(struct dp_neighbor_table *tbl, uint16_t port, uint8_t family,
			      const uint8_t *ip)
{
	if (!family_ok(family))
		return 0;

	uint32_t idx = dp_neighbor_lookup(tbl, port, family, ip);

	return idx != 0 ? idx : entry_add(tbl, port, family, ip);
}

static void mac_store(struct dp_neighbor *e, const uint8_t mac[6])
{
	uint64_t v = DP_NEIGHBOR_MAC_VALID;

	for (int i = 0; i < 6; i++)
		v |= (uint64_t)mac[i] << (40 - 8 * i);
	atomic_store_explicit(&e->mac_state, v, memory_order_release);
}

uint32_t dp_neighbor_resolve(struct dp_neighbor_table *tbl, uint16_t port, uint8_t family,
			     const uint8_t *ip, uint64_t now, bool *send_request)
{
	*send_request = false;
	if (!family_ok(family))
		return 0;

	uint32_t idx = dp_neighbor_lookup(tbl, port, family, ip);

	if (idx != 0)
		return idx;
	idx = entry_add(tbl, port, family, ip);
	if (idx == 0)
		return 0;
	tbl->entries[idx].last_request = now;
	tbl->entries[idx].requests = 1;
	*send_request = true;
	return idx;
}

uint32_t dp_neighbor_learn(struct dp_neighbor_table *tbl, uint16_t port, uint8_t family,
			   const uint8_t *ip, const uint8_t mac[6], uint64_t now)
{
	uint32_t idx = lookup_or_add(tbl, port, family, ip);

	if (idx == 0)
		return 0;

	struct dp_neighbor *e = &tbl->entries[idx];

	if (e->state == DP_NEIGHBOR_STATIC)
		return idx;
	mac_store(e, mac);
	e->state = DP_NEIGHBOR_REACHABLE;
	e->last_seen = now;
	e->requests = 0;
	return idx;
}

uint32_t dp_neighbor_add_static(struct dp_neighbor_table *tbl, uint16_t port, uint8_t family,
				const uint8_t *ip, const uint8_t mac[6])
{
	uint32_t idx = lookup_or_add(tbl, port, family, ip);

	if (idx == 0)
		return 0;

	struct dp_neighbor *e = &tbl->entries[idx];

	mac_store(e, mac);
	e->state = DP_NEIGHBOR_STATIC;
	e->requests = 0;
	return idx;
}

/* The wait after `requests` unanswered requests: 1 s for the first three,
 * then 2, 4, 8, 16 s, then 30 s. */
static uint64_t request_interval(const struct dp_neighbor_table *tbl, uint8_t requests)
{
	if (requests < DP_NEIGHBOR_FAST_REQUESTS)
		return tbl->hz;

	unsigned shift = requests - DP_NEIGHBOR_FAST_REQUESTS + 1;
	uint64_t max = tbl->hz * DP_NEIGHBOR_BACKOFF_MAX_S;

	if (shift >= 5)
		return max;
	uint64_t wait = tbl->hz << shift;
	return wait < max ? wait : max;
}

static void request(struct dp_neighbor_table *tbl, uint32_t idx, uint64_t now,
		    dp_neighbor_request_fn send, void *arg)
{
	struct dp_neighbor *e = &tbl->entries[idx];

	e->last_request = now;
	if (e->requests < UINT8_MAX)
		e->requests++;
	send(arg, idx, e);
}

unsigned dp_neighbor_tick(struct dp_neighbor_table *tbl, uint64_t now,
			  dp_neighbor_request_fn send, void *arg)
{
	unsigned sent = 0;

	for (uint32_t i = 1; i <= tbl->used; i++) {
		struct dp_neighbor *e = &tbl->entries[i];

		switch (e->state) {
		case DP_NEIGHBOR_INCOMPLETE:
		case DP_NEIGHBOR_STALE:
			if (now - e->last_request >= request_interval(tbl, e->requests)) {
				request(tbl, i, now, send, arg);
				sent++;
			}
			break;
		case DP_NEIGHBOR_REACHABLE:
			if (now - e->last_seen >= tbl->hz * DP_NEIGHBOR_REACHABLE_S) {
				e->state = DP_NEIGHBOR_STALE;
				e->requests = 0;
				request(tbl, i, now, send, arg);
				sent++;
			}
			break;
		default:
			break;
		}
	}
	return sent;
}

static bool unicast_ok(uint8_t family, const uint8_t *ip)
{
	if (family == STRATA_AF_INET)
		return ip[0] != 0 && ip[0] != 127 && ip[0] < 224;

	static const uint8_t zero[16];

	return ip[0] != 0xff && memcmp(ip, zero, 16) != 0;
}

int dp_next_hop(const struct dp_iface *ifc, uint8_t family, const uint8_t *dst, uint8_t out[16])
{
	static const uint8_t zero[16];

	if (!family_ok(family) || !unicast_ok(family, dst))
		return -1;

	unsigned n = dp_af_len(family);
	const uint8_t *gw = family == STRATA_AF_INET ? ifc->gateway4 : ifc->gateway6;

	memset(out, 0, 16);
	if (dp_iface_connected_slot(ifc, family, dst) >= 0) {
		memcpy(out, dst, n);
		return 0;
	}
	if (memcmp(gw, zero, n) == 0)
		return -1;
	memcpy(out, gw, n);
	return 0;
}
