/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-dp's configuration (dataplane/config.c), as tables:
 *
 *   load cases  a configuration text, written to a file, and either "loads"
 *               or the line and setting its error must name (plus a phrase
 *               of the explanation);
 *   values      the documented default file (conf/strata.conf, found next
 *               to this source), the defaults of a minimal file, and a file
 *               that sets everything;
 *   EAL cases   a configuration, fake /proc/meminfo and /proc/mounts, the
 *               command line after `--`, and the EAL argument vector and
 *               warning that must come out.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../dataplane/config.h"
#include "test_util.h"

static char tmpdir[] = "/tmp/strata-test-config-XXXXXX";

/* Writes text to tmpdir/name and returns the path (static buffer per slot). */
static const char *write_file(const char *name, const char *text)
{
	static char paths[4][256];
	static unsigned slot;
	char *path = paths[slot++ % 4];
	FILE *f;

	snprintf(path, 256, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(2);
	}
	return path;
}

/* ---- load cases ---------------------------------------------------------- */

#define DP(body) "dataplane = {\n" body "};\n"
#define PORT "  ports = ( { device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\" ]; } );\n"
/* A port whose body (one line, line 3 of the file when it follows DP's
 * first line and "ports = ( {") is given. */
#define PORT_WITH(body) "  ports = ( {\n" body "\n  } );\n"
#define TAP "  eal = { vdevs = [ \"net_tap0\" ]; };\n"

struct load_case {
	const char *name;
	const char *text;
	int line;            /* 0: must load */
	const char *setting; /* the error names it, after "FILE:LINE: " */
	const char *phrase;  /* and says this */
};

