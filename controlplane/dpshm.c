/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mapping, checking and claiming strata-dp's segment.  See dpshm.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dpshm.h"

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

uint64_t cp_dpshm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool pid_alive(uint32_t pid)
{
	return pid && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

int cp_dpshm_set_name(struct cp_dpshm *m, const char *name, char *err, size_t errlen)
{
	if (snprintf(m->name, sizeof(m->name), "%s%s", name[0] == '/' ? "" : "/", name) >=
		    (int)sizeof(m->name) ||
	    strchr(m->name + 1, '/') || !m->name[1]) {
		set_err(err, errlen, "shm name \"%s\" is not valid: use one like /strata", name);
		return -1;
	}
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

static struct strata_ring *check_ring(struct cp_dpshm *m, uint64_t off,
				      enum strata_ring_kind kind, uint32_t index,
				      uint32_t slot_size, char *err, size_t errlen)
{
	struct strata_ring *r;
	const char *why = NULL;

	if (off % STRATA_CACHE_LINE || off < m->hdr->header_size ||
	    off > m->size - sizeof(struct strata_ring)) {
		why = "offset outside the segment or not on a cache line";
	} else {
		r = strata_shm_ring(m->hdr, off);
		if (r->kind != (uint32_t)kind || r->index != index)
			why = "kind or index differs from the header's";
		else if (r->slot_size != slot_size)
			why = "slot size differs from messages.h's";
		else if (!is_pow2(r->slot_count))
			why = "slot count is not a power of two";
		else if (strata_ring_bytes(r->slot_size, r->slot_count) > m->size - off)
			why = "slots run past the end of the segment";
	}
	if (why) {
		set_err(err, errlen,
			"%s: the %s ring %u is malformed (%s): build strata-dp and this "
			"driver from the same tree, and restart strata-dp",
			m->name, ring_name(kind), index, why);
		return NULL;
	}
	return r;
}

static int check_header(struct cp_dpshm *m, char *err, size_t errlen)
{
	struct strata_shm_header *h = m->hdr;
	uint64_t magic = atomic_load_explicit(&h->magic, memory_order_acquire);

	if (magic == 0) {
		set_err(err, errlen,
			"strata-dp has not finished creating %s (no magic yet): retry, "
			"or restart strata-dp",
			m->name);
		return -EAGAIN;
	}
	if (magic != STRATA_SHM_MAGIC) {
		set_err(err, errlen,
			"%s is not a Strata segment (magic 0x%016llx, expected 0x%016llx): "
			"is the shm name right (--shm)?",
			m->name, (unsigned long long)magic,
			(unsigned long long)STRATA_SHM_MAGIC);
		return -1;
	}
	if (h->abi_version != STRATA_SHM_ABI_VERSION) {
		set_err(err, errlen,
			"%s speaks ABI version %u, this driver version %u: build strata-dp and "
			"strata-dp-driver from the same tree",
			m->name, h->abi_version, STRATA_SHM_ABI_VERSION);
		return -1;
	}
	if (h->header_size != sizeof(*h)) {
		set_err(err, errlen,
			"%s has a %u-byte header, this driver expects %zu: build strata-dp and "
			"strata-dp-driver from the same tree",
			m->name, h->header_size, sizeof(*h));
		return -1;
	}
	if (h->segment_size != m->size) {
		set_err(err, errlen,
			"%s says it is %llu bytes but the object is %zu: restart strata-dp",
			m->name, (unsigned long long)h->segment_size, m->size);
		return -1;
	}
	if (h->n_workers < 1 || h->n_workers > STRATA_SHM_MAX_WORKERS) {
		set_err(err, errlen, "%s lists %u workers (1 to %u allowed): restart strata-dp",
			m->name, h->n_workers, STRATA_SHM_MAX_WORKERS);
		return -1;
	}
	m->command = check_ring(m, h->command_ring, STRATA_RING_COMMAND, 0,
				  STRATA_CMD_SLOT_SIZE, err, errlen);
	m->event = check_ring(m, h->event_ring, STRATA_RING_EVENT, 0, STRATA_EVENT_SLOT_SIZE,
				err, errlen);
	m->tx = check_ring(m, h->tx_ring, STRATA_RING_TX, 0, STRATA_PACKET_SLOT_SIZE, err,
			     errlen);
	if (!m->command || !m->event || !m->tx)
		return -1;
	m->n_workers = h->n_workers;
	for (unsigned w = 0; w < m->n_workers; w++) {
		m->punt[w] = check_ring(m, h->punt_ring[w], STRATA_RING_PUNT, w,
					  STRATA_PACKET_SLOT_SIZE, err, errlen);
		if (!m->punt[w])
			return -1;
	}
	m->epoch = h->boot_epoch;
	return 0;
}

int cp_dpshm_map(struct cp_dpshm *m, bool readonly, char *err, size_t errlen)
{
	struct stat st;
	void *mem;
	int fd, rc;

	m->readonly = readonly;
	m->claimed = false;
	fd = shm_open(m->name, (m->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC, 0);
	if (fd < 0) {
		int e = errno;

		if (e == ENOENT) {
			set_err(err, errlen,
				"shm_open(%s): %s: is strata-dp running? (no /dev/shm%s)",
				m->name, strerror(e), m->name);
			return -EAGAIN;
		}
		set_err(err, errlen,
			"shm_open(%s): %s: run as strata-dp's user or a member of the group "
			"that owns /dev/shm%s (ls -l /dev/shm%s)",
			m->name, strerror(e), m->name, m->name);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		set_err(err, errlen, "fstat(%s): %s", m->name, strerror(errno));
		close(fd);
		return -1;
	}
	if ((size_t)st.st_size < sizeof(struct strata_shm_header)) {
		set_err(err, errlen,
			"%s is %lld bytes, smaller than the segment header: strata-dp is still "
			"creating it, or it is not a Strata segment",
			m->name, (long long)st.st_size);
		close(fd);
		return -EAGAIN;
	}
	m->size = (size_t)st.st_size;
	m->dev = st.st_dev;
	m->ino = st.st_ino;
	mem = mmap(NULL, m->size, m->readonly ? PROT_READ : PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	close(fd);
	if (mem == MAP_FAILED) {
		set_err(err, errlen, "mmap(%s, %zu bytes): %s", m->name, m->size,
			strerror(errno));
		return -1;
	}
	m->hdr = mem;
	rc = check_header(m, err, errlen);
	if (rc < 0) {
		munmap(mem, m->size);
		m->hdr = NULL;
	}
	return rc;
}

/* cp_pid is the claim: compare-and-swap, so two control planes cannot both
 * win. */
int cp_dpshm_claim(struct cp_dpshm *m, bool takeover, char *err, size_t errlen)
{
	uint32_t self = (uint32_t)getpid();
	uint32_t cur = atomic_load_explicit(&m->hdr->cp_pid, memory_order_acquire);
	uint64_t now = cp_dpshm_now_ns();

	for (;;) {
		if (cur && cur != self && pid_alive(cur) && !takeover) {
			set_err(err, errlen,
				"%s is attached to by another control plane (pid %u: strata-cp or "
				"a driver), and each ring has one consumer: stop it, or take over "
				"(--takeover)",
				m->name, cur);
			return -1;
		}
		if (atomic_compare_exchange_weak_explicit(&m->hdr->cp_pid, &cur, self,
							  memory_order_acq_rel,
							  memory_order_acquire))
			break;
	}
	m->claimed = true;
	atomic_store_explicit(&m->hdr->cp_epoch, (now ^ (uint64_t)self << 32) | 1,
			      memory_order_release);
	atomic_store_explicit(&m->hdr->cp_heartbeat_ns, now, memory_order_release);
	return 0;
}

int cp_dpshm_check(struct cp_dpshm *m, uint64_t *new_epoch)
{
	struct stat st;
	int fd;

	if (new_epoch)
		*new_epoch = 0;
	fd = shm_open(m->name, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : 0; /* cannot tell: assume not */
	if (fstat(fd, &st) < 0) {
		close(fd);
		return 0;
	}
	if (st.st_dev == m->dev && st.st_ino == m->ino) {
		close(fd);
		if (atomic_load_explicit(&m->hdr->dp_state, memory_order_acquire) ==
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


void cp_dpshm_unmap(struct cp_dpshm *m)
{
	if (!m->hdr)
		return;
	if (m->claimed) {
		uint32_t self = (uint32_t)getpid();

		atomic_compare_exchange_strong_explicit(&m->hdr->cp_pid, &self, 0,
							memory_order_acq_rel, memory_order_relaxed);
		m->claimed = false;
	}
	munmap(m->hdr, m->size);
	m->hdr = NULL;
	m->command = m->event = m->tx = NULL;
	memset(m->punt, 0, sizeof(m->punt));
	m->n_workers = 0;
}

void cp_dpshm_heartbeat(struct cp_dpshm *m, uint64_t now_ns)
{
	if (m->hdr && m->claimed)
		atomic_store_explicit(&m->hdr->cp_heartbeat_ns, now_ns, memory_order_release);
}
