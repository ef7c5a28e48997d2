/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcp-peer: an RTCP client for integration tests, on one kernel UDP socket
 * with Debian's libsrtp2 (independent of Strata's SRTP and RTCP code).
 *
 *   rtcp-peer --bind IP:PORT --dst IP:PORT --profile NAME --key HEX
 *             [--ssrc N] [--wait-rtp N] [--wait-ms N] [--listen-ms N]
 *             [--lose I,J...] [--sr-every N] [--answer-rtx SSRC:PT:FILE]
 *             [ACTION]...
 *
 * Three phases on the one socket: (1) receive until --wait-rtp RTP packets
 * arrived (or --wait-ms passed); (2) send the actions, in order; (3) keep
 * receiving for --listen-ms.  Everything received is unprotected
 * (ssrc_any_inbound) and printed as one JSON line per packet (RTP with
 * its payload in hex; each RTCP packet of a compound, decoded here by a
 * parser of this file's own); a summary line ends the output.  RTP lines
 * carry the header extension block ("ext", hex, from its profile octets)
 * when there is one.  --lose discards the RTP packets received I-th,
 * J-th... (from 0) unread, as if lost on the way (printed as "lost").
 *
 * --answer-rtx SSRC:PT:FILE makes it a publisher that answers NACKs for
 * --ssrc as RFC 4588 section 4 says, from the packets of a capture (the
 * same format as --media's): each NACKed number's packet, sent on SSRC
 * with payload type PT and its own sequence numbers, its payload prefixed
 * with the original sequence number (printed as "sent_rtx").
 *
 * Actions (each protected with ssrc_any_outbound, as --ssrc):
 *   --pli MEDIA[:COUNT]      COUNT (1) PLIs (RFC 4585 6.3.1) for MEDIA
 *   --fir MEDIA[:COUNT]      FIRs (RFC 5104 4.3.1), sequence numbers 1, 2...
 *   --nack MEDIA:LIST        one Generic NACK (RFC 4585 6.2.1); LIST is
 *                            comma-separated numbers, or @i for the sequence
 *                            number of the i-th RTP packet received (from 0),
 *                            @-i for the i-th from the last (from 1)
 *   --nack-gaps MEDIA        one Generic NACK for every number missing between
 *                            the RTP packets of MEDIA received so far (in
 *                            arrival order, "lost" ones included)
 *   --rr MEDIA               an RR with one block about MEDIA, LSR/DLSR from
 *                            the last SR received from MEDIA
 *   --sr RTPTS               an SR as --ssrc: NTP now, RTP timestamp RTPTS
 *   --raw HEX                these bytes of plaintext RTCP, octets 4-7 (the
 *                            sender's SSRC) replaced by --ssrc
 *   --media FILE:SKIP:COUNT:RATE  sends COUNT RTP packets of a capture (4-byte
 *                            length, packet; as dataplane tests use), from
 *                            its SKIP-th, RATE a second, as --ssrc, and with
 *                            --sr-every N an SR after every N: NTP now, RTP
 *                            timestamp on a real-time 90 kHz timeline from
 *                            the first packet's (printed as "sent_sr")
 *   --sleep-ms N             (receiving meanwhile)
 *   --wait-file PATH         until PATH exists, receiving (20 s at most)
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

#define MAX_PACKET 2048
#define MAX_ACTIONS 64
#define MAX_SEEN 4096

struct action {
	int kind; /* option letter */
	char *arg;
};

static struct {
	struct sockaddr_in bind, dst;
	const char *profile, *key_hex;
	uint32_t ssrc, wait_rtp, wait_ms, listen_ms, sr_every;
	uint32_t rtx_ssrc, rtx_pt; /* --answer-rtx */
	uint16_t rtx_seq;
	struct action actions[MAX_ACTIONS];
	unsigned n_actions;
} O = {.ssrc = 0x5eed, .wait_ms = 5000};

static int fd;
static srtp_t in_s, out_s;
static uint16_t seen_seq[MAX_SEEN];
static uint32_t seen_ssrc[MAX_SEEN];
static bool lose[MAX_SEEN]; /* --lose: RTP packets (by arrival) discarded unread */
static unsigned n_rtp, n_rtcp, n_fail;
static struct timespec t0;
/* The last SR from each of a few SSRCs: for --rr's LSR and DLSR. */
static struct {
	uint32_t ssrc, lsr;
	struct timespec at;
} last_sr[16];

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "rtcp-peer: %s %s\n", msg, arg ? arg : "");
	exit(2);
}

static double ms_since(const struct timespec *a)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - a->tv_sec) * 1e3 + (double)(now.tv_nsec - a->tv_nsec) / 1e6;
}

