/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A tiny application behind the signaling server, for tests: it answers
 * every request the way strata-cp will (joined with made-up media keys,
 * published with stream ids, chat relayed to the room, left then close)
 * without rooms, tokens or media.  Rooms are just resourceIds shared by
 * the connections that joined them.  Two chat texts are commands, for the
 * server tests:
 *
 *   "flood N SIZE"   sends the sender N chat events of SIZE bytes of text
 *                    (a slow reader's write queue overflows)
 *   "kick"           sends "closing" {reason "kicked"} and closes with
 *                    1008
 *   "whoami"         a chat event whose text is the sender's address as
 *                    the server saw it
 *   "drain"          sig_server_close_all with GOING_AWAY (1001)
 *
 * It counts what happened, by connection close reason, for the tests to
 * compare with what the clients saw.
 */
#ifndef STRATA_SIG_ECHO_APP_H
#define STRATA_SIG_ECHO_APP_H

#include <stdint.h>

#include "sig_server.h"

struct echo_app {
	struct sig_server *srv;
	struct echo_member *members;      /* open connections */
	uint64_t opened;
	uint64_t requests;
	uint64_t closed[SIG_CLOSE_COUNT];
	uint64_t accepted;                /* on_accept calls */
	unsigned refuse_accepts;          /* refuse the next N accepts (tests) */
};

extern const struct sig_handlers echo_handlers;

#endif /* STRATA_SIG_ECHO_APP_H */
