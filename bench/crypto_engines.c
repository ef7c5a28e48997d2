/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What each engine does per burst in strata-bench crypto.
 *
 * Only the operation being measured is timed.  Work a real caller would not
 * do per packet (writing a fresh sequence number into the plaintext) and
 * work that only manufactures valid input (protecting the packets that an
 * unprotect cell then unprotects) stays outside the timed part.  Each
 * engine's unprotect input is produced by that engine's own protect, so
 * all three find their input equally warm in the caches.  Filling Strata's
 * op array is the caller's part and untimed; filling ipsec-mb jobs is timed
 * for the ceiling, since in Strata that is the engine's own prepare step.
 */
#include <string.h>

#include "bench_imb.h"
#include "bench_libsrtp.h"
#include "bench_report.h"
#include "crypto_bench.h"

const char *const cb_engine_names[CB_ENGINE_COUNT] = {
	[CB_STRATA] = "strata",
	[CB_LIBSRTP] = "libsrtp2",
	[CB_IPSECMB] = "ipsec-mb",
};

const char *const cb_op_names[CB_OP_COUNT] = {
	[CB_PROTECT] = "protect",
	[CB_UNPROTECT] = "unprotect",
};

/* The same master key for every engine, so they do the same work. */
static const uint8_t master_key[32] = {
	0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39,
	0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6, 0xc1, 0x73,
};
static const uint8_t master_salt[14] = {
	0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
};

static inline uint8_t *src_at(const struct cb_cell *c, unsigned slot)
{
	return c->src + (size_t)slot * c->src_stride;
}

static inline uint8_t *out_at(const struct cb_cell *c, unsigned slot)
{
	return c->out + (size_t)slot * c->out_stride;
}

/* A fresh sequence number, so replay protection sees a valid stream. */
static inline void stamp(struct cb_cell *c, unsigned slot)
{
	uint8_t *p = src_at(c, slot);

	uint16_t seq = c->seq[c->engine_id]++;

	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
}

static void __attribute__((noreturn)) cell_fail(const struct cb_cell *c, unsigned i,
						 const char *why)
{
	bench_fail("%s %s %s %u B: packet %u of a burst failed: %s", cb_engine_names[c->engine_id],
		   c->profile->name, cb_op_names[c->op], c->len - CB_HDR_LEN, i, why);
}

/* ---- Strata ------------------------------------------------------------ */

/* Plaintext slot -> out slot, as a forwarder writes one copy per receiver. */
static void strata_fill_protect(struct cb_cell *c, unsigned first, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		stamp(c, first + i);
		c->ops[i] = (struct strata_srtp_op){
			.session = &c->tx_session,
			.tx = &c->tx,
			.src = src_at(c, first + i),
			.buf = out_at(c, first + i),
			.len = c->len,
			.cap = (uint32_t)c->out_stride,
		};
	}
}

static void strata_check(const struct cb_cell *c, unsigned n, unsigned ok, uint32_t want_len)
{
	for (unsigned i = 0; i < n; i++) {
		if (c->ops[i].status != STRATA_SRTP_OK)
			cell_fail(c, i, strata_srtp_status_name(c->ops[i].status));
		if (c->ops[i].len != want_len)
			cell_fail(c, i, "wrong length");
	}
	if (ok != n)
		cell_fail(c, 0, "fewer successes than OK statuses");
}

static uint64_t strata_protect(struct cb_cell *c, unsigned first, unsigned n)
{
	strata_fill_protect(c, first, n);
	uint64_t t0 = bench_ticks();
	unsigned ok = strata_srtp_protect(c->engine, c->ops, n);
	uint64_t t1 = bench_ticks();
	strata_check(c, n, ok, c->len + c->profile->rtp_tag_len);
	return t1 - t0;
}

