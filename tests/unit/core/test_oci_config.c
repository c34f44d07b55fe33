/* test_oci_config.c — config.json onto struct hull_spec (core/oci/oci_config.c,
 * core/oci/oci_linux.c): each supported field's mapping, the refusal of
 * unsupported ones by name, malformed JSON, and the default `hull spec`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cgroup.h"
#include "mounts.h"
#include "ns.h"
#include "oci_config.h"
#include "settings.h"
#include "spec.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <linux/capability.h>

#define PROCESS                                                                                    \
	"\"process\": {\"args\": [\"sh\", \"-c\", \"true\"], \"cwd\": \"/\", "                     \
	"\"user\": {\"uid\": 0, \"gid\": 0}}"
#define BASE "\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}"

struct parsed {
	struct hull_oci_config cfg;
	struct hull_spec spec;
	struct hull_err err;
	int ret;
};

static struct parsed *parse(const char *text)
{
	static struct parsed p;
	hull_oci_config_free(&p.cfg);
	memset(&p, 0, sizeof(p));
	hull_spec_init(&p.spec);
	p.ret = hull_oci_config_parse(text, "/b", &p.cfg, &p.spec, &p.err);
	return &p;
}

/* A config with BASE, PROCESS and the given extra members. */
static struct parsed *parse_with(const char *extra)
{
	char text[8192];
	snprintf(text, sizeof(text), "{" BASE ", " PROCESS "%s%s}", extra[0] ? ", " : "", extra);
	return parse(text);
}

static void assert_refused(const char *extra, const char *field)
{
	struct parsed *p = parse_with(extra);
	char want[256];
	assert_true(p->ret < 0);
	snprintf(want, sizeof(want), "'%s'", field);
	if (!strstr(p->err.msg, want) || !strstr(p->err.msg, "/b/config.json"))
		fail_msg("message '%s' does not name %s", p->err.msg, want);
}

static void test_minimal(void **state)
{
	(void)state;
	struct parsed *p = parse_with("");
	assert_int_equal(p->ret, 0);
	assert_string_equal(p->spec.rootfs_arg, "/b/rootfs");
	assert_int_equal(p->spec.argc, 3);
	assert_string_equal(p->spec.argv[0], "sh");
	assert_null(p->spec.argv[3]);
	assert_string_equal(p->spec.cwd, "/");
	assert_true(p->spec.user.set);
	assert_int_equal(p->spec.ns_flags, 0); /* only listed namespaces */
	assert_int_equal(p->spec.caps, 0);     /* no capabilities unless listed */
	assert_false(p->spec.no_new_privs);
	assert_int_equal(p->spec.seccomp_mode, HULL_SECCOMP_OFF);
	assert_false(p->spec.mount_proc);
	assert_false(p->spec.mount_dev);
	assert_true(p->spec.env_exact);
	assert_null(p->spec.hostname);
	assert_true(p->spec.cgroup_always);
	assert_null(p->spec.masked_paths[0]);
}

