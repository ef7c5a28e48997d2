/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libstrata-client: what an app links to take part in a Strata room.
 *
 * It speaks the signaling protocol (include/strata/signaling.h) to
 * strata-cp over TLS WebSocket (sig_client.h), and sends and receives the
 * media as SRTP over one UDP socket with libsrtp2, keyed with the master
 * keys the "joined" answer carries.  Everything runs in the caller's
 * thread: strata_client_service() turns the loop once (signaling and
 * media), and events arrive through the callbacks from inside it.
 *
 *   c = strata_client_new(&cfg, &events, user, err, sizeof(err));
 *   strata_client_join(c);                 -> on_joined, or on_error
 *   strata_client_publish(c, streams, n);  -> on_published (stream ids)
 *   strata_client_send_rtp(c, rtp, len);   protect + sendto the router
 *   on_rtp(user, ssrc, rtp, len)           every packet unprotected
 *   strata_client_set_preferences(c, ...); strata_client_chat(c, ...);
 *   strata_client_resume(c);               new connection, same media
 *   strata_client_leave(c); strata_client_free(c);
 *
 * Media keeps flowing while signaling reconnects: the UDP socket and the
 * SRTP sessions belong to the client, not to the connection.
 */
#ifndef STRATA_CLIENT_H
#define STRATA_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strata_client;

struct strata_client_config {
	const char *url;           /* wss://HOST:PORT/strata/v1 */
	const char *ca_file;       /* PEM to trust (a self-signed certificate); NULL: system */
	const char *token;
	const char *resource_id;
	const char *display_name;  /* may be NULL */
	const char *codecs;        /* comma-separated; NULL: "VP8,opus" */
	const char *srtp_profiles; /* comma-separated, preferred first; NULL: GCM, then CM */
	const char *bind;          /* media socket IP[:PORT]; NULL: any, told by latching */
	bool announce_media;       /* say bind's address and port in the join */
	unsigned keepalive_s;      /* a keepalive after this long without sending; 0: 5
				    * (strata-cp closes a connection silent for its
				    * idle_timeout_s, 10 s at the least) */
	unsigned answer_timeout_s; /* a request with nothing at all from strata-cp
				    * this long after it: signaling is lost (on_error
				    * "Connection"; strata_client_resume may take it
				    * back); 0: 8 */
};

struct strata_client_stream {
	const char *kind;          /* "audio" | "video" */
	const char *codec;         /* "opus", "VP8", ... */
	uint32_t ssrc;
	uint8_t pt;
	uint32_t clock_rate;
	unsigned temporal_layers;  /* 0: none said */
};

/* A remote stream as this client receives it (stream-added, or listed in
 * joined/resumed). */
struct strata_client_remote {
	const char *participant_id, *display_name, *stream_id, *kind, *codec;
	uint32_t ssrc;
	uint8_t pt;
};

struct strata_client_events {
	void (*on_joined)(void *user, const char *participant_id, const char *profile);
	void (*on_resumed)(void *user);
	/* reason: a STRATA_SIG_FOREACH_ERROR name ("InvalidToken"), or
	 * "Connection" when signaling failed or closed unexpectedly. */
	void (*on_error)(void *user, const char *reason, const char *message);
	void (*on_published)(void *user, uint32_t ssrc, const char *stream_id);
	/* Also, right after on_joined, for everyone already in the room. */
	void (*on_participant_joined)(void *user, const char *participant_id, const char *name);
	void (*on_participant_left)(void *user, const char *participant_id, const char *reason);
	void (*on_stream_added)(void *user, const struct strata_client_remote *s);
	void (*on_stream_removed)(void *user, const char *participant_id, const char *stream_id);
	void (*on_chat)(void *user, const char *participant_id, const char *name, const char *text);
	void (*on_loudest)(void *user, const char *participant_id);
	void (*on_preferences_set)(void *user);
	void (*on_left)(void *user);
	void (*on_rtp)(void *user, uint32_t ssrc, const uint8_t *rtp, size_t len);
};

/* Opens the media socket and the TLS context; NULL with a sentence in err. */
struct strata_client *strata_client_new(const struct strata_client_config *cfg,
					const struct strata_client_events *ev, void *user,
					char *err, size_t errlen);
void strata_client_free(struct strata_client *c);

/* Connects and sends join (once the WebSocket is open).  0 or -1 (err). */
int strata_client_join(struct strata_client *c, char *err, size_t errlen);
/* A new connection that resumes with the resume token; media goes on. */
int strata_client_resume(struct strata_client *c, char *err, size_t errlen);
/* One turn: signaling and media, waiting at most timeout_ms.  Returns -1
 * once signaling is closed for good (after leave or a fatal error). */
int strata_client_service(struct strata_client *c, int timeout_ms);

int strata_client_publish(struct strata_client *c, const struct strata_client_stream *s,
			  unsigned n);
/* max_video_sources < 0: not said; max_temporal < 0: no limit said for
 * that source. */
int strata_client_set_preferences(struct strata_client *c, int max_video_sources,
				  const char *const *stream_ids, const int *max_temporal,
				  unsigned n);
int strata_client_chat(struct strata_client *c, const char *text);
int strata_client_leave(struct strata_client *c);

/* Protects a plaintext RTP packet and sends it to the router. */
int strata_client_send_rtp(struct strata_client *c, const uint8_t *rtp, size_t len);

bool strata_client_joined(const struct strata_client *c);
const char *strata_client_participant_id(const struct strata_client *c);

/* Media counters. */
struct strata_client_media_stats {
	uint64_t sent, protect_failed, received, unprotected, auth_failed, other_failed, rtcp;
};
void strata_client_media_stats(const struct strata_client *c,
			       struct strata_client_media_stats *out);

#endif /* STRATA_CLIENT_H */