static const struct load_case load_cases[] = {
	/* What loads. */
	{ "minimal", DP(PORT), 0 },
	{ "controlplane and others ignored",
	  "controlplane = { tls = { cert = \"x\"; }; whatever = 5; };\n" DP(PORT)
	  "bench = ( 1, 2 );\n", 0 },
	{ "empty lists", DP("  eal = { vdevs = [ ]; pci_allow = ( ); extra = [ ]; };\n" PORT), 0 },
	{ "gateway6 link-local",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"2001:db8::2/64\" ]; "
		       "gateway6 = \"fe80::1\";")), 0 },
	{ "neighbours on link",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\" ]; neighbours = ( "
		       "{ ip = \"192.0.2.1\"; mac = \"02:00:00:00:00:01\"; } );")), 0 },
	{ "one device, two vlans",
	  DP("  ports = ( { device = \"net_tap0\"; vlan = 10; addresses = [ \"192.0.2.2/24\" ]; },\n"
	     "    { device = \"net_tap0\"; vlan = 20; addresses = [ \"198.51.100.2/24\" ]; } );\n"),
	  0 },
	{ "pci port listed", DP("  eal = { pci_allow = [ \"3B:00.0,txq_inline=128\" ]; };\n"
				"  ports = ( { device = \"0000:3b:00.0\"; addresses = "
				"[ \"192.0.2.2/24\" ]; } );\n"), 0 },
	{ "64-bit integer", DP("  limits = { legs = 100L; };\n" PORT), 0 },

	/* The file and its syntax. */
	{ "syntax error", "dataplane = {\n  eal = {\n    lcores = = \"0-1\";\n  };\n};\n", 3, "",
	  "syntax error" },
	{ "duplicate setting", DP("  srtp = { replay_window = 64; replay_window = 128; };\n" PORT),
	  2, "", "duplicate setting" },
	{ "no dataplane", "controlplane = { };\n", -1, "", "no dataplane section" },
	{ "dataplane not a group", "dataplane = 5;\n", 1, "dataplane: ", "must be a group" },
	{ "no ports", DP("  eal = { lcores = \"0-1\"; };\n"), 1, "dataplane: ", "has no ports" },

	/* Unknown settings: only inside dataplane. */
	{ "unknown in dataplane", DP("  portz = ( );\n" PORT), 2, "dataplane.portz: ",
	  "did you mean ports?" },
	{ "unknown in eal", DP("  eal = { lcore = \"0-1\"; };\n" PORT), 2, "dataplane.eal.lcore: ",
	  "did you mean lcores?" },
	{ "unknown in port", DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\" ];"
					  " speed = 100;")), 3, "dataplane.ports[0].speed: ",
	  "valid here: device, vlan" },
	{ "unknown in neighbour",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\" ]; neighbours = "
		       "( { ip = \"192.0.2.1\"; mac = \"02:00:00:00:00:01\"; age = 3; } );")), 3,
	  "dataplane.ports[0].neighbours[0].age: ", "unknown setting" },
	{ "unknown in rooms", DP("  rooms = { fanout = 10; };\n" PORT), 2,
	  "dataplane.rooms.fanout: ", "valid here: fanout_per_worker" },

	/* eal */
	{ "file_prefix slash", DP("  eal = { file_prefix = \"a/b\"; };\n" PORT), 2,
	  "dataplane.eal.file_prefix: ", "is not a file prefix" },
	{ "file_prefix empty", DP("  eal = { file_prefix = \"\"; };\n" PORT), 2,
	  "dataplane.eal.file_prefix: ", "is not a file prefix" },
	{ "lcores open range", DP("  eal = { lcores = \"0-\"; };\n" PORT), 2,
	  "dataplane.eal.lcores: ", "\"0-\" is not an lcore list" },
	{ "lcores backwards", DP("  eal = { lcores = \"3-1\"; };\n" PORT), 2,
	  "dataplane.eal.lcores: ", "not an lcore list" },
	{ "lcores too high", DP("  eal = { lcores = \"0-128\"; };\n" PORT), 2,
	  "dataplane.eal.lcores: ", "ids from 0 to 127" },
	{ "lcores trailing comma", DP("  eal = { lcores = \"0,1,\"; };\n" PORT), 2,
	  "dataplane.eal.lcores: ", "not an lcore list" },
	{ "lcores an integer", DP("  eal = { lcores = 3; };\n" PORT), 2, "dataplane.eal.lcores: ",
	  "is an integer; write a string" },
	{ "main_lcore outside", DP("  eal = { lcores = \"0-1\";\n    main_lcore = 3; };\n" PORT), 3,
	  "dataplane.eal.main_lcore: ", "lcore 3 is not in eal.lcores \"0-1\"" },
	{ "single lcore", DP("  eal = { lcores = \"0\"; };\n" PORT), 2, "dataplane.eal.lcores: ",
	  "leaves no lcore for a worker" },
	{ "too many lcores", DP("  eal = { lcores = \"0-20\"; };\n" PORT), 2,
	  "dataplane.eal.lcores: ", "list the ones to use in dataplane.workers" },
	{ "memory_mb quoted", DP("  eal = { memory_mb = \"512\"; };\n" PORT), 2,
	  "dataplane.eal.memory_mb: ", "is a string; write an integer from 64 to 1048576" },
	{ "memory_mb small", DP("  eal = { memory_mb = 10; };\n" PORT), 2,
	  "dataplane.eal.memory_mb: ", "10 is not valid; valid values are 64 to 1048576" },
	{ "hugepages maybe", DP("  eal = { hugepages = \"maybe\"; };\n" PORT), 2,
	  "dataplane.eal.hugepages: ", "\"maybe\" is not valid; valid values are \"auto\", "
	  "\"yes\", \"no\"" },
	{ "hugepages bool", DP("  eal = { hugepages = true; };\n" PORT), 2,
	  "dataplane.eal.hugepages: ", "is a boolean" },
	{ "vdev with space", DP("  eal = { vdevs = [ \"net_tap0, iface=x\" ]; };\n" PORT), 2,
	  "dataplane.eal.vdevs[0]: ", "is not a virtual device" },
	{ "vdevs a string", DP("  eal = { vdevs = \"net_tap0\"; };\n" PORT), 2,
	  "dataplane.eal.vdevs: ", "write an array of strings" },
	{ "pci_allow bad", DP("  eal = { pci_allow = [ \"0000:3b:00.0\", \"3b:00\" ]; };\n" PORT),
	  2, "dataplane.eal.pci_allow[1]: ", "\"3b:00\" is not a PCI address" },
	{ "extra -l", DP("  eal = { extra = [ \"-n\", \"4\",\n    \"-l\", \"0-3\" ]; };\n" PORT), 3,
	  "dataplane.eal.extra[2]: ", "use dataplane.eal.lcores" },
	{ "extra --file-prefix=", DP("  eal = { extra = [ \"--file-prefix=x\" ]; };\n" PORT), 2,
	  "dataplane.eal.extra[0]: ", "use dataplane.eal.file_prefix" },
	{ "extra -m attached", DP("  eal = { extra = [ \"-m1024\" ]; };\n" PORT), 2,
	  "dataplane.eal.extra[0]: ", "use dataplane.eal.memory_mb" },

	/* workers */
	{ "worker outside lcores", DP("  workers = [ 1,\n    2 ];\n" PORT), 3,
	  "dataplane.workers[1]: ", "lcore 2 is not in eal.lcores" },
	{ "worker is main", DP("  workers = [ 0 ];\n" PORT), 2, "dataplane.workers[0]: ",
	  "is the main lcore" },
	{ "worker twice", DP("  eal = { lcores = \"0-3\"; };\n  workers = [ 1, 1 ];\n" PORT), 3,
	  "dataplane.workers[1]: ", "lcore 1 is listed twice" },
	{ "workers empty", DP("  workers = [ ];\n" PORT), 2, "dataplane.workers: ",
	  "lists 0 lcores" },
	{ "worker negative", DP("  workers = [ -1 ];\n" PORT), 2, "dataplane.workers[0]: ",
	  "-1 is not valid" },

	/* ports */
	{ "ports empty", DP("  ports = ( );\n"), 2, "dataplane.ports: ", "lists 0 ports" },
	{ "ports a group", DP("  ports = { device = \"net_tap0\"; };\n"), 2, "dataplane.ports: ",
	  "write a list of groups" },
	{ "port without device", DP(PORT_WITH("addresses = [ \"192.0.2.2/24\" ];")), 2,
	  "dataplane.ports[0]: ", "has no device" },
	{ "port without addresses", DP(PORT_WITH("device = \"net_tap0\";")), 2,
	  "dataplane.ports[0]: ", "has no addresses" },
	{ "address out of range",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\", "
		       "\"192.0.2.300/24\" ];")), 3, "dataplane.ports[0].addresses[1]: ",
	  "\"192.0.2.300/24\" is not an IPv4 or IPv6 address with a prefix length, "
	  "e.g. \"192.0.2.2/24\"" },
	{ "address without prefix",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.2\" ];")), 3,
	  "dataplane.ports[0].addresses[0]: ", "with a prefix length" },
	{ "address prefix 33",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.2/33\" ];")), 3,
	  "dataplane.ports[0].addresses[0]: ", "with a prefix length" },
	{ "address prefix 129",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"2001:db8::2/129\" ];")), 3,
	  "dataplane.ports[0].addresses[0]: ", "with a prefix length" },
	{ "address multicast",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"ff02::1/64\" ];")), 3,
	  "dataplane.ports[0].addresses[0]: ", "is a multicast address" },
	{ "nine addresses",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.1/24\", \"192.0.2.2/24\", "
		       "\"192.0.2.3/24\", \"192.0.2.4/24\", \"192.0.2.5/24\", \"192.0.2.6/24\", "
		       "\"192.0.2.7/24\", \"192.0.2.8/24\", \"192.0.2.9/24\" ];")), 3,
	  "dataplane.ports[0].addresses: ", "lists 9 addresses; a port has 1 to 8" },
	{ "addresses empty", DP(PORT_WITH("device = \"net_tap0\"; addresses = [ ];")), 3,
	  "dataplane.ports[0].addresses: ", "lists 0 addresses" },
	{ "address twice in a port",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\", "
		       "\"192.0.2.2/25\" ];")), 3, "dataplane.ports[0].addresses: ",
	  "192.0.2.2/25 is also an address" },
	{ "address in two ports",
	  DP("  ports = ( { device = \"net_tap0\"; addresses = [ \"2001:db8::2/64\" ]; },\n"
	     "    { device = \"net_tap1\"; addresses = [ \"2001:db8::2/64\" ]; } );\n"), 3,
	  "dataplane.ports[1].addresses: ", "2001:db8::2/64 is also an address" },
	{ "device and vlan twice",
	  DP("  ports = ( { device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\" ]; },\n"
	     "    { device = \"net_tap0\"; addresses = [ \"198.51.100.2/24\" ]; } );\n"), 3,
	  "dataplane.ports[1].device: ", "ports[0] already uses device \"net_tap0\" with vlan 0" },
	{ "device with space", DP(PORT_WITH("device = \"net tap\"; addresses = [ \"192.0.2.2/24\" ];")),
	  3, "dataplane.ports[0].device: ", "is not a device name" },
	{ "device short pci", DP(PORT_WITH("device = \"3b:00.0\"; addresses = [ \"192.0.2.2/24\" ];")),
	  3, "dataplane.ports[0].device: ", "e.g. \"0000:3b:00.0\"" },
	{ "pci device under --no-pci",
	  DP(TAP PORT_WITH("device = \"0000:3b:00.0\"; addresses = [ \"192.0.2.2/24\" ];")), 4,
	  "dataplane.ports[0].device: ", "add \"0000:3b:00.0\" to eal.pci_allow" },
	{ "pci device not allowed",
	  DP("  eal = { pci_allow = [ \"0000:3b:00.1\" ]; };\n"
	     PORT_WITH("device = \"0000:3b:00.0\"; addresses = [ \"192.0.2.2/24\" ];")), 4,
	  "dataplane.ports[0].device: ", "is not in eal.pci_allow" },
	{ "vlan 4095", DP(PORT_WITH("device = \"net_tap0\"; vlan = 4095; addresses = "
				    "[ \"192.0.2.2/24\" ];")), 3, "dataplane.ports[0].vlan: ",
	  "4095 is not valid; valid values are 0 to 4094" },
	{ "vlan negative", DP(PORT_WITH("device = \"net_tap0\"; vlan = -1; addresses = "
					"[ \"192.0.2.2/24\" ];")), 3, "dataplane.ports[0].vlan: ",
	  "-1 is not valid" },
	{ "mtu small", DP(PORT_WITH("device = \"net_tap0\"; mtu = 576; addresses = "
				    "[ \"192.0.2.2/24\" ];")), 3, "dataplane.ports[0].mtu: ",
	  "valid values are 1280 to 9600" },
	{ "rx_desc not a power of two",
	  DP(PORT_WITH("device = \"net_tap0\"; rx_desc = 1000; addresses = [ \"192.0.2.2/24\" ];")),
	  3, "dataplane.ports[0].rx_desc: ", "valid values are powers of two from 64 to 32768" },
	{ "tx_desc float",
	  DP(PORT_WITH("device = \"net_tap0\"; tx_desc = 1024.0; addresses = [ \"192.0.2.2/24\" ];")),
	  3, "dataplane.ports[0].tx_desc: ", "is a number with a fraction" },
	{ "checksum fast",
	  DP(PORT_WITH("device = \"net_tap0\"; checksum = \"fast\"; addresses = [ \"192.0.2.2/24\" ];")),
	  3, "dataplane.ports[0].checksum: ", "\"auto\", \"hardware\", \"software\"" },
	{ "verify_rx_checksum 1",
	  DP(PORT_WITH("device = \"net_tap0\"; verify_rx_checksum = 1; addresses = "
		       "[ \"192.0.2.2/24\" ];")), 3, "dataplane.ports[0].verify_rx_checksum: ",
	  "write true or false" },
	{ "gateway4 is IPv6",
	  DP(PORT_WITH("device = \"net_tap0\"; gateway4 = \"2001:db8::1\"; addresses = "
		       "[ \"192.0.2.2/24\" ];")), 3, "dataplane.ports[0].gateway4: ",
	  "is not an IPv4 address" },
	{ "gateway4 off link",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\" ]; "
		       "gateway4 = \"192.0.3.1\";")), 3, "dataplane.ports[0].gateway4: ",
	  "192.0.3.1 is not inside any of the port's prefixes (192.0.2.2/24)" },
	{ "gateway4 is own address",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\" ]; "
		       "gateway4 = \"192.0.2.2\";")), 3, "dataplane.ports[0].gateway4: ",
	  "is this port's own address" },
	{ "gateway6 without IPv6",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\" ]; "
		       "gateway6 = \"2001:db8::1\";")), 3, "dataplane.ports[0].gateway6: ",
	  "the port has no IPv6 address" },
	{ "neighbour bad mac",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\" ]; neighbours = "
		       "( { ip = \"192.0.2.1\"; mac = \"02:00:00:00:00\"; } );")), 3,
	  "dataplane.ports[0].neighbours[0].mac: ", "is not a unicast MAC address" },
	{ "neighbour multicast mac",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\" ]; neighbours = "
		       "( { ip = \"192.0.2.1\"; mac = \"01:00:5e:00:00:01\"; } );")), 3,
	  "dataplane.ports[0].neighbours[0].mac: ", "is not a unicast MAC address" },
	{ "neighbour without mac",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\" ]; neighbours = "
		       "( { ip = \"192.0.2.1\"; } );")), 3, "dataplane.ports[0].neighbours[0]: ",
	  "needs both ip and mac" },
	{ "neighbour off link",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\" ]; neighbours = "
		       "( { ip = \"10.0.0.1\"; mac = \"02:00:00:00:00:01\"; } );")), 3,
	  "dataplane.ports[0].neighbours[0]: ", "a next hop must be on the link" },
	{ "neighbour twice",
	  DP(PORT_WITH("device = \"net_tap0\"; addresses = [ \"192.0.2.2/24\" ]; neighbours = "
		       "( { ip = \"192.0.2.1\"; mac = \"02:00:00:00:00:01\"; },\n"
		       "{ ip = \"192.0.2.1\"; mac = \"02:00:00:00:00:02\"; } );")), 4,
	  "dataplane.ports[0].neighbours[1]: ", "repeats neighbours[0]'s ip" },

	/* pool, limits, shm, timers, srtp, rooms */
	{ "mbufs small", DP("  pool = { mbufs = 100; };\n" PORT), 2, "dataplane.pool.mbufs: ",
	  "valid values are 1023 to 16777215" },
	{ "cache too big", DP("  pool = { mbufs = 1023;\n    mbuf_cache = 513; };\n" PORT), 3,
	  "dataplane.pool.mbuf_cache: ", "valid values are 0 to 512" },
	{ "legs 0", DP("  limits = { legs = 0; };\n" PORT), 2, "dataplane.limits.legs: ",
	  "valid values are 1 to 16777215" },
	{ "streams 2^24", DP("  limits = { streams = 16777216; };\n" PORT), 2,
	  "dataplane.limits.streams: ", "16777216 is not valid" },
	{ "shm name without slash", DP("  shm = { name = \"strata\"; };\n" PORT), 2,
	  "dataplane.shm.name: ", "e.g. \"/strata\"" },
	{ "shm name two slashes", DP("  shm = { name = \"/a/b\"; };\n" PORT), 2,
	  "dataplane.shm.name: ", "is not a POSIX shared-memory name" },
	{ "shm group missing", DP("  shm = { group = \"no-such-group-strata\"; };\n" PORT), 2,
	  "dataplane.shm.group: ", "groupadd --system no-such-group-strata" },
	{ "event_slots 1000", DP("  shm = { event_slots = 1000; };\n" PORT), 2,
	  "dataplane.shm.event_slots: ", "powers of two from 16 to 1048576" },
	{ "housekeeping 0", DP("  timers = { housekeeping_us = 0; };\n" PORT), 2,
	  "dataplane.timers.housekeeping_us: ", "valid values are 1 to 1000000" },
	{ "stats interval 50", DP("  timers = { stats_interval_ms = 50; };\n" PORT), 2,
	  "dataplane.timers.stats_interval_ms: ", "100 to 3600000" },
	{ "replay window 32", DP("  srtp = { replay_window = 32; };\n" PORT), 2,
	  "dataplane.srtp.replay_window: ", "valid values are 64 to 1984" },
	{ "replay window 2048", DP("  srtp = { replay_window = 2048; };\n" PORT), 2,
	  "dataplane.srtp.replay_window: ", "2048 is not valid" },
	{ "fanout 0", DP("  rooms = { fanout_per_worker = 0; };\n" PORT), 2,
	  "dataplane.rooms.fanout_per_worker: ", "valid values are 1 to 1000000" },
	{ "timers a list", DP("  timers = ( 1, 2 );\n" PORT), 2, "dataplane.timers: ",
	  "must be a group" },
};

