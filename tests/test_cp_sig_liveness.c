/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The signaling server's liveness check (sig_server.h: ping_interval_s,
 * pong_timeout_s) on 127.0.0.1 with the echo application: pings every
 * 1 s of silence, dead after 2 s more, idle timeout 60 s (out of the way).
 *
 *   quiet      a client that sends nothing but reads (its libwebsockets
 *              answers the pings, RFC 6455 section 5.5.2) stays open for
 *              three times the bound
 *   not early  a client that stops reading for 2 s (less than the 3 s
 *              bound) and then reads again is still open
 *   dead       a client that stops reading for good answers no ping: the
 *              server drops it between 3 s and 4.5 s of silence, with no
 *              close frame (the client sees 1006), close reason "dead"
 *
 * A client that stops reading stands in for one whose network went away:
 * the server hears nothing from either.  (tests/integration/call_linkdrop.sh
 * takes a real link down.)
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "sig_server_fixture.h"
#include "test_util.h"

static struct fx fx;

static bool never(void *arg)
{
	(void)arg;
	return false;
}

static bool dead_seen(void *arg)
{
	(void)arg;
	return __atomic_load_n(&fx.app.closed[SIG_CLOSE_DEAD], __ATOMIC_RELAXED) > 0;
}

static void pump_ms(unsigned ms)
{
	fx_pump(&fx, never, NULL, ms);
}

static void check_quiet(void)
{
	struct tc t;

	tc_connect(&fx, &t, NULL, NULL);
	CHECK(tc_wait_open(&fx, &t, 5000), "quiet client opens: %s", t.close_reason);
	pump_ms(9000);
	CHECK(!t.closed, "a quiet client that answers pings is open after 9 s (closed %d)",
	      t.close_code);
	tc_send(&t, "{\"type\":\"keepalive\",\"id\":1}");
	CHECK(tc_wait_type(&fx, &t, "keepalive-ack", 1, 3000), "and still served");
	if (!t.closed) {
		sig_client_close(t.c, 1000);
		tc_wait_closed(&fx, &t, 3000);
	}
}

static void check_dead(void)
{
	struct tc t;
	long start, ms;

	tc_connect(&fx, &t, NULL, NULL);
	CHECK(tc_wait_open(&fx, &t, 5000), "client opens: %s", t.close_reason);

	/* Deaf for 2 s: the ping waits unread, then gets its pong. */
	sig_client_pause_reading(t.c, true);
	pump_ms(2000);
	sig_client_pause_reading(t.c, false);
	pump_ms(300);
	CHECK(!t.closed, "deaf for 2 s (under the 3 s bound): still open (closed %d)",
	      t.close_code);
	tc_send(&t, "{\"type\":\"keepalive\",\"id\":2}");
	CHECK(tc_wait_type(&fx, &t, "keepalive-ack", 1, 3000), "and served");

	/* Deaf for good.  The last thing the server heard was the keepalive
	 * just answered: the ping follows 1 s later, the drop 2 s after that.
	 * The server thread's counter is read while it runs (an atomic load
	 * of a word it only ever increments) to time the drop. */
	start = fx_now_ms();
	sig_client_pause_reading(t.c, true);
	fx_pump(&fx, dead_seen, NULL, 6000);
	ms = fx_now_ms() - start;
	CHECK(dead_seen(NULL), "dropped as dead");
	CHECK(ms >= 2900 && ms <= 4500, "between ping_interval_s + pong_timeout_s and 1.5 s more "
	      "(%ld ms)", ms);
	printf("# dead after %ld ms of silence (bound 3000 ms)\n", ms);
	sig_client_pause_reading(t.c, false);
	CHECK(tc_wait_closed(&fx, &t, 3000), "the client sees it closed");
	CHECK(t.close_code == 1006, "without a close frame: 1006 (%d %s)", t.close_code,
	      t.close_reason);
}

int main(void)
{
	struct sig_server_config limits = {
		.handshake_timeout_s = 2,
		.idle_timeout_s = 60,
		.ping_interval_s = 1,
		.pong_timeout_s = 2,
	};

	fx_start(&fx, &limits);
	check_quiet();
	check_dead();
	fx_stop(&fx);

	CHECK(fx.app.closed[SIG_CLOSE_DEAD] == 1, "one dead (%llu)",
	      (unsigned long long)fx.app.closed[SIG_CLOSE_DEAD]);
	CHECK(fx.app.closed[SIG_CLOSE_IDLE] == 0, "none idle (%llu)",
	      (unsigned long long)fx.app.closed[SIG_CLOSE_IDLE]);
	return test_summary("cp_sig_liveness");
}