static void parse_addr(const char *s, struct sockaddr_in *a)
{
	char host[64];
	const char *c = strrchr(s, ':');
	if (c == NULL || (size_t)(c - s) >= sizeof(host))
		die("bad address", s);
	memcpy(host, s, (size_t)(c - s));
	host[c - s] = 0;
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)atoi(c + 1));
	if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
		die("bad address", s);
}

static srtp_t make_session(bool outbound)
{
	static uint8_t key[64];
	srtp_policy_t pol;
	srtp_t s;
	size_t n = strlen(O.key_hex) / 2;

	memset(&pol, 0, sizeof(pol));
	if (strcmp(O.profile, "AES_CM_128_HMAC_SHA1_80") == 0) {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	} else if (strcmp(O.profile, "AEAD_AES_128_GCM") == 0) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
	} else {
		die("unsupported profile", O.profile);
	}
	for (size_t i = 0; i < n && i < sizeof(key); i++) {
		unsigned v;
		if (sscanf(O.key_hex + 2 * i, "%2x", &v) != 1)
			die("bad key", O.key_hex);
		key[i] = (uint8_t)v;
	}
	pol.key = key;
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	pol.window_size = 1024;
	if (srtp_create(&s, &pol) != srtp_err_status_ok)
		die("srtp_create failed", O.profile);
	return s;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
	p[3] = (uint8_t)v;
}

/* --answer-rtx's capture, by sequence number. */
static uint8_t *rtx_pkt[65536];
static uint16_t rtx_len[65536];

static void print_rtp(const uint8_t *p, int len)
{
	uint32_t hdr = 12 + 4u * (p[0] & 0x0f), ext = hdr;
	int end = len;
	if ((p[0] & 0x10) && (uint32_t)len >= hdr + 4)
		hdr += 4 + 4u * ((p[hdr + 2] << 8) | p[hdr + 3]);
	if ((p[0] & 0x20) && len > 0)
		end -= p[len - 1];
	uint16_t seq = (uint16_t)(p[2] << 8 | p[3]);
	if (n_rtp < MAX_SEEN) {
		seen_seq[n_rtp] = seq;
		seen_ssrc[n_rtp] = be32(p + 8);
	}
	n_rtp++;
	printf("{\"t_ms\":%.1f,\"rtp\":{\"ssrc\":%u,\"pt\":%u,\"m\":%u,\"seq\":%u,\"ts\":%u,"
	       "\"payload\":\"",
	       ms_since(&t0), be32(p + 8), p[1] & 0x7f, p[1] >> 7, seq, be32(p + 4));
	for (int i = (int)hdr; i < end; i++)
		printf("%02x", p[i]);
	if (hdr > ext && hdr <= (uint32_t)len) {
		printf("\",\"ext\":\"");
		for (uint32_t i = ext; i < hdr; i++)
			printf("%02x", p[i]);
	}
	printf("\"}}\n");
}

static void send_rtx(uint16_t osn);

/* --answer-rtx: each NACK for --ssrc in a compound, answered. */
static void answer_nacks(const uint8_t *p, int len)
{
	for (int off = 0; O.rtx_ssrc && off + 12 <= len;) {
		const uint8_t *q = p + off;
		int plen = 4 * ((q[2] << 8 | q[3]) + 1);
		if (plen < 8 || off + plen > len)
			return;
		if (q[1] == 205 && (q[0] & 0x1f) == 1 && be32(q + 8) == O.ssrc) {
			for (int k = 12; k + 4 <= plen; k += 4) {
				uint16_t pid = (uint16_t)(q[k] << 8 | q[k + 1]);
				uint16_t blp = (uint16_t)(q[k + 2] << 8 | q[k + 3]);
				send_rtx(pid);
				for (int b = 0; b < 16; b++)
					if (blp >> b & 1)
						send_rtx((uint16_t)(pid + b + 1));
			}
		}
		off += plen;
	}
}

