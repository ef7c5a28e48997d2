/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The signaling server end to end on 127.0.0.1: the server (with the echo
 * application) in a thread, test clients on sig_client, misbehaving ones
 * on raw sockets and OpenSSL.  Limits for the test: handshakes 2 s, idle
 * 4 s, 20 messages a second with bursts of 40, 256 KiB of write queue.
 *
 *   exchange     join, publish, chat relayed to the room, preferences,
 *                keepalive, errors that keep the connection, leave
 *   tls          TLS 1.0 and 1.1 refused, 1.2 and 1.3 with the policy's
 *                ciphers, TLS 1.2 ciphers outside the policy refused
 *   handshake    garbage instead of TLS, a silent client, a client that
 *                never finishes (or dribbles) its upgrade, a wrong path
 *                or subprotocol, a refusal by on_accept
 *   refusals     oversize (1009, also when fragmented), binary (1003),
 *                a flood (RateLimited, 1008), idle (ConnectionTimeout)
 *   slow reader  dropped when its queue overflows, while another client's
 *                round trips stay fast
 *   crowd        50 clients at once, 40 well-behaved and 10 misbehaving:
 *                each gets its answers or its error and close
 * At the end the server's counters must agree with what the clients saw.
 */
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sig_misbehave.h"
#include "sig_server_fixture.h"
#include "sig_tls.h"
#include "test_util.h"

#define JOIN(id, room, name)                                                            \
	"{\"type\":\"join\",\"id\":" #id ",\"token\":\"dG9rZW4=\",\"resourceId\":\"" room \
	"\",\"displayName\":\"" name "\",\"capabilities\":{\"codecs\":[\"VP8\",\"opus\"],"  \
	"\"srtpProfiles\":[\"AEAD_AES_128_GCM\"]}}"

static struct fx fx;

