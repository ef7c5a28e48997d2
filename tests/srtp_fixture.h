/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every SRTP test needs besides the harness (test_util.h): the
 * profiles to iterate, the test master key, an engine and a main that runs
 * tests per profile, bursts run by direction, operations, plain RTP and
 * RTCP packets, heap buffers of an exact size, labels for failure messages,
 * and where the tag and the SRTCP E||index word sit.
 *
 * Nothing here CHECKs: each test counts its own checks.
 */
#ifndef STRATA_SRTP_FIXTURE_H
#define STRATA_SRTP_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srtp.h"

/* Short names for the statuses: tables read better with them. */
enum {
	OK = STRATA_SRTP_OK,
	BAD_PARAM = STRATA_SRTP_BAD_PARAM,
	TOO_SHORT = STRATA_SRTP_TOO_SHORT,
	TOO_LONG = STRATA_SRTP_TOO_LONG,
	BAD_VERSION = STRATA_SRTP_BAD_VERSION,
	BAD_HEADER = STRATA_SRTP_BAD_HEADER,
	NO_TAG = STRATA_SRTP_NO_TAG,
	NO_ROOM = STRATA_SRTP_NO_ROOM,
	SSRC_MISMATCH = STRATA_SRTP_SSRC_MISMATCH,
	AUTH = STRATA_SRTP_AUTH_FAIL,
	DUP = STRATA_SRTP_REPLAY_DUP,
	OLD = STRATA_SRTP_REPLAY_OLD,
	E_FLAG = STRATA_SRTP_E_FLAG,
	EXPIRED = STRATA_SRTP_KEY_EXPIRED,
};

static inline const char *st_name(int st)
{
	return strata_srtp_status_name(st);
}

/* ---- Profiles and keys ---------------------------------------------------- */

/* An SRTP packet index: ROC || SEQ.  The last ROC there is. */
#define IDX(roc, seq) (((uint64_t)(roc) << 16) | (uint16_t)(seq))
#define ROC_MAX 0xffffffffull

/* Every profile, k = 0 .. FX_PROFILES - 1, in the enum's order. */
#define FX_PROFILES (STRATA_SRTP_PROFILE_COUNT - 1)
const struct strata_srtp_profile *fx_profile(unsigned k);

/* What protecting adds to a packet: the tag, and for SRTCP the E||index. */
uint32_t fx_grow(const struct strata_srtp_profile *p, bool rtcp);
/* The offset of the last tag byte of a protected packet of len bytes:
 * SRTCP with GCM ends in E||index, not the tag. */
uint32_t fx_last_tag_byte(const struct strata_srtp_profile *p, bool rtcp, uint32_t len);
/* The offset of the E||index word of an SRTCP packet of len bytes: just
 * before the tag with HMAC-SHA1, the last four bytes with GCM. */
uint32_t fx_srtcp_word_at(const struct strata_srtp_profile *p, uint32_t len);

/* A policy with the fixed test master key (long enough for every profile);
 * the caller may set the window and the E flag. */
struct strata_srtp_policy fx_policy(enum strata_srtp_profile_id id);

/* ---- Engines and mains -------------------------------------------------------- */

/* An engine, or exit(2) with a message. */
struct strata_srtp_engine *fx_engine(void);

/* The main of a test binary whose tests each take one profile: every test
 * for every profile in turn, on one engine.  Returns test_summary(name). */
typedef void fx_profile_test(struct strata_srtp_engine *e, enum strata_srtp_profile_id id);
int fx_main_profiles(const char *name, fx_profile_test *const *tests, size_t n);

/* ---- Bursts by direction ---------------------------------------------------- */

enum strata_srtp_direction fx_dir(bool rtcp, bool protect);
extern const char *const fx_dir_names[STRATA_SRTP_DIRECTION_COUNT];

/* Runs ops[0, n) in direction d, every status poisoned first so that an op
 * the engine forgets shows; returns what the engine returned. */
unsigned fx_burst(struct strata_srtp_engine *e, enum strata_srtp_direction d,
		  struct strata_srtp_op *ops, unsigned n);

/* A protect of len bytes from src into buf (cap bytes), and an unprotect of
 * the len bytes at buf (cap = len: the engine ignores it). */
struct strata_srtp_op fx_op_protect(struct strata_srtp_session *s, struct strata_srtp_tx *tx,
				    const uint8_t *src, uint8_t *buf, uint32_t len, uint32_t cap);
struct strata_srtp_op fx_op_unprotect(struct strata_srtp_session *s, struct strata_srtp_rx *rx,
				      uint8_t *buf, uint32_t len);

/* ---- Packets ------------------------------------------------------------------ */

/* p[i] = first + i for i < n. */
void fx_fill(uint8_t *p, uint32_t n, uint8_t first);
/* The fixed RTP header (RFC 3550 section 5.1); b0 holds V P X CC, pt M PT. */
void fx_rtp_header(uint8_t *p, uint8_t b0, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc);
/* An RTP packet: V=2, PT 96, no CSRC or extension, `payload` bytes from
 * `fill` up; returns its length. */
uint32_t fx_rtp(uint8_t *p, uint16_t seq, uint32_t ts, uint32_t ssrc, uint32_t payload,
		uint8_t fill);
/* An RTCP packet of 8 + body bytes: SR when it has a body, else an empty RR,
 * its body from `fill` up; returns its length. */
uint32_t fx_rtcp(uint8_t *p, uint32_t ssrc, uint32_t body, uint8_t fill);

/* ---- Memory and messages ------------------------------------------------------- */

/* malloc that exits when out of memory; n = 0 still gives a pointer (which
 * the engine would otherwise rightly call BAD_PARAM). */
void *fx_xmalloc(size_t n);
/* A heap copy of exactly len bytes, so AddressSanitizer sees any access past
 * it. */
uint8_t *fx_exact(const uint8_t *p, uint32_t len);
/* n zeroed bytes aligned to 64, as sessions are; exits when out of memory. */
void *fx_zalloc64(size_t n);

/* A label for a failure message, in a static buffer. */
const char *fx_label(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* STRATA_SRTP_FIXTURE_H */