/* RFC 3550 and RFC 4585 packets, as much as the tests look at. */
static void print_rtcp(const uint8_t *p, int len)
{
	double t = ms_since(&t0);
	int off = 0;

	n_rtcp++;
	while (off + 4 <= len) {
		const uint8_t *q = p + off;
		int plen = 4 * ((q[2] << 8 | q[3]) + 1), count = q[0] & 0x1f;
		if (off + plen > len || plen < 8) {
			printf("{\"t_ms\":%.1f,\"rtcp\":\"bad\"}\n", t);
			return;
		}
		uint32_t sender = be32(q + 4);
		switch (q[1]) {
		case 200: {
			uint64_t ntp = (uint64_t)be32(q + 8) << 32 | be32(q + 12);
			for (unsigned k = 0; k < 16; k++)
				if (last_sr[k].ssrc == sender || last_sr[k].ssrc == 0) {
					last_sr[k].ssrc = sender;
					last_sr[k].lsr = (uint32_t)(ntp >> 16);
					clock_gettime(CLOCK_MONOTONIC, &last_sr[k].at);
					break;
				}
			printf("{\"t_ms\":%.1f,\"rtcp\":\"sr\",\"ssrc\":%u,\"ntp\":%llu,\"rtp_ts\":%u,"
			       "\"packets\":%u,\"octets\":%u,\"blocks\":%d}\n",
			       t, sender, (unsigned long long)ntp, be32(q + 16), be32(q + 20),
			       be32(q + 24), count);
			break;
		}
		case 201:
			printf("{\"t_ms\":%.1f,\"rtcp\":\"rr\",\"ssrc\":%u,\"blocks\":[", t, sender);
			for (int b = 0; b < count && 8 + 24 * (b + 1) <= plen; b++) {
				const uint8_t *r = q + 8 + 24 * b;
				int32_t lost = (int32_t)(be32(r + 4) << 8) >> 8;
				printf("%s{\"ssrc\":%u,\"fraction_lost\":%u,\"lost\":%d,"
				       "\"ext_highest\":%u,\"jitter\":%u,\"lsr\":%u,\"dlsr\":%u}",
				       b ? "," : "", be32(r), r[4], lost, be32(r + 8), be32(r + 12),
				       be32(r + 16), be32(r + 20));
			}
			printf("]}\n");
			break;
		case 202: {
			int clen = plen >= 10 ? q[9] : 0;
			printf("{\"t_ms\":%.1f,\"rtcp\":\"sdes\",\"ssrc\":%u,\"cname\":\"%.*s\"}\n", t,
			       sender, q[8] == 1 && 10 + clen <= plen ? clen : 0, (const char *)q + 10);
			break;
		}
		case 205:
			if (count == 1) {
				printf("{\"t_ms\":%.1f,\"rtcp\":\"nack\",\"sender\":%u,\"media\":%u,"
				       "\"seqs\":[", t, sender, be32(q + 8));
				bool first = true;
				for (int k = 12; k + 4 <= plen; k += 4) {
					uint16_t pid = (uint16_t)(q[k] << 8 | q[k + 1]);
					uint16_t blp = (uint16_t)(q[k + 2] << 8 | q[k + 3]);
					printf("%s%u", first ? "" : ",", pid);
					first = false;
					for (int b = 0; b < 16; b++)
						if (blp >> b & 1)
							printf(",%u", (uint16_t)(pid + b + 1));
				}
				printf("]}\n");
			} else {
				printf("{\"t_ms\":%.1f,\"rtcp\":\"rtpfb\",\"fmt\":%d}\n", t, count);
			}
			break;
		case 206:
			if (count == 1) {
				printf("{\"t_ms\":%.1f,\"rtcp\":\"pli\",\"sender\":%u,\"media\":%u}\n", t,
				       sender, be32(q + 8));
			} else if (count == 4) {
				printf("{\"t_ms\":%.1f,\"rtcp\":\"fir\",\"sender\":%u,\"entries\":[", t,
				       sender);
				for (int k = 12; k + 8 <= plen; k += 8)
					printf("%s[%u,%u]", k > 12 ? "," : "", be32(q + k), q[k + 4]);
				printf("]}\n");
			} else {
				printf("{\"t_ms\":%.1f,\"rtcp\":\"psfb\",\"fmt\":%d}\n", t, count);
			}
			break;
		default:
			printf("{\"t_ms\":%.1f,\"rtcp\":\"other\",\"pt\":%u}\n", t, q[1]);
		}
		off += plen;
	}
}