static void check_exchange(void)
{
	struct tc a, b;

	tc_connect(&fx, &a, NULL, NULL);
	tc_connect(&fx, &b, NULL, NULL);
	CHECK(tc_wait_open(&fx, &a, 5000) && tc_wait_open(&fx, &b, 5000), "two clients open: %s",
	      a.close_reason);

	tc_send(&a, "{\"type\":\"publish\",\"id\":1,\"streams\":[{\"kind\":\"audio\","
		    "\"codec\":\"opus\",\"ssrc\":1,\"pt\":111}]}");
	CHECK(tc_wait_type(&fx, &a, "error", 1, 3000) &&
		      strcmp(a.last_error_reason, "NotMember") == 0 && a.last_error_id == 1,
	      "publish before join: NotMember with the id (%s)", a.last_error_reason);

	tc_send(&a, JOIN(2, "standup", "Alice"));
	CHECK(tc_wait_type(&fx, &a, "joined", 1, 3000), "a joined");
	CHECK(strstr(a.first[1], "\"id\":2") && strstr(a.first[1], "\"media\":{") &&
		      strstr(a.first[1], "\"profile\":\"AEAD_AES_128_GCM\""),
	      "joined answers the request: %s", a.first[1]);
	tc_send(&b, JOIN(1, "standup", "Bob"));
	CHECK(tc_wait_type(&fx, &b, "joined", 1, 3000), "b joined");
	CHECK(strstr(b.first[0], "\"displayName\":\"Alice\""), "b sees Alice in joined: %s",
	      b.first[0]);
	CHECK(tc_wait_type(&fx, &a, "participant-joined", 1, 3000), "a told of Bob");

	tc_send(&a, "{\"type\":\"publish\",\"id\":3,\"streams\":[{\"kind\":\"video\","
		    "\"codec\":\"VP8\",\"ssrc\":2222,\"pt\":96,\"layers\":{\"temporal\":3}}]}");
	CHECK(tc_wait_type(&fx, &a, "published", 1, 3000), "published");
	CHECK(tc_wait_type(&fx, &b, "stream-added", 1, 3000), "b told of the stream");

	tc_send(&a, "{\"type\":\"chat\",\"id\":4,\"text\":\"hello\"}");
	CHECK(tc_wait_type(&fx, &a, "chat-sent", 1, 3000) && tc_wait_type(&fx, &b, "chat", 1, 3000),
	      "chat sent and relayed");
	tc_send(&b, "{\"type\":\"preferences\",\"id\":5,\"maxVideoSources\":4}");
	CHECK(tc_wait_type(&fx, &b, "preferences-set", 1, 3000) && b.last_id == 5,
	      "preferences-set");

	/* Bad requests are answered, and the connection stays. */
	tc_send(&a, "this is not json");
	CHECK(tc_wait_type(&fx, &a, "error", 2, 3000) &&
		      strcmp(a.last_error_reason, "MalformedMessage") == 0 && a.last_error_id == -1,
	      "not JSON: MalformedMessage without an id");
	tc_send(&a, "{\"type\":\"dance\",\"id\":77}");
	CHECK(tc_wait_type(&fx, &a, "error", 3, 3000) &&
		      strcmp(a.last_error_reason, "UnknownMessage") == 0 && a.last_error_id == 77,
	      "unknown type: UnknownMessage with the id");
	tc_send(&a, "{\"type\":\"chat\",\"id\":78,\"text\":5}");
	CHECK(tc_wait_type(&fx, &a, "error", 4, 3000) && a.last_error_id == 78,
	      "wrong field type: error with the id");
	tc_send(&a, "{\"type\":\"keepalive\",\"id\":79}");
	CHECK(tc_wait_type(&fx, &a, "keepalive-ack", 1, 3000) && !a.closed,
	      "still served after bad requests");
	tc_send(&a, "{\"type\":\"resume\",\"id\":80,\"resumeToken\":\"r-x\"}");
	CHECK(tc_wait_type(&fx, &a, "error", 5, 3000) &&
		      strcmp(a.last_error_reason, "InvalidToken") == 0,
	      "resume of an unknown token");

	/* A message fragmented in 5 frames is one message. */
	static const char frag[] = "{\"type\":\"keepalive\",\"id\":81}";
	sig_client_send_fragments(a.c, frag, strlen(frag), 5);
	CHECK(tc_wait_type(&fx, &a, "keepalive-ack", 2, 3000) && a.last_id == 81,
	      "fragmented request reassembled");

	tc_send(&a, "{\"type\":\"leave\",\"id\":6}");
	CHECK(tc_wait_type(&fx, &a, "left", 1, 3000), "left");
	CHECK(tc_wait_closed(&fx, &a, 3000) && a.close_code == 1000,
	      "closed with 1000 after left (%d)", a.close_code);
	CHECK(tc_wait_type(&fx, &b, "participant-left", 1, 3000), "b told Alice left");

	tc_send(&b, "{\"type\":\"chat\",\"id\":7,\"text\":\"kick\"}");
	CHECK(tc_wait_type(&fx, &b, "closing", 1, 3000), "closing before a kick");
	CHECK(tc_wait_closed(&fx, &b, 3000) && b.close_code == 1008, "kick closes with 1008 (%d)",
	      b.close_code);
}

