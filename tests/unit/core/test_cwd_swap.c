/* test_cwd_swap.c — hull steps into the rootfs for the clone and back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cwd_swap.h"

static void test_enter_and_return(void **state)
{
	(void)state;
	char before[PATH_MAX], inside[PATH_MAX], dir[64];
	struct hull_err err;
	int home = -1;

	snprintf(dir, sizeof(dir), "/tmp/hull-test-cwd-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_non_null(getcwd(before, sizeof(before)));
	assert_int_equal(hull_cwd_enter(dir, &home, &err), 0);
	assert_true(home >= 0);
	assert_non_null(getcwd(inside, sizeof(inside)));
	assert_string_equal(inside, dir);
	assert_int_equal(hull_cwd_return(home, &err), 0);
	assert_non_null(getcwd(inside, sizeof(inside)));
	assert_string_equal(inside, before);
	assert_int_equal(rmdir(dir), 0);
}

static void test_a_missing_rootfs_is_an_error_and_nothing_moves(void **state)
{
	(void)state;
	char before[PATH_MAX], after[PATH_MAX];
	struct hull_err err;
	int home = 7;

	assert_non_null(getcwd(before, sizeof(before)));
	assert_true(hull_cwd_enter("/nonexistent/rootfs", &home, &err) < 0);
	assert_int_equal(home, -1);
	assert_string_equal(err.msg,
			    "cannot enter rootfs '/nonexistent/rootfs': No such file or directory");
	assert_non_null(getcwd(after, sizeof(after)));
	assert_string_equal(after, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enter_and_return),
		cmocka_unit_test(test_a_missing_rootfs_is_an_error_and_nothing_moves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