static void check_load_cases(void)
{
	for (size_t i = 0; i < ARRAY_LEN(load_cases); i++) {
		const struct load_case *t = &load_cases[i];
		const char *path = write_file("case.conf", t->text);
		struct dp_config cfg;
		char err[1024], want[512];
		int ret = dp_config_load(path, &cfg, err, sizeof(err));

		if (!t->line) {
			CHECK(ret == 0, "%s: did not load: %s", t->name, err);
			CHECK(!err[0], "%s: loaded with a message: %s", t->name, err);
			dp_config_free(&cfg);
			continue;
		}
		CHECK(ret == -1, "%s: loaded, but should fail at line %d", t->name, t->line);
		if (ret != -1)
			continue;
		/* "FILE:LINE: SETTING: ...", or "FILE: ..." when there is no line. */
		if (t->line > 0)
			snprintf(want, sizeof(want), "%s:%d: %s", path, t->line, t->setting);
		else
			snprintf(want, sizeof(want), "%s: %s", path, t->setting);
		CHECK(!strncmp(err, want, strlen(want)), "%s: error should start \"%s\": %s",
		      t->name, want, err);
		CHECK(strstr(err, t->phrase) != NULL, "%s: error should say \"%s\": %s", t->name,
		      t->phrase, err);
		/* A failed load owns nothing: the config is the defaults again. */
		CHECK(cfg.ports == NULL && cfg.eal.vdevs.v == NULL,
		      "%s: failed load left allocations", t->name);
		dp_config_free(&cfg);
	}
}

