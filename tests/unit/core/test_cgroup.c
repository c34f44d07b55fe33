/* test_cgroup.c — layout detection on recorded mountinfo of all three
 * layouts, and the v2 backend against a fake cgroup2 tree in a temp dir
 * (this host's unified tree has no controllers, so the real v2 path cannot
 * run here; the e2e tests cover the v1 backend on the real hierarchy). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup_owner.h"
#include "fileio.h"

#include <sys/xattr.h>

/* Debian 12 / systemd default: unified only. */
static const char *const mountinfo_v2 =
	"22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
	"25 22 0:22 / /sys rw,nosuid shared:2 - sysfs sysfs rw\n"
	"26 25 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec shared:3 - cgroup2 cgroup2 "
	"rw,nsdelegate,memory_recursiveprot\n";

/* This VM: v1 controllers, and a unified tree without them. */
static const char *const mountinfo_hybrid =
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/* Legacy v1 with cpu and cpuacct co-mounted, as older distributions do. */
static const char *const mountinfo_v1 =
	"30 25 0:26 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n"
	"31 30 0:27 / /sys/fs/cgroup/systemd rw shared:10 - cgroup cgroup rw,xattr,name=systemd\n"
	"34 30 0:30 / /sys/fs/cgroup/cpu,cpuacct rw shared:13 - cgroup cgroup rw,cpu,cpuacct\n"
	"35 30 0:31 / /sys/fs/cgroup/memory rw shared:14 - cgroup cgroup rw,memory\n"
	"36 30 0:32 / /sys/fs/cgroup/pids rw shared:15 - cgroup cgroup rw,pids\n";

static void test_detect_v2(void **state)
{
	(void)state;
	struct hull_cg_mounts m;
	assert_int_equal(hull_cgroup_detect(mountinfo_v2, &m, NULL), 0);
	assert_int_equal(m.layout, HULL_CG_V2);
	assert_string_equal(hull_cg_layout_name(m.layout), "v2");
	assert_string_equal(m.v2, "/sys/fs/cgroup");
	for (int c = 0; c < HULL_CTRL_COUNT; c++)
		assert_string_equal(m.v1[c], "");
}

static void test_detect_hybrid(void **state)
{
	(void)state;
	struct hull_cg_mounts m;
	assert_int_equal(hull_cgroup_detect(mountinfo_hybrid, &m, NULL), 0);
	assert_int_equal(m.layout, HULL_CG_HYBRID);
	assert_string_equal(m.v2, "/sys/fs/cgroup/unified");
	assert_string_equal(m.v1[HULL_CTRL_MEMORY], "/sys/fs/cgroup/memory");
	assert_string_equal(m.v1[HULL_CTRL_CPU], "/sys/fs/cgroup/cpu");
	assert_string_equal(m.v1[HULL_CTRL_CPUACCT], "/sys/fs/cgroup/cpuacct");
	assert_string_equal(m.v1[HULL_CTRL_PIDS], "/sys/fs/cgroup/pids");
	assert_string_equal(m.v1[HULL_CTRL_CPUSET], "/sys/fs/cgroup/cpuset");
}

