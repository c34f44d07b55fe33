/* test_resources.c — parsing and checking of --memory, --cpus, --pids,
 * --cpuset, --memory-swap (core/lib/resources.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "resources.h"

static void test_sizes(void **state)
{
	(void)state;
	struct hull_err err;
	int64_t v;
	static const struct {
		const char *in;
		int64_t out;
	} ok[] = {
		{ "1", 1 },	     { "4096", 4096 },
		{ "10b", 10 },	     { "512k", 512 << 10 },
		{ "64m", 64 << 20 }, { "64M", 64 << 20 },
		{ "2g", 2LL << 30 }, { "1G", 1LL << 30 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(hull_parse_size(ok[i].in, &v, &err), 0);
		assert_int_equal(v, ok[i].out);
	}
	static const char *const bad[] = { "",	   "0",	   "12x", "m",		 "-1",
					   "64mb", "1.5g", " 1",  "99999999999g" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(hull_parse_size(bad[i], &v, &err) < 0);
	hull_parse_size("0", &v, &err);
	assert_string_equal(err.msg, "invalid size '0': must be greater than 0");
	hull_parse_size("12x", &v, &err);
	assert_string_equal(err.msg,
			    "invalid size '12x' (expected a number with an optional b, k, m or g)");
}

static void test_memory_swap(void **state)
{
	(void)state;
	struct hull_err err;
	int64_t v;
	assert_int_equal(hull_parse_memory_swap("-1", &v, &err), 0);
	assert_int_equal(v, -1);
	assert_int_equal(hull_parse_memory_swap("128m", &v, &err), 0);
	assert_int_equal(v, 128 << 20);
	assert_true(hull_parse_memory_swap("-2", &v, &err) < 0);
}

static void test_cpus(void **state)
{
	(void)state;
	struct hull_err err;
	uint64_t q;
	assert_int_equal(hull_parse_cpus("0.5", 2, &q, &err), 0);
	assert_int_equal(q, 50000);
	assert_int_equal(hull_parse_cpus("2", 2, &q, &err), 0);
	assert_int_equal(q, 200000);
	assert_int_equal(hull_parse_cpus(".25", 2, &q, &err), 0);
	assert_int_equal(q, 25000);
	assert_int_equal(hull_parse_cpus("0.01", 2, &q, &err), 0);
	assert_int_equal(q, 1000);
	assert_true(hull_parse_cpus("2.5", 2, &q, &err) < 0);
	assert_string_equal(err.msg, "invalid cpu count '2.5': only 2 cpus are online");
	assert_true(hull_parse_cpus("-1", 2, &q, &err) < 0);
	assert_string_equal(err.msg, "invalid cpu count '-1'");
	assert_true(hull_parse_cpus("0", 2, &q, &err) < 0);
	assert_true(hull_parse_cpus("0.001", 2, &q, &err) < 0);
	assert_true(hull_parse_cpus("1x", 2, &q, &err) < 0);
	assert_true(hull_parse_cpus("", 2, &q, &err) < 0);
}

static void test_pids(void **state)
{
	(void)state;
	struct hull_err err;
	int64_t v;
	assert_int_equal(hull_parse_pids("64", &v, &err), 0);
	assert_int_equal(v, 64);
	assert_true(hull_parse_pids("0", &v, &err) < 0);
	assert_string_equal(err.msg, "invalid pids limit '0': must be greater than 0");
	assert_true(hull_parse_pids("-5", &v, &err) < 0);
	assert_true(hull_parse_pids("5k", &v, &err) < 0);
}

static void test_cpuset(void **state)
{
	(void)state;
	struct hull_err err;
	static const char *const ok[] = { "0", "0-1", "0,2-3", "1,3,5", "0-4095" };
	static const char *const bad[] = { "", "-", "0-", "1-0", "a", "0,,1", "0,", "4096", " 0" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_int_equal(hull_check_cpuset(ok[i], &err), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(hull_check_cpuset(bad[i], &err) < 0);
}

static void test_validate(void **state)
{
	(void)state;
	struct hull_err err;
	struct hull_limits l = { .parent = "hull" };

	assert_false(hull_limits_any(&l));
	l.pids = 3;
	assert_true(hull_limits_any(&l));
	assert_int_equal(hull_limits_validate(&l, &err), 0);
	l.memory_swap = 1 << 20;
	assert_true(hull_limits_validate(&l, &err) < 0);
	assert_string_equal(err.msg, "--memory-swap requires --memory");
	l.memory = 2 << 20;
	assert_true(hull_limits_validate(&l, &err) < 0);
	assert_string_equal(err.msg, "--memory-swap 1 MiB is less than --memory 2 MiB");
	l.memory_swap = -1;
	assert_int_equal(hull_limits_validate(&l, &err), 0);
	l.parent = "a/../../etc";
	assert_true(hull_limits_validate(&l, &err) < 0);
	l.parent = ""; /* the hierarchy's root: an OCI cgroupsPath "/name" */
	assert_int_equal(hull_limits_validate(&l, &err), 0);
}

static void test_format_size(void **state)
{
	(void)state;
	char buf[32];
	hull_format_size(64 << 20, buf, sizeof(buf));
	assert_string_equal(buf, "64 MiB");
	hull_format_size(1LL << 30, buf, sizeof(buf));
	assert_string_equal(buf, "1 GiB");
	hull_format_size(1536, buf, sizeof(buf));
	assert_string_equal(buf, "1536 bytes");
	hull_format_size(3 << 10, buf, sizeof(buf));
	assert_string_equal(buf, "3 KiB");
	hull_format_size(1000, buf, sizeof(buf));
	assert_string_equal(buf, "1000 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),	    cmocka_unit_test(test_memory_swap),
		cmocka_unit_test(test_cpus),	    cmocka_unit_test(test_pids),
		cmocka_unit_test(test_cpuset),	    cmocka_unit_test(test_validate),
		cmocka_unit_test(test_format_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
