/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DTLS-SRTP server side (RFC 5763, RFC 5764) with OpenSSL: a
 * self-signed certificate made at start, the handshake driven one UDP
 * datagram at a time, and the SRTP master keys exported once it is done.
 */
#ifndef STRATA_TESTS_WEBRTC_DTLS_H
#define STRATA_TESTS_WEBRTC_DTLS_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

/* The SRTP master keys of both directions, each key || salt. */
struct wrtc_srtp_keys {
	const char *profile;      /* "SRTP_AES128_CM_SHA1_80", ... (RFC 5764, RFC 7714) */
	unsigned long id;         /* its IANA number */
	size_t key_len, salt_len;
	uint8_t client[64];       /* the browser's: what it protects with */
	uint8_t server[64];       /* ours: what our RTCP is protected with */
};

enum wrtc_dtls_state {
	WRTC_DTLS_WAITING = 0,    /* no ClientHello yet */
	WRTC_DTLS_HANDSHAKING,
	WRTC_DTLS_CONNECTED,
	WRTC_DTLS_FAILED,
	WRTC_DTLS_CLOSED,         /* close_notify from the browser */
};

struct wrtc_dtls {
	SSL_CTX *ctx;
	SSL *ssl;
	char fingerprint[3 * 32];      /* ours, SHA-256, "AB:CD:..." */
	char peer_fingerprint[160];    /* from the offer: "sha-256 AB:CD:..." */
	enum wrtc_dtls_state state;
	/* The custom BIO's view: where to send, and the datagram being read. */
	int fd;
	struct sockaddr_in peer;
	const uint8_t *in;
	size_t in_len;
};

/* Makes the certificate and the DTLS context; `profiles` lists the SRTP
 * profiles to agree to, in order, in OpenSSL's names separated by ':'
 * (NULL: SRTP_AES128_CM_SHA1_80 first, then the AEAD ones, then
 * SRTP_AES128_CM_SHA1_32).  Returns 0 or -1. */
int wrtc_dtls_init(struct wrtc_dtls *d, int fd, const char *profiles);

/* Feeds one DTLS datagram (RFC 7983: first byte 20..63) from `from`.  Any
 * flight in reply is sent on the tool's socket.  Returns the state after. */
enum wrtc_dtls_state wrtc_dtls_input(struct wrtc_dtls *d, const uint8_t *p, size_t len,
				     const struct sockaddr_in *from);

/* Milliseconds until a retransmission is due, or -1 when none is. */
int wrtc_dtls_timeout_ms(struct wrtc_dtls *d);

/* Retransmits the last flight if its timer expired. */
void wrtc_dtls_handle_timeout(struct wrtc_dtls *d);

/* The negotiated SRTP profile and keys; only once CONNECTED.  Returns 0 or
 * -1. */
int wrtc_dtls_export_keys(struct wrtc_dtls *d, struct wrtc_srtp_keys *k);

/* The negotiated DTLS version and cipher suite, for the sidecar. */
const char *wrtc_dtls_version(struct wrtc_dtls *d);
const char *wrtc_dtls_cipher(struct wrtc_dtls *d);

void wrtc_dtls_free(struct wrtc_dtls *d);

#endif /* STRATA_TESTS_WEBRTC_DTLS_H */
