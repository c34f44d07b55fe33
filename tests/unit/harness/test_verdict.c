/* test_verdict.c — the isolation properties, judging probe output against
 * a host view, the expected-verdict rules (harness/verdict.c), the cell
 * JSON (harness/isolate.c) and the driver's runtime table and bare runs
 * (harness/driver.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "driver.h"
#include "isolate.h"
#include "ns.h"
#include "verdict.h"

#include <json-c/json.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ------------------------------------------------------------- */

static void test_property_names_in_contract_order(void **state)
{
	(void)state;
	static const char *const want[] = { "hostname",	   "pid",  "mounts",	    "root",
					    "propagation", "net",  "ipc",	    "user",
					    "cgroup",	   "time", "chroot_escape", "lo" };
	assert_int_equal(HH_PROP_COUNT, 12);
	for (int i = 0; i < HH_PROP_COUNT; i++) {
		assert_string_equal(hh_prop_names[i], want[i]);
		assert_int_equal(hh_prop_by_name(want[i]), i);
		assert_int_equal(hh_rules[i].prop, i);
		assert_non_null(hh_rules[i].text);
	}
	assert_int_equal(hh_prop_by_name("nope"), -1);
	assert_string_equal(hh_verdict_name(HH_ISOLATED), "isolated");
	assert_string_equal(hh_verdict_name(HH_SHARED), "shared");
	assert_string_equal(hh_verdict_name(HH_ERROR), "error");
	assert_int_equal(hh_verdict_by_name("shared"), HH_SHARED);
	assert_int_equal(hh_verdict_by_name("maybe"), -1);
}

/* ---- rules ------------------------------------------------------------- */

static uint64_t isolated_set(const char *runtime, uint64_t ns, bool pivot, bool shared_root)
{
	struct hh_expect_ctx c = { .rt = hh_runtime_lookup(runtime),
				   .ns = ns,
				   .pivot = pivot,
				   .rootfs_shared = shared_root };
	uint64_t bits = 0;
	assert_non_null(c.rt);
	for (int p = 0; p < HH_PROP_COUNT; p++) {
		enum hh_verdict v = hh_expected((enum hh_prop)p, &c);
		/* error only for lo: a new net ns whose lo stays down */
		assert_true(v == HH_ISOLATED || v == HH_SHARED ||
			    (p == HH_PROP_LO && (ns & CLONE_NEWNET) && !c.rt->lo_up));
		if (v == HH_ISOLATED)
			bits |= 1u << p;
	}
	return bits;
}

#define B(p)	  (1u << HH_PROP_##p)
#define ALL_PROPS ((1u << HH_PROP_COUNT) - 1)

static void test_rules_hull_default_and_all(void **state)
{
	(void)state;
	assert_int_equal(isolated_set("hull", HULL_NS_DEFAULT, true, false),
			 ALL_PROPS & ~(B(USER) | B(CGROUP) | B(TIME)));
	assert_int_equal(isolated_set("hull", HULL_NS_ALL, true, false), ALL_PROPS);
	/* chroot: everything but the escape */
	assert_int_equal(isolated_set("hull", HULL_NS_ALL, false, false),
			 ALL_PROPS & ~B(CHROOT_ESCAPE));
}

/* Adding one namespace to a set flips exactly its own property. */
static void test_rules_each_namespace_flips_its_own(void **state)
{
	(void)state;
	static const struct {
		uint64_t flag;
		unsigned prop;
	} own[] = {
		{ CLONE_NEWUTS, B(HOSTNAME) },	  { CLONE_NEWIPC, B(IPC) },
		{ CLONE_NEWNET, B(NET) | B(LO) }, { CLONE_NEWCGROUP, B(CGROUP) },
		{ CLONE_NEWTIME, B(TIME) },
	};
	uint64_t base = CLONE_NEWNS | CLONE_NEWPID;
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		uint64_t without = isolated_set("hull", base, true, false);
		uint64_t with = isolated_set("hull", base | own[i].flag, true, false);
		assert_int_equal(with ^ without, own[i].prop);
	}
	/* pid also closes /proc/<pid>/root; user too (no ptrace over host) */
	uint64_t a = isolated_set("hull", CLONE_NEWNS, true, false);
	assert_int_equal(isolated_set("hull", CLONE_NEWNS | CLONE_NEWPID, true, false) ^ a,
			 B(PID) | B(CHROOT_ESCAPE));
	assert_int_equal(
		isolated_set("hull", CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUSER, true, false) ^
			isolated_set("hull", CLONE_NEWNS | CLONE_NEWPID, true, false),
		B(USER));
}

