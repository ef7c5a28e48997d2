/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libstrata-client's parsers on hostile input: what strata-cp (or whoever
 * answers at its address) says over signaling, handled by client_msg.c, and
 * the VP8 payload descriptor of received media (client_vp8_desc.c).
 *
 * Input: the first byte chooses; 0: the rest is an RTP packet for
 * client_vp8_tid (its answer must be -1..3); otherwise the rest is one
 * signaling message, given to a client that has not joined and then, as a
 * second message, to the same client (so a "joined" can be followed by
 * anything).  Seeds (corpus/client_msg): the protocol's example messages
 * and VP8 packets with each descriptor field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "client_priv.h"
#include "client_vp8_desc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static const struct strata_client_events ev = { 0 };

	if (!ready) {
		srtp_init();
		ready = true;
	}
	if (size < 1)
		return 0;
	if (data[0] == 0) {
		int tid = client_vp8_tid(data + 1, size - 1);
		if (tid < -1 || tid > 3)
			abort();
		return 0;
	}
	struct strata_client c;
	memset(&c, 0, sizeof(c));
	c.ev = &ev;
	c.names = json_object();
	c.media.fd = -1;
	c.state = CS_JOINING;
	client_on_message(&c, (const char *)data + 1, size - 1);
	client_on_message(&c, (const char *)data + 1, size - 1);
	client_media_close(&c.media);
	json_decref(c.names);
	return 0;
}
