/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libsrtp2, an independent implementation, as the interop tests' reference
 * peer: a random master key of a profile, and the libsrtp and Strata
 * sessions made from it.
 */
#ifndef STRATA_INTEROP_LIBSRTP_H
#define STRATA_INTEROP_LIBSRTP_H

#include <stdbool.h>
#include <stdint.h>

#include <srtp2/srtp.h>

#include "srtp.h"

struct master {
	const struct strata_srtp_profile *prof;
	uint8_t key[STRATA_SRTP_MAX_KEY_LEN];
	uint8_t salt[STRATA_SRTP_MAX_SALT_LEN];
	bool rtcp_auth_only; /* SRTCP with E=0 */
};

void master_random(struct master *m, uint64_t *rng, enum strata_srtp_profile_id id,
		   bool rtcp_auth_only);

/*
 * A libsrtp session for any SSRC: a sender (outbound) or a receiver
 * (inbound, window 1024 like Strata's default).  Exits on failure: nothing
 * else in the test would mean anything.
 */
srtp_t lib_session(const struct master *m, bool inbound);

/* A random master key and libsrtp's sessions of it: snd and ref send (ref
 * makes the packet Strata's must equal), rcv receives. */
struct lib_peer {
	struct master m;
	srtp_t snd, ref, rcv;
};

void lib_peer_open(struct lib_peer *lp, uint64_t *rng, enum strata_srtp_profile_id id,
		   bool rtcp_auth_only);
void lib_peer_close(struct lib_peer *lp);

/* The Strata session of the same master key; CHECKs that it was made. */
void strata_session(struct strata_srtp_session *s, struct strata_srtp_engine *e,
		    const struct master *m);

/* libsrtp, in place: len in, len out. */
srtp_err_status_t lib_protect(srtp_t s, bool rtcp, uint8_t *pkt, int *len);
srtp_err_status_t lib_unprotect(srtp_t s, bool rtcp, uint8_t *pkt, int *len);

#endif /* STRATA_INTEROP_LIBSRTP_H */
