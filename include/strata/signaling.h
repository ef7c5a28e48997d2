/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Strata's signaling protocol: what an app's client and strata-cp say to
 * each other (protocol version 1).
 *
 * Transport: WebSocket (RFC 6455) over TLS 1.2 or 1.3, path "/strata/v1",
 * subprotocol "strata.v1".  Every WebSocket message is one UTF-8 JSON
 * object with a "type".  Requests from the client carry an integer "id";
 * the answer to a request carries the same "id" (and either the answer's
 * own type or "error").  Events from the server carry no id.  Unknown
 * fields are ignored (forward compatibility); unknown types get an error.
 * A message larger than STRATA_SIG_MAX_MESSAGE bytes closes the connection
 * with close code 1009.  The server pings (RFC 6455 section 5.5.2) a
 * connection it has heard nothing from for a while and drops one that
 * answers neither that nor anything else in time (its participant is then
 * away: "resume" within the grace, or participant-left ConnectionTimeout
 * to the room); a client's WebSocket stack answers pings by itself.
 *
 * Media: after "joined", the client sends and receives SRTP over UDP with
 * the router's media address and port from the answer, keyed with the
 * master keys (SDES-style, RFC 4568 inline key||salt, base64) that only
 * this TLS connection ever carries.  "send" is what the client protects
 * what it sends with; "recv" what it unprotects what it receives with.
 * The router learns the client's address from the first authenticated
 * packet (latching) unless the client said where it is.
 *
 * An example exchange (client C, server S):
 *
 *   C: {"type":"join","id":1,"token":"cHJvdmlzaW9uAGFsaWNlQGFwcDEAMzg5...",
 *       "resourceId":"standup","displayName":"Alice",
 *       "capabilities":{"codecs":["VP8","opus"],
 *                       "srtpProfiles":["AEAD_AES_128_GCM","AES_CM_128_HMAC_SHA1_80"],
 *                       "rtx":false}}
 *   S: {"type":"joined","id":1,"participantId":"p-3f2a","resumeToken":"r-9c41...",
 *       "resourceId":"standup",
 *       "participants":[{"participantId":"p-1b7e","displayName":"Bob",
 *                        "streams":[{"streamId":"s-11","kind":"video","codec":"VP8",
 *                                    "ssrc":3900000001,"pt":96}]}],
 *       "media":{"address":"192.0.2.2","port":40012,"profile":"AEAD_AES_128_GCM",
 *                "send":"<base64 master key||salt>","recv":"<base64 master key||salt>"}}
 *   C: {"type":"publish","id":2,"streams":[{"kind":"audio","codec":"opus","ssrc":1111,
 *       "pt":111,"clockRate":48000},{"kind":"video","codec":"VP8","ssrc":2222,"pt":96,
 *       "clockRate":90000,"layers":{"temporal":3}}]}
 *   S: {"type":"published","id":2,"streams":[{"ssrc":1111,"streamId":"s-41"},
 *       {"ssrc":2222,"streamId":"s-42"}]}
 *   S: (to Bob) {"type":"stream-added","participantId":"p-3f2a","streamId":"s-42",
 *       "kind":"video","codec":"VP8","ssrc":3900000007,"pt":96}
 *   C: {"type":"preferences","id":3,"maxVideoSources":4,
 *       "sources":{"s-11":{"maxTemporal":0}}}
 *   S: {"type":"preferences-set","id":3}
 *   C: {"type":"chat","id":4,"text":"hello"}
 *   S: (to everyone) {"type":"chat","participantId":"p-3f2a","displayName":"Alice",
 *       "text":"hello"}
 *   S: {"type":"participants","order":["p-3f2a","p-1b7e"]}       (by speech activity)
 *   S: {"type":"loudest-changed","participantId":"p-3f2a"}
 *   C: {"type":"leave","id":5}
 *   S: {"type":"left","id":5}
 *
 * Client requests (fields beyond "type" and "id"):
 *   join         token, resourceId, displayName (optional, <= 128 bytes),
 *                capabilities {codecs[], srtpProfiles[] (preference order), rtx,
 *                headerExtensions {audioLevel, transportCc, dependencyDescriptor: ids}},
 *                media {address, port} (optional: where the client receives)
 *                -> joined (see above) | error
 *   resume       resumeToken -> resumed {participantId, participants, media (the same
 *                keys and ports: media never stopped)} | error
 *   publish      streams[] {kind "audio"|"video", codec "opus"|"VP8"|"VP9"|"H264"|"AV1",
 *                ssrc, pt, clockRate, rtxSsrc, rtxPt, simulcast [{ssrc, rid}] (lowest
 *                first), layers {spatial, temporal}} -> published {streams[] {ssrc,
 *                streamId}}
 *   unpublish    streamId -> unpublished
 *   preferences  maxVideoSources, sources {streamId: {maxSpatial, maxTemporal,
 *                maxHeight}} -> preferences-set
 *   chat         text (<= 4096 bytes) -> chat-sent
 *   keepalive    -> keepalive-ack
 *   leave        -> left (then the server closes the connection)
 *
 * Server events:
 *   participant-joined {participantId, displayName}
 *   participant-left   {participantId, reason}
 *   stream-added       {participantId, streamId, kind, codec, ssrc, pt, rtxSsrc, rtxPt}
 *                      (the SSRC and payload type this client receives the stream with)
 *   stream-removed     {participantId, streamId}
 *   participants       {order [participantId...]} ordered by speech activity
 *   loudest-changed    {participantId}
 *   chat               {participantId, displayName, text}
 *   error              {id (when answering a request), reason, message}
 *   closing            {reason} before the server closes (kicked, banned, draining)
 *
 * Error reasons, as vidyo.io developers know them (STRATA_SIG_FOREACH_ERROR).
 */
