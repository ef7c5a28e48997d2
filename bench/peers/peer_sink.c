/* SPDX-License-Identifier: BSD-3-Clause */
/* strata-peer-load's receivers: see peer_sink.h.  (recvmmsg is a GNU extension.) */
#define _GNU_SOURCE
#include "peer_sink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define MAX_PKT 2048

static uint8_t pattern_byte(uint64_t num, unsigned i)
{
	return (uint8_t)(num * 31u + i * 7u + (i >> 8));
}

void load_fill_payload(uint8_t *p, unsigned len, uint64_t num)
{
	uint32_t m = htonl(LOAD_MAGIC);
	memcpy(p, &m, 4);
	for (unsigned i = 0; i < 8; i++)
		p[4 + i] = (uint8_t)(num >> (56 - 8 * i));
	for (unsigned i = 12; i < len; i++)
		p[i] = pattern_byte(num, i);
}

bool load_check_payload(const uint8_t *p, unsigned len, uint64_t *num)
{
	uint32_t m;
	uint64_t n = 0;
	if (len < 12)
		return false;
	memcpy(&m, p, 4);
	if (ntohl(m) != LOAD_MAGIC)
		return false;
	for (unsigned i = 0; i < 8; i++)
		n = (n << 8) | p[4 + i];
	for (unsigned i = 12; i < len; i++)
		if (p[i] != pattern_byte(n, i))
			return false;
	*num = n;
	return true;
}

int sink_open(struct sink *s, struct in_addr addr, unsigned base_port, unsigned n,
	      srtp_profile_t profile, uint8_t *const *rx_keys, srtp_profile_t sender_profile,
	      const uint8_t *sender_key, unsigned sample, unsigned payload_len)
{
	srtp_policy_t pol;

	memset(s, 0, sizeof(*s));
	s->n_rx = n;
	s->sample = sample ? sample : 1;
	s->payload_len = payload_len;
	s->rx = calloc(n, sizeof(*s->rx));
	s->epfd = epoll_create1(0);
	if (!s->rx || s->epfd < 0) {
		perror("strata-peer-load: sink");
		return -1;
	}
	pthread_mutex_init(&s->lock, NULL);
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_from_profile_for_rtp(&pol.rtp, sender_profile);
	srtp_crypto_policy_set_from_profile_for_rtcp(&pol.rtcp, sender_profile);
	pol.ssrc.type = ssrc_any_inbound;
	pol.window_size = 1024;
	pol.key = (uint8_t *)sender_key;
	if (srtp_create(&s->sender_ctx, &pol) != srtp_err_status_ok) {
		fprintf(stderr, "strata-peer-load: libsrtp2 refused the sender's key\n");
		return -1;
	}
	srtp_crypto_policy_set_from_profile_for_rtp(&pol.rtp, profile);
	srtp_crypto_policy_set_from_profile_for_rtcp(&pol.rtcp, profile);
	for (unsigned i = 0; i < n; i++) {
		struct sink_rx *r = &s->rx[i];
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = addr,
					  .sin_port = htons((uint16_t)(base_port + 2 * i)) };
		/* 8 MB: a receiver's socket must not be where packets are lost
		 * (SO_RCVBUFFORCE, as root, passes net.core.rmem_max). */
		int buf = 8 << 20;
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };

		r->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (r->fd < 0 || bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			fprintf(stderr, "strata-peer-load: bind %s:%u: %s\n", inet_ntoa(addr),
				base_port + 2 * i, strerror(errno));
			return -1;
		}
		if (setsockopt(r->fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0)
			setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, r->fd, &ev) < 0) {
			perror("strata-peer-load: epoll_ctl");
			return -1;
		}
		pol.key = rx_keys[i];
		if (srtp_create(&r->ctx, &pol) != srtp_err_status_ok) {
			fprintf(stderr, "strata-peer-load: libsrtp2 refused receiver %u's key\n", i);
			return -1;
		}
		r->seen = calloc(SINK_MAX_TRIAL_PACKETS / 8 + 1, 1);
		if (!r->seen)
			return -1;
	}
	return 0;
}

/* One sampled packet: the publisher's key must fail on it (the peer
 * re-encrypted), the receiver's must open it to the publisher's payload. */
static void sink_sample(struct sink *s, struct sink_rx *r, const uint8_t *pkt, int len,
			uint16_t seq)
{
	uint8_t buf[MAX_PKT];
	int l = len;
	uint64_t num;

	if (r->sender_key_tried < SINK_SENDER_KEY_TRIES) {
		memcpy(buf, pkt, (size_t)len);
		r->sender_key_tried++;
		if (srtp_unprotect(s->sender_ctx, buf, &l) == srtp_err_status_ok)
			r->sender_key_ok++;
		l = len;
	}
	memcpy(buf, pkt, (size_t)len);
	if (srtp_unprotect(r->ctx, buf, &l) != srtp_err_status_ok) {
		r->decrypt_failed++;
		return;
	}
	r->decrypted++;
	/* The payload after the 12-byte header (the generator adds no CSRC or
	 * extension; a peer that added an extension would be caught here). */
	if (l != 12 + (int)s->payload_len || !load_check_payload(buf + 12, s->payload_len, &num) ||
	    (uint16_t)(s->seq_base + num) != seq)
		r->payload_wrong++;
}

