/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Signaling messages (include/strata/signaling.h) as C: every client
 * request parsed and validated into a struct, every server message built
 * as compact JSON text.  No I/O here: sig_server.c feeds one WebSocket
 * message at a time to sig_request_parse and sends what the builders make.
 *
 * What the parser promises (tests/test_cp_sig_msg.c holds the table):
 *   - the input is one JSON object (jansson, duplicate keys refused: a
 *     message that means two things is not accepted), at most
 *     STRATA_SIG_MAX_MESSAGE bytes, nested at most SIG_MAX_DEPTH deep;
 *   - "type" is a known request, else UNKNOWN_MESSAGE; "id" an integer in
 *     [0, 2^53-1] (what JavaScript holds exactly);
 *   - every field has its JSON type, its range and its length (the limits
 *     below), arrays are bounded; a missing required field or a wrong one
 *     is MALFORMED_MESSAGE with a message that names the field as a path
 *     ("publish: streams[1].pt: ..."); a few failures have the reason a
 *     vidyo.io developer expects instead (INVALID_TOKEN for an empty or
 *     over-long token, INVALID_RESOURCE_ID, UNSUPPORTED_MEDIA for a codec
 *     or SRTP profile the router does not know);
 *   - unknown fields are ignored (forward compatibility), at any level;
 *   - error messages quote no input, only field names and limits, so they
 *     can be logged: a token or key never reaches a log through them.
 * On success every string in the struct is NUL-terminated UTF-8 without
 * NULs (jansson refuses \u0000), within its bound.
 */
#ifndef STRATA_CP_SIG_MSG_H
#define STRATA_CP_SIG_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <strata/messages.h>
#include <strata/signaling.h>

/* ---- limits ---------------------------------------------------------------- */

#define SIG_MAX_TOKEN 4096          /* bytes, as controlplane/token.h */
#define SIG_MAX_RESUME_TOKEN 256
#define SIG_MAX_RESOURCE_ID 128     /* [A-Za-z0-9._:@-], as room.h */
#define SIG_MAX_DISPLAY_NAME 128    /* signaling.h */
#define SIG_MAX_OBJECT_ID 64        /* streamId, participantId: [A-Za-z0-9._:-] */
#define SIG_MAX_CHAT 4096           /* signaling.h */
#define SIG_MAX_STREAMS 16          /* per publish */
#define SIG_MAX_SIMULCAST 8         /* encodings per stream */
#define SIG_MAX_CODECS 32           /* names in capabilities.codecs */
#define SIG_MAX_SRTP_PROFILES 16    /* names in capabilities.srtpProfiles */
#define SIG_MAX_PREF_SOURCES 64     /* entries in preferences.sources */
#define SIG_MAX_RID 16              /* RFC 8851 rid: [A-Za-z0-9_-] */
#define SIG_MAX_VIDEO_SOURCES 256   /* preferences.maxVideoSources */
#define SIG_MAX_SPATIAL 4           /* layers.spatial; maxSpatial < this */
#define SIG_MAX_TEMPORAL 4          /* layers.temporal; maxTemporal < this */
#define SIG_MAX_HEIGHT 8192         /* preferences maxHeight, pixels */
#define SIG_MAX_DEPTH 16            /* JSON nesting */
#define SIG_MAX_REQUEST_ID ((((int64_t)1) << 53) - 1)
#define SIG_ERROR_MESSAGE_LEN 160

/* ---- requests ---------------------------------------------------------------- */

/* Request type, its wire name, and the type of its answer. */
#define SIG_FOREACH_REQUEST(_)                                                 \
	_(JOIN, "join", "joined")                                              \
	_(RESUME, "resume", "resumed")                                         \
	_(PUBLISH, "publish", "published")                                     \
	_(UNPUBLISH, "unpublish", "unpublished")                               \
	_(PREFERENCES, "preferences", "preferences-set")                       \
	_(CHAT, "chat", "chat-sent")                                           \
	_(KEEPALIVE, "keepalive", "keepalive-ack")                             \
	_(LEAVE, "leave", "left")

enum sig_req_type {
	SIG_REQ_NONE = 0,
#define SIG_REQ_ENUM(name, wire, answer) SIG_REQ_##name,
	SIG_FOREACH_REQUEST(SIG_REQ_ENUM)
#undef SIG_REQ_ENUM
	SIG_REQ_COUNT
};

/* SRTP profiles by their signaling names; the values are
 * strata_srtp_profile_id's (dataplane/srtp/srtp.h), which the test checks,
 * so they go into strata_keying.profile unchanged. */
#define SIG_FOREACH_SRTP_PROFILE(_)                                            \
	_(AES_CM_128_HMAC_SHA1_80, 1)                                          \
	_(AES_CM_128_HMAC_SHA1_32, 2)                                          \
	_(AES_256_CM_HMAC_SHA1_80, 3)                                          \
	_(AEAD_AES_128_GCM, 4)                                                 \
	_(AEAD_AES_256_GCM, 5)

