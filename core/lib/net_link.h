/* net_link.h — the few rtnetlink operations a container's network needs
 * (internal to net_setup.c), over Debian's libnl-route-3. Each call acts
 * in the net namespace the socket was opened in. */
#ifndef HULL_NET_LINK_H
#define HULL_NET_LINK_H

#include "error.h"

#include <stdbool.h>
#include <stdint.h>

struct nl_sock;

/* A route socket in the caller's net namespace, or in netns_fd's (>= 0):
 * the socket stays bound to the namespace it was made in. */
int hull_nl_open(int netns_fd, struct nl_sock **sk, struct hull_err *err);
void hull_nl_close(struct nl_sock *sk);

/* ifindex of name; -ENODEV when there is none. */
int hull_nl_link_index(struct nl_sock *sk, const char *name, bool *is_bridge, struct hull_err *err);
/* A bridge, up. -EEXIST when another start made it first. */
int hull_nl_bridge_add(struct nl_sock *sk, const char *name, struct hull_err *err);
/* A veth pair: host_name here (up, in master when > 0), peer_name in
 * peer_netns_fd (down, with mac when not NULL). One message. */
int hull_nl_veth_add(struct nl_sock *sk, const char *host_name, int master, const char *peer_name,
		     int peer_netns_fd, const uint8_t *mac, struct hull_err *err);
int hull_nl_link_up(struct nl_sock *sk, int ifindex, struct hull_err *err);
int hull_nl_link_del(struct nl_sock *sk, const char *name);
/* addr/prefix on ifindex; an address already there is fine when
 * exist_ok. */
int hull_nl_addr_add(struct nl_sock *sk, int ifindex, uint32_t addr, int prefix, bool exist_ok,
		     struct hull_err *err);
int hull_nl_route_default(struct nl_sock *sk, int ifindex, uint32_t gateway, struct hull_err *err);
/* A token bucket as the root qdisc of ifindex: its egress held to rate. */
int hull_nl_tbf(struct nl_sock *sk, int ifindex, uint64_t rate_bps, struct hull_err *err);

#endif
