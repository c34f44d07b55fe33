/* net.h — a container's network: what the user asked for (pure data,
 * parsed and validated before anything changes), and the start path's
 * calls that build and remove it.
 *
 *   none      own net namespace, only lo (up)            (the default)
 *   host      no net namespace: the host's network
 *   veth      eth0 in the container, its peer hv<addr> on the host side,
 *             a /30 of the subnet (host .1, container .2), default route
 *   bridge    eth0 in the container, its peer in bridge NAME (hull0),
 *             which is created with the subnet's first address if missing
 *   ns:PATH   join an existing net namespace
 *   cni:FILE  run the CNI plugins of a .conflist (ADD before, DEL after)
 *
 * Defaults (hull's own, documented in core/README.md): bridge hull0 on
 * 198.18.0.0/16 (gateway 198.18.0.1), veth /30s out of 198.19.0.0/16:
 * the benchmarking range (RFC 2544), which no real network routes. */
#ifndef HULL_NET_H
#define HULL_NET_H

#include "error.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define HULL_NET_BRIDGE_DEFAULT	  "hull0"
#define HULL_NET_BRIDGE_SUBNET	  "198.18.0.0/16"
#define HULL_NET_VETH_SUBNET	  "198.19.0.0/16"
#define HULL_NET_STATE_DIR	  "/run/hull/net"
#define HULL_NET_IFNAME		  "eth0"
#define HULL_NET_IFNAMSIZ	  16 /* IFNAMSIZ, with its NUL */
#define HULL_NET_CNI_PATH_DEFAULT "/opt/cni/bin:/usr/lib/cni"

enum hull_net_mode {
	HULL_NET_NONE,	 /* a new net namespace with lo up (or no namespace at all) */
	HULL_NET_HOST,	 /* the caller's net namespace */
	HULL_NET_VETH,	 /* a veth pair, routed */
	HULL_NET_BRIDGE, /* a veth pair into a bridge */
	HULL_NET_NS,	 /* join the namespace at path */
	HULL_NET_CNI,	 /* CNI plugins of a conflist */
};

/* An IPv4 prefix, host byte order. */
struct hull_net_cidr {
	uint32_t addr;
	int prefix; /* 0..32 */
};

struct hull_cni_list; /* net_cni.c: a parsed .conflist */

/* What the user asked for: --network, --ip, --subnet, --net-rate, --mac. */
struct hull_net_opts {
	enum hull_net_mode mode;
	bool mode_given;
	char bridge[HULL_NET_IFNAMSIZ];
	const char *path; /* ns:PATH, cni:CONFLIST */
	bool ip_set;
	uint32_t ip;
	bool subnet_set;
	struct hull_net_cidr subnet;
	uint64_t rate_bps; /* bits per second; 0: unlimited */
	bool mac_set;
	uint8_t mac[6];
	struct hull_cni_list *cni; /* set by hull_net_validate for cni: */
};

/* ---- parsing (net.c) ---------------------------------------------- */

/* "none", "host", "veth", "bridge", "bridge:NAME", "ns:PATH", "cni:FILE". */
int hull_net_parse_mode(const char *arg, struct hull_net_opts *opts, struct hull_err *err);
/* Dotted quad, exactly four decimal parts 0..255. */
int hull_net_parse_ipv4(const char *arg, uint32_t *addr, struct hull_err *err);
/* "a.b.c.d/n"; host bits must be zero. */
int hull_net_parse_cidr(const char *arg, struct hull_net_cidr *cidr, struct hull_err *err);
/* tc's units: "bit" "kbit" "mbit" "gbit" (bits), "bps" "kbps" "mbps" "gbps"
 * (bytes), decimal multiples; a bare number is bits per second. */
int hull_net_parse_rate(const char *arg, uint64_t *bps, struct hull_err *err);
/* "02:00:00:00:00:01": a unicast, non-zero address. */
int hull_net_parse_mac(const char *arg, uint8_t mac[6], struct hull_err *err);
void hull_net_format_ipv4(uint32_t addr, char *buf, size_t len);

/* Whether an address lies in a prefix. */
static inline bool hull_net_cidr_contains(struct hull_net_cidr c, uint32_t addr)
{
	uint32_t mask = c.prefix ? ~0u << (32 - c.prefix) : 0;
	return (addr & mask) == c.addr;
}

/* Check the options together and against the namespaces the container
 * gets (has_netns: a new one); fill in defaults. For cni: the conflist is
 * parsed and every plugin looked up here, before anything is created. */
int hull_net_validate(struct hull_net_opts *opts, bool has_netns, struct hull_err *err);
void hull_net_opts_free(struct hull_net_opts *opts);

/* ---- the address allocator (net_alloc.c) -------------------------- */

/* One allocation: a block of 2^(32-prefix) addresses in a pool, recorded as
 * a file <state>/netns-<inode>/<a.b.c.d> holding "pid starttime prefix"
 * under a flock, so concurrent hull runs in one network namespace never
 * get the same address. Released when the container ends; the records of
 * owners that are gone (a SIGKILLed hull) are taken back by the next
 * allocation in that namespace and by hull_net_gc(). */
struct hull_net_lease {
	char path[4096];
	uint32_t base; /* first address of the block */
	int prefix;
	bool held;
};

/* want: the block containing this address (0: the first free one).
 * reserved: an address never handed out (the gateway; 0 for none). The
 * pool's network and broadcast addresses are never handed out either. */
int hull_net_alloc(const char *state_dir, struct hull_net_cidr pool, int block_prefix,
		   uint32_t want, uint32_t reserved, struct hull_net_lease *lease,
		   struct hull_err *err);
void hull_net_release(struct hull_net_lease *lease);
/* Remove every record whose owner is gone; returns how many. Also runs
 * CNI DEL for the attachments of hulls that were killed (net_cni.c). */
int hull_net_gc(const char *state_dir, struct hull_err *err);

/* ---- the runtime (net_setup.c) ------------------------------------ */

/* One container's network as built; teardown undoes exactly this. */
struct hull_net {
	const struct hull_net_opts *opts;
	int netns_fd; /* the container's, held until teardown; -1 */
	char host_if[HULL_NET_IFNAMSIZ];
	bool host_if_made;
	struct hull_net_lease lease;
	uint32_t ip, peer_ip; /* container's, host side's (veth) or gateway */
	int prefix;
	struct hull_cni_run *cni;
};

void hull_net_init(struct hull_net *net, const struct hull_net_opts *opts);
/* Whether the parent has work to do for this container (veth/bridge/cni). */
bool hull_net_needs_setup(const struct hull_net_opts *opts);
/* Parent, while the child waits for go: build the container's network in
 * the net namespace of pid. */
int hull_net_setup(struct hull_net *net, pid_t pid, struct hull_err *err);
/* After the container (or a failed start): remove what setup made. */
void hull_net_teardown(struct hull_net *net);
/* Child, in its new net namespace: lo up (one ioctl). */
int hull_net_lo_up(struct hull_err *err);

#endif