static void check_tls(void)
{
	char info[256];
	int rc;

	rc = sig_mis_tls_probe("127.0.0.1", fx.port, fx.cert, TLS1_VERSION, NULL, info, sizeof(info));
	CHECK(rc == 0, "TLS 1.0 refused (%d: %s)", rc, info);
	rc = sig_mis_tls_probe("127.0.0.1", fx.port, fx.cert, TLS1_1_VERSION, NULL, info,
			       sizeof(info));
	CHECK(rc == 0, "TLS 1.1 refused (%d: %s)", rc, info);
	rc = sig_mis_tls_probe("127.0.0.1", fx.port, fx.cert, TLS1_2_VERSION, NULL, info,
			       sizeof(info));
	CHECK(rc == 1 && strstr(info, "TLSv1.2 ECDHE-ECDSA-"), "TLS 1.2 completes (%s)", info);
	rc = sig_mis_tls_probe("127.0.0.1", fx.port, fx.cert, TLS1_3_VERSION, NULL, info,
			       sizeof(info));
	CHECK(rc == 1 && strstr(info, "TLSv1.3 TLS_"), "TLS 1.3 completes (%s)", info);
	/* Each TLS 1.2 suite of the policy that an EC certificate can use. */
	static const char *const good[] = { "ECDHE-ECDSA-AES128-GCM-SHA256",
					    "ECDHE-ECDSA-AES256-GCM-SHA384",
					    "ECDHE-ECDSA-CHACHA20-POLY1305" };
	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		rc = sig_mis_tls_probe("127.0.0.1", fx.port, fx.cert, TLS1_2_VERSION, good[i], info,
				       sizeof(info));
		CHECK(rc == 1 && strstr(info, good[i]), "TLS 1.2 %s (%s)", good[i], info);
	}
	/* CBC, SHA-1 MACs, static RSA: not in the policy. */
	static const char *const bad[] = { "ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384",
					   "AES128-GCM-SHA256", "AES128-SHA" };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		rc = sig_mis_tls_probe("127.0.0.1", fx.port, fx.cert, TLS1_2_VERSION, bad[i], info,
				       sizeof(info));
		CHECK(rc == 0, "TLS 1.2 %s refused (%d: %s)", bad[i], rc, info);
	}
}

static void check_handshakes(void)
{
	struct tc t;
	long ms;

	ms = sig_mis_garbage("127.0.0.1", fx.port, 5000);
	CHECK(ms >= 0 && ms < 1500, "garbage instead of TLS: closed at once (%ld ms)", ms);
	ms = sig_mis_half_open("127.0.0.1", fx.port, 6000);
	CHECK(ms >= 1500 && ms < 4500, "silent client: closed at the handshake deadline (%ld ms)",
	      ms);
	ms = sig_mis_no_upgrade("127.0.0.1", fx.port, fx.cert, false, 6000);
	CHECK(ms >= 1500 && ms < 4500, "unfinished upgrade: closed at the deadline (%ld ms)", ms);
	ms = sig_mis_no_upgrade("127.0.0.1", fx.port, fx.cert, true, 8000);
	CHECK(ms >= 1500 && ms < 4500, "dribbled upgrade: closed at the deadline (%ld ms)", ms);

	tc_connect(&fx, &t, NULL, "/elsewhere");
	CHECK(tc_wait_closed(&fx, &t, 5000) && !t.opened && t.close_code == -1,
	      "wrong path refused (%d %s)", t.close_code, t.close_reason);
	tc_connect(&fx, &t, "chat.v2", NULL);
	CHECK(tc_wait_closed(&fx, &t, 5000) && !t.opened, "wrong subprotocol refused");
	tc_connect(&fx, &t, "", NULL);
	CHECK(tc_wait_closed(&fx, &t, 5000) && !t.opened, "no subprotocol refused");
	tc_connect(&fx, &t, "strata-http", NULL);
	CHECK(tc_wait_closed(&fx, &t, 5000) && !t.opened, "internal protocol name refused");
	tc_connect(&fx, &t, "strata-fd", NULL);
	CHECK(tc_wait_closed(&fx, &t, 5000) && !t.opened, "internal fd protocol refused");
}

