/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket itself: its directory and file, the peers it lets
 * in, and its non-blocking connections (ctl.h).
 *
 * A connection reads into a fixed buffer of one maximal line, runs each
 * complete line as it arrives (one at a time: a deferred reply holds the
 * next line back), and queues its replies.  It stops reading while its
 * output is over CTL_OUT_HIGH_WATER or a reply is deferred, so a client
 * that sends without reading fills its own socket buffers and nothing
 * else.  Descriptors only close in ctl_reap, at the end of each public
 * call, so no handler or callback ever sees a connection vanish under it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "ctl_internal.h"
#include "log.h"
#include "metrics.h"

CP_LOG_MODULE(ctl);

#define DEFAULT_IDLE_MS 60000
#define DEFAULT_MAX_CONNS 64

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct ctl *ctl_new(const struct ctl_options *opt)
{
	struct ctl *ctl = calloc(1, sizeof(*ctl));

	if (!ctl)
		return NULL;
	if (opt)
		ctl->opt = *opt;
	if (ctl->opt.idle_timeout_ms <= 0)
		ctl->opt.idle_timeout_ms = DEFAULT_IDLE_MS;
	if (ctl->opt.max_connections <= 0)
		ctl->opt.max_connections = DEFAULT_MAX_CONNS;
	ctl->uid = geteuid();
	ctl->listen_fd = -1;
	ctl->conns = calloc((size_t)ctl->opt.max_connections, sizeof(*ctl->conns));
	if (!ctl->conns || ctl_register_builtins(ctl) < 0) {
		free(ctl->conns);
		free(ctl);
		return NULL;
	}
	return ctl;
}

static void set_events(struct ctl *ctl, int fd, short *cur, short events)
{
	if (*cur == events)
		return;
	*cur = events;
	if (ctl->has_watch && ctl->watch.update)
		ctl->watch.update(ctl->watch.ctx, fd, events);
}

static void conn_kill(struct ctl_conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	if (c->pending) {
		/* The command still runs to its end and is audited; its
		 * answer has nowhere to go. */
		c->pending->conn = NULL;
		c->pending = NULL;
	}
}

void ctl_reap(struct ctl *ctl)
{
	size_t k = 0;

	for (size_t i = 0; i < ctl->n_conns; i++) {
		struct ctl_conn *c = ctl->conns[i];

		if (!c->dead) {
			ctl->conns[k++] = c;
			continue;
		}
		if (ctl->has_watch && ctl->watch.remove)
			ctl->watch.remove(ctl->watch.ctx, c->fd);
		close(c->fd);
		ctl_buf_free(&c->out);
		explicit_bzero(c->in, sizeof(c->in));
		free(c);
	}
	ctl->n_conns = k;
	ctl->stats.connections = (unsigned)k;
	cp_series_set(ctl->m.conns, (double)k);
}

void ctl_free(struct ctl *ctl)
{
	struct stat st;

	if (!ctl)
		return;
	for (size_t i = 0; i < ctl->n_conns; i++)
		conn_kill(ctl->conns[i]);
	ctl_reap(ctl);
	ctl_orphan_deferred(ctl);
	if (ctl->listen_fd >= 0) {
		if (ctl->has_watch && ctl->watch.remove)
			ctl->watch.remove(ctl->watch.ctx, ctl->listen_fd);
		close(ctl->listen_fd);
		/* Only the file we bound: a newer strata-cp may own the path. */
		if (lstat(ctl->path, &st) == 0 && st.st_dev == ctl->sock_dev &&
		    st.st_ino == ctl->sock_ino)
			unlink(ctl->path);
	}
	ctl_free_commands(ctl);
	free(ctl->conns);
	free(ctl->path);
	free(ctl);
}

const char *ctl_path(const struct ctl *ctl)
{
	return ctl->path;
}

/* ---- The socket's directory and file --------------------------------------- */

/* Creates dir and its missing parents, mode 0700; then checks that dir is
 * a real directory of ours that nobody else may enter. */
