/* SPDX-License-Identifier: BSD-3-Clause */
/* What the interop tests share: see interop_fixture.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interop_fixture.h"

/* ---- What the engine's counters must say at the end ---------------------- */

static uint64_t expected[STRATA_SRTP_DIRECTION_COUNT][STRATA_SRTP_STATUS_COUNT];

unsigned run_burst(struct strata_srtp_engine *e, enum strata_srtp_direction d,
		   struct strata_srtp_op *ops, unsigned n, const int *want)
{
	for (unsigned i = 0; i < n; i++)
		expected[d][want ? want[i] : STRATA_SRTP_OK]++;
	return fx_burst(e, d, ops, n);
}

static void check_counters(const struct strata_srtp_engine *e)
{
	const struct strata_srtp_counters *cnt = strata_srtp_engine_counters(e);

	for (unsigned d = 0; d < STRATA_SRTP_DIRECTION_COUNT; d++)
		for (unsigned st = 0; st < STRATA_SRTP_STATUS_COUNT; st++)
			CHECK(cnt->status[d][st] == expected[d][st],
			      "counter %s/%s is %" PRIu64 ", expected %" PRIu64
			      " (seed %#" PRIx64 ")",
			      fx_dir_names[d], strata_srtp_status_name((int)st),
			      cnt->status[d][st], expected[d][st], base_seed);
}

unsigned burst_len(unsigned burst_no, unsigned left)
{
	unsigned n = burst_no == 2 ? BIG_BURST : burst_no == 3 ? 1 : BURST;

	return n < left ? n : left;
}

/* ---- One test binary ------------------------------------------------------- */