static void receive_for(double ms, uint32_t until_rtp)
{
	struct timespec start;
	uint8_t pkt[MAX_PACKET + 64];

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		double left = ms - ms_since(&start);
		if (left <= 0 || (until_rtp && n_rtp >= until_rtp))
			return;
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		if (poll(&pf, 1, (int)left + 1) <= 0)
			continue;
		int len = (int)recv(fd, pkt, MAX_PACKET, 0);
		if (len < 12)
			continue;
		bool is_rtcp = pkt[1] >= 192 && pkt[1] <= 223;
		if (!is_rtcp && n_rtp < MAX_SEEN && lose[n_rtp]) {
			/* A loss on the way: the packet is never unprotected, so
			 * libsrtp will take its retransmission. */
			seen_ssrc[n_rtp] = be32(pkt + 8);
			seen_seq[n_rtp++] = (uint16_t)(pkt[2] << 8 | pkt[3]);
			printf("{\"t_ms\":%.1f,\"lost\":{\"ssrc\":%u,\"seq\":%u}}\n", ms_since(&t0),
			       be32(pkt + 8), seen_seq[n_rtp - 1]);
			continue;
		}
		srtp_err_status_t r = is_rtcp ? srtp_unprotect_rtcp(in_s, pkt, &len)
					      : srtp_unprotect(in_s, pkt, &len);
		if (r != srtp_err_status_ok) {
			n_fail++;
			printf("{\"t_ms\":%.1f,\"unprotect_failed\":%d,\"rtcp\":%d}\n", ms_since(&t0),
			       (int)r, is_rtcp);
			continue;
		}
		if (is_rtcp) {
			print_rtcp(pkt, len);
			answer_nacks(pkt, len);
		} else
			print_rtp(pkt, len);
		fflush(stdout);
	}
}

static void send_rtcp(uint8_t *buf, int len)
{
	if (srtp_protect_rtcp(out_s, buf, &len) != srtp_err_status_ok)
		die("srtp_protect_rtcp failed", NULL);
	if (sendto(fd, buf, (size_t)len, 0, (struct sockaddr *)&O.dst, sizeof(O.dst)) != len)
		die("sendto:", strerror(errno));
}

static uint32_t parse_media(char *arg, char **rest)
{
	uint32_t m = (uint32_t)strtoul(arg, rest, 0);
	if (**rest == ':')
		(*rest)++;
	return m;
}

static void ntp_now(uint32_t *sec, uint32_t *frac)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	*sec = (uint32_t)(ts.tv_sec + 2208988800u);
	*frac = (uint32_t)(((uint64_t)ts.tv_nsec << 32) / 1000000000u);
}

/* --media: one SRTP session for every run, so the ROC carries on. */
static void send_media(char *arg)
{
	static bool have_t0;
	static struct timespec sr_t0;
	static uint32_t sr_ts0, sent;
	uint8_t pkt[MAX_PACKET + 64];
	char *file = strtok(arg, ":"), *skip_s = strtok(NULL, ":"), *count_s = strtok(NULL, ":"),
	     *rate_s = strtok(NULL, ":");
	if (file == NULL || count_s == NULL || rate_s == NULL)
		die("--media FILE:SKIP:COUNT:RATE", arg);
	FILE *f = fopen(file, "rb");
	uint32_t skip = (uint32_t)atoi(skip_s), count = (uint32_t)atoi(count_s);
	double gap_ms = 1000.0 / atof(rate_s);
	if (f == NULL)
		die("cannot open", file);
	for (uint32_t i = 0; i < skip + count; i++) {
		uint8_t lb[4];
		if (fread(lb, 1, 4, f) != 4)
			break;
		int len = (int)be32(lb);
		if (len < 12 || len > MAX_PACKET || fread(pkt, 1, (size_t)len, f) != (size_t)len)
			die("bad packet in", file);
		if (i < skip)
			continue;
		put32(pkt + 8, O.ssrc);
		if (!have_t0) {
			have_t0 = true;
			sr_ts0 = be32(pkt + 4);
			clock_gettime(CLOCK_REALTIME, &sr_t0);
		}
		if (srtp_protect(out_s, pkt, &len) != srtp_err_status_ok)
			die("srtp_protect failed", NULL);
		sendto(fd, pkt, (size_t)len, 0, (struct sockaddr *)&O.dst, sizeof(O.dst));
		if (O.sr_every && ++sent % O.sr_every == 0) {
			struct timespec now;
			uint8_t sr[28 + 64] = {0x80, 200, 0, 6};
			clock_gettime(CLOCK_REALTIME, &now);
			uint64_t ntp = ((uint64_t)(now.tv_sec + 2208988800u) << 32) |
				       (((uint64_t)now.tv_nsec << 32) / 1000000000u);
			int64_t ns = (int64_t)(now.tv_sec - sr_t0.tv_sec) * 1000000000 +
				     (now.tv_nsec - sr_t0.tv_nsec);
			uint32_t rtp = sr_ts0 + (uint32_t)(ns * 9 / 100000);
			put32(sr + 4, O.ssrc);
			put32(sr + 8, (uint32_t)(ntp >> 32));
			put32(sr + 12, (uint32_t)ntp);
			put32(sr + 16, rtp);
			printf("{\"t_ms\":%.1f,\"sent_sr\":{\"ntp\":%llu,\"rtp_ts\":%u}}\n",
			       ms_since(&t0), (unsigned long long)ntp, rtp);
			send_rtcp(sr, 28);
		}
		receive_for(gap_ms, 0);
	}
	fclose(f);
}