static void test_process_fields(void **state)
{
	(void)state;
	struct parsed *p = parse("{" BASE ", \"process\": {\"args\": [\"/bin/x\"], \"cwd\": "
				 "\"/tmp\", \"env\": [\"A=1\", \"B=2\"], \"terminal\": true, "
				 "\"noNewPrivileges\": true, \"user\": {\"uid\": 1000, \"gid\": "
				 "100, \"umask\": 18, \"additionalGids\": [5, 6]}, "
				 "\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024, "
				 "\"hard\": 2048}]}}");
	assert_int_equal(p->ret, 0);
	assert_string_equal(p->spec.cwd, "/tmp");
	assert_int_equal(p->spec.n_env_args, 2);
	assert_string_equal(p->spec.env_args[1], "B=2");
	assert_true(p->cfg.terminal);
	assert_true(p->spec.no_new_privs);
	assert_int_equal(p->spec.user.uid, 1000);
	assert_int_equal(p->spec.user.gid, 100);
	assert_int_equal(p->spec.user.n_groups, 2);
	assert_int_equal(p->spec.user.groups[1], 6);
	assert_int_equal(p->spec.umask, 18);
	assert_int_equal(p->spec.n_rlimits, 1);
	assert_int_equal(p->spec.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(p->spec.rlimits[0].soft, 1024);
	assert_int_equal(p->spec.rlimits[0].hard, 2048);
}

static void test_capabilities(void **state)
{
	(void)state;
	struct parsed *p = parse(
		"{" BASE
		", \"process\": {\"args\": [\"x\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, "
		"\"gid\": 0}, \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\"], "
		"\"effective\": [\"CAP_KILL\", \"CAP_CHOWN\"], \"permitted\": [\"CAP_CHOWN\", "
		"\"CAP_KILL\"], \"ambient\": [\"CAP_KILL\"]}}}");
	assert_int_equal(p->ret, 0);
	assert_int_equal(p->spec.caps, (1ull << CAP_KILL) | (1ull << CAP_CHOWN));
	assert_int_equal(p->spec.ambient, 1ull << CAP_KILL); /* raised, as runc does */

	/* An effective set other than the bounding set cannot be expressed. */
	p = parse("{" BASE ", \"process\": {\"args\": [\"x\"], \"cwd\": \"/\", \"user\": "
		  "{\"uid\": 0, \"gid\": 0}, \"capabilities\": {\"bounding\": [\"CAP_KILL\", "
		  "\"CAP_CHOWN\"], \"effective\": [\"CAP_KILL\"]}}}");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "'process.capabilities.effective'"));

	/* A non-root user: all of the bounding set (kept across the uid
	 * switch, as runc does) or none; ambient only with the former. */
	p = parse("{" BASE ", \"process\": {\"args\": [\"x\"], \"cwd\": \"/\", \"user\": "
		  "{\"uid\": 1000, \"gid\": 1000}, \"capabilities\": {\"bounding\": "
		  "[\"CAP_KILL\"], \"effective\": [\"CAP_KILL\"], \"permitted\": [\"CAP_KILL\"], "
		  "\"ambient\": [\"CAP_KILL\"]}}}");
	assert_int_equal(p->ret, 0);
	assert_true(p->spec.user_keeps_caps);
	assert_int_equal(p->spec.ambient, 1ull << CAP_KILL);
	p = parse("{" BASE ", \"process\": {\"args\": [\"x\"], \"cwd\": \"/\", \"user\": "
		  "{\"uid\": 1000, \"gid\": 1000}, \"capabilities\": {\"bounding\": "
		  "[\"CAP_KILL\"]}}}");
	assert_int_equal(p->ret, 0);
	assert_false(p->spec.user_keeps_caps);
	p = parse("{" BASE ", \"process\": {\"args\": [\"x\"], \"cwd\": \"/\", \"user\": "
		  "{\"uid\": 1000, \"gid\": 1000}, \"capabilities\": {\"bounding\": "
		  "[\"CAP_KILL\"], \"ambient\": [\"CAP_KILL\"]}}}");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "'process.capabilities.ambient'"));

	p = parse("{" BASE ", \"process\": {\"args\": [\"x\"], \"cwd\": \"/\", \"user\": "
		  "{\"uid\": 0, \"gid\": 0}, \"capabilities\": {\"bounding\": [\"CAP_NOPE\"]}}}");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "CAP_NOPE"));
}

static void test_root_hostname_annotations(void **state)
{
	(void)state;
	struct parsed *p = parse("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"/abs/r\", "
				 "\"readonly\": true}, " PROCESS ", \"hostname\": \"box\", "
				 "\"linux\": {\"namespaces\": [{\"type\": \"uts\"}]}, "
				 "\"annotations\": {\"a\": \"b\"}}");
	assert_int_equal(p->ret, 0);
	assert_string_equal(p->spec.rootfs_arg, "/abs/r");
	assert_true(p->spec.read_only);
	assert_false(p->spec.read_only_tmp);
	assert_string_equal(p->spec.hostname, "box");
	assert_non_null(p->cfg.annotations);

	/* A hostname without a uts namespace of its own is an error. */
	p = parse_with("\"hostname\": \"box\"");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "'hostname'"));
}

