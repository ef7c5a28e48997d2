/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Strata's SRTP and SRTCP engine: burst-oriented protect and unprotect on
 * top of intel-ipsec-mb.
 *
 * Objects
 *   engine   one per thread (lcore): the ipsec-mb manager, scratch space and
 *            the status counters.  Never shared.
 *   session  the keys of one master key in one direction (what a leg sends,
 *            or what it receives): session keys derived (RFC 3711 section
 *            4.3) and expanded once, when the session is created.
 *   rx / tx  the per-SSRC state: index, ROC and replay window for what is
 *            received (rx), index and SRTCP index for what is sent (tx).
 *
 * A burst is an array of operations, each naming its own session and stream,
 * so the outputs of one input for many receivers (each with its own keys) go
 * through the crypto library in one submission.  Protect may write into a
 * different buffer than it reads (copy and encrypt in one pass); unprotect
 * works in place.
 *
 * Threading: a session and its streams are used by one thread at a time.
 * Sessions and streams are created and destroyed by the control path; the
 * packet path never allocates and never expands keys.
 *
 * Not supported: MKI, key derivation rates other than 0, RFC 6904 header
 * extension encryption.  Neither WebRTC nor SDES as deployed uses them.
 */
#ifndef STRATA_SRTP_H
#define STRATA_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>

#include "srtp_status.h"

/* The protection profiles, named as in SDES (RFC 4568, RFC 6188, RFC 7714). */
enum strata_srtp_profile_id {
	STRATA_SRTP_PROFILE_NONE = 0,
	STRATA_SRTP_AES_CM_128_HMAC_SHA1_80,
	STRATA_SRTP_AES_CM_128_HMAC_SHA1_32,
	STRATA_SRTP_AES_256_CM_HMAC_SHA1_80,
	STRATA_SRTP_AEAD_AES_128_GCM,
	STRATA_SRTP_AEAD_AES_256_GCM,
	STRATA_SRTP_PROFILE_COUNT
};

struct strata_srtp_profile {
	enum strata_srtp_profile_id id;
	const char *name;          /* "AES_CM_128_HMAC_SHA1_80" ... */
	uint8_t key_len;           /* master and session encryption key */
	uint8_t salt_len;          /* master and session salt: 14, or 12 (GCM) */
	uint8_t rtp_tag_len;       /* bytes of tag on SRTP */
	uint8_t rtcp_tag_len;      /* bytes of tag on SRTCP (80 bits for _32) */
	bool aead;                 /* AES-GCM (RFC 7714) rather than CM+HMAC */
};

/* NULL for an unknown id or name. */
const struct strata_srtp_profile *strata_srtp_profile_get(enum strata_srtp_profile_id id);
const struct strata_srtp_profile *strata_srtp_profile_by_name(const char *name);

#define STRATA_SRTP_MAX_KEY_LEN 32
#define STRATA_SRTP_MAX_SALT_LEN 14
#define STRATA_SRTP_MAX_TAG_LEN 16
#define STRATA_SRTCP_TRAILER_LEN 4 /* E flag and 31-bit SRTCP index */
/* The largest protected packet: what a UDP datagram over IPv4 can carry. */
#define STRATA_SRTP_MAX_PACKET 65507u

/* Replay window for received SRTP, in packets (RFC 3711 section 3.3.2). */
#define STRATA_SRTP_WINDOW_DEFAULT 1024
#define STRATA_SRTP_WINDOW_MIN 64
#define STRATA_SRTP_WINDOW_MAX 1984
/* Replay windows of received SRTCP and of the sender's own indices. */
#define STRATA_SRTCP_WINDOW 128
#define STRATA_SRTP_TX_WINDOW 128

struct strata_srtp_policy {
	enum strata_srtp_profile_id profile;
	const uint8_t *master_key;  /* profile->key_len bytes */
	const uint8_t *master_salt; /* profile->salt_len bytes */
	/* Packets; 0 means STRATA_SRTP_WINDOW_DEFAULT. */
	uint16_t replay_window;
	/* SRTCP with E=0: authenticated, not encrypted.  The E flag of a
	 * received packet must match this; it is never taken from the packet. */
	bool rtcp_unencrypted;
};

/* One direction's session keys for RTP or for RTCP, expanded. */
struct strata_srtp_keys {
	union {
		struct {
			/* AES-CTR round keys (ipsec-mb layout, 15 rounds max). */
			uint8_t aes_enc[16 * 15] __attribute__((aligned(16)));
			/* HMAC-SHA1 inner and outer hash states after one block. */
			uint8_t hmac_ipad[32] __attribute__((aligned(16)));
			uint8_t hmac_opad[32] __attribute__((aligned(16)));
		} cm;
		struct gcm_key_data gcm;
	};
	/* The session salt, zero-padded to a whole AES block. */
	uint8_t salt[16] __attribute__((aligned(16)));
};

struct strata_srtp_session {
	struct strata_srtp_keys rtp;
	struct strata_srtp_keys rtcp;
	const struct strata_srtp_profile *profile;
	/* Key usage (RFC 3711 section 9.2): packets protected or
	 * authenticated under this master key. */
	uint64_t srtp_packets;
	uint64_t srtcp_packets;
	uint16_t replay_window;
	bool rtcp_encrypt;
} __attribute__((aligned(64)));

/*
 * A replay window: bit (i mod 64*words) is set when index i in
 * (top - window, top] was accepted.  The words form a ring, so advancing
 * the window clears whole words instead of shifting the bitmap.
 */
struct strata_srtp_replay {
	uint64_t top;  /* highest accepted index */
	bool started;  /* false until the first index is accepted */
};

