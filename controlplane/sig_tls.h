/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TLS for the signaling server: the protocol policy, and a self-signed
 * certificate for machines where the operator configured none.
 *
 * The policy is Mozilla's "intermediate" configuration (Server Side TLS
 * guidelines 6.0): TLS 1.2 and 1.3 only; for TLS 1.2 the six ECDHE AEAD
 * suites below (guidelines 5.x also listed DHE-RSA suites; 6.0 dropped
 * them, and finite-field DH would need parameters for no client that
 * lacks ECDHE); TLS 1.3's default suites; key exchange groups X25519,
 * P-256, P-384 (6.0 puts the X25519MLKEM768 hybrid first, which OpenSSL
 * 3.0 does not have: it is used when the library knows it); the client's
 * cipher preference (every suite offered is strong, and clients without
 * AES hardware rightly prefer ChaCha20).  No session tickets: signaling
 * connections last the whole call, resumption buys little, and tickets
 * sealed with a key that is never rotated would weaken forward secrecy.
 */
#ifndef STRATA_CP_SIG_TLS_H
#define STRATA_CP_SIG_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

#define SIG_TLS12_CIPHERS                                                       \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"           \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"           \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
#define SIG_TLS13_CIPHERSUITES                                                  \
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
#define SIG_TLS_GROUPS "X25519:P-256:P-384"
#define SIG_TLS_GROUPS_PQ "X25519MLKEM768:" SIG_TLS_GROUPS

/* Applies the policy to a server context (after the certificate is
 * loaded).  Returns 0, or -1 with a sentence in err. */
int sig_tls_apply_policy(SSL_CTX *ctx, char *err, size_t errlen);

/* The file names sig_tls_self_signed uses inside the state directory. */
#define SIG_TLS_SELF_CERT "signaling-cert.pem"
#define SIG_TLS_SELF_KEY "signaling-key.pem"
/* Lifetime of a generated certificate (Mozilla recommends 90 days), and
 * how long before its end it is replaced at start-up. */
#define SIG_TLS_SELF_DAYS 90
#define SIG_TLS_SELF_RENEW_DAYS 7

enum sig_tls_self_result {
	SIG_TLS_SELF_ERROR = -1,
	SIG_TLS_SELF_REUSED = 0,     /* a good one from an earlier start */
	SIG_TLS_SELF_GENERATED = 1,  /* none was there, or it was unusable or ending */
};

/*
 * Makes sure state_dir holds a usable self-signed certificate and key:
 * reuses them when the certificate is valid for more than
 * SIG_TLS_SELF_RENEW_DAYS and the key matches, else writes new ones (an
 * EC P-256 key, mode 0600, and a certificate for DNS:localhost, the host
 * name, IP:127.0.0.1 and IP:::1, mode 0644; each written to a temporary
 * file and renamed).  A key file that others could read is replaced, not
 * reused: the key may have leaked.  Writes the two paths into cert_path and key_path (PATH_MAX
 * bytes each) and a sentence for the log into note: what was done, the
 * certificate's SHA-256 fingerprint, and that clients must trust it
 * explicitly.  On error note says what went wrong.
 */
enum sig_tls_self_result sig_tls_self_signed(const char *state_dir, char *cert_path,
					     char *key_path, char *note, size_t notelen);

#endif /* STRATA_CP_SIG_TLS_H */