static void test_namespaces(void **state)
{
	(void)state;
	struct parsed *p = parse_with(
		"\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, "
		"{\"type\": \"mount\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": "
		"\"cgroup\"}, {\"type\": \"user\"}, {\"type\": \"time\"}]}");
	assert_int_equal(p->ret, 0);
	assert_int_equal(p->spec.ns_flags, HULL_NS_ALL);

	p = parse_with("\"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": "
		       "\"/proc/1/ns/net\"}, {\"type\": \"mount\"}]}");
	assert_int_equal(p->ret, 0);
	assert_int_equal(p->spec.ns_flags, CLONE_NEWNS);
	assert_string_equal(p->spec.ns_paths[hull_ns_by_name("net") - hull_ns_table],
			    "/proc/1/ns/net");

	/* A mount namespace joined by path; user and time ones are refused. */
	p = parse_with("\"linux\": {\"namespaces\": [{\"type\": \"mount\", \"path\": \"/x\"}]}");
	assert_int_equal(p->ret, 0);
	assert_string_equal(p->spec.ns_paths[0], "/x");
	assert_refused("\"linux\": {\"namespaces\": [{\"type\": \"user\", \"path\": \"/x\"}]}",
		       "linux.namespaces[0].path");
	p = parse_with("\"linux\": {\"namespaces\": [{\"type\": \"bogus\"}]}");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "'bogus'"));
}

static void test_id_mappings(void **state)
{
	(void)state;
	struct parsed *p = parse_with(
		"\"linux\": {\"namespaces\": [{\"type\": \"user\"}], \"uidMappings\": "
		"[{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}], \"gidMappings\": "
		"[{\"containerID\": 0, \"hostID\": 200000, \"size\": 10}]}");
	assert_int_equal(p->ret, 0);
	assert_true(p->spec.uidmap.set);
	assert_int_equal(p->spec.uidmap.outside, 100000);
	assert_int_equal(p->spec.uidmap.count, 65536);
	assert_int_equal(p->spec.gidmap.outside, 200000);

	p = parse_with("\"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, "
		       "\"size\": 1}, {\"containerID\": 1, \"hostID\": 2, \"size\": 1}]}");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "'linux.uidMappings'"));
	assert_non_null(strstr(p->err.msg, "one mapping"));
}

