/* test_net.c — the network options' parsing and checks (core/lib/net.c),
 * the address allocator (net_alloc.c) and conflist loading (net_cni.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "net.h"
#include "net_cni.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

/* ---- modes ------------------------------------------------------------- */

static void test_modes(void **state)
{
	(void)state;
	struct hull_net_opts o = { 0 };
	struct hull_err err;

	assert_int_equal(hull_net_parse_mode("none", &o, &err), 0);
	assert_int_equal(o.mode, HULL_NET_NONE);
	assert_int_equal(hull_net_parse_mode("host", &o, &err), 0);
	assert_int_equal(o.mode, HULL_NET_HOST);
	assert_int_equal(hull_net_parse_mode("veth", &o, &err), 0);
	assert_int_equal(o.mode, HULL_NET_VETH);
	assert_int_equal(hull_net_parse_mode("bridge", &o, &err), 0);
	assert_int_equal(o.mode, HULL_NET_BRIDGE);
	assert_string_equal(o.bridge, "hull0");
	assert_int_equal(hull_net_parse_mode("bridge:br-x", &o, &err), 0);
	assert_string_equal(o.bridge, "br-x");
	assert_int_equal(hull_net_parse_mode("bridge:123456789012345", &o, &err), 0);
	assert_int_equal(hull_net_parse_mode("ns:/run/netns/x", &o, &err), 0);
	assert_int_equal(o.mode, HULL_NET_NS);
	assert_string_equal(o.path, "/run/netns/x");
	assert_int_equal(hull_net_parse_mode("cni:/etc/cni/x.conflist", &o, &err), 0);
	assert_int_equal(o.mode, HULL_NET_CNI);
	assert_string_equal(o.path, "/etc/cni/x.conflist");
	assert_true(o.mode_given);
}

static void test_bad_modes(void **state)
{
	(void)state;
	static const char *const bad[] = { "",		 "wifi",       "None",
					   "bridge:",	 "ns:",	       "cni:",
					   "bridge:a/b", "bridge:a b", "bridge:1234567890123456",
					   "bridge:..",	 "veth:x" };
	struct hull_net_opts o = { 0 };
	struct hull_err err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hull_net_parse_mode(bad[i], &o, &err), -EINVAL);
		assert_true(err.msg[0] != '\0');
	}
	hull_net_parse_mode("wifi", &o, &err);
	assert_string_equal(err.msg, "unknown network mode 'wifi' (none, host, veth, "
				     "bridge[:NAME], ns:PATH or cni:CONFLIST)");
	hull_net_parse_mode("bridge:1234567890123456", &o, &err);
	assert_string_equal(err.msg, "invalid bridge name '1234567890123456' (1 to 15 characters)");
}

/* ---- addresses ---------------------------------------------------------- */

static void test_ipv4(void **state)
{
	(void)state;
	uint32_t a;
	struct hull_err err;
	char buf[16];

	assert_int_equal(hull_net_parse_ipv4("198.18.0.1", &a, &err), 0);
	assert_int_equal(a, IP(198, 18, 0, 1));
	assert_int_equal(hull_net_parse_ipv4("0.0.0.0", &a, &err), 0);
	assert_int_equal(a, 0);
	assert_int_equal(hull_net_parse_ipv4("255.255.255.255", &a, &err), 0);
	assert_int_equal(a, 0xffffffffu);
	hull_net_format_ipv4(IP(198, 19, 3, 254), buf, sizeof(buf));
	assert_string_equal(buf, "198.19.3.254");

	static const char *const bad[] = { "",	       "1.2.3",	   "1.2.3.4.5", "256.1.1.1",
					   "1.2.3.-4", "1..2.3",   "a.b.c.d",	"1.2.3.4 ",
					   " 1.2.3.4", "1.2.3.4/", "0001.2.3.4" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hull_net_parse_ipv4(bad[i], &a, &err), -EINVAL);
	hull_net_parse_ipv4("1.2.3", &a, &err);
	assert_string_equal(err.msg, "invalid IPv4 address '1.2.3'");
}

