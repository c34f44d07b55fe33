/* net_setup.c — a container's network built and removed; see net.h.
 *
 * Everything is done by the parent, while the child waits for go, through
 * the child's net namespace fd: the veth is created with its peer already
 * in that namespace (one message), and the container side is configured
 * over a netlink socket opened inside it (a setns there and back, a few
 * microseconds). The child has nothing to do but bring lo up, so the
 * start path stays one page and the child needs no copy of the plan; and
 * the qdisc on the container's eth0 is out of reach of the command, which
 * holds no CAP_NET_ADMIN by default.
 *
 * Rate: a token bucket on the egress of both ends of the veth (host side:
 * traffic to the container; eth0: traffic from it) shapes both directions
 * with no ingress policing and no ifb. */
#include "net.h"
#include "net_cni.h"
#include "net_link.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

void hull_net_init(struct hull_net *net, const struct hull_net_opts *opts)
{
	memset(net, 0, sizeof(*net));
	net->opts = opts;
	net->netns_fd = -1;
}

bool hull_net_needs_setup(const struct hull_net_opts *opts)
{
	return opts->mode == HULL_NET_VETH || opts->mode == HULL_NET_BRIDGE ||
	       opts->mode == HULL_NET_CNI;
}

int hull_net_lo_up(struct hull_err *err)
{
	/* lo is index 1 in every net namespace; SIOCSIFFLAGS changes only
	 * the flags that may change, so IFF_UP alone is enough. */
	struct ifreq ifr = { .ifr_name = "lo", .ifr_flags = IFF_UP };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (fd < 0)
		return hull_fail(err, errno, "cannot bring 'lo' up");
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		ret = hull_fail(err, errno, "cannot bring 'lo' up");
	close(fd);
	return ret;
}

/* The addresses of this container: a /30 per veth (host side one of its
 * two usable addresses, the container the other), an address of the
 * subnet per bridge port (the gateway is the subnet's first). */
static int allocate_addresses(struct hull_net *net, struct hull_err *err)
{
	const struct hull_net_opts *o = net->opts;
	bool veth = o->mode == HULL_NET_VETH;
	uint32_t gateway = o->subnet.addr + 1;
	int ret = hull_net_alloc(HULL_NET_STATE_DIR, o->subnet, veth ? 30 : 32,
				 o->ip_set ? o->ip : 0, veth ? 0 : gateway, &net->lease, err);
	if (ret < 0)
		return ret;
	if (veth) {
		net->ip = o->ip_set ? o->ip : net->lease.base + 2;
		net->peer_ip =
			net->ip == net->lease.base + 1 ? net->lease.base + 2 : net->lease.base + 1;
		net->prefix = 30;
	} else {
		net->ip = net->lease.base;
		net->peer_ip = gateway;
		net->prefix = o->subnet.prefix;
	}
	/* Unique while the lease is held: the name proves the link is ours. */
	snprintf(net->host_if, sizeof(net->host_if), "hv%08x", net->ip);
	return 0;
}

/* The bridge, made with its gateway address when it does not exist; an
 * existing bridge is used as it is. */
static int ensure_bridge(struct nl_sock *sk, struct hull_net *net, struct hull_err *err)
{
	const char *name = net->opts->bridge;
	bool is_bridge = false;
	int index = hull_nl_link_index(sk, name, &is_bridge, NULL);

	if (index == -ENODEV) {
		int ret = hull_nl_bridge_add(sk, name, err);
		if (ret < 0 && ret != -EEXIST) /* EEXIST: a concurrent start won */
			return ret;
		index = hull_nl_link_index(sk, name, &is_bridge, err);
		if (index < 0)
			return index;
		ret = hull_nl_addr_add(sk, index, net->peer_ip, net->prefix, true, err);
		if (ret < 0)
			return ret;
		hull_trace_mark("net_bridge_created");
	} else if (index < 0) {
		return hull_nl_link_index(sk, name, &is_bridge, err);
	}
	if (!is_bridge)
		return hull_fail(err, 0, "link '%s' is not a bridge", name);
	return index;
}