/* RFC 4588 section 4: "The retransmission packet [has] the same timestamp
 * as the original packet", the RTX stream's SSRC, payload type and
 * sequence numbers, and "The payload of the retransmission packet [...] the
 * original sequence number (OSN)" in its first two octets, then the
 * original payload. */
static void send_rtx(uint16_t osn)
{
	uint8_t pkt[MAX_PACKET + 64];
	const uint8_t *orig = rtx_pkt[osn];
	int olen = rtx_len[osn];

	if (orig == NULL) {
		printf("{\"t_ms\":%.1f,\"rtx_unknown\":%u}\n", ms_since(&t0), osn);
		return;
	}
	uint32_t hdr = 12 + 4u * (orig[0] & 0x0f);
	if (orig[0] & 0x10)
		hdr += 4 + 4u * ((orig[hdr + 2] << 8) | orig[hdr + 3]);
	memcpy(pkt, orig, hdr);
	pkt[1] = (uint8_t)((orig[1] & 0x80) | O.rtx_pt);
	pkt[2] = (uint8_t)(O.rtx_seq >> 8);
	pkt[3] = (uint8_t)O.rtx_seq;
	put32(pkt + 8, O.rtx_ssrc);
	pkt[hdr] = (uint8_t)(osn >> 8);
	pkt[hdr + 1] = (uint8_t)osn;
	memcpy(pkt + hdr + 2, orig + hdr, (size_t)olen - hdr);
	int len = olen + 2;
	if (srtp_protect(out_s, pkt, &len) != srtp_err_status_ok)
		die("srtp_protect (RTX) failed", NULL);
	sendto(fd, pkt, (size_t)len, 0, (struct sockaddr *)&O.dst, sizeof(O.dst));
	printf("{\"t_ms\":%.1f,\"sent_rtx\":{\"osn\":%u,\"seq\":%u}}\n", ms_since(&t0), osn,
	       O.rtx_seq);
	O.rtx_seq++;
}

static void load_rtx(char *arg)
{
	char *ssrc = strtok(arg, ":"), *pt = strtok(NULL, ":"), *file = strtok(NULL, "");
	uint8_t lb[4];
	FILE *f = NULL;

	if (ssrc == NULL || pt == NULL || file == NULL || (f = fopen(file, "rb")) == NULL)
		die("--answer-rtx SSRC:PT:FILE", arg);
	O.rtx_ssrc = (uint32_t)strtoul(ssrc, NULL, 0);
	O.rtx_pt = (uint32_t)atoi(pt);
	O.rtx_seq = 1000;
	while (fread(lb, 1, 4, f) == 4) {
		uint32_t len = be32(lb);
		uint8_t *p = malloc(len ? len : 1);
		if (len < 12 || len > MAX_PACKET || p == NULL || fread(p, 1, len, f) != len)
			die("bad packet in", file);
		uint16_t seq = (uint16_t)(p[2] << 8 | p[3]);
		free(rtx_pkt[seq]);
		rtx_pkt[seq] = p;
		rtx_len[seq] = (uint16_t)len;
	}
	fclose(f);
}