static void check_missing_file(void)
{
	struct dp_config cfg;
	char err[512], path[300];

	snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmpdir);
	CHECK(dp_config_load(path, &cfg, err, sizeof(err)) == -1, "a missing file loaded");
	CHECK(strstr(err, path) && strstr(err, "No such file"), "missing file: %s", err);
}

/* ---- values -------------------------------------------------------------- */

static bool ip_is(const struct dp_ip *ip, const char *text)
{
	char buf[64];

	return !strcmp(dp_ip_format(ip, buf, sizeof(buf)), text);
}

/* conf/strata.conf, next to this file's directory. */
static void check_default_file(void)
{
	char path[1024], err[1024];
	const char *slash = strrchr(__FILE__, '/');
	struct dp_config cfg;
	const struct dp_port_config *p;

	/* __FILE__ is ".../tests/test_dp_config.c", absolute or relative to
	 * the build directory, where meson runs the test. */
	snprintf(path, sizeof(path), "%.*s/../conf/strata.conf",
		 slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
	if (access(path, R_OK) != 0) {
		CHECK(0, "cannot find conf/strata.conf at %s", path);
		return;
	}
	CHECK(dp_config_load(path, &cfg, err, sizeof(err)) == 0, "conf/strata.conf: %s", err);
	if (cfg.n_ports != 1) {
		CHECK(0, "conf/strata.conf: %u ports, 1 expected", cfg.n_ports);
		dp_config_free(&cfg);
		return;
	}
	p = &cfg.ports[0];
	CHECK(!strcmp(cfg.eal.lcores, "0-1") && cfg.eal.main_lcore == 0, "default lcores");
	CHECK(cfg.n_workers == 1 && cfg.workers[0] == 1, "default workers");
	CHECK(cfg.eal.hugepages == DP_HUGEPAGES_AUTO, "default hugepages");
	CHECK(cfg.eal.vdevs.n == 1 && !strcmp(cfg.eal.vdevs.v[0], "net_tap0,iface=strata0"),
	      "default vdev");
	CHECK(!strcmp(p->device, "net_tap0") && p->vlan == 0 && p->mtu == 1500, "default port");
	CHECK(p->n_addresses == 2 && ip_is(&p->addresses[0], "192.0.2.2/24") &&
	      ip_is(&p->addresses[1], "2001:db8::2/64"), "default addresses");
	CHECK(!p->gateway4.family && !p->gateway6.family && p->n_neighbours == 0,
	      "default: no gateways or neighbours");
	CHECK(!strcmp(cfg.shm.name, "/strata") && cfg.shm.gid == (gid_t)-1, "default shm");
	dp_config_free(&cfg);
}

/* A file with only a port gives every documented default. */
static void check_defaults(void)
{
	const char *path = write_file("min.conf", DP(PORT));
	struct dp_config cfg;
	char err[1024];

	CHECK(dp_config_load(path, &cfg, err, sizeof(err)) == 0, "minimal: %s", err);
	CHECK(!strcmp(cfg.eal.file_prefix, "strata"), "file_prefix default");
	CHECK(!strcmp(cfg.eal.lcores, "0-1") && cfg.eal.main_lcore == 0, "lcores default");
	CHECK(dp_config_has_lcore(&cfg.eal, 0) && dp_config_has_lcore(&cfg.eal, 1) &&
	      !dp_config_has_lcore(&cfg.eal, 2), "lcore mask default");
	CHECK(cfg.eal.memory_mb == 512 && cfg.eal.hugepages == DP_HUGEPAGES_AUTO, "memory");
	CHECK(cfg.eal.vdevs.n == 0 && cfg.eal.pci_allow.n == 0 && cfg.eal.extra.n == 0, "lists");
	CHECK(cfg.n_workers == 1 && cfg.workers[0] == 1, "workers default");
	CHECK(cfg.n_ports == 1, "one port");
	if (cfg.n_ports == 1) {
		const struct dp_port_config *p = &cfg.ports[0];
		CHECK(p->vlan == 0 && p->mtu == 1500 && p->rx_desc == 1024 && p->tx_desc == 1024,
		      "port numbers default");
		CHECK(p->checksum == DP_CHECKSUM_AUTO && p->verify_rx_checksum, "checksums default");
		CHECK(p->n_addresses == 1 && p->addresses[0].family == AF_INET &&
		      p->addresses[0].prefix_len == 24, "address parsed");
	}
	CHECK(cfg.pool.mbufs == 16383 && cfg.pool.mbuf_cache == 512, "pool default");
	CHECK(cfg.limits.legs == 4096 && cfg.limits.streams == 16384 &&
	      cfg.limits.sources == 8192 && cfg.limits.subscriptions == 65536, "limits default");
	CHECK(!strcmp(cfg.shm.name, "/strata") && !cfg.shm.group[0] &&
	      cfg.shm.gid == (gid_t)-1, "shm name/group default");
	CHECK(cfg.shm.command_slots == 1024 && cfg.shm.event_slots == 4096 &&
	      cfg.shm.punt_slots == 1024 && cfg.shm.tx_slots == 1024, "shm slots default");
	CHECK(cfg.timers.housekeeping_us == 1000 && cfg.timers.stats_interval_ms == 1000 &&
	      cfg.timers.stream_timeout_ms == 3000 && cfg.timers.keyframe_request_ms == 500,
	      "timers default");
	CHECK(cfg.srtp.replay_window == 1024, "replay window default");
	CHECK(cfg.rooms.fanout_per_worker == 1000, "fanout default");
	dp_config_free(&cfg);
}

/* Every setting away from its default lands where it should. */
static void check_everything_set(void)
{
	static const char text[] = DP(
		"  eal = { file_prefix = \"dp-test\"; lcores = \"2,4-7\"; main_lcore = 5;\n"
		"    memory_mb = 1024; hugepages = \"no\";\n"
		"    vdevs = [ \"net_null0\", \"net_null1\" ];\n"
		"    pci_allow = [ \"0000:3b:00.0\" ]; extra = [ \"--log-level=8\" ]; };\n"
		"  workers = [ 7, 2, 4 ];\n"
		"  ports = ( { device = \"0000:3b:00.0\"; vlan = 100; mtu = 9000;\n"
		"      rx_desc = 4096; tx_desc = 512;\n"
		"      addresses = [ \"198.51.100.10/28\", \"2001:db8:100::10/64\" ];\n"
		"      gateway4 = \"198.51.100.1\"; gateway6 = \"fe80::1\";\n"
		"      neighbours = ( { ip = \"198.51.100.1\"; mac = \"02:00:5E:00:01:0a\"; },\n"
		"                     { ip = \"fe80::1\"; mac = \"02:00:00:00:00:02\"; } );\n"
		"      checksum = \"software\"; verify_rx_checksum = false; },\n"
		"    { device = \"net_null1\"; addresses = [ \"192.0.2.2/32\" ]; } );\n"
		"  pool = { mbufs = 65535; mbuf_cache = 512; };\n"
		"  limits = { legs = 1; streams = 2; sources = 3; subscriptions = 16777215; };\n"
		"  shm = { name = \"/strata-test\"; group = \"root\"; command_slots = 16;\n"
		"    event_slots = 1048576; punt_slots = 64; tx_slots = 128; };\n"
		"  timers = { housekeeping_us = 50; stats_interval_ms = 200;\n"
		"    stream_timeout_ms = 10000; keyframe_request_ms = 10; };\n"
		"  srtp = { replay_window = 1984; };\n"
		"  rooms = { fanout_per_worker = 64; };\n");
	const char *path = write_file("all.conf", text);
	struct dp_config cfg;
	char err[1024];

	CHECK(dp_config_load(path, &cfg, err, sizeof(err)) == 0, "everything: %s", err);
	if (cfg.n_ports != 2) {
		CHECK(0, "everything: %u ports", cfg.n_ports);
		dp_config_free(&cfg);
		return;
	}
	const struct dp_port_config *p = &cfg.ports[0], *q = &cfg.ports[1];
	CHECK(!strcmp(cfg.eal.file_prefix, "dp-test") && !strcmp(cfg.eal.lcores, "2,4-7") &&
	      cfg.eal.main_lcore == 5, "eal names");
	CHECK(cfg.eal.lcore_mask[0] == 0xf4 && cfg.eal.lcore_mask[1] == 0, "lcore mask %#llx",
	      (unsigned long long)cfg.eal.lcore_mask[0]);
	CHECK(cfg.eal.memory_mb == 1024 && cfg.eal.hugepages == DP_HUGEPAGES_NO, "eal memory");
	CHECK(cfg.eal.vdevs.n == 2 && !strcmp(cfg.eal.vdevs.v[1], "net_null1") &&
	      cfg.eal.pci_allow.n == 1 && cfg.eal.extra.n == 1, "eal lists");
	CHECK(cfg.n_workers == 3 && cfg.workers[0] == 7 && cfg.workers[1] == 2 &&
	      cfg.workers[2] == 4, "workers in the order given");
	CHECK(!strcmp(p->device, "0000:3b:00.0") && p->vlan == 100 && p->mtu == 9000 &&
	      p->rx_desc == 4096 && p->tx_desc == 512, "port numbers");
	CHECK(ip_is(&p->addresses[1], "2001:db8:100::10/64") &&
	      p->addresses[1].family == AF_INET6, "IPv6 address");
	CHECK(ip_is(&p->gateway4, "198.51.100.1") && ip_is(&p->gateway6, "fe80::1"), "gateways");
	CHECK(p->n_neighbours == 2 && ip_is(&p->neighbours[1].ip, "fe80::1"), "neighbours");
	CHECK_MEM(p->neighbours[0].mac, "\x02\x00\x5e\x00\x01\x0a", 6, "neighbour mac");
	CHECK(p->checksum == DP_CHECKSUM_SOFTWARE && !p->verify_rx_checksum, "checksums");
	CHECK(q->vlan == 0 && q->n_addresses == 1 && ip_is(&q->addresses[0], "192.0.2.2/32"),
	      "second port keeps its own defaults");
	CHECK(cfg.pool.mbufs == 65535 && cfg.pool.mbuf_cache == 512, "pool");
	CHECK(cfg.limits.legs == 1 && cfg.limits.streams == 2 && cfg.limits.sources == 3 &&
	      cfg.limits.subscriptions == 16777215, "limits");
	CHECK(!strcmp(cfg.shm.name, "/strata-test") && !strcmp(cfg.shm.group, "root") &&
	      cfg.shm.gid == 0, "shm group root is gid 0");
	CHECK(cfg.shm.command_slots == 16 && cfg.shm.event_slots == 1048576 &&
	      cfg.shm.punt_slots == 64 && cfg.shm.tx_slots == 128, "shm slots");
	CHECK(cfg.timers.housekeeping_us == 50 && cfg.timers.stats_interval_ms == 200 &&
	      cfg.timers.stream_timeout_ms == 10000 && cfg.timers.keyframe_request_ms == 10,
	      "timers");
	CHECK(cfg.srtp.replay_window == 1984 && cfg.rooms.fanout_per_worker == 64, "srtp, rooms");
	dp_config_free(&cfg);
}

/* ---- EAL cases ----------------------------------------------------------- */

#define MEMINFO(total, free, size_kb) \
	"MemTotal: 4000000 kB\nHugePages_Total: " #total "\nHugePages_Free: " #free \
	"\nHugePages_Rsvd: 0\nHugePages_Surp: 0\nHugepagesize: " #size_kb " kB\n"
#define MOUNTED "proc /proc proc rw 0 0\nnodev /dev/hugepages hugetlbfs rw,pagesize=2M 0 0\n"
#define UNMOUNTED "proc /proc proc rw 0 0\ntmpfs /run tmpfs rw 0 0\n"
#define NO_FILE NULL

#define HEAD "strata-dp -l 0-1 --main-lcore 0 --file-prefix strata"
#define TAP_ARGS "--vdev net_tap0,iface=strata0 --no-pci"

struct eal_case {
	const char *name;
	const char *dataplane;  /* the dataplane section's body, PORT added */
	const char *meminfo;    /* NO_FILE: the path does not exist */
	const char *mounts;
	const char *tail[6];    /* strata-dp's command line after `--` */
	const char *argv;       /* joined by spaces */
	const char *warning;    /* NULL: none */
};

#define VDEV_EAL(more) "  eal = { vdevs = [ \"net_tap0,iface=strata0\" ]; " more " };\n"

static const struct eal_case eal_cases[] = {
	{ "vdev, hugepages no", VDEV_EAL("hugepages = \"no\";"), NO_FILE, NO_FILE, { NULL },
	  HEAD " " TAP_ARGS " --no-huge -m 512", NULL },
	{ "pci, hugepages yes",
	  "  eal = { pci_allow = [ \"0000:3b:00.0\" ]; hugepages = \"yes\"; };\n", NO_FILE, NO_FILE,
	  { NULL }, HEAD " -a 0000:3b:00.0", NULL },
	{ "vdev and pci: no --no-pci",
	  "  eal = { vdevs = [ \"net_tap0\" ]; pci_allow = [ \"0000:3b:00.0\" ]; "
	  "hugepages = \"yes\"; };\n", NO_FILE, NO_FILE, { NULL },
	  HEAD " --vdev net_tap0 -a 0000:3b:00.0", NULL },
	{ "auto, free hugepages", VDEV_EAL(""), MEMINFO(512, 512, 2048), MOUNTED, { NULL },
	  HEAD " " TAP_ARGS, NULL },
	{ "auto, exactly enough", VDEV_EAL(""), MEMINFO(256, 256, 2048), MOUNTED, { NULL },
	  HEAD " " TAP_ARGS, NULL },
	{ "auto, 1G pages", VDEV_EAL(""), MEMINFO(1, 1, 1048576), MOUNTED, { NULL },
	  HEAD " " TAP_ARGS, NULL },
	{ "auto, no free hugepages", VDEV_EAL(""), MEMINFO(0, 0, 2048), MOUNTED, { NULL },
	  HEAD " " TAP_ARGS " --no-huge -m 512",
	  "no free hugepages (HugePages_Free: 0): running with --no-huge; reserve some with "
	  "`echo 256 > /proc/sys/vm/nr_hugepages` for better performance" },
	{ "auto, too few", VDEV_EAL("memory_mb = 1024;"), MEMINFO(300, 100, 2048), MOUNTED,
	  { NULL }, HEAD " " TAP_ARGS " --no-huge -m 1024",
	  "only 100 free hugepages of 2048 kB, less than eal.memory_mb = 1024 needs (512): "
	  "running with --no-huge; reserve more with `echo 712 > /proc/sys/vm/nr_hugepages`" },
	{ "auto, not mounted", VDEV_EAL(""), MEMINFO(512, 512, 2048), UNMOUNTED, { NULL },
	  HEAD " " TAP_ARGS " --no-huge -m 512", "no hugetlbfs is mounted" },
	{ "auto, no meminfo", VDEV_EAL(""), NO_FILE, MOUNTED, { NULL },
	  HEAD " " TAP_ARGS " --no-huge -m 512", "cannot read" },
	{ "auto, kernel without hugepages", VDEV_EAL(""), "MemTotal: 4000000 kB\n", MOUNTED,
	  { NULL }, HEAD " " TAP_ARGS " --no-huge -m 512", "this kernel has no hugepages" },
	{ "extra, then the command line, last",
	  VDEV_EAL("hugepages = \"no\"; extra = [ \"--log-level=8\", \"-n\", \"4\" ];"), NO_FILE,
	  NO_FILE, { "--file-prefix", "other", "-m", "2048", NULL },
	  HEAD " " TAP_ARGS " --no-huge -m 512 --log-level=8 -n 4 --file-prefix other -m 2048",
	  NULL },
	{ "command line core list replaces ours", VDEV_EAL("hugepages = \"yes\";"), NO_FILE, NO_FILE,
	  { "-l", "2-3", NULL },
	  "strata-dp --file-prefix strata " TAP_ARGS " -l 2-3", NULL },
	{ "command line --lcores= replaces ours", VDEV_EAL("hugepages = \"yes\";"), NO_FILE,
	  NO_FILE, { "--lcores=0@0,1@1", NULL },
	  "strata-dp --file-prefix strata " TAP_ARGS " --lcores=0@0,1@1", NULL },
	{ "command line -a: no --no-pci", VDEV_EAL("hugepages = \"yes\";"), NO_FILE, NO_FILE,
	  { "-a", "0000:3b:00.0", NULL },
	  HEAD " --vdev net_tap0,iface=strata0 -a 0000:3b:00.0", NULL },
	{ "command line -b drops our -a",
	  "  eal = { pci_allow = [ \"0000:3b:00.0\" ]; hugepages = \"yes\"; };\n", NO_FILE, NO_FILE,
	  { "-b", "0000:5e:00.0", NULL }, HEAD " -b 0000:5e:00.0", NULL },
	{ "command line --no-huge brings -m", VDEV_EAL("hugepages = \"yes\";"), NO_FILE, NO_FILE,
	  { "--no-huge", NULL }, HEAD " " TAP_ARGS " -m 512 --no-huge", NULL },
	{ "command line --no-huge skips the probe", VDEV_EAL(""), MEMINFO(0, 0, 2048), MOUNTED,
	  { "--no-huge", NULL }, HEAD " " TAP_ARGS " -m 512 --no-huge", NULL },
	{ "main lcore and prefix from the file",
	  "  eal = { lcores = \"1-3\"; main_lcore = 3; file_prefix = \"t1\"; hugepages = \"no\";"
	  " memory_mb = 256; };\n", NO_FILE, NO_FILE, { NULL },
	  "strata-dp -l 1-3 --main-lcore 3 --file-prefix t1 --no-huge -m 256", NULL },
};

static void check_eal_cases(void)
{
	for (size_t i = 0; i < ARRAY_LEN(eal_cases); i++) {
		const struct eal_case *t = &eal_cases[i];
		char text[2048], err[1024], joined[2048] = "", missing[300];
		struct dp_config cfg;
		char **argv = NULL, *tail[6];
		int argc = 0, tail_n = 0;

		snprintf(text, sizeof(text), DP("%s" PORT), t->dataplane);
		if (dp_config_load(write_file("eal.conf", text), &cfg, err, sizeof(err)) < 0) {
			CHECK(0, "%s: does not load: %s", t->name, err);
			continue;
		}
		snprintf(missing, sizeof(missing), "%s/missing", tmpdir);
		cfg.eal.meminfo_path = t->meminfo ? write_file("meminfo", t->meminfo) : missing;
		cfg.eal.mounts_path = t->mounts ? write_file("mounts", t->mounts) : missing;
		for (; t->tail[tail_n]; tail_n++)
			tail[tail_n] = (char *)t->tail[tail_n];

		CHECK(dp_config_eal_args(&cfg, tail_n, tail, "strata-dp", &argc, &argv, err,
					 sizeof(err)) == 0, "%s: %s", t->name, err);
		for (int k = 0; argv && k < argc; k++)
			snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s",
				 k ? " " : "", argv[k]);
		CHECK(!strcmp(joined, t->argv), "%s:\n  got  %s\n  want %s", t->name, joined,
		      t->argv);
		CHECK(argv && argv[argc] == NULL, "%s: argv not NULL-terminated", t->name);
		if (t->warning)
			CHECK(strstr(err, t->warning) != NULL, "%s: warning should say \"%s\": %s",
			      t->name, t->warning, err);
		else
			CHECK(!err[0], "%s: unexpected warning: %s", t->name, err);
		free(argv);
		dp_config_free(&cfg);
	}
}