static void sink_packet(struct sink *s, struct sink_rx *r, const uint8_t *pkt, int len)
{
	uint16_t seq, d;

	if (len < 12 || (pkt[0] >> 6) != 2) {
		s->not_rtp++;
		return;
	}
	/* RFC 5761 section 4: with rtcp-mux, RTCP's packet types 192-223 are
	 * RTP payload types 64-95; the peer's RTCP is not counted. */
	if ((pkt[1] & 0x7f) >= 64 && (pkt[1] & 0x7f) <= 95) {
		s->rtcp++;
		return;
	}
	seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	d = (uint16_t)(seq - s->first_seq);
	if (!s->trial_on || d >= s->trial_n) {
		r->stale++;
		return;
	}
	if (r->seen[d >> 3] & (1u << (d & 7))) {
		r->dup++;
		return;
	}
	r->seen[d >> 3] |= (uint8_t)(1u << (d & 7));
	r->received++;
	if (++r->sample_ctr % s->sample == 0)
		sink_sample(s, r, pkt, len, seq);
}

static void *sink_main(void *arg)
{
	struct sink *s = arg;
	static uint8_t bufs[BATCH][MAX_PKT];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct epoll_event evs[64];

	for (unsigned i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = MAX_PKT;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		int n = epoll_wait(s->epfd, evs, 64, 50);
		for (int e = 0; e < n; e++) {
			struct sink_rx *r = &s->rx[evs[e].data.u32];
			int got;
			while ((got = recvmmsg(r->fd, msgs, BATCH, MSG_DONTWAIT, NULL)) > 0) {
				pthread_mutex_lock(&s->lock);
				for (int i = 0; i < got; i++)
					sink_packet(s, r, bufs[i], (int)msgs[i].msg_len);
				pthread_mutex_unlock(&s->lock);
				if (got < BATCH)
					break;
			}
		}
	}
	return NULL;
}

int sink_start(struct sink *s)
{
	if (pthread_create(&s->thread, NULL, sink_main, s) != 0) {
		fprintf(stderr, "strata-peer-load: cannot start the sink thread\n");
		return -1;
	}
	return 0;
}

void sink_trial_begin(struct sink *s, uint16_t first_seq, uint32_t n)
{
	pthread_mutex_lock(&s->lock);
	for (unsigned i = 0; i < s->n_rx; i++) {
		struct sink_rx *r = &s->rx[i];
		memset(r->seen, 0, SINK_MAX_TRIAL_PACKETS / 8 + 1);
		r->received = r->dup = r->stale = r->sample_ctr = 0;
		r->decrypted = r->decrypt_failed = r->payload_wrong = 0;
		r->sender_key_tried = r->sender_key_ok = 0;
	}
	s->not_rtp = s->rtcp = 0;
	s->first_seq = first_seq;
	s->trial_n = n;
	s->trial_on = true;
	pthread_mutex_unlock(&s->lock);
}

void sink_trial_end(struct sink *s, struct sink_totals *t)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_lock(&s->lock);
	s->trial_on = false;
	t->min_received = UINT64_MAX;
	for (unsigned i = 0; i < s->n_rx; i++) {
		const struct sink_rx *r = &s->rx[i];
		t->received += r->received;
		t->dup += r->dup;
		t->stale += r->stale;
		t->decrypted += r->decrypted;
		t->decrypt_failed += r->decrypt_failed;
		t->payload_wrong += r->payload_wrong;
		t->sender_key_tried += r->sender_key_tried;
		t->sender_key_ok += r->sender_key_ok;
		t->gaps += s->trial_n - r->received;
		if (r->received < t->min_received)
			t->min_received = r->received;
		if (r->received > t->max_received)
			t->max_received = r->received;
	}
	t->not_rtp = s->not_rtp;
	t->rtcp = s->rtcp;
	pthread_mutex_unlock(&s->lock);
}

void sink_close(struct sink *s)
{
	__atomic_store_n(&s->stop, true, __ATOMIC_RELEASE);
	pthread_join(s->thread, NULL);
	for (unsigned i = 0; i < s->n_rx; i++) {
		close(s->rx[i].fd);
		srtp_dealloc(s->rx[i].ctx);
		free(s->rx[i].seen);
	}
	srtp_dealloc(s->sender_ctx);
	close(s->epfd);
	free(s->rx);
}
