/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * srtp-peer: a media client for integration tests, on kernel UDP sockets
 * with Debian's libsrtp2 (an implementation independent of Strata's).
 *
 *   srtp-peer send --dst IP:PORT [--bind IP:PORT] --profile NAME --key HEX
 *                  --ssrc N [--count N] [--size N] [--pt N] [--rate PPS]
 *                  [--seq N] [--file RTPFILE [--skip N]] [--rtcp-every N]
 *                  [--pause-at N --go-file PATH] [--ssrc2 N]
 *                  [--audio-level DBOV --ext-id ID]
 *   srtp-peer recv --bind IP:PORT --profile NAME --key HEX [--ssrc N]
 *                  [--count N] [--timeout-ms N] [--first-timeout-ms N]
 *                  [--dump RTPFILE]
 *
 * send protects and sends `count` packets: generated ones whose payload
 * carries a marker, the packet's number and a pattern derived from it (so
 * the receiver can check every byte), or the plaintext RTP packets of a
 * capture file (4-byte big-endian length, then the packet; the SSRC is
 * replaced by --ssrc).  recv unprotects what arrives and prints one JSON
 * line: counts, sequence-number gaps, payload checks, SSRC, and with
 * --dump writes the plaintext packets to a file in the same format.
 *
 * --pause-at N --go-file PATH: after N packets, create PATH.paused and wait
 * until PATH exists, then go on with the same SRTP session (so the test can
 * change something mid-stream at a known point; a second sender would not
 * know the rollover counter).
 *
 * --ssrc2 N sends every packet a second time on SSRC N: two simulcast
 * encodings with the same content.  --audio-level adds an RFC 6464 audio
 * level (one-byte RFC 8285 header extension, id --ext-id) to generated
 * packets.
 *
 * The key is the SRTP master key followed by the master salt, in hex.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <srtp2/srtp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x5354524bu /* "STRK" */
#define MAX_PACKET 2048

struct opts {
	const char *mode, *profile, *key_hex, *file, *dump, *go_file;
	struct sockaddr_storage dst, bind;
	bool have_dst, have_bind;
	uint32_t ssrc, count, size, pt, rate, seq, timeout_ms, rtcp_every, skip, pause_at;
	/* recv: how long the first packet may take (the sender may start late
	 * on a loaded machine); 0 = timeout_ms.  Later gaps end at timeout_ms. */
	uint32_t first_timeout_ms;
	uint32_t ssrc2, audio_level, ext_id;
	bool audio_level_set;
	bool ssrc_set;
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "srtp-peer: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

static void parse_addr(const char *s, struct sockaddr_storage *out)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	memset(out, 0, sizeof(*out));
	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		die("bad address %s (want IP:PORT or [IPv6]:PORT)", s);
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	uint16_t port = (uint16_t)atoi(colon + 1);
	struct sockaddr_in *v4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		return;
	}
	char *h = host;
	if (h[0] == '[') {
		h++;
		h[strlen(h) - 1] = 0;
	}
	if (inet_pton(AF_INET6, h, &v6->sin6_addr) != 1)
		die("bad address %s", s);
	v6->sin6_family = AF_INET6;
	v6->sin6_port = htons(port);
}

static socklen_t addr_len(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static void set_policy(srtp_policy_t *pol, const char *profile)
{
	memset(pol, 0, sizeof(*pol));
	if (strcmp(profile, "AES_CM_128_HMAC_SHA1_80") == 0) {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtcp);
	} else if (strcmp(profile, "AES_CM_128_HMAC_SHA1_32") == 0) {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtcp);
	} else if (strcmp(profile, "AES_256_CM_HMAC_SHA1_80") == 0) {
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&pol->rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&pol->rtcp);
	} else if (strcmp(profile, "AEAD_AES_128_GCM") == 0) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtcp);
	} else if (strcmp(profile, "AEAD_AES_256_GCM") == 0) {
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol->rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol->rtcp);
	} else {
		die("unknown profile %s", profile);
	}
}

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;
	if (n > cap || strlen(hex) % 2)
		die("bad key %s (hex of master key || master salt)", hex);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			die("bad key %s", hex);
		out[i] = (uint8_t)v;
	}
	return n;
}