static void test_rules_without_mnt(void **state)
{
	(void)state;
	/* hull without mnt: chroot, the probe's mount lands on the host */
	assert_int_equal(isolated_set("hull", 0, false, false), B(ROOT));
	/* a user ns cannot mount in the host's mount ns */
	assert_int_equal(isolated_set("hull", CLONE_NEWUSER, false, false),
			 B(ROOT) | B(USER) | B(PROPAGATION));
}

static void test_rules_seed_holes(void **state)
{
	(void)state;
	uint64_t ns = CLONE_NEWNS | CLONE_NEWUTS;
	uint64_t iso = isolated_set("seed", ns, false, false);
	assert_int_equal(iso, B(HOSTNAME) | B(MOUNTS) | B(ROOT) | B(PROPAGATION));
	assert_false(iso & B(PID));
	assert_false(iso & B(CHROOT_ESCAPE));
	/* on a shared host mount its mounts leak */
	assert_int_equal(isolated_set("seed", ns, false, true), iso & ~B(PROPAGATION));
	/* hull does not care: it makes everything private */
	assert_int_equal(isolated_set("hull", HULL_NS_DEFAULT, true, true),
			 isolated_set("hull", HULL_NS_DEFAULT, true, false));
}

static void test_rules_bare_and_oci(void **state)
{
	(void)state;
	assert_int_equal(isolated_set("bare", 0, false, false), 0);
	/* crun drops CAP_SYS_ADMIN: no mount leaks without mnt... */
	assert_true(isolated_set("crun", 0, true, false) & B(PROPAGATION));
	/* ...but no capability set closes /proc/<pid>/root of a host process */
	assert_false(isolated_set("crun", CLONE_NEWNS, true, false) & B(CHROOT_ESCAPE));
	assert_false(isolated_set("hull", CLONE_NEWNS, true, false) & B(CHROOT_ESCAPE));
	assert_true(isolated_set("hull", CLONE_NEWNS | CLONE_NEWUSER, true, false) &
		    B(CHROOT_ESCAPE));
	/* unshare(1) --root is a chroot */
	assert_false(isolated_set("unshare", HULL_NS_DEFAULT, false, false) & B(CHROOT_ESCAPE));
}

/* lo: the host's without net; with net, the runtime's habit decides
 * whether a usable loopback is there at all. */
static void test_rules_lo(void **state)
{
	(void)state;
	static const struct {
		const char *runtime;
		enum hh_verdict with_net;
	} want[] = {
		{ "hull", HH_ISOLATED }, { "hull-oci", HH_ISOLATED }, { "crun", HH_ISOLATED },
		{ "runc", HH_ISOLATED }, { "bwrap", HH_ISOLATED },    { "unshare", HH_ERROR },
		{ "floor", HH_ERROR },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct hh_expect_ctx c = { .rt = hh_runtime_lookup(want[i].runtime),
					   .ns = CLONE_NEWNS | CLONE_NEWNET,
					   .pivot = true };
		assert_non_null(c.rt);
		assert_int_equal(hh_expected(HH_PROP_LO, &c), want[i].with_net);
		c.ns = CLONE_NEWNS;
		assert_int_equal(hh_expected(HH_PROP_LO, &c), HH_SHARED);
	}
	struct hh_expect_ctx seed = { .rt = hh_runtime_lookup("seed"),
				      .ns = CLONE_NEWNS | CLONE_NEWUTS };
	assert_int_equal(hh_expected(HH_PROP_LO, &seed), HH_SHARED);
}

/* Privileges are an input: the probe's CapEff decides mount, chroot and
 * ptrace, whatever the runtime's defaults. */
