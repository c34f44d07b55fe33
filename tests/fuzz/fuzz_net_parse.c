/* fuzz_net_parse.c — the --network option parsers (core/lib/net.c): mode,
 * IPv4, CIDR, rate, MAC, each fed the same string, each with its promise. */
#include "fuzz.h"
#include "net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct hull_err err = { 0 };
	struct hull_net_opts o = { 0 };
	struct hull_net_cidr c;
	uint32_t a, back;
	uint64_t bps;
	uint8_t mac[6];
	char buf[16];
	int ret;

	ret = hull_net_parse_mode(s, &o, &err);
	fuzz_check_err(ret, &err);
	if (ret == 0) {
		FUZZ_ASSERT(o.mode <= HULL_NET_CNI);
		if (o.mode == HULL_NET_BRIDGE)
			FUZZ_ASSERT(o.bridge[0] && strlen(o.bridge) < HULL_NET_IFNAMSIZ &&
				    !strchr(o.bridge, '/'));
		if (o.mode == HULL_NET_NS || o.mode == HULL_NET_CNI)
			FUZZ_ASSERT(o.path && o.path[0]);
	}

	ret = hull_net_parse_ipv4(s, &a, &err);
	fuzz_check_err(ret, &err);
	if (ret == 0) { /* the canonical spelling parses back to the same */
		hull_net_format_ipv4(a, buf, sizeof(buf));
		FUZZ_ASSERT(hull_net_parse_ipv4(buf, &back, NULL) == 0 && back == a);
	}

	ret = hull_net_parse_cidr(s, &c, &err);
	fuzz_check_err(ret, &err);
	if (ret == 0)
		FUZZ_ASSERT(c.prefix >= 0 && c.prefix <= 32 && hull_net_cidr_contains(c, c.addr));

	ret = hull_net_parse_rate(s, &bps, &err);
	fuzz_check_err(ret, &err);
	if (ret == 0)
		FUZZ_ASSERT(bps >= 8 && bps <= 16000000000ull);

	ret = hull_net_parse_mac(s, mac, &err);
	fuzz_check_err(ret, &err);
	if (ret == 0)
		FUZZ_ASSERT(!(mac[0] & 1) && (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]));
	free(s);
	return 0;
}
