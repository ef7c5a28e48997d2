/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Who may reach the control socket, over a real socket in a temporary
 * directory:
 *
 *   - the directory is created 0700 (with its missing parents) and the
 *     socket is 0600, whatever the umask;
 *   - an existing directory open to group or others, a symbolic link, a
 *     directory of another uid, a path that is not a socket, a path too
 *     long: refused, with a message that says what to do;
 *   - a live socket is never taken over; a stale one is replaced; at the
 *     end only the socket file we made is removed;
 *   - $STRATA_STATE_DIR gives the default path;
 *   - as root, a process of another uid (nobody) cannot even connect (the
 *     file modes), and one that gets past the file modes (its effective
 *     uid is nobody's, its filesystem uid root's) is refused by the
 *     SO_PEERCRED check: an ERR line, closed, logged and audited.
 *     Without root those rows are skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "cp_ctl_fixture.h"
#include "ctl.h"
#include "log.h"
#include "test_util.h"

static char top[64];

static void make_top(void)
{
	snprintf(top, sizeof(top), "/tmp/strata-ctl-perm-XXXXXX");
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		exit(1);
	}
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? st.st_mode : 0;
}

/* ctl_listen on path: 0, or -1 with the message in err. */
static int try_listen(struct ctl **out, const char *path, char *err, size_t errlen)
{
	struct ctl *ctl = ctl_new(NULL);
	int rc;

	err[0] = '\0';
	rc = ctl_listen(ctl, path, err, errlen);
	if (rc < 0 || !out)
		ctl_free(ctl);
	else
		*out = ctl;
	return rc;
}

