/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_driver: attaches to strata-dp's segment as strata-cp does and drives
 * it through the rings.  See dp_driver.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dp_driver.h"

/* How often a wait looks whether strata-dp was replaced. */
#define CHECK_INTERVAL_NS (50ull * 1000000ull)

struct dp_driver {
	struct strata_shm_header *hdr;
	size_t size;
	dev_t dev;
	ino_t ino;
	bool readonly;
	bool claimed;
	uint64_t epoch;
	int timeout_ms;
	uint32_t next_seq;
	uint32_t last_seq;

	struct strata_ring *command;
	struct strata_ring *event;
	struct strata_ring *tx;
	struct strata_ring *punt[STRATA_SHM_MAX_WORKERS];
	unsigned n_workers;
	unsigned next_punt;

	/* Events read while waiting for something else: a FIFO. */
	struct strata_event *queue;
	size_t q_cap, q_head, q_len;
	uint64_t queue_drops;
	uint64_t stale_results;

	char name[NAME_MAX + 1];
};

__attribute__((format(printf, 3, 4)))
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool pid_alive(uint32_t pid)
{
	return pid && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/*
 * Polling with back-off: a few yields first (a result usually comes within
 * microseconds), then sleeps that grow to a millisecond.
 */
struct backoff {
	uint64_t deadline;
	uint64_t next_check;
	unsigned rounds;
};

static void backoff_start(struct backoff *b, int timeout_ms)
{
	uint64_t now = now_ns();

	b->deadline = now + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000ull;
	b->next_check = now + CHECK_INTERVAL_NS;
	b->rounds = 0;
}

/* 0 to poll again, -ETIMEDOUT, or what dp_driver_check says. */
static int backoff_wait(struct dp_driver *drv, struct backoff *b)
{
	uint64_t now = now_ns();

	if (now >= b->deadline)
		return -ETIMEDOUT;
	if (now >= b->next_check) {
		int rc = dp_driver_check(drv, NULL);

		if (rc < 0)
			return rc;
		if (drv->claimed)
			atomic_store_explicit(&drv->hdr->cp_heartbeat_ns, now,
					      memory_order_release);
		b->next_check = now + CHECK_INTERVAL_NS;
	}
	if (b->rounds < 64) {
		sched_yield();
	} else {
		unsigned shift = b->rounds - 64 < 7 ? b->rounds - 64 : 7;
		uint64_t ns = 8000ull << shift; /* 8 us .. 1 ms */
		struct timespec ts = { 0, (long)ns };

		if (now + ns > b->deadline)
			ts.tv_nsec = (long)(b->deadline - now);
		nanosleep(&ts, NULL);
	}
	b->rounds++;
	return 0;
}

/* ---- attaching ------------------------------------------------------------ */

static bool is_pow2(uint32_t n)
{
	return n && !(n & (n - 1));
}

static const char *ring_name(enum strata_ring_kind kind)
{
	switch (kind) {
	case STRATA_RING_COMMAND: return "command";
	case STRATA_RING_EVENT: return "event";
	case STRATA_RING_TX: return "tx";
	case STRATA_RING_PUNT: return "punt";
	}
	return "?";
}

static struct strata_ring *check_ring(struct dp_driver *drv, uint64_t off,
				      enum strata_ring_kind kind, uint32_t index,
				      uint32_t slot_size, char *err, size_t errlen)
{
	struct strata_ring *r;
	const char *why = NULL;

	if (off % STRATA_CACHE_LINE || off < drv->hdr->header_size ||
	    off > drv->size - sizeof(struct strata_ring)) {
		why = "offset outside the segment or not on a cache line";
	} else {
		r = strata_shm_ring(drv->hdr, off);
		if (r->kind != (uint32_t)kind || r->index != index)
			why = "kind or index differs from the header's";
		else if (r->slot_size != slot_size)
			why = "slot size differs from messages.h's";
		else if (!is_pow2(r->slot_count))
			why = "slot count is not a power of two";
		else if (strata_ring_bytes(r->slot_size, r->slot_count) > drv->size - off)
			why = "slots run past the end of the segment";
	}
	if (why) {
		set_err(err, errlen,
			"%s: the %s ring %u is malformed (%s): build strata-dp and this "
			"driver from the same tree, and restart strata-dp",
			drv->name, ring_name(kind), index, why);
		return NULL;
	}
	return r;
}

static int check_header(struct dp_driver *drv, char *err, size_t errlen)
{
	struct strata_shm_header *h = drv->hdr;
	uint64_t magic = atomic_load_explicit(&h->magic, memory_order_acquire);

	if (magic == 0) {
		set_err(err, errlen,
			"strata-dp has not finished creating %s (no magic yet): retry, "
			"or restart strata-dp",
			drv->name);
		return -EAGAIN;
	}
	if (magic != STRATA_SHM_MAGIC) {
		set_err(err, errlen,
			"%s is not a Strata segment (magic 0x%016llx, expected 0x%016llx): "
			"is the shm name right (--shm)?",
			drv->name, (unsigned long long)magic,
			(unsigned long long)STRATA_SHM_MAGIC);
		return -1;
	}
	if (h->abi_version != STRATA_SHM_ABI_VERSION) {
		set_err(err, errlen,
			"%s speaks ABI version %u, this driver version %u: build strata-dp and "
			"strata-dp-driver from the same tree",
			drv->name, h->abi_version, STRATA_SHM_ABI_VERSION);
		return -1;
	}
	if (h->header_size != sizeof(*h)) {
		set_err(err, errlen,
			"%s has a %u-byte header, this driver expects %zu: build strata-dp and "
			"strata-dp-driver from the same tree",
			drv->name, h->header_size, sizeof(*h));
		return -1;
	}
	if (h->segment_size != drv->size) {
		set_err(err, errlen,
			"%s says it is %llu bytes but the object is %zu: restart strata-dp",
			drv->name, (unsigned long long)h->segment_size, drv->size);
		return -1;
	}
	if (h->n_workers < 1 || h->n_workers > STRATA_SHM_MAX_WORKERS) {
		set_err(err, errlen, "%s lists %u workers (1 to %u allowed): restart strata-dp",
			drv->name, h->n_workers, STRATA_SHM_MAX_WORKERS);
		return -1;
	}
	drv->command = check_ring(drv, h->command_ring, STRATA_RING_COMMAND, 0,
				  STRATA_CMD_SLOT_SIZE, err, errlen);
	drv->event = check_ring(drv, h->event_ring, STRATA_RING_EVENT, 0, STRATA_EVENT_SLOT_SIZE,
				err, errlen);
	drv->tx = check_ring(drv, h->tx_ring, STRATA_RING_TX, 0, STRATA_PACKET_SLOT_SIZE, err,
			     errlen);
	if (!drv->command || !drv->event || !drv->tx)
		return -1;
	drv->n_workers = h->n_workers;
	for (unsigned w = 0; w < drv->n_workers; w++) {
		drv->punt[w] = check_ring(drv, h->punt_ring[w], STRATA_RING_PUNT, w,
					  STRATA_PACKET_SLOT_SIZE, err, errlen);
		if (!drv->punt[w])
			return -1;
	}
	drv->epoch = h->boot_epoch;
	return 0;
}

/* One try: 0, -EAGAIN (worth retrying: strata-dp may be starting) or -1. */
static int try_map(struct dp_driver *drv, char *err, size_t errlen)
{
	struct stat st;
	void *mem;
	int fd, rc;

	fd = shm_open(drv->name, (drv->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC, 0);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT) {
			set_err(err, errlen,
				"shm_open(%s): %s: is strata-dp running? (no /dev/shm%s)",
				drv->name, strerror(e), drv->name);
			return -EAGAIN;
		}
		set_err(err, errlen,
			"shm_open(%s): %s: run as strata-dp's user or a member of the group "
			"that owns /dev/shm%s (ls -l /dev/shm%s)",
			drv->name, strerror(e), drv->name, drv->name);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		set_err(err, errlen, "fstat(%s): %s", drv->name, strerror(errno));
		close(fd);
		return -1;
	}
	if ((size_t)st.st_size < sizeof(struct strata_shm_header)) {
		set_err(err, errlen,
			"%s is %lld bytes, smaller than the segment header: strata-dp is still "
			"creating it, or it is not a Strata segment",
			drv->name, (long long)st.st_size);
		close(fd);
		return -EAGAIN;
	}
	drv->size = (size_t)st.st_size;
	drv->dev = st.st_dev;
	drv->ino = st.st_ino;
	mem = mmap(NULL, drv->size, drv->readonly ? PROT_READ : PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	close(fd);
	if (mem == MAP_FAILED) {
		set_err(err, errlen, "mmap(%s, %zu bytes): %s", drv->name, drv->size,
			strerror(errno));
		return -1;
	}
	drv->hdr = mem;
	rc = check_header(drv, err, errlen);
	if (rc < 0) {
		munmap(mem, drv->size);
		drv->hdr = NULL;
	}
	return rc;
}

/* cp_pid is the claim: compare-and-swap, so two drivers cannot both win. */
static int claim(struct dp_driver *drv, bool takeover, char *err, size_t errlen)
{
	uint32_t self = (uint32_t)getpid();
	uint32_t cur = atomic_load_explicit(&drv->hdr->cp_pid, memory_order_acquire);
	uint64_t now = now_ns();

	for (;;) {
		if (cur && cur != self && pid_alive(cur) && !takeover) {
			set_err(err, errlen,
				"%s is attached to by another control plane (pid %u: strata-cp or "
				"a driver), and each ring has one consumer: stop it, or take over "
				"(--takeover)",
				drv->name, cur);
			return -1;
		}
		if (atomic_compare_exchange_weak_explicit(&drv->hdr->cp_pid, &cur, self,
							  memory_order_acq_rel,
							  memory_order_acquire))
			break;
	}
	drv->claimed = true;
	atomic_store_explicit(&drv->hdr->cp_epoch, (now ^ (uint64_t)self << 32) | 1,
			      memory_order_release);
	atomic_store_explicit(&drv->hdr->cp_heartbeat_ns, now, memory_order_release);
	return 0;
}

static void queue_push(struct dp_driver *drv, const struct strata_event *ev)
{
	if (drv->q_len == drv->q_cap) {
		size_t cap = drv->q_cap ? drv->q_cap * 2 : 64;
		struct strata_event *q = NULL;

		if (cap <= DP_DRIVER_EVENT_QUEUE_MAX)
			q = malloc(cap * sizeof(*q));
		if (!q) {
			/* Full: the oldest goes. */
			drv->queue_drops++;
			drv->q_head = (drv->q_head + 1) % drv->q_cap;
			drv->q_len--;
		} else {
			for (size_t i = 0; i < drv->q_len; i++)
				q[i] = drv->queue[(drv->q_head + i) % drv->q_cap];
			free(drv->queue);
			drv->queue = q;
			drv->q_cap = cap;
			drv->q_head = 0;
		}
	}
	drv->queue[(drv->q_head + drv->q_len) % drv->q_cap] = *ev;
	drv->q_len++;
}

/* Removes the i-th queued event (0 = oldest) into *ev. */
static void queue_take(struct dp_driver *drv, size_t i, struct strata_event *ev)
{
	*ev = drv->queue[(drv->q_head + i) % drv->q_cap];
	for (; i + 1 < drv->q_len; i++)
		drv->queue[(drv->q_head + i) % drv->q_cap] =
			drv->queue[(drv->q_head + i + 1) % drv->q_cap];
	drv->q_len--;
	if (!drv->q_len)
		drv->q_head = 0;
}

/* Copies the oldest event out of the ring: true, or false when empty. */
static bool ring_event(struct dp_driver *drv, struct strata_event *ev)
{
	const void *slot = strata_ring_peek(drv->event);

	if (!slot)
		return false;
	memcpy(ev, slot, sizeof(*ev));
	strata_ring_release(drv->event);
	return true;
}

struct dp_driver *dp_driver_attach(const struct dp_driver_opts *opts, char *err, size_t errlen)
{
	struct dp_driver *drv = calloc(1, sizeof(*drv));
	const char *name = opts->name ? opts->name : STRATA_SHM_DEFAULT_NAME;
	uint64_t wait_ns = (uint64_t)(opts->wait_ms > 0 ? opts->wait_ms : 0) * 1000000ull;
	uint64_t deadline = now_ns() + wait_ns;
	struct strata_event ev;
	int rc;

	if (!drv) {
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	if (snprintf(drv->name, sizeof(drv->name), "%s%s", name[0] == '/' ? "" : "/", name) >=
		    (int)sizeof(drv->name) ||
	    strchr(drv->name + 1, '/') || !drv->name[1]) {
		set_err(err, errlen, "shm name \"%s\" is not valid: use one like /strata", name);
		free(drv);
		return NULL;
	}
	drv->readonly = opts->flags & DP_DRIVER_READONLY;
	drv->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : DP_DRIVER_DEFAULT_TIMEOUT_MS;
	drv->next_seq = opts->first_seq ? opts->first_seq : 1;

	while ((rc = try_map(drv, err, errlen)) == -EAGAIN && now_ns() < deadline) {
		struct timespec ts = { 0, 10 * 1000000 };

		nanosleep(&ts, NULL);
	}
	if (rc < 0) {
		free(drv);
		return NULL;
	}
	if (!drv->readonly) {
		if (claim(drv, opts->flags & DP_DRIVER_TAKEOVER, err, errlen) < 0) {
			dp_driver_detach(drv);
			return NULL;
		}
		/* No command of ours is outstanding: results here answer an
		 * earlier process and must not be taken for ours. */
		while (ring_event(drv, &ev)) {
			if (ev.type == STRATA_EVENT_CMD_RESULT)
				drv->stale_results++;
			else
				queue_push(drv, &ev);
		}
	}
	return drv;
}

void dp_driver_detach(struct dp_driver *drv)
{
	if (!drv)
		return;
	if (drv->hdr) {
		if (drv->claimed) {
			uint32_t self = (uint32_t)getpid();

			atomic_compare_exchange_strong_explicit(&drv->hdr->cp_pid, &self, 0,
								memory_order_acq_rel,
								memory_order_relaxed);
		}
		munmap(drv->hdr, drv->size);
	}
	free(drv->queue);
	free(drv);
}

const struct strata_shm_header *dp_driver_header(const struct dp_driver *drv)
{
	return drv->hdr;
}

const char *dp_driver_name(const struct dp_driver *drv)
{
	return drv->name;
}

uint64_t dp_driver_epoch(const struct dp_driver *drv)
{
	return drv->epoch;
}

uint64_t dp_driver_heartbeat_age_ns(const struct dp_driver *drv)
{
	uint64_t hb = atomic_load_explicit(&drv->hdr->dp_heartbeat_ns, memory_order_acquire);
	uint64_t now = now_ns();

	return now > hb ? now - hb : 0;
}

uint64_t dp_driver_stale_results(const struct dp_driver *drv)
{
	return drv->stale_results;
}

uint64_t dp_driver_queue_drops(const struct dp_driver *drv)
{
	return drv->queue_drops;
}

int dp_driver_check(struct dp_driver *drv, uint64_t *new_epoch)
{
	struct stat st;
	int fd;

	if (new_epoch)
		*new_epoch = 0;
	fd = shm_open(drv->name, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : 0; /* cannot tell: assume not */
	if (fstat(fd, &st) < 0) {
		close(fd);
		return 0;
	}
	if (st.st_dev == drv->dev && st.st_ino == drv->ino) {
		close(fd);
		if (atomic_load_explicit(&drv->hdr->dp_state, memory_order_acquire) ==
		    STRATA_DP_STOPPING)
			return -ESTALE;
		return 0;
	}
	/* Another object under our name: strata-dp restarted. */
	if (new_epoch && (size_t)st.st_size >= sizeof(struct strata_shm_header)) {
		struct strata_shm_header *h =
			mmap(NULL, sizeof(*h), PROT_READ, MAP_SHARED, fd, 0);

		if (h != MAP_FAILED) {
			if (atomic_load_explicit(&h->magic, memory_order_acquire) ==
			    STRATA_SHM_MAGIC)
				*new_epoch = h->boot_epoch;
			munmap(h, sizeof(*h));
		}
	}
	close(fd);
	return -ESTALE;
}

struct strata_ring *dp_driver_command_ring(struct dp_driver *drv)
{
	return drv->command;
}

struct strata_ring *dp_driver_event_ring(struct dp_driver *drv)
{
	return drv->event;
}

struct strata_ring *dp_driver_tx_ring(struct dp_driver *drv)
{
	return drv->tx;
}

struct strata_ring *dp_driver_punt_ring(struct dp_driver *drv, unsigned worker)
{
	return worker < drv->n_workers ? drv->punt[worker] : NULL;
}

unsigned dp_driver_workers(const struct dp_driver *drv)
{
	return drv->n_workers;
}

/* ---- commands ------------------------------------------------------------- */

int64_t dp_driver_send(struct dp_driver *drv, struct strata_cmd *cmd)
{
	void *slot;

	if (drv->readonly)
		return -EPERM;
	slot = strata_ring_reserve(drv->command);
	if (!slot)
		return -ENOBUFS;
	cmd->seq = drv->next_seq++;
	if (!drv->next_seq)
		drv->next_seq = 1; /* 0 is never a seq */
	memcpy(slot, cmd, sizeof(*cmd));
	strata_ring_commit(drv->command);
	drv->last_seq = cmd->seq;
	if (drv->claimed)
		atomic_store_explicit(&drv->hdr->cp_heartbeat_ns, now_ns(), memory_order_release);
	return cmd->seq;
}

int dp_driver_wait_result(struct dp_driver *drv, uint32_t seq, int timeout_ms)
{
	struct strata_event ev;
	struct backoff b;
	int rc;

	if (drv->readonly)
		return -EPERM;
	for (size_t i = 0; i < drv->q_len; i++) {
		const struct strata_event *q = &drv->queue[(drv->q_head + i) % drv->q_cap];

		if (q->type == STRATA_EVENT_CMD_RESULT && q->u.cmd_result.seq == seq) {
			queue_take(drv, i, &ev);
			return ev.u.cmd_result.status;
		}
	}
	backoff_start(&b, timeout_ms < 0 ? drv->timeout_ms : timeout_ms);
	for (;;) {
		while (ring_event(drv, &ev)) {
			if (ev.type == STRATA_EVENT_CMD_RESULT && ev.u.cmd_result.seq == seq)
				return ev.u.cmd_result.status;
			queue_push(drv, &ev);
		}
		rc = backoff_wait(drv, &b);
		if (rc < 0)
			return rc;
	}
}

int dp_driver_cmd(struct dp_driver *drv, struct strata_cmd *cmd)
{
	int64_t seq = dp_driver_send(drv, cmd);

	if (seq < 0)
		return (int)seq;
	return dp_driver_wait_result(drv, (uint32_t)seq, -1);
}

uint32_t dp_driver_last_seq(const struct dp_driver *drv)
{
	return drv->last_seq;
}

static int simple_cmd(struct dp_driver *drv, enum strata_cmd_type type, uint32_t id)
{
	struct strata_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = type;
	/* Every *_del command starts with its id. */
	memcpy(cmd.u.raw, &id, sizeof(id));
	return dp_driver_cmd(drv, &cmd);
}

int dp_driver_leg_add(struct dp_driver *drv, const struct strata_cmd_leg_add *p)
{
	struct strata_cmd cmd;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_LEG_ADD;
	cmd.u.leg_add = *p;
	rc = dp_driver_cmd(drv, &cmd);
	explicit_bzero(&cmd, sizeof(cmd));
	return rc;
}

int dp_driver_leg_del(struct dp_driver *drv, uint32_t leg)
{
	return simple_cmd(drv, STRATA_CMD_LEG_DEL, leg);
}

int dp_driver_stream_add(struct dp_driver *drv, const struct strata_cmd_stream_add *p)
{
	struct strata_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_STREAM_ADD;
	cmd.u.stream_add = *p;
	return dp_driver_cmd(drv, &cmd);
}

int dp_driver_stream_del(struct dp_driver *drv, uint32_t stream)
{
	return simple_cmd(drv, STRATA_CMD_STREAM_DEL, stream);
}

int dp_driver_sub_add(struct dp_driver *drv, const struct strata_cmd_sub_add *p)
{
	struct strata_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_SUB_ADD;
	cmd.u.sub_add = *p;
	return dp_driver_cmd(drv, &cmd);
}

int dp_driver_sub_del(struct dp_driver *drv, uint32_t sub)
{
	return simple_cmd(drv, STRATA_CMD_SUB_DEL, sub);
}

int dp_driver_sub_set_layers(struct dp_driver *drv, uint32_t sub, uint8_t spatial,
			     uint8_t temporal)
{
	struct strata_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_SUB_SET_LAYERS;
	cmd.u.sub_set_layers.sub = sub;
	cmd.u.sub_set_layers.spatial = spatial;
	cmd.u.sub_set_layers.temporal = temporal;
	return dp_driver_cmd(drv, &cmd);
}

int dp_driver_dump(struct dp_driver *drv)
{
	struct strata_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_DUMP;
	return dp_driver_cmd(drv, &cmd);
}

int dp_driver_stats(struct dp_driver *drv)
{
	struct strata_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = STRATA_CMD_STATS;
	return dp_driver_cmd(drv, &cmd);
}

/* ---- events, punts, tx ---------------------------------------------------- */

int dp_driver_next_event(struct dp_driver *drv, struct strata_event *ev, int timeout_ms)
{
	struct backoff b;
	int rc;

	if (drv->q_len) {
		queue_take(drv, 0, ev);
		return 1;
	}
	if (drv->readonly)
		return -EPERM;
	backoff_start(&b, timeout_ms);
	for (;;) {
		if (ring_event(drv, ev))
			return 1;
		rc = backoff_wait(drv, &b);
		if (rc == -ETIMEDOUT)
			return 0;
		if (rc < 0)
			return rc;
	}
}

bool dp_driver_next_queued(struct dp_driver *drv, struct strata_event *ev)
{
	if (!drv->q_len)
		return false;
	queue_take(drv, 0, ev);
	return true;
}

int dp_driver_next_punt(struct dp_driver *drv, struct strata_packet *pkt, unsigned *worker,
			int timeout_ms)
{
	struct backoff b;
	int rc;

	if (drv->readonly)
		return -EPERM;
	backoff_start(&b, timeout_ms);
	for (;;) {
		for (unsigned i = 0; i < drv->n_workers; i++) {
			unsigned w = (drv->next_punt + i) % drv->n_workers;
			const void *slot = strata_ring_peek(drv->punt[w]);

			if (slot) {
				memcpy(pkt, slot, sizeof(*pkt));
				strata_ring_release(drv->punt[w]);
				drv->next_punt = (w + 1) % drv->n_workers;
				if (worker)
					*worker = w;
				return 1;
			}
		}
		rc = backoff_wait(drv, &b);
		if (rc == -ETIMEDOUT)
			return 0;
		if (rc < 0)
			return rc;
	}
}

int dp_driver_send_packet(struct dp_driver *drv, const struct strata_addr *local,
			  const struct strata_addr *remote, const void *data, size_t len)
{
	struct strata_packet *pkt;

	if (drv->readonly)
		return -EPERM;
	if (len > STRATA_PACKET_MAX)
		return -EINVAL;
	pkt = strata_ring_reserve(drv->tx);
	if (!pkt)
		return -ENOBUFS;
	memset(pkt, 0, offsetof(struct strata_packet, data));
	pkt->local = *local;
	pkt->remote = *remote;
	pkt->len = (uint16_t)len;
	memcpy(pkt->data, data, len);
	strata_ring_commit(drv->tx);
	return 0;
}