/* What is received on one SSRC. */
struct strata_srtp_rx {
	uint32_t ssrc;
	uint16_t window;   /* from the session's policy */
	struct strata_srtp_replay rtp;
	struct strata_srtp_replay rtcp;
	uint64_t rtp_bits[32];
	uint64_t rtcp_bits[4];
};

/* What is sent on one SSRC. */
struct strata_srtp_tx {
	uint32_t ssrc;
	uint32_t rtcp_index;         /* next SRTCP index to use */
	struct strata_srtp_replay rtp;
	uint64_t rtp_bits[4];        /* indices already used: never reuse one */
};

/* Bytes needed around packets: room a protect needs after the input. */
#define STRATA_SRTP_MAX_TRAILER (STRATA_SRTCP_TRAILER_LEN + STRATA_SRTP_MAX_TAG_LEN)

/*
 * One packet of a burst.  The caller fills session, the stream, src, buf,
 * len and cap; the engine sets status and len.
 *
 * protect:   reads len bytes at src (a plaintext RTP/RTCP packet) and writes
 *            the SRTP/SRTCP packet at buf (src == buf is allowed; otherwise
 *            the two must not overlap); or, for RTP, the assembled form
 *            below.  cap is the room at buf, at least
 *            len + the profile's tag (+ 4 for SRTCP).  On success len is
 *            the protected length.
 * unprotect: src is ignored; the packet at buf is authenticated, checked
 *            against replay and decrypted in place; on success len is the
 *            plaintext length.  cap is ignored.
 *
 * On failure the stream and session are unchanged and the bytes in
 * buf[0, cap) are unspecified.
 */
struct strata_srtp_op {
	struct strata_srtp_session *session;
	union {
		struct strata_srtp_tx *tx; /* protect */
		struct strata_srtp_rx *rx; /* unprotect */
	};
	const uint8_t *src;
	uint8_t *buf;
	uint32_t len;
	uint32_t cap;
	int32_t status; /* enum strata_srtp_status */
	/*
	 * RTP protect, assembled form (src == NULL), for a forwarder that
	 * rewrites each receiver's copy: the caller has written the RTP header
	 * and the first `prefix` payload bytes (at most STRATA_SRTP_MAX_PREFIX:
	 * a rewritten payload descriptor), in plaintext, at buf; the other
	 * len - header - prefix payload bytes are read from `payload` (never
	 * NULL in this form) and encrypted straight into buf.  One pass:
	 * nothing is copied first.
	 */
	const uint8_t *payload;
	uint16_t prefix;
	/* Assembled form: the RTP header's length when the caller knows it
	 * (it wrote the header); 0 = the engine parses it. */
	uint16_t hdr_len;
};

#define STRATA_SRTP_MAX_PREFIX 16

enum strata_srtp_direction {
	STRATA_SRTP_RTP_PROTECT,
	STRATA_SRTP_RTP_UNPROTECT,
	STRATA_SRTP_RTCP_PROTECT,
	STRATA_SRTP_RTCP_UNPROTECT,
	STRATA_SRTP_DIRECTION_COUNT
};

/* Per-engine counters: one writer, read by snapshot. */
struct strata_srtp_counters {
	uint64_t status[STRATA_SRTP_DIRECTION_COUNT][STRATA_SRTP_STATUS_COUNT];
};

struct strata_srtp_engine;

/* Engines: one per thread.  NULL on failure (out of memory). */
struct strata_srtp_engine *strata_srtp_engine_create(void);
void strata_srtp_engine_destroy(struct strata_srtp_engine *e);
/* The engine's ipsec-mb manager (for benchmarks that drive it directly). */
IMB_MGR *strata_srtp_engine_mgr(struct strata_srtp_engine *e);
/* The instruction set ipsec-mb chose: "avx512", "avx2", "avx", "sse". */
const char *strata_srtp_engine_arch(const struct strata_srtp_engine *e);
const struct strata_srtp_counters *strata_srtp_engine_counters(const struct strata_srtp_engine *e);

/*
 * Derives and expands the session keys of a master key.  Uses the calling
 * thread's engine for the key-derivation AES.  Returns STRATA_SRTP_OK or
 * STRATA_SRTP_BAD_PARAM.
 */
int strata_srtp_session_init(struct strata_srtp_session *s, struct strata_srtp_engine *e,
			     const struct strata_srtp_policy *policy);
/* Wipes every key byte (explicit_bzero). */
void strata_srtp_session_wipe(struct strata_srtp_session *s);

void strata_srtp_rx_init(struct strata_srtp_rx *rx, const struct strata_srtp_session *s,
			 uint32_t ssrc);
void strata_srtp_tx_init(struct strata_srtp_tx *tx, uint32_t ssrc);

/*
 * The bursts.  Each returns how many operations succeeded; every op's status
 * says what happened to it, and the engine's counters add up the statuses.
 * Any n is accepted; the engine submits up to IMB_MAX_BURST_SIZE jobs at a
 * time.
 */
unsigned strata_srtp_protect(struct strata_srtp_engine *e, struct strata_srtp_op *ops, unsigned n);
unsigned strata_srtp_unprotect(struct strata_srtp_engine *e, struct strata_srtp_op *ops, unsigned n);
unsigned strata_srtcp_protect(struct strata_srtp_engine *e, struct strata_srtp_op *ops, unsigned n);
unsigned strata_srtcp_unprotect(struct strata_srtp_engine *e, struct strata_srtp_op *ops, unsigned n);

#endif /* STRATA_SRTP_H */
