/* test_options_argv.c — `hull run` argument parsing (core/lib/options.c):
 * where the options end ("+", "--"), what is missing or unknown, --help, and
 * parsing again in the same process.
 *
 * Every test parses in the same process, one after another: that alone checks
 * that hull_options_parse_run() resets getopt's state each time. */
#include "options_parse.h"

/* ---- "+": parsing stops at the rootfs ------------------------------- */

static void test_options_after_rootfs_belong_to_command(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "R", "ls", "--ns", "none", "-v", "--help", "--bogus");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_defaults(&p.spec);
	assert_string_equal(p.spec.rootfs_arg, "R");
	assert_int_equal(p.spec.argc, 6);
	assert_string_equal(p.spec.argv[0], "ls");
	assert_string_equal(p.spec.argv[1], "--ns");
	assert_string_equal(p.spec.argv[2], "none");
	assert_string_equal(p.spec.argv[3], "-v");
	assert_string_equal(p.spec.argv[4], "--help");
	assert_string_equal(p.spec.argv[5], "--bogus");
	assert_null(p.spec.argv[6]);
}

static void test_command_that_looks_like_option(void **state)
{
	(void)state;
	struct parsed p;

	/* the command itself starts with a dash: still the command */
	PARSE(&p, "run", "-v", "R", "-x", "y");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.verbose, 1);
	assert_int_equal(p.spec.argc, 2);
	assert_string_equal(p.spec.argv[0], "-x");
	assert_string_equal(p.spec.argv[1], "y");
}

static void test_argv_not_permuted(void **state)
{
	(void)state;
	struct parsed p;
	char **v = ARGV("run", "-v", "R", "cmd", "-v", "x");

	parse(&p, 6, v);
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_string_equal(v[0], "run");
	assert_string_equal(v[1], "-v");
	assert_string_equal(v[2], "R");
	assert_string_equal(v[3], "cmd");
	assert_string_equal(v[4], "-v");
	assert_string_equal(v[5], "x");
	assert_ptr_equal(p.spec.argv, &v[3]);
}

/* ---- "--" ----------------------------------------------------------- */

static void test_double_dash_after_rootfs(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "R", "--", "cmd", "-v");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_string_equal(p.spec.rootfs_arg, "R");
	assert_int_equal(p.spec.argc, 2);
	assert_string_equal(p.spec.argv[0], "cmd");
	assert_string_equal(p.spec.argv[1], "-v");
	assert_int_equal(p.spec.verbose, 0);
}

static void test_double_dash_before_rootfs(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "-v", "--", "-R", "cmd");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.verbose, 1);
	assert_string_equal(p.spec.rootfs_arg, "-R"); /* a rootfs that starts with '-' */
	assert_int_equal(p.spec.argc, 1);
	assert_string_equal(p.spec.argv[0], "cmd");
}

static void test_double_dash_only_first_is_eaten(void **state)
{
	(void)state;
	struct parsed p;

	/* only one "--" after the rootfs is a separator; the next is the command */
	PARSE(&p, "run", "R", "--", "--", "x");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.argc, 2);
	assert_string_equal(p.spec.argv[0], "--");
	assert_string_equal(p.spec.argv[1], "x");

	/* a "--" later in the command is the command's */
	PARSE(&p, "run", "R", "cmd", "--", "x");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.argc, 3);
	assert_string_equal(p.spec.argv[1], "--");

	/* "--" before and after the rootfs */
	PARSE(&p, "run", "--", "R", "--", "cmd");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_string_equal(p.spec.rootfs_arg, "R");
	assert_int_equal(p.spec.argc, 1);
	assert_string_equal(p.spec.argv[0], "cmd");
}

/* ---- missing pieces ------------------------------------------------- */

static void test_missing_rootfs(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run");
	assert_fails(&p, "no rootfs given");
	PARSE(&p, "run", "-v", "--chroot");
	assert_fails(&p, "no rootfs given");
	PARSE(&p, "run", "--");
	assert_fails(&p, "no rootfs given");
}

static void test_missing_command(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "R");
	assert_fails(&p, "no command given");
	assert_string_equal(p.spec.rootfs_arg, "R");
	PARSE(&p, "run", "R", "--");
	assert_fails(&p, "no command given");
	PARSE(&p, "run", "-v", "--", "R");
	assert_fails(&p, "no command given");
}