void interop_begin(const char *name, struct strata_srtp_engine **e, struct pool **pl)
{
	seed_from_env();
	printf("%s: seed %#" PRIx64 "\n", name, base_seed);
	if (srtp_init() != srtp_err_status_ok) {
		fprintf(stderr, "srtp_init failed\n");
		exit(2);
	}
	*e = strata_srtp_engine_create();
	*pl = malloc(sizeof(**pl));
	if (*e == NULL || *pl == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	printf("%s: ipsec-mb %s, %s\n", name, IMB_VERSION_STR, strata_srtp_engine_arch(*e));
	check_counters(*e); /* a new engine has counted nothing */
}

int interop_end(const char *name, struct strata_srtp_engine *e, struct pool *pl)
{
	check_counters(e);
	strata_srtp_engine_destroy(e);
	free(pl);
	srtp_shutdown();
	return test_summary(name);
}

static void oneway_run(struct strata_srtp_engine *e, struct pool *pl, const char *dir,
		       unsigned tag, bool strata_sends, oneway_fn *fn, unsigned k, bool rtcp,
		       bool auth_only)
{
	struct oneway *w = fx_zalloc64(sizeof(*w));

	w->p = fx_profile(k);
	w->auth_only = auth_only;
	snprintf(w->what, sizeof(w->what), "%s %s", rtcp ? "rtcp" : "rtp", dir);
	w->c = case_begin(w->what, w->p->name, rtcp ? !auth_only : -1);
	w->rng = case_rng(rtcp ? tag + 2 : tag, k, auth_only);
	w->packets = rtcp ? RTCP_PACKETS : RTP_PACKETS;
	w->grow = fx_grow(w->p, rtcp);
	lib_peer_open(&w->lp, &w->rng, w->p->id, auth_only);
	strata_session(&w->s, e, &w->lp.m);
	flow_start(&w->f, &w->rng, rtcp, rtcp ? 0 : 460);

	fn(e, pl, w);

	if (!rtcp)
		check_roc(&w->c, strata_sends ? w->lp.rcv : w->lp.snd, w->f.ssrc, 1);
	lib_peer_close(&w->lp);
	wipe_and_check(&w->s, w->p->name);
	free(w);
}

void for_each_kind(struct strata_srtp_engine *e, struct pool *pl, const char *dir, unsigned tag,
		   bool strata_sends, oneway_fn *fn)
{
	for (unsigned k = 0; k < FX_PROFILES; k++) {
		oneway_run(e, pl, dir, tag, strata_sends, fn, k, false, false);
		for (int auth_only = 0; auth_only < 2; auth_only++)
			oneway_run(e, pl, dir, tag, strata_sends, fn, k, true, auth_only);
	}
}

/* ---- Failure context ----------------------------------------------------------- */

struct tcase case_begin(const char *what, const char *profile, int rtcp_e)
{
	return (struct tcase){
		.what = what,
		.profile = profile,
		.rtcp = rtcp_e < 0 ? "" : rtcp_e ? " E=1" : " E=0",
		.fail0 = test_failures,
	};
}

bool case_given_up(const struct tcase *c)
{
	return test_failures - c->fail0 >= MAX_CASE_FAILURES;
}

void check_bytes(const struct tcase *c, const uint8_t *got, const uint8_t *want, size_t n,
		 const char *what)
{
	size_t i = 0;

	while (i < n && got[i] == want[i])
		i++;
	CHECKC(c, i == n, "%s: differs at byte %zu of %zu (%02x, expected %02x)", what, i, n,
	       i < n ? got[i] : 0, i < n ? want[i] : 0);
}

/* The GUARD bytes at p must still be GUARD_BYTE: nothing wrote past the end. */
static void check_guard(const struct tcase *c, const uint8_t *p, const char *what)
{
	unsigned i = 0;

	while (i < GUARD && p[i] == GUARD_BYTE)
		i++;
	CHECKC(c, i == GUARD, "%s: byte %u after the end was written", what, i);
}

/* ---- Buffers ------------------------------------------------------------------- */

void op_protect(struct pool *pl, uint64_t *rng, unsigned i, struct strata_srtp_session *s,
		struct strata_srtp_tx *tx, bool in_place, uint32_t grow)
{
	uint32_t len = pl->plain_len[i];
	uint8_t *src = i % 2 ? pl->b[i] : pl->a[i];
	uint8_t *dst = i % 2 ? pl->a[i] : pl->b[i];
	uint32_t cap = len + grow + (test_rand(rng) % 2 ? 0 : test_rand(rng) % 64);

	if (in_place)
		src = dst = pl->a[i];
	memset(dst, GUARD_BYTE, cap + GUARD);
	memcpy(src, pl->plain[i], len);
	pl->in_place[i] = in_place;
	pl->ops[i] = fx_op_protect(s, tx, src, dst, len, cap);
}

void op_unprotect(struct pool *pl, unsigned i, struct strata_srtp_session *s,
		  struct strata_srtp_rx *rx, uint32_t len)
{
	pl->in_len[i] = len;
	memset(pl->a[i] + len, GUARD_BYTE, GUARD);
	pl->ops[i] = fx_op_unprotect(s, rx, pl->a[i], len);
}

/* ---- Checks ---------------------------------------------------------------------- */

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

void wipe_and_check(struct strata_srtp_session *s, const char *profile)
{
	CHECK(!all_zero(s, sizeof(*s)), "%s: session is all zero before the wipe", profile);
	strata_srtp_session_wipe(s);
	CHECK(all_zero(s, sizeof(*s)), "%s: session_wipe left non-zero bytes", profile);
}

void check_protected(const struct tcase *c, struct pool *pl, unsigned i, srtp_t ref, srtp_t rcv,
		     bool rtcp, uint32_t grow)
{
	const struct strata_srtp_op *op = &pl->ops[i];
	uint32_t len = pl->plain_len[i];
	int ref_len = (int)len;
	srtp_err_status_t st = srtp_err_status_ok;

	if (ref != NULL) {
		memcpy(pl->ref, pl->plain[i], len);
		st = lib_protect(ref, rtcp, pl->ref, &ref_len);
		CHECKC(c, st == srtp_err_status_ok, "libsrtp protect: error %d", (int)st);
	}
	CHECKC(c, op->status == STRATA_SRTP_OK, "protect status %s (%d), expected ok",
	       strata_srtp_status_name(op->status), op->status);
	if (op->status != STRATA_SRTP_OK)
		return;
	CHECKC(c, op->len == len + grow, "protected length %u, expected %u", op->len, len + grow);
	check_guard(c, op->buf + op->cap, "protect output");
	if (!pl->in_place[i])
		check_bytes(c, op->src, pl->plain[i], len, "source after out-of-place protect");
	if (op->len != len + grow)
		return;
	if (ref != NULL && st == srtp_err_status_ok) {
		CHECKC(c, (uint32_t)ref_len == op->len, "libsrtp's packet is %d bytes, Strata's %u",
		       ref_len, op->len);
		check_bytes(c, op->buf, pl->ref, op->len, "Strata's packet vs libsrtp's");
	}

	int out_len = (int)op->len;
	memcpy(pl->ref, op->buf, op->len);
	st = lib_unprotect(rcv, rtcp, pl->ref, &out_len);
	CHECKC(c, st == srtp_err_status_ok, "libsrtp unprotect of Strata's packet: error %d",
	       (int)st);
	if (st != srtp_err_status_ok)
		return;
	CHECKC(c, (uint32_t)out_len == len, "libsrtp unprotected %d bytes, expected %u", out_len,
	       len);
	check_bytes(c, pl->ref, pl->plain[i], len, "libsrtp's plaintext");
}

void lib_protect_for(const struct tcase *c, struct pool *pl, unsigned i, srtp_t snd, bool rtcp,
		     struct strata_srtp_session *s, struct strata_srtp_rx *rx)
{
	int len = (int)pl->plain_len[i];

	memcpy(pl->a[i], pl->plain[i], (size_t)len);
	srtp_err_status_t st = lib_protect(snd, rtcp, pl->a[i], &len);
	CHECKC(c, st == srtp_err_status_ok, "libsrtp protect: error %d", (int)st);
	op_unprotect(pl, i, s, rx, (uint32_t)len);
}

void check_unprotected(const struct tcase *c, struct pool *pl, unsigned i)
{
	const struct strata_srtp_op *op = &pl->ops[i];

	CHECKC(c, op->status == STRATA_SRTP_OK, "unprotect status %s (%d), expected ok",
	       strata_srtp_status_name(op->status), op->status);
	check_guard(c, op->buf + pl->in_len[i], "unprotect buffer");
	if (op->status != STRATA_SRTP_OK)
		return;
	CHECKC(c, op->len == pl->plain_len[i], "unprotected length %u, expected %u", op->len,
	       pl->plain_len[i]);
	if (op->len == pl->plain_len[i])
		check_bytes(c, op->buf, pl->plain[i], op->len, "Strata's plaintext");
}

void check_burst_ok(const struct tcase *c, unsigned got, unsigned n)
{
	CHECKC(c, got == n, "burst of %u returned %u successes", n, got);
}

void check_unprotect_burst(struct tcase *c, struct pool *pl, unsigned sent, unsigned n,
			   unsigned got)
{
	c->pkt = sent;
	check_burst_ok(c, got, n);
	for (unsigned i = 0; i < n; i++) {
		c->pkt = sent + i;
		check_unprotected(c, pl, i);
	}
}

void check_roc(const struct tcase *c, srtp_t s, uint32_t ssrc, uint32_t want)
{
	uint32_t roc = 0;
	srtp_err_status_t st = srtp_get_stream_roc(s, ssrc, &roc);

	if (case_given_up(c))
		return;
	CHECKC(c, st == srtp_err_status_ok && roc == want,
	       "libsrtp's ROC is %u (error %d), expected %u", roc, (int)st, want);
}