enum sig_srtp_profile {
	SIG_SRTP_NONE = 0,
#define SIG_SRTP_ENUM(name, value) SIG_SRTP_##name = value,
	SIG_FOREACH_SRTP_PROFILE(SIG_SRTP_ENUM)
#undef SIG_SRTP_ENUM
	SIG_SRTP_PROFILE_COUNT
};

struct sig_join {
	char token[SIG_MAX_TOKEN + 1];             /* secret: never log it */
	char resource_id[SIG_MAX_RESOURCE_ID + 1];
	char display_name[SIG_MAX_DISPLAY_NAME + 1]; /* "" when absent */
	/* Bit (1u << enum strata_codec) for each codec named; names the router
	 * does not know are ignored (case-insensitive, as in SDP). */
	uint32_t codecs;
	/* enum sig_srtp_profile in the client's preference order; unknown
	 * names ignored, repeats dropped. */
	uint8_t srtp_profiles[SIG_SRTP_PROFILE_COUNT];
	uint8_t n_srtp_profiles;
	bool rtx;
	/* RFC 8285 header extension ids (1..255) the client offers; 0 = not
	 * offered.  These go into strata_cmd_stream_add unchanged. */
	uint8_t ext_audio_level;
	uint8_t ext_transport_cc;
	uint8_t ext_dependency_descriptor;
	/* media {address, port}: where the client receives, when it said. */
	bool has_media;
	struct strata_addr media;
};

struct sig_resume {
	char resume_token[SIG_MAX_RESUME_TOKEN + 1]; /* secret */
};

struct sig_simulcast {
	uint32_t ssrc;
	char rid[SIG_MAX_RID + 1];                 /* "" when absent */
};

struct sig_stream {
	uint8_t kind;          /* enum strata_media_kind */
	uint8_t codec;         /* enum strata_codec; opus is audio, the rest video */
	uint8_t pt;            /* dynamic: 96..127 (every codec here has only those) */
	uint8_t rtx_pt;        /* 0 = no RTX; else 96..127 and != pt (video only) */
	uint32_t ssrc;         /* nonzero: 0 means "none" in the dataplane contract */
	uint32_t rtx_ssrc;     /* 0 = no RTX; given together with rtx_pt */
	uint32_t clock_rate;   /* Hz; default 48000 for opus, 90000 for video */
	uint8_t spatial_layers;  /* 1..SIG_MAX_SPATIAL, 1 when absent */
	uint8_t temporal_layers; /* 1..SIG_MAX_TEMPORAL, 1 when absent */
	/* Simulcast encodings, lowest first (video only).  Every SSRC of a
	 * publish request (ssrc, rtx_ssrc, simulcast) is distinct, except that
	 * a stream's own ssrc may also be listed among its encodings. */
	uint8_t n_simulcast;
	struct sig_simulcast simulcast[SIG_MAX_SIMULCAST];
};

struct sig_publish {
	uint8_t n_streams;     /* 1..SIG_MAX_STREAMS */
	struct sig_stream streams[SIG_MAX_STREAMS];
};

struct sig_unpublish {
	char stream_id[SIG_MAX_OBJECT_ID + 1];
};

struct sig_source_pref {
	char stream_id[SIG_MAX_OBJECT_ID + 1];
	int8_t max_spatial;    /* 0..SIG_MAX_SPATIAL-1; -1 = no limit */
	int8_t max_temporal;   /* 0..SIG_MAX_TEMPORAL-1; -1 = no limit */
	int16_t max_height;    /* 0..SIG_MAX_HEIGHT; -1 = no limit */
};

struct sig_preferences {
	int16_t max_video_sources; /* 0..SIG_MAX_VIDEO_SOURCES; -1 = not given */
	bool has_sources;          /* "sources" was given (possibly empty) */
	uint8_t n_sources;
	struct sig_source_pref sources[SIG_MAX_PREF_SOURCES];
};

struct sig_chat {
	size_t text_len;           /* 1..SIG_MAX_CHAT bytes */
	char text[SIG_MAX_CHAT + 1];
};

/* One parsed request.  About 6 KiB: keep one per server, not per
 * connection.  Only the member of `type` is meaningful; keepalive and
 * leave have none. */
struct sig_request {
	enum sig_req_type type;
	int64_t id;
	union {
		struct sig_join join;
		struct sig_resume resume;
		struct sig_publish publish;
		struct sig_unpublish unpublish;
		struct sig_preferences preferences;
		struct sig_chat chat;
	} u;
};

/* Why a message was refused: the error event to answer with. */
struct sig_parse_error {
	enum strata_sig_error reason;
	int64_t id;            /* the request's id, or -1 when it had none */
	char message[SIG_ERROR_MESSAGE_LEN];
};

