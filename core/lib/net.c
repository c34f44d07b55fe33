/* net.c — parsing and validation of the network options; see net.h. */
#include "net.h"
#include "net_cni.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hull_net_parse_mode(const char *arg, struct hull_net_opts *opts, struct hull_err *err)
{
	opts->mode_given = true;
	opts->path = NULL;
	if (strcmp(arg, "none") == 0) {
		opts->mode = HULL_NET_NONE;
	} else if (strcmp(arg, "host") == 0) {
		opts->mode = HULL_NET_HOST;
	} else if (strcmp(arg, "veth") == 0) {
		opts->mode = HULL_NET_VETH;
	} else if (strcmp(arg, "bridge") == 0 || strncmp(arg, "bridge:", 7) == 0) {
		const char *name = arg[6] ? arg + 7 : HULL_NET_BRIDGE_DEFAULT;
		size_t len = strlen(name);
		if (len == 0 || len >= HULL_NET_IFNAMSIZ)
			return hull_fail(err, 0, "invalid bridge name '%s' (1 to %d characters)",
					 name, HULL_NET_IFNAMSIZ - 1);
		for (size_t i = 0; i < len; i++)
			if (name[i] == '/' || name[i] == ':' || name[i] <= ' ' || name[i] > '~')
				return hull_fail(err, 0, "invalid bridge name '%s'", name);
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			return hull_fail(err, 0, "invalid bridge name '%s'", name);
		opts->mode = HULL_NET_BRIDGE;
		memcpy(opts->bridge, name, len + 1);
	} else if (strncmp(arg, "ns:", 3) == 0 && arg[3]) {
		opts->mode = HULL_NET_NS;
		opts->path = arg + 3;
	} else if (strncmp(arg, "cni:", 4) == 0 && arg[4]) {
		opts->mode = HULL_NET_CNI;
		opts->path = arg + 4;
	} else {
		return hull_fail(err, 0,
				 "unknown network mode '%s' (none, host, veth, bridge[:NAME], "
				 "ns:PATH or cni:CONFLIST)",
				 arg);
	}
	return 0;
}

/* One decimal number 0..max with no sign, no leading junk; *p advanced. */
static bool parse_uint(const char **p, unsigned max, unsigned *out)
{
	unsigned v = 0;
	int digits = 0;

	while (**p >= '0' && **p <= '9') {
		v = v * 10 + (unsigned)(**p - '0');
		if (v > max || ++digits > 3)
			return false;
		(*p)++;
	}
	*out = v;
	return digits > 0;
}

static bool ipv4_from(const char **p, uint32_t *addr)
{
	uint32_t a = 0;
	for (int i = 0; i < 4; i++) {
		unsigned part;
		if (i > 0 && *(*p)++ != '.')
			return false;
		if (!parse_uint(p, 255, &part))
			return false;
		a = (a << 8) | part;
	}
	*addr = a;
	return true;
}

int hull_net_parse_ipv4(const char *arg, uint32_t *addr, struct hull_err *err)
{
	const char *p = arg;
	if (!ipv4_from(&p, addr) || *p)
		return hull_fail(err, 0, "invalid IPv4 address '%s'", arg);
	return 0;
}

int hull_net_parse_cidr(const char *arg, struct hull_net_cidr *cidr, struct hull_err *err)
{
	const char *p = arg;
	unsigned prefix;

	if (!ipv4_from(&p, &cidr->addr) || *p++ != '/' || !parse_uint(&p, 32, &prefix) || *p)
		return hull_fail(err, 0, "invalid subnet '%s' (expected a.b.c.d/n)", arg);
	cidr->prefix = (int)prefix;
	if (!hull_net_cidr_contains(*cidr, cidr->addr) ||
	    (cidr->addr & ~(prefix ? ~0u << (32 - prefix) : 0)) != 0)
		return hull_fail(err, 0, "invalid subnet '%s' (host bits set)", arg);
	return 0;
}

int hull_net_parse_rate(const char *arg, uint64_t *bps, struct hull_err *err)
{
	static const struct {
		const char *unit;
		uint64_t mult; /* bits per second per unit */
	} units[] = {
		{ "", 1 },	     { "bit", 1 },	     { "kbit", 1000 },
		{ "mbit", 1000000 }, { "gbit", 1000000000 }, { "bps", 8 },
		{ "kbps", 8000 },    { "mbps", 8000000 },    { "gbps", 8000000000ull },
	};
	char *end = NULL;
	double v;

	if (!(arg[0] >= '0' && arg[0] <= '9'))
		goto bad;
	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg)
		goto bad;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].unit) != 0)
			continue;
		double r = v * (double)units[i].mult;
		/* tc's floor is 8 bit/s; the token bucket counts bytes per
		 * second in an int (16 Gbit/s). */
		if (!(r >= 8) || r > 16e9)
			goto bad;
		*bps = (uint64_t)r;
		return 0;
	}
