/* test_driver.c — how the harness starts runtimes: every runtime's command
 * line begins with the runtime's own program (no wrapper such as
 * `unshare -m sh -c ...` inside a sample), the mount namespace crun needs on
 * a hybrid host is made once and shared by every sample, and OCI runtimes
 * given by path (oci:PATH,...) are parsed and driven like crun and runc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "driver.h"
#include "env.h"
#include "paths.h"
#include "util.h"

static char *cmd[] = { "/bin/true", NULL };

static void prepare_ok(const char *runtime, struct hh_launch *l)
{
	struct hull_err err = { 0 };
	struct hh_launch_config cfg = {
		.runtime = runtime,
		.rootfs = "/",
		.argv = cmd,
		.trace_fd = -1,
		.cancel_fd = -1,
		.timeout_ms = 10000,
	};
	int ret = hh_launch_prepare(&cfg, l, &err);
	if (ret < 0)
		fail_msg("prepare %s: %s", runtime, err.msg);
}

/* For every runtime of the table that is installed here: argv[0] is the
 * runtime's program, and no argument is a wrapper's. */
static void test_argv_starts_with_the_runtime(void **state)
{
	(void)state;
	size_t n = hh_runtime_count(), checked = 0;
	for (size_t i = 0; i < n; i++) {
		const struct hh_runtime_info *rt = hh_runtime_at(i);
		char why[256];
		if (!rt->program || !hh_runtime_available(rt->name, why, sizeof(why)))
			continue;
		struct hh_launch l;
		prepare_ok(rt->name, &l);
		char *prog = hh_runtime_program(rt, NULL, NULL, 0);
		assert_non_null(prog);
		assert_string_equal(l.argv[0], prog);
		assert_string_equal(l.argv[0], l.runtime_bin);
		for (char **a = l.argv; *a; a++) {
			const char *base = strrchr(*a, '/') ? strrchr(*a, '/') + 1 : *a;
			if (strcmp(base, "unshare") == 0 && strcmp(rt->name, "unshare") == 0)
				continue;
			assert_string_not_equal(base, "unshare");
			assert_string_not_equal(*a, "sh");
			assert_string_not_equal(*a, "-c");
		}
		free(prog);
		hh_launch_release(&l);
		checked++;
	}
	if (!checked)
		skip();
}

static void test_crun_is_spawned_directly(void **state)
{
	(void)state;
	char why[256];
	if (!hh_runtime_available("crun", why, sizeof(why)))
		skip();
	struct hh_launch l;
	prepare_ok("crun", &l);
	char *crun = hh_find_in_path("crun");
	assert_non_null(crun);
	assert_string_equal(l.argv[0], crun);
	/* crun --root STATE --cgroup-manager=disabled run --bundle B ID */
	assert_string_equal(l.argv[1], "--root");
	assert_string_equal(l.argv[3], "--cgroup-manager=disabled");
	assert_string_equal(l.argv[4], "run");
	assert_int_equal(l.env, hh_host_is_hybrid() ? HH_ENV_CGROUP_V1 : HH_ENV_HOST);
	free(crun);
	hh_launch_release(&l);
}

