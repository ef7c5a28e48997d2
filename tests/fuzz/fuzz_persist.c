/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: cp_persist_restore (controlplane/cp_persist.c), the
 * reader of sessions.state once it is unsealed, on arbitrary bytes.  The
 * file is authenticated (AES-256-GCM), so only a strata-cp with the master
 * key writes it; the reader must still never trust it beyond what it can
 * check, since a bug in one version's writer is read by the next.
 *
 * Promises, each checked with abort():
 *   - it returns 0 or -1, and -1 restores nothing;
 *   - every restored participant is whole: an id, a leg, a port, an
 *     address family, a profile 1..5 with the key || salt length of that
 *     profile (RFC 3711, RFC 7714), at most CP_MAX_PUBS streams of 1 to
 *     CP_MAX_ENCODINGS encodings, each with a source and stream ids;
 *   - every subscription names a publisher that is another member of the
 *     same room and a stream that publisher has;
 *   - the participant count is the rooms' members, and no room is empty.
 *
 * Seeds (corpus/persist/): what strata-cp writes for two rooms, one with
 * simulcast, subscriptions and preferences.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp.h"

static struct cp cp;

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_persist: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned key_len[] = { 0, 30, 30, 46, 28, 44 };
	unsigned k, members = 0;
	int rc;

	memset(&cp, 0, sizeof(cp));
	cp_config_defaults(&cp.cfg);
	cp_rooms_init(&cp.rooms);
	rc = cp_persist_restore(&cp, (const char *)data, size);
	check(rc == 0 || rc == -1, "result");
	check(rc == 0 || (cp.n_participants == 0 && cp.rooms.n_rooms == 0), "-1 restored");
	for (struct cp_room *r = cp_rooms_first(&cp.rooms, &k); r;
	     r = cp_rooms_next(&cp.rooms, r, &k)) {
		check(r->members != NULL && r->n_members > 0, "an empty room");
		for (struct cp_participant *p = r->members; p; p = p->next) {
			members++;
			check(p->room == r && p->joined && p->id[0] && p->dp_leg && p->local.port,
			      "participant ids");
			check(p->local.family == STRATA_AF_INET || p->local.family == STRATA_AF_INET6,
			      "family");
			check(p->profile >= 1 && p->profile <= 5 && p->key_len == key_len[p->profile],
			      "profile and key length");
			check(p->n_pubs <= CP_MAX_PUBS && p->n_prefs <= CP_MAX_PREFS, "counts");
			for (unsigned i = 0; i < p->n_pubs; i++) {
				const struct cp_pub *b = &p->pubs[i];

				check(b->n_encodings >= 1 && b->n_encodings <= CP_MAX_ENCODINGS &&
					      b->dp_source && b->id[0],
				      "stream");
				for (unsigned e = 0; e < b->n_encodings; e++)
					check(b->dp_stream[e] != 0, "stream id");
			}
			for (struct cp_sub *s = p->subs; s; s = s->next)
				check(s->publisher && s->publisher != p && s->publisher->room == r &&
					      cp_participant_pub(s->publisher, s->pub_id),
				      "subscription");
		}
	}
	check(members == cp.n_participants, "participant count");
	/* Free what was restored. */
	struct cp_room *r;
	while ((r = cp_rooms_first(&cp.rooms, &k))) {
		while (r->members) {
			struct cp_participant *p = r->members;

			cp_room_remove(r, p);
			cp_participant_release(&cp, p);
		}
		cp_room_drop(&cp.rooms, r);
	}
	cp_rooms_fini(&cp.rooms);
	return 0;
}
