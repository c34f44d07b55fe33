/* network.c — the probe's network looks: the interfaces it has, whether
 * the host's loopback listener answers a TCP connect, whether a listener
 * of its own on 127.0.0.1 does (a usable lo), and --reach targets. */
#include "jsonw.h"
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

void emit_ifaces(void)
{
	struct if_nameindex *ifs = if_nameindex();
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	open_arr("ifaces");
	for (struct if_nameindex *i = ifs; i && i->if_index; i++) {
		struct ifreq ifr = { 0 };
		int flags = -1;
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->if_name);
		if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0)
			flags = ifr.ifr_flags;
		open_obj(NULL);
		kstr("name", i->if_name);
		kint("flags", flags);
		kbool("up", flags >= 0 && (flags & IFF_UP));
		kbool("loopback", flags >= 0 && (flags & IFF_LOOPBACK));
		close_obj();
	}
	close_arr();
	if (ifs)
		if_freenameindex(ifs);
	if (s >= 0)
		close(s);
}

/* 0 when connected, else the errno. Non-blocking with a 1 s bound, so a
 * filtered port cannot hang the probe. */
static int try_connect(uint32_t addr, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int e = 0;

	if (s < 0)
		return errno;
	sa.sin_addr.s_addr = addr;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		if (e == EINPROGRESS) {
			struct pollfd p = { .fd = s, .events = POLLOUT };
			int r;
			do
				r = poll(&p, 1, 1000);
			while (r < 0 && errno == EINTR);
			socklen_t len = sizeof(e);
			if (r == 0)
				e = ETIMEDOUT;
			else if (getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
				e = errno;
		}
	}
	close(s);
	return e;
}

void emit_connect(const struct opts *o)
{
	open_obj("connect");
	if (o->port >= 0) {
		int e = try_connect(htonl(INADDR_LOOPBACK), o->port);
		kint("port", o->port);
		kbool("ok", e == 0);
		kerr("errno", e);
	} else {
		knull("port");
		kbool("ok", false);
		kstr("errno", "");
	}
	close_obj();
}

void emit_lo(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int e = 0, port = 0;

	if (l < 0)
		e = errno;
	else if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0 ||
		 getsockname(l, (struct sockaddr *)&sa, &len) < 0)
		e = errno;
	else
		e = try_connect(htonl(INADDR_LOOPBACK), port = ntohs(sa.sin_port));
	if (l >= 0)
		close(l);
	open_obj("lo");
	kint("port", port);
	kbool("ok", e == 0);
	kerr("errno", e);
	close_obj();
}

void emit_reach(const struct opts *o)
{
	open_arr("reach");
	for (int i = 0; i < o->n_reach; i++) {
		char host[64];
		const char *colon = strrchr(o->reach[i], ':');
		struct in_addr a;
		int port = colon ? atoi(colon + 1) : 0;
		int len = colon ? (int)(colon - o->reach[i]) : 0;
		snprintf(host, sizeof(host), "%.*s", len, o->reach[i]);
		int e = inet_pton(AF_INET, host, &a) == 1 && port > 0 && port < 65536
				? try_connect(a.s_addr, port)
				: EINVAL;
		open_obj(NULL);
		kstr("addr", host);
		kint("port", port);
		kbool("ok", e == 0);
		kerr("errno", e);
		close_obj();
	}
	close_arr();
}
