/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The outcomes of SRTP and SRTCP operations, in one list.
 *
 * One X-macro yields the status enum, the names printed by tools and the
 * per-engine counter array, so a new failure reason cannot be added without
 * its counter and its name.  0 is success; every other value is a reason the
 * packet was refused.  A refused packet has changed no stream or session
 * state (replay window, ROC, SRTCP index, key-usage count).
 */
#ifndef STRATA_SRTP_STATUS_H
#define STRATA_SRTP_STATUS_H

#define STRATA_SRTP_FOREACH_STATUS(_)                                          \
	/* The packet was protected or unprotected. */                         \
	_(OK, "ok")                                                            \
	/* A NULL pointer, or an unknown profile, key or window size. */       \
	_(BAD_PARAM, "bad_param")                                              \
	/* Shorter than the fixed header (12 bytes RTP, 8 bytes RTCP). */       \
	_(TOO_SHORT, "too_short")                                              \
	/* Longer than a UDP datagram can carry with its tag. */                \
	_(TOO_LONG, "too_long")                                                \
	/* The RTP/RTCP version field is not 2. */                              \
	_(BAD_VERSION, "bad_version")                                          \
	/* The CSRC list or header extension runs past the end of the packet. */\
	_(BAD_HEADER, "bad_header")                                            \
	/* Too short to hold the header, trailer and authentication tag. */     \
	_(NO_TAG, "no_tag")                                                    \
	/* The output buffer cannot hold the protected packet. */               \
	_(NO_ROOM, "no_room")                                                  \
	/* The packet's SSRC is not the SSRC of the stream it was given with. */\
	_(SSRC_MISMATCH, "ssrc_mismatch")                                      \
	/* The authentication tag does not verify. */                           \
	_(AUTH_FAIL, "auth_fail")                                              \
	/* This index was already received (or, protecting, already used). */   \
	_(REPLAY_DUP, "replay_dup")                                            \
	/* This index is older than the replay window reaches. */               \
	_(REPLAY_OLD, "replay_old")                                            \
	/* The SRTCP E flag differs from the session's policy. */               \
	_(E_FLAG, "e_flag_mismatch")                                           \
	/* The master key reached its lifetime (RFC 3711 section 9.2) or the  \
	 * stream's index space is exhausted: re-key. */                       \
	_(KEY_EXPIRED, "key_expired")                                          \
	/* The crypto library refused the job (a bug: please report it). */     \
	_(CRYPTO, "crypto_error")

enum strata_srtp_status {
#define STRATA_SRTP_STATUS_ENUM(name, str) STRATA_SRTP_##name,
	STRATA_SRTP_FOREACH_STATUS(STRATA_SRTP_STATUS_ENUM)
#undef STRATA_SRTP_STATUS_ENUM
	STRATA_SRTP_STATUS_COUNT
};

/* The short name of a status ("auth_fail"), or "unknown". */
const char *strata_srtp_status_name(int status);

#endif /* STRATA_SRTP_STATUS_H */