static void test_resources_and_cgroups_path(void **state)
{
	(void)state;
	struct parsed *p = parse_with(
		"\"linux\": {\"resources\": {\"memory\": {\"limit\": 67108864, \"swap\": "
		"134217728}, \"cpu\": {\"quota\": 25000, \"period\": 50000, \"cpus\": \"0\"}, "
		"\"pids\": {\"limit\": 64}}, \"cgroupsPath\": \"/a/b/c\"}");
	assert_int_equal(p->ret, 0);
	assert_int_equal(p->spec.limits.memory, 67108864);
	assert_int_equal(p->spec.limits.memory_swap, 134217728);
	/* Half a CPU, written as given (the kernel reads both back). */
	assert_int_equal(p->spec.limits.cpu_quota_us, 25000);
	assert_int_equal(p->spec.limits.cpu_period_us, 50000);
	assert_string_equal(p->spec.limits.cpuset, "0");
	assert_int_equal(p->spec.limits.pids, 64);
	assert_string_equal(p->spec.limits.parent, "a/b");
	assert_string_equal(p->spec.cgroup_name, "c");

	p = parse_with("\"linux\": {\"cgroupsPath\": \"machine.slice:libpod:abc\"}");
	assert_int_equal(p->ret, 0);
	assert_string_equal(p->spec.limits.parent, "machine.slice");
	assert_string_equal(p->spec.cgroup_name, "libpod-abc");

	/* blockIO, hugepageLimits, rdma (cgroup v2's io, hugetlb, rdma). */
	p = parse_with(
		"\"linux\": {\"resources\": {\"blockIO\": {\"weight\": 500, "
		"\"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 300}], "
		"\"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1024}], "
		"\"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 16, \"rate\": 9}]}, "
		"\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 4194304}], "
		"\"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3}}}}");
	assert_int_equal(p->ret, 0);
	const struct hull_limits *lim = &p->spec.limits;
	assert_int_equal(lim->blkio_weight, 500);
	assert_int_equal(lim->n_io_devs, 2); /* one entry per device */
	assert_int_equal(lim->io_devs[0].weight, 300);
	assert_int_equal(lim->io_devs[0].rbps, 1024);
	assert_int_equal(lim->io_devs[1].minor, 16);
	assert_int_equal(lim->io_devs[1].wiops, 9);
	assert_int_equal(lim->n_hugetlb, 1);
	assert_string_equal(lim->hugetlb[0].size, "2MB");
	assert_int_equal(lim->n_rdma, 1);
	assert_string_equal(lim->rdma[0].device, "mlx5_1");
	assert_int_equal(lim->rdma[0].hca_handles, 3);
	assert_int_equal(lim->rdma[0].hca_objects, -1);
	assert_true(hull_limits_io_hugetlb_rdma(lim));
	assert_int_equal(hull_blkio_weight_to_io(500), 4950);
	assert_refused("\"linux\": {\"resources\": {\"blockIO\": {\"leafWeight\": 10}}}",
		       "linux.resources.blockIO.leafWeight");
	assert_refused("\"linux\": {\"resources\": {\"blockIO\": {\"weight\": 5}}}",
		       "linux.resources.blockIO.weight");
	assert_refused("\"linux\": {\"resources\": {\"blockIO\": {\"throttleReadBpsDevice\": "
		       "[{\"major\": 8, \"rate\": 1}]}}}",
		       "linux.resources.blockIO.throttleReadBpsDevice[0]");
	assert_refused("\"linux\": {\"resources\": {\"hugepageLimits\": [{\"pageSize\": "
		       "\"2M/../x\", \"limit\": 1}]}}",
		       "linux.resources.hugepageLimits[0]");
	assert_refused("\"linux\": {\"resources\": {\"network\": {\"classID\": 1}}}",
		       "linux.resources.network");
	p = parse_with("\"linux\": {\"resources\": {\"cpu\": {\"shares\": 512}, \"memory\": "
		       "{\"reservation\": 4096, \"swappiness\": 10, \"disableOOMKiller\": true}}}");
	assert_int_equal(p->ret, 0);
	assert_int_equal(p->spec.limits.cpu_shares, 512);
	assert_int_equal(p->spec.limits.memory_reservation, 4096);
	assert_true(p->spec.limits.swappiness_set);
	assert_int_equal(p->spec.limits.swappiness, 10);
	assert_true(p->spec.limits.disable_oom_killer);
	/* Go's unset swappiness (-1 as uint64) is no request. */
	p = parse_with("\"linux\": {\"resources\": {\"memory\": {\"swappiness\": "
		       "18446744073709551615}}}");
	assert_int_equal(p->ret, 0);
	assert_false(p->spec.limits.swappiness_set);
	assert_refused("\"linux\": {\"resources\": {\"cpu\": {\"shares\": 1}}}",
		       "linux.resources.cpu.shares");
	assert_refused("\"linux\": {\"resources\": {\"memory\": {\"swappiness\": 101}}}",
		       "linux.resources.memory.swappiness");
	p = parse_with("\"linux\": {\"resources\": {\"memory\": {\"kernel\": 8192, "
		       "\"kernelTCP\": -1}}}");
	assert_int_equal(p->ret, 0);
	assert_int_equal(p->spec.limits.memory_kernel, 8192);
	assert_int_equal(p->spec.limits.memory_kernel_tcp, -1);
	assert_true(hull_limits_any(&p->spec.limits));
	assert_refused("\"linux\": {\"resources\": {\"memory\": {\"kernelTCP\": \"x\"}}}",
		       "linux.resources.memory.kernelTCP");
}

