/* net_link.c — rtnetlink over libnl-route-3; see net_link.h.
 *
 * libnl-route-3 rather than libmnl: Debian ships libnl's static archives
 * (hull is linked statically: the dynamic loader alone costs ~0.5 ms a
 * start) but only a shared libmnl. */
#include "net_link.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/pkt_sched.h>
#include <netinet/in.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stdio.h>

/* libnl's errors are its own codes; the message is libnl's words. */
static __attribute__((format(printf, 3, 4))) int nl_fail(struct hull_err *err, int nlerr,
							 const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	hull_fail(err, 0, "%s: %s", what, nl_geterror(nlerr));
	switch (-nlerr) {
	case NLE_EXIST:
		return -EEXIST;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENODEV;
	case NLE_PERM:
		return -EPERM;
	default:
		return -EIO;
	}
}

int hull_nl_open(int netns_fd, struct nl_sock **out, struct hull_err *err)
{
	int self = -1, ret = 0;
	struct nl_sock *sk;

	*out = NULL;
	if (netns_fd >= 0) {
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0)
			return hull_fail(err, errno, "cannot open '/proc/self/ns/net'");
		if (setns(netns_fd, CLONE_NEWNET) < 0) {
			close(self);
			return hull_fail(err, errno, "cannot enter the container's net namespace");
		}
	}
	sk = nl_socket_alloc();
	if (!sk)
		ret = hull_fail(err, ENOMEM, "cannot open a netlink socket");
	else if ((ret = nl_connect(sk, NETLINK_ROUTE)) < 0) {
		ret = nl_fail(err, ret, "cannot open a netlink socket");
		nl_socket_free(sk);
		sk = NULL;
	}
	if (self >= 0) {
		/* Back home; staying in the container's namespace would put
		 * everything hull does next there. */
		if (setns(self, CLONE_NEWNET) < 0) {
			ret = hull_fail(err, errno, "cannot return to hull's net namespace");
			if (sk)
				nl_socket_free(sk);
			sk = NULL;
		}
		close(self);
	}
	*out = sk;
	return ret < 0 ? ret : 0;
}

void hull_nl_close(struct nl_sock *sk)
{
	if (sk)
		nl_socket_free(sk);
}

int hull_nl_link_index(struct nl_sock *sk, const char *name, bool *is_bridge, struct hull_err *err)
{
	struct rtnl_link *link = NULL;
	int ret = rtnl_link_get_kernel(sk, 0, name, &link);

	if (ret < 0)
		return nl_fail(err, ret, "cannot find link '%s'", name);
	ret = rtnl_link_get_ifindex(link);
	if (is_bridge) {
		const char *type = rtnl_link_get_type(link);
		*is_bridge = type && strcmp(type, "bridge") == 0;
	}
	rtnl_link_put(link);
	return ret;
}

int hull_nl_bridge_add(struct nl_sock *sk, const char *name, struct hull_err *err)
{
	struct rtnl_link *link = rtnl_link_alloc();
	int ret;

	if (!link)
		return hull_fail(err, ENOMEM, "cannot create bridge '%s'", name);
	rtnl_link_set_name(link, name);
	rtnl_link_set_type(link, "bridge");
	rtnl_link_set_flags(link, IFF_UP);
	ret = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	return ret < 0 ? nl_fail(err, ret, "cannot create bridge '%s'", name) : 0;
}

int hull_nl_veth_add(struct nl_sock *sk, const char *host_name, int master, const char *peer_name,
		     int peer_netns_fd, const uint8_t *mac, struct hull_err *err)
{
	struct rtnl_link *link = rtnl_link_veth_alloc(), *peer;
	struct nl_addr *lladdr = NULL;
	int ret;

	if (!link)
		return hull_fail(err, ENOMEM, "cannot create veth '%s'", host_name);
	peer = rtnl_link_veth_get_peer(link);
	rtnl_link_set_name(link, host_name);
	rtnl_link_set_flags(link, IFF_UP);
	if (master > 0)
		rtnl_link_set_master(link, master);
	rtnl_link_set_name(peer, peer_name);
	/* Not up yet: the kernel opens the peer before it links the pair
	 * (ENOTCONN); hull_nl_link_up() does it from inside. */
	rtnl_link_set_ns_fd(peer, peer_netns_fd);
	if (mac) {
		lladdr = nl_addr_build(AF_LLC, mac, 6);
		if (lladdr)
			rtnl_link_set_addr(peer, lladdr);
	}
	ret = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	nl_addr_put(lladdr);
	rtnl_link_put(peer);
	rtnl_link_put(link);
	return ret < 0 ? nl_fail(err, ret, "cannot create veth '%s'", host_name) : 0;
}