static void check_refusals(void)
{
	struct tc big, frag, bin, flood, ok;
	char *text;

	tc_connect(&fx, &big, NULL, NULL);
	tc_connect(&fx, &frag, NULL, NULL);
	tc_connect(&fx, &bin, NULL, NULL);
	tc_connect(&fx, &flood, NULL, NULL);
	tc_connect(&fx, &ok, NULL, NULL);
	CHECK(tc_wait_open(&fx, &big, 5000) && tc_wait_open(&fx, &frag, 5000) &&
		      tc_wait_open(&fx, &bin, 5000) && tc_wait_open(&fx, &flood, 5000) &&
		      tc_wait_open(&fx, &ok, 5000),
	      "five clients open");

	/* At the limit: a (malformed) request, answered; one past: 1009. */
	text = malloc(STRATA_SIG_MAX_MESSAGE + 1);
	memset(text, ' ', STRATA_SIG_MAX_MESSAGE + 1);
	memcpy(text, "{\"type\":\"keepalive\",\"id\":5", 26);
	text[STRATA_SIG_MAX_MESSAGE - 1] = '}';
	sig_client_send(ok.c, text, STRATA_SIG_MAX_MESSAGE);
	CHECK(tc_wait_type(&fx, &ok, "keepalive-ack", 1, 3000), "a message of exactly 64 KiB");
	text[STRATA_SIG_MAX_MESSAGE] = '}';
	sig_client_send(big.c, text, STRATA_SIG_MAX_MESSAGE + 1);
	CHECK(tc_wait_closed(&fx, &big, 5000) && big.close_code == 1009,
	      "65537 bytes: closed with 1009 (%d)", big.close_code);
	sig_client_send_fragments(frag.c, text, STRATA_SIG_MAX_MESSAGE + 1, 4);
	CHECK(tc_wait_closed(&fx, &frag, 5000) && frag.close_code == 1009,
	      "65537 bytes in 4 frames: 1009 (%d)", frag.close_code);
	free(text);

	sig_client_send_binary(bin.c, "{\"type\":\"keepalive\",\"id\":1}", 28);
	CHECK(tc_wait_closed(&fx, &bin, 5000) && bin.close_code == 1003 &&
		      strcmp(bin.last_error_reason, "MalformedMessage") == 0,
	      "binary: error, then 1003 (%d, %s)", bin.close_code, bin.last_error_reason);

	for (int i = 0; i < 100; i++)
		tc_send(&flood, "{\"type\":\"keepalive\",\"id\":1}");
	CHECK(tc_wait_closed(&fx, &flood, 5000) && flood.close_code == 1008 &&
		      strcmp(flood.last_error_reason, "RateLimited") == 0,
	      "100 messages at once: RateLimited, 1008 (%d, %s)", flood.close_code,
	      flood.last_error_reason);
	CHECK(tc_count(&flood, "keepalive-ack") >= 35 && tc_count(&flood, "keepalive-ack") <= 45,
	      "the burst of 40 was served (%u)", tc_count(&flood, "keepalive-ack"));

	tc_send(&ok, "{\"type\":\"keepalive\",\"id\":2}");
	CHECK(tc_wait_type(&fx, &ok, "keepalive-ack", 2, 3000) && !ok.closed,
	      "the others did not hurt a good client");
	sig_client_close(ok.c, 1000);
	tc_wait_closed(&fx, &ok, 3000);
}

static void check_idle(void)
{
	struct tc t;
	long start = fx_now_ms(), ms;

	tc_connect(&fx, &t, NULL, NULL);
	CHECK(tc_wait_open(&fx, &t, 5000), "idle client opens");
	CHECK(tc_wait_closed(&fx, &t, 8000) && t.close_code == 1001 &&
		      strcmp(t.last_error_reason, "ConnectionTimeout") == 0,
	      "idle: ConnectionTimeout, then 1001 (%d %s)", t.close_code, t.last_error_reason);
	ms = fx_now_ms() - start;
	CHECK(ms >= 3500 && ms < 7000, "after the idle timeout (%ld ms)", ms);
}

struct slow_ctx {
	struct tc *slow, *fast;
	unsigned pings;
	long worst;
};