static void test_detect_v1_comounted(void **state)
{
	(void)state;
	struct hull_cg_mounts m;
	assert_int_equal(hull_cgroup_detect(mountinfo_v1, &m, NULL), 0);
	assert_int_equal(m.layout, HULL_CG_V1);
	assert_string_equal(m.v2, "");
	assert_string_equal(m.v1[HULL_CTRL_CPU], "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(m.v1[HULL_CTRL_CPUACCT], "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(m.v1[HULL_CTRL_CPUSET], ""); /* not mounted there */
	/* "name=systemd" must not be taken for a controller. */
	assert_string_equal(m.v1[HULL_CTRL_MEMORY], "/sys/fs/cgroup/memory");
}

static void test_detect_none(void **state)
{
	(void)state;
	struct hull_cg_mounts m;
	assert_int_equal(hull_cgroup_detect("22 1 254:0 / / rw - ext4 /dev/vda rw\n", &m, NULL), 0);
	assert_int_equal(m.layout, HULL_CG_NONE);
	struct hull_limits l = { .pids = 5, .parent = "hull" };
	struct hull_cgroup cg;
	struct hull_err err;
	assert_true(hull_cgroup_init(&cg, &l, &m, "x", &err) < 0);
	assert_string_equal(err.msg, "cannot set resource limits: no cgroup filesystem is mounted: "
				     "No such file or directory");
}

static void test_v1_missing_controller(void **state)
{
	(void)state;
	struct hull_cg_mounts m;
	struct hull_cgroup cg;
	struct hull_err err;
	struct hull_limits l = { .cpuset = "0", .parent = "hull" };
	hull_cgroup_detect(mountinfo_v1, &m, NULL);
	assert_true(hull_cgroup_init(&cg, &l, &m, "x", &err) < 0);
	assert_non_null(strstr(err.msg, "cgroup controller 'cpuset' is not available"));
}

/* ---- v2 backend on a fake tree ------------------------------------- */

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[400];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(hull_write_file(path, text, 1, NULL), 0);
}

static const char *get(const char *rel)
{
	static char buf[256];
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_true(hull_read_file(path, buf, sizeof(buf), NULL) >= 0);
	return buf;
}

/* The kernel fills a new cgroup directory with its interface files; the
 * fake tree does the same for the directories hull makes under ctr/. */
int __real_mkdir(const char *path, mode_t mode);
int __wrap_mkdir(const char *path, mode_t mode)
{
	static const char *const files[] = { "memory.max",	"memory.swap.max", "cpu.max",
					     "pids.max",	"cpuset.cpus",	   "cgroup.procs",
					     "cgroup.kill",	"io.weight",	   "io.max",
					     "hugetlb.2MB.max", "rdma.max" };
	char ctr[128];
	int ret = __real_mkdir(path, mode);

	snprintf(ctr, sizeof(ctr), "%s/ctr/", root);
	if (ret < 0 || strncmp(path, ctr, strlen(ctr)) != 0)
		return ret;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char rel[300];
		snprintf(rel, sizeof(rel), "%s/%s", path + strlen(root) + 1, files[i]);
		put(rel, "");
	}
	return 0;
}

static int make_tree(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/hull-test-cgv2-XXXXXX");
	assert_non_null(mkdtemp(root));
	put("cgroup.controllers", "cpuset cpu io memory pids\n");
	put("cgroup.subtree_control", "");
	char dir[128];
	snprintf(dir, sizeof(dir), "%s/ctr", root);
	mkdir(dir, 0755);
	put("ctr/cgroup.subtree_control", "");
	return 0;
}

