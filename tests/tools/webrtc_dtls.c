/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DTLS-SRTP server (webrtc_dtls.h).
 *
 * OpenSSL reads and writes through a small custom BIO with datagram
 * semantics: a write is one sendto() to the browser, a read returns the
 * one datagram the caller is feeding (or "retry").  That keeps each flight
 * in datagrams of its own and needs no second socket.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "webrtc_dtls.h"

/* Below the veth's 1500 bytes, as browsers do on real paths. */
#define DTLS_MTU 1200

/* RFC 5764 section 4.1.2 and RFC 7714 section 14.2, the profiles libsrtp2
 * and strata-dp both implement, the one Chromium picks by default first
 * (OpenSSL, as the server, takes the first of its list the client
 * offers).  Chromium 156 offers no SRTP_AES128_CM_SHA1_32: asked for that
 * alone, the handshake ends with no profile agreed. */
#define SRTP_PROFILES "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:" \
		      "SRTP_AES128_CM_SHA1_32"

static BIO_METHOD *udp_method;

static int bio_write(BIO *b, const char *data, int len)
{
	struct wrtc_dtls *d = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	/* A lost datagram is the DTLS timer's business, as on any path. */
	sendto(d->fd, data, (size_t)len, 0, (const struct sockaddr *)&d->peer, sizeof(d->peer));
	return len;
}

static int bio_read(BIO *b, char *buf, int len)
{
	struct wrtc_dtls *d = BIO_get_data(b);
	size_t n;

	BIO_clear_retry_flags(b);
	if (!d->in) {
		BIO_set_retry_read(b);
		return -1;
	}
	n = d->in_len < (size_t)len ? d->in_len : (size_t)len;
	memcpy(buf, d->in, n);
	d->in = NULL;
	return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b, (void)num, (void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
		return DTLS_MTU;
	default:
		return 0;
	}
}

static int bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

/* The browser's certificate is self-signed: it is trusted by its
 * fingerprint in the offer (RFC 8122 section 5), checked once the
 * handshake is done, not by a chain. */
static int accept_any(int ok, X509_STORE_CTX *store)
{
	(void)ok, (void)store;
	return 1;
}

static void hex_fingerprint(const unsigned char *md, unsigned len, char *out)
{
	for (unsigned i = 0; i < len; i++)
		sprintf(out + 3 * i, "%02X%s", md[i], i + 1 < len ? ":" : "");
}

/* A P-256 ECDSA key and a self-signed certificate valid for a month, as
 * RTCPeerConnection.generateCertificate makes them. */
static int make_certificate(struct wrtc_dtls *d)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	unsigned char md[32];
	unsigned md_len = 0;
	int rc = -1;

	if (!key || !x)
		goto out;
	X509_set_version(x, 2);
	if (RAND_bytes(md, 3) != 1)
		goto out;
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(md[0] << 16 | md[1] << 8 | md[2]));
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"strata-webrtc-capture", -1, -1, 0);
	X509_set_issuer_name(x, name);
	if (!X509_set_pubkey(x, key) || !X509_sign(x, key, EVP_sha256()) ||
	    !X509_digest(x, EVP_sha256(), md, &md_len) ||
	    SSL_CTX_use_certificate(d->ctx, x) != 1 || SSL_CTX_use_PrivateKey(d->ctx, key) != 1)
		goto out;
	hex_fingerprint(md, md_len, d->fingerprint);
	rc = 0;
out:
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

