/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Namespaces and processes for webrtc_capture (webrtc_netns.h).  The
 * namespaces are made with iproute2 (`ip netns add` bind-mounts them under
 * /var/run/netns, where setns() finds them), so `ip netns list` shows a
 * run that is in progress and `ip netns del` cleans up after a crash.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "webrtc_netns.h"

/* Runs `ip ARGS...` and waits for it; returns its exit status (-1 when it
 * could not run).  Its stderr is left alone so failures explain
 * themselves. */
static int ip(const char *first, ...)
{
	const char *argv[16] = { "ip", first };
	int argc = 2, status;
	va_list ap;

	va_start(ap, first);
	while (argc < 15 && (argv[argc] = va_arg(ap, const char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;

	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execvp("ip", (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int wrtc_netns_up(struct wrtc_netns *ns, unsigned id)
{
	memset(ns, 0, sizeof(*ns));
	snprintf(ns->tool, sizeof(ns->tool), "wcapt%u", id % 10000000u);
	snprintf(ns->browser, sizeof(ns->browser), "wcapb%u", id % 10000000u);
	/* Interface names have 15 characters at most (IFNAMSIZ). */
	snprintf(ns->tool_if, sizeof(ns->tool_if), "%.12sv", ns->tool);
	snprintf(ns->browser_if, sizeof(ns->browser_if), "%.12sv", ns->browser);

	if (ip("netns", "add", ns->tool, NULL) != 0)
		goto fail;
	ns->have_tool = 1;
	if (ip("netns", "add", ns->browser, NULL) != 0)
		goto fail;
	ns->have_browser = 1;
	if (ip("link", "add", ns->tool_if, "netns", ns->tool, "type", "veth", "peer", "name",
	       ns->browser_if, "netns", ns->browser, NULL) != 0 ||
	    ip("-n", ns->tool, "addr", "add", WRTC_TOOL_ADDR "/24", "dev", ns->tool_if, NULL) != 0 ||
	    ip("-n", ns->browser, "addr", "add", WRTC_BROWSER_ADDR "/24", "dev", ns->browser_if,
	       NULL) != 0 ||
	    ip("-n", ns->tool, "link", "set", "lo", "up", NULL) != 0 ||
	    ip("-n", ns->browser, "link", "set", "lo", "up", NULL) != 0 ||
	    ip("-n", ns->tool, "link", "set", ns->tool_if, "up", NULL) != 0 ||
	    ip("-n", ns->browser, "link", "set", ns->browser_if, "up", NULL) != 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "webrtc_capture: could not set up the network namespaces "
			"(needs root and iproute2)\n");
	return -1;
}

static int ns_fd(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

int wrtc_netns_enter(const char *name)
{
	int fd = ns_fd(name);

	if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
		fprintf(stderr, "webrtc_capture: cannot enter namespace %s: %s\n", name,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

pid_t wrtc_spawn(const char *ns_name, char *const argv[], int out_fd)
{
	int fd = ns_fd(ns_name);
	pid_t pid;

	if (fd < 0) {
		fprintf(stderr, "webrtc_capture: namespace %s is gone\n", ns_name);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		if (setns(fd, CLONE_NEWNET) != 0)
			_exit(126);
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(out_fd, STDOUT_FILENO);
		dup2(out_fd, STDERR_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "webrtc_capture: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* Also from the parent, so that a kill right after fork() reaches the
	 * group whichever of the two runs first. */
	if (pid > 0)
		setpgid(pid, pid);
	close(fd);
	if (pid < 0)
		fprintf(stderr, "webrtc_capture: fork: %s\n", strerror(errno));
	return pid;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

void wrtc_stop_group(pid_t pgid, int grace_ms)
{
	if (pgid <= 0)
		return;
	kill(-pgid, SIGTERM);
	for (int waited = 0; waited < grace_ms; waited += 50) {
		if (kill(-pgid, 0) != 0 && errno == ESRCH)
			break;
		waitpid(pgid, NULL, WNOHANG);
		sleep_ms(50);
	}
	kill(-pgid, SIGKILL);
	waitpid(pgid, NULL, 0);
}

/* SIGKILL to every process whose network namespace is `name`'s, except us.
 * Chromium's zygote and renderers may leave its process group; they cannot
 * leave the namespace. */
static void kill_in_ns(const char *name)
{
	char path[300];
	struct stat want, st;
	DIR *proc;
	struct dirent *de;

	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	if (stat(path, &want) != 0 || !(proc = opendir("/proc")))
		return;
	while ((de = readdir(proc)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 1 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
		if (stat(path, &st) == 0 && st.st_ino == want.st_ino && st.st_dev == want.st_dev)
			kill((pid_t)pid, SIGKILL);
	}
	closedir(proc);
}

void wrtc_netns_down(struct wrtc_netns *ns)
{
	if (ns->have_browser) {
		kill_in_ns(ns->browser);
		sleep_ms(100);
		ip("netns", "del", ns->browser, NULL);
		ns->have_browser = 0;
	}
	if (ns->have_tool) {
		ip("netns", "del", ns->tool, NULL);
		ns->have_tool = 0;
	}
}

void wrtc_netns_reap_stale(void)
{
	DIR *dir = opendir("/var/run/netns");
	struct dirent *de;
	char kind;
	unsigned pid;
	int end;

	if (!dir)
		return;
	while ((de = readdir(dir)) != NULL) {
		/* Only our own names, "wcapt<pid>" and "wcapb<pid>", and only
		 * when that process no longer exists. */
		if (sscanf(de->d_name, "wcap%c%u%n", &kind, &pid, &end) != 2 ||
		    (kind != 't' && kind != 'b') || de->d_name[end] != '\0' || pid == 0 ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		fprintf(stderr, "webrtc_capture: removing namespace %s of an earlier run\n",
			de->d_name);
		kill_in_ns(de->d_name);
		ip("netns", "del", de->d_name, NULL);
	}
	closedir(dir);
}