static void test_cidr(void **state)
{
	(void)state;
	struct hull_net_cidr c;
	struct hull_err err;

	assert_int_equal(hull_net_parse_cidr("198.18.0.0/15", &c, &err), 0);
	assert_int_equal(c.addr, IP(198, 18, 0, 0));
	assert_int_equal(c.prefix, 15);
	assert_true(hull_net_cidr_contains(c, IP(198, 19, 255, 255)));
	assert_false(hull_net_cidr_contains(c, IP(198, 20, 0, 0)));
	assert_false(hull_net_cidr_contains(c, IP(198, 17, 255, 255)));
	assert_int_equal(hull_net_parse_cidr("0.0.0.0/0", &c, &err), 0);
	assert_true(hull_net_cidr_contains(c, IP(1, 2, 3, 4)));
	assert_int_equal(hull_net_parse_cidr("198.18.4.4/32", &c, &err), 0);

	static const char *const bad[] = { "198.18.0.0",    "198.18.0.0/",  "198.18.0.0/33",
					   "198.18.0.1/16", "198.18.0.0/a", "198.18.0.0/16/1",
					   "/16",	    "198.18.0.0/-1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hull_net_parse_cidr(bad[i], &c, &err), -EINVAL);
	hull_net_parse_cidr("198.18.0.1/16", &c, &err);
	assert_string_equal(err.msg, "invalid subnet '198.18.0.1/16' (host bits set)");
}

static void test_rate(void **state)
{
	(void)state;
	uint64_t r;
	struct hull_err err;

	assert_int_equal(hull_net_parse_rate("20mbit", &r, &err), 0);
	assert_int_equal(r, 20000000);
	assert_int_equal(hull_net_parse_rate("1.5Gbit", &r, &err), 0);
	assert_int_equal(r, 1500000000);
	assert_int_equal(hull_net_parse_rate("500kbit", &r, &err), 0);
	assert_int_equal(r, 500000);
	assert_int_equal(hull_net_parse_rate("2mbps", &r, &err), 0);
	assert_int_equal(r, 16000000);
	assert_int_equal(hull_net_parse_rate("1000", &r, &err), 0);
	assert_int_equal(r, 1000);
	assert_int_equal(hull_net_parse_rate("16gbit", &r, &err), 0);

	static const char *const bad[] = { "",	    "fast", "10 mbit", "-1mbit", "10mbits",
					   "0mbit", "7bit", "17gbit",  "mbit",	 "1e3x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hull_net_parse_rate(bad[i], &r, &err), -EINVAL);
}

static void test_mac(void **state)
{
	(void)state;
	uint8_t mac[6];
	struct hull_err err;
	static const uint8_t want[6] = { 0x02, 0x42, 0xc6, 0x12, 0x00, 0xAB };

	assert_int_equal(hull_net_parse_mac("02:42:c6:12:00:AB", mac, &err), 0);
	assert_memory_equal(mac, want, 6);
	static const char *const bad[] = { "",
					   "02:42:c6:12:00",
					   "02:42:c6:12:00:ab:01",
					   "02-42-c6-12-00-ab",
					   "02:42:c6:12:00:ag",
					   "2:42:c6:12:00:ab",
					   "00:00:00:00:00:00",
					   "01:00:5e:00:00:01",
					   "ff:ff:ff:ff:ff:ff" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hull_net_parse_mac(bad[i], mac, &err), -EINVAL);
	hull_net_parse_mac("01:00:5e:00:00:01", mac, &err);
	assert_string_equal(err.msg,
			    "invalid MAC address '01:00:5e:00:00:01' (not a unicast address)");
}

/* ---- validation ------------------------------------------------------------ */

static int validate(const char *mode, const char *ip, const char *subnet, bool netns,
		    struct hull_net_opts *o, struct hull_err *err)
{
	memset(o, 0, sizeof(*o));
	if (mode && hull_net_parse_mode(mode, o, err) < 0)
		return -1000;
	if (ip) {
		o->ip_set = true;
		hull_net_parse_ipv4(ip, &o->ip, err);
	}
	if (subnet) {
		o->subnet_set = true;
		hull_net_parse_cidr(subnet, &o->subnet, err);
	}
	return hull_net_validate(o, netns, err);
}

static void test_validate(void **state)
{
	(void)state;
	struct hull_net_opts o;
	struct hull_err err;

	assert_int_equal(validate(NULL, NULL, NULL, true, &o, &err), 0);
	assert_int_equal(o.mode, HULL_NET_NONE);
	assert_int_equal(validate(NULL, NULL, NULL, false, &o, &err), 0);
	assert_int_equal(validate("none", NULL, NULL, false, &o, &err), -EINVAL);
	assert_int_equal(validate("veth", NULL, NULL, true, &o, &err), 0);
	assert_int_equal(o.subnet.addr, IP(198, 19, 0, 0));
	assert_int_equal(o.subnet.prefix, 16);
	assert_int_equal(validate("bridge", NULL, NULL, true, &o, &err), 0);
	assert_int_equal(o.subnet.addr, IP(198, 18, 0, 0));
	assert_int_equal(validate("veth", NULL, NULL, false, &o, &err), -EINVAL);
	assert_string_equal(err.msg, "--network veth requires the net namespace (--ns ...,net)");
	assert_int_equal(validate("host", "198.18.0.2", NULL, false, &o, &err), -EINVAL);
	assert_int_equal(validate(NULL, NULL, "198.18.0.0/16", true, &o, &err), -EINVAL);

	/* --ip against the subnet */
	assert_int_equal(validate("bridge", "198.18.4.9", "198.18.4.0/24", true, &o, &err), 0);
	assert_int_equal(validate("bridge", "198.18.5.9", "198.18.4.0/24", true, &o, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "address '198.18.5.9' is outside the subnet '198.18.4.0/24'");
	assert_int_equal(validate("bridge", "198.18.4.0", "198.18.4.0/24", true, &o, &err),
			 -EINVAL);
	assert_int_equal(validate("bridge", "198.18.4.1", "198.18.4.0/24", true, &o, &err),
			 -EINVAL);
	assert_int_equal(validate("bridge", "198.18.4.255", "198.18.4.0/24", true, &o, &err),
			 -EINVAL);
	assert_int_equal(validate("veth", "198.19.0.6", NULL, true, &o, &err), 0);
	assert_int_equal(validate("veth", "198.19.0.5", NULL, true, &o, &err), 0);
	assert_int_equal(validate("veth", "198.19.0.4", NULL, true, &o, &err), -EINVAL);
	assert_int_equal(validate("veth", "198.19.0.7", NULL, true, &o, &err), -EINVAL);
	assert_int_equal(validate("veth", NULL, "198.19.0.0/31", true, &o, &err), -EINVAL);
}

/* ---- the allocator ------------------------------------------------------------- */

static char state_dir[64];

static int setup_state(void **state)
{
	(void)state;
	snprintf(state_dir, sizeof(state_dir), "/tmp/hull-test-net.XXXXXX");
	return mkdtemp(state_dir) ? 0 : -1;
}

static int teardown_state(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct hull_net_cidr cidr(const char *s)
{
	struct hull_net_cidr c;
	assert_int_equal(hull_net_parse_cidr(s, &c, NULL), 0);
	return c;
}

static void test_alloc_bridge_addresses(void **state)
{
	(void)state;
	struct hull_net_lease a, b, c, d;
	struct hull_err err;
	struct hull_net_cidr pool = cidr("198.18.0.0/30"); /* .1 gateway, .2 the only one */

	assert_int_equal(hull_net_alloc(state_dir, pool, 32, 0, IP(198, 18, 0, 1), &a, &err), 0);
	assert_int_equal(a.base, IP(198, 18, 0, 2));
	assert_true(a.held);
	assert_int_equal(hull_net_alloc(state_dir, pool, 32, 0, IP(198, 18, 0, 1), &b, &err),
			 -ENOSPC);
	assert_string_equal(err.msg, "no free address left in the subnet: No space left on device");
	hull_net_release(&a);
	assert_false(a.held);
	assert_int_equal(hull_net_alloc(state_dir, pool, 32, 0, IP(198, 18, 0, 1), &b, &err), 0);
	assert_int_equal(b.base, IP(198, 18, 0, 2));

	/* a wanted address; in use; the same one again once free */
	pool = cidr("198.18.1.0/24");
	assert_int_equal(hull_net_alloc(state_dir, pool, 32, IP(198, 18, 1, 7), 0, &c, &err), 0);
	assert_int_equal(c.base, IP(198, 18, 1, 7));
	assert_int_equal(hull_net_alloc(state_dir, pool, 32, IP(198, 18, 1, 7), 0, &d, &err),
			 -EADDRINUSE);
	assert_string_equal(err.msg, "address '198.18.1.7' is in use: Address already in use");
	assert_int_equal(hull_net_alloc(state_dir, pool, 32, IP(198, 18, 1, 255), 0, &d, &err),
			 -EINVAL);
	hull_net_release(&c);
	hull_net_release(&b);
	assert_int_equal(hull_net_alloc(state_dir, pool, 32, IP(198, 18, 1, 7), 0, &d, &err), 0);
	hull_net_release(&d);
	/* every lease released: nothing left */
	assert_int_equal(hull_net_gc(state_dir, &err), 0);
	assert_int_equal(rmdir(state_dir), 0);
	assert_int_equal(mkdir(state_dir, 0700), 0);
}

static void test_alloc_veth_blocks(void **state)
{
	(void)state;
	struct hull_net_lease a, b, c;
	struct hull_err err;
	struct hull_net_cidr pool = cidr("198.19.0.0/29");

	assert_int_equal(hull_net_alloc(state_dir, pool, 30, 0, 0, &a, &err), 0);
	assert_int_equal(a.base, IP(198, 19, 0, 0));
	assert_int_equal(hull_net_alloc(state_dir, pool, 30, 0, 0, &b, &err), 0);
	assert_int_equal(b.base, IP(198, 19, 0, 4));
	assert_int_equal(hull_net_alloc(state_dir, pool, 30, 0, 0, &c, &err), -ENOSPC);
	/* a /32 inside a taken /30 overlaps */
	assert_int_equal(hull_net_alloc(state_dir, pool, 32, IP(198, 19, 0, 5), 0, &c, &err),
			 -EADDRINUSE);
	hull_net_release(&a);
	assert_int_equal(hull_net_alloc(state_dir, pool, 30, IP(198, 19, 0, 2), 0, &c, &err), 0);
	assert_int_equal(c.base, IP(198, 19, 0, 0));
	hull_net_release(&b);
	hull_net_release(&c);
}

/* A lease whose owner is gone is taken back, by the next allocation and by
 * gc: the owner here is a child that allocates and exits without release. */
static void test_alloc_reclaims_dead_owners(void **state)
{
	(void)state;
	struct hull_net_lease a;
	struct hull_err err;
	struct hull_net_cidr pool = cidr("198.18.2.0/30");
	int status;

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct hull_net_lease l;
		_exit(hull_net_alloc(state_dir, pool, 32, 0, IP(198, 18, 2, 1), &l, NULL) == 0 ? 0
											       : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_int_equal(hull_net_gc(state_dir, &err), 1);
	assert_int_equal(hull_net_gc(state_dir, &err), 0);

	pid = fork();
	if (pid == 0) {
		struct hull_net_lease l;
		_exit(hull_net_alloc(state_dir, pool, 32, 0, IP(198, 18, 2, 1), &l, NULL) == 0 ? 0
											       : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	/* the only address, owned by the dead child: allocation takes it */
	assert_int_equal(hull_net_alloc(state_dir, pool, 32, 0, IP(198, 18, 2, 1), &a, &err), 0);
	assert_int_equal(a.base, IP(198, 18, 2, 2));
	hull_net_release(&a);
}

/* ---- conflists -------------------------------------------------------------- */

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_conflist(void **state)
{
	(void)state;
	char path[128], plugin[128];
	struct hull_cni_list *list = NULL;
	struct hull_err err;

	snprintf(path, sizeof(path), "%s/x.conflist", state_dir);
	snprintf(plugin, sizeof(plugin), "%s/fake", state_dir);
	write_text(plugin, "#!/bin/sh\n");
	chmod(plugin, 0755);
	setenv("CNI_PATH", state_dir, 1);

	write_text(path,
		   "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"fake\"},"
		   "{\"type\":\"fake\"}]}");
	assert_int_equal(hull_cni_list_load(path, NULL, &list, &err), 0);
	hull_cni_list_free(list);
	write_text(path, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"fake\"}");
	assert_int_equal(hull_cni_list_load(path, NULL, &list, &err), 0);
	hull_cni_list_free(list);

	write_text(path,
		   "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"gone\"}]}");
	assert_int_equal(hull_cni_list_load(path, NULL, &list, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "cni plugin 'gone' not found in CNI_PATH"));
	assert_null(list);

	static const char *const bad[] = {
		"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[",
		"[]",
		"{\"name\":\"n\",\"plugins\":[{\"type\":\"fake\"}]}",
		"{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"fake\"}]}",
		"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[]}",
		"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"../fake\"}]}",
		"{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{}]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_text(path, bad[i]);
		assert_int_equal(hull_cni_list_load(path, NULL, &list, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "invalid CNI configuration"));
	}
	unlink(path);
	unlink(plugin);
	unsetenv("CNI_PATH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_bad_modes),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_alloc_bridge_addresses),
		cmocka_unit_test(test_alloc_veth_blocks),
		cmocka_unit_test(test_alloc_reclaims_dead_owners),
		cmocka_unit_test(test_conflist),
	};
	return cmocka_run_group_tests(tests, setup_state, teardown_state);
}