static void check_slow_reader(void)
{
	struct tc slow, fast;
	long worst = 0;

	tc_connect(&fx, &slow, NULL, NULL);
	tc_connect(&fx, &fast, NULL, NULL);
	CHECK(tc_wait_open(&fx, &slow, 5000) && tc_wait_open(&fx, &fast, 5000), "open");
	tc_send(&slow, JOIN(1, "slow", "Slow"));
	CHECK(tc_wait_type(&fx, &slow, "joined", 1, 3000), "slow joined");
	sig_client_pause_reading(slow.c, true);
	/* 2000 chats of 4000 bytes: 8 MB, far past 256 KiB of queue and the
	 * socket buffers. */
	tc_send(&slow, "{\"type\":\"chat\",\"id\":2,\"text\":\"flood 2000 4000\"}");
	for (int i = 0; i < 20; i++) {
		long t0 = fx_now_ms();
		char ka[64];
		snprintf(ka, sizeof(ka), "{\"type\":\"keepalive\",\"id\":%d}", 100 + i);
		tc_send(&fast, ka);
		if (!tc_wait_type(&fx, &fast, "keepalive-ack", (unsigned)i + 1, 3000))
			break;
		if (fx_now_ms() - t0 > worst)
			worst = fx_now_ms() - t0;
		sig_client_ctx_service(fx.cctx, 50);
	}
	CHECK(tc_count(&fast, "keepalive-ack") == 20 && worst < 1000,
	      "a fast client is served while a slow one stalls (%u acks, worst %ld ms)",
	      tc_count(&fast, "keepalive-ack"), worst);
	sig_client_pause_reading(slow.c, false);
	CHECK(tc_wait_closed(&fx, &slow, 10000) && slow.close_code == 1006,
	      "the slow reader was dropped, no close frame (%d)", slow.close_code);
	CHECK(tc_count(&slow, "chat") < 2000, "it did not get all 2000 (%u)",
	      tc_count(&slow, "chat"));
	sig_client_close(fast.c, 1000);
	tc_wait_closed(&fx, &fast, 3000);
}

/* ---- 50 at once ------------------------------------------------------------------ */

#define CROWD_GOOD 40

struct mis_job {
	int kind;           /* 0 garbage, 1 half-open, 2 no-upgrade, 3 slowloris */
	long ms;
};

static void *mis_thread(void *arg)
{
	struct mis_job *j = arg;

	switch (j->kind) {
	case 0:
		j->ms = sig_mis_garbage("127.0.0.1", fx.port, 8000);
		break;
	case 1:
		j->ms = sig_mis_half_open("127.0.0.1", fx.port, 8000);
		break;
	default:
		j->ms = sig_mis_no_upgrade("127.0.0.1", fx.port, fx.cert, j->kind == 3, 8000);
		break;
	}
	return NULL;
}

struct crowd {
	struct tc good[CROWD_GOOD];
	struct tc big[2], bin[2];
	int phase[CROWD_GOOD];
};

/* Each good client: join, chat, 5 keepalives, leave; one step per answer. */
static bool crowd_step(void *arg)
{
	struct crowd *cr = arg;
	bool all = true;

	for (int i = 0; i < CROWD_GOOD; i++) {
		struct tc *t = &cr->good[i];
		char msg[512];

		switch (cr->phase[i]) {
		case 0:
			if (!t->opened)
				break;
			snprintf(msg, sizeof(msg),
				 "{\"type\":\"join\",\"id\":1,\"token\":\"t\",\"resourceId\":\"room%d\","
				 "\"capabilities\":{\"codecs\":[\"VP8\"],\"srtpProfiles\":"
				 "[\"AES_CM_128_HMAC_SHA1_80\"]}}",
				 i % 5);
			tc_send(t, msg);
			cr->phase[i]++;
			break;
		case 1:
			if (!tc_count(t, "joined"))
				break;
			tc_send(t, "{\"type\":\"chat\",\"id\":2,\"text\":\"hi\"}");
			cr->phase[i]++;
			break;
		case 2: case 3: case 4: case 5: case 6:
			if (tc_count(t, "chat-sent") < 1 ||
			    tc_count(t, "keepalive-ack") < (unsigned)cr->phase[i] - 2)
				break;
			tc_send(t, "{\"type\":\"keepalive\",\"id\":3}");
			cr->phase[i]++;
			break;
		case 7:
			if (tc_count(t, "keepalive-ack") < 5)
				break;
			tc_send(t, "{\"type\":\"leave\",\"id\":4}");
			cr->phase[i]++;
			break;
		}
		if (!t->closed)
			all = false;
	}
	for (int i = 0; i < 2; i++)
		if (!cr->big[i].closed || !cr->bin[i].closed)
			all = false;
	return all;
}

