/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Clients that misbehave below the WebSocket layer, on plain sockets and
 * OpenSSL, for the server tests and strata-sigclient's --mode:
 *
 *   garbage      connect, send bytes that are not TLS, wait for the close
 *   half-open    connect, send nothing, wait for the close
 *   no-upgrade   complete TLS, send part of an HTTP upgrade (optionally a
 *                byte a second, as a slowloris does), wait for the close
 *   tls-probe    a TLS handshake offering exactly one protocol version
 *                (and optionally only the given TLS 1.2 ciphers)
 *
 * host is an IP literal; the tests use 127.0.0.1 only.
 */
#ifndef STRATA_SIG_MISBEHAVE_H
#define STRATA_SIG_MISBEHAVE_H

#include <stdbool.h>
#include <stddef.h>

/* Milliseconds until the server closed the connection, -1 when it had not
 * after timeout_ms, -2 when the connection (or TLS, for no-upgrade) could
 * not be made. */
long sig_mis_garbage(const char *host, int port, unsigned timeout_ms);
long sig_mis_half_open(const char *host, int port, unsigned timeout_ms);
long sig_mis_no_upgrade(const char *host, int port, const char *ca, bool dribble,
			unsigned timeout_ms);

/* version: TLS1_VERSION .. TLS1_3_VERSION.  Returns 1 when the handshake
 * completed (info: "TLSv1.3 TLS_AES_128_GCM_SHA256"), 0 when it was
 * refused (info: OpenSSL's reason), -1 when the TCP connection failed.
 * The client allows everything (security level 0), so a refusal is the
 * server's. */
int sig_mis_tls_probe(const char *host, int port, const char *ca, int version,
		      const char *tls12_ciphers, char *info, size_t infolen);

#endif /* STRATA_SIG_MISBEHAVE_H */