int hull_nl_link_up(struct nl_sock *sk, int ifindex, struct hull_err *err)
{
	struct rtnl_link *link = rtnl_link_alloc();
	int ret = -NLE_NOMEM;

	if (link) {
		rtnl_link_set_ifindex(link, ifindex);
		rtnl_link_set_flags(link, IFF_UP);
		ret = rtnl_link_change(sk, link, link, 0);
	}
	rtnl_link_put(link);
	return ret < 0 ? nl_fail(err, ret, "cannot bring link %d up", ifindex) : 0;
}

int hull_nl_link_del(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *link = rtnl_link_alloc();
	int ret;

	if (!link)
		return -ENOMEM;
	rtnl_link_set_name(link, name);
	ret = rtnl_link_delete(sk, link);
	rtnl_link_put(link);
	return ret < 0 ? -EIO : 0;
}

static struct nl_addr *ipv4(uint32_t addr, int prefix)
{
	uint32_t be = htonl(addr);
	struct nl_addr *a = nl_addr_build(AF_INET, &be, 4);
	if (a)
		nl_addr_set_prefixlen(a, prefix);
	return a;
}

int hull_nl_addr_add(struct nl_sock *sk, int ifindex, uint32_t addr, int prefix, bool exist_ok,
		     struct hull_err *err)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = ipv4(addr, prefix);
	int ret = -NLE_NOMEM;

	if (a && local) {
		rtnl_addr_set_ifindex(a, ifindex);
		rtnl_addr_set_local(a, local);
		ret = rtnl_addr_add(sk, a, 0);
	}
	nl_addr_put(local);
	rtnl_addr_put(a);
	if (ret == -NLE_EXIST && exist_ok)
		return 0;
	return ret < 0 ? nl_fail(err, ret, "cannot add an address to link %d", ifindex) : 0;
}

int hull_nl_route_default(struct nl_sock *sk, int ifindex, uint32_t gateway, struct hull_err *err)
{
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = ipv4(0, 0), *gw = ipv4(gateway, 32);
	int ret = -NLE_NOMEM;

	if (route && nh && dst && gw) {
		rtnl_route_set_family(route, AF_INET);
		rtnl_route_set_dst(route, dst);
		rtnl_route_nh_set_ifindex(nh, ifindex);
		rtnl_route_nh_set_gateway(nh, gw);
		rtnl_route_add_nexthop(route, nh);
		nh = NULL; /* the route owns it now */
		ret = rtnl_route_add(sk, route, NLM_F_CREATE | NLM_F_EXCL);
	}
	if (nh)
		rtnl_route_nh_free(nh);
	nl_addr_put(dst);
	nl_addr_put(gw);
	rtnl_route_put(route);
	return ret < 0 ? nl_fail(err, ret, "cannot add the default route") : 0;
}

int hull_nl_tbf(struct nl_sock *sk, int ifindex, uint64_t rate_bps, struct hull_err *err)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	uint64_t bytes = rate_bps / 8;
	/* The bucket: 10 ms of the rate, at least 16 KiB (a few full frames,
	 * so a slow rate still passes MTU-sized packets); the queue: 100 ms of
	 * the rate more, so TCP sees delay before it sees drops. */
	uint64_t burst = bytes / 100 > 16384 ? bytes / 100 : 16384;
	uint64_t limit = burst + bytes / 10;
	int ret;

	if (!q)
		return hull_fail(err, ENOMEM, "cannot add a qdisc");
	if (bytes > INT32_MAX)
		bytes = INT32_MAX;
	if (limit > INT32_MAX)
		limit = INT32_MAX;
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
	ret = rtnl_tc_set_kind(TC_CAST(q), "tbf");
	if (ret == 0) {
		rtnl_qdisc_tbf_set_limit(q, (int)limit);
		rtnl_qdisc_tbf_set_rate(q, (int)bytes, (int)burst, 0);
		ret = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_REPLACE);
	}
	rtnl_qdisc_put(q);
	return ret < 0 ? nl_fail(err, ret, "cannot limit the rate of link %d", ifindex) : 0;
}
