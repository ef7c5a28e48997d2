/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The two network namespaces webrtc_capture runs in, and the processes it
 * starts there.
 *
 *   netns wcapt<ID>                         netns wcapb<ID>
 *   +----------------------------------+    +----------------------------------+
 *   | webrtc_capture                   |    | chromium --headless ...          |
 *   |   HTTP  198.51.100.1:HTTP_PORT   |    |   (the capture page, the         |
 *   |   UDP   198.51.100.1:MEDIA_PORT  |    |    fake camera, WebRTC)          |
 *   | wcapt<ID>v  198.51.100.1/24      |<-->| wcapb<ID>v  198.51.100.2/24      |
 *   +----------------------------------+veth+----------------------------------+
 *
 * Chromium does not use loopback for ICE, so the browser needs an interface
 * of its own; the tool sits in a second namespace so that nothing is added
 * to the machine's own network.  Neither namespace has a route anywhere
 * else: all traffic stays on the documentation range 198.51.100.0/24.
 */
#ifndef STRATA_TESTS_WEBRTC_NETNS_H
#define STRATA_TESTS_WEBRTC_NETNS_H

#include <sys/types.h>

#define WRTC_TOOL_ADDR "198.51.100.1"
#define WRTC_BROWSER_ADDR "198.51.100.2"

struct wrtc_netns {
	char tool[16], browser[16];    /* namespace names */
	char tool_if[16], browser_if[16];
	int have_tool, have_browser;   /* created by us, to be deleted */
};

/* Creates both namespaces and the veth pair between them, addresses and
 * links up.  Returns 0, or -1 with a message (and whatever was created left
 * for wrtc_netns_down). */
int wrtc_netns_up(struct wrtc_netns *ns, unsigned id);

/* Moves the calling (single-threaded) process into namespace `name`. */
int wrtc_netns_enter(const char *name);

/* Starts argv[0] in namespace `ns_name` as the leader of a new process
 * group, with stdin from /dev/null and stdout+stderr to `out_fd`.  Returns
 * its pid, or -1. */
pid_t wrtc_spawn(const char *ns_name, char *const argv[], int out_fd);

/* SIGTERM to the process group `pgid`, SIGKILL to what is left after
 * `grace_ms`; reaps the leader. */
void wrtc_stop_group(pid_t pgid, int grace_ms);

/* Removes the namespaces of earlier runs whose tool is gone (killed with
 * SIGKILL, so it could not clean up), with what still runs in them. */
void wrtc_netns_reap_stale(void);

/* Kills whatever still runs in the browser namespace (Chromium's helpers,
 * all started by us), then deletes both namespaces, which takes the veth
 * pair with them.  Safe to call more than once. */
void wrtc_netns_down(struct wrtc_netns *ns);

#endif /* STRATA_TESTS_WEBRTC_NETNS_H */