static int private_dir(const char *dir, uid_t uid, char *err, size_t errlen)
{
	char *p = strdup(dir);
	struct stat st;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	if (mkdir(p, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create the control socket directory %s: %s", dir,
			 strerror(errno));
		free(p);
		return -1;
	}
	free(p);
	if (lstat(dir, &st) < 0) {
		snprintf(err, errlen, "cannot use the control socket directory %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "the control socket directory %s is not a directory%s: give "
			 "the real directory", dir, S_ISLNK(st.st_mode) ? " (a symbolic link)" : "");
		return -1;
	}
	if (st.st_uid != uid) {
		snprintf(err, errlen, "the control socket directory %s belongs to uid %u, not to "
			 "strata-cp's uid %u: chown it, or choose another directory", dir,
			 (unsigned)st.st_uid, (unsigned)uid);
		return -1;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen, "the control socket directory %s has mode %04o, open to group "
			 "or others: chmod 700 %s (or choose another directory)", dir,
			 (unsigned)(st.st_mode & 07777), dir);
		return -1;
	}
	return 0;
}

/* A socket file already at path: false (with err) when it cannot be
 * replaced: not a socket, or a live server behind it. */
static bool clear_stale(const char *path, const struct sockaddr_un *sa, char *err, size_t errlen)
{
	struct stat st;
	int fd, r, e;

	if (lstat(path, &st) < 0)
		return true;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket: remove it, or choose another "
			 "control socket path", path);
		return false;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return false;
	}
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	e = errno;
	close(fd);
	if (r == 0 || e == EAGAIN) {
		snprintf(err, errlen, "another strata-cp is already listening on %s: stop it first "
			 "(or choose another control socket path)", path);
		return false;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove the stale socket %s: %s", path, strerror(errno));
		return false;
	}
	CP_INFO("removed a stale control socket", CP_KV_STR("path", path));
	return true;
}

int ctl_listen(struct ctl *ctl, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char def[sizeof(sa.sun_path)], *dir, *slash;
	struct stat st;
	mode_t old_mask;
	int fd, r;

	if (ctl->listen_fd >= 0) {
		snprintf(err, errlen, "the control socket is already listening on %s", ctl->path);
		return -1;
	}
	if (!path) {
		if (ctl_default_socket_path(def, sizeof(def)) < 0) {
			snprintf(err, errlen, "$STRATA_STATE_DIR is too long for a socket path "
				 "(at most %zu bytes with /ctl.sock)", sizeof(sa.sun_path) - 1);
			return -1;
		}
		path = def;
	}
	if (!*path || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "the control socket path \"%s\" is %s (at most %zu bytes): "
			 "choose a shorter one", path, *path ? "too long" : "empty",
			 sizeof(sa.sun_path) - 1);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	dir = strdup(path);
	if (!dir) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	r = private_dir(dir, ctl->uid, err, errlen);
	free(dir);
	if (r < 0 || !clear_stale(path, &sa, err, errlen))
		return -1;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* 0600 from the first moment: the umask covers the window before
	 * the chmod (which makes sure whatever umask the caller had). */
	old_mask = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_mask);
	if (r < 0 || chmod(path, 0600) < 0 || listen(fd, 64) < 0 || lstat(path, &st) < 0) {
		snprintf(err, errlen, "cannot listen on the control socket %s: %s", path,
			 strerror(errno));
		close(fd);
		return -1;
	}
	ctl->path = strdup(path);
	if (!ctl->path) {
		close(fd);
		unlink(path);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ctl->listen_fd = fd;
	ctl->sock_dev = st.st_dev;
	ctl->sock_ino = st.st_ino;
	if (ctl->has_watch && ctl->watch.update)
		ctl->watch.update(ctl->watch.ctx, fd, POLLIN);
	CP_INFO("control socket listening", CP_KV_STR("path", path));
	return 0;
}

/* ---- Connections ---------------------------------------------------------------- */

