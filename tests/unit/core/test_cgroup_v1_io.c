/* test_cgroup_v1_io.c — the v1 backend's blkio, hugetlb and rdma against
 * a fake v1 tree in a temp dir (this host has blkio but no hugetlb or rdma
 * hierarchy, and no block device with weights; the e2e tests write the
 * real blkio throttles). New directories get the kernel's interface files
 * (mkdir is wrapped), so what hull wrote can be read back. */
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

static char root[64];
/* The weight files new blkio dirs get: BFQ's, CFQ's or none (no BFQ). */
static enum { BFQ, CFQ, NO_WEIGHTS } weights;

static void put(const char *path, const char *text)
{
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

static bool exists(const char *rel)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return access(path, F_OK) == 0;
}

int __real_mkdir(const char *path, mode_t mode);
int __wrap_mkdir(const char *path, mode_t mode)
{
	static const char *const files[] = {
		"cgroup.procs",
		"tasks",
		"memory.limit_in_bytes",
		"blkio.throttle.read_bps_device",
		"blkio.throttle.write_bps_device",
		"blkio.throttle.read_iops_device",
		"blkio.throttle.write_iops_device",
		"hugetlb.2MB.limit_in_bytes",
		"rdma.max",
	};
	char file[400];
	int ret = __real_mkdir(path, mode);

	if (ret < 0 || strncmp(path, root, strlen(root)) != 0 || !strstr(path, "/ctr/"))
		return ret;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(file, sizeof(file), "%s/%s", path, files[i]);
		put(file, "");
	}
	if (strstr(path, "/blkio/") && weights != NO_WEIGHTS) {
		snprintf(file, sizeof(file), "%s/%s", path,
			 weights == CFQ ? "blkio.weight" : "blkio.bfq.weight");
		put(file, "");
		snprintf(file, sizeof(file), "%s/%s", path,
			 weights == CFQ ? "blkio.weight_device" : "blkio.bfq.weight_device");
		put(file, "");
	}
	return 0;
}

/* One hierarchy per controller under root, each with the parent "ctr". */
static int make_tree(void **state)
{
	static const char *const ctrls[] = { "memory", "blkio", "hugetlb", "rdma" };
	char dir[128];

	(void)state;
	weights = BFQ;
	snprintf(root, sizeof(root), "/tmp/hull-test-cgv1-XXXXXX");
	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < 4; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, ctrls[i]);
		assert_int_equal(__real_mkdir(dir, 0755), 0);
		snprintf(dir, sizeof(dir), "%s/%s/ctr", root, ctrls[i]);
		assert_int_equal(__real_mkdir(dir, 0755), 0);
	}
	return 0;
}

