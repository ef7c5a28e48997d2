/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client's media leg on libsrtp2 (client_media.h): SDES-style keys
 * (RFC 4568 section 6.1: the inline key is base64 of master key || master
 * salt) for the profiles strata-cp offers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <srtp2/srtp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "client_media.h"

#define MAX_PACKET 2048
#define SRTP_SPACE 64 /* tag and MKI room */

static socklen_t addr_len(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

static int parse_addr(const char *s, int port, struct sockaddr_storage *out)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	struct sockaddr_in *v4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;

	memset(out, 0, sizeof(*out));
	/* "IP:PORT", "[V6]:PORT", or a bare address with port given. */
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || (size_t)(end - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = 0;
		if (end[1] == ':')
			port = atoi(end + 2);
	} else if (colon && strchr(s, ':') == colon) {
		if ((size_t)(colon - s) >= sizeof(host))
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = 0;
		port = atoi(colon + 1);
	} else {
		snprintf(host, sizeof(host), "%s", s);
	}
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		return 0;
	}
	return -1;
}

int client_media_open(struct client_media *m, const char *bind_to, char *err, size_t errlen)
{
	static bool srtp_ready;
	int big = 4 << 20;
	socklen_t len = sizeof(m->local);

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	if (!srtp_ready) {
		if (srtp_init() != srtp_err_status_ok) {
			snprintf(err, errlen, "libsrtp2 does not initialise");
			return -1;
		}
		srtp_ready = true;
	}
	if (parse_addr(bind_to ? bind_to : "0.0.0.0", 0, &m->local) < 0) {
		snprintf(err, errlen, "bad media address %s (want IP[:PORT])", bind_to);
		return -1;
	}
	m->fd = socket(m->local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(m->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(m->fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (bind(m->fd, (struct sockaddr *)&m->local, addr_len(&m->local)) < 0 ||
	    getsockname(m->fd, (struct sockaddr *)&m->local, &len) < 0) {
		snprintf(err, errlen, "bind %s: %s", bind_to ? bind_to : "", strerror(errno));
		close(m->fd);
		m->fd = -1;
		return -1;
	}
	return 0;
}

void client_media_local(const struct client_media *m, char *ip, size_t iplen, int *port)
{
	if (m->local.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&m->local;
		inet_ntop(AF_INET6, &a->sin6_addr, ip, (socklen_t)iplen);
		*port = ntohs(a->sin6_port);
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&m->local;
		inet_ntop(AF_INET, &a->sin_addr, ip, (socklen_t)iplen);
		*port = ntohs(a->sin_port);
	}
}

void client_media_close(struct client_media *m)
{
	if (m->tx)
		srtp_dealloc(m->tx);
	if (m->rx)
		srtp_dealloc(m->rx);
	m->tx = m->rx = NULL;
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

/* The profiles of RFC 3711, RFC 5764 section 4.1.2 and RFC 7714 section
 * 14.2, with their master key || salt lengths. */
static int set_policy(srtp_policy_t *pol, const char *profile, size_t *keylen)
{
	memset(pol, 0, sizeof(*pol));
	if (!strcmp(profile, "AES_CM_128_HMAC_SHA1_80")) {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtcp);
		*keylen = 30;
	} else if (!strcmp(profile, "AES_CM_128_HMAC_SHA1_32")) {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtcp);
		*keylen = 30;
	} else if (!strcmp(profile, "AES_256_CM_HMAC_SHA1_80")) {
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&pol->rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&pol->rtcp);
		*keylen = 46;
	} else if (!strcmp(profile, "AEAD_AES_128_GCM")) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtcp);
		*keylen = 28;
	} else if (!strcmp(profile, "AEAD_AES_256_GCM")) {
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol->rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol->rtcp);
		*keylen = 44;
	} else {
		return -1;
	}
	return 0;
}

