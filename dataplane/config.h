/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * strata-dp's configuration: the `dataplane` section of a libconfig file
 * (conf/strata.conf documents every setting), and the EAL argument vector
 * built from it.
 *
 * The same file will also hold a `controlplane` section (and anything else
 * the other programs need); strata-dp reads only its own section and never
 * looks at the rest.  Inside `dataplane`, on the other hand, a setting it
 * does not know is an error: a misspelt name would otherwise silently give
 * the default.
 *
 * Loading checks everything that can be checked without DPDK (ranges,
 * addresses, cross-references such as workers within lcores), so that a
 * mistake is reported with its file, line and setting before EAL starts.
 * What only the running system knows (whether a device exists, how many
 * descriptors a NIC takes) is left to port start-up.
 */
#ifndef STRATA_DP_CONFIG_H
#define STRATA_DP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Bounds of what the file may ask for, so that going past one is reported
 * with its line rather than at port start.  Lcores follow Debian's DPDK
 * 22.11 build (RTE_MAX_LCORE 128); workers, ports and addresses are the
 * dataplane's own limits (DP_MAX_WORKERS in tables.h, DP_MAX_PORTS in dp.h,
 * DP_IFACE_MAX_ADDRS in net/iface.h): keep each pair equal. */
#define DP_CONFIG_MAX_LCORES 128
#define DP_CONFIG_MAX_WORKERS 16
#define DP_CONFIG_MAX_PORTS 8
#define DP_CONFIG_MAX_ADDRESSES 8    /* per port */
#define DP_CONFIG_MAX_NEIGHBOURS 64  /* static entries per port */
#define DP_CONFIG_DEVICE_LEN 64      /* RTE_ETH_NAME_MAX_LEN */
#define DP_CONFIG_NAME_LEN 64        /* file_prefix, shm group */
#define DP_CONFIG_LCORES_LEN 256
#define DP_CONFIG_SHM_NAME_LEN 256   /* NAME_MAX and the leading slash */
#define DP_CONFIG_MAX_ID 16777215u   /* 24-bit ids: limits.* */

enum dp_hugepages {
	DP_HUGEPAGES_AUTO = 0, /* hugepages when the machine has enough free ones */
	DP_HUGEPAGES_YES,      /* always; EAL fails if there are none */
	DP_HUGEPAGES_NO,       /* --no-huge -m memory_mb */
};

enum dp_checksum {
	DP_CHECKSUM_AUTO = 0,  /* hardware where the port offers it, else software */
	DP_CHECKSUM_HARDWARE,  /* hardware; port start fails if it is not offered */
	DP_CHECKSUM_SOFTWARE,  /* always computed by the worker */
};

/* An IP address, with its prefix length when it is an interface address. */
struct dp_ip {
	uint8_t family;      /* AF_INET, AF_INET6; 0 = not set */
	uint8_t prefix_len;  /* 0 for a plain address (gateway, neighbour) */
	uint8_t addr[16];    /* network byte order; IPv4 in addr[0..3] */
};

struct dp_neighbour {
	struct dp_ip ip;
	uint8_t mac[6];
};

/* A list of strings from the file; each string and the array are malloc'd. */
struct dp_string_list {
	char **v;
	unsigned n;
};

struct dp_eal_config {
	char file_prefix[DP_CONFIG_NAME_LEN];
	char lcores[DP_CONFIG_LCORES_LEN];  /* the EAL -l list, as written */
	uint64_t lcore_mask[DP_CONFIG_MAX_LCORES / 64]; /* the same, parsed */
	uint32_t main_lcore;
	uint32_t memory_mb;
	enum dp_hugepages hugepages;
	struct dp_string_list vdevs;        /* --vdev arguments */
	struct dp_string_list pci_allow;    /* -a arguments */
	struct dp_string_list extra;        /* raw EAL arguments */
	/* Not settings: where hugepages = "auto" looks (tests point these at
	 * fake files).  Defaults: /proc/meminfo, /proc/mounts. */
	const char *meminfo_path;
	const char *mounts_path;
};

struct dp_port_config {
	char device[DP_CONFIG_DEVICE_LEN];  /* rte_eth_dev_get_port_by_name() */
	uint32_t vlan;                      /* 0 = untagged */
	uint32_t mtu;
	uint32_t rx_desc, tx_desc;
	struct dp_ip addresses[DP_CONFIG_MAX_ADDRESSES];
	unsigned n_addresses;
	struct dp_ip gateway4, gateway6;    /* family 0 = none */
	struct dp_neighbour neighbours[DP_CONFIG_MAX_NEIGHBOURS];
	unsigned n_neighbours;
	enum dp_checksum checksum;          /* transmit */
	bool verify_rx_checksum;
};