static void conn_touch(struct ctl_conn *c)
{
	c->deadline = now_ms() + (uint64_t)c->ctl->opt.idle_timeout_ms;
}

void ctl_conn_queue(struct ctl_conn *c, bool ok, const char *body, size_t len)
{
	char status[32];

	ctl_buf_append(&c->out, status, ctl_format_status(status, ok, len));
	ctl_buf_append(&c->out, body, len);
	if (c->out.oom)
		conn_kill(c);
}

static void conn_flush(struct ctl_conn *c)
{
	while (c->out_off < c->out.len) {
		ssize_t w = send(c->fd, c->out.p + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0) {
			conn_kill(c);
			return;
		}
		c->out_off += (size_t)w;
		conn_touch(c);
	}
	if (c->out.len && c->out_off == c->out.len) {
		/* All out: start again at the front; a big buffer goes. */
		if (c->out.cap > 2 * CTL_OUT_HIGH_WATER)
			ctl_buf_free(&c->out);
		else
			ctl_buf_consume(&c->out, c->out.len);
		c->out_off = 0;
	}
	if (c->closing && c->out.len == 0)
		conn_kill(c);
}

static void conn_update_events(struct ctl_conn *c)
{
	short ev = 0;

	if (c->dead)
		return;
	if (!c->closing && !c->eof && !c->pending && c->in_len < sizeof(c->in) &&
	    c->out.len - c->out_off < CTL_OUT_HIGH_WATER)
		ev |= POLLIN;
	if (c->out_off < c->out.len)
		ev |= POLLOUT;
	set_events(c->ctl, c->fd, &c->events, ev);
}

static void line_too_long(struct ctl_conn *c)
{
	static const char msg[] = "line too long (a request is at most 4096 bytes with its "
				  "newline)\n";
	struct cp_audit_record a = {
		.uid = c->uid, .pid = c->pid, .ok = false, .error = "line too long",
	};

	c->ctl->stats.too_long++;
	ctl_count_request(c->ctl, false);
	cp_audit(&a);
	CP_INFO("control request line too long", CP_KV_UINT("uid", c->uid),
		CP_KV_INT("pid", c->pid));
	ctl_conn_queue(c, false, msg, sizeof(msg) - 1);
	explicit_bzero(c->in, c->in_len);
	c->in_len = 0;
	c->closing = true;
}

static void run_line(struct ctl_conn *c, const char *line, size_t len)
{
	struct ctl_reply *r = ctl_reply_new(c->ctl, c, c->uid, c->gid, c->pid);

	if (!r) {
		ctl_conn_queue(c, false, "out of memory\n", 14);
		return;
	}
	ctl_run_line(c->ctl, r, line, len);
}

/* True when the connection may run its next line now. */
static bool conn_ready(const struct ctl_conn *c)
{
	return !c->dead && !c->pending && !c->closing &&
	       c->out.len - c->out_off < CTL_OUT_HIGH_WATER &&
	       (memchr(c->in, '\n', c->in_len) || c->in_len == sizeof(c->in) ||
		(c->eof && c->in_len));
}

void ctl_conn_process(struct ctl_conn *c)
{
	/* Run lines while the output stays below the high-water mark; a
	 * flush that empties it lets the next ones run at once (nothing
	 * else would wake this connection: its input is already here). */
	do {
		while (conn_ready(c)) {
			char *nl = memchr(c->in, '\n', c->in_len);
			size_t len, used;

			if (nl) {
				len = (size_t)(nl - c->in);
				used = len + 1;
			} else if (c->in_len == sizeof(c->in)) {
				line_too_long(c);
				break;
			} else {
				len = used = c->in_len;  /* the last line, without "\n" */
			}
			run_line(c, c->in, len);
			/* The line was copied (parsed) into its reply: wipe it. */
			memmove(c->in, c->in + used, c->in_len - used);
			explicit_bzero(c->in + c->in_len - used, used);
			c->in_len -= used;
		}
		if (!c->dead && c->eof && !c->pending && c->in_len == 0)
			c->closing = true;
		if (!c->dead)
			conn_flush(c);
	} while (conn_ready(c));
	if (!c->dead)
		conn_update_events(c);
}

