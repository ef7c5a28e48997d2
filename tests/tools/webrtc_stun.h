/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ICE-lite side of connectivity checks: answering the browser's STUN
 * Binding requests (RFC 8445 section 7.3, RFC 5389).
 */
#ifndef STRATA_TESTS_WEBRTC_STUN_H
#define STRATA_TESTS_WEBRTC_STUN_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

enum wrtc_stun_result {
	WRTC_STUN_ANSWERED = 0,   /* *out_len bytes of Binding success response */
	WRTC_STUN_NOT_REQUEST,    /* a response or indication: ignored */
	WRTC_STUN_MALFORMED,
	WRTC_STUN_BAD_USERNAME,   /* not "our-ufrag:..." */
	WRTC_STUN_BAD_INTEGRITY,  /* MESSAGE-INTEGRITY missing or wrong */
	WRTC_STUN_BAD_FINGERPRINT,
};

struct wrtc_stun_request_info {
	int use_candidate;        /* USE-CANDIDATE present: the pair is nominated */
};

/* Answers the Binding request `req` from `from`, writing the response
 * into out (at least 128 bytes). */
enum wrtc_stun_result wrtc_stun_answer(const uint8_t *req, size_t len,
				       const struct sockaddr_in *from, const char *ufrag,
				       const char *pwd, uint8_t *out, size_t *out_len,
				       struct wrtc_stun_request_info *info);

const char *wrtc_stun_result_name(enum wrtc_stun_result r);

#endif /* STRATA_TESTS_WEBRTC_STUN_H */
