/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The segment's life (dataplane/shm.c) and what attach refuses:
 *
 *   wipe        a taken command's slot is zero; destroy wipes the rest
 *   refusals    attach refuses a missing, unfinished, foreign or
 *               mismatched segment, each with a message that says what to do
 *   lifecycle   a stale segment (its strata-dp died) is replaced, a live
 *               one is not; destroy leaves a successor's name alone;
 *               parameters, group and mode
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm_ring_fixture.h"
#include "test_util.h"

/* ---- wipe ------------------------------------------------------------------ */

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_wipe(void)
{
	char name[64], err[512];
	struct dp_shm_params p;
	struct dp_shm *shm;
	struct dp_driver *drv;
	struct strata_cmd cmd = { .type = STRATA_CMD_LEG_ADD }, got;
	struct strata_ring *r;
	const uint8_t *slot;

	unique_name(name, sizeof(name));
	params_for(&p, name);
	shm = dp_shm_create(&p, err, sizeof(err));
	drv = shm ? attach(name, 0, err, sizeof(err)) : NULL;
	CHECK(shm && drv, "setup: %s", err);
	if (!drv) {
		dp_shm_destroy(shm);
		return;
	}
	cmd.u.leg_add.leg = 3;
	key_pattern(&cmd.u.leg_add, 0x5a);
	memset(cmd.u.leg_add.tx.key, 0xa5, sizeof(cmd.u.leg_add.tx.key));
	CHECK(dp_driver_send(drv, &cmd) == 1, "send");
	r = dp_shm_command_ring(shm);
	slot = strata_ring_slot(r, 0);
	CHECK(!all_zero(slot, r->slot_size), "the key never reached the slot");
	CHECK(dp_shm_command_take(shm, &got), "take");
	CHECK(memcmp(&got, &cmd, sizeof(cmd)) == 0, "the command changed on its way");
	CHECK(all_zero(slot, r->slot_size), "slot not wiped after take");
	CHECK(atomic_load(&r->tail) == 1, "slot not released");
	CHECK(!dp_shm_command_take(shm, &got), "an empty ring gave a command");

	/* Commands never taken are wiped by destroy; the driver's mapping of
	 * the same object shows it. */
	for (int i = 0; i < 5; i++)
		CHECK(dp_driver_send(drv, &cmd) > 0, "send %d", i);
	r = dp_driver_command_ring(drv);
	CHECK(!all_zero(r->slots, (size_t)r->slot_size * r->slot_count), "keys not in the ring");
	dp_shm_destroy(shm);
	CHECK(all_zero(r->slots, (size_t)r->slot_size * r->slot_count),
	      "destroy left keys in the command ring");
	CHECK(atomic_load(&dp_driver_header(drv)->dp_state) == STRATA_DP_STOPPING,
	      "destroy did not mark STOPPING");
	CHECK(dp_driver_check(drv, NULL) == -ENOENT, "destroyed segment still named");
	dp_driver_detach(drv);
}

/* ---- refusals -------------------------------------------------------------- */

struct late_magic {
	struct strata_shm_header *h;
	uint64_t magic;
};

static void *set_magic_later(void *arg)
{
	struct late_magic *lm = arg;

	sleep_us(100000);
	atomic_store_explicit(&lm->h->magic, lm->magic, memory_order_release);
	return NULL;
}

static void expect_refusal(const char *name, const char *what, const char *needle)
{
	char err[512] = "";
	struct dp_driver *drv = attach(name, 0, err, sizeof(err));

	CHECK(!drv, "%s: attached", what);
	CHECK(strstr(err, needle) != NULL, "%s: message \"%s\" lacks \"%s\"", what, err, needle);
	dp_driver_detach(drv);
}