/* A Generic NACK's (RFC 4585 section 6.2.1) header and media SSRC, for
 * FCI from b[12] on; returns 12, the length so far. */
static int nack_start(uint8_t *b, uint32_t media)
{
	b[0] = 0x81; /* V=2, FMT 1 */
	b[1] = 205;  /* RTPFB */
	put32(b + 4, O.ssrc);
	put32(b + 8, media);
	return 12;
}

static void run_action(const struct action *a)
{
	uint8_t b[MAX_PACKET + 64];
	char *rest;

	memset(b, 0, sizeof(b));
	switch (a->kind) {
	case 'p':
	case 'f': {
		uint32_t media = parse_media(a->arg, &rest), count = *rest ? (uint32_t)atoi(rest) : 1;
		for (uint32_t i = 0; i < count; i++) {
			int len;
			b[0] = 0x80 | (a->kind == 'p' ? 1 : 4);
			b[1] = 206;
			put32(b + 4, O.ssrc);
			if (a->kind == 'p') {
				b[3] = 2;
				put32(b + 8, media);
				len = 12;
			} else {
				b[3] = 4;
				put32(b + 8, 0);
				put32(b + 12, media);
				b[16] = (uint8_t)(i + 1);
				b[17] = b[18] = b[19] = 0;
				len = 20;
			}
			send_rtcp(b, len);
		}
		break;
	}
	case 'n': {
		uint32_t media = parse_media(a->arg, &rest);
		int len = nack_start(b, media);
		for (char *tok = strtok(rest, ","); tok; tok = strtok(NULL, ",")) {
			int at = tok[0] == '@' ? atoi(tok + 1) : 0;
			if (at < 0)
				at += (int)(n_rtp < MAX_SEEN ? n_rtp : MAX_SEEN);
			unsigned v = tok[0] == '@' ? seen_seq[(unsigned)at % MAX_SEEN]
						   : (unsigned)strtoul(tok, NULL, 0);
			b[len] = (uint8_t)(v >> 8), b[len + 1] = (uint8_t)v;
			b[len + 2] = b[len + 3] = 0;
			len += 4;
		}
		b[3] = (uint8_t)(len / 4 - 1);
		send_rtcp(b, len);
		break;
	}
	case 'g': {
		uint32_t media = parse_media(a->arg, &rest);
		int len = nack_start(b, media);
		int prev = -1;
		for (unsigned i = 0; i < n_rtp && i < MAX_SEEN; i++) {
			if (seen_ssrc[i] != media)
				continue;
			if (prev < 0) {
				prev = (int)i;
				continue;
			}
			for (uint16_t v = (uint16_t)(seen_seq[prev] + 1);
			     v != seen_seq[i] && (uint16_t)(seen_seq[i] - v) < 1000 && len < 1000;
			     v++) {
				b[len] = (uint8_t)(v >> 8), b[len + 1] = (uint8_t)v;
				b[len + 2] = b[len + 3] = 0;
				len += 4;
				printf("{\"t_ms\":%.1f,\"nack_gap\":%u}\n", ms_since(&t0), v);
			}
			prev = (int)i;
		}
		if (len == 12)
			break;
		b[2] = (uint8_t)((len / 4 - 1) >> 8);
		b[3] = (uint8_t)(len / 4 - 1);
		send_rtcp(b, len);
		break;
	}
	case 'r': {
		uint32_t media = parse_media(a->arg, &rest), lsr = 0, dlsr = 0;
		for (unsigned k = 0; k < 16; k++)
			if (last_sr[k].ssrc == media) {
				lsr = last_sr[k].lsr;
				dlsr = (uint32_t)(ms_since(&last_sr[k].at) * 65.536);
			}
		b[0] = 0x81;
		b[1] = 201;
		b[3] = 7;
		put32(b + 4, O.ssrc);
		put32(b + 8, media);
		b[12] = 25; /* fraction lost ~ 10 % */
		b[15] = 3;  /* cumulative lost 3 */
		put32(b + 16, 1000);
		put32(b + 20, 77); /* jitter */
		put32(b + 24, lsr);
		put32(b + 28, dlsr);
		send_rtcp(b, 32);
		break;
	}
	case 's': {
		uint32_t sec, frac;
		ntp_now(&sec, &frac);
		b[0] = 0x80;
		b[1] = 200;
		b[3] = 6;
		put32(b + 4, O.ssrc);
		put32(b + 8, sec);
		put32(b + 12, frac);
		put32(b + 16, (uint32_t)strtoul(a->arg, NULL, 0));
		printf("{\"t_ms\":%.1f,\"sent_sr\":{\"ntp\":%llu,\"rtp_ts\":%u}}\n", ms_since(&t0),
		       (unsigned long long)sec << 32 | frac, be32(b + 16));
		send_rtcp(b, 28);
		break;
	}
	case 'x': {
		size_t n = strlen(a->arg) / 2;
		for (size_t i = 0; i < n && i < MAX_PACKET; i++) {
			unsigned v;
			sscanf(a->arg + 2 * i, "%2x", &v);
			b[i] = (uint8_t)v;
		}
		if (n >= 8)
			put32(b + 4, O.ssrc); /* the sender: this session's SSRC */
		send_rtcp(b, (int)n);
		break;
	}
	case 'z':
		receive_for(atof(a->arg), 0);
		break;
	case 'm':
		send_media(a->arg);
		break;
	case 'w':
		for (int i = 0; i < 2000 && access(a->arg, F_OK) != 0; i++)
			receive_for(10, 0);
		break;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"bind", 1, 0, 'B'},	 {"dst", 1, 0, 'D'},	   {"profile", 1, 0, 'P'},
		{"key", 1, 0, 'K'},	 {"ssrc", 1, 0, 'S'},	   {"wait-rtp", 1, 0, 'W'},
		{"wait-ms", 1, 0, 'T'},	 {"listen-ms", 1, 0, 'L'}, {"pli", 1, 0, 'p'},
		{"fir", 1, 0, 'f'},	 {"nack", 1, 0, 'n'},	   {"rr", 1, 0, 'r'},
		{"sr", 1, 0, 's'},	 {"raw", 1, 0, 'x'},	   {"sleep-ms", 1, 0, 'z'},
		{"lose", 1, 0, 'l'},	 {"wait-file", 1, 0, 'w'},   {"media", 1, 0, 'm'},
		{"sr-every", 1, 0, 'E'}, {"answer-rtx", 1, 0, 'A'}, {"nack-gaps", 1, 0, 'g'},
		{0, 0, 0, 0}};
	int c;

	O.profile = "AES_CM_128_HMAC_SHA1_80";
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'B': parse_addr(optarg, &O.bind); break;
		case 'D': parse_addr(optarg, &O.dst); break;
		case 'P': O.profile = optarg; break;
		case 'K': O.key_hex = optarg; break;
		case 'S': O.ssrc = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'W': O.wait_rtp = (uint32_t)atoi(optarg); break;
		case 'T': O.wait_ms = (uint32_t)atoi(optarg); break;
		case 'L': O.listen_ms = (uint32_t)atoi(optarg); break;
		case 'l':
			for (char *tok = strtok(optarg, ","); tok; tok = strtok(NULL, ","))
				if (atoi(tok) >= 0 && atoi(tok) < MAX_SEEN)
					lose[atoi(tok)] = true;
			break;
		case 'E': O.sr_every = (uint32_t)atoi(optarg); break;
		case 'A': load_rtx(optarg); break;
		case 'p': case 'f': case 'n': case 'r': case 's': case 'x': case 'z': case 'w':
		case 'm': case 'g':
			if (O.n_actions == MAX_ACTIONS)
				die("too many actions", NULL);
			O.actions[O.n_actions++] = (struct action){.kind = c, .arg = optarg};
			break;
		default:
			die("usage: see the header of tests/peer/rtcp_peer.c", NULL);
		}
	}
	if (O.key_hex == NULL || O.bind.sin_family == 0 || O.dst.sin_family == 0)
		die("--bind, --dst and --key are required", NULL);
	srtp_init();
	in_s = make_session(false);
	out_s = make_session(true);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	int big = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (fd < 0 || bind(fd, (struct sockaddr *)&O.bind, sizeof(O.bind)) != 0)
		die("bind:", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (O.wait_rtp)
		receive_for(O.wait_ms, O.wait_rtp);
	for (unsigned i = 0; i < O.n_actions; i++)
		run_action(&O.actions[i]);
	receive_for(O.listen_ms, 0);
	printf("{\"summary\":{\"rtp\":%u,\"rtcp\":%u,\"unprotect_failed\":%u}}\n", n_rtp, n_rtcp,
	       n_fail);
	return 0;
}
