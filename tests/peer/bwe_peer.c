/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bwe-peer: the two ends of a bandwidth-adaptation test, on kernel UDP
 * sockets with Debian's libsrtp2 (independent of Strata's SRTP and RTCP
 * code: the feedback below is built here, from the drafts).
 *
 *   bwe-peer send --dst IP:PORT --bind IP:PORT --key HEX --ssrc N
 *                 --file RTPFILE --duration-ms N [--rate PPS]
 *   bwe-peer recv --bind IP:PORT --dst IP:PORT --key HEX --ssrc N
 *                 --media-ssrc N [--twcc-id ID] --script PHASES
 *                 [--dump RTPFILE]
 *
 * send loops a VP8 capture for duration-ms: sequence numbers, timestamps,
 * PictureID and TL0PICIDX continue across loops (each loop starts at the
 * capture's keyframe), so the stream is one long valid VP8 stream.
 *
 * recv plays a receiver whose network changes on a script: PHASES is a
 * comma-separated list of DURATION_MS:MODE[:ARG] with MODE
 *   remb:BPS      send REMB (draft-alvestrand-rmcat-remb-03) every 200 ms;
 *   twcc          send transport-wide feedback
 *                 (draft-holmer-rmcat-transport-wide-cc-extensions-01)
 *                 every 50 ms with the true arrival times;
 *   delay:MS_PER_S  ... with arrival times delayed by a queue that grows
 *                 by MS_PER_S every second (a bottleneck filling up);
 *   loss:PCT      ... reporting PCT% of the packets as not received;
 *   quiet         send nothing.
 * The script's clock starts with the first media packet (until then the
 * first phase's feedback is sent).  Each feedback goes as SRTCP in a
 * compound with an empty receiver report.
 * It prints one JSON line: per phase the VP8 temporal layers received in
 * its second half, and the transport-wide numbers seen (count, gaps, and
 * packets without one).  Times are the receiver's CLOCK_MONOTONIC.
 *
 * The key is master key || salt in hex (AES_CM_128_HMAC_SHA1_80), the same
 * for both directions (the tests give legs one key).
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
#define MAX_PHASES 16
#define MAX_CAPTURE 4096
#define FB_PERIOD_US 50000
#define REMB_PERIOD_US 200000
#define HISTORY 65536

enum mode { M_REMB, M_TWCC, M_DELAY, M_LOSS, M_QUIET };

struct phase {
	enum mode mode;
	double arg;
	int64_t dur_us;
	unsigned tids_late; /* bit t: temporal layer t seen in the second half */
	unsigned packets;
};

struct opts {
	const char *mode, *key_hex, *file, *dump, *script;
	struct sockaddr_in dst, bind;
	uint32_t ssrc, media_ssrc, twcc_id, duration_ms, rate;
};

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "bwe-peer: %s%s\n", msg, arg);
	exit(2);
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void parse_addr(const char *s, struct sockaddr_in *a)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		die("bad address ", s);
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
		die("bad IPv4 address ", s);
}

static srtp_t session(const char *hex, bool outbound, uint8_t *key)
{
	srtp_policy_t pol;
	srtp_t s;
	size_t n = strlen(hex) / 2;

	if (n != 30)
		die("--key must be 30 bytes of hex (AES_CM_128 key || salt): ", hex);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			die("bad key ", hex);
		key[i] = (uint8_t)v;
	}
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.key = key;
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	pol.window_size = 1024;
	if (srtp_create(&s, &pol) != srtp_err_status_ok)
		die("srtp_create failed", "");
	return s;
}