static void check_crowd(void)
{
	static struct crowd cr;
	struct mis_job jobs[6] = { { 0, 0 }, { 0, 0 }, { 1, 0 }, { 1, 0 }, { 2, 0 }, { 3, 0 } };
	pthread_t th[6];
	char *text = malloc(100000);

	memset(&cr, 0, sizeof(cr));
	for (int i = 0; i < 6; i++)
		pthread_create(&th[i], NULL, mis_thread, &jobs[i]);
	for (int i = 0; i < CROWD_GOOD; i++)
		tc_connect(&fx, &cr.good[i], NULL, NULL);
	for (int i = 0; i < 2; i++) {
		tc_connect(&fx, &cr.big[i], NULL, NULL);
		tc_connect(&fx, &cr.bin[i], NULL, NULL);
		tc_wait_open(&fx, &cr.big[i], 5000);
		tc_wait_open(&fx, &cr.bin[i], 5000);
	}
	memset(text, 'x', 100000);
	for (int i = 0; i < 2; i++) {
		sig_client_send(cr.big[i].c, text, 100000);
		sig_client_send_binary(cr.bin[i].c, "x", 1);
	}
	free(text);
	CHECK(fx_pump(&fx, crowd_step, &cr, 20000), "the crowd finished in time");

	unsigned good_ok = 0;
	for (int i = 0; i < CROWD_GOOD; i++) {
		struct tc *t = &cr.good[i];
		bool ok = tc_count(t, "joined") == 1 && tc_count(t, "chat-sent") == 1 &&
			  tc_count(t, "keepalive-ack") == 5 && tc_count(t, "left") == 1 &&
			  tc_count(t, "error") == 0 && t->close_code == 1000;
		good_ok += ok;
		CHECK(ok, "good client %d: joined %u chat-sent %u acks %u left %u errors %u close %d", i,
		      tc_count(t, "joined"), tc_count(t, "chat-sent"), tc_count(t, "keepalive-ack"),
		      tc_count(t, "left"), tc_count(t, "error"), t->close_code);
		/* Rooms of 8: each saw the others' chat, join and leave. */
	}
	CHECK(good_ok == CROWD_GOOD, "%u of %d good clients served", good_ok, CROWD_GOOD);
	for (int i = 0; i < 2; i++) {
		CHECK(cr.big[i].close_code == 1009, "oversize %d: 1009 (%d)", i, cr.big[i].close_code);
		CHECK(cr.bin[i].close_code == 1003, "binary %d: 1003 (%d)", i, cr.bin[i].close_code);
	}
	for (int i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		CHECK(jobs[i].ms >= 0 && jobs[i].ms < 5000, "misbehaving client %d (kind %d) closed "
		      "by the server (%ld ms)", i, jobs[i].kind, jobs[i].ms);
	}
}

static void check_peer_and_drain(void)
{
	struct tc t[3];

	for (int i = 0; i < 3; i++) {
		tc_connect(&fx, &t[i], NULL, NULL);
		CHECK(tc_wait_open(&fx, &t[i], 5000), "client %d open", i);
		tc_send(&t[i], JOIN(1, "drain", "D"));
		CHECK(tc_wait_type(&fx, &t[i], "joined", 1, 3000), "client %d joined", i);
	}
	tc_send(&t[0], "{\"type\":\"chat\",\"id\":2,\"text\":\"whoami\"}");
	CHECK(tc_wait_type(&fx, &t[0], "chat", 1, 3000), "whoami answered");
	CHECK(strstr(t[0].first[t[0].n_msgs - 1], "\"text\":\"127.0.0.1:"),
	      "the server saw the client's address and port: %s", t[0].first[t[0].n_msgs - 1]);
	tc_send(&t[1], "{\"type\":\"chat\",\"id\":3,\"text\":\"drain\"}");
	for (int i = 0; i < 3; i++)
		CHECK(tc_wait_closed(&fx, &t[i], 5000) && t[i].close_code == 1001,
		      "drained client %d: 1001 (%d)", i, t[i].close_code);
}