static srtp_t make_session(const struct opts *o, bool outbound, uint8_t *key)
{
	srtp_policy_t pol;
	srtp_t s;

	set_policy(&pol, o->profile);
	unhex(o->key_hex, key, 64);
	pol.key = key;
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	pol.window_size = 1024;
	pol.allow_repeat_tx = 0;
	if (srtp_create(&s, &pol) != srtp_err_status_ok)
		die("srtp_create failed for profile %s", o->profile);
	return s;
}

static int open_socket(const struct opts *o, int family)
{
	int fd = socket(family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	int big = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (o->have_bind && bind(fd, (const struct sockaddr *)&o->bind, addr_len(&o->bind)) != 0)
		die("bind: %s", strerror(errno));
	return fd;
}

/* Generated payload: marker, number, then bytes anyone can recompute. */
static void fill_payload(uint8_t *p, uint32_t size, uint32_t number)
{
	uint32_t be = htonl(MAGIC), nb = htonl(number);
	memcpy(p, &be, 4);
	memcpy(p + 4, &nb, 4);
	for (uint32_t i = 8; i < size; i++)
		p[i] = (uint8_t)(number * 31 + i * 7);
}

static bool payload_ok(const uint8_t *p, uint32_t size, uint32_t *number)
{
	uint32_t m, n;
	if (size < 8)
		return false;
	memcpy(&m, p, 4);
	memcpy(&n, p + 4, 4);
	if (ntohl(m) != MAGIC)
		return false;
	*number = ntohl(n);
	for (uint32_t i = 8; i < size; i++)
		if (p[i] != (uint8_t)(*number * 31 + i * 7))
			return false;
	return true;
}

static void pause_until_go(const char *go)
{
	char paused[4096];
	struct timespec tick = {0, 10 * 1000000L};

	snprintf(paused, sizeof(paused), "%s.paused", go);
	FILE *f = fopen(paused, "w");
	if (f == NULL)
		die("cannot create %s", paused);
	fclose(f);
	while (access(go, F_OK) != 0)
		nanosleep(&tick, NULL);
}

static int run_send(const struct opts *o)
{
	uint8_t key[64], pkt[MAX_PACKET + 64];
	srtp_t s = make_session(o, true, key);
	int fd = open_socket(o, o->dst.ss_family);
	FILE *f = o->file ? fopen(o->file, "rb") : NULL;
	struct timespec gap = {0, o->rate ? 1000000000L / o->rate : 0};
	uint32_t sent = 0, failed = 0;
	uint16_t seq = (uint16_t)o->seq;

	if (o->file && f == NULL)
		die("cannot open %s", o->file);
	/* --skip: start part-way into the capture (a second half of a call). */
	for (uint32_t i = 0; f != NULL && i < o->skip; i++) {
		uint8_t lb[4];
		if (fread(lb, 1, 4, f) != 4 ||
		    fseek(f, (lb[0] << 24) | (lb[1] << 16) | (lb[2] << 8) | lb[3], SEEK_CUR) != 0)
			die("cannot skip that far into %s", o->file);
	}
	for (uint32_t i = 0; i < o->count; i++) {
		int len;
		if (o->go_file && i == o->pause_at && i > 0)
			pause_until_go(o->go_file);
		if (f != NULL) {
			uint8_t lb[4];
			if (fread(lb, 1, 4, f) != 4)
				break;
			len = (lb[0] << 24) | (lb[1] << 16) | (lb[2] << 8) | lb[3];
			if (len < 12 || len > MAX_PACKET || fread(pkt, 1, (size_t)len, f) != (size_t)len)
				die("bad packet in %s", o->file);
		} else {
			uint32_t hdr = 12;
			pkt[0] = 0x80;
			pkt[1] = (uint8_t)o->pt;
			pkt[2] = (uint8_t)(seq >> 8);
			pkt[3] = (uint8_t)seq;
			uint32_t ts = htonl(i * 3000);
			memcpy(pkt + 4, &ts, 4);
			if (o->audio_level_set) {
				/* 0xBEDE, one word: ID|len=0, V|level, padding. */
				uint8_t ext[8] = {0xbe, 0xde, 0, 1, (uint8_t)(o->ext_id << 4),
						  (uint8_t)(0x80 | o->audio_level), 0, 0};
				pkt[0] |= 0x10;
				memcpy(pkt + 12, ext, 8);
				hdr += 8;
			}
			fill_payload(pkt + hdr, o->size, i);
			len = (int)(hdr + o->size);
			seq++;
		}
		uint32_t ssrc = htonl(o->ssrc);
		memcpy(pkt + 8, &ssrc, 4);
		uint8_t copy[MAX_PACKET + 64];
		int copy_len = len;
		memcpy(copy, pkt, (size_t)len);
		if (srtp_protect(s, pkt, &len) != srtp_err_status_ok) {
			failed++;
			continue;
		}
		if (sendto(fd, pkt, (size_t)len, 0, (const struct sockaddr *)&o->dst,
			   addr_len(&o->dst)) == len)
			sent++;
		if (o->ssrc2) {
			/* The second encoding: the same packet on another SSRC. */
			uint32_t ssrc2 = htonl(o->ssrc2);
			memcpy(copy + 8, &ssrc2, 4);
			if (srtp_protect(s, copy, &copy_len) == srtp_err_status_ok &&
			    sendto(fd, copy, (size_t)copy_len, 0, (const struct sockaddr *)&o->dst,
				   addr_len(&o->dst)) == copy_len)
				sent++;
			else
				failed++;
		}
		if (o->rtcp_every && (i + 1) % o->rtcp_every == 0) {
			/* An empty receiver report from the sender's SSRC. */
			uint8_t rr[8 + 64] = {0x80, 201, 0, 1};
			memcpy(rr + 4, &ssrc, 4);
			int rlen = 8;
			if (srtp_protect_rtcp(s, rr, &rlen) == srtp_err_status_ok)
				sendto(fd, rr, (size_t)rlen, 0, (const struct sockaddr *)&o->dst,
				       addr_len(&o->dst));
		}
		if (gap.tv_nsec)
			nanosleep(&gap, NULL);
	}
	printf("{\"sent\":%u,\"protect_failed\":%u}\n", sent, failed);
	if (f)
		fclose(f);
	srtp_dealloc(s);
	close(fd);
	return failed ? 1 : 0;
}

static int run_recv(const struct opts *o)
{
	uint8_t key[64], pkt[MAX_PACKET + 64];
	srtp_t s = make_session(o, false, key);
	int fd = open_socket(o, o->bind.ss_family);
	FILE *dump = o->dump ? fopen(o->dump, "wb") : NULL;
	uint32_t received = 0, decrypted = 0, auth_fail = 0, other_fail = 0, rtcp = 0;
	uint32_t gaps = 0, dup_or_old = 0, payload_good = 0, payload_bad = 0, wrong_ssrc = 0;
	uint32_t first_seq = 0, last_seq = 0, last_ssrc = 0;
	bool have_last = false;

	if (o->dump && dump == NULL)
		die("cannot write %s", o->dump);
	while (decrypted < o->count) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		uint32_t wait_ms = received == 0 && o->first_timeout_ms ? o->first_timeout_ms
									: o->timeout_ms;
		if (poll(&p, 1, (int)wait_ms) <= 0)
			break;
		int len = (int)recv(fd, pkt, MAX_PACKET, 0);
		if (len <= 0)
			continue;
		received++;
		bool is_rtcp = len >= 2 && pkt[1] >= 192 && pkt[1] <= 223;
		srtp_err_status_t r = is_rtcp ? srtp_unprotect_rtcp(s, pkt, &len)
					      : srtp_unprotect(s, pkt, &len);
		if (r == srtp_err_status_auth_fail) {
			auth_fail++;
			continue;
		}
		if (r != srtp_err_status_ok) {
			other_fail++;
			continue;
		}
		if (is_rtcp) {
			rtcp++;
			continue;
		}
		decrypted++;
		uint16_t seq = (uint16_t)((pkt[2] << 8) | pkt[3]);
		uint32_t ssrc;
		memcpy(&ssrc, pkt + 8, 4);
		last_ssrc = ntohl(ssrc);
		if (o->ssrc_set && last_ssrc != o->ssrc)
			wrong_ssrc++;
		if (!have_last) {
			first_seq = seq;
		} else {
			int16_t d = (int16_t)(seq - (uint16_t)last_seq);
			if (d > 1)
				gaps += (uint32_t)(d - 1);
			else if (d < 1)
				dup_or_old++;
		}
		if (!have_last || (int16_t)(seq - (uint16_t)last_seq) > 0)
			last_seq = seq;
		have_last = true;
		uint32_t hdr = 12 + 4u * (pkt[0] & 0x0f), number;
		if (pkt[0] & 0x10 && (uint32_t)len >= hdr + 4)
			hdr += 4 + 4u * ((pkt[hdr + 2] << 8) | pkt[hdr + 3]);
		if ((uint32_t)len > hdr && payload_ok(pkt + hdr, (uint32_t)len - hdr, &number))
			payload_good++;
		else
			payload_bad++;
		if (dump) {
			uint8_t lb[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
					 (uint8_t)len};
			fwrite(lb, 1, 4, dump);
			fwrite(pkt, 1, (size_t)len, dump);
		}
	}
	printf("{\"received\":%u,\"decrypted\":%u,\"rtcp\":%u,\"auth_fail\":%u,\"other_fail\":%u,"
	       "\"seq_gaps\":%u,\"seq_dup_or_old\":%u,\"first_seq\":%u,\"last_seq\":%u,"
	       "\"payload_good\":%u,\"payload_bad\":%u,\"ssrc\":%u,\"wrong_ssrc\":%u}\n",
	       received, decrypted, rtcp, auth_fail, other_fail, gaps, dup_or_old, first_seq,
	       last_seq, payload_good, payload_bad, last_ssrc, wrong_ssrc);
	if (dump)
		fclose(dump);
	srtp_dealloc(s);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dst", 1, 0, 'd'},	 {"bind", 1, 0, 'b'},	  {"profile", 1, 0, 'p'},
		{"key", 1, 0, 'k'},	 {"ssrc", 1, 0, 's'},	  {"count", 1, 0, 'n'},
		{"size", 1, 0, 'z'},	 {"pt", 1, 0, 't'},	  {"rate", 1, 0, 'r'},
		{"seq", 1, 0, 'q'},	 {"file", 1, 0, 'f'},	  {"timeout-ms", 1, 0, 'w'},
		{"dump", 1, 0, 'o'},	 {"rtcp-every", 1, 0, 'c'}, {"skip", 1, 0, 'k' + 256},
		{"pause-at", 1, 0, 'p' + 256}, {"go-file", 1, 0, 'g' + 256},
		{"ssrc2", 1, 0, 's' + 256}, {"audio-level", 1, 0, 'a' + 256},
		{"ext-id", 1, 0, 'e' + 256}, {"first-timeout-ms", 1, 0, 'w' + 256},
		{0, 0, 0, 0},
	};
	struct opts o = {.profile = "AES_CM_128_HMAC_SHA1_80", .count = 100, .size = 160,
			 .pt = 96, .rate = 1000, .seq = 1000, .timeout_ms = 2000};
	int c;

	if (argc < 2 || (strcmp(argv[1], "send") && strcmp(argv[1], "recv")))
		die("usage: srtp-peer send|recv OPTIONS (see the source's header)%s", "");
	o.mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': parse_addr(optarg, &o.dst); o.have_dst = true; break;
		case 'b': parse_addr(optarg, &o.bind); o.have_bind = true; break;
		case 'p': o.profile = optarg; break;
		case 'k': o.key_hex = optarg; break;
		case 's': o.ssrc = (uint32_t)strtoul(optarg, NULL, 0); o.ssrc_set = true; break;
		case 'n': o.count = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'z': o.size = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 't': o.pt = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'r': o.rate = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'q': o.seq = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'f': o.file = optarg; break;
		case 'w': o.timeout_ms = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'w' + 256: o.first_timeout_ms = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'o': o.dump = optarg; break;
		case 'c': o.rtcp_every = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'k' + 256: o.skip = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'p' + 256: o.pause_at = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'g' + 256: o.go_file = optarg; break;
		case 's' + 256: o.ssrc2 = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'a' + 256:
			o.audio_level = (uint32_t)strtoul(optarg, NULL, 0) & 0x7f;
			o.audio_level_set = true;
			break;
		case 'e' + 256: o.ext_id = (uint32_t)strtoul(optarg, NULL, 0) & 0x0f; break;
		default: die("unknown option%s", "");
		}
	}
	if (o.key_hex == NULL)
		die("--key HEX is required%s", "");
	if (o.size < 8 || o.size > MAX_PACKET - 12)
		die("--size must be 8..2036%s", "");
	srtp_init();
	if (strcmp(o.mode, "send") == 0) {
		if (!o.have_dst)
			die("send needs --dst IP:PORT%s", "");
		return run_send(&o);
	}
	if (!o.have_bind)
		die("recv needs --bind IP:PORT%s", "");
	return run_recv(&o);
}