#ifndef STRATA_SIGNALING_H
#define STRATA_SIGNALING_H

#define STRATA_SIG_PATH "/strata/v1"
#define STRATA_SIG_SUBPROTOCOL "strata.v1"
#define STRATA_SIG_MAX_MESSAGE 65536

/* Error reason, when it is used. */
#define STRATA_SIG_FOREACH_ERROR(_)                                              \
	_(INVALID_TOKEN, "InvalidToken")          /* bad, expired or unknown-app token */ \
	_(INVALID_RESOURCE_ID, "InvalidResourceId") /* empty, too long or bad characters */ \
	_(RESOURCE_FULL, "ResourceFull")          /* room, app or server quota reached */ \
	_(BANNED, "Banned")                       /* an operator banned the user */ \
	_(NOT_MEMBER, "NotMember")                /* a request that needs a joined room */ \
	_(CONNECTION_TIMEOUT, "ConnectionTimeout") /* no keepalive or media in time */ \
	_(RATE_LIMITED, "RateLimited")            /* join rate of the address or app */ \
	_(MALFORMED_MESSAGE, "MalformedMessage")  /* not JSON, or fields of wrong type */ \
	_(UNKNOWN_MESSAGE, "UnknownMessage")      /* a type the server does not know */ \
	_(UNSUPPORTED_MEDIA, "UnsupportedMedia")  /* no common codec or SRTP profile */ \
	_(SERVER_DRAINING, "ServerDraining")      /* the server takes no new rooms */ \
	_(MISC_REMOTE_ERROR, "MiscRemoteError")   /* anything else; see message */

enum strata_sig_error {
#define STRATA_SIG_ERROR_ENUM(name, str) STRATA_SIG_ERR_##name,
	STRATA_SIG_FOREACH_ERROR(STRATA_SIG_ERROR_ENUM)
#undef STRATA_SIG_ERROR_ENUM
	STRATA_SIG_ERROR_COUNT
};

#endif /* STRATA_SIGNALING_H */