static int remove_tree(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void v1_mounts(struct hull_cg_mounts *m)
{
	memset(m, 0, sizeof(*m));
	m->layout = HULL_CG_V1;
	snprintf(m->v1[HULL_CTRL_MEMORY], sizeof(m->v1[0]), "%s/memory", root);
	snprintf(m->v1[HULL_CTRL_BLKIO], sizeof(m->v1[0]), "%s/blkio", root);
	snprintf(m->v1[HULL_CTRL_HUGETLB], sizeof(m->v1[0]), "%s/hugetlb", root);
	snprintf(m->v1[HULL_CTRL_RDMA], sizeof(m->v1[0]), "%s/rdma", root);
}

static void test_detect_names_the_new_hierarchies(void **state)
{
	static const char *const mountinfo =
		"35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
		"36 31 0:33 / /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio\n"
		"37 31 0:34 / /sys/fs/cgroup/hugetlb rw - cgroup cgroup rw,hugetlb\n"
		"38 31 0:35 / /sys/fs/cgroup/rdma rw - cgroup cgroup rw,rdma\n";
	struct hull_cg_mounts m;

	(void)state;
	assert_int_equal(hull_cgroup_detect(mountinfo, &m, NULL), 0);
	assert_string_equal(m.v1[HULL_CTRL_BLKIO], "/sys/fs/cgroup/blkio");
	assert_string_equal(m.v1[HULL_CTRL_HUGETLB], "/sys/fs/cgroup/hugetlb");
	assert_string_equal(m.v1[HULL_CTRL_RDMA], "/sys/fs/cgroup/rdma");
}

static void test_blkio_hugetlb_rdma_written(void **state)
{
	const struct hull_io_dev devs[] = {
		{ .major = 254, .minor = 0, .weight = 300, .rbps = 1024, .wiops = 9 }
	};
	const struct hull_hugetlb huge[] = { { .size = "2MB", .limit = 4194304 } };
	const struct hull_rdma rdma[] = {
		{ .device = "mlx5_1", .hca_handles = 3, .hca_objects = 7 }
	};
	struct hull_limits l = { .blkio_weight = 500,
				 .io_devs = devs,
				 .n_io_devs = 1,
				 .hugetlb = huge,
				 .n_hugetlb = 1,
				 .rdma = rdma,
				 .n_rdma = 1,
				 .parent = "ctr" };
	struct hull_cg_mounts m;
	struct hull_cgroup cg;
	struct hull_err err;

	(void)state;
	v1_mounts(&m);
	assert_int_equal(hull_cgroup_init(&cg, &l, &m, "box", &err), 0);
	assert_int_equal(hull_cgroup_create(&cg, &err), 0);
	/* v1's weight range is OCI's: written as given (v2 converts). */
	assert_string_equal(get("blkio/ctr/box/blkio.bfq.weight"), "500");
	assert_string_equal(get("blkio/ctr/box/blkio.bfq.weight_device"), "254:0 300");
	assert_string_equal(get("blkio/ctr/box/blkio.throttle.read_bps_device"), "254:0 1024");
	assert_string_equal(get("blkio/ctr/box/blkio.throttle.write_iops_device"), "254:0 9");
	assert_string_equal(get("blkio/ctr/box/blkio.throttle.write_bps_device"), "");
	assert_string_equal(get("hugetlb/ctr/box/hugetlb.2MB.limit_in_bytes"), "4194304");
	assert_string_equal(get("rdma/ctr/box/rdma.max"), "mlx5_1 hca_handle=3 hca_object=7");
	/* Only memory is joined without a limit of its own (accounting). */
	assert_true(cg.made[HULL_CTRL_BLKIO] && cg.made[HULL_CTRL_HUGETLB] &&
		    cg.made[HULL_CTRL_RDMA] && cg.made[HULL_CTRL_MEMORY]);
	/* (A fake directory keeps its files, so rmdir fails here: the e2e
	 * tests remove real ones.) */
	hull_cgroup_destroy(&cg, &err);
}

static void test_cfq_weight_file_first(void **state)
{
	struct hull_limits l = { .blkio_weight = 10, .parent = "ctr" };
	struct hull_cg_mounts m;
	struct hull_cgroup cg;
	struct hull_err err;

	(void)state;
	weights = CFQ;
	v1_mounts(&m);
	assert_int_equal(hull_cgroup_init(&cg, &l, &m, "cfq", &err), 0);
	assert_int_equal(hull_cgroup_create(&cg, &err), 0);
	assert_string_equal(get("blkio/ctr/cfq/blkio.weight"), "10");
	assert_false(cg.made[HULL_CTRL_HUGETLB] || cg.made[HULL_CTRL_RDMA]);
	assert_false(exists("hugetlb/ctr/cfq"));
	hull_cgroup_destroy(&cg, &err);
}

static void test_limits_without_them_leave_blkio_alone(void **state)
{
	struct hull_limits l = { .memory = 64 << 20, .parent = "ctr" };
	struct hull_cg_mounts m;
	struct hull_cgroup cg;
	struct hull_err err;

	(void)state;
	v1_mounts(&m);
	assert_int_equal(hull_cgroup_init(&cg, &l, &m, "mem", &err), 0);
	assert_int_equal(hull_cgroup_create(&cg, &err), 0);
	assert_true(cg.made[HULL_CTRL_MEMORY]);
	assert_false(cg.made[HULL_CTRL_BLKIO]);
	assert_false(exists("blkio/ctr/mem"));
	hull_cgroup_destroy(&cg, &err);
}

/* A device without weight files (no BFQ): one line naming both files. */
static void test_weight_without_a_weight_file(void **state)
{
	struct hull_limits l = { .blkio_weight = 100, .parent = "ctr" };
	struct hull_cg_mounts m;
	struct hull_cgroup cg;
	struct hull_err err;
	(void)state;
	v1_mounts(&m);
	weights = NO_WEIGHTS;
	assert_int_equal(hull_cgroup_init(&cg, &l, &m, "now", &err), 0);
	assert_true(hull_cgroup_create(&cg, &err) < 0);
	assert_non_null(strstr(err.msg, "cgroup v1 blkio has neither blkio.weight nor "
					"blkio.bfq.weight"));
	/* What was made is known, so the caller's destroy removes it. */
	assert_true(cg.made[HULL_CTRL_BLKIO]);
	hull_cgroup_destroy(&cg, &err);
}

static void test_missing_hierarchy_named(void **state)
{
	const struct hull_hugetlb huge[] = { { .size = "1GB", .limit = 1 << 30 } };
	struct hull_limits l = { .hugetlb = huge, .n_hugetlb = 1, .parent = "ctr" };
	struct hull_cg_mounts m;
	struct hull_cgroup cg;
	struct hull_err err;

	(void)state;
	v1_mounts(&m);
	m.v1[HULL_CTRL_HUGETLB][0] = '\0';
	assert_true(hull_cgroup_init(&cg, &l, &m, "nohuge", &err) < 0);
	assert_non_null(strstr(err.msg, "cgroup controller 'hugetlb' is not available"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect_names_the_new_hierarchies),
		cmocka_unit_test_setup_teardown(test_blkio_hugetlb_rdma_written, make_tree,
						remove_tree),
		cmocka_unit_test_setup_teardown(test_cfq_weight_file_first, make_tree, remove_tree),
		cmocka_unit_test_setup_teardown(test_limits_without_them_leave_blkio_alone,
						make_tree, remove_tree),
		cmocka_unit_test_setup_teardown(test_weight_without_a_weight_file, make_tree,
						remove_tree),
		cmocka_unit_test_setup_teardown(test_missing_hierarchy_named, make_tree,
						remove_tree),
	};
	bool had_state = access("/run/hull", F_OK) == 0;
	bool had_intents = access(HULL_CG_INTENT_DIR, F_OK) == 0;
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	if (!had_intents)
		rmdir(HULL_CG_INTENT_DIR);
	if (!had_state)
		rmdir("/run/hull");
	return failed;
}
