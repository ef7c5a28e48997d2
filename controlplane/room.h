/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rooms and their participants: strata-cp's model of who is in which call,
 * what each publishes and what each receives.
 *
 * A room is (ApplicationID, ResourceID): the same name in two applications
 * is two rooms.  It exists while it has participants.  A participant is one
 * joined client: one media leg in the dataplane (its UDP port and SRTP keys
 * per direction), the streams it publishes, and a subscription to every
 * other participant's stream it receives.  Signaling connections come and
 * go (resume); the participant and its media stay until it leaves, is
 * removed, or stays away longer than the resume grace period.
 *
 * Everything here is plain data owned by the control plane's single thread;
 * the dataplane ids in it are the dataplane's (shm.h).
 */
#ifndef STRATA_CP_ROOM_H
#define STRATA_CP_ROOM_H

#include <stdbool.h>
#include <stdint.h>

#include <strata/messages.h>

#define CP_APP_MAX 64
#define CP_RESOURCE_MAX 128
#define CP_USER_MAX 64
#define CP_DISPLAY_MAX 128
#define CP_ID_MAX 24           /* "p-..." and "s-..." */
#define CP_MAX_PUBS 8          /* streams one participant publishes */
#define CP_MAX_ENCODINGS 4     /* simulcast encodings of one stream */
#define CP_KEY_SALT_MAX 46     /* master key || salt, the longest profile */

/* A stream a participant publishes (one source in the dataplane). */
struct cp_pub {
	char id[CP_ID_MAX];                /* streamId */
	uint8_t kind;                      /* enum strata_media_kind */
	uint8_t codec;                     /* enum strata_codec */
	uint8_t pt, rtx_pt;
	uint32_t clock_rate;
	uint8_t n_encodings;               /* 1, or the simulcast encodings */
	uint8_t spatial_layers, temporal_layers;
	uint32_t ssrc[CP_MAX_ENCODINGS];   /* lowest encoding first */
	uint32_t rtx_ssrc[CP_MAX_ENCODINGS];
	uint32_t dp_stream[CP_MAX_ENCODINGS];
	uint32_t dp_source;
};

/* A stream a participant receives. */
struct cp_sub {
	struct cp_participant *publisher;
	char pub_id[CP_ID_MAX];
	uint32_t dp_sub;                   /* 0 while not programmed (over maxVideoSources) */
	uint32_t ssrc;                     /* what the receiver sees */
	uint8_t pt;
	uint8_t spatial, temporal;         /* the targets now */
	struct cp_sub *next;
};

/* What a receiver asked for (signaling "preferences"). */
struct cp_pref {
	char pub_id[CP_ID_MAX];
	uint8_t max_spatial, max_temporal; /* 255 = no limit */
};

#define CP_MAX_PREFS 32

struct cp_room;

struct cp_participant {
	char id[CP_ID_MAX];
	char resume[CP_ID_MAX + 48];       /* resume token: secret, never logged */
	uint64_t serial;                   /* unique for strata-cp's life */
	void *owner;                       /* strata-cp's struct cp, for callbacks */
	/* Life cycle: joining (LEG_ADD sent) -> joined (answered "joined")
	 * -> gone (removed from the room; freed once no dataplane command
	 * that names it is outstanding). */
	bool joined, gone;
	unsigned inflight;                 /* dataplane commands awaiting a result */
	int64_t join_request;              /* the join's request id, while joining */
	uint8_t ext_audio_level, ext_transport_cc, ext_dependency_descriptor;
	char user[CP_USER_MAX + 1];
	char display[CP_DISPLAY_MAX + 1];
	struct cp_room *room;
	void *conn;                        /* signaling connection, NULL while away */
	uint64_t joined_ms, away_since_ms, last_heard_ms;

	/* Media: the dataplane leg. */
	uint32_t dp_leg;
	struct strata_addr local;          /* the router's address and port */
	struct strata_addr remote;         /* the client's, when known */
	uint8_t profile;                   /* enum strata_srtp_profile_id */
	uint8_t key_len;                   /* bytes of key || salt */
	uint8_t send_key[CP_KEY_SALT_MAX]; /* client -> router */
	uint8_t recv_key[CP_KEY_SALT_MAX]; /* router -> client */

	/* What the client can take. */
	uint32_t codecs;                   /* bit (1 << enum strata_codec) */
	bool rtx;

	struct cp_pub pubs[CP_MAX_PUBS];
	unsigned n_pubs;
	struct cp_sub *subs;
	int max_video_sources;             /* -1 = no limit */
	struct cp_pref prefs[CP_MAX_PREFS];
	unsigned n_prefs;

	uint8_t audio_level;               /* last RFC 6464 level seen, 127 = silence */
	struct cp_participant *next;       /* in the room */
};

struct cp_room {
	char app[CP_APP_MAX + 1];
	char resource[CP_RESOURCE_MAX + 1];
	uint32_t dp_room;                  /* the dataplane's room number */
	struct cp_participant *members;
	unsigned n_members;
	char loudest[CP_ID_MAX];           /* last loudest-changed sent */
	struct cp_room *next;              /* hash chain */
};

#define CP_ROOM_BUCKETS 4096

struct cp_rooms {
	struct cp_room *buckets[CP_ROOM_BUCKETS];
	unsigned n_rooms;
	uint32_t next_dp_room;
};

void cp_rooms_init(struct cp_rooms *r);
void cp_rooms_fini(struct cp_rooms *r);
struct cp_room *cp_room_find(struct cp_rooms *r, const char *app, const char *resource);
/* Finds or creates; NULL when out of memory. */
struct cp_room *cp_room_get(struct cp_rooms *r, const char *app, const char *resource,
			    bool *created);
/* Removes an empty room. */
void cp_room_drop(struct cp_rooms *r, struct cp_room *room);
unsigned cp_rooms_of_app(const struct cp_rooms *r, const char *app);
unsigned cp_participants_of_app(const struct cp_rooms *r, const char *app);

void cp_room_add(struct cp_room *room, struct cp_participant *p);
void cp_room_remove(struct cp_room *room, struct cp_participant *p);
struct cp_participant *cp_room_member(const struct cp_room *room, const char *participant_id);

/* The published stream of a participant with that streamId, or NULL. */
struct cp_pub *cp_participant_pub(struct cp_participant *p, const char *stream_id);
/* The receiver's subscription to (publisher, stream), or NULL. */
struct cp_sub *cp_participant_sub(struct cp_participant *p, const struct cp_participant *pub,
				  const char *stream_id);
/* The receiver's preference for a stream, or NULL. */
const struct cp_pref *cp_participant_pref(const struct cp_participant *p, const char *stream_id);

/* Valid ResourceID: 1..128 bytes of [A-Za-z0-9._:@-]. */
bool cp_resource_id_valid(const char *s);

/* Iterates over all rooms: for (room = cp_rooms_first(r, &k); room; room = cp_rooms_next(r, room, &k)) */
struct cp_room *cp_rooms_first(const struct cp_rooms *r, unsigned *k);
struct cp_room *cp_rooms_next(const struct cp_rooms *r, struct cp_room *room, unsigned *k);

#endif /* STRATA_CP_ROOM_H */