static int remove_tree(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void test_v2_backend(void **state)
{
	(void)state;
	struct hull_cg_mounts m = { .layout = HULL_CG_V2 };
	struct hull_limits l = { .memory = 64 << 20,
				 .cpu_quota_us = 50000,
				 .pids = 10,
				 .cpuset = "0",
				 .parent = "ctr" };
	struct hull_cgroup cg;
	struct hull_err err;
	struct hull_cg_stats st;

	snprintf(m.v2, sizeof(m.v2), "%s", root);
	assert_int_equal(hull_cgroup_init(&cg, &l, &m, "box", &err), 0);
	assert_ptr_equal(cg.ops, &hull_cg_v2_backend);
	assert_int_equal(hull_cgroup_create(&cg, &err), 0);

	assert_string_equal(get("cgroup.subtree_control"), "+memory +cpu +pids +cpuset");
	assert_string_equal(get("ctr/cgroup.subtree_control"), "+memory +cpu +pids +cpuset");
	assert_string_equal(get("ctr/box/memory.max"), "67108864");
	assert_string_equal(get("ctr/box/memory.swap.max"), "67108864"); /* docker: swap = memory */
	assert_string_equal(get("ctr/box/cpu.max"), "50000 100000");
	assert_string_equal(get("ctr/box/pids.max"), "10");
	assert_string_equal(get("ctr/box/cpuset.cpus"), "0");
	assert_true(cg.ops->into_fd(&cg) >= 0); /* ready for CLONE_INTO_CGROUP */

	assert_int_equal(hull_cgroup_attach(&cg, 4242, &err), 0);
	assert_string_equal(get("ctr/box/cgroup.procs"), "4242");

	put("ctr/box/memory.peak", "123456\n");
	put("ctr/box/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 2\n");
	put("ctr/box/cpu.stat", "usage_usec 1500\nuser_usec 1000\n");
	hull_cgroup_stats(&cg, &st);
	assert_int_equal(st.memory_peak, 123456);
	assert_int_equal(st.oom_kills, 2);
	assert_int_equal(st.cpu_ns, 1500000);

	/* A real cgroup directory is empty of files to rmdir; this fake one is
	 * not, so destroy reports failure but has asked the kernel to kill
	 * through cgroup.kill (never by scanning cgroup.procs: 4242 is not
	 * ours). */
	assert_true(hull_cgroup_destroy(&cg, &err) < 0);
	assert_string_equal(get("ctr/box/cgroup.kill"), "1");
	assert_non_null(strstr(err.msg, "cannot remove cgroup"));
}

static void test_v2_missing_controller(void **state)
{
	(void)state;
	struct hull_cg_mounts m = { .layout = HULL_CG_V2 };
	struct hull_limits l = { .pids = 10, .parent = "ctr" };
	struct hull_cgroup cg;
	struct hull_err err;

	snprintf(m.v2, sizeof(m.v2), "%s", root);
	put("cgroup.controllers", "cpu io memory\n");
	assert_true(hull_cgroup_init(&cg, &l, &m, "box", &err) < 0);
	assert_string_equal(err.msg,
			    "cannot set limits: cgroup controller 'pids' is not available: "
			    "No such file or directory");
	put("cgroup.controllers", "cpuset cpu io memory pids\n");
}

/* OCI update adding a limit whose controller the create did not need: the
 * controller is enabled down to the parent first, then the file written. */
static void test_v2_update_enables_a_new_controller(void **state)
{
	(void)state;
	struct hull_cg_mounts m = { .layout = HULL_CG_V2 };
	struct hull_limits l = { .pids = 10, .parent = "ctr" };
	struct hull_limits more = { .cpu_quota_us = 30000, .cpu_shares = 1024, .parent = "ctr" };
	struct hull_cgroup cg;
	struct hull_err err;

	snprintf(m.v2, sizeof(m.v2), "%s", root);
	assert_int_equal(hull_cgroup_init(&cg, &l, &m, "box", &err), 0);
	assert_int_equal(hull_cgroup_create(&cg, &err), 0);
	assert_string_equal(get("ctr/cgroup.subtree_control"), "+pids");
	put("ctr/box/cpu.weight", "");
	put("cgroup.subtree_control", ""); /* the fake files keep what was written */
	put("ctr/cgroup.subtree_control", "");
	assert_int_equal(hull_cgroup_update(&cg, &more, &err), 0);
	assert_string_equal(get("cgroup.subtree_control"), "+cpu");
	assert_string_equal(get("ctr/cgroup.subtree_control"), "+cpu");
	assert_string_equal(get("ctr/box/cpu.max"), "30000 100000");
	assert_string_equal(get("ctr/box/cpu.weight"), "39");
	assert_string_equal(get("ctr/box/pids.max"), "10"); /* left as it was */
	/* A controller the host lacks: one clear error, nothing written. */
	put("cgroup.controllers", "memory pids\n");
	assert_true(hull_cgroup_update(&cg, &more, &err) < 0);
	assert_non_null(strstr(err.msg, "controller 'cpu' is not available"));
	put("cgroup.controllers", "cpuset cpu io memory pids\n");
	hull_cgroup_destroy(&cg, &err);
}

/* blockIO, hugepageLimits and rdma onto io.weight, io.max,
 * hugetlb.<size>.max and rdma.max; v1 refuses them. */
static void test_v2_io_hugetlb_rdma(void **state)
{
	(void)state;
	struct hull_cg_mounts m = { .layout = HULL_CG_V2 };
	const struct hull_io_dev devs[] = { { .major = 8, .minor = 0, .rbps = 1024, .wiops = 9 } };
	const struct hull_hugetlb huge[] = { { .size = "2MB", .limit = 4194304 } };
	const struct hull_rdma rdma[] = {
		{ .device = "mlx5_1", .hca_handles = 3, .hca_objects = -1 }
	};
	struct hull_limits l = { .blkio_weight = 500,
				 .io_devs = devs,
				 .n_io_devs = 1,
				 .hugetlb = huge,
				 .n_hugetlb = 1,
				 .rdma = rdma,
				 .n_rdma = 1,
				 .parent = "ctr" };
	struct hull_cgroup cg;
	struct hull_err err;

	snprintf(m.v2, sizeof(m.v2), "%s", root);
	put("cgroup.controllers", "cpuset cpu io memory pids hugetlb rdma\n");
	assert_int_equal(hull_cgroup_init(&cg, &l, &m, "box", &err), 0);
	assert_int_equal(hull_cgroup_create(&cg, &err), 0);
	assert_string_equal(get("ctr/cgroup.subtree_control"), "+io +hugetlb +rdma");
	assert_string_equal(get("ctr/box/io.weight"), "default 4950");
	assert_string_equal(get("ctr/box/io.max"), "8:0 rbps=1024 wiops=9");
	assert_string_equal(get("ctr/box/hugetlb.2MB.max"), "4194304");
	assert_string_equal(get("ctr/box/rdma.max"), "mlx5_1 hca_handle=3");
	hull_cgroup_destroy(&cg, &err);
	put("cgroup.controllers", "cpuset cpu io memory pids\n");
	/* Without the controller on the host: one clear error. */
	assert_true(hull_cgroup_init(&cg, &l, &m, "box2", &err) < 0);
	assert_non_null(strstr(err.msg, "controller 'hugetlb' is not available"));
	/* The v1 backend's own: test_cgroup_v1_io.c. */
}

static void test_v2_swap_options(void **state)
{
	(void)state;
	struct hull_cg_mounts m = { .layout = HULL_CG_V2 };
	struct hull_limits l = { .memory = 32 << 20, .memory_swap = -1, .parent = "ctr" };
	struct hull_cgroup cg;
	struct hull_err err;

	snprintf(m.v2, sizeof(m.v2), "%s", root);
	assert_int_equal(hull_cgroup_init(&cg, &l, &m, "box", &err), 0);
	assert_int_equal(hull_cgroup_create(&cg, &err), 0);
	assert_string_equal(get("ctr/box/memory.swap.max"), "max");
	hull_cgroup_destroy(&cg, NULL);

	l.memory_swap = 48 << 20; /* memory + swap: 16 MiB of swap */
	assert_int_equal(hull_cgroup_init(&cg, &l, &m, "box2", &err), 0);
	assert_int_equal(hull_cgroup_create(&cg, &err), 0);
	assert_string_equal(get("ctr/box2/memory.swap.max"), "16777216");
	hull_cgroup_destroy(&cg, NULL);
}

static void test_self_name(void **state)
{
	(void)state;
	char name[64], want[32];
	assert_int_equal(hull_cgroup_self_name(name, sizeof(name)), 0);
	snprintf(want, sizeof(want), "%d-", (int)getpid());
	assert_int_equal(strncmp(name, want, strlen(want)), 0);
	assert_true(strlen(name) > strlen(want));
}
/* ---- only what hull made: marker, gc, reopen ------------------------ */

static void make_dir(const char *rel, const char *marker)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
	if (marker)
		assert_int_equal(setxattr(path, HULL_CG_OWNER_XATTR, marker, strlen(marker), 0), 0);
}