static void test_device_rules_and_nodes(void **state)
{
	(void)state;
	/* containerd's default: deny all, then allow some; hull appends the
	 * nodes of its own /dev and mknod, as runc does. */
	struct parsed *p = parse_with(
		"\"linux\": {\"resources\": {\"devices\": [{\"allow\": false, \"access\": "
		"\"rwm\"}, {\"allow\": true, \"type\": \"c\", \"major\": 136, \"access\": "
		"\"rwm\"}, {\"allow\": true, \"type\": \"b\", \"major\": 8, \"minor\": 0, "
		"\"access\": \"r\"}]}}");
	assert_int_equal(p->ret, 0);
	const struct hull_dev_rule *r = p->spec.limits.dev_rules;
	assert_true(p->spec.limits.n_dev_rules > 3);
	char line[64];
	hull_cg_dev_rule_line(&r[0], line, sizeof(line));
	assert_false(r[0].allow);
	assert_string_equal(line, "a");
	hull_cg_dev_rule_line(&r[1], line, sizeof(line));
	assert_string_equal(line, "c 136:* rwm");
	hull_cg_dev_rule_line(&r[2], line, sizeof(line));
	assert_string_equal(line, "b 8:0 r");
	assert_refused("\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, "
		       "\"type\": \"x\"}]}}",
		       "linux.resources.devices[0]");
	assert_refused("\"linux\": {\"resources\": {\"devices\": [{\"allow\": true, "
		       "\"access\": \"rwx\"}]}}",
		       "linux.resources.devices[0]");

	p = parse_with(
		"\"linux\": {\"namespaces\": [{\"type\": \"mount\"}], \"devices\": [{\"path\": "
		"\"/dev/net/tun\", \"type\": \"c\", "
		"\"major\": 10, \"minor\": 200, \"fileMode\": 432, \"uid\": 1, \"gid\": 2}]}");
	assert_int_equal(p->ret, 0);
	assert_int_equal(p->spec.n_devices, 1);
	assert_string_equal(p->spec.devices[0].path, "dev/net/tun");
	assert_int_equal(p->spec.devices[0].mode, 0660);
	assert_int_equal(p->spec.devices[0].major, 10);
	assert_int_equal(p->spec.devices[0].gid, 2);
	/* Outside /dev, a bad type, no numbers: refused by name. */
	assert_refused("\"linux\": {\"devices\": [{\"path\": \"/etc/fuse\", \"type\": \"c\", "
		       "\"major\": 10, \"minor\": 229}]}",
		       "linux.devices[0].path");
	assert_refused("\"linux\": {\"devices\": [{\"path\": \"/dev/../etc/x\", \"type\": "
		       "\"c\", \"major\": 1, \"minor\": 3}]}",
		       "linux.devices[0]");
	assert_refused("\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"q\", "
		       "\"major\": 1, \"minor\": 3}]}",
		       "linux.devices[0]");
	assert_refused("\"linux\": {\"devices\": [{\"path\": \"/dev/fuse\"}]}",
		       "linux.devices[0].type");
}

