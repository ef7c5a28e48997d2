/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Creating strata-dp's shared-memory segment and using its rings from the
 * dataplane's side.  See shm.h here and include/strata/shm.h for the layout.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shm.h"

struct dp_shm {
	struct strata_shm_header *hdr;
	size_t size;
	dev_t dev;  /* the object we created, so destroy unlinks only it */
	ino_t ino;
	struct strata_ring *command;
	struct strata_ring *event;
	struct strata_ring *tx;
	struct strata_ring *punt[STRATA_SHM_MAX_WORKERS];
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

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool is_pow2(uint32_t n)
{
	return n && !(n & (n - 1));
}

static size_t align_line(size_t n)
{
	return (n + STRATA_CACHE_LINE - 1) & ~(size_t)(STRATA_CACHE_LINE - 1);
}

void dp_shm_params_default(struct dp_shm_params *p)
{
	memset(p, 0, sizeof(*p));
	p->name = STRATA_SHM_DEFAULT_NAME;
	p->command_slots = 1024;
	p->event_slots = 4096;
	p->tx_slots = 1024;
	p->punt_slots = 1024;
	p->n_workers = 1;
}

/* A POSIX shm name is one path component after a leading slash. */
static bool valid_name(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	return len >= 2 && len <= NAME_MAX && name[0] == '/' && !strchr(name + 1, '/');
}

static int check_params(const struct dp_shm_params *p, char *err, size_t errlen)
{
	const struct {
		const char *what;
		uint32_t slots;
	} rings[] = {
		{ "command", p->command_slots },
		{ "event", p->event_slots },
		{ "tx", p->tx_slots },
		{ "punt", p->punt_slots },
	};

	if (!valid_name(p->name)) {
		set_err(err, errlen,
			"shm name \"%s\" is not valid: use a slash and a name with no other slash, "
			"such as \"/strata\"",
			p->name ? p->name : "(null)");
		return -1;
	}
	for (size_t i = 0; i < sizeof(rings) / sizeof(rings[0]); i++) {
		if (!is_pow2(rings[i].slots) || rings[i].slots > DP_SHM_MAX_SLOTS) {
			set_err(err, errlen,
				"%s ring of %u slots: the slot count must be a power of two "
				"from 1 to %u",
				rings[i].what, rings[i].slots, DP_SHM_MAX_SLOTS);
			return -1;
		}
	}
	if (p->n_workers < 1 || p->n_workers > STRATA_SHM_MAX_WORKERS) {
		set_err(err, errlen, "%u workers: the segment has punt rings for 1 to %u",
			p->n_workers, STRATA_SHM_MAX_WORKERS);
		return -1;
	}
	return 0;
}

/* A group name, or a number. */
static int resolve_group(const char *group, gid_t *gid, char *err, size_t errlen)
{
	struct group gr, *res = NULL;
	size_t buflen = 16384;
	char *buf, *end;
	unsigned long n;
	int rc;

	errno = 0;
	n = strtoul(group, &end, 10);
	if (*group && !*end && !errno && n < (gid_t)-1) {
		*gid = (gid_t)n;
		return 0;
	}
	for (;;) {
		buf = malloc(buflen);
		if (!buf) {
			set_err(err, errlen, "group %s: out of memory", group);
			return -1;
		}
		rc = getgrnam_r(group, &gr, buf, buflen, &res);
		if (rc != ERANGE || buflen >= (1u << 20))
			break;
		free(buf);
		buflen *= 4;
	}
	if (res)
		*gid = gr.gr_gid;
	free(buf);
	if (!res) {
		set_err(err, errlen,
			"group %s: %s: create it (groupadd %s) and put strata-cp's user in it, "
			"or configure another group",
			group, rc ? strerror(rc) : "no such group", group);
		return -1;
	}
	return 0;
}

static bool pid_alive(uint32_t pid)
{
	return pid && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/*
 * A segment of this name left by an earlier strata-dp is removed, unless
 * that strata-dp still runs: then two dataplanes would share one name and
 * strata-cp would talk to the wrong one.
 */
static int remove_stale(const char *name, char *err, size_t errlen)
{
	int fd = shm_open(name, O_RDONLY | O_CLOEXEC, 0);

	if (fd >= 0) {
		struct stat st;

		if (fstat(fd, &st) == 0 && (size_t)st.st_size >= sizeof(struct strata_shm_header)) {
			struct strata_shm_header *h =
				mmap(NULL, sizeof(*h), PROT_READ, MAP_SHARED, fd, 0);

			if (h != MAP_FAILED) {
				bool ours = atomic_load_explicit(&h->magic, memory_order_acquire) ==
					    STRATA_SHM_MAGIC;
				uint32_t pid = h->dp_pid;
				uint64_t hb = atomic_load_explicit(&h->dp_heartbeat_ns,
								   memory_order_acquire);
				uint32_t state = atomic_load_explicit(&h->dp_state,
								      memory_order_acquire);
				uint64_t now = clock_ns(CLOCK_MONOTONIC);
				uint64_t age = now > hb ? now - hb : 0;

				munmap(h, sizeof(*h));
				if (ours && pid != (uint32_t)getpid() && pid_alive(pid) &&
				    state != STRATA_DP_STOPPING && age < DP_SHM_LIVE_NS) {
					close(fd);
					set_err(err, errlen,
						"shm %s belongs to a running strata-dp "
						"(pid %u, heartbeat %.1f s ago): stop it "
						"first, or give this instance another shm "
						"name",
						name, pid, (double)age / 1e9);
					return -1;
				}
			}
		}
		close(fd);
	} else if (errno == ENOENT) {
		return 0;
	}
	/* Unreadable (another user's) or stale: unlink it, if we may. */
	if (shm_unlink(name) < 0 && errno != ENOENT) {
		set_err(err, errlen,
			"shm_unlink(%s): %s: is another strata-dp running as another user? "
			"remove /dev/shm%s",
			name, strerror(errno), name);
		return -1;
	}
	return 0;
}

/* Unique per start, and never 0 (which strata-cp may use for "none yet"). */
static uint64_t new_boot_epoch(uint32_t pid)
{
	uint64_t rnd = 0, epoch;

	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = 0;
	epoch = clock_ns(CLOCK_REALTIME) ^ ((uint64_t)pid << 40 | (uint64_t)pid >> 24) ^ rnd;
	return epoch ? epoch : 1;
}

static struct strata_ring *lay_ring(struct strata_shm_header *h, uint64_t *offset,
				    uint64_t *slot_off, uint32_t slot_size, uint32_t slots,
				    enum strata_ring_kind kind, uint32_t index)
{
	struct strata_ring *r = strata_shm_ring(h, *offset);

	r->slot_size = slot_size;
	r->slot_count = slots;
	r->kind = kind;
	r->index = index;
	atomic_store_explicit(&r->head, 0, memory_order_relaxed);
	atomic_store_explicit(&r->tail, 0, memory_order_relaxed);
	atomic_store_explicit(&r->drops, 0, memory_order_relaxed);
	*slot_off = *offset;
	*offset += align_line(strata_ring_bytes(slot_size, slots));
	return r;
}

static uint64_t segment_size(const struct dp_shm_params *p)
{
	uint64_t size = align_line(sizeof(struct strata_shm_header));

	size += align_line(strata_ring_bytes(STRATA_CMD_SLOT_SIZE, p->command_slots));
	size += align_line(strata_ring_bytes(STRATA_EVENT_SLOT_SIZE, p->event_slots));
	size += align_line(strata_ring_bytes(STRATA_PACKET_SLOT_SIZE, p->tx_slots));
	size += (uint64_t)p->n_workers *
		align_line(strata_ring_bytes(STRATA_PACKET_SLOT_SIZE, p->punt_slots));
	return size;
}

static void lay_out(struct dp_shm *shm, const struct dp_shm_params *p, uint32_t pid)
{
	struct strata_shm_header *h = shm->hdr;
	uint64_t off = align_line(sizeof(*h));

	h->abi_version = STRATA_SHM_ABI_VERSION;
	h->header_size = sizeof(*h);
	h->segment_size = shm->size;
	h->boot_epoch = new_boot_epoch(pid);
	h->dp_pid = pid;
	h->max_legs = p->max_legs;
	h->max_streams = p->max_streams;
	h->max_sources = p->max_sources;
	h->max_subscriptions = p->max_subscriptions;
	h->n_workers = p->n_workers;

	shm->command = lay_ring(h, &off, &h->command_ring, STRATA_CMD_SLOT_SIZE, p->command_slots,
				STRATA_RING_COMMAND, 0);
	shm->event = lay_ring(h, &off, &h->event_ring, STRATA_EVENT_SLOT_SIZE, p->event_slots,
			      STRATA_RING_EVENT, 0);
	shm->tx = lay_ring(h, &off, &h->tx_ring, STRATA_PACKET_SLOT_SIZE, p->tx_slots,
			   STRATA_RING_TX, 0);
	for (uint32_t w = 0; w < p->n_workers; w++)
		shm->punt[w] = lay_ring(h, &off, &h->punt_ring[w], STRATA_PACKET_SLOT_SIZE,
					p->punt_slots, STRATA_RING_PUNT, w);

	atomic_store_explicit(&h->dp_state, STRATA_DP_STARTING, memory_order_relaxed);
	atomic_store_explicit(&h->dp_heartbeat_ns, clock_ns(CLOCK_MONOTONIC),
			      memory_order_relaxed);
	/* Last: whoever sees the magic with acquire sees everything above. */
	atomic_store_explicit(&h->magic, STRATA_SHM_MAGIC, memory_order_release);
}

struct dp_shm *dp_shm_create(const struct dp_shm_params *p, char *err, size_t errlen)
{
	uint32_t pid = p->dp_pid ? p->dp_pid : (uint32_t)getpid();
	bool chown_group = p->group && *p->group;
	struct dp_shm *shm;
	gid_t gid = 0;
	struct stat st;
	uint64_t size;
	void *mem;
	int fd, rc;

	if (check_params(p, err, errlen) < 0)
		return NULL;
	if (chown_group && resolve_group(p->group, &gid, err, errlen) < 0)
		return NULL;
	size = segment_size(p);
	if (size > (uint64_t)SIZE_MAX / 2 || size > (uint64_t)INT64_MAX) {
		set_err(err, errlen, "shm %s would be %llu bytes: use fewer or smaller rings",
			p->name, (unsigned long long)size);
		return NULL;
	}
	if (remove_stale(p->name, err, errlen) < 0)
		return NULL;

	shm = calloc(1, sizeof(*shm));
	if (!shm) {
		set_err(err, errlen, "shm %s: out of memory", p->name);
		return NULL;
	}
	snprintf(shm->name, sizeof(shm->name), "%s", p->name);
	shm->size = (size_t)size;

	fd = shm_open(p->name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0660);
	if (fd < 0) {
		if (errno == EEXIST)
			set_err(err, errlen,
				"shm_open(%s): another strata-dp is starting with the same shm "
				"name: give each instance its own name",
				p->name);
		else
			set_err(err, errlen,
				"shm_open(%s): %s: is another strata-dp running as another user? "
				"remove /dev/shm%s",
				p->name, strerror(errno), p->name);
		goto err_free;
	}
	if (chown_group && fchown(fd, (uid_t)-1, gid) < 0) {
		set_err(err, errlen,
			"fchown(%s, group %s): %s: run strata-dp as root or as a member of "
			"group %s",
			p->name, p->group, strerror(errno), p->group);
		goto err_unlink;
	}
	/* Not subject to the umask: strata-cp's group must read and write. */
	if (fchmod(fd, 0660) < 0) {
		set_err(err, errlen, "fchmod(%s, 0660): %s", p->name, strerror(errno));
		goto err_unlink;
	}
	/* Allocates now, so a full /dev/shm is an error here rather than a
	 * SIGBUS on a worker later. */
	rc = posix_fallocate(fd, 0, (off_t)size);
	if (rc) {
		set_err(err, errlen,
			"posix_fallocate(%s, %llu bytes): %s: is /dev/shm full (df -h /dev/shm)? "
			"or configure fewer or smaller rings",
			p->name, (unsigned long long)size, strerror(rc));
		goto err_unlink;
	}
	if (fstat(fd, &st) < 0) {
		set_err(err, errlen, "fstat(%s): %s", p->name, strerror(errno));
		goto err_unlink;
	}
	shm->dev = st.st_dev;
	shm->ino = st.st_ino;
	/* Prefaulted: no page fault on a worker's first punt. */
	mem = mmap(NULL, shm->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (mem == MAP_FAILED) {
		set_err(err, errlen, "mmap(%s, %zu bytes): %s", p->name, shm->size,
			strerror(errno));
		goto err_unlink;
	}
	close(fd);
	shm->hdr = mem;
	lay_out(shm, p, pid);
	return shm;

err_unlink:
	close(fd);
	shm_unlink(p->name);
err_free:
	free(shm);
	return NULL;
}

/* Whether the name still refers to the object this process created. */
static bool name_is_ours(const struct dp_shm *shm)
{
	struct stat st;
	bool same = false;
	int fd = shm_open(shm->name, O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0)
		same = st.st_dev == shm->dev && st.st_ino == shm->ino;
	close(fd);
	return same;
}

void dp_shm_destroy(struct dp_shm *shm)
{
	struct strata_ring *cmd;

	if (!shm)
		return;
	dp_shm_set_state(shm, STRATA_DP_STOPPING);
	/* Commands never taken may still hold keys. */
	cmd = shm->command;
	explicit_bzero(cmd->slots, (size_t)cmd->slot_size * cmd->slot_count);
	munmap(shm->hdr, shm->size);
	if (name_is_ours(shm))
		shm_unlink(shm->name);
	free(shm);
}

struct strata_shm_header *dp_shm_header(struct dp_shm *shm)
{
	return shm->hdr;
}

const char *dp_shm_name(const struct dp_shm *shm)
{
	return shm->name;
}

uint64_t dp_shm_boot_epoch(const struct dp_shm *shm)
{
	return shm->hdr->boot_epoch;
}

struct strata_ring *dp_shm_command_ring(struct dp_shm *shm)
{
	return shm->command;
}

struct strata_ring *dp_shm_event_ring(struct dp_shm *shm)
{
	return shm->event;
}

struct strata_ring *dp_shm_tx_ring(struct dp_shm *shm)
{
	return shm->tx;
}

struct strata_ring *dp_shm_punt_ring(struct dp_shm *shm, unsigned worker)
{
	return worker < shm->hdr->n_workers ? shm->punt[worker] : NULL;
}

void dp_shm_heartbeat(struct dp_shm *shm, uint64_t now_ns)
{
	atomic_store_explicit(&shm->hdr->dp_heartbeat_ns, now_ns, memory_order_release);
}

void dp_shm_set_state(struct dp_shm *shm, enum strata_dp_state state)
{
	atomic_store_explicit(&shm->hdr->dp_state, (uint32_t)state, memory_order_release);
}

bool dp_shm_command_take(struct dp_shm *shm, struct strata_cmd *out)
{
	struct strata_ring *r = shm->command;
	/* The consumer owns the slot until it releases it, so it may write
	 * (wipe) it: peek hands it out const only to keep readers honest. */
	void *slot = (void *)strata_ring_peek(r);

	if (!slot)
		return false;
	memcpy(out, slot, sizeof(*out));
	explicit_bzero(slot, r->slot_size);
	strata_ring_release(r);
	return true;
}

bool dp_shm_event_post(struct dp_shm *shm, const struct strata_event *ev)
{
	void *slot = strata_ring_reserve(shm->event);

	if (!slot)
		return false;
	memcpy(slot, ev, sizeof(*ev));
	strata_ring_commit(shm->event);
	return true;
}
