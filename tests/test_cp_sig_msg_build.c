/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server's messages (sig_msg_build.c) and the redacting printers
 * (sig_msg_redact.c): every builder's output parsed back with jansson and
 * compared field by field with signaling.h; bad inputs give NULL; the
 * media keys come out as base64 of exactly the bytes given; and no secret
 * (token, resume token, either key) survives sig_redact or
 * sig_request_describe.
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sig_msg.h"
#include "test_util.h"

/* Parses a builder's output (freeing it): NULL when it is not one line of
 * a JSON object with that type. */
static json_t *load(char *text, const char *type)
{
	json_t *o;

	if (!text)
		return NULL;
	CHECK(!strchr(text, '\n'), "%s: one line", type);
	o = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	sig_json_free(text);
	if (!json_is_object(o) || !json_is_string(json_object_get(o, "type")) ||
	    strcmp(json_string_value(json_object_get(o, "type")), type) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "(none)";
}

static long long num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : -12345;
}

static const uint8_t send_key[30] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
				      16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 0xfe, 0xff };
static const uint8_t recv_key[28] = { 0xaa, 0xbb, 0xcc };

static const struct sig_stream_info bob_streams[] = {
	{ "s-11", STRATA_MEDIA_VIDEO, STRATA_CODEC_VP8, 96, 97, 3900000001u, 3900000002u },
	{ "s-12", STRATA_MEDIA_AUDIO, STRATA_CODEC_OPUS, 111, 0, 3900000003u, 0 },
};
static const struct sig_participant_info participants[] = {
	{ "p-1b7e", "Bob \"the\" builder", bob_streams, 2 },
	{ "p-0000", NULL, NULL, 0 },
};

static bool key_is(json_t *media, const char *which, const uint8_t *key, size_t len)
{
	unsigned char decoded[64];
	const char *b64 = str(media, which);
	int n = EVP_DecodeBlock(decoded, (const unsigned char *)b64, (int)strlen(b64));

	/* EVP_DecodeBlock counts the padding's zero bytes too. */
	n -= (int)(strlen(b64) && b64[strlen(b64) - 1] == '=') +
	     (int)(strlen(b64) > 1 && b64[strlen(b64) - 2] == '=');
	return n == (int)len && memcmp(decoded, key, len) == 0;
}

static void check_joined(void)
{
	struct sig_joined j = {
		.participant_id = "p-3f2a",
		.resume_token = "r-9c41",
		.resource_id = "standup",
		.participants = participants,
		.n_participants = 2,
		.media = { "192.0.2.2", 40012, SIG_SRTP_AEAD_AES_128_GCM, send_key, sizeof(send_key),
			   recv_key, sizeof(recv_key) },
	};
	json_t *o = load(sig_build_joined(1, &j), "joined"), *p, *s, *m;

	CHECK(o != NULL, "joined builds");
	if (!o)
		return;
	CHECK(num(o, "id") == 1 && strcmp(str(o, "participantId"), "p-3f2a") == 0 &&
		      strcmp(str(o, "resumeToken"), "r-9c41") == 0 &&
		      strcmp(str(o, "resourceId"), "standup") == 0,
	      "joined fields");
	p = json_object_get(o, "participants");
	CHECK(json_array_size(p) == 2, "two participants");
	CHECK(strcmp(str(json_array_get(p, 0), "displayName"), "Bob \"the\" builder") == 0 &&
		      strcmp(str(json_array_get(p, 1), "displayName"), "") == 0,
	      "display names (quoted, and empty for NULL)");
	s = json_object_get(json_array_get(p, 0), "streams");
	CHECK(json_array_size(s) == 2 && strcmp(str(json_array_get(s, 0), "codec"), "VP8") == 0 &&
		      num(json_array_get(s, 0), "ssrc") == 3900000001LL &&
		      num(json_array_get(s, 0), "rtxSsrc") == 3900000002LL &&
		      num(json_array_get(s, 0), "rtxPt") == 97 &&
		      strcmp(str(json_array_get(s, 1), "kind"), "audio") == 0 &&
		      !json_object_get(json_array_get(s, 1), "rtxPt"),
	      "streams, RTX only where there is some");
	m = json_object_get(o, "media");
	CHECK(strcmp(str(m, "address"), "192.0.2.2") == 0 && num(m, "port") == 40012 &&
		      strcmp(str(m, "profile"), "AEAD_AES_128_GCM") == 0,
	      "media");
	CHECK(key_is(m, "send", send_key, sizeof(send_key)) &&
		      key_is(m, "recv", recv_key, sizeof(recv_key)),
	      "media keys are the bytes given, in base64");
	json_decref(o);

	j.media.profile = SIG_SRTP_NONE;
	CHECK(sig_build_joined(1, &j) == NULL, "joined: no profile, no message");
	j.media.profile = SIG_SRTP_AES_CM_128_HMAC_SHA1_80;
	j.media.send_len = 65;
	CHECK(sig_build_joined(1, &j) == NULL, "joined: a 65-byte key, no message");
	j.media.send_len = sizeof(send_key);
	j.resume_token = NULL;
	CHECK(sig_build_joined(1, &j) == NULL, "joined: no resume token, no message");
	j.resume_token = "r";
	j.media.address = "a\"b";
	o = load(sig_build_joined(1, &j), "joined");
	CHECK(o && strcmp(str(json_object_get(o, "media"), "address"), "a\"b") == 0,
	      "media address escaped");
	json_decref(o);

	o = load(sig_build_resumed(9, "p-3f2a", participants, 1, &j.media), "resumed");
	CHECK(o && num(o, "id") == 9 && json_array_size(json_object_get(o, "participants")) == 1 &&
		      json_is_object(json_object_get(o, "media")),
	      "resumed");
	json_decref(o);
}