/* Parses one WebSocket text message.  Returns 0 with *req filled, or -1
 * with *err filled (and *req unspecified).  Never reads past text+len;
 * text need not be NUL-terminated. */
int sig_request_parse(const char *text, size_t len, struct sig_request *req,
		      struct sig_parse_error *err);

/* Wire names: "join"..., the answer's type "joined"..., "VP8"..., NULL for
 * an unknown value. */
const char *sig_request_name(enum sig_req_type t);
const char *sig_answer_name(enum sig_req_type t);
const char *sig_error_name(enum strata_sig_error e);
const char *sig_codec_name(enum strata_codec c);
const char *sig_kind_name(enum strata_media_kind k);
const char *sig_srtp_profile_name(enum sig_srtp_profile p);
enum sig_srtp_profile sig_srtp_profile_by_name(const char *name);

/* The identifier rules, shared with whoever mints the ids. */
bool sig_resource_id_valid(const char *s, size_t len);
bool sig_object_id_valid(const char *s, size_t len);

/* ---- server messages --------------------------------------------------------- */

/*
 * Every builder returns a malloc'd, NUL-terminated, single-line JSON text
 * (free it with sig_json_free, which wipes it first: joined and resumed
 * carry SRTP master keys), or NULL when a required string is NULL, a value
 * is out of range, or memory ran out.  Strings are copied in as given
 * (UTF-8); ids are the ones strata-cp minted.
 */

/* A stream as one receiver gets it (its own SSRC and payload type). */
struct sig_stream_info {
	const char *stream_id;
	uint8_t kind;          /* enum strata_media_kind */
	uint8_t codec;         /* enum strata_codec */
	uint8_t pt;
	uint8_t rtx_pt;        /* 0 = none: rtxSsrc and rtxPt are left out */
	uint32_t ssrc;
	uint32_t rtx_ssrc;
};

struct sig_participant_info {
	const char *participant_id;
	const char *display_name;  /* NULL = "" */
	const struct sig_stream_info *streams;
	size_t n_streams;
};

/* The media section: the router's address and port, the profile, and the
 * two master keys (key || salt, raw bytes: the builder encodes base64). */
struct sig_media_info {
	const char *address;       /* textual IPv4 or IPv6 */
	uint16_t port;
	enum sig_srtp_profile profile;
	const uint8_t *send;       /* what the client protects with */
	size_t send_len;
	const uint8_t *recv;       /* what the client unprotects with */
	size_t recv_len;
};

struct sig_joined {
	const char *participant_id;
	const char *resume_token;
	const char *resource_id;
	const struct sig_participant_info *participants;
	size_t n_participants;
	struct sig_media_info media;
};

struct sig_published_stream {
	uint32_t ssrc;
	const char *stream_id;
};

char *sig_build_joined(int64_t id, const struct sig_joined *j);
char *sig_build_resumed(int64_t id, const char *participant_id,
			const struct sig_participant_info *participants, size_t n,
			const struct sig_media_info *media);
char *sig_build_published(int64_t id, const struct sig_published_stream *s, size_t n);
/* The answers with nothing but the id: unpublished, preferences-set,
 * chat-sent, keepalive-ack, left.  (NULL for join, resume, publish.) */
char *sig_build_answer(enum sig_req_type answering, int64_t id);
/* id < 0: an error event that answers no request. message may be NULL. */
char *sig_build_error(int64_t id, enum strata_sig_error reason, const char *message);
char *sig_build_participant_joined(const char *participant_id, const char *display_name);
char *sig_build_participant_left(const char *participant_id, const char *reason);
char *sig_build_stream_added(const char *participant_id, const struct sig_stream_info *s);
char *sig_build_stream_removed(const char *participant_id, const char *stream_id);
char *sig_build_participants(const char *const *order, size_t n);
char *sig_build_loudest_changed(const char *participant_id);
char *sig_build_chat(const char *participant_id, const char *display_name, const char *text);
/* reason: an error name ("Banned", "ServerDraining") or "kicked". */
char *sig_build_closing(const char *reason);

/* Wipes and frees what a builder returned (NULL is fine). */
void sig_json_free(char *json);

/* ---- logs -------------------------------------------------------------------- */

/*
 * For debug logs: writes message text into out (always NUL-terminated,
 * cut with "..." when it does not fit), with the value of every secret
 * field (token, resumeToken, send, recv, and any key named like "*key*",
 * "*secret*", "*password*") replaced by "<redacted>" and chat text by its
 * length; anything that is not a JSON object prints as "<N bytes, not
 * JSON>", since the raw bytes could be a token.  Returns strlen(out).
 */
size_t sig_redact(const char *text, size_t len, char *out, size_t cap);

/* The same for a parsed request: its type, id and non-secret fields. */
size_t sig_request_describe(const struct sig_request *req, char *out, size_t cap);

#endif /* STRATA_CP_SIG_MSG_H */