static bool exists(const char *rel)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return access(path, F_OK) == 0;
}

static void test_create_marks_what_it_made(void **state)
{
	(void)state;
	struct hull_cg_mounts m = { .layout = HULL_CG_V2 };
	struct hull_limits l = { .pids = 10, .parent = "ctr" };
	struct hull_cgroup cg;
	struct hull_err err;
	char path[256], value[64];

	snprintf(m.v2, sizeof(m.v2), "%s", root);
	assert_int_equal(hull_cgroup_init(&cg, &l, &m, "box", &err), 0);
	assert_int_equal(hull_cgroup_create(&cg, &err), 0);
	snprintf(path, sizeof(path), "%s/ctr/box", root);
	ssize_t n = getxattr(path, HULL_CG_OWNER_XATTR, value, sizeof(value) - 1);
	assert_true(n > 0);
	value[n] = '\0';
	assert_string_equal(value, "named box");

	/* A run cgroup (named after this hull) says so. */
	struct hull_cgroup run;
	char name[64];
	assert_int_equal(hull_cgroup_init(&run, &l, &m, NULL, &err), 0);
	assert_int_equal(hull_cgroup_self_name(name, sizeof(name)), 0);
	assert_string_equal(run.name, name);
	assert_int_equal(hull_cgroup_create(&run, &err), 0);
	char want[80];
	snprintf(want, sizeof(want), "run %s", name);
	assert_int_equal(hull_cg_owner_check(run.dir[0], want), 1);
	if (run.dir_fd >= 0)
		close(run.dir_fd);
	if (cg.dir_fd >= 0)
		close(cg.dir_fd);
}