int wrtc_dtls_init(struct wrtc_dtls *d, int fd, const char *profiles)
{
	memset(d, 0, sizeof(*d));
	d->fd = fd;
	if (!udp_method) {
		udp_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "wrtc-udp");
		if (!udp_method)
			goto fail;
		BIO_meth_set_write(udp_method, bio_write);
		BIO_meth_set_read(udp_method, bio_read);
		BIO_meth_set_ctrl(udp_method, bio_ctrl);
		BIO_meth_set_create(udp_method, bio_create);
	}
	d->ctx = SSL_CTX_new(DTLS_server_method());
	if (!d->ctx || make_certificate(d) != 0)
		goto fail;
	/* SSL_CTX_set_tlsext_use_srtp returns 0 on success. */
	if (SSL_CTX_set_tlsext_use_srtp(d->ctx, profiles ? profiles : SRTP_PROFILES) != 0)
		goto fail;
	SSL_CTX_set_verify(d->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
	SSL_CTX_set_min_proto_version(d->ctx, DTLS1_2_VERSION);
	d->ssl = SSL_new(d->ctx);
	if (!d->ssl)
		goto fail;
	BIO *bio = BIO_new(udp_method);
	if (!bio)
		goto fail;
	BIO_set_data(bio, d);
	SSL_set_bio(d->ssl, bio, bio);
	SSL_set_options(d->ssl, SSL_OP_NO_QUERY_MTU);
	SSL_set_mtu(d->ssl, DTLS_MTU);
	DTLS_set_link_mtu(d->ssl, DTLS_MTU);
	SSL_set_accept_state(d->ssl);
	return 0;
fail:
	fprintf(stderr, "webrtc_capture: cannot set up DTLS:\n");
	ERR_print_errors_fp(stderr);
	wrtc_dtls_free(d);
	return -1;
}

/* RFC 8122 section 5: the certificate the browser presented must hash to
 * the a=fingerprint of its offer. */
static int peer_matches_offer(struct wrtc_dtls *d)
{
	X509 *cert = SSL_get1_peer_certificate(d->ssl);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	char hex[3 * EVP_MAX_MD_SIZE + 1], alg[16] = "";
	const EVP_MD *type;
	int ok = 0;

	if (!cert)
		return 0;
	sscanf(d->peer_fingerprint, "%15s", alg);
	type = !strcasecmp(alg, "sha-256") ? EVP_sha256() :
	       !strcasecmp(alg, "sha-384") ? EVP_sha384() :
	       !strcasecmp(alg, "sha-512") ? EVP_sha512() :
	       !strcasecmp(alg, "sha-1")   ? EVP_sha1() : NULL;
	if (type && X509_digest(cert, type, md, &md_len)) {
		const char *want = strchr(d->peer_fingerprint, ' ');
		hex_fingerprint(md, md_len, hex);
		ok = want && !strcasecmp(want + 1, hex);
	}
	X509_free(cert);
	return ok;
}

static void drain_application_data(struct wrtc_dtls *d)
{
	char buf[2048];

	/* No data channel is negotiated; whatever comes is read and
	 * dropped, which also processes alerts. */
	while (SSL_read(d->ssl, buf, sizeof(buf)) > 0)
		;
	if (SSL_get_shutdown(d->ssl) & SSL_RECEIVED_SHUTDOWN)
		d->state = WRTC_DTLS_CLOSED;
}

enum wrtc_dtls_state wrtc_dtls_input(struct wrtc_dtls *d, const uint8_t *p, size_t len,
				     const struct sockaddr_in *from)
{
	if (d->state == WRTC_DTLS_FAILED || d->state == WRTC_DTLS_CLOSED)
		return d->state;
	/* The browser's address is latched from its first DTLS datagram;
	 * it came on a pair ICE has checked. */
	if (d->state == WRTC_DTLS_WAITING) {
		d->peer = *from;
		d->state = WRTC_DTLS_HANDSHAKING;
	}
	d->in = p;
	d->in_len = len;
	if (d->state == WRTC_DTLS_CONNECTED) {
		drain_application_data(d);
		d->in = NULL;
		return d->state;
	}
	int r = SSL_do_handshake(d->ssl);
	d->in = NULL;
	if (r == 1) {
		if (!peer_matches_offer(d)) {
			fprintf(stderr, "webrtc_capture: the browser's DTLS certificate does not "
					"match the offer's fingerprint\n");
			d->state = WRTC_DTLS_FAILED;
		} else if (!SSL_get_selected_srtp_profile(d->ssl)) {
			fprintf(stderr, "webrtc_capture: DTLS done but no SRTP profile agreed\n");
			d->state = WRTC_DTLS_FAILED;
		} else {
			d->state = WRTC_DTLS_CONNECTED;
		}
	} else {
		int e = SSL_get_error(d->ssl, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			fprintf(stderr, "webrtc_capture: DTLS handshake failed:\n");
			ERR_print_errors_fp(stderr);
			d->state = WRTC_DTLS_FAILED;
		}
	}
	return d->state;
}