static void test_refusals(void)
{
	char name[64], err[512];
	struct dp_shm_params p;
	struct dp_shm *shm;
	struct strata_shm_header *h;
	struct dp_driver *drv;
	struct dp_driver_opts o = { .wait_ms = 3000 };
	struct late_magic lm;
	pthread_t t;
	uint64_t v;
	int fd;

	unique_name(name, sizeof(name));
	expect_refusal(name, "missing", "is strata-dp running? (no /dev/shm/strata-test-");

	params_for(&p, name);
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(shm != NULL, "create: %s", err);
	if (!shm)
		return;
	h = dp_shm_header(shm);

	v = atomic_load(&h->magic);
	atomic_store(&h->magic, 0x1122334455667788ull);
	expect_refusal(name, "foreign magic", "is not a Strata segment");
	atomic_store(&h->magic, 0);
	expect_refusal(name, "no magic yet", "has not finished creating");
	/* Waiting covers a strata-dp still creating the segment. */
	lm.h = h;
	lm.magic = v;
	pthread_create(&t, NULL, set_magic_later, &lm);
	o.name = name;
	drv = dp_driver_attach(&o, err, sizeof(err));
	CHECK(drv != NULL, "attach with --wait while strata-dp finishes: %s", err);
	dp_driver_detach(drv);
	pthread_join(t, NULL);

	h->abi_version++;
	expect_refusal(name, "ABI", "ABI version 2, this driver version 1");
	h->abi_version--;
	h->header_size += 64;
	expect_refusal(name, "header size", "byte header");
	h->header_size -= 64;
	h->segment_size += 4096;
	expect_refusal(name, "segment size", "restart strata-dp");
	h->segment_size -= 4096;
	h->n_workers = 0;
	expect_refusal(name, "no workers", "workers");
	h->n_workers = 2;
	strata_shm_ring(h, h->event_ring)->slot_size = 128;
	expect_refusal(name, "event slot size", "event ring 0 is malformed (slot size");
	strata_shm_ring(h, h->event_ring)->slot_size = STRATA_EVENT_SLOT_SIZE;
	strata_shm_ring(h, h->punt_ring[1])->slot_count = 48;
	expect_refusal(name, "punt slot count", "punt ring 1 is malformed");
	strata_shm_ring(h, h->punt_ring[1])->slot_count = 32;
	h->tx_ring = h->segment_size - 64;
	expect_refusal(name, "tx ring offset", "tx ring 0 is malformed");
	h->tx_ring = h->event_ring;
	expect_refusal(name, "tx ring pointing at the event ring", "tx ring 0 is malformed");
	h->tx_ring = (uint64_t)((uint8_t *)dp_shm_tx_ring(shm) - (uint8_t *)h);

	drv = attach(name, 0, err, sizeof(err));
	CHECK(drv != NULL, "restored header: %s", err);
	dp_driver_detach(drv);
	dp_shm_destroy(shm);

	/* Something else under the name: too small to be a segment. */
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && ftruncate(fd, 10) == 0, "tiny object");
	expect_refusal(name, "tiny", "smaller than the segment header");
	if (fd >= 0)
		close(fd);
	shm_unlink(name);
}

/* ---- lifecycle ------------------------------------------------------------- */