static bool unified_is_cgroup2(void)
{
	struct statfs st;
	return statfs("/sys/fs/cgroup/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

/* The v1-only namespace hides the cgroup2 tree for the thread that joined
 * it, and leaving gives back the host's view and the working directory. */
static void test_v1_env_enter_leave(void **state)
{
	(void)state;
	if (geteuid() != 0 || !hh_host_is_hybrid())
		skip();
	char before[4096], after[4096];
	struct hh_env_saved saved;
	struct hull_err err = { 0 };

	assert_non_null(getcwd(before, sizeof(before)));
	assert_true(unified_is_cgroup2());
	assert_int_equal(hh_env_enter(HH_ENV_CGROUP_V1, &saved, &err), 0);
	assert_false(unified_is_cgroup2());
	hh_env_leave(&saved);
	assert_true(unified_is_cgroup2());
	assert_non_null(getcwd(after, sizeof(after)));
	assert_string_equal(before, after);
}

/* A fake OCI runtime by path that prints the mount namespace it runs in:
 * with env=v1 on a hybrid host every sample runs in the same private
 * namespace (made once, not per sample), never the host's; without it, in
 * the host's. */
static void run_fake(const char *spec, char *ns, size_t len)
{
	struct hh_launch l;
	struct hh_launch_result r;
	struct hull_err err = { 0 };

	prepare_ok(spec, &l);
	assert_int_equal(hh_launch_run(&l, &r, &err), 0);
	assert_int_equal(r.exit_code, 0);
	assert_true(r.t_exit_ns > r.t_spawn_ns);
	snprintf(ns, len, "%s", r.out);
	hh_launch_result_free(&r);
	hh_launch_release(&l);
}

/* The fake runtime's directory, removed by the teardown whatever the test
 * did. */
static char fake_dir[] = "/tmp/hh-test-driver-XXXXXX";

static int remove_fake(void **state)
{
	(void)state;
	if (strcmp(fake_dir + strlen(fake_dir) - 6, "XXXXXX") != 0)
		hull_remove_tree(fake_dir, NULL);
	return 0;
}

static void test_oci_by_path_and_env_made_once(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	char *dir = fake_dir, fake[128], spec[256], host[64], a[64], b[64], plain[64];
	assert_non_null(mkdtemp(dir));
	snprintf(fake, sizeof(fake), "%s/fake-runtime", dir);
	FILE *f = fopen(fake, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\nexec readlink /proc/self/ns/mnt\n", f);
	fclose(f);
	chmod(fake, 0755);
	ssize_t len = readlink("/proc/self/ns/mnt", host, sizeof(host) - 1);
	assert_true(len > 0);
	host[len] = '\0';

	snprintf(spec, sizeof(spec), "oci:%s,name=fake-v1,env=v1,args=--a --b", fake);
	const struct hh_runtime_info *rt = hh_runtime_lookup(spec);
	assert_non_null(rt);
	assert_string_equal(rt->name, "fake-v1");
	assert_true(rt->oci && rt->cgroup_v1_only);
	assert_ptr_equal(hh_runtime_lookup("fake-v1"), rt);
	struct hh_launch l;
	prepare_ok(spec, &l);
	assert_string_equal(l.argv[0], fake);
	assert_string_equal(l.argv[3], "--a");
	assert_string_equal(l.argv[4], "--b");
	assert_string_equal(l.argv[5], "run");
	hh_launch_release(&l);

	run_fake(spec, a, sizeof(a));
	run_fake(spec, b, sizeof(b));
	a[strcspn(a, "\n")] = b[strcspn(b, "\n")] = '\0';
	assert_string_equal(a, b);
	if (hh_host_is_hybrid())
		assert_string_not_equal(a, host);
	snprintf(spec, sizeof(spec), "oci:%s", fake);
	run_fake(spec, plain, sizeof(plain));
	plain[strcspn(plain, "\n")] = '\0';
	assert_string_equal(plain, host);
	assert_non_null(hh_runtime_lookup("oci:fake-runtime"));

	unlink(fake);
	rmdir(dir);
}

static void test_runtime_lists_and_bad_specs(void **state)
{
	(void)state;
	const char *list = "hull,oci:/usr/bin/crun,name=c2,args=--debug,runc,,oci:/x/y";
	const char *want[] = { "hull", "oci:/usr/bin/crun,name=c2,args=--debug", "runc",
			       "oci:/x/y" };
	char t[600];
	size_t n = 0;
	for (const char *p = list; hh_runtime_list_next(&p, t, sizeof(t)); n++) {
		assert_true(n < 4);
		assert_string_equal(t, want[n]);
	}
	assert_int_equal(n, 4);
	assert_null(hh_runtime_lookup("oci:relative/path"));
	assert_null(hh_runtime_lookup("oci:/bin/x,bogus=1"));
	assert_null(hh_runtime_lookup("oci:/bin/x,name=hull")); /* a built-in's name */
	assert_null(hh_runtime_lookup("no-such-runtime"));
	char why[256];
	assert_false(hh_runtime_available("oci:/nonexistent/rt", why, sizeof(why)));
	assert_non_null(strstr(why, "/nonexistent/rt"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argv_starts_with_the_runtime),
		cmocka_unit_test(test_crun_is_spawned_directly),
		cmocka_unit_test(test_v1_env_enter_leave),
		cmocka_unit_test_teardown(test_oci_by_path_and_env_made_once, remove_fake),
		cmocka_unit_test(test_runtime_lists_and_bad_specs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