static void test_unknown_options(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "--bogus", "R", "sh");
	assert_fails(&p, "unknown option '--bogus'");
	PARSE(&p, "run", "--bogus=1", "R", "sh");
	assert_fails(&p, "unknown option '--bogus=1'");
	PARSE(&p, "run", "-x", "R", "sh");
	assert_fails(&p, "unknown option '-x'");
	/* inside a cluster: the offending letter is named */
	PARSE(&p, "run", "-vq", "R", "sh");
	assert_fails(&p, "unknown option '-q'");
	/* a long option after a short one resets optopt's meaning */
	PARSE(&p, "run", "--nope", "R", "sh");
	assert_fails(&p, "unknown option '--nope'");
	/* no_argument options do not take "=value"; the wording may improve
	 * ("does not take an argument"), so only the refusal and the option
	 * named are checked */
	PARSE(&p, "run", "--chroot=yes", "R", "sh");
	assert_int_equal(p.ret, -EINVAL);
	assert_non_null(strstr(p.err.msg, "'--chroot"));
}

static void test_missing_argument(void **state)
{
	(void)state;
	struct parsed p;
	static const char *const opts[] = { "--ns",  "--hostname", "--spawn",
					    "--env", "--cwd",	   "--trace-fd" };

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		char want[128];
		snprintf(want, sizeof(want), "option '%s' requires an argument", opts[i]);
		PARSE(&p, "run", (char *)opts[i]);
		assert_fails(&p, want);
	}
	/* after other options too */
	PARSE(&p, "run", "-v", "--chroot", "--hostname");
	assert_fails(&p, "option '--hostname' requires an argument");
}

/* ---- --help --------------------------------------------------------- */

static void test_help(void **state)
{
	(void)state;
	struct parsed p;

	PARSE(&p, "run", "--help");
	assert_int_equal(p.ret, HULL_OPTIONS_HELP);
	PARSE(&p, "run", "-h");
	assert_int_equal(p.ret, HULL_OPTIONS_HELP);
	/* help wins over a missing rootfs, and over later bad options */
	PARSE(&p, "run", "-v", "--help", "--bogus");
	assert_int_equal(p.ret, HULL_OPTIONS_HELP);
	assert_int_equal(p.spec.verbose, 1);
	/* but after the rootfs it is the command's */
	PARSE(&p, "run", "R", "cmd", "--help");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
}

/* ---- repeated calls in one process ---------------------------------- */

static void test_reparse_after_partial_cluster(void **state)
{
	(void)state;
	struct parsed p;

	/* -hv stops at 'h' with 'v' still unread inside getopt; the next parse
	 * must start fresh, not continue from that stale 'v' */
	PARSE(&p, "run", "-hv", "R", "sh");
	assert_int_equal(p.ret, HULL_OPTIONS_HELP);
	assert_int_equal(p.spec.verbose, 0);

	PARSE(&p, "run", "R2", "sh2");
	assert_int_equal(p.ret, HULL_OPTIONS_RUN);
	assert_int_equal(p.spec.verbose, 0);
	assert_string_equal(p.spec.rootfs_arg, "R2");
	assert_string_equal(p.spec.argv[0], "sh2");
}

static void test_reparse_after_error_and_many_times(void **state)
{
	(void)state;
	struct parsed p;

	for (int i = 0; i < 50; i++) {
		PARSE(&p, "run", "--ns", "mnt", "--bogus", "R", "sh");
		assert_fails(&p, "unknown option '--bogus'");
		PARSE(&p, "run", "-vv", "--ns", "pid");
		assert_fails(&p, "no rootfs given");
		PARSE(&p, "run", "--ns", "uts", "-v", "R", "a", "b");
		assert_int_equal(p.ret, HULL_OPTIONS_RUN);
		assert_int_equal(p.spec.ns_flags, CLONE_NEWUTS);
		assert_int_equal(p.spec.verbose, 1);
		assert_string_equal(p.spec.rootfs_arg, "R");
		assert_int_equal(p.spec.argc, 2);
		assert_string_equal(p.spec.argv[1], "b");
	}
}
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_after_rootfs_belong_to_command),
		cmocka_unit_test(test_command_that_looks_like_option),
		cmocka_unit_test(test_argv_not_permuted),
		cmocka_unit_test(test_double_dash_after_rootfs),
		cmocka_unit_test(test_double_dash_before_rootfs),
		cmocka_unit_test(test_double_dash_only_first_is_eaten),
		cmocka_unit_test(test_missing_rootfs),
		cmocka_unit_test(test_missing_command),
		cmocka_unit_test(test_unknown_options),
		cmocka_unit_test(test_missing_argument),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_reparse_after_partial_cluster),
		cmocka_unit_test(test_reparse_after_error_and_many_times),
	};
	return cmocka_run_group_tests_name("options_argv", tests, NULL, NULL);
}