static int udp_socket(const struct sockaddr_in *bind_to)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0), big = 4 << 20;
	if (fd < 0)
		die("socket: ", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (bind(fd, (const struct sockaddr *)bind_to, sizeof(*bind_to)) != 0)
		die("bind: ", strerror(errno));
	return fd;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* RFC 3550: the RTP header's length (CSRCs and extension), 0 if bad. */
static uint32_t rtp_hdr_len(const uint8_t *p, uint32_t len)
{
	uint32_t h = 12 + 4u * (p[0] & 0x0f);
	if (len < 12 || h > len)
		return 0;
	if (p[0] & 0x10) {
		if (h + 4 > len)
			return 0;
		h += 4 + 4u * get16(p + h + 2);
	}
	return h <= len ? h : 0;
}

/* ---- send ---------------------------------------------------------------- */

/*
 * RFC 7741 section 4.2, the VP8 payload descriptor: X, then I|L|T|K, the
 * PictureID (M bit: 15 bits), TL0PICIDX, TID|Y|KEYIDX.  Returns the offset
 * of the PictureID (0: none) and of TL0PICIDX (*tl0, 0: none).
 */
static uint32_t vp8_fields(const uint8_t *d, uint32_t len, uint32_t *tl0, int *tid)
{
	uint32_t o = 1, pid = 0;
	*tl0 = 0;
	*tid = -1;
	if (len < 1 || !(d[0] & 0x80))
		return 0;
	if (len < 2)
		return 0;
	uint8_t f = d[1];
	o = 2;
	if (f & 0x80) {
		pid = o;
		o += (o < len && (d[o] & 0x80)) ? 2 : 1;
	}
	if (f & 0x40)
		*tl0 = o++;
	if ((f & 0x20 || f & 0x10) && o < len)
		*tid = (f & 0x20) ? d[o] >> 6 : 0;
	return pid;
}

static int run_send(const struct opts *o)
{
	static uint8_t cap[MAX_CAPTURE][MAX_PACKET];
	static uint32_t cap_len[MAX_CAPTURE];
	uint8_t key[64], pkt[MAX_PACKET + 64];
	unsigned n = 0, sent = 0;
	FILE *f = fopen(o->file, "rb");

	if (f == NULL)
		die("cannot open ", o->file);
	for (uint8_t lb[4]; n < MAX_CAPTURE && fread(lb, 1, 4, f) == 4; n++) {
		cap_len[n] = (uint32_t)(lb[0] << 24 | lb[1] << 16 | lb[2] << 8 | lb[3]);
		if (cap_len[n] < 12 || cap_len[n] > MAX_PACKET ||
		    fread(cap[n], 1, cap_len[n], f) != cap_len[n])
			die("bad packet in ", o->file);
	}
	fclose(f);
	if (n == 0)
		die("empty capture ", o->file);
	/* How far PictureID, TL0PICIDX and the timestamp move per loop. */
	uint32_t hl0 = rtp_hdr_len(cap[0], cap_len[0]), hln = rtp_hdr_len(cap[n - 1], cap_len[n - 1]);
	uint32_t tl0_0, tl0_n;
	int tid;
	uint32_t p0 = vp8_fields(cap[0] + hl0, cap_len[0] - hl0, &tl0_0, &tid);
	uint32_t pn = vp8_fields(cap[n - 1] + hln, cap_len[n - 1] - hln, &tl0_n, &tid);
	if (!p0 || !pn || !tl0_0 || !tl0_n || !(cap[0][hl0 + p0] & 0x80))
		die("the capture is not VP8 with 15-bit PictureIDs and TL0PICIDX", "");
	uint16_t pid_step = (uint16_t)(((get16(cap[n - 1] + hln + pn) & 0x7fff) -
					(get16(cap[0] + hl0 + p0) & 0x7fff) + 1) & 0x7fff);
	uint8_t tl0_step = (uint8_t)(cap[n - 1][hln + tl0_n] - cap[0][hl0 + tl0_0] + 1);
	uint32_t ts0 = (uint32_t)cap[0][4] << 24 | cap[0][5] << 16 | cap[0][6] << 8 | cap[0][7];
	uint32_t tsn = (uint32_t)cap[n - 1][4] << 24 | cap[n - 1][5] << 16 | cap[n - 1][6] << 8 |
		       cap[n - 1][7];
	uint32_t ts_step = tsn - ts0 + 3000; /* one frame at 30 fps past the last */

	srtp_t s = session(o->key_hex, true, key);
	int fd = udp_socket(&o->bind);
	int64_t end = now_us() + (int64_t)o->duration_ms * 1000, gap = 1000000 / o->rate;
	int64_t next = now_us();
	for (uint32_t i = 0; now_us() < end; i++) {
		uint32_t loop = i / n, k = i % n, hl = rtp_hdr_len(cap[k], cap_len[k]), tl0o;
		int len = (int)cap_len[k];
		memcpy(pkt, cap[k], cap_len[k]);
		put16(pkt + 2, (uint16_t)(1000 + i));
		uint32_t ts = (uint32_t)pkt[4] << 24 | pkt[5] << 16 | pkt[6] << 8 | pkt[7];
		put32(pkt + 4, ts + loop * ts_step);
		put32(pkt + 8, o->ssrc);
		uint32_t po = vp8_fields(pkt + hl, cap_len[k] - hl, &tl0o, &tid);
		if (po) {
			uint16_t pid = (uint16_t)((get16(pkt + hl + po) + loop * pid_step) & 0x7fff);
			put16(pkt + hl + po, (uint16_t)(0x8000 | pid));
		}
		if (tl0o)
			pkt[hl + tl0o] = (uint8_t)(pkt[hl + tl0o] + loop * tl0_step);
		if (srtp_protect(s, pkt, &len) == srtp_err_status_ok &&
		    sendto(fd, pkt, (size_t)len, 0, (const struct sockaddr *)&o->dst,
			   sizeof(o->dst)) == len)
			sent++;
		next += gap;
		int64_t wait = next - now_us();
		if (wait > 0) {
			struct timespec t = {wait / 1000000, (wait % 1000000) * 1000};
			nanosleep(&t, NULL);
		}
	}
	printf("{\"sent\":%u,\"capture_packets\":%u}\n", sent, n);
	srtp_dealloc(s);
	close(fd);
	return 0;
}

/* ---- recv ---------------------------------------------------------------- */

struct arrival {
	int64_t at_us; /* reported arrival time, 0 = not received */
	bool seen;
};

struct rx_state {
	struct arrival hist[HISTORY];  /* by transport-wide number */
	bool have_base;
	int64_t next_unreported;       /* unwrapped */
	int64_t highest;               /* unwrapped, -1 none */
	int64_t first;                 /* unwrapped: the first number seen */
	uint8_t fb_count;
	uint32_t twcc_seen, twcc_missing, twcc_dups;
	uint16_t last_seq16;
};

static void parse_script(const char *s, struct phase *ph, unsigned *n)
{
	char buf[1024], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", s);
	*n = 0;
	for (char *tok = strtok_r(buf, ",", &save); tok && *n < MAX_PHASES;
	     tok = strtok_r(NULL, ",", &save)) {
		char mode[16] = "";
		double ms = 0, arg = 0;
		if (sscanf(tok, "%lf:%15[a-z]:%lf", &ms, mode, &arg) < 2)
			die("bad phase ", tok);
		struct phase *p = &ph[(*n)++];
		memset(p, 0, sizeof(*p));
		p->dur_us = (int64_t)(ms * 1000);
		p->arg = arg;
		if (!strcmp(mode, "remb")) p->mode = M_REMB;
		else if (!strcmp(mode, "twcc")) p->mode = M_TWCC;
		else if (!strcmp(mode, "delay")) p->mode = M_DELAY;
		else if (!strcmp(mode, "loss")) p->mode = M_LOSS;
		else if (!strcmp(mode, "quiet")) p->mode = M_QUIET;
		else die("unknown mode ", mode);
	}
}

/* RFC 3550 section 6.4.2: an empty receiver report opens the compound. */
static uint32_t put_rr(uint8_t *p, uint32_t ssrc)
{
	p[0] = 0x80;
	p[1] = 201;
	put16(p + 2, 1);
	put32(p + 4, ssrc);
	return 8;
}

/*
 * draft-alvestrand-rmcat-remb-03 section 2.2: PSFB (206) FMT 15, media
 * SSRC 0, "REMB", Num SSRC, BR Exp (6 bits), BR Mantissa (18 bits), the
 * SSRCs.
 */
static uint32_t put_remb(uint8_t *p, uint32_t ssrc, uint32_t media, uint64_t bps)
{
	unsigned exp = 0;
	while ((bps >> exp) > 0x3ffff)
		exp++;
	uint32_t mant = (uint32_t)(bps >> exp);
	p[0] = 0x80 | 15;
	p[1] = 206;
	put16(p + 2, 5);
	put32(p + 4, ssrc);
	put32(p + 8, 0);
	memcpy(p + 12, "REMB", 4);
	p[16] = 1;
	p[17] = (uint8_t)(exp << 2 | mant >> 16);
	put16(p + 18, (uint16_t)mant);
	put32(p + 20, media);
	return 24;
}

/*
 * draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1: RTPFB
 * (205) FMT 15; base sequence number, packet status count, reference time
 * (24 bits, 64 ms units), feedback packet count; run-length chunks
 * (section 3.1.3: "0 | S (2) | run length (13)"); receive deltas in 250 us
 * units, one octet for "small delta" (0..255), two (signed) for "large".
 */
static uint32_t put_twcc(uint8_t *p, uint32_t ssrc, uint32_t media, struct rx_state *rx,
			 int64_t base, int64_t last)
{
	uint32_t count = (uint32_t)(last - base + 1);
	uint8_t sym[8192];
	int64_t first_at = 0;
	for (uint32_t i = 0; i < count; i++) {
		const struct arrival *a = &rx->hist[(base + i) % HISTORY];
		if (a->at_us && !first_at)
			first_at = a->at_us;
	}
	int64_t ref = first_at / 64000;
	int64_t prev = ref * 64000;
	uint8_t deltas[16384];
	uint32_t nd = 0, o = 20;
	for (uint32_t i = 0; i < count; i++) {
		const struct arrival *a = &rx->hist[(base + i) % HISTORY];
		if (!a->at_us) {
			sym[i] = 0;
			continue;
		}
		int64_t d = (a->at_us - prev) / 250;
		if (d >= 0 && d <= 255) {
			sym[i] = 1;
			deltas[nd++] = (uint8_t)d;
		} else {
			if (d > 32767) d = 32767;
			if (d < -32768) d = -32768;
			sym[i] = 2;
			put16(deltas + nd, (uint16_t)(int16_t)d);
			nd += 2;
		}
		prev += d * 250; /* the receiver's time as the sender will rebuild it */
	}
	p[0] = 0x80 | 15;
	p[1] = 205;
	put32(p + 4, ssrc);
	put32(p + 8, media);
	put16(p + 12, (uint16_t)base);
	put16(p + 14, (uint16_t)count);
	p[16] = (uint8_t)(ref >> 16);
	p[17] = (uint8_t)(ref >> 8);
	p[18] = (uint8_t)ref;
	p[19] = rx->fb_count++;
	for (uint32_t i = 0; i < count;) {
		uint32_t run = 1;
		while (i + run < count && sym[i + run] == sym[i] && run < 8191)
			run++;
		put16(p + o, (uint16_t)(sym[i] << 13 | run));
		o += 2;
		i += run;
	}
	memcpy(p + o, deltas, nd);
	o += nd;
	while (o % 4)
		p[o++] = 0;
	put16(p + 2, (uint16_t)(o / 4 - 1));
	return o;
}

static void send_rtcp(int fd, srtp_t s, const struct sockaddr_in *dst, uint8_t *buf, uint32_t len)
{
	int n = (int)len;
	if (srtp_protect_rtcp(s, buf, &n) == srtp_err_status_ok)
		sendto(fd, buf, (size_t)n, 0, (const struct sockaddr *)dst, sizeof(*dst));
}

/* The transport-wide number of a packet (RFC 8285 one- or two-byte form). */
static int twcc_of(const uint8_t *p, uint32_t hl, uint8_t id)
{
	if (!(p[0] & 0x10) || id == 0)
		return -1;
	uint32_t at = 12 + 4u * (p[0] & 0x0f);
	uint16_t profile = get16(p + at);
	uint32_t q = at + 4;
	if (profile == 0xBEDE) {
		while (q < hl) {
			if (p[q] == 0) { q++; continue; }
			uint8_t eid = p[q] >> 4, l = (uint8_t)((p[q] & 15) + 1);
			if (eid == 15 || q + 1 + l > hl)
				return -1;
			if (eid == id && l == 2)
				return get16(p + q + 1);
			q += 1 + l;
		}
	} else if ((profile & 0xfff0) == 0x1000) {
		while (q < hl) {
			if (p[q] == 0) { q++; continue; }
			if (q + 2 > hl || q + 2 + p[q + 1] > hl)
				return -1;
			if (p[q] == id && p[q + 1] == 2)
				return get16(p + q + 2);
			q += 2u + p[q + 1];
		}
	}
	return -1;
}

static int run_recv(const struct opts *o)
{
	static struct rx_state rx;
	struct phase ph[MAX_PHASES];
	unsigned n_ph;
	uint8_t kin[64], kout[64], pkt[MAX_PACKET + 64], fb[65536];

	parse_script(o->script, ph, &n_ph);
	srtp_t in = session(o->key_hex, false, kin), out = session(o->key_hex, true, kout);
	int fd = udp_socket(&o->bind);
	FILE *dump = o->dump ? fopen(o->dump, "wb") : NULL;
	/* The script's clock starts at the first media packet, so a slow
	 * start of the publisher does not eat into the first phase. */
	int64_t t0 = now_us(), phase_start = t0, next_fb = t0, next_remb = t0;
	bool started = false;
	unsigned cur = 0, decrypted = 0, fail = 0;
	rx.highest = -1;

	while (cur < n_ph) {
		int64_t now = now_us();
		struct phase *p = &ph[cur];
		if (!started)
			phase_start = now;
		else if (now - t0 > 120 * 1000000LL)
			die("no end to the script after 2 minutes", "");
		if (now - phase_start >= p->dur_us) {
			phase_start += p->dur_us;
			cur++;
			continue;
		}
		/* Feedback due. */
		if (p->mode == M_REMB && now >= next_remb) {
			uint32_t l = put_rr(fb, o->ssrc);
			l += put_remb(fb + l, o->ssrc, o->media_ssrc, (uint64_t)p->arg);
			send_rtcp(fd, out, &o->dst, fb, l);
			next_remb = now + REMB_PERIOD_US;
		}
		if (p->mode != M_REMB && p->mode != M_QUIET && now >= next_fb) {
			if (rx.have_base && rx.highest >= rx.next_unreported) {
				int64_t last = rx.highest;
				if (last - rx.next_unreported >= 8000)
					rx.next_unreported = last - 7999;
				uint32_t l = put_rr(fb, o->ssrc);
				l += put_twcc(fb + l, o->ssrc, o->media_ssrc, &rx, rx.next_unreported,
					      last);
				send_rtcp(fd, out, &o->dst, fb, l);
				rx.next_unreported = last + 1;
			}
			next_fb = now + FB_PERIOD_US;
		}

		struct pollfd pf = {.fd = fd, .events = POLLIN};
		if (poll(&pf, 1, 5) <= 0)
			continue;
		int len = (int)recv(fd, pkt, MAX_PACKET, 0);
		if (len < 12 || (pkt[1] >= 192 && pkt[1] <= 223))
			continue; /* RTCP from the router: not this test's business */
		now = now_us();
		if (srtp_unprotect(in, pkt, &len) != srtp_err_status_ok) {
			fail++;
			continue;
		}
		decrypted++;
		if (!started) {
			started = true;
			phase_start = now;
		}
		uint32_t hl = rtp_hdr_len(pkt, (uint32_t)len), tl0;
		int tid = 0;
		if (hl == 0)
			continue;
		vp8_fields(pkt + hl, (uint32_t)len - hl, &tl0, &tid);
		p->packets++;
		if (now - phase_start >= p->dur_us / 2 && tid >= 0 && tid < 4)
			p->tids_late |= 1u << tid;
		if (dump) {
			uint8_t lb[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
					 (uint8_t)len};
			fwrite(lb, 1, 4, dump);
			fwrite(pkt, 1, (size_t)len, dump);
		}
		int tw = twcc_of(pkt, hl, (uint8_t)o->twcc_id);
		if (tw < 0) {
			rx.twcc_missing++;
			continue;
		}
		rx.twcc_seen++;
		/* Unwrap against the highest so far. */
		int64_t seq;
		if (!rx.have_base) {
			seq = tw;
			rx.have_base = true;
			rx.next_unreported = seq;
			rx.first = seq;
		} else {
			seq = rx.highest + (int16_t)((uint16_t)tw - (uint16_t)rx.highest);
		}
		if (seq < rx.next_unreported)
			continue; /* late: already reported as missing */
		struct arrival *a = &rx.hist[seq % HISTORY];
		if (a->seen && seq <= rx.highest) {
			rx.twcc_dups++;
			continue;
		}
		for (int64_t s2 = rx.highest + 1; rx.highest >= 0 && s2 < seq; s2++)
			rx.hist[s2 % HISTORY] = (struct arrival){0};
		int64_t at = now;
		if (p->mode == M_DELAY)
			at += (int64_t)(p->arg * (double)(now - phase_start) / 1000.0);
		bool lost = p->mode == M_LOSS && (seq % 100) < (int64_t)p->arg;
		*a = (struct arrival){.at_us = lost ? 0 : at, .seen = true};
		if (seq > rx.highest)
			rx.highest = seq;
	}

	printf("{\"decrypted\":%u,\"unprotect_failed\":%u,\"twcc_seen\":%u,\"twcc_missing\":%u,"
	       "\"twcc_dups\":%u,\"twcc_span\":%lld,\"phases\":[",
	       decrypted, fail, rx.twcc_seen, rx.twcc_missing, rx.twcc_dups,
	       rx.have_base ? (long long)(rx.highest - rx.first + 1) : 0LL);
	for (unsigned i = 0; i < n_ph; i++) {
		int maxt = -1;
		for (int t = 0; t < 4; t++)
			if (ph[i].tids_late & (1u << t))
				maxt = t;
		printf("%s{\"packets\":%u,\"tids_late\":%u,\"max_tid_late\":%d}", i ? "," : "",
		       ph[i].packets, ph[i].tids_late, maxt);
	}
	printf("]}\n");
	if (dump)
		fclose(dump);
	srtp_dealloc(in);
	srtp_dealloc(out);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dst", 1, 0, 'd'},	      {"bind", 1, 0, 'b'},   {"key", 1, 0, 'k'},
		{"ssrc", 1, 0, 's'},	      {"media-ssrc", 1, 0, 'm'}, {"twcc-id", 1, 0, 't'},
		{"script", 1, 0, 'p'},	      {"dump", 1, 0, 'o'},   {"file", 1, 0, 'f'},
		{"duration-ms", 1, 0, 'u'}, {"rate", 1, 0, 'r'},   {0, 0, 0, 0},
	};
	struct opts o = {.rate = 59};
	bool have_dst = false, have_bind = false;
	int c;

	if (argc < 2 || (strcmp(argv[1], "send") && strcmp(argv[1], "recv")))
		die("usage: bwe-peer send|recv OPTIONS (see the source's header)", "");
	o.mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': parse_addr(optarg, &o.dst); have_dst = true; break;
		case 'b': parse_addr(optarg, &o.bind); have_bind = true; break;
		case 'k': o.key_hex = optarg; break;
		case 's': o.ssrc = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'm': o.media_ssrc = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 't': o.twcc_id = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'p': o.script = optarg; break;
		case 'o': o.dump = optarg; break;
		case 'f': o.file = optarg; break;
		case 'u': o.duration_ms = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'r': o.rate = (uint32_t)strtoul(optarg, NULL, 0); break;
		default: die("unknown option", "");
		}
	}
	if (!o.key_hex || !have_dst || !have_bind || !o.ssrc)
		die("--key, --dst, --bind and --ssrc are required", "");
	srtp_init();
	if (!strcmp(o.mode, "send")) {
		if (!o.file || !o.duration_ms || !o.rate)
			die("send needs --file, --duration-ms and --rate", "");
		return run_send(&o);
	}
	if (!o.script)
		die("recv needs --script", "");
	return run_recv(&o);
}
