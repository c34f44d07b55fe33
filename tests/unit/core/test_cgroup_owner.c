/* test_cgroup_owner.c — hull's marker on the cgroups it made: the run
 * name pattern, the marker values, and mark/check on a real directory (the
 * same user xattr calls work on ext4/tmpfs as on cgroupfs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_owner.h"

static void test_run_name_pattern(void **state)
{
	(void)state;
	long pid;
	unsigned long long start;

	assert_true(hull_cg_run_name("123-456", &pid, &start));
	assert_int_equal(pid, 123);
	assert_int_equal(start, 456);
	assert_true(hull_cg_run_name("4194303-0", &pid, &start));
	assert_int_equal(pid, 4194303);
	assert_int_equal(start, 0);
	static const char *const not_run[] = {
		"web-server",
		"db-1",
		"systemd-journald.service",
		"0-1",
		"01-2",
		"-1",
		"1-",
		"1-2-3",
		"1-2a",
		"+1-2",
		"1 -2",
		"12345678-1",
		"1-12345678901234567890",
		"123",
		"",
	};
	for (size_t i = 0; i < sizeof(not_run) / sizeof(not_run[0]); i++)
		assert_false(hull_cg_run_name(not_run[i], &pid, &start));
}

static void test_owner_values(void **state)
{
	(void)state;
	char v[64];
	hull_cg_owner_value("123-456", true, v, sizeof(v));
	assert_string_equal(v, "run 123-456");
	hull_cg_owner_value("ctr-1", false, v, sizeof(v));
	assert_string_equal(v, "named ctr-1");
}

static void test_mark_and_check(void **state)
{
	(void)state;
	char dir[64], gone[80];

	snprintf(dir, sizeof(dir), "/tmp/hull-test-owner-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(hull_cg_owner_check(dir, "run 1-2"), 0); /* no marker */
	assert_int_equal(hull_cg_owner_mark(dir, "run 1-2"), 0);
	assert_int_equal(hull_cg_owner_check(dir, "run 1-2"), 1);
	assert_int_equal(hull_cg_owner_check(dir, "run 1-22"), 0);
	assert_int_equal(hull_cg_owner_check(dir, "run 1-"), 0);
	assert_int_equal(hull_cg_owner_check(dir, "named 1-2"), 0);
	snprintf(gone, sizeof(gone), "%s/gone", dir);
	assert_int_equal(hull_cg_owner_check(gone, "run 1-2"), 0);
	assert_int_equal(hull_cg_owner_mark(gone, "run 1-2"), -ENOENT);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_name_pattern),
		cmocka_unit_test(test_owner_values),
		cmocka_unit_test(test_mark_and_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