static void test_create_refuses_a_directory_already_there(void **state)
{
	(void)state;
	struct hull_cg_mounts m = { .layout = HULL_CG_V2 };
	struct hull_limits l = { .pids = 10, .parent = "ctr" };
	struct hull_cgroup cg;
	struct hull_err err;

	snprintf(m.v2, sizeof(m.v2), "%s", root);
	make_dir("ctr/web-server", NULL);
	put("ctr/web-server/pids.max", "max");
	assert_int_equal(hull_cgroup_init(&cg, &l, &m, "web-server", &err), 0);
	assert_true(hull_cgroup_create(&cg, &err) < 0);
	assert_non_null(strstr(err.msg, "web-server': File exists"));
	assert_string_equal(get("ctr/web-server/pids.max"), "max"); /* not written */
	assert_true(exists("ctr/web-server"));
}

static void test_reopen_takes_only_a_marked_directory(void **state)
{
	(void)state;
	struct hull_cg_mounts m = { .layout = HULL_CG_V2 };
	struct hull_limits l = { .parent = "ctr" };
	struct hull_cgroup cg;
	struct hull_err err;

	snprintf(m.v2, sizeof(m.v2), "%s", root);
	make_dir("ctr/mine", "named mine");
	make_dir("ctr/foreign", NULL);
	make_dir("ctr/other", "named someone-else");
	make_dir("ctr/9-9", "run 9-9"); /* a run marker, reopened by name */

	assert_int_equal(hull_cgroup_init(&cg, &l, &m, "mine", &err), 0);
	hull_cgroup_reopen(&cg);
	assert_true(cg.made[0]);
	assert_int_equal(hull_cgroup_init(&cg, &l, &m, "foreign", &err), 0);
	hull_cgroup_reopen(&cg);
	assert_false(cg.made[0]);
	assert_int_equal(hull_cgroup_signal_all(&cg, 0), 0);
	assert_int_equal(hull_cgroup_destroy(&cg, &err), 0);
	assert_true(exists("ctr/foreign"));
	assert_int_equal(hull_cgroup_init(&cg, &l, &m, "other", &err), 0);
	hull_cgroup_reopen(&cg);
	assert_false(cg.made[0]);
	assert_int_equal(hull_cgroup_init(&cg, &l, &m, "9-9", &err), 0);
	hull_cgroup_reopen(&cg);
	assert_false(cg.made[0]); /* named "9-9" by a caller: marker "named 9-9" */
}

/* A pid no process has now. */
static long dead_pid(void)
{
	char path[64];
	long pid = 4194303;
	for (;; pid--) {
		snprintf(path, sizeof(path), "/proc/%ld", pid);
		if (access(path, F_OK) < 0)
			return pid;
	}
}