int wrtc_dtls_timeout_ms(struct wrtc_dtls *d)
{
	struct timeval tv;

	if (d->state != WRTC_DTLS_HANDSHAKING || DTLSv1_get_timeout(d->ssl, &tv) != 1)
		return -1;
	return (int)(tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

void wrtc_dtls_handle_timeout(struct wrtc_dtls *d)
{
	if (d->state == WRTC_DTLS_HANDSHAKING)
		DTLSv1_handle_timeout(d->ssl);
}

/*
 * RFC 5764 section 4.2: the keying material is exported with the label
 * "EXTRACTOR-dtls_srtp" and no context, "2 * (SRTPSecurityParams.
 * master_key_len + SRTPSecurityParams.master_salt_len) bytes of data",
 * laid out as
 *
 *   client_write_SRTP_master_key[SRTPSecurityParams.master_key_len];
 *   server_write_SRTP_master_key[SRTPSecurityParams.master_key_len];
 *   client_write_SRTP_master_salt[SRTPSecurityParams.master_salt_len];
 *   server_write_SRTP_master_salt[SRTPSecurityParams.master_salt_len];
 */
int wrtc_dtls_export_keys(struct wrtc_dtls *d, struct wrtc_srtp_keys *k)
{
	static const char label[] = "EXTRACTOR-dtls_srtp";
	const SRTP_PROTECTION_PROFILE *prof;
	uint8_t m[2 * (32 + 14)];

	memset(k, 0, sizeof(*k));
	if (d->state != WRTC_DTLS_CONNECTED || !(prof = SSL_get_selected_srtp_profile(d->ssl)))
		return -1;
	k->id = prof->id;
	k->profile = prof->name;
	switch (prof->id) {
	case SRTP_AES128_CM_SHA1_80:
	case SRTP_AES128_CM_SHA1_32:
		k->key_len = 16, k->salt_len = 14;
		break;
	case SRTP_AEAD_AES_128_GCM: /* RFC 7714 section 12: 96-bit salts */
		k->key_len = 16, k->salt_len = 12;
		break;
	case SRTP_AEAD_AES_256_GCM:
		k->key_len = 32, k->salt_len = 12;
		break;
	default:
		return -1;
	}
	size_t kl = k->key_len, sl = k->salt_len;
	if (SSL_export_keying_material(d->ssl, m, 2 * (kl + sl), label, sizeof(label) - 1, NULL, 0,
				       0) != 1)
		return -1;
	memcpy(k->client, m, kl);
	memcpy(k->client + kl, m + 2 * kl, sl);
	memcpy(k->server, m + kl, kl);
	memcpy(k->server + kl, m + 2 * kl + sl, sl);
	return 0;
}

const char *wrtc_dtls_version(struct wrtc_dtls *d)
{
	return d->ssl ? SSL_get_version(d->ssl) : "";
}

const char *wrtc_dtls_cipher(struct wrtc_dtls *d)
{
	return d->ssl ? SSL_get_cipher_name(d->ssl) : "";
}

void wrtc_dtls_free(struct wrtc_dtls *d)
{
	SSL_free(d->ssl);
	SSL_CTX_free(d->ctx);
	d->ssl = NULL;
	d->ctx = NULL;
}