static void test_lifecycle(void)
{
	char name[64], err[512], group[32], path[128];
	struct dp_shm_params p;
	struct dp_shm *shm, *other;
	struct dp_driver *drv;
	uint64_t epoch = 0;
	int pipefd[2], status, fd;
	struct stat st;
	pid_t child;
	mode_t old_umask;
	char c;

	unique_name(name, sizeof(name));
	params_for(&p, name);
	snprintf(path, sizeof(path), "/dev/shm%s", name);

	/* A strata-dp that died without cleaning up: its segment is replaced. */
	fflush(stdout);
	child = fork();
	if (child == 0) {
		child_keep = dp_shm_create(&p, err, sizeof(err));
		_exit(child_keep ? 0 : 1);
	}
	waitpid(child, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child create");
	drv = attach(name, DP_DRIVER_READONLY, err, sizeof(err));
	CHECK(drv != NULL, "the dead strata-dp's segment: %s", err);
	if (drv) {
		epoch = dp_driver_epoch(drv);
		CHECK(dp_driver_header(drv)->dp_pid == (uint32_t)child, "dp_pid");
	}
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(shm != NULL, "replacing a stale segment: %s", err);
	if (shm) {
		CHECK(dp_shm_boot_epoch(shm) != epoch && dp_shm_boot_epoch(shm) != 0,
		      "boot_epoch not new");
		CHECK(dp_shm_header(shm)->dp_pid == (uint32_t)getpid(), "dp_pid not ours");
	}
	CHECK(drv && dp_driver_check(drv, NULL) == -ESTALE, "the old attach did not notice");
	dp_driver_detach(drv);
	dp_shm_destroy(shm);
	CHECK(stat(path, &st) < 0 && errno == ENOENT, "destroy left %s", path);

	/* A live strata-dp's segment is not taken from it. */
	CHECK(pipe(pipefd) == 0, "pipe");
	child = fork();
	if (child == 0) {
		struct dp_shm *s = dp_shm_create(&p, err, sizeof(err));

		close(pipefd[0]);
		c = s ? 'y' : 'n';
		if (write(pipefd[1], &c, 1) != 1)
			_exit(1);
		for (;;) {
			dp_shm_heartbeat(s, now_ns());
			sleep_us(10000);
		}
	}
	close(pipefd[1]);
	CHECK(read(pipefd[0], &c, 1) == 1 && c == 'y', "child create");
	close(pipefd[0]);
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(!shm && strstr(err, "belongs to a running strata-dp (pid") &&
		      strstr(err, "another shm name"),
	      "live segment: %s", shm ? "replaced" : err);
	dp_shm_destroy(shm);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(shm != NULL, "after the live one died: %s", err);

	/* Destroy unlinks only its own object: a successor keeps the name. */
	other = dp_shm_create(&p, err, sizeof(err)); /* our own pid: stale */
	CHECK(other != NULL, "successor: %s", err);
	dp_shm_destroy(shm);
	drv = attach(name, DP_DRIVER_READONLY, err, sizeof(err));
	CHECK(drv && other && dp_driver_epoch(drv) == dp_shm_boot_epoch(other),
	      "the predecessor's destroy removed the successor: %s", drv ? "" : err);
	dp_driver_detach(drv);
	dp_shm_destroy(other);

	/* A foreign object under the name is replaced too. */
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0 && ftruncate(fd, 10) == 0, "foreign object");
	if (fd >= 0)
		close(fd);
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(shm != NULL, "replacing a foreign object: %s", err);
	dp_shm_destroy(shm);

	/* Group and mode: 0660 whatever the umask. */
	old_umask = umask(077);
	snprintf(group, sizeof(group), "%u", (unsigned)getgid());
	p.group = group;
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(shm != NULL, "create with group %s: %s", group, err);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0660 && st.st_gid == getgid(),
	      "mode %o gid %u", (unsigned)(st.st_mode & 0777), (unsigned)st.st_gid);
	dp_shm_destroy(shm);
	umask(old_umask);
	p.group = "strata-no-such-group";
	shm = dp_shm_create(&p, err, sizeof(err));
	CHECK(!shm && strstr(err, "groupadd strata-no-such-group"), "unknown group: %s",
	      shm ? "created" : err);
	dp_shm_destroy(shm);
	p.group = NULL;

	/* State and heartbeat reach the reader. */
	shm = dp_shm_create(&p, err, sizeof(err));
	drv = shm ? attach(name, DP_DRIVER_READONLY, err, sizeof(err)) : NULL;
	CHECK(drv != NULL, "attach: %s", err);
	if (drv) {
		CHECK(atomic_load(&dp_driver_header(drv)->dp_state) == STRATA_DP_STARTING,
		      "initial state");
		CHECK(dp_driver_heartbeat_age_ns(drv) < 1000000000ull, "initial heartbeat");
		dp_shm_set_state(shm, STRATA_DP_RUNNING);
		dp_shm_heartbeat(shm, now_ns() - 5000000000ull);
		CHECK(atomic_load(&dp_driver_header(drv)->dp_state) == STRATA_DP_RUNNING,
		      "state");
		CHECK(dp_driver_heartbeat_age_ns(drv) >= 5000000000ull, "heartbeat");
		CHECK(dp_driver_header(drv)->segment_size % 64 == 0 &&
			      dp_driver_header(drv)->command_ring % 64 == 0 &&
			      dp_driver_header(drv)->punt_ring[1] % 64 == 0,
		      "layout not on cache lines");
	}
	dp_driver_detach(drv);
	dp_shm_destroy(shm);
}

static void test_params(void)
{
	static const struct {
		const char *what, *name;
		uint32_t cmd, punt, workers;
		const char *needle;
	} bad[] = {
		{ "no slash", "strata", 64, 32, 1, "is not valid" },
		{ "two slashes", "/a/b", 64, 32, 1, "is not valid" },
		{ "not a power of two", NULL, 100, 32, 1, "command ring of 100 slots" },
		{ "zero slots", NULL, 64, 0, 1, "punt ring of 0 slots" },
		{ "no workers", NULL, 64, 32, 0, "0 workers" },
		{ "too many workers", NULL, 64, 32, STRATA_SHM_MAX_WORKERS + 1, "65 workers" },
	};
	char name[64], err[512];

	unique_name(name, sizeof(name));
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct dp_shm_params p;
		struct dp_shm *shm;

		params_for(&p, bad[i].name ? bad[i].name : name);
		p.command_slots = bad[i].cmd;
		p.punt_slots = bad[i].punt;
		p.n_workers = bad[i].workers;
		err[0] = 0;
		shm = dp_shm_create(&p, err, sizeof(err));
		CHECK(!shm && strstr(err, bad[i].needle), "%s: %s", bad[i].what,
		      shm ? "created" : err);
		dp_shm_destroy(shm);
	}
}

int main(void)
{
	shm_test_init();
	test_params();
	test_wipe();
	test_refusals();
	test_lifecycle();
	return test_summary("shm_ring_lifecycle");
}