static void test_rules_follow_capabilities(void **state)
{
	(void)state;
	struct hh_expect_ctx c = { .rt = hh_runtime_lookup("hull"), .caps_known = true };
	const uint64_t docker = 0xa80425fbull; /* CHROOT, no ADMIN, no PTRACE */

	c.ns = 0;
	c.caps_eff = docker;
	assert_int_equal(hh_expected(HH_PROP_PROPAGATION, &c), HH_ISOLATED);
	assert_int_equal(hh_expected(HH_PROP_CHROOT_ESCAPE, &c), HH_SHARED);
	c.caps_eff = 0;
	assert_int_equal(hh_expected(HH_PROP_CHROOT_ESCAPE, &c), HH_ISOLATED);
	c.caps_eff = ~0ull;
	assert_int_equal(hh_expected(HH_PROP_PROPAGATION, &c), HH_SHARED);

	c.ns = CLONE_NEWNS | CLONE_NEWPID;
	c.pivot = true;
	c.caps_eff = ~0ull;
	assert_int_equal(hh_expected(HH_PROP_CHROOT_ESCAPE, &c), HH_ISOLATED);

	uint64_t eff = 0;
	assert_int_equal(hh_probe_caps("{\"caps\":{\"eff\":\"00000000a80425fb\"}}", &eff), 0);
	assert_int_equal(eff, docker);
	assert_true(hh_probe_caps("{}", &eff) < 0);
	assert_true(hh_probe_caps("nope", &eff) < 0);
}

static void test_expect_start(void **state)
{
	(void)state;
	char why[160];
	struct hh_expect_ctx c = { .rt = hh_runtime_lookup("hull"), .pivot = true };

	c.ns = CLONE_NEWNS | CLONE_NEWUSER;
	assert_false(hh_expect_start(&c, why, sizeof(why)));
	assert_non_null(strstr(why, "/proc"));
	c.ns |= CLONE_NEWPID;
	assert_true(hh_expect_start(&c, why, sizeof(why)));
	assert_string_equal(why, "");
	c.ns = CLONE_NEWUSER; /* no mnt: no /proc to mount */
	assert_true(hh_expect_start(&c, why, sizeof(why)));
	/* A pool refuses a set without mnt and pid (ns_required). */
	c.rt = hh_runtime_lookup("hull-pool");
	c.ns = CLONE_NEWNS | CLONE_NEWUTS;
	assert_false(hh_expect_start(&c, why, sizeof(why)));
	assert_string_equal(why, "a pool needs mnt and pid namespaces (hull pool start refuses)");
	c.ns = CLONE_NEWNS | CLONE_NEWPID;
	assert_true(hh_expect_start(&c, why, sizeof(why)));
}

/* ---- judging ------------------------------------------------------------ */

static struct hh_host_view host_view(void)
{
	struct hh_host_view h;
	memset(&h, 0, sizeof(h));
	for (int i = 0; i < 8; i++)
		h.ns[i] = (struct hh_ns_id){ .ok = true,
					     .dev = 4,
					     .ino = 4026531830ull + (uint64_t)i };
	snprintf(h.hostname, sizeof(h.hostname), "vm");
	h.marker = "/tmp/hull-iso-x/marker";
	h.port = 4242;
	return h;
}

/* A probe output: namespaces from `own` (bitmask over the table) get new
 * inodes, the others the host's. */