static void check_answers_and_events(void)
{
	struct sig_published_stream ps[] = { { 1111, "s-41" }, { 2222, "s-42" } };
	const char *order[] = { "p-3f2a", "p-1b7e" };
	json_t *o;

	o = load(sig_build_published(2, ps, 2), "published");
	CHECK(o && num(o, "id") == 2 && json_array_size(json_object_get(o, "streams")) == 2 &&
		      num(json_array_get(json_object_get(o, "streams"), 1), "ssrc") == 2222 &&
		      strcmp(str(json_array_get(json_object_get(o, "streams"), 1), "streamId"),
			     "s-42") == 0,
	      "published");
	json_decref(o);
	ps[1].stream_id = NULL;
	CHECK(sig_build_published(2, ps, 2) == NULL, "published: NULL stream id");

	static const struct {
		enum sig_req_type req;
		const char *type;
	} answers[] = {
		{ SIG_REQ_UNPUBLISH, "unpublished" }, { SIG_REQ_PREFERENCES, "preferences-set" },
		{ SIG_REQ_CHAT, "chat-sent" },        { SIG_REQ_KEEPALIVE, "keepalive-ack" },
		{ SIG_REQ_LEAVE, "left" },
	};
	for (size_t i = 0; i < ARRAY_LEN(answers); i++) {
		o = load(sig_build_answer(answers[i].req, 77), answers[i].type);
		CHECK(o && num(o, "id") == 77 && json_object_size(o) == 2, "answer %s",
		      answers[i].type);
		json_decref(o);
	}
	CHECK(sig_build_answer(SIG_REQ_JOIN, 1) == NULL && sig_build_answer(SIG_REQ_CHAT, -1) == NULL,
	      "no bare answer to join, none without an id");

	o = load(sig_build_error(5, STRATA_SIG_ERR_NOT_MEMBER, "join first"), "error");
	CHECK(o && num(o, "id") == 5 && strcmp(str(o, "reason"), "NotMember") == 0 &&
		      strcmp(str(o, "message"), "join first") == 0,
	      "error with an id");
	json_decref(o);
	o = load(sig_build_error(-1, STRATA_SIG_ERR_SERVER_DRAINING, NULL), "error");
	CHECK(o && !json_object_get(o, "id") && strcmp(str(o, "reason"), "ServerDraining") == 0 &&
		      strcmp(str(o, "message"), "") == 0,
	      "error event without an id");
	json_decref(o);
	CHECK(sig_build_error(1, STRATA_SIG_ERROR_COUNT, "x") == NULL, "error: unknown reason");

	o = load(sig_build_participant_joined("p-1", "Zoë"), "participant-joined");
	CHECK(o && strcmp(str(o, "displayName"), "Zoë") == 0, "participant-joined");
	json_decref(o);
	o = load(sig_build_participant_left("p-1", "kicked"), "participant-left");
	CHECK(o && strcmp(str(o, "reason"), "kicked") == 0, "participant-left");
	json_decref(o);
	o = load(sig_build_stream_added("p-3f2a", &bob_streams[0]), "stream-added");
	CHECK(o && strcmp(str(o, "participantId"), "p-3f2a") == 0 &&
		      strcmp(str(o, "streamId"), "s-11") == 0 && num(o, "pt") == 96 &&
		      num(o, "rtxPt") == 97,
	      "stream-added");
	json_decref(o);
	o = load(sig_build_stream_removed("p-3f2a", "s-11"), "stream-removed");
	CHECK(o && strcmp(str(o, "streamId"), "s-11") == 0, "stream-removed");
	json_decref(o);
	o = load(sig_build_participants(order, 2), "participants");
	CHECK(o && json_array_size(json_object_get(o, "order")) == 2 &&
		      strcmp(json_string_value(json_array_get(json_object_get(o, "order"), 1)),
			     "p-1b7e") == 0,
	      "participants");
	json_decref(o);
	o = load(sig_build_participants(NULL, 0), "participants");
	CHECK(o && json_array_size(json_object_get(o, "order")) == 0, "participants: empty");
	json_decref(o);
	o = load(sig_build_loudest_changed("p-1"), "loudest-changed");
	CHECK(o && strcmp(str(o, "participantId"), "p-1") == 0, "loudest-changed");
	json_decref(o);
	o = load(sig_build_chat("p-1", "Alice", "line\nbreak"), "chat");
	CHECK(o && strcmp(str(o, "text"), "line\nbreak") == 0, "chat (newline escaped)");
	json_decref(o);
	o = load(sig_build_closing("ServerDraining"), "closing");
	CHECK(o && strcmp(str(o, "reason"), "ServerDraining") == 0, "closing");
	json_decref(o);

	CHECK(sig_build_chat(NULL, "a", "b") == NULL && sig_build_loudest_changed(NULL) == NULL &&
		      sig_build_closing(NULL) == NULL && sig_build_chat("p", "a", "\xff") == NULL,
	      "NULL or invalid UTF-8 strings build nothing");
	struct sig_stream_info bad = bob_streams[0];
	bad.codec = 99;
	CHECK(sig_build_stream_added("p", &bad) == NULL, "unknown codec builds nothing");
}

