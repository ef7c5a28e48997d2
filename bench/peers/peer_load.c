/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-peer-load: the packet side of bench/peers/rtpengine (the script
 * drives the peer's control protocol and the search; this sends and counts).
 * One publisher on a kernel UDP socket sends fresh SRTP (libsrtp2, the next
 * sequence number every time, one session for the whole run, so never a
 * replay) at a paced rate; N receivers count what the peer forwards to each
 * (peer_sink.c).
 *
 *   strata-peer-load --to IP:PORT --from IP:PORT --key HEX --ssrc N
 *                    --recv IP:BASEPORT --rx-keys FILE [--profile NAME]
 *                    [--pub-profile NAME] [--size N] [--pt N] [--seq N] [--sample N]
 *
 * --profile is the receivers' (what the peer sends), --pub-profile the
 * publisher's (default: the same).  rtpengine copies the publisher's SDES key
 * into its offer to a subscriber when both use the same suite, so the script
 * gives the publisher the other AES_CM_128 suite to make every leg's key its
 * own (see bench/peers/rtpengine).
 * Keys are the SRTP master key followed by the master salt, in hex; FILE has
 * one receiver key a line, receiver i on BASEPORT + 2 i.  It prints "ready",
 * then reads commands on stdin:
 *
 *   trial RATE SECONDS DRAIN_MS   -> one JSON line: what was sent, what
 *                                    arrived, decryption checks
 *   quit
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "peer_sink.h"

#define MAX_RX 1024

struct load {
	int fd;
	srtp_t ctx;
	uint32_t ssrc;
	uint16_t seq_base;
	uint8_t pt;
	unsigned size;
	uint64_t next_num;
	struct sink sink;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int parse_addr(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static int parse_hex(const char *h, uint8_t *out, size_t want)
{
	if (strlen(h) != 2 * want)
		return -1;
	for (size_t i = 0; i < want; i++) {
		unsigned v;
		if (sscanf(h + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* One packet: RTP header (RFC 3550 section 5.1), the checkable payload,
 * protected by the publisher's session. */
static int send_one(struct load *L, uint32_t ts)
{
	uint8_t pkt[2048];
	uint64_t num = L->next_num++;
	uint16_t seq = (uint16_t)(L->seq_base + num);
	int len = 12 + (int)L->size;

	pkt[0] = 0x80;
	pkt[1] = L->pt;
	pkt[2] = (uint8_t)(seq >> 8);
	pkt[3] = (uint8_t)seq;
	pkt[4] = (uint8_t)(ts >> 24);
	pkt[5] = (uint8_t)(ts >> 16);
	pkt[6] = (uint8_t)(ts >> 8);
	pkt[7] = (uint8_t)ts;
	pkt[8] = (uint8_t)(L->ssrc >> 24);
	pkt[9] = (uint8_t)(L->ssrc >> 16);
	pkt[10] = (uint8_t)(L->ssrc >> 8);
	pkt[11] = (uint8_t)L->ssrc;
	load_fill_payload(pkt + 12, L->size, num);
	if (srtp_protect(L->ctx, pkt, &len) != srtp_err_status_ok)
		return -1;
	return send(L->fd, pkt, (size_t)len, 0) == len ? 0 : -1;
}

/* Paced by the clock: packet i leaves at start + i/rate; a sender that falls
 * behind (a loaded machine) catches up at once, so the mean rate holds and
 * the shortfall shows as "behind_ms". */
static void trial(struct load *L, double rate, double seconds, unsigned drain_ms)
{
	uint32_t n = (uint32_t)(rate * seconds + 0.5);
	uint64_t gap, t0, t_end, errors = 0;
	struct sink_totals t;
	uint64_t expected;

	if (rate <= 0 || n == 0 || n > SINK_MAX_TRIAL_PACKETS) {
		printf("{\"error\":\"a trial is 1 to %u packets (rate x seconds)\"}\n",
		       SINK_MAX_TRIAL_PACKETS);
		fflush(stdout);
		return;
	}
	gap = (uint64_t)(1e9 / rate);
	sink_trial_begin(&L->sink, (uint16_t)(L->seq_base + L->next_num), n);
	t0 = now_ns();
	for (uint32_t i = 0; i < n; i++) {
		uint64_t due = t0 + i * gap;
		uint64_t now = now_ns();
		if (due > now + 100000) {
			struct timespec ts = { .tv_sec = (time_t)((due - 50000) / 1000000000ull),
					       .tv_nsec = (long)((due - 50000) % 1000000000ull) };
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		}
		while (now_ns() < due)
			;
		/* 90 kHz video clock, 30 frames/s of 8 packets. */
		if (send_one(L, (uint32_t)((L->next_num / 8) * 3000)) != 0)
			errors++;
	}
	t_end = now_ns();
	usleep(drain_ms * 1000);
	sink_trial_end(&L->sink, &t);
	expected = (uint64_t)n * L->sink.n_rx;
	printf("{\"sent\":%u,\"send_errors\":%llu,\"send_seconds\":%.6f,\"behind_ms\":%.3f,"
	       "\"receivers\":%u,\"expected\":%llu,\"received\":%llu,\"lost\":%llu,"
	       "\"dup\":%llu,\"stale\":%llu,\"rtcp\":%llu,\"not_rtp\":%llu,"
	       "\"min_received\":%llu,\"max_received\":%llu,"
	       "\"decrypted\":%llu,\"decrypt_failed\":%llu,\"payload_wrong\":%llu,"
	       "\"sender_key_tried\":%llu,\"sender_key_ok\":%llu}\n",
	       n, (unsigned long long)errors, (double)(t_end - t0) / 1e9,
	       ((double)(t_end - t0) - (double)(n - 1) * (double)gap) / 1e6, L->sink.n_rx,
	       (unsigned long long)expected, (unsigned long long)t.received,
	       (unsigned long long)(expected - t.received), (unsigned long long)t.dup,
	       (unsigned long long)t.stale, (unsigned long long)t.rtcp,
	       (unsigned long long)t.not_rtp, (unsigned long long)t.min_received,
	       (unsigned long long)t.max_received, (unsigned long long)t.decrypted,
	       (unsigned long long)t.decrypt_failed, (unsigned long long)t.payload_wrong,
	       (unsigned long long)t.sender_key_tried, (unsigned long long)t.sender_key_ok);
	fflush(stdout);
}

/* SDES (RFC 4568) negotiates these two with a 30-byte key and salt. */
static int parse_profile(const char *name, srtp_profile_t *p)
{
	if (!strcmp(name, "AES_CM_128_HMAC_SHA1_80"))
		*p = srtp_profile_aes128_cm_sha1_80;
	else if (!strcmp(name, "AES_CM_128_HMAC_SHA1_32"))
		*p = srtp_profile_aes128_cm_sha1_32;
	else {
		fprintf(stderr, "strata-peer-load: profile %s: only AES_CM_128_HMAC_SHA1_80 and "
				"_32 (SDES's 30-byte keys)\n", name);
		return -1;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: strata-peer-load --to IP:PORT --from IP:PORT --key HEX --ssrc N\n"
			"         --recv IP:BASEPORT --rx-keys FILE [--profile NAME]\n"
			"         [--pub-profile NAME] [--size N] [--pt N] [--seq N] [--sample N]\n");
	return 2;
}

static int read_rx_keys(const char *path, uint8_t **keys, unsigned *n, size_t key_len)
{
	char line[256];
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "strata-peer-load: %s: %s\n", path, strerror(errno));
		return -1;
	}
	*n = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0])
			continue;
		if (*n == MAX_RX || !(keys[*n] = malloc(key_len)) ||
		    parse_hex(line, keys[*n], key_len)) {
			fprintf(stderr, "strata-peer-load: %s: line %u is not a %zu-byte hex key\n",
				path, *n + 1, key_len);
			fclose(f);
			return -1;
		}
		(*n)++;
	}
	fclose(f);
	return *n ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "to", 1, 0, 't' },   { "from", 1, 0, 'f' }, { "key", 1, 0, 'k' },
		{ "ssrc", 1, 0, 's' }, { "recv", 1, 0, 'r' }, { "rx-keys", 1, 0, 'K' },
		{ "profile", 1, 0, 'p' }, { "size", 1, 0, 'z' }, { "pt", 1, 0, 'P' },
		{ "seq", 1, 0, 'q' },  { "sample", 1, 0, 'S' }, { "pub-profile", 1, 0, 'u' },
		{ 0, 0, 0, 0 }
	};
	const char *to = NULL, *from = NULL, *key_hex = NULL, *recv = NULL, *rx_file = NULL;
	const char *profile_name = "AES_CM_128_HMAC_SHA1_80", *pub_profile_name = NULL;
	unsigned size = 1200, pt = 96, seq = 1000, sample = 8, n_rx = 0;
	uint32_t ssrc = 0x1234abcd;
	struct sockaddr_in to_sa, from_sa, recv_sa;
	srtp_profile_t profile, pub_profile;
	uint8_t key[30], *rx_keys[MAX_RX];
	srtp_policy_t pol;
	struct load L;
	char cmd[256];
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 't': to = optarg; break;
		case 'f': from = optarg; break;
		case 'k': key_hex = optarg; break;
		case 's': ssrc = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'r': recv = optarg; break;
		case 'K': rx_file = optarg; break;
		case 'p': profile_name = optarg; break;
		case 'u': pub_profile_name = optarg; break;
		case 'z': size = (unsigned)atoi(optarg); break;
		case 'P': pt = (unsigned)atoi(optarg); break;
		case 'q': seq = (unsigned)atoi(optarg); break;
		case 'S': sample = (unsigned)atoi(optarg); break;
		default: return usage();
		}
	}
	if (!to || !from || !key_hex || !recv || !rx_file || parse_addr(to, &to_sa) ||
	    parse_addr(from, &from_sa) || parse_addr(recv, &recv_sa) || size < 12 ||
	    size > 1400 || pt > 127)
		return usage();
	if (!pub_profile_name)
		pub_profile_name = profile_name;
	if (parse_profile(profile_name, &profile) || parse_profile(pub_profile_name, &pub_profile))
		return 2;
	if (parse_hex(key_hex, key, sizeof(key))) {
		fprintf(stderr, "strata-peer-load: --key must be 30 bytes of hex (key, salt)\n");
		return 2;
	}
	if (read_rx_keys(rx_file, rx_keys, &n_rx, sizeof(key)))
		return 2;
	if (srtp_init() != srtp_err_status_ok)
		return 1;

	memset(&L, 0, sizeof(L));
	L.ssrc = ssrc;
	L.seq_base = (uint16_t)seq;
	L.pt = (uint8_t)pt;
	L.size = size;
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_from_profile_for_rtp(&pol.rtp, pub_profile);
	srtp_crypto_policy_set_from_profile_for_rtcp(&pol.rtcp, pub_profile);
	pol.ssrc.type = ssrc_any_outbound;
	pol.key = key;
	if (srtp_create(&L.ctx, &pol) != srtp_err_status_ok) {
		fprintf(stderr, "strata-peer-load: libsrtp2 refused the publisher's key\n");
		return 1;
	}
	L.fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (L.fd < 0 || bind(L.fd, (struct sockaddr *)&from_sa, sizeof(from_sa)) < 0 ||
	    connect(L.fd, (struct sockaddr *)&to_sa, sizeof(to_sa)) < 0) {
		fprintf(stderr, "strata-peer-load: publisher socket %s -> %s: %s\n", from, to,
			strerror(errno));
		return 1;
	}
	if (sink_open(&L.sink, recv_sa.sin_addr, ntohs(recv_sa.sin_port), n_rx, profile,
		      rx_keys, pub_profile, key, sample, size))
		return 1;
	L.sink.seq_base = L.seq_base;
	if (sink_start(&L.sink))
		return 1;
	printf("ready\n");
	fflush(stdout);

	while (fgets(cmd, sizeof(cmd), stdin)) {
		double rate, seconds;
		unsigned drain;
		if (sscanf(cmd, "trial %lf %lf %u", &rate, &seconds, &drain) == 3)
			trial(&L, rate, seconds, drain);
		else if (!strncmp(cmd, "quit", 4))
			break;
		else {
			printf("{\"error\":\"unknown command\"}\n");
			fflush(stdout);
		}
	}
	sink_close(&L.sink);
	srtp_dealloc(L.ctx);
	close(L.fd);
	for (unsigned i = 0; i < n_rx; i++)
		free(rx_keys[i]);
	return 0;
}