/* The fallback decision on its own, with the files in the shape the
 * kernel writes them (rsvd pages are promised, not free). */
static void check_hugepages_usable(void)
{
	const char *mounts = write_file("mounts", MOUNTED);
	char why[512];

	CHECK(dp_hugepages_usable(write_file("meminfo", MEMINFO(512, 512, 2048)), mounts, 512,
				  why, sizeof(why)), "512 free pages back 512 MB");
	CHECK(!dp_hugepages_usable(write_file("meminfo", MEMINFO(512, 255, 2048)), mounts, 512,
				   why, sizeof(why)), "255 pages do not back 512 MB");
	CHECK(!dp_hugepages_usable(write_file("meminfo", "HugePages_Total: 10\nHugePages_Free: 10\n"
					      "HugePages_Rsvd: 10\nHugepagesize: 2048 kB\n"),
				   mounts, 16, why, sizeof(why)) &&
	      strstr(why, "all reserved"), "reserved pages are not free: %s", why);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	check_load_cases();
	check_missing_file();
	check_default_file();
	check_defaults();
	check_everything_set();
	check_eal_cases();
	check_hugepages_usable();

	/* Leave nothing behind in /tmp. */
	static const char *const names[] = { "case.conf", "min.conf", "all.conf", "eal.conf",
					     "meminfo", "mounts" };
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		char path[300];
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	return test_summary("test_dp_config");
}