static void test_gc_collects_only_marked_dead_runs(void **state)
{
	(void)state;
	struct hull_cg_mounts m = { .layout = HULL_CG_V2 };
	char rel[128], marker[128], self[64];
	long dead = dead_pid();

	snprintf(m.v2, sizeof(m.v2), "%s", root);
	make_dir("gcp", NULL);
	make_dir("gcp/web-server", NULL);
	make_dir("gcp/db-1", NULL);
	snprintf(rel, sizeof(rel), "gcp/%ld-456", dead); /* hull's pattern, no marker */
	make_dir(rel, NULL);
	snprintf(rel, sizeof(rel), "gcp/%ld-457", dead); /* a caller-named one */
	snprintf(marker, sizeof(marker), "named %ld-457", dead);
	make_dir(rel, marker);
	snprintf(rel, sizeof(rel), "gcp/%ld-458", dead); /* a marker for another name */
	snprintf(marker, sizeof(marker), "run %ld-1", dead);
	make_dir(rel, marker);
	snprintf(rel, sizeof(rel), "gcp/%ld-459x", dead); /* not the pattern */
	snprintf(marker, sizeof(marker), "run %ld-459x", dead);
	make_dir(rel, marker);
	assert_int_equal(hull_cgroup_self_name(self, sizeof(self)), 0);
	snprintf(rel, sizeof(rel), "gcp/%s", self); /* a live hull's */
	snprintf(marker, sizeof(marker), "run %s", self);
	make_dir(rel, marker);
	snprintf(rel, sizeof(rel), "gcp/%ld-460", dead); /* the one stale hull run */
	snprintf(marker, sizeof(marker), "run %ld-460", dead);
	make_dir(rel, marker);

	assert_int_equal(hull_cgroup_gc(&m, "gcp", NULL), 1);
	assert_false(exists(rel));
	assert_true(exists("gcp/web-server"));
	assert_true(exists("gcp/db-1"));
	static const char *const kept[] = { "456", "457", "458", "459x" };
	for (size_t i = 0; i < 4; i++) {
		snprintf(rel, sizeof(rel), "gcp/%ld-%s", dead, kept[i]);
		assert_true(exists(rel));
	}
	snprintf(rel, sizeof(rel), "gcp/%s", self);
	assert_true(exists(rel));
	assert_int_equal(hull_cgroup_gc(&m, "gcp", NULL), 0);
	assert_int_equal(hull_cgroup_gc(&m, "no-such-parent", NULL), 0);
}

/* A run killed between its mkdir and its marker: the intent record it wrote
 * first makes its unmarked directory collectable -- only under the parent the
 * record names, only once the run is dead, never one with someone's marker. */