static uint64_t strata_unprotect(struct cb_cell *c, unsigned first, unsigned n)
{
	strata_fill_protect(c, first, n);
	strata_check(c, n, strata_srtp_protect(c->engine, c->ops, n),
		     c->len + c->profile->rtp_tag_len);
	for (unsigned i = 0; i < n; i++) {
		c->ops[i].session = &c->rx_session;
		c->ops[i].rx = &c->rx;
		c->ops[i].src = NULL;
		/* len is the protected length protect left there */
	}
	uint64_t t0 = bench_ticks();
	unsigned ok = strata_srtp_unprotect(c->engine, c->ops, n);
	uint64_t t1 = bench_ticks();
	strata_check(c, n, ok, c->len);
	return t1 - t0;
}

/* ---- libsrtp2 ------------------------------------------------------------ */

static void lib_fail(const struct cb_cell *c, unsigned i, const char *call, int st)
{
	char why[64];

	snprintf(why, sizeof(why), "%s returned srtp_err_status %d", call, st);
	cell_fail(c, i, why);
}

/*
 * libsrtp2 protects in place, so a forwarder sending one packet to a
 * receiver first copies the plaintext into the buffer it sends: the copy
 * is part of the timed work, as Strata's out-of-place protect includes it.
 */
static uint64_t libsrtp_protect(struct cb_cell *c, unsigned first, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		stamp(c, first + i);
	uint64_t t0 = bench_ticks();
	for (unsigned i = 0; i < n; i++) {
		uint8_t *out = out_at(c, first + i);

		memcpy(out, src_at(c, first + i), c->len);
		c->lib_len[i] = (int)c->len;
		srtp_err_status_t st = srtp_protect(c->lib_tx, out, &c->lib_len[i]);
		if (st != srtp_err_status_ok)
			lib_fail(c, i, "srtp_protect", st);
	}
	uint64_t t1 = bench_ticks();
	for (unsigned i = 0; i < n; i++)
		if (c->lib_len[i] != (int)(c->len + c->profile->rtp_tag_len))
			cell_fail(c, i, "wrong length");
	return t1 - t0;
}

static uint64_t libsrtp_unprotect(struct cb_cell *c, unsigned first, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t *out = out_at(c, first + i);

		stamp(c, first + i);
		memcpy(out, src_at(c, first + i), c->len);
		c->lib_len[i] = (int)c->len;
		srtp_err_status_t st = srtp_protect(c->lib_tx, out, &c->lib_len[i]);
		if (st != srtp_err_status_ok)
			lib_fail(c, i, "srtp_protect", st);
	}
	uint64_t t0 = bench_ticks();
	for (unsigned i = 0; i < n; i++) {
		srtp_err_status_t st = srtp_unprotect(c->lib_rx, out_at(c, first + i),
						      &c->lib_len[i]);
		if (st != srtp_err_status_ok)
			lib_fail(c, i, "srtp_unprotect", st);
	}
	uint64_t t1 = bench_ticks();
	for (unsigned i = 0; i < n; i++)
		if (c->lib_len[i] != (int)c->len)
			cell_fail(c, i, "wrong length");
	return t1 - t0;
}

/* ---- ipsec-mb, the ceiling ---------------------------------------------- */

/* bench_imb.h has the jobs; the keys are the Strata session's. */
struct imb_burst {
	struct cb_cell *c;
	unsigned first;
	int encrypt;
};

static inline void imb_fill(void *arg, IMB_JOB *job, unsigned i)
{
	struct imb_burst *b = arg;
	struct cb_cell *c = b->c;
	uint8_t *out = out_at(c, b->first + i);

	bench_imb_fill(job, c->profile, &c->tx_session.rtp, b->encrypt,
		       b->encrypt ? src_at(c, b->first + i) : out, out, CB_HDR_LEN, c->len,
		       c->iv[i], c->tag[i]);
}

static void imb_run(struct cb_cell *c, unsigned first, unsigned n, int encrypt)
{
	struct imb_burst b = { c, first, encrypt };
	const char *why = bench_imb_run(strata_srtp_engine_mgr(c->engine), c->jobs, n, imb_fill,
					&b);

	if (why != NULL)
		cell_fail(c, 0, why);
}