static void *make_session(const char *profile, const char *b64, bool outbound, char *err,
			  size_t errlen)
{
	srtp_policy_t pol;
	unsigned char key[96];
	size_t keylen, n = strlen(b64);
	srtp_t s = NULL;

	if (set_policy(&pol, profile, &keylen) < 0) {
		snprintf(err, errlen, "unknown SRTP profile %s", profile);
		return NULL;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	int got = n <= 128 ? EVP_DecodeBlock(key, (const unsigned char *)b64, (int)n) : -1;
	if (got > 0)
		got -= (n > 0 && b64[n - 1] == '=') + (n > 1 && b64[n - 2] == '=');
	if (got != (int)keylen) {
		snprintf(err, errlen, "the %s key is not %zu bytes of base64", profile, keylen);
		return NULL;
	}
	pol.key = key;
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	pol.window_size = 1024;
	if (srtp_create(&s, &pol) != srtp_err_status_ok) {
		snprintf(err, errlen, "srtp_create failed (%s)", profile);
		s = NULL;
	}
	OPENSSL_cleanse(key, sizeof(key));
	return s;
}

int client_media_key(struct client_media *m, const char *profile, const char *send_b64,
		     const char *recv_b64, const char *address, int port, char *err,
		     size_t errlen)
{
	void *tx, *rx;

	if (parse_addr(address, port, &m->router) < 0) {
		snprintf(err, errlen, "bad media address %s", address);
		return -1;
	}
	tx = make_session(profile, send_b64, true, err, errlen);
	rx = tx ? make_session(profile, recv_b64, false, err, errlen) : NULL;
	if (!rx) {
		if (tx)
			srtp_dealloc(tx);
		return -1;
	}
	if (m->tx)
		srtp_dealloc(m->tx);
	if (m->rx)
		srtp_dealloc(m->rx);
	m->tx = tx;
	m->rx = rx;
	m->have_router = m->keyed = true;
	return 0;
}

int client_media_send(struct client_media *m, const uint8_t *rtp, size_t len)
{
	uint8_t pkt[MAX_PACKET + SRTP_SPACE];
	int n = (int)len;

	if (!m->keyed || len < 12 || len > MAX_PACKET)
		return -1;
	memcpy(pkt, rtp, len);
	if (srtp_protect(m->tx, pkt, &n) != srtp_err_status_ok) {
		m->st.protect_failed++;
		return -1;
	}
	if (sendto(m->fd, pkt, (size_t)n, 0, (struct sockaddr *)&m->router,
		   addr_len(&m->router)) != n)
		return -1;
	m->st.sent++;
	return 0;
}

void client_media_drain(struct client_media *m,
			void (*on_rtp)(void *user, uint32_t ssrc, const uint8_t *rtp, size_t len),
			void *user)
{
	uint8_t pkt[MAX_PACKET + SRTP_SPACE];

	for (;;) {
		ssize_t r = recv(m->fd, pkt, sizeof(pkt), 0);
		if (r <= 0)
			return;
		m->st.received++;
		if (!m->keyed || r < 12)
			continue;
		int len = (int)r;
		/* RFC 5761 section 4: RTCP packet types 192-223 share the port. */
		bool rtcp = pkt[1] >= 192 && pkt[1] <= 223;
		srtp_err_status_t st = rtcp ? srtp_unprotect_rtcp(m->rx, pkt, &len)
					    : srtp_unprotect(m->rx, pkt, &len);
		if (st == srtp_err_status_auth_fail) {
			m->st.auth_failed++;
			continue;
		}
		if (st != srtp_err_status_ok) {
			m->st.other_failed++;
			continue;
		}
		if (rtcp) {
			m->st.rtcp++;
			continue;
		}
		m->st.unprotected++;
		if (on_rtp)
			on_rtp(user, (uint32_t)pkt[8] << 24 | (uint32_t)pkt[9] << 16 |
					     (uint32_t)pkt[10] << 8 | pkt[11],
			       pkt, (size_t)len);
	}
}
