/* test_options.c — `hull run` argument parsing (core/lib/options.c): each
 * option; where parsing stops, "--", errors and reparsing are in
 * test_options_argv.c.
 *
 * Every test parses in the same process, one after another: that alone checks
 * that hull_options_parse_run() resets getopt's state each time. */
#include "options_parse.h"

/* ---- the simplest run ----------------------------------------------- */

static void test_rootfs_and_command(void **state)
{
	(void)state;
	struct parsed p;
	char **v = ARGV("run", "/srv/root", "/bin/sh", "-c", "echo hi");

	parse(&p, 5, v);
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_string_equal(p.spec.rootfs_arg, "/srv/root");
	assert_ptr_equal(p.spec.argv, &v[2]);
	assert_int_equal(p.spec.argc, 3);
	assert_string_equal(p.spec.argv[0], "/bin/sh");
	assert_string_equal(p.spec.argv[1], "-c");
	assert_string_equal(p.spec.argv[2], "echo hi");
	assert_null(p.spec.argv[3]);
	assert_defaults(&p.spec);
	assert_string_equal(p.err.msg, "");
}

/* ---- each option ---------------------------------------------------- */

static void test_opt_ns(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "--ns", "uts,pid", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.ns_flags, CLONE_NEWUTS | CLONE_NEWPID);

	PARSE(&p, "run", "--ns=all", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.ns_flags, HULL_NS_ALL);

	PARSE(&p, "run", "--ns", "none", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.ns_flags, 0);

	/* the last --ns wins, it does not add up */
	PARSE(&p, "run", "--ns", "mnt", "--ns", "net", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.ns_flags, CLONE_NEWNET);
}

static void test_opt_ns_bad(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "--ns", "mnt,bogus", "R", "sh");
	assert_fails(&p, "unknown namespace 'bogus'");
	PARSE(&p, "run", "--ns", "mnt,", "R", "sh");
	assert_fails(&p, "invalid namespace list 'mnt,'");
	PARSE(&p, "run", "--ns=", "R", "sh");
	assert_fails(&p, "empty namespace list");
}

static void test_opt_hostname(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "--hostname", "box", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_string_equal(p.spec.hostname, "box");
	assert_true(p.spec.hostname_given);

	PARSE(&p, "run", "--hostname=other", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_string_equal(p.spec.hostname, "other");
	assert_true(p.spec.hostname_given);

	/* given explicitly, even when it equals the default */
	PARSE(&p, "run", "--hostname", "hull", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_true(p.spec.hostname_given);
}

static void test_opt_chroot(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "--chroot", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.root_mode, HULL_ROOT_CHROOT);
	assert_true(p.spec.mount_proc);
}

static void test_opt_spawn(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "--spawn", "fork", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.spawn_mode, HULL_SPAWN_FORK);

	PARSE(&p, "run", "--spawn", "fork", "--spawn=clone3", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.spawn_mode, HULL_SPAWN_CLONE3);
}

static void test_opt_spawn_bad(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "--spawn", "vfork", "R", "sh");
	assert_fails(&p, "unknown spawn mode 'vfork' (clone3 or fork)");
	PARSE(&p, "run", "--spawn", "FORK", "R", "sh");
	assert_fails(&p, "unknown spawn mode 'FORK' (clone3 or fork)");
	PARSE(&p, "run", "--spawn=", "R", "sh");
	assert_fails(&p, "unknown spawn mode '' (clone3 or fork)");
}

static void test_opt_no_proc(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "--no-proc", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_false(p.spec.mount_proc);
	assert_true(p.spec.mount_dev);
}

static void test_opt_ephemeral(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "R", "sh");
	assert_false(p.spec.ephemeral);
	PARSE(&p, "run", "--ephemeral", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_true(p.spec.ephemeral);
}

/* `hull pool start`: the run options end with the ROOTFS, no command. */
static void test_parse_pool(void **state)
{
	(void)state;
	struct hull_spec spec;
	struct hull_err err;

	hull_spec_init(&spec);
	assert_int_equal(
		hull_options_parse_pool(4, ARGV("pool start", "--memory", "64m", "R"), &spec, &err),
		HULL_OPTIONS_RUN);
	assert_string_equal(spec.rootfs_arg, "R");
	assert_int_equal(spec.limits.memory, 64 << 20);
	assert_null(spec.argv);
	hull_spec_init(&spec);
	assert_int_equal(hull_options_parse_pool(3, ARGV("pool start", "R", "sh"), &spec, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "unexpected argument 'sh' after the rootfs");
	hull_spec_init(&spec);
	assert_int_equal(hull_options_parse_pool(1, ARGV("pool start"), &spec, &err), -EINVAL);
	assert_string_equal(err.msg, "no rootfs given");
}

static void test_is_run_option(void **state)
{
	(void)state;
	assert_true(hull_options_is_run_option("--memory"));
	assert_true(hull_options_is_run_option("--memory=64m"));
	assert_true(hull_options_is_run_option("--ns"));
	assert_false(hull_options_is_run_option("--mem"));
	assert_false(hull_options_is_run_option("--pool-size"));
	assert_false(hull_options_is_run_option("memory"));
	assert_false(hull_options_is_run_option("-v"));
}

static void test_opt_env(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "--env", "A=1", "--env=B=two", "--env", "C=", "--env", "A=3", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.n_env_args, 4);
	assert_string_equal(p.spec.env_args[0], "A=1");
	assert_string_equal(p.spec.env_args[1], "B=two");
	assert_string_equal(p.spec.env_args[2], "C=");
	assert_string_equal(p.spec.env_args[3], "A=3");
}