static void test_update_resources(void **state)
{
	(void)state;
	struct hull_oci_config cfg;
	struct hull_limits l = { 0 };
	struct hull_err err;
	assert_int_equal(hull_oci_resources_parse("{\"memory\": {\"limit\": 67108864}, \"cpu\": "
						  "{\"shares\": 2, \"quota\": 50000}, \"devices\": "
						  "[{\"allow\": false, \"access\": \"rwm\"}]}",
						  "<stdin>", &cfg, &l, &err),
			 0);
	assert_int_equal(l.memory, 64 << 20);
	assert_int_equal(l.cpu_shares, 2);
	assert_int_equal(l.cpu_quota_us, 50000);
	assert_int_equal(l.n_dev_rules, 0); /* checked, never changed by update */
	hull_oci_config_free(&cfg);
	memset(&l, 0, sizeof(l));
	assert_true(hull_oci_resources_parse("{\"network\": {\"classID\": 10}}", "<stdin>", &cfg,
					     &l, &err) < 0);
	assert_non_null(strstr(err.msg, "'linux.resources.network'"));
	hull_oci_config_free(&cfg);
	assert_true(hull_oci_resources_parse("[1]", "<stdin>", &cfg, &l, &err) < 0);
	hull_oci_config_free(&cfg);
	assert_true(hull_oci_resources_parse("{\"cpu\": ", "<stdin>", &cfg, &l, &err) < 0);
	assert_non_null(strstr(err.msg, "cannot parse '<stdin>'"));
	hull_oci_config_free(&cfg);
	/* runc's cpu.shares -> cpu.weight conversion at its ends and middle. */
	assert_int_equal(hull_cpu_shares_to_weight(2), 1);
	assert_int_equal(hull_cpu_shares_to_weight(1024), 39);
	assert_int_equal(hull_cpu_shares_to_weight(262144), 10000);
}

static void test_mounts(void **state)
{
	(void)state;
	struct parsed *p = parse_with(
		"\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": "
		"\"proc\"}, {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": "
		"\"tmpfs\"}, {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": "
		"\"devpts\"}, {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": "
		"\"sysfs\"}, {\"destination\": \"/data\", \"type\": \"bind\", \"source\": "
		"\"host\", \"options\": [\"rbind\", \"ro\", \"rprivate\"]}, {\"destination\": "
		"\"/run\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": "
		"[\"nosuid\", \"mode=755\", \"size=1m\"]}, {\"destination\": \"/dev/mqueue\", "
		"\"type\": \"mqueue\", \"source\": \"mqueue\"}]");
	assert_int_equal(p->ret, 0);
	assert_true(p->spec.mount_proc);
	assert_true(p->spec.mount_dev);
	assert_true(p->spec.mount_sys);
	assert_int_equal(p->spec.n_mounts, 3);
	const struct hull_mount *m = &p->spec.mounts[0];
	assert_string_equal(m->dest, "data");
	assert_string_equal(m->source, "/b/host");
	assert_int_equal(m->flags, MS_BIND | MS_REC | MS_RDONLY);
	assert_int_equal(m->propagation, MS_REC | MS_PRIVATE);
	m = &p->spec.mounts[1];
	assert_string_equal(m->type, "tmpfs");
	assert_int_equal(m->flags, MS_NOSUID);
	assert_string_equal(m->data, "mode=755,size=1m");
	assert_string_equal(p->spec.mounts[2].type, "mqueue");

	p = parse_with("\"mounts\": [{\"destination\": \"/x\", \"type\": \"overlay\", "
		       "\"source\": \"o\"}]");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "'mounts[0].type'"));
	p = parse_with("\"mounts\": [{\"destination\": \"/a/../../x\", \"type\": \"tmpfs\"}]");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "'mounts[0]'"));
}