static uint64_t imb_protect(struct cb_cell *c, unsigned first, unsigned n)
{
	uint64_t t0 = bench_ticks();
	imb_run(c, first, n, 1);
	return bench_ticks() - t0;
}

static uint64_t imb_unprotect(struct cb_cell *c, unsigned first, unsigned n)
{
	imb_run(c, first, n, 1);
	uint64_t t0 = bench_ticks();
	imb_run(c, first, n, 0);
	return bench_ticks() - t0;
}

/* ---- cells ----------------------------------------------------------------- */

cb_burst_fn cb_burst_fn_for(enum cb_engine engine, enum cb_op op)
{
	static const cb_burst_fn fns[CB_ENGINE_COUNT][CB_OP_COUNT] = {
		[CB_STRATA] = { strata_protect, strata_unprotect },
		[CB_LIBSRTP] = { libsrtp_protect, libsrtp_unprotect },
		[CB_IPSECMB] = { imb_protect, imb_unprotect },
	};

	return fns[engine][op];
}

static srtp_t lib_create(const struct strata_srtp_profile *p)
{
	/* libsrtp2 takes the master key and salt as one string. */
	uint8_t key[STRATA_SRTP_MAX_KEY_LEN + STRATA_SRTP_MAX_SALT_LEN];
	srtp_policy_t pol;
	srtp_t ctx;

	memset(key, 0, sizeof(key));
	memcpy(key, master_key, p->key_len);
	memcpy(key + p->key_len, master_salt, p->salt_len);
	memset(&pol, 0, sizeof(pol));
	if (!bench_libsrtp_policy(p->id, &pol.rtp))
		bench_fail("no libsrtp2 policy for %s", p->name);
	srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
	pol.ssrc.type = ssrc_specific;
	pol.ssrc.value = CB_SSRC;
	pol.key = key;
	/* window_size 0: libsrtp2's default (128).  Strata's window is 1024;
	 * libsrtp2's replay check slows with its window, so its default is
	 * the kinder comparison for libsrtp2. */
	pol.window_size = 0;
	int st = srtp_create(&ctx, &pol);
	if (st != srtp_err_status_ok)
		bench_fail("srtp_create(%s) returned srtp_err_status %d", p->name, st);
	return ctx;
}

void cb_cell_open(struct cb_cell *c)
{
	const struct strata_srtp_profile *p = c->profile;
	struct strata_srtp_policy pol = {
		.profile = p->id,
		.master_key = master_key,
		.master_salt = master_salt,
	};

	if (strata_srtp_session_init(&c->tx_session, c->engine, &pol) != STRATA_SRTP_OK ||
	    strata_srtp_session_init(&c->rx_session, c->engine, &pol) != STRATA_SRTP_OK)
		bench_fail("strata_srtp_session_init(%s) failed", p->name);
	strata_srtp_tx_init(&c->tx, CB_SSRC);
	strata_srtp_rx_init(&c->rx, &c->rx_session, CB_SSRC);
	c->lib_tx = lib_create(p);
	c->lib_rx = lib_create(p);
	for (unsigned e = 0; e < CB_ENGINE_COUNT; e++)
		c->seq[e] = 1;
	/* The ceiling's IVs: any value will do, one per job slot. */
	for (unsigned i = 0; i < IMB_MAX_BURST_SIZE; i++) {
		memcpy(c->iv[i], c->tx_session.rtp.salt, 16);
		c->iv[i][11] ^= (uint8_t)i;
	}
}

void cb_cell_close(struct cb_cell *c)
{
	srtp_dealloc(c->lib_tx);
	srtp_dealloc(c->lib_rx);
	strata_srtp_session_wipe(&c->tx_session);
	strata_srtp_session_wipe(&c->rx_session);
}
