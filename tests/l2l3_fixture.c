/* SPDX-License-Identifier: BSD-3-Clause */
/* What the L2/L3 tests share (l2l3_fixture.h). */
#include <stdlib.h>
#include <string.h>

#include "l2l3_fixture.h"
#include "test_util.h"

const uint8_t new_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x22 };
const uint8_t other4[4] = { 192, 0, 2, 20 };

struct dp_iface peer_iface(uint16_t vlan)
{
	struct dp_iface ifc = iface_new(7, vlan, peer_mac);

	iface_add(&ifc, STRATA_AF_INET, peer4, 24, 21);
	iface_add(&ifc, STRATA_AF_INET6, peer6, 64, 22);
	return ifc;
}

struct dp_neighbor_table *table_new(uint32_t capacity)
{
	struct dp_neighbor_table *t = malloc(dp_neighbor_table_size(capacity));

	if (t == NULL)
		abort();
	dp_neighbor_table_init(t, capacity, HZ);
	return t;
}

/* A heap buffer of cap bytes holding the len bytes of src. */
uint8_t *heap(const uint8_t *src, uint32_t len, uint32_t cap)
{
	uint8_t *p = malloc(cap ? cap : 1);

	if (p == NULL)
		abort();
	memcpy(p, src, len);
	if (cap > len)
		memset(p + len, 0xa5, cap - len); /* not zero: padding must be written */
	return p;
}

/* Classifies frame (len bytes) on ifc, expecting SLOWPATH. */
bool classify_slow(const struct dp_iface *ifc, const uint8_t *frame, uint32_t len,
		   struct dp_pkt *p, const char *what)
{
	uint8_t *copy = heap(frame, len, len);
	enum dp_class c = dp_classify(ifc, copy, len, 0, p);

	free(copy);
	CHECK(c == DP_CLASS_SLOWPATH, "%s: class %d (drop %s)", what, c,
	      c == DP_CLASS_DROP ? drop_names[p->drop] : "-");
	return c == DP_CLASS_SLOWPATH;
}

/* Runs the handler for frame on ifc in a buffer of exactly cap bytes;
 * copies the answer (if any) to out. */
struct dp_slow_result handle(const struct dp_iface *ifc, struct dp_neighbor_table *nbr,
			     const uint8_t *frame, uint32_t len, uint32_t cap, uint64_t now,
			     uint8_t *out, const char *what)
{
	struct dp_pkt p;
	struct dp_slow_result r = { .action = DP_SLOW_DROP, .drop = DP_DROP_COUNT };

	if (!classify_slow(ifc, frame, len, &p, what))
		return r;

	uint8_t *buf = heap(frame, len, cap);

	r = dp_slowpath_input(ifc, nbr, buf, len, cap, &p, now);
	CHECK(r.action != DP_SLOW_TX || (r.len <= cap && r.len >= 14),
	      "%s: answer of %u bytes in %u", what, r.len, cap);
	if (r.action == DP_SLOW_TX && out != NULL)
		memcpy(out, buf, r.len);
	free(buf);
	return r;
}