static char *probe_json(unsigned own, const char *extra)
{
	char ns[1024] = "", *out = NULL;
	size_t used = 0;
	for (size_t i = 0; i < hull_ns_count; i++)
		used += (size_t)snprintf(ns + used, sizeof(ns) - used,
					 "%s\"%s\":{\"ino\":%llu,\"dev\":4,\"via\":\"pidfd\"}",
					 i ? "," : "", hull_ns_table[i].name,
					 (unsigned long long)((own & (1u << i))
								      ? 4026532000ull + i
								      : 4026531830ull + i));
	int n = asprintf(
		&out,
		"{\"t_entry_ns\":1,\"schema\":1,\"pid\":1,\"hostname\":\"hull\",\"ns\":{%s},"
		"\"proc\":{\"mounted\":true,\"n_pids\":1},\"mounts\":{\"readable\":true,\"n\":3},"
		"\"root\":{\"rootfs_marker\":true},"
		"\"marker\":{\"reachable\":false,\"errno\":\"ENOENT\",\"via_proc_root\":false},"
		"\"ifaces\":[{\"name\":\"lo\"}],\"connect\":{\"ok\":false,\"errno\":"
		"\"ENETUNREACH\"},"
		"\"lo\":{\"port\":5555,\"ok\":true,\"errno\":\"\"},"
		"\"shm\":{\"exists\":false},\"mqueue\":{\"exists\":false},"
		"\"uid_map\":\"0 0 1\\n\",\"cgroup\":\"0::/\\n\",\"timens_offsets\":null,"
		"\"mount_test\":{\"name\":\"tok\",\"dir\":\"/tmp/tok\",\"ok\":true},"
		"\"escape\":{\"attempted\":true,\"chroot\":true,\"escaped\":false}%s}",
		ns, extra ? extra : "");
	assert_true(n > 0);
	return out;
}

static void judge(const char *json, const struct hh_host_view *h, struct hh_judgement *out)
{
	struct hull_err err = { 0 };
	assert_int_equal(hh_judge(json, h, out, &err), 0);
}

static void test_judge_namespace_identity(void **state)
{
	(void)state;
	struct hh_host_view h = host_view();
	struct hh_judgement j[HH_PROP_COUNT];

	char *all = probe_json(0xff, NULL);
	judge(all, &h, j);
	for (int p = 0; p < HH_PROP_COUNT; p++)
		assert_int_equal(j[p].verdict, HH_ISOLATED);
	assert_non_null(strstr(j[HH_PROP_HOSTNAME].detail, "'hull'"));
	free(all);

	/* only uts shared: only hostname flips */
	char *no_uts = probe_json(0xff & ~2u, NULL);
	judge(no_uts, &h, j);
	for (int p = 0; p < HH_PROP_COUNT; p++)
		assert_int_equal(j[p].verdict, p == HH_PROP_HOSTNAME ? HH_SHARED : HH_ISOLATED);
	free(no_uts);

	/* an unreadable host ns is an error, not a guess */
	h.ns[0].ok = false;
	char *again = probe_json(0xff, NULL);
	judge(again, &h, j);
	assert_int_equal(j[HH_PROP_MOUNTS].verdict, HH_ERROR);
	free(again);
}

static void test_judge_behaviour_overrides_namespace(void **state)
{
	(void)state;
	struct hh_host_view h = host_view();
	struct hh_judgement j[HH_PROP_COUNT];
	/* json-c takes the last of duplicate keys: extra members override */
	char *p =
		probe_json(0xff, ",\"connect\":{\"ok\":true},\"shm\":{\"exists\":true},"
				 "\"escape\":{\"attempted\":true,\"chroot\":true,\"escaped\":true},"
				 "\"marker\":{\"reachable\":true}");
	judge(p, &h, j);
	assert_int_equal(j[HH_PROP_NET].verdict, HH_SHARED);
	assert_int_equal(j[HH_PROP_IPC].verdict, HH_SHARED);
	assert_int_equal(j[HH_PROP_CHROOT_ESCAPE].verdict, HH_SHARED);
	assert_int_equal(j[HH_PROP_ROOT].verdict, HH_SHARED);
	free(p);

	p = probe_json(0xff, ",\"marker\":{\"via_proc_root\":true,\"proc_root_pid\":77}");
	judge(p, &h, j);
	assert_int_equal(j[HH_PROP_CHROOT_ESCAPE].verdict, HH_SHARED);
	assert_non_null(strstr(j[HH_PROP_CHROOT_ESCAPE].detail, "/proc/77/root"));
	free(p);

	/* the cgroup view: an own cgroup ns not rooted at the container's
	 * cgroup shows the host's hierarchy (ns made before the cgroup join) */
	p = probe_json(0xff, ",\"cgroup\":\"4:memory:/..\\n0::/\\n\"");
	judge(p, &h, j);
	assert_int_equal(j[HH_PROP_CGROUP].verdict, HH_SHARED);
	assert_non_null(strstr(j[HH_PROP_CGROUP].detail, "4:memory:/.."));
	free(p);
	p = probe_json(0xff, ",\"cgroup\":\"4:memory:/\\n1:cpu:/\\n0::/\\n\"");
	judge(p, &h, j);
	assert_int_equal(j[HH_PROP_CGROUP].verdict, HH_ISOLATED);
	free(p);

	/* propagation is the host's finding */
	p = probe_json(0xff, NULL);
	h.mount_seen = true;
	snprintf(h.mount_seen_at, sizeof(h.mount_seen_at), "/x/tmp/tok");
	judge(p, &h, j);
	assert_int_equal(j[HH_PROP_PROPAGATION].verdict, HH_SHARED);
	assert_non_null(strstr(j[HH_PROP_PROPAGATION].detail, "/x/tmp/tok"));
	free(p);
}