static bool can_connect(const char *path)
{
	int fd = ctl_client_connect(path);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void check_created_modes(void)
{
	char path[300], dir[256], err[512];
	struct ctl *ctl = NULL;
	mode_t old = umask(0);  /* the socket must be 0600 even so */

	snprintf(dir, sizeof(dir), "%s/a/b", top);
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	CHECK(try_listen(&ctl, path, err, sizeof(err)) == 0, "listen: %s", err);
	umask(old);
	CHECK(S_ISDIR(mode_of(dir)) && (mode_of(dir) & 07777) == 0700, "dir mode %o",
	      mode_of(dir) & 07777);
	snprintf(dir, sizeof(dir), "%s/a", top);
	CHECK((mode_of(dir) & 07777) == 0700, "parent mode %o", mode_of(dir) & 07777);
	CHECK(S_ISSOCK(mode_of(path)) && (mode_of(path) & 07777) == 0600, "socket mode %o",
	      mode_of(path) & 07777);
	CHECK(ctl && strcmp(ctl_path(ctl), path) == 0, "ctl_path");
	CHECK(can_connect(path), "connect");
	ctl_free(ctl);
	CHECK(mode_of(path) == 0, "socket file removed at ctl_free");
}

struct refusal {
	const char *name;
	void (*setup)(const char *dir, const char *path);
	const char *expect;   /* in the message */
	bool root_only;
};

static void setup_mode_755(const char *dir, const char *path)
{
	(void)path;
	mkdir(dir, 0700);
	chmod(dir, 0755);
}

static void setup_mode_710(const char *dir, const char *path)
{
	(void)path;
	mkdir(dir, 0700);
	chmod(dir, 0710);
}

static void setup_mode_701(const char *dir, const char *path)
{
	(void)path;
	mkdir(dir, 0700);
	chmod(dir, 0701);
}

static void setup_symlink(const char *dir, const char *path)
{
	char real[300];

	(void)path;
	snprintf(real, sizeof(real), "%s.real", dir);
	mkdir(real, 0700);
	if (symlink(real, dir) < 0)
		perror("symlink");
}

static void setup_not_dir(const char *dir, const char *path)
{
	int fd = open(dir, O_CREAT | O_WRONLY, 0600);

	(void)path;
	close(fd);
}

static void setup_other_owner(const char *dir, const char *path)
{
	struct passwd *pw = getpwnam("nobody");

	(void)path;
	mkdir(dir, 0700);
	if (chown(dir, pw ? pw->pw_uid : 65534, (gid_t)-1) < 0)
		perror("chown");
}

static void setup_regular_file(const char *dir, const char *path)
{
	int fd;

	mkdir(dir, 0700);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
}

static const struct refusal refusals[] = {
	{ "directory 0755", setup_mode_755, "has mode 0755, open to group or others: chmod 700 ",
	  false },
	{ "directory 0710", setup_mode_710, "has mode 0710", false },
	{ "directory 0701", setup_mode_701, "has mode 0701", false },
	{ "directory is a symbolic link", setup_symlink, "is not a directory (a symbolic link)",
	  false },
	{ "directory is a file", setup_not_dir, "is not a directory", false },
	{ "directory of another uid", setup_other_owner, "belongs to uid", true },
	{ "path is a regular file", setup_regular_file, "exists and is not a socket: remove it",
	  false },
};

static void check_refusals(void)
{
	for (size_t i = 0; i < ARRAY_LEN(refusals); i++) {
		const struct refusal *r = &refusals[i];
		char dir[256], path[300], err[512];

		if (r->root_only && geteuid() != 0) {
			printf("skip: %s (needs root)\n", r->name);
			continue;
		}
		snprintf(dir, sizeof(dir), "%s/refuse%zu", top, i);
		snprintf(path, sizeof(path), "%s/ctl.sock", dir);
		r->setup(dir, path);
		CHECK(try_listen(NULL, path, err, sizeof(err)) == -1, "%s: accepted", r->name);
		CHECK(strstr(err, r->expect) != NULL, "%s: message \"%s\"", r->name, err);
		CHECK(strstr(err, dir) != NULL || strstr(err, path) != NULL, "%s: no path in \"%s\"",
		      r->name, err);
	}
	{
		char path[300], err[512];

		memset(path, 'p', sizeof(path));
		memcpy(path, top, strlen(top));
		path[strlen(top)] = '/';
		path[200] = '\0';
		CHECK(try_listen(NULL, path, err, sizeof(err)) == -1 && strstr(err, "too long"),
		      "long path: %s", err);
		CHECK(try_listen(NULL, "", err, sizeof(err)) == -1 && strstr(err, "empty"),
		      "empty path: %s", err);
	}
}

static void check_live_and_stale(void)
{
	char dir[256], path[300], err[512];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl *a = NULL, *b = NULL;
	int fd;

	snprintf(dir, sizeof(dir), "%s/live", top);
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	CHECK(try_listen(&a, path, err, sizeof(err)) == 0, "first: %s", err);
	CHECK(try_listen(NULL, path, err, sizeof(err)) == -1 &&
	      strstr(err, "another strata-cp is already listening on ") &&
	      strstr(err, "stop it first"), "second: %s", err);
	CHECK(can_connect(path), "the first still listens");
	{
		struct ctl *again = a;

		CHECK(ctl_listen(again, path, err, sizeof(err)) == -1 &&
		      strstr(err, "already listening"), "listen twice: %s", err);
	}

	/* The file is replaced under the first: freeing the first must not
	 * remove the second's file. */
	unlink(path);
	CHECK(try_listen(&b, path, err, sizeof(err)) == 0, "replacement: %s", err);
	ctl_free(a);
	CHECK(S_ISSOCK(mode_of(path)) && can_connect(path), "the second's file survived");
	ctl_free(b);
	CHECK(mode_of(path) == 0, "the second removed its file");

	/* A stale socket: bound, closed, never removed. */
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "stale bind");
	close(fd);
	CHECK(S_ISSOCK(mode_of(path)) && !can_connect(path), "stale socket in place");
	CHECK(try_listen(&a, path, err, sizeof(err)) == 0, "over a stale socket: %s", err);
	CHECK(can_connect(path), "listening after replacing the stale socket");
	ctl_free(a);
}

static void check_state_dir(void)
{
	char dir[256], path[300], err[512], cwd[512];
	struct ctl *ctl = NULL;

	snprintf(dir, sizeof(dir), "%s/state", top);
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	setenv("STRATA_STATE_DIR", dir, 1);
	CHECK(try_listen(&ctl, NULL, err, sizeof(err)) == 0, "default path: %s", err);
	CHECK(ctl && strcmp(ctl_path(ctl), path) == 0, "default path is %s",
	      ctl ? ctl_path(ctl) : "-");
	CHECK(can_connect(path), "connect");
	ctl_free(ctl);
	unsetenv("STRATA_STATE_DIR");

	/* A relative path: its directory is the working directory. */
	if (getcwd(cwd, sizeof(cwd)) && chdir(dir) == 0) {
		ctl = NULL;
		CHECK(try_listen(&ctl, "rel.sock", err, sizeof(err)) == 0, "relative: %s", err);
		CHECK(can_connect("rel.sock"), "relative connect");
		ctl_free(ctl);
		CHECK(chdir(cwd) == 0, "chdir back");
	}
}