static void test_masks_sysctl_propagation(void **state)
{
	(void)state;
	struct parsed *p = parse_with(
		"\"linux\": {\"namespaces\": [{\"type\": \"network\"}, {\"type\": \"mount\"}], "
		"\"maskedPaths\": [\"/proc/kcore\", \"/x\"], \"readonlyPaths\": [\"/proc/sys\"], "
		"\"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}, \"rootfsPropagation\": "
		"\"rslave\"}");
	assert_int_equal(p->ret, 0);
	assert_string_equal(p->spec.masked_paths[0], "proc/kcore");
	assert_string_equal(p->spec.masked_paths[1], "x");
	assert_null(p->spec.masked_paths[2]);
	assert_string_equal(p->spec.readonly_paths[0], "proc/sys");
	assert_int_equal(p->spec.n_sysctls, 1);
	assert_string_equal(p->spec.sysctls[0].key, "net.ipv4.ip_forward");
	assert_int_equal(p->spec.rootfs_propagation, MS_REC | MS_SLAVE);

	/* A host-wide sysctl, or net.* without a network namespace. */
	p = parse_with("\"linux\": {\"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}}");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "'net.ipv4.ip_forward'"));
	p = parse_with("\"linux\": {\"namespaces\": [{\"type\": \"network\"}], \"sysctl\": "
		       "{\"vm.swappiness\": \"1\"}}");
	assert_true(p->ret < 0);
	p = parse_with("\"linux\": {\"rootfsPropagation\": \"rshared\"}");
	assert_int_equal(p->ret, 0);
	assert_int_equal(p->spec.rootfs_propagation, MS_REC | MS_SHARED);
	p = parse_with("\"linux\": {\"rootfsPropagation\": \"everywhere\"}");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "'linux.rootfsPropagation'"));
}

static void test_unsupported_fields(void **state)
{
	(void)state;
	assert_refused("\"linux\": {\"intelRdt\": {\"closID\": \"x\"}}", "linux.intelRdt");
	/* hooks: every kind of the spec accepted; a relative path, a bad
	 * timeout or an unknown kind refused by name. */
	struct parsed *h = parse_with("\"hooks\": {\"prestart\": [{\"path\": \"/bin/true\", "
				      "\"args\": [\"true\"], \"env\": [\"A=1\"], \"timeout\": 5}], "
				      "\"poststop\": [{\"path\": \"/bin/true\"}]}");
	assert_int_equal(h->ret, 0);
	assert_non_null(h->cfg.hooks);
	h = parse_with("\"hooks\": {\"createContainer\": [{\"path\": \"/bin/true\", "
		       "\"timeout\": 2}]}");
	assert_int_equal(h->ret, 0);
	assert_refused("\"hooks\": {\"createContainer\": [{\"path\": \"true\"}]}",
		       "hooks.createContainer[0]");
	h = parse_with("\"hooks\": {\"startContainer\": [{\"path\": \"/bin/true\"}]}");
	assert_int_equal(h->ret, 0);
	assert_refused("\"hooks\": {\"poststart\": [{\"path\": \"bin/true\"}]}",
		       "hooks.poststart[0]");
	assert_refused("\"hooks\": {\"poststart\": [{\"path\": \"/bin/true\", \"timeout\": 0}]}",
		       "hooks.poststart[0]");
	assert_refused("\"hooks\": {\"poststart\": [{\"path\": \"/bin/true\", \"args\": [1]}]}",
		       "hooks.poststart[0].args");
	assert_refused("\"hooks\": {\"onboot\": [{\"path\": \"/bin/true\"}]}", "hooks.onboot");
	assert_refused("\"domainname\": \"example\"", "domainname");
	assert_refused("\"solaris\": {\"milestone\": \"x\"}", "solaris");
	/* A top-level property the spec does not define is ignored (its
	 * extensibility rule); below the top level hull's lists hold. */
	struct parsed *p = parse_with("\"unknown\": \"unknown\", \"x-vendor\": {\"a\": 1}");
	assert_int_equal(p->ret, 0);
	assert_refused("\"linux\": {\"unknown\": 1}", "linux.unknown");
	assert_refused("\"windows\": {\"layerFolders\": [\"c\"]}", "windows");
	/* Fields that ask for nothing pass. */
	p = parse_with(
		"\"hooks\": {\"prestart\": []}, \"linux\": {\"devices\": [], \"seccomp\": null}");
	assert_int_equal(p->ret, 0);
}