static void test_judge_lo(void **state)
{
	(void)state;
	struct hh_host_view h = host_view();
	struct hh_judgement j[HH_PROP_COUNT];
	int net = -1;
	for (size_t i = 0; i < hull_ns_count; i++)
		if (hull_ns_table[i].flag == CLONE_NEWNET)
			net = (int)i;
	assert_true(net >= 0);

	/* own net ns, listener answered: an own, usable lo */
	char *p = probe_json(0xff, ",\"ifaces\":[{\"name\":\"lo\",\"up\":true}]");
	judge(p, &h, j);
	assert_int_equal(j[HH_PROP_LO].verdict, HH_ISOLATED);
	assert_non_null(strstr(j[HH_PROP_LO].detail, "lo up"));
	assert_non_null(strstr(j[HH_PROP_LO].detail, "127.0.0.1:5555"));
	free(p);

	/* the host's net ns: the host's lo */
	p = probe_json(0xff & ~(1u << net), NULL);
	judge(p, &h, j);
	assert_int_equal(j[HH_PROP_LO].verdict, HH_SHARED);
	assert_int_equal(j[HH_PROP_NET].verdict, HH_SHARED);
	free(p);

	/* lo left down: no usable loopback, whatever the namespace */
	p = probe_json(0xff, ",\"ifaces\":[{\"name\":\"lo\",\"up\":false}],"
			     "\"lo\":{\"port\":0,\"ok\":false,\"errno\":\"EADDRNOTAVAIL\"}");
	judge(p, &h, j);
	assert_int_equal(j[HH_PROP_LO].verdict, HH_ERROR);
	assert_non_null(strstr(j[HH_PROP_LO].detail, "lo down"));
	assert_non_null(strstr(j[HH_PROP_LO].detail, "EADDRNOTAVAIL"));
	assert_int_equal(j[HH_PROP_NET].verdict, HH_ISOLATED);
	free(p);

	/* an older probe without the check: error, not a guess */
	json_object *o = json_tokener_parse(p = probe_json(0xff, NULL));
	free(p);
	json_object_object_del(o, "lo");
	judge(json_object_to_json_string(o), &h, j);
	assert_int_equal(j[HH_PROP_LO].verdict, HH_ERROR);
	json_object_put(o);
}

static void test_judge_rejects_garbage(void **state)
{
	(void)state;
	struct hh_host_view h = host_view();
	struct hh_judgement j[HH_PROP_COUNT];
	struct hull_err err = { 0 };
	const char *bad[] = { "", "not json", "{\"t_entry_ns\":1}", "[1,2]", NULL };

	for (int i = 0; i < 5; i++) {
		assert_true(hh_judge(bad[i], &h, j, &err) < 0);
		for (int p = 0; p < HH_PROP_COUNT; p++)
			assert_int_equal(j[p].verdict, HH_ERROR);
	}
}

/* ---- cell JSON ----------------------------------------------------------- */

