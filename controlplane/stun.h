/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STUN Binding (RFC 5389) for the packets strata-dp punts: a client may
 * send a Binding request to its media port to learn its public address
 * (server reflexive) or to keep a NAT binding open; strata-cp answers with
 * a Binding success response carrying XOR-MAPPED-ADDRESS and FINGERPRINT.
 *
 * Requests with USERNAME or MESSAGE-INTEGRITY are ICE connectivity checks
 * (RFC 8445), keyed with credentials Strata's signaling does not exchange
 * (its clients are keyed SDES-style), so they are not answered: answering
 * without checking MESSAGE-INTEGRITY would let anyone pass a check.
 */
#ifndef STRATA_CP_STUN_H
#define STRATA_CP_STUN_H

#include <stddef.h>
#include <stdint.h>

#include <strata/messages.h>

#define CP_STUN_HEADER 20
#define CP_STUN_MAGIC 0x2112A442u

/* Why a packet got no answer; 0 means it got one. */
#define CP_STUN_FOREACH_RESULT(_)                                               \
	_(ANSWERED, "answered")                                                 \
	_(MALFORMED, "malformed")         /* header, length, attributes */     \
	_(NOT_REQUEST, "not_request")     /* a response, an indication, not Binding */ \
	_(AUTHENTICATED, "authenticated") /* USERNAME or MESSAGE-INTEGRITY (ICE) */ \
	_(UNKNOWN_ATTRIBUTE, "unknown_attribute") /* comprehension-required, unknown */ \
	_(BAD_FINGERPRINT, "bad_fingerprint")

enum cp_stun_result {
#define CP_STUN_ENUM(name, str) CP_STUN_##name,
	CP_STUN_FOREACH_RESULT(CP_STUN_ENUM)
#undef CP_STUN_ENUM
	CP_STUN_RESULT_COUNT
};

const char *cp_stun_result_name(enum cp_stun_result r);

/* The answer to req (len bytes) from remote into out (cap >= 64): returns
 * CP_STUN_ANSWERED with *out_len set, or why not. */
enum cp_stun_result cp_stun_answer(const uint8_t *req, size_t len,
				   const struct strata_addr *remote, uint8_t *out, size_t cap,
				   size_t *out_len);

/* CRC-32 (ISO 3309, as zlib computes it), for FINGERPRINT. */
uint32_t cp_stun_crc32(const uint8_t *p, size_t n);

#endif /* STRATA_CP_STUN_H */