static void test_gc_collects_a_run_killed_before_marking(void **state)
{
	(void)state;
	struct hull_cg_mounts m = { .layout = HULL_CG_V2 };
	char rel[128], killed[64], other[64], self[64], path[256];
	long dead = dead_pid();

	snprintf(m.v2, sizeof(m.v2), "%s", root);
	snprintf(killed, sizeof(killed), "%ld-901", dead);
	snprintf(other, sizeof(other), "%ld-902", dead);
	if (hull_cg_intent_begin(killed, "gcq") < 0)
		skip(); /* /run not writable here */
	assert_true(hull_cg_intent_for(killed, "gcq"));
	assert_false(hull_cg_intent_for(killed, "gcp"));
	assert_int_equal(hull_cg_intent_begin(other, "elsewhere"), 0);
	assert_int_equal(hull_cgroup_self_name(self, sizeof(self)), 0);
	assert_int_equal(hull_cg_intent_begin(self, "gcq"), 0);
	make_dir("gcq", NULL);
	snprintf(rel, sizeof(rel), "gcq/%s", killed);
	make_dir(rel, NULL);
	snprintf(rel, sizeof(rel), "gcq/%s", other); /* its record names another parent */
	make_dir(rel, NULL);
	snprintf(rel, sizeof(rel), "gcq/%s", self); /* its run is alive */
	make_dir(rel, NULL);

	assert_int_equal(hull_cgroup_gc(&m, "gcq", NULL), 1);
	snprintf(rel, sizeof(rel), "gcq/%s", killed);
	assert_false(exists(rel));
	assert_false(hull_cg_intent_for(killed, "gcq")); /* its record is dropped */
	snprintf(rel, sizeof(rel), "gcq/%s", other);
	assert_true(exists(rel));
	assert_true(hull_cg_intent_for(other, "elsewhere"));
	snprintf(rel, sizeof(rel), "gcq/%s", self);
	assert_true(exists(rel));
	assert_true(hull_cg_intent_for(self, "gcq"));

	/* A dead run's record whose directory is gone goes with any gc, whatever
	 * parent it names, when these mounts have that parent; under a parent
	 * they do not have it stays. */
	char gone[64], elsewhere[64];
	snprintf(gone, sizeof(gone), "%ld-903", dead);
	snprintf(elsewhere, sizeof(elsewhere), "%ld-904", dead);
	make_dir("gcp2", NULL);
	assert_int_equal(hull_cg_intent_begin(gone, "gcp2"), 0);
	assert_int_equal(hull_cg_intent_begin(elsewhere, "no-such-parent"), 0);
	assert_int_equal(hull_cgroup_gc(&m, "gcq", NULL), 0);
	assert_false(hull_cg_intent_for(gone, "gcp2"));
	assert_true(hull_cg_intent_for(elsewhere, "no-such-parent"));
	hull_cg_intent_end(elsewhere);

	/* A record does not make a foreign-marked directory hull's. */
	assert_int_equal(hull_cg_intent_begin(killed, "gcq"), 0);
	snprintf(rel, sizeof(rel), "gcq/%s", killed);
	make_dir(rel, "someone else");
	assert_int_equal(hull_cgroup_gc(&m, "gcq", NULL), 0);
	assert_true(exists(rel));

	hull_cg_intent_end(killed);
	hull_cg_intent_end(other);
	hull_cg_intent_end(self);
	snprintf(path, sizeof(path), "%s/%s", HULL_CG_INTENT_DIR, self);
	assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect_v2),
		cmocka_unit_test(test_detect_hybrid),
		cmocka_unit_test(test_detect_v1_comounted),
		cmocka_unit_test(test_detect_none),
		cmocka_unit_test(test_v1_missing_controller),
		cmocka_unit_test_setup_teardown(test_v2_backend, make_tree, remove_tree),
		cmocka_unit_test_setup_teardown(test_v2_missing_controller, make_tree, remove_tree),
		cmocka_unit_test_setup_teardown(test_v2_update_enables_a_new_controller, make_tree,
						remove_tree),
		cmocka_unit_test_setup_teardown(test_v2_io_hugetlb_rdma, make_tree, remove_tree),
		cmocka_unit_test_setup_teardown(test_v2_swap_options, make_tree, remove_tree),
		cmocka_unit_test(test_self_name),
		cmocka_unit_test_setup_teardown(test_create_marks_what_it_made, make_tree,
						remove_tree),
		cmocka_unit_test_setup_teardown(test_create_refuses_a_directory_already_there,
						make_tree, remove_tree),
		cmocka_unit_test_setup_teardown(test_reopen_takes_only_a_marked_directory,
						make_tree, remove_tree),
		cmocka_unit_test_setup_teardown(test_gc_collects_only_marked_dead_runs, make_tree,
						remove_tree),
		cmocka_unit_test_setup_teardown(test_gc_collects_a_run_killed_before_marking,
						make_tree, remove_tree),
	};
	/* The runs' intent records go to the real state dir: left as found
	 * (rmdir removes only what is empty), as the e2e session does. */
	bool had_state = access("/run/hull", F_OK) == 0;
	bool had_intents = access(HULL_CG_INTENT_DIR, F_OK) == 0;
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	if (!had_intents)
		rmdir(HULL_CG_INTENT_DIR);
	if (!had_state)
		rmdir("/run/hull");
	return failed;
}