static void test_cell_json(void **state)
{
	(void)state;
	struct hh_iso_cell c;
	memset(&c, 0, sizeof(c));
	c.runtime = "hull";
	c.ns = CLONE_NEWNS | CLONE_NEWPID;
	c.pivot = true;
	c.started = c.expect_started = true;
	for (int p = 0; p < HH_PROP_COUNT; p++) {
		c.props[p].verdict = HH_ISOLATED;
		snprintf(c.props[p].detail, sizeof(c.props[p].detail), "d\"%d", p);
		c.expected[p] = p == HH_PROP_NET ? HH_SHARED : HH_ISOLATED;
	}
	c.mismatches = 1;

	json_object *o = hh_iso_cell_json(&c);
	json_object *back = json_tokener_parse(json_object_to_json_string(o));
	json_object *v, *props, *net;
	assert_non_null(back);
	assert_true(json_object_object_get_ex(back, "runtime", &v));
	assert_string_equal(json_object_get_string(v), "hull");
	assert_true(json_object_object_get_ex(back, "namespaces", &v));
	assert_string_equal(json_object_get_string(v), "mnt,pid");
	assert_true(json_object_object_get_ex(back, "root_mode", &v));
	assert_string_equal(json_object_get_string(v), "pivot_root");
	assert_true(json_object_object_get_ex(back, "started", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(back, "reason", &v));
	assert_true(json_object_object_get_ex(back, "properties", &props));
	assert_int_equal(json_object_object_length(props), HH_PROP_COUNT);
	assert_true(json_object_object_get_ex(props, "net", &net));
	assert_true(json_object_object_get_ex(net, "verdict", &v));
	assert_string_equal(json_object_get_string(v), "isolated");
	assert_true(json_object_object_get_ex(net, "expected", &v));
	assert_string_equal(json_object_get_string(v), "shared");
	assert_true(json_object_object_get_ex(net, "detail", &v));
	assert_string_equal(json_object_get_string(v), "d\"5");
	json_object_put(back);
	json_object_put(o);

	/* not started: no properties */
	c.started = false;
	snprintf(c.reason, sizeof(c.reason), "exit status 125");
	o = hh_iso_cell_json(&c);
	assert_true(json_object_object_get_ex(o, "properties", &props));
	assert_int_equal(json_object_object_length(props), 0);
	json_object_put(o);
}

/* ---- driver -------------------------------------------------------------- */

static void test_runtime_table(void **state)
{
	(void)state;
	const char *names[] = {
		"bare", "hull",		 "seed", "floor",	    "unshare",	   "bwrap",
		"crun", "crun-cgroupfs", "runc", "hull-privileged", "hull-limits", "hull-oci"
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_non_null(hh_runtime_lookup(names[i]));
	assert_null(hh_runtime_lookup("docker"));

	const struct hh_runtime_info *seed = hh_runtime_lookup("seed");
	assert_int_equal(hh_launch_effective_ns(seed, 0), CLONE_NEWNS | CLONE_NEWUTS);
	assert_false(hh_launch_uses_pivot(seed, CLONE_NEWNS | CLONE_NEWUTS, false));
	const struct hh_runtime_info *bwrap = hh_runtime_lookup("bwrap");
	assert_int_equal(hh_launch_effective_ns(bwrap, CLONE_NEWPID), CLONE_NEWNS | CLONE_NEWPID);
	const struct hh_runtime_info *hull = hh_runtime_lookup("hull");
	assert_true(hh_launch_uses_pivot(hull, CLONE_NEWNS, false));
	assert_false(hh_launch_uses_pivot(hull, CLONE_NEWNS, true));
	assert_false(hh_launch_uses_pivot(hull, CLONE_NEWPID, false)); /* falls back to chroot */

	char why[128];
	assert_false(hh_runtime_available("docker", why, sizeof(why)));
	assert_non_null(strstr(why, "unknown runtime"));
	assert_true(hh_runtime_available("bare", why, sizeof(why)));
}

static void test_prepare_rejects(void **state)
{
	(void)state;
	char *argv[] = { "/bin/true", NULL };
	struct hh_launch l;
	struct hull_err err = { 0 };
	struct hh_launch_config cfg = { .runtime = "seed",
					.rootfs = "/usr",
					.argv = argv,
					.ns_flags = CLONE_NEWPID,
					.trace_fd = -1,
					.cancel_fd = -1 };

	assert_true(hh_launch_prepare(&cfg, &l, &err) < 0);
	assert_non_null(strstr(err.msg, "cannot create namespaces 'pid'"));
	cfg.runtime = "bwrap";
	cfg.ns_flags = CLONE_NEWTIME;
	assert_true(hh_launch_prepare(&cfg, &l, &err) < 0);
	cfg.ns_flags = 0;
	cfg.chroot = true;
	assert_true(hh_launch_prepare(&cfg, &l, &err) < 0);
	assert_non_null(strstr(err.msg, "no chroot mode"));
	cfg.runtime = "nope";
	assert_true(hh_launch_prepare(&cfg, &l, &err) < 0);
	cfg.runtime = "bare";
	cfg.chroot = false;
	cfg.rootfs = "relative";
	assert_true(hh_launch_prepare(&cfg, &l, &err) < 0);
}

/* bare runs ROOTFS/<argv[0]> directly: with rootfs /usr, /bin/echo is
 * /usr/bin/echo. */
static void test_bare_run_captures_and_times(void **state)
{
	(void)state;
	char *argv[] = { "/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	struct hh_launch_config cfg = {
		.runtime = "bare", .rootfs = "/usr", .argv = argv, .trace_fd = -1, .cancel_fd = -1
	};
	struct hh_launch l;
	struct hh_launch_result r;
	struct hull_err err = { 0 };

	assert_int_equal(hh_launch_prepare(&cfg, &l, &err), 0);
	assert_string_equal(l.argv[0], "/usr/bin/sh");
	for (int i = 0; i < 2; i++) { /* a prepared launch runs many times */
		assert_int_equal(hh_launch_run(&l, &r, &err), 0);
		assert_string_equal(r.out, "out\n");
		assert_string_equal(r.err, "err\n");
		assert_int_equal(r.exit_code, 3);
		assert_false(r.timed_out);
		assert_true(r.t_exit_ns > r.t_spawn_ns);
		hh_launch_result_free(&r);
	}
	hh_launch_release(&l);
}

static void test_bare_run_timeout_kills_the_group(void **state)
{
	(void)state;
	/* the grandchild holds stdout too: the whole group must die */
	char *argv[] = { "/bin/sh", "-c", "sleep 30 & sleep 30", NULL };
	struct hh_launch_config cfg = { .runtime = "bare",
					.rootfs = "/usr",
					.argv = argv,
					.trace_fd = -1,
					.cancel_fd = -1,
					.timeout_ms = 200 };
	struct hh_launch l;
	struct hh_launch_result r;
	struct hull_err err = { 0 };

	assert_int_equal(hh_launch_prepare(&cfg, &l, &err), 0);
	assert_int_equal(hh_launch_run(&l, &r, &err), 0);
	assert_true(r.timed_out);
	assert_int_equal(r.exit_code, 128 + 9);
	assert_true(r.t_exit_ns - r.t_spawn_ns < 5000000000ull);
	hh_launch_result_free(&r);
	hh_launch_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_property_names_in_contract_order),
		cmocka_unit_test(test_rules_hull_default_and_all),
		cmocka_unit_test(test_rules_each_namespace_flips_its_own),
		cmocka_unit_test(test_rules_without_mnt),
		cmocka_unit_test(test_rules_seed_holes),
		cmocka_unit_test(test_rules_bare_and_oci),
		cmocka_unit_test(test_rules_lo),
		cmocka_unit_test(test_rules_follow_capabilities),
		cmocka_unit_test(test_expect_start),
		cmocka_unit_test(test_judge_namespace_identity),
		cmocka_unit_test(test_judge_behaviour_overrides_namespace),
		cmocka_unit_test(test_judge_lo),
		cmocka_unit_test(test_judge_rejects_garbage),
		cmocka_unit_test(test_cell_json),
		cmocka_unit_test(test_runtime_table),
		cmocka_unit_test(test_prepare_rejects),
		cmocka_unit_test(test_bare_run_captures_and_times),
		cmocka_unit_test(test_bare_run_timeout_kills_the_group),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