struct dp_config {
	struct dp_eal_config eal;
	uint32_t workers[DP_CONFIG_MAX_WORKERS]; /* lcore ids */
	unsigned n_workers;
	struct dp_port_config *ports;       /* malloc'd */
	unsigned n_ports;
	struct {
		uint32_t mbufs;
		uint32_t mbuf_cache;
	} pool;
	struct {
		uint32_t legs, streams, sources, subscriptions;
	} limits;
	struct {
		char name[DP_CONFIG_SHM_NAME_LEN];
		char group[DP_CONFIG_NAME_LEN];
		gid_t gid;  /* group's id; (gid_t)-1 when group is "" (fchown keeps it) */
		uint32_t command_slots, event_slots, punt_slots, tx_slots;
	} shm;
	struct {
		uint32_t housekeeping_us;
		uint32_t stats_interval_ms;
		uint32_t stream_timeout_ms;
		uint32_t keyframe_request_ms;
	} timers;
	struct {
		uint32_t replay_window;
	} srtp;
	struct {
		uint32_t fanout_per_worker;
	} rooms;
	struct {
		uint32_t rtx_cache_ms;       /* how long a packet stays retransmittable */
		uint32_t rtx_cache_mbufs;    /* mbufs all retransmission caches may hold */
		uint32_t report_interval_ms; /* mean interval of the router's SRs and RRs */
	} rtcp;
};

/* Fills cfg with every default: lcores "0-1", main lcore 0, worker 1, no
 * port.  Owns nothing yet. */
void dp_config_defaults(struct dp_config *cfg);

/*
 * Reads the `dataplane` section of the libconfig file at path into cfg
 * (defaults first, then the file).  Returns 0, or -1 with a message in err
 * naming the file, line and setting and saying what would be valid, e.g.
 *   strata.conf:31: dataplane.ports[0].addresses[1]: "192.0.2.300/24" is not
 *   an IPv4 or IPv6 address with a prefix length, e.g. "192.0.2.2/24"
 * On failure cfg owns nothing; dp_config_free() is safe either way.
 */
int dp_config_load(const char *path, struct dp_config *cfg, char *err, size_t errlen);

/* Frees what dp_config_load allocated and resets cfg to the defaults. */
void dp_config_free(struct dp_config *cfg);

/*
 * Whether EAL can back memory_mb of memory with hugepages: free default-size
 * pages in meminfo_path (HugePages_Free less HugePages_Rsvd, times
 * Hugepagesize) and a hugetlbfs in mounts_path.  When not, why says so and
 * what to do about it, in a sentence the caller prints as a warning.
 */
bool dp_hugepages_usable(const char *meminfo_path, const char *mounts_path, uint32_t memory_mb,
			 char *why, size_t whylen);

/*
 * The argument vector for rte_eal_init():
 *   argv0 -l LCORES --main-lcore N --file-prefix P [--vdev V]... [-a PCI]...
 *   [--no-pci] [--no-huge -m MB] [eal.extra]... [extra_argv]...
 * --no-pci when there are vdevs but no PCI addresses (EAL would otherwise
 * take every NIC it can bind); --no-huge -m when hugepages = "no", or
 * "auto" and dp_hugepages_usable() says no.  extra_argv (strata-dp's
 * command line after `--`) comes last so that it overrides; where EAL
 * refuses an option twice (-l, -c, --lcores) or two options together
 * (-a with -b), the configuration's own is left out instead.
 *
 * Returns 0 and, when err[0] != 0, a warning the caller prints (the auto
 * fallback to --no-huge); -1 with err on failure.  *argv_out is one
 * allocation, NULL-terminated: free(*argv_out) releases it all, even after
 * rte_eal_init() has reordered the pointers.
 */
int dp_config_eal_args(const struct dp_config *cfg, int extra_argc, char **extra_argv,
		       const char *argv0, int *argc_out, char ***argv_out, char *err,
		       size_t errlen);

/* Whether lcore id is in eal.lcores. */
static inline bool dp_config_has_lcore(const struct dp_eal_config *eal, uint32_t id)
{
	return id < DP_CONFIG_MAX_LCORES && (eal->lcore_mask[id / 64] >> (id % 64) & 1);
}

/* "192.0.2.2/24", "2001:db8::2", "(none)": for messages. */
const char *dp_ip_format(const struct dp_ip *ip, char *buf, size_t len);

#endif /* STRATA_DP_CONFIG_H */
