/* SPDX-License-Identifier: BSD-3-Clause */
/* The client's state, shared by strata_client.c and client_msg.c. */
#ifndef STRATA_CLIENT_PRIV_H
#define STRATA_CLIENT_PRIV_H

#include <jansson.h>

#include "client_media.h"
#include "sig_client.h"
#include "strata_client.h"

enum client_state { CS_IDLE, CS_CONNECTING, CS_JOINING, CS_JOINED, CS_LEFT, CS_FAILED };

struct strata_client {
	struct strata_client_config cfg;       /* strings owned (strdup) */
	const struct strata_client_events *ev;
	void *user;
	struct sig_client_ctx *ctx;
	struct sig_client *conn;
	struct client_media media;
	enum client_state state;
	bool resuming;
	int next_id;
	char participant_id[64];
	char resume_token[256];
	json_t *names;                         /* participantId -> displayName */
	int64_t last_sent_ms;                  /* monotonic, the last request sent */
	int64_t awaiting_since_ms;             /* the oldest request sent since the
						* server last said anything; 0: none */
};

/* Sends a request (adds its id); 0 or -1. */
int client_request(struct strata_client *c, json_t *msg);
/* One message from strata-cp. */
void client_on_message(struct strata_client *c, const char *text, size_t len);

#endif /* STRATA_CLIENT_PRIV_H */