static void check_accept_filter(void)
{
	struct tc t;

	/* The app refuses the next accept (set before the server sees it;
	 * the server thread reads it only when a connection comes). */
	__atomic_store_n(&fx.app.refuse_accepts, 1, __ATOMIC_SEQ_CST);
	tc_connect(&fx, &t, NULL, NULL);
	CHECK(tc_wait_closed(&fx, &t, 5000) && !t.opened, "on_accept refusal closes it");
	tc_connect(&fx, &t, NULL, NULL);
	CHECK(tc_wait_open(&fx, &t, 5000), "the next one is accepted");
	sig_client_close(t.c, 1000);
	tc_wait_closed(&fx, &t, 3000);
}

int main(void)
{
	struct sig_server_config limits = {
		.handshake_timeout_s = 2,
		.idle_timeout_s = 4,
		.msg_rate = 20,
		.msg_burst = 40,
		.queue_max_bytes = 256 * 1024,
	};
	uint64_t closes = 0;

	fx_start(&fx, &limits);
	check_exchange();
	check_tls();
	check_handshakes();
	check_refusals();
	check_slow_reader();
	check_crowd();
	check_accept_filter();
	check_peer_and_drain();
	check_idle();
	fx_stop(&fx);

	/* The server's view, now final. */
	for (int r = 0; r < SIG_CLOSE_COUNT; r++)
		closes += fx.app.closed[r];
	CHECK(fx.app.opened == closes, "every on_open had its on_close (%llu, %llu)",
	      (unsigned long long)fx.app.opened, (unsigned long long)closes);
	CHECK(fx.app.closed[SIG_CLOSE_OVERFLOW] == 1, "one overflow (%llu)",
	      (unsigned long long)fx.app.closed[SIG_CLOSE_OVERFLOW]);
	CHECK(fx.app.closed[SIG_CLOSE_TOO_BIG] == 4, "four too big (%llu)",
	      (unsigned long long)fx.app.closed[SIG_CLOSE_TOO_BIG]);
	CHECK(fx.app.closed[SIG_CLOSE_BINARY] == 3, "three binary (%llu)",
	      (unsigned long long)fx.app.closed[SIG_CLOSE_BINARY]);
	CHECK(fx.app.closed[SIG_CLOSE_RATE] == 1, "one rate (%llu)",
	      (unsigned long long)fx.app.closed[SIG_CLOSE_RATE]);
	CHECK(fx.app.closed[SIG_CLOSE_IDLE] == 1, "one idle (%llu)",
	      (unsigned long long)fx.app.closed[SIG_CLOSE_IDLE]);
	CHECK(fx.app.closed[SIG_CLOSE_NORMAL] == CROWD_GOOD + 1, "normal closes (%llu)",
	      (unsigned long long)fx.app.closed[SIG_CLOSE_NORMAL]);
	CHECK(fx.app.closed[SIG_CLOSE_GOING_AWAY] == 3, "three drained (%llu)",
	      (unsigned long long)fx.app.closed[SIG_CLOSE_GOING_AWAY]);
	CHECK(fx.app.closed[SIG_CLOSE_POLICY] == 1, "one kicked (%llu)",
	      (unsigned long long)fx.app.closed[SIG_CLOSE_POLICY]);
	/* ok, fast and the accepted one after the refusal close themselves. */
	CHECK(fx.app.closed[SIG_CLOSE_PEER] == 3, "clients that closed themselves (%llu)",
	      (unsigned long long)fx.app.closed[SIG_CLOSE_PEER]);
	return test_summary("cp_sig_server");
}