/* ---- Another uid (root only) ---------------------------------------------------- */

/* In a child: connect as uid, then send "whoami" and write whatever comes
 * back to out.  With fs_root the filesystem uid stays root, so that only
 * SO_PEERCRED stands in the way.  Exits 0 after a connect, 10 + errno
 * (capped) when connect failed, 9 when the privileges could not drop. */
static void child_connect(const char *path, uid_t uid, gid_t gid, bool fs_root, int out)
{
	int fd, e;
	char buf[1024];
	ssize_t n;

	if (fs_root) {
		if (setresuid(0, uid, 0) < 0)
			_exit(9);
		setfsuid(0);
		if ((uid_t)setfsuid((uid_t)-1) != 0)
			_exit(9);
	} else if (setgid(gid) < 0 || setuid(uid) < 0) {
		_exit(9);
	}
	if (geteuid() != uid)
		_exit(9);
	fd = ctl_client_connect(path);
	if (fd < 0) {
		e = -fd;
		_exit(10 + (e > 100 ? 100 : e));
	}
	if (send(fd, "whoami\n", 7, MSG_NOSIGNAL) < 0)
		(void)0;  /* the server may have closed already: read its answer */
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	_exit(0);
}

static int run_child(const char *path, uid_t uid, gid_t gid, bool fs_root, char *got, size_t cap)
{
	int p[2], status = 0;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child_connect(path, uid, gid, fs_root, p[1]);
	}
	close(p[1]);
	while (len + 1 < cap && (n = read(p[0], got + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	got[len] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void check_other_uid(void)
{
	struct ctl_fixture f;
	struct passwd *pw;
	uid_t nobody = 65534;
	gid_t nogroup = 65534;
	char got[1024], want[128], *audit, *log;
	bool ok;
	int rc;

	if (geteuid() != 0) {
		printf("skip: another uid's connections (needs root to become nobody)\n");
		return;
	}
	pw = getpwnam("nobody");
	if (pw) {
		nobody = pw->pw_uid;
		nogroup = pw->pw_gid;
	}
	ctl_fixture_start(&f, NULL, false);

	/* Entirely nobody: the 0700 directory stops it before the socket. */
	rc = run_child(f.path, nobody, nogroup, false, got, sizeof(got));
	CHECK(rc == 10 + EACCES, "nobody's connect: exit %d (want EACCES)", rc);

	/* Past the file modes: SO_PEERCRED refuses it. */
	rc = run_child(f.path, nobody, nogroup, true, got, sizeof(got));
	snprintf(want, sizeof(want), "permission denied: uid %u may not use the control socket",
		 (unsigned)nobody);
	CHECK(rc == 0, "child exit %d", rc);
	CHECK(strncmp(got, "ERR ", 4) == 0 && strstr(got, want) &&
	      strstr(got, "(only root and uid 0, strata-cp's)"), "refusal: \"%s\"", got);

	/* And we still are welcome. */
	CHECK(fx_request(f.path, "whoami", &ok, got, sizeof(got)) == 0 && ok &&
	      strncmp(got, "uid=0 pid=", 10) == 0, "root: %s", got);

	audit = ctl_fixture_audit(&f);
	snprintf(want, sizeof(want), "\"event\":\"refused\",\"uid\":%u,", (unsigned)nobody);
	CHECK(strstr(audit, want) && strstr(audit, "\"error\":\"uid not allowed\""),
	      "audit:\n%s", audit);
	free(audit);
	log = ctl_fixture_log(&f);
	snprintf(want, sizeof(want), "msg=\"control socket peer refused\" uid=%u", (unsigned)nobody);
	CHECK(strstr(log, want), "log:\n%s", log);
	free(log);
	ctl_fixture_stop(&f);
	CHECK(f.stats.refused_uid == 1, "refused_uid %llu", (unsigned long long)f.stats.refused_uid);
}

int main(void)
{
	int logfd = open("/dev/null", O_WRONLY);

	cp_log_set_fd(logfd);
	make_top();
	check_created_modes();
	check_refusals();
	check_live_and_stale();
	check_state_dir();
	nftw(top, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	check_other_uid();
	cp_log_set_fd(2);
	close(logfd);
	return test_summary("cp_ctl_socket_perms");
}