/* The host side: bridge, veth (peer in the container), address, rate. */
static int setup_host_side(struct hull_net *net, struct hull_err *err)
{
	const struct hull_net_opts *o = net->opts;
	struct nl_sock *sk = NULL;
	int ret, master = 0, index;

	if ((ret = hull_nl_open(-1, &sk, err)) < 0)
		return ret;
	if (o->mode == HULL_NET_BRIDGE && (ret = master = ensure_bridge(sk, net, err)) < 0)
		goto out;
	ret = hull_nl_veth_add(sk, net->host_if, master, HULL_NET_IFNAME, net->netns_fd,
			       o->mac_set ? o->mac : NULL, err);
	if (ret == -EEXIST) {
		/* The lease is ours, so a link of this name is what a killed
		 * hull left (the kernel frees a dead namespace's links
		 * asynchronously): remove it and try once more. */
		hull_nl_link_del(sk, net->host_if);
		ret = hull_nl_veth_add(sk, net->host_if, master, HULL_NET_IFNAME, net->netns_fd,
				       o->mac_set ? o->mac : NULL, err);
	}
	if (ret < 0)
		goto out;
	net->host_if_made = true;
	hull_trace_mark("net_veth_created");
	if (o->mode == HULL_NET_BRIDGE && !o->rate_bps)
		goto out;
	if ((ret = index = hull_nl_link_index(sk, net->host_if, NULL, err)) < 0)
		goto out;
	if (o->mode == HULL_NET_VETH &&
	    (ret = hull_nl_addr_add(sk, index, net->peer_ip, net->prefix, false, err)) < 0)
		goto out;
	if (o->rate_bps && (ret = hull_nl_tbf(sk, index, o->rate_bps, err)) < 0)
		goto out;
	ret = 0;
out:
	hull_nl_close(sk);
	return ret;
}

/* The container side, through a socket opened in its namespace. */
static int setup_container_side(struct hull_net *net, struct hull_err *err)
{
	struct nl_sock *sk = NULL;
	int ret, index;

	if ((ret = hull_nl_open(net->netns_fd, &sk, err)) < 0)
		return ret;
	if ((ret = index = hull_nl_link_index(sk, HULL_NET_IFNAME, NULL, err)) < 0 ||
	    (ret = hull_nl_link_up(sk, index, err)) < 0 ||
	    (ret = hull_nl_addr_add(sk, index, net->ip, net->prefix, false, err)) < 0)
		goto out;
	hull_trace_mark("net_address_set");
	if ((ret = hull_nl_route_default(sk, index, net->peer_ip, err)) < 0)
		goto out;
	hull_trace_mark("net_route_set");
	if (net->opts->rate_bps) {
		if ((ret = hull_nl_tbf(sk, index, net->opts->rate_bps, err)) < 0)
			goto out;
		hull_trace_mark("net_rate_set");
	}
	ret = 0;
out:
	hull_nl_close(sk);
	return ret;
}

int hull_net_setup(struct hull_net *net, pid_t pid, struct hull_err *err)
{
	char path[64];
	int ret;

	struct stat mine, theirs;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	net->netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (net->netns_fd < 0)
		return hull_fail(err, errno, "cannot open '%s'", path);
	/* Never configure hull's own namespace as if it were the container's
	 * (eth0 and a default route on the host). */
	if (fstat(net->netns_fd, &theirs) < 0 || stat("/proc/self/ns/net", &mine) < 0)
		return hull_fail(err, errno, "cannot compare net namespaces");
	if (mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev)
		return hull_fail(err, 0, "the container has no net namespace of its own");
	if (net->opts->mode == HULL_NET_CNI) {
		/* The namespace through hull's own fd: it outlives the
		 * container, so DEL still finds eth0 after the command. */
		char id[64], netns[64];
		snprintf(id, sizeof(id), "hull-%d-%d", (int)getpid(), (int)pid);
		snprintf(netns, sizeof(netns), "/proc/%d/fd/%d", (int)getpid(), net->netns_fd);
		ret = hull_cni_add(net->opts->cni, id, netns, HULL_NET_STATE_DIR, &net->cni, err);
		if (ret == 0)
			hull_trace_mark("net_cni_added");
		return ret;
	}
	if ((ret = allocate_addresses(net, err)) < 0)
		return ret;
	hull_trace_mark("net_address_allocated");
	if ((ret = setup_host_side(net, err)) < 0)
		return ret;
	return setup_container_side(net, err);
}

void hull_net_teardown(struct hull_net *net)
{
	if (net->cni) {
		hull_cni_del(net->cni);
		net->cni = NULL;
	}
	if (net->host_if_made) {
		/* Deleting one end deletes both; without this the kernel would
		 * do it only when the namespace is freed, asynchronously. */
		struct nl_sock *sk = NULL;
		if (hull_nl_open(-1, &sk, NULL) == 0)
			hull_nl_link_del(sk, net->host_if);
		hull_nl_close(sk);
		net->host_if_made = false;
	}
	hull_net_release(&net->lease);
	if (net->netns_fd >= 0)
		close(net->netns_fd);
	net->netns_fd = -1;
}