bad:
	return hull_fail(err, 0, "invalid rate '%s' (8bit to 16gbit, e.g. 10mbit, 500kbit, 2mbps)",
			 arg);
}

int hull_net_parse_mac(const char *arg, uint8_t mac[6], struct hull_err *err)
{
	const char *p = arg;
	uint8_t out[6];
	bool zero = true;

	for (int i = 0; i < 6; i++) {
		unsigned v = 0;
		if (i > 0 && *p++ != ':')
			goto bad;
		for (int d = 0; d < 2; d++, p++) {
			char c = *p;
			unsigned x;
			if (c >= '0' && c <= '9')
				x = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				x = (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				x = (unsigned)(c - 'A' + 10);
			else
				goto bad;
			v = v * 16 + x;
		}
		out[i] = (uint8_t)v;
		zero = zero && v == 0;
	}
	if (*p)
		goto bad;
	if (zero || (out[0] & 1))
		return hull_fail(err, 0, "invalid MAC address '%s' (not a unicast address)", arg);
	memcpy(mac, out, 6);
	return 0;
bad:
	return hull_fail(err, 0, "invalid MAC address '%s' (expected xx:xx:xx:xx:xx:xx)", arg);
}

void hull_net_format_ipv4(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static const char *mode_name(enum hull_net_mode mode)
{
	static const char *const names[] = { "none", "host", "veth", "bridge", "ns", "cni" };
	return names[mode];
}

/* --ip against the subnet: inside it, not its network, broadcast or
 * gateway address; for veth one of the two usable addresses of its /30. */
static int validate_ip(const struct hull_net_opts *opts, struct hull_err *err)
{
	char ip[16], net[16];
	struct hull_net_cidr s = opts->subnet;
	uint32_t last = s.addr | (s.prefix ? ~(~0u << (32 - s.prefix)) : ~0u);

	hull_net_format_ipv4(opts->ip, ip, sizeof(ip));
	hull_net_format_ipv4(s.addr, net, sizeof(net));
	if (!hull_net_cidr_contains(s, opts->ip))
		return hull_fail(err, 0, "address '%s' is outside the subnet '%s/%d'", ip, net,
				 s.prefix);
	if (opts->mode == HULL_NET_VETH) {
		uint32_t low = opts->ip & 3;
		if (low == 0 || low == 3)
			return hull_fail(err, 0,
					 "address '%s' cannot be a veth address (the second or "
					 "third of a /30)",
					 ip);
		return 0;
	}
	if (opts->ip == s.addr || opts->ip == last || opts->ip == s.addr + 1)
		return hull_fail(err, 0,
				 "address '%s' is the network, broadcast or gateway address of "
				 "'%s/%d'",
				 ip, net, s.prefix);
	return 0;
}

int hull_net_validate(struct hull_net_opts *opts, bool has_netns, struct hull_err *err)
{
	bool linked = opts->mode == HULL_NET_VETH || opts->mode == HULL_NET_BRIDGE;
	int ret;

	if (!opts->mode_given)
		opts->mode = HULL_NET_NONE;
	else if (opts->mode == HULL_NET_NONE && !has_netns)
		return hull_fail(err, 0,
				 "--network none requires the net namespace (--ns ...,net)");
	if (!linked && (opts->ip_set || opts->subnet_set || opts->mac_set || opts->rate_bps))
		return hull_fail(err, 0,
				 "--ip, --subnet, --mac and --net-rate need --network veth or "
				 "bridge (not '%s')",
				 mode_name(opts->mode));
	if ((linked || opts->mode == HULL_NET_CNI) && !has_netns)
		return hull_fail(err, 0, "--network %s requires the net namespace (--ns ...,net)",
				 mode_name(opts->mode));
	if (linked && !opts->subnet_set) {
		const char *def =
			opts->mode == HULL_NET_VETH ? HULL_NET_VETH_SUBNET : HULL_NET_BRIDGE_SUBNET;
		if ((ret = hull_net_parse_cidr(def, &opts->subnet, err)) < 0)
			return ret;
	}
	if (linked && opts->subnet.prefix > 30)
		return hull_fail(err, 0, "subnet prefix /%d is too small (at most /30)",
				 opts->subnet.prefix);
	if (opts->ip_set && (ret = validate_ip(opts, err)) < 0)
		return ret;
	if (opts->mode == HULL_NET_CNI && !opts->cni &&
	    (ret = hull_cni_list_load(opts->path, NULL, &opts->cni, err)) < 0)
		return ret;
	return 0;
}

void hull_net_opts_free(struct hull_net_opts *opts)
{
	hull_cni_list_free(opts->cni);
	opts->cni = NULL;
}