static void conn_read(struct ctl_conn *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);

	if (n > 0) {
		c->in_len += (size_t)n;
		conn_touch(c);
	} else if (n == 0) {
		c->eof = true;
	} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		conn_kill(c);
	}
}

/* An ERR reply sent without waiting: best effort, for a peer about to be
 * closed (what happened is logged either way). */
static void send_error_now(int fd, const char *msg)
{
	char status[32];
	size_t n = strlen(msg);
	struct iovec iov[2] = { { status, ctl_format_status(status, false, n) },
				{ (void *)msg, n } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	if (sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		return;
}

/* Answers a peer we do not serve, and closes. */
static void refuse(int fd, const char *msg)
{
	send_error_now(fd, msg);
	close(fd);
}

static void accept_one(struct ctl *ctl, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	struct ctl_conn *c;
	char msg[256];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0) {
		CP_WARN("SO_PEERCRED failed", CP_KV_STR("error", strerror(errno)));
		close(fd);
		return;
	}
	if (cr.uid != 0 && cr.uid != ctl->uid) {
		struct cp_audit_record a = {
			.event = "refused", .uid = cr.uid, .pid = cr.pid, .ok = false,
			.error = "uid not allowed",
		};

		ctl->stats.refused_uid++;
		cp_series_inc(ctl->m.refused_uid);
		cp_audit(&a);
		CP_WARN("control socket peer refused", CP_KV_UINT("uid", cr.uid),
			CP_KV_INT("pid", cr.pid), CP_KV_STR("reason", "uid not allowed"));
		snprintf(msg, sizeof(msg), "permission denied: uid %u may not use the control "
			 "socket (only root and uid %u, strata-cp's)\n", (unsigned)cr.uid,
			 (unsigned)ctl->uid);
		refuse(fd, msg);
		return;
	}
	if (ctl->n_conns == (size_t)ctl->opt.max_connections) {
		ctl->stats.refused_limit++;
		cp_series_inc(ctl->m.refused_limit);
		CP_WARN("control socket full", CP_KV_INT("max", ctl->opt.max_connections),
			CP_KV_UINT("uid", cr.uid), CP_KV_INT("pid", cr.pid));
		snprintf(msg, sizeof(msg), "too many control connections (%d): try again later\n",
			 ctl->opt.max_connections);
		refuse(fd, msg);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		refuse(fd, "out of memory\n");
		return;
	}
	c->ctl = ctl;
	c->fd = fd;
	c->uid = cr.uid;
	c->gid = cr.gid;
	c->pid = cr.pid;
	conn_touch(c);
	ctl->conns[ctl->n_conns++] = c;
	ctl->stats.accepted++;
	ctl->stats.connections = (unsigned)ctl->n_conns;
	cp_series_set(ctl->m.conns, (double)ctl->n_conns);
	CP_DBG("control connection", CP_KV_UINT("uid", cr.uid), CP_KV_INT("pid", cr.pid));
	set_events(ctl, fd, &c->events, POLLIN);
}

static void accept_all(struct ctl *ctl)
{
	/* A bounded batch: a flood of connections must not starve the rest
	 * of the loop; poll comes back for the others. */
	for (int i = 0; i < 16; i++) {
		int fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			accept_one(ctl, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			CP_WARN("control socket accept failed", CP_KV_STR("error", strerror(errno)));
		return;
	}
}

/* ---- The event loop ------------------------------------------------------------ */

static struct ctl_conn *find_conn(struct ctl *ctl, int fd)
{
	for (size_t i = 0; i < ctl->n_conns; i++)
		if (ctl->conns[i]->fd == fd && !ctl->conns[i]->dead)
			return ctl->conns[i];
	return NULL;
}

void ctl_handle(struct ctl *ctl, int fd, short revents)
{
	struct ctl_conn *c;

	if (fd == ctl->listen_fd) {
		if (revents & POLLIN)
			accept_all(ctl);
		return;
	}
	c = find_conn(ctl, fd);
	if (!c)
		return;
	if (revents & (POLLERR | POLLNVAL)) {
		conn_kill(c);
	} else {
		if (revents & POLLOUT)
			conn_flush(c);
		if (!c->dead && (revents & (POLLIN | POLLHUP))) {
			if (c->events & POLLIN)
				conn_read(c);
			else if (revents & POLLHUP)
				conn_kill(c);  /* gone both ways: nobody will read a reply */
		}
		if (!c->dead)
			ctl_conn_process(c);
	}
	ctl_reap(ctl);
}

size_t ctl_pollfds(struct ctl *ctl, struct pollfd *pfd, size_t cap)
{
	size_t n = 0;

	if (ctl->listen_fd >= 0) {
		if (n < cap)
			pfd[n] = (struct pollfd){ .fd = ctl->listen_fd, .events = POLLIN };
		n++;
	}
	for (size_t i = 0; i < ctl->n_conns; i++) {
		struct ctl_conn *c = ctl->conns[i];

		if (c->dead)
			continue;
		if (n < cap)
			pfd[n] = (struct pollfd){ .fd = c->fd, .events = c->events };
		n++;
	}
	return n;
}

int ctl_timeout_ms(struct ctl *ctl)
{
	uint64_t now = now_ms(), next = UINT64_MAX;

	for (size_t i = 0; i < ctl->n_conns; i++) {
		struct ctl_conn *c = ctl->conns[i];

		if (!c->dead && !c->pending && c->deadline < next)
			next = c->deadline;
	}
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now > 3600000 ? 3600000 : next - now);
}

void ctl_run_timers(struct ctl *ctl)
{
	uint64_t now = now_ms();

	for (size_t i = 0; i < ctl->n_conns; i++) {
		struct ctl_conn *c = ctl->conns[i];

		if (c->dead || c->pending || c->deadline > now)
			continue;
		ctl->stats.timed_out++;
		CP_DBG("control connection idle: closed", CP_KV_UINT("uid", c->uid),
		       CP_KV_INT("pid", c->pid), CP_KV_UINT("buffered", c->in_len));
		/* A client in the middle of a line learns why; an idle one
		 * between requests is simply closed. */
		if (c->in_len && c->out.len == c->out_off)
			send_error_now(c->fd, "idle timeout: the request line never ended\n");
		conn_kill(c);
	}
	ctl_reap(ctl);
}

void ctl_set_watch(struct ctl *ctl, const struct cp_fdwatch *w)
{
	ctl->has_watch = w != NULL;
	if (!w)
		return;
	ctl->watch = *w;
	if (ctl->listen_fd >= 0 && w->update)
		w->update(w->ctx, ctl->listen_fd, POLLIN);
	for (size_t i = 0; i < ctl->n_conns; i++) {
		struct ctl_conn *c = ctl->conns[i];

		if (!c->dead && w->update)
			w->update(w->ctx, c->fd, c->events);
	}
}

int ctl_poll_once(struct ctl *ctl, int timeout_ms)
{
	struct pollfd stack[65], *pfd = stack;
	size_t n = ctl_pollfds(ctl, stack, 65);
	int t = ctl_timeout_ms(ctl), r;

	if (n > 65) {
		pfd = malloc(n * sizeof(*pfd));
		if (!pfd)
			return -ENOMEM;
		n = ctl_pollfds(ctl, pfd, n);
	}
	if (t < 0 || (timeout_ms >= 0 && timeout_ms < t))
		t = timeout_ms;
	r = poll(pfd, n, t);
	if (r < 0) {
		r = errno == EINTR ? 0 : -errno;
	} else {
		for (size_t i = 0; i < n; i++)
			if (pfd[i].revents)
				ctl_handle(ctl, pfd[i].fd, pfd[i].revents);
		ctl_run_timers(ctl);
		r = 0;
	}
	if (pfd != stack)
		free(pfd);
	return r;
}
