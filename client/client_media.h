/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client's media leg: one UDP socket and two libsrtp2 sessions (what we
 * send, what we receive), keyed from the "joined" answer's inline keys.
 */
#ifndef STRATA_CLIENT_MEDIA_H
#define STRATA_CLIENT_MEDIA_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "strata_client.h"

struct client_media {
	int fd;
	struct sockaddr_storage local, router;
	bool have_router, keyed;
	void *tx, *rx;                       /* srtp_t */
	struct strata_client_media_stats st;
};

/* Opens the socket bound to bind (IP[:PORT], NULL: any IPv4). */
int client_media_open(struct client_media *m, const char *bind, char *err, size_t errlen);
void client_media_close(struct client_media *m);
/* profile: an SRTP protection profile name; send_b64/recv_b64: base64 of
 * master key || salt; address/port: the router's. */
int client_media_key(struct client_media *m, const char *profile, const char *send_b64,
		     const char *recv_b64, const char *address, int port, char *err,
		     size_t errlen);
int client_media_send(struct client_media *m, const uint8_t *rtp, size_t len);
/* Reads what is waiting; calls on_rtp for every RTP packet that unprotects. */
void client_media_drain(struct client_media *m,
			void (*on_rtp)(void *user, uint32_t ssrc, const uint8_t *rtp, size_t len),
			void *user);
/* The bound address as text, and its port. */
void client_media_local(const struct client_media *m, char *ip, size_t iplen, int *port);

#endif /* STRATA_CLIENT_MEDIA_H */