static void test_malformed(void **state)
{
	(void)state;
	struct parsed *p = parse("{\"ociVersion\": ");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "cannot parse '/b/config.json'"));
	p = parse("[1, 2]");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "not a JSON object"));
	p = parse("null"); /* valid JSON, no object: json-c gives no tree */
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "not a JSON object"));
	p = parse("{" BASE "}");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "'process'"));
	p = parse("{\"ociVersion\": \"2.0.0\", \"root\": {\"path\": \"r\"}, " PROCESS "}");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "ociVersion"));
	p = parse("{" BASE ", \"process\": {\"args\": [], \"cwd\": \"/\"}}");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "'process.args'"));
	p = parse("{" BASE ", \"process\": {\"args\": [\"x\"], \"cwd\": 5}}");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "'process.cwd'"));
	p = parse("{" BASE ", \"process\": {\"args\": [\"x\"], \"cwd\": \"/\", \"user\": "
		  "{\"uid\": -1, \"gid\": 0}}}");
	assert_true(p->ret < 0);
	assert_non_null(strstr(p->err.msg, "'process.user.uid'"));
}

/* `hull spec`'s output parses back into hull's own defaults. */
static void test_default_config_round_trip(void **state)
{
	(void)state;
	char *text = hull_oci_default_config("/r");
	struct parsed *p = parse(text);
	free(text);
	assert_int_equal(p->ret, 0);
	assert_int_equal(p->spec.ns_flags, HULL_NS_DEFAULT);
	assert_int_equal(p->spec.caps, hull_caps_default());
	assert_true(p->spec.no_new_privs);
	assert_true(p->spec.mount_proc && p->spec.mount_dev && p->spec.mount_sys);
	assert_string_equal(p->spec.masked_paths[0], "proc/acpi");
	assert_string_equal(p->spec.hostname, "hull");
	hull_oci_config_free(&p->cfg);
	memset(&p->cfg, 0, sizeof(p->cfg));
}

/* hull exec --process: a process object alone. */
static void test_process_file(void **state)
{
	(void)state;
	struct hull_oci_config cfg;
	struct hull_spec spec;
	struct hull_err err;

	hull_spec_init(&spec);
	assert_int_equal(
		hull_oci_process_parse("{\"args\": [\"ls\", \"-l\"], \"cwd\": \"/etc\", \"env\": "
				       "[\"A=1\"], \"user\": {\"uid\": 5, \"gid\": 6}, "
				       "\"terminal\": true, \"noNewPrivileges\": true}",
				       "/p.json", &cfg, &spec, &err),
		0);
	assert_int_equal(spec.argc, 2);
	assert_string_equal(spec.argv[1], "-l");
	assert_string_equal(spec.cwd, "/etc");
	assert_int_equal(spec.user.uid, 5);
	assert_true(cfg.terminal && spec.no_new_privs && spec.env_exact);
	assert_int_equal(spec.n_env_args, 1);
	hull_oci_config_free(&cfg);
	hull_spec_free(&spec);

	hull_spec_init(&spec);
	assert_true(hull_oci_process_parse("{\"args\": [], \"cwd\": \"/\"}", "/p.json", &cfg, &spec,
					   &err) < 0);
	assert_non_null(strstr(err.msg, "'process.args' in '/p.json'"));
	hull_oci_config_free(&cfg);
	hull_spec_init(&spec);
	assert_true(hull_oci_process_parse("[1]", "/p.json", &cfg, &spec, &err) < 0);
	hull_oci_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_process_fields),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_root_hostname_annotations),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_id_mappings),
		cmocka_unit_test(test_resources_and_cgroups_path),
		cmocka_unit_test(test_device_rules_and_nodes),
		cmocka_unit_test(test_update_resources),
		cmocka_unit_test(test_mounts),
		cmocka_unit_test(test_masks_sysctl_propagation),
		cmocka_unit_test(test_unsupported_fields),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_default_config_round_trip),
		cmocka_unit_test(test_process_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