static void check_redact(void)
{
	char out[512];
	struct sig_request req;
	struct sig_parse_error err;
	const char *join = "{\"type\":\"join\",\"id\":1,\"token\":\"SECRETTOKEN\","
			   "\"resourceId\":\"standup\",\"capabilities\":{\"codecs\":[\"VP8\"],"
			   "\"srtpProfiles\":[\"AEAD_AES_128_GCM\"]},\"x\":{\"apiKey\":\"SECRETK\"}}";
	struct sig_joined j = {
		.participant_id = "p-1", .resume_token = "SECRETRESUME", .resource_id = "r",
		.media = { "192.0.2.2", 1, SIG_SRTP_AEAD_AES_128_GCM, send_key, sizeof(send_key),
			   recv_key, sizeof(recv_key) },
	};
	char *joined = sig_build_joined(1, &j);
	char *send_b64 = strstr(joined, "\"send\":\"") + 8;
	char key_prefix[12];

	snprintf(key_prefix, sizeof(key_prefix), "%.10s", send_b64);

	sig_redact(join, strlen(join), out, sizeof(out));
	CHECK(!strstr(out, "SECRET") && strstr(out, "standup") && strstr(out, "<redacted>"),
	      "redacted join: %s", out);
	sig_redact(joined, strlen(joined), out, sizeof(out));
	CHECK(!strstr(out, "SECRET") && !strstr(out, key_prefix) && strstr(out, "p-1"),
	      "redacted joined: %s", out);
	sig_json_free(joined);

	sig_redact("{\"type\":\"chat\",\"text\":\"private words\"}", 38, out, sizeof(out));
	CHECK(!strstr(out, "private") && strstr(out, "<13 bytes>"), "chat text: %s", out);
	sig_redact("SECRETTOKEN not json", 20, out, sizeof(out));
	CHECK(strcmp(out, "<20 bytes, not JSON>") == 0, "not JSON: %s", out);
	sig_redact("[\"SECRET\"]", 10, out, sizeof(out));
	CHECK(strcmp(out, "<10 bytes, not JSON>") == 0, "an array is not printed: %s", out);
	CHECK(sig_redact(join, strlen(join), out, 16) == 15 && strcmp(out + 12, "...") == 0,
	      "cut to fit: %s", out);
	CHECK(sig_redact(join, strlen(join), out, 0) == 0, "no room");

	CHECK(sig_request_parse(join, strlen(join), &req, &err) == 0, "join parses");
	sig_request_describe(&req, out, sizeof(out));
	CHECK(!strstr(out, "SECRET") && strstr(out, "join id=1") && strstr(out, "standup") &&
		      strstr(out, "token=<redacted 11 bytes>"),
	      "describe join: %s", out);
	const char *resume = "{\"type\":\"resume\",\"id\":2,\"resumeToken\":\"SECRETR\"}";
	CHECK(sig_request_parse(resume, strlen(resume), &req, &err) == 0,
	      "resume parses: %s", err.message);
	sig_request_describe(&req, out, sizeof(out));
	CHECK(!strstr(out, "SECRET") && strstr(out, "resume id=2"), "describe resume: %s", out);
	CHECK(sig_request_describe(&req, out, 8) == 7 && strlen(out) == 7, "describe cut: %s", out);
}

int main(void)
{
	check_joined();
	check_answers_and_events();
	check_redact();
	return test_summary("cp_sig_msg_build");
}
