/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The application's timers on the signaling loop: a list of armed timers,
 * soonest first, and one timerfd (CLOCK_MONOTONIC, absolute) set to the
 * soonest deadline, watched like any other descriptor.
 *
 * Why not libwebsockets' own scheduler (lws_sul): 4.1 turns the time to
 * its next event into whole milliseconds for poll(), rounding down, so
 * for the last millisecond before a deadline it polls without waiting,
 * again and again.  A periodic 1 ms timer (the dataplane link's polling)
 * would keep a core busy.  The kernel's timerfd wakes poll() on time.
 * (Connection timeouts stay on lws_sul: they are rare, and a sub-
 * millisecond spin before one fires costs nothing worth a descriptor.)
 *
 * Arming is O(armed timers): fine for the tens the control plane keeps.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "sig_server_priv.h"

uint64_t sig_server_now_us(const struct sig_server *s)
{
	struct timespec ts;

	(void)s;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Points the timerfd at the soonest deadline, or disarms it. */
static void program(struct sig_server *s)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (s->armed) {
		uint64_t d = s->armed->deadline_us;
		its.it_value.tv_sec = (time_t)(d / 1000000u);
		its.it_value.tv_nsec = (long)(d % 1000000u) * 1000;
		/* A zero it_value would disarm: deadlines are never 0 us
		 * of the monotonic clock, but be sure. */
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(s->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void unlink_armed(struct sig_server *s, struct sig_timer *t)
{
	if (!t->armed)
		return;
	if (t->aprev)
		t->aprev->anext = t->anext;
	else
		s->armed = t->anext;
	if (t->anext)
		t->anext->aprev = t->aprev;
	t->aprev = t->anext = NULL;
	t->armed = false;
}

static void fire(void *arg, struct sig_fd *f, int fd)
{
	struct sig_server *s = arg;
	uint64_t expirations, now;

	(void)f;
	(void)!read(fd, &expirations, sizeof(expirations));
	now = sig_server_now_us(s);
	/* Each is unlinked before its callback, which may re-arm it or arm,
	 * cancel or free any other. */
	while (s->armed && s->armed->deadline_us <= now) {
		struct sig_timer *t = s->armed;
		unlink_armed(s, t);
		t->cb(t->arg);
	}
	program(s);
}

static const struct sig_fd_ops timer_ops = { .readable = fire };

static void nothing(void *arg)
{
	(void)arg;
}

int sig_timers_init(struct sig_server *s)
{
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->timer_fd < 0)
		return -1;
	s->timer_watch = sig_watch_fd(s, s->timer_fd, &timer_ops, s);
	s->wake = sig_timer_new(s, nothing, NULL);
	if (!s->timer_watch || !s->wake) {
		close(s->timer_fd);
		return -1;
	}
	return 0;
}

void sig_timers_fini(struct sig_server *s)
{
	struct sig_timer *wake = s->wake;

	/* The application's timers outlive the server (they are its
	 * memory): they become inert. */
	for (struct sig_timer *t = s->timers; t; t = t->next) {
		t->srv = NULL;
		t->armed = false;
		t->aprev = t->anext = NULL;
	}
	s->timers = NULL;
	s->armed = NULL;
	free(wake);
	s->wake = NULL;
	if (s->timer_fd >= 0)
		close(s->timer_fd);   /* the loop's dup goes with the context */
	s->timer_fd = -1;
}

struct sig_timer *sig_timer_new(struct sig_server *s, void (*cb)(void *arg), void *arg)
{
	struct sig_timer *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->srv = s;
	t->cb = cb;
	t->arg = arg;
	t->next = s->timers;
	if (s->timers)
		s->timers->prev = t;
	s->timers = t;
	return t;
}

void sig_timer_arm(struct sig_timer *t, uint64_t usec)
{
	struct sig_server *s = t->srv;
	struct sig_timer **pos, *prev = NULL;

	if (!s)
		return;
	unlink_armed(s, t);
	t->deadline_us = sig_server_now_us(s) + usec;
	/* Equal deadlines fire in the order they were armed. */
	for (pos = &s->armed; *pos && (*pos)->deadline_us <= t->deadline_us;
	     pos = &(*pos)->anext)
		prev = *pos;
	t->anext = *pos;
	t->aprev = prev;
	if (*pos)
		(*pos)->aprev = t;
	*pos = t;
	t->armed = true;
	if (s->armed == t)
		program(s);
}

void sig_timer_cancel(struct sig_timer *t)
{
	struct sig_server *s = t->srv;
	bool was_first;

	if (!s || !t->armed)
		return;
	was_first = s->armed == t;
	unlink_armed(s, t);
	if (was_first)
		program(s);
}

void sig_timer_free(struct sig_timer *t)
{
	struct sig_server *s;

	if (!t)
		return;
	s = t->srv;
	if (s) {
		sig_timer_cancel(t);
		if (t->prev)
			t->prev->next = t->next;
		else
			s->timers = t->next;
		if (t->next)
			t->next->prev = t->prev;
	}
	free(t);
}
