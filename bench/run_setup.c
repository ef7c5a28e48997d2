/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-bench run --direct: this process's DPDK side and strata-dp's
 * programming.
 *
 * The wire is net_memif: strata-dp owns the memif socket (role=server in
 * its eal.vdevs), this process connects as the client.  Frames are
 * Ethernet/IPv4/UDP as on a NIC: this process plays the gateway that every
 * client sits behind (strata-dp's static neighbour for its gateway4 has
 * our MAC), so strata-dp's outputs come back here.
 *
 * Programming goes through the shared-memory contract with tests/driver's
 * dp_driver, the same library the integration tests use: LEG_ADD for every
 * person, STREAM_ADD for every publisher's media, SUB_ADD for every other
 * person of the room, each answered by its CMD_RESULT.  Keys are fresh
 * random ones per leg and direction.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "bench_libsrtp.h"
#include "bench_report.h"
#include "dp_driver.h"
#include "run_bench.h"

#define POOL_MBUFS 16383
#define RING_DESC 4096
#define LEG_PORT_BASE 10000
#define STREAM_SSRC_BASE 0x01000000u
#define SUB_SSRC_BASE 0x20000000u

static bool eal_up;
static char runtime_dir[512]; /* EAL's, for this process's file prefix */

/* rte_eal_cleanup leaves EAL's runtime directory behind: remove it. */
static void remove_runtime_dir(void)
{
	DIR *d;
	struct dirent *e;
	char path[1024];

	if (runtime_dir[0] == 0 || (d = opendir(runtime_dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(path, sizeof(path), "%s/%s", runtime_dir, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(runtime_dir);
	runtime_dir[0] = 0;
}

static void parse_mac(const char *s, uint8_t mac[6], const char *what)
{
	unsigned v[6];
	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		bench_fail("%s: \"%s\" is not a MAC address", what, s);
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
}

static void parse_ip(const char *s, uint8_t ip[4], const char *what)
{
	if (inet_pton(AF_INET, s, ip) != 1)
		bench_fail("%s: \"%s\" is not an IPv4 address", what, s);
}

void run_setup(struct run_state *st, const struct run_setup_params *p)
{
	char core[16], prefix[64], vdev[512];

	if (srtp_init() != srtp_err_status_ok)
		bench_fail("libsrtp2's srtp_init failed");
	parse_mac(p->dp_mac, st->dp_mac, "--dp-mac");
	parse_mac(p->my_mac, st->my_mac, "--mac");
	parse_ip(p->dp_ip, st->dp_ip, "--dp-ip");
	parse_ip(p->client_ip, st->client_ip, "--client-ip");
	snprintf(core, sizeof(core), "%d", p->core);
	snprintf(prefix, sizeof(prefix), "strata-bench-run-%d", (int)getpid());
	snprintf(vdev, sizeof(vdev), "net_memif0,role=client,socket=%s,mac=%s,rsize=14", p->memif_socket,
		 p->my_mac);
	char *argv[] = { "strata-bench-run", "-l", core, "--no-huge", "-m", "256", "--no-telemetry",
			 "--file-prefix", prefix, "--no-pci", "--vdev", vdev, "--log-level",
			 "*:warning", NULL };
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
	if (rte_eal_init(argc, argv) < 0)
		bench_fail("EAL did not start: %s", rte_strerror(rte_errno));
	eal_up = true;
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	st->tsc_hz = (double)rte_get_tsc_hz();

	if (rte_eth_dev_get_port_by_name("net_memif0", &st->port_id) != 0)
		bench_fail("no net_memif0 port");
	st->pool = rte_pktmbuf_pool_create("run_pool", POOL_MBUFS, 256, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (st->pool == NULL)
		bench_fail("cannot create the mbuf pool: %s", rte_strerror(rte_errno));
	struct rte_eth_conf conf;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(st->port_id, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(st->port_id, 0, RING_DESC, rte_socket_id(), NULL, st->pool) != 0 ||
	    rte_eth_tx_queue_setup(st->port_id, 0, RING_DESC, rte_socket_id(), NULL) != 0 ||
	    rte_eth_dev_start(st->port_id) != 0)
		bench_fail("cannot start the memif port");
	/* memif connects in the background: wait for strata-dp to accept. */
	struct rte_eth_link link = { 0 };
	for (int i = 0; i < 400 && !link.link_status; i++) {
		rte_delay_ms(50);
		rte_eth_link_get_nowait(st->port_id, &link);
	}
	if (!link.link_status)
		bench_fail("memif %s did not connect within 20 s: is strata-dp running with "
			   "\"net_memif0,role=server,socket=%s\" among its eal.vdevs?",
			   p->memif_socket, p->memif_socket);

	char err[256];
	struct dp_driver_opts o = { .name = p->shm, .wait_ms = 2000,
				    .flags = p->takeover ? DP_DRIVER_TAKEOVER : 0 };
	if ((st->drv = dp_driver_attach(&o, err, sizeof(err))) == NULL)
		bench_fail("shared memory %s: %s", p->shm, err);
}

static void keying(struct strata_keying *k, const struct strata_srtp_profile *p)
{
	memset(k, 0, sizeof(*k));
	k->profile = (uint8_t)p->id;
	if (getrandom(k->key, p->key_len, 0) != p->key_len ||
	    getrandom(k->salt, p->salt_len, 0) != p->salt_len)
		bench_fail("getrandom failed");
}

static struct strata_addr addr4(const uint8_t ip[4], uint16_t port)
{
	struct strata_addr a = { .family = STRATA_AF_INET, .port = port };
	memcpy(a.ip, ip, 4);
	return a;
}

static void cmd_ok(int rc, const char *what, uint32_t id)
{
	if (rc != 0)
		bench_fail("strata-dp refused %s %u: %s (status %d)", what, id,
			   rc < 0 ? strerror(-rc) : rc == STRATA_CMD_EEXIST ?
			   "in use (another run's state? restart strata-dp)" :
			   rc == STRATA_CMD_ENOSPC ? "a pool is full (raise dataplane.limits)" :
			   rc == STRATA_CMD_EADDR ? "not strata-dp's address (--dp-ip)" :
			   "command failed", rc);
}

/* The Ethernet/IPv4/UDP template of one stream's inputs. */
static void input_header(struct run_state *st, struct run_stream *s)
{
	const struct run_leg *l = &st->legs[s->leg];
	unsigned udp_len = 8 + RUN_RTP_HDR + st->sc->media[s->media].size +
			   st->sc->profile->rtp_tag_len;
	uint8_t *h = s->hdr;

	memcpy(h, st->dp_mac, 6);
	memcpy(h + 6, st->my_mac, 6);
	h[12] = 0x08, h[13] = 0x00;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(h + 14);
	memset(ip, 0, 20);
	ip->version_ihl = 0x45;
	ip->total_length = htons((uint16_t)(20 + udp_len));
	ip->fragment_offset = htons(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = 17;
	memcpy(&ip->src_addr, l->remote.ip, 4);
	memcpy(&ip->dst_addr, l->local.ip, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	uint8_t *u = h + 34;
	u[0] = (uint8_t)(l->remote.port >> 8), u[1] = (uint8_t)l->remote.port;
	u[2] = (uint8_t)(l->local.port >> 8), u[3] = (uint8_t)l->local.port;
	u[4] = (uint8_t)(udp_len >> 8), u[5] = (uint8_t)udp_len;
	u[6] = u[7] = 0;
}

/*
 * strata-dp keeps a source (its kind and codec) after its last stream is
 * deleted, and refuses a stream of another kind or codec on it (EINVAL).
 * So that one run's Opus never lands on an earlier run's VP8 source, each
 * codec has its own half of the source ids.
 */
static uint32_t source_id(const struct run_state *st, const struct run_stream *s)
{
	uint32_t half = dp_driver_header(st->drv)->max_sources / 2;
	return s->id + (st->sc->media[s->media].codec == RUN_CODEC_OPUS ? half : 0);
}

void run_program(struct run_state *st)
{
	const struct run_scenario *sc = st->sc;
	const struct strata_shm_header *h = dp_driver_header(st->drv);
	unsigned people = sc->publishers + sc->listeners;

	st->n_legs = sc->rooms * people;
	st->n_streams = sc->rooms * sc->publishers * sc->n_media;
	st->n_subs = st->n_streams * (people - 1);
	if (st->n_legs > h->max_legs || st->n_streams > h->max_streams ||
	    st->n_streams > h->max_sources / 2 || st->n_subs > h->max_subscriptions)
		bench_fail("the scenario needs %u legs, %u streams (and twice as many source ids) "
			   "and %u subscriptions; strata-dp has room for %u, %u (%u) and %u (raise "
			   "dataplane.limits)", st->n_legs, st->n_streams, st->n_subs,
			   (unsigned)h->max_legs, (unsigned)h->max_streams,
			   (unsigned)h->max_sources, (unsigned)h->max_subscriptions);
	if (LEG_PORT_BASE + st->n_legs > 65535)
		bench_fail("%u legs do not fit in the UDP port space", st->n_legs);
	st->legs = calloc(st->n_legs, sizeof(*st->legs));
	st->streams = calloc(st->n_streams, sizeof(*st->streams));
	st->subs = calloc(st->n_subs, sizeof(*st->subs));
	if (st->legs == NULL || st->streams == NULL || st->subs == NULL)
		bench_fail("out of memory");
	st->sub_ssrc_base = SUB_SSRC_BASE;

	for (unsigned i = 0; i < st->n_legs; i++) {
		struct run_leg *l = &st->legs[i];
		struct strata_cmd_leg_add a;
		l->id = i + 1;
		l->local = addr4(st->dp_ip, (uint16_t)(LEG_PORT_BASE + l->id));
		l->remote = addr4(st->client_ip, (uint16_t)(LEG_PORT_BASE + l->id));
		keying(&l->rx, sc->profile);
		keying(&l->tx, sc->profile);
		memset(&a, 0, sizeof(a));
		a.leg = l->id;
		a.room = i / people + 1;
		a.local = l->local;
		a.remote = l->remote;
		a.rx = l->rx;
		a.tx = l->tx;
		cmd_ok(dp_driver_leg_add(st->drv, &a), "leg", l->id);
		explicit_bzero(&a, sizeof(a));
	}
	unsigned si = 0, ui = 0;
	for (unsigned room = 0; room < sc->rooms; room++)
		for (unsigned p = 0; p < sc->publishers; p++)
			for (unsigned m = 0; m < sc->n_media; m++) {
				struct run_stream *s = &st->streams[si];
				const struct run_media *md = &sc->media[m];
				s->id = si + 1;
				s->leg = room * people + p;
				s->media = m;
				s->ssrc = STREAM_SSRC_BASE + s->id;
				s->seq = (uint16_t)(65000 + si * 7); /* wraps early in a run */
				s->ts = 90000;
				s->ep = (struct run_epoch){ .run_first = s->ts,
							    .trial_first = s->ts };
				s->client = bench_libsrtp_create(&st->legs[s->leg].rx, s->ssrc, 1024);
				uint8_t pt = md->codec == RUN_CODEC_OPUS ? 111 : 96;
				struct strata_cmd_stream_add a = {
					.stream = s->id, .source = source_id(st, s),
					.leg = st->legs[s->leg].id, .ssrc = s->ssrc,
					.clock_rate = md->codec == RUN_CODEC_OPUS ? 48000 : 90000,
					.kind = md->codec == RUN_CODEC_OPUS ? STRATA_MEDIA_AUDIO
									    : STRATA_MEDIA_VIDEO,
					.codec = md->codec == RUN_CODEC_OPUS ? STRATA_CODEC_OPUS
									     : STRATA_CODEC_VP8,
					.pt = pt,
				};
				cmd_ok(dp_driver_stream_add(st->drv, &a), "stream", s->id);
				input_header(st, s);
				s->first_sub = ui;
				for (unsigned q = 0; q < people; q++) {
					if (q == p)
						continue;
					struct run_sub *u = &st->subs[ui];
					u->id = ui + 1;
					u->leg = room * people + q;
					u->stream = si;
					u->ssrc = SUB_SSRC_BASE + u->id;
					u->client = bench_libsrtp_create(&st->legs[u->leg].tx, u->ssrc, 1024);
					run_loss_init(&u->loss);
					struct strata_cmd_sub_add b = {
						.sub = u->id, .leg = st->legs[u->leg].id,
						.source = source_id(st, s), .ssrc = u->ssrc, .pt = pt,
						.spatial = 0, .temporal = 255,
					};
					cmd_ok(dp_driver_sub_add(st->drv, &b), "subscription", u->id);
					ui++;
				}
				s->n_subs = ui - s->first_sub;
				si++;
			}
	/* The keys live on in the libsrtp2 contexts only. */
	for (unsigned i = 0; i < st->n_legs; i++) {
		explicit_bzero(&st->legs[i].rx, sizeof(st->legs[i].rx));
		explicit_bzero(&st->legs[i].tx, sizeof(st->legs[i].tx));
	}

	/* The generator's order: smooth weighted round robin over the
	 * streams by their nominal rates (integer weights, pps rounded), so
	 * every prefix of the schedule keeps the mix's proportions. */
	unsigned total = 0;
	unsigned *w = calloc(st->n_streams, sizeof(*w));
	long *cur = calloc(st->n_streams, sizeof(*cur));
	if (w == NULL || cur == NULL)
		bench_fail("out of memory");
	for (unsigned i = 0; i < st->n_streams; i++) {
		w[i] = (unsigned)(sc->media[st->streams[i].media].pps + 0.5);
		if (w[i] == 0)
			w[i] = 1;
		total += w[i];
	}
	if ((st->schedule = calloc(total, sizeof(*st->schedule))) == NULL)
		bench_fail("out of memory");
	double outs = 0, in_bits = 0, out_bits = 0;
	for (unsigned k = 0; k < total; k++) {
		unsigned best = 0;
		for (unsigned i = 0; i < st->n_streams; i++) {
			cur[i] += w[i];
			if (cur[i] > cur[best])
				best = i;
		}
		cur[best] -= (long)total;
		st->schedule[k] = best;
		const struct run_stream *s = &st->streams[best];
		double frame_bits = 8.0 * (RUN_HDR + RUN_RTP_HDR + sc->media[s->media].size +
					   sc->profile->rtp_tag_len);
		outs += s->n_subs;
		in_bits += frame_bits;
		out_bits += frame_bits * s->n_subs;
	}
	st->schedule_len = total;
	/* Below this rate some stream sends less than twice a second, and
	 * strata-dp's stream timeout (3 s by default) would stop it: its VP8
	 * receivers then wait for a keyframe the generator does not send. */
	unsigned w_min = w[0];
	for (unsigned i = 1; i < st->n_streams; i++)
		if (w[i] < w_min)
			w_min = w[i];
	st->min_alive_rate = 2.0 * total / w_min;
	st->outputs_per_input = outs / total;
	st->bits_per_input = in_bits / total;
	st->bits_per_output = out_bits / outs;
	free(w);
	free(cur);
}

int run_dp_stats(struct run_state *st, struct strata_event_stats *out)
{
	struct strata_event ev;
	if (dp_driver_stats(st->drv) != 0)
		return -1;
	/* The answer: a STATS event (and LEG_STATS ones, skipped). */
	for (int i = 0; i < 100000; i++) {
		int rc = dp_driver_next_event(st->drv, &ev, 1000);
		if (rc <= 0)
			return -1;
		if (ev.type == STRATA_EVENT_STATS) {
			*out = ev.u.stats;
			return 0;
		}
	}
	return -1;
}

void run_teardown(struct run_state *st)
{
	if (st->drv != NULL) {
		/* Subscriptions, streams, then legs: each refers to the next.
		 * Ids that were never added answer ENOENT, harmlessly. */
		for (unsigned i = 0; st->subs != NULL && i < st->n_subs; i++)
			dp_driver_sub_del(st->drv, i + 1);
		for (unsigned i = 0; st->streams != NULL && i < st->n_streams; i++)
			dp_driver_stream_del(st->drv, i + 1);
		for (unsigned i = 0; st->legs != NULL && i < st->n_legs; i++)
			dp_driver_leg_del(st->drv, i + 1);
		dp_driver_detach(st->drv);
		st->drv = NULL;
	}
	for (unsigned i = 0; st->subs != NULL && i < st->n_subs; i++)
		if (st->subs[i].client != NULL)
			srtp_dealloc(st->subs[i].client);
	for (unsigned i = 0; st->streams != NULL && i < st->n_streams; i++)
		if (st->streams[i].client != NULL)
			srtp_dealloc(st->streams[i].client);
	free(st->subs);
	free(st->streams);
	free(st->legs);
	free(st->schedule);
	st->subs = NULL, st->streams = NULL, st->legs = NULL, st->schedule = NULL;
	if (eal_up) {
		rte_eth_dev_stop(st->port_id);
		rte_eth_dev_close(st->port_id);
		rte_eal_cleanup();
		eal_up = false;
		remove_runtime_dir();
	}
}