static void test_opt_env_bad(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "--env", "NOEQUALS", "R", "sh");
	assert_fails(&p, "invalid environment variable 'NOEQUALS': expected NAME=VALUE");
	PARSE(&p, "run", "--env", "=value", "R", "sh");
	assert_fails(&p, "invalid environment variable '=value': expected NAME=VALUE");
	PARSE(&p, "run", "--env", "", "R", "sh");
	assert_fails(&p, "invalid environment variable '': expected NAME=VALUE");
}

static void test_opt_cwd(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "--cwd", "/tmp", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_string_equal(p.spec.cwd, "/tmp");

	/* parsing does not validate: a relative dir is validate's to refuse */
	PARSE(&p, "run", "--cwd=rel", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_string_equal(p.spec.cwd, "rel");
}

static void test_opt_trace_fd(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "--trace-fd", "5", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.trace_fd, 5);

	PARSE(&p, "run", "--trace-fd=0", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.trace_fd, 0);

	PARSE(&p, "run", "--trace-fd", "2147483647", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.trace_fd, 2147483647);
}

static void test_opt_trace_fd_bad(void **state)
{
	(void)state;
	struct parsed p;
	static const char *const bad[] = {
		"abc", "-1", "3x", "", " ", "2147483648", "99999999999999999999", "0x3"
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[128];
		snprintf(want, sizeof(want), "invalid file descriptor '%s'", bad[i]);
		PARSE(&p, "run", "--trace-fd", (char *)bad[i], "R", "sh");
		assert_fails(&p, want);
		assert_int_equal(p.spec.trace_fd, -1);
	}
}

static void test_opt_verbose_counting(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "-v", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.verbose, 1);

	PARSE(&p, "run", "-v", "-v", "R", "sh");
	assert_int_equal(p.spec.verbose, 2);

	PARSE(&p, "run", "-vvv", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.verbose, 3);

	PARSE(&p, "run", "--verbose", "-vv", "--verbose", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.verbose, 4);
}

static void test_all_options_together(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "--ns", "mnt,uts,user", "--hostname", "h1", "--chroot", "--spawn", "fork",
	      "--no-proc", "--env", "X=1", "--cwd", "/w", "--trace-fd", "9", "-v", "R", "cmd",
	      "arg");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.ns_flags, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWUSER);
	assert_string_equal(p.spec.hostname, "h1");
	assert_true(p.spec.hostname_given);
	assert_int_equal(p.spec.root_mode, HULL_ROOT_CHROOT);
	assert_int_equal(p.spec.spawn_mode, HULL_SPAWN_FORK);
	assert_false(p.spec.mount_proc);
	assert_int_equal(p.spec.n_env_args, 1);
	assert_string_equal(p.spec.env_args[0], "X=1");
	assert_string_equal(p.spec.cwd, "/w");
	assert_int_equal(p.spec.trace_fd, 9);
	assert_int_equal(p.spec.verbose, 1);
	assert_string_equal(p.spec.rootfs_arg, "R");
	assert_int_equal(p.spec.argc, 2);
	assert_string_equal(p.spec.argv[0], "cmd");
	assert_string_equal(p.spec.argv[1], "arg");
	assert_null(p.spec.argv[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rootfs_and_command),
		cmocka_unit_test(test_opt_ephemeral),
		cmocka_unit_test(test_parse_pool),
		cmocka_unit_test(test_is_run_option),
		cmocka_unit_test(test_opt_ns),
		cmocka_unit_test(test_opt_ns_bad),
		cmocka_unit_test(test_opt_hostname),
		cmocka_unit_test(test_opt_chroot),
		cmocka_unit_test(test_opt_spawn),
		cmocka_unit_test(test_opt_spawn_bad),
		cmocka_unit_test(test_opt_no_proc),
		cmocka_unit_test(test_opt_env),
		cmocka_unit_test(test_opt_env_bad),
		cmocka_unit_test(test_opt_cwd),
		cmocka_unit_test(test_opt_trace_fd),
		cmocka_unit_test(test_opt_trace_fd_bad),
		cmocka_unit_test(test_opt_verbose_counting),
		cmocka_unit_test(test_all_options_together),
	};
	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
