/* test_ns.c — the namespace table, list parsing and formatting (core/lib/ns.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ns.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#define SENTINEL 0xdeadbeefcafef00dull

/* ---- the table ------------------------------------------------------ */

static void test_table_contents_in_order(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		uint64_t flag;
	} want[] = {
		{ "mnt", CLONE_NEWNS },	       { "uts", CLONE_NEWUTS },	  { "pid", CLONE_NEWPID },
		{ "ipc", CLONE_NEWIPC },       { "net", CLONE_NEWNET },	  { "user", CLONE_NEWUSER },
		{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
	};

	assert_int_equal(hull_ns_count, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < hull_ns_count; i++) {
		assert_string_equal(hull_ns_table[i].name, want[i].name);
		assert_int_equal(hull_ns_table[i].flag, want[i].flag);
		/* /proc/<pid>/ns/<proc_name> uses the same spelling */
		assert_string_equal(hull_ns_table[i].proc_name, want[i].name);
	}
}

static void test_table_flags_distinct_single_bits(void **state)
{
	(void)state;
	uint64_t seen = 0;

	for (size_t i = 0; i < hull_ns_count; i++) {
		uint64_t f = hull_ns_table[i].flag;
		assert_int_not_equal(f, 0);
		assert_int_equal(f & (f - 1), 0); /* exactly one bit */
		assert_int_equal(seen & f, 0);	  /* not seen before */
		seen |= f;
	}
	assert_int_equal(seen, HULL_NS_ALL);
}

static void test_default_and_all_sets(void **state)
{
	(void)state;
	assert_int_equal(HULL_NS_DEFAULT,
			 CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET);
	assert_int_equal(HULL_NS_ALL,
			 HULL_NS_DEFAULT | CLONE_NEWUSER | CLONE_NEWCGROUP | CLONE_NEWTIME);
	assert_int_equal(CLONE_NEWTIME, 0x80);
}

/* ---- by_name / by_flag ---------------------------------------------- */

static void test_by_name_every_entry(void **state)
{
	(void)state;
	for (size_t i = 0; i < hull_ns_count; i++) {
		const struct hull_ns *ns = hull_ns_by_name(hull_ns_table[i].name);
		assert_ptr_equal(ns, &hull_ns_table[i]);
	}
	assert_int_equal(hull_ns_by_name("cgroup")->flag, CLONE_NEWCGROUP);
}

static void test_by_name_unknown(void **state)
{
	(void)state;
	assert_null(hull_ns_by_name(""));
	assert_null(hull_ns_by_name("MNT"));
	assert_null(hull_ns_by_name("mount"));
	assert_null(hull_ns_by_name("mn"));
	assert_null(hull_ns_by_name("mnt "));
	assert_null(hull_ns_by_name("all"));
	assert_null(hull_ns_by_name("none"));
}

static void test_by_flag_every_entry(void **state)
{
	(void)state;
	for (size_t i = 0; i < hull_ns_count; i++) {
		const struct hull_ns *ns = hull_ns_by_flag(hull_ns_table[i].flag);
		assert_ptr_equal(ns, &hull_ns_table[i]);
	}
	assert_string_equal(hull_ns_by_flag(CLONE_NEWPID)->name, "pid");
}

static void test_by_flag_unknown(void **state)
{
	(void)state;
	assert_null(hull_ns_by_flag(0));
	assert_null(hull_ns_by_flag(CLONE_NEWNS | CLONE_NEWUTS)); /* a set, not one */
	assert_null(hull_ns_by_flag(CLONE_VM));
	assert_null(hull_ns_by_flag(HULL_NS_ALL));
}

/* ---- hull_ns_parse_list: good input --------------------------------- */

static void parse_ok(const char *list, uint64_t want)
{
	struct hull_err err;
	uint64_t flags = SENTINEL;

	hull_err_clear(&err);
	assert_int_equal(hull_ns_parse_list(list, &flags, &err), 0);
	assert_int_equal(flags, want);
	assert_string_equal(err.msg, "");
}

static void test_parse_single_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < hull_ns_count; i++)
		parse_ok(hull_ns_table[i].name, hull_ns_table[i].flag);
}

static void test_parse_lists(void **state)
{
	(void)state;
	parse_ok("mnt,uts,pid,ipc,net", HULL_NS_DEFAULT);
	parse_ok("net,ipc,pid,uts,mnt", HULL_NS_DEFAULT); /* order does not matter */
	parse_ok("user,time", CLONE_NEWUSER | CLONE_NEWTIME);
	parse_ok("mnt,uts,pid,ipc,net,user,cgroup,time", HULL_NS_ALL);
}

static void test_parse_all_and_none(void **state)
{
	(void)state;
	parse_ok("all", HULL_NS_ALL);
	parse_ok("none", 0);
}

static void test_parse_duplicates(void **state)
{
	(void)state;
	parse_ok("mnt,mnt", CLONE_NEWNS);
	parse_ok("uts,pid,uts,pid,uts", CLONE_NEWUTS | CLONE_NEWPID);
}

/* ---- hull_ns_parse_list: bad input ---------------------------------- */

/* Fails with -EINVAL, exit 125, the exact message, and flags untouched. */
static void parse_bad(const char *list, const char *want_msg)
{
	struct hull_err err;
	uint64_t flags = SENTINEL;

	hull_err_clear(&err);
	assert_int_equal(hull_ns_parse_list(list, &flags, &err), -EINVAL);
	assert_int_equal(flags, SENTINEL);
	assert_string_equal(err.msg, want_msg);
	assert_int_equal(err.errnum, 0);
	assert_int_equal(err.exit_code, 125);
}

static void test_parse_unknown(void **state)
{
	(void)state;
	parse_bad("foo", "unknown namespace 'foo'");
	parse_bad("mnt,foo,uts", "unknown namespace 'foo'");
	parse_bad("MNT", "unknown namespace 'MNT'");
	parse_bad("mnt, uts", "unknown namespace ' uts'");
	parse_bad("network", "unknown namespace 'network'");
}

static void test_parse_all_none_not_in_lists(void **state)
{
	(void)state;
	/* "all" and "none" are whole-list words, not namespace names */
	parse_bad("all,mnt", "unknown namespace 'all'");
	parse_bad("mnt,none", "unknown namespace 'none'");
	parse_bad("ALL", "unknown namespace 'ALL'");
}

static void test_parse_empty(void **state)
{
	(void)state;
	parse_bad("", "empty namespace list");
	parse_bad(NULL, "empty namespace list");
}

static void test_parse_trailing_comma(void **state)
{
	(void)state;
	parse_bad("mnt,", "invalid namespace list 'mnt,'");
	parse_bad("mnt,uts,", "invalid namespace list 'mnt,uts,'");
}

static void test_parse_leading_and_double_comma(void **state)
{
	(void)state;
	parse_bad(",mnt", "invalid namespace list ',mnt'");
	parse_bad("mnt,,uts", "invalid namespace list 'mnt,,uts'");
	parse_bad(",", "invalid namespace list ','");
}

static void test_parse_long_word(void **state)
{
	(void)state;
	/* longer than the internal word buffer: refused, not overflowed */
	char list[200];
	char want[300];

	memset(list, 'x', sizeof(list) - 1);
	list[sizeof(list) - 1] = '\0';
	snprintf(want, sizeof(want), "invalid namespace list '%s'", list);
	parse_bad(list, want);

	/* 31 characters fit the buffer and are simply unknown */
	char word31[32];
	memset(word31, 'y', 31);
	word31[31] = '\0';
	snprintf(want, sizeof(want), "unknown namespace '%s'", word31);
	parse_bad(word31, want);
}

static void test_parse_null_err(void **state)
{
	(void)state;
	uint64_t flags = SENTINEL;
	assert_int_equal(hull_ns_parse_list("bogus", &flags, NULL), -EINVAL);
	assert_int_equal(flags, SENTINEL);
}

/* ---- hull_ns_format ------------------------------------------------- */

static void test_format_known_sets(void **state)
{
	(void)state;
	char buf[128];

	hull_ns_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "none");
	hull_ns_format(HULL_NS_DEFAULT, buf, sizeof(buf));
	assert_string_equal(buf, "mnt,uts,pid,ipc,net");
	hull_ns_format(HULL_NS_ALL, buf, sizeof(buf));
	assert_string_equal(buf, "mnt,uts,pid,ipc,net,user,cgroup,time");
	hull_ns_format(CLONE_NEWTIME | CLONE_NEWNS, buf, sizeof(buf));
	assert_string_equal(buf, "mnt,time"); /* table order, not bit order */
	hull_ns_format(CLONE_NEWUSER, buf, sizeof(buf));
	assert_string_equal(buf, "user");
}

static void test_format_ignores_foreign_bits(void **state)
{
	(void)state;
	char buf[64];

	hull_ns_format(CLONE_NEWUTS | CLONE_VM | CLONE_FILES, buf, sizeof(buf));
	assert_string_equal(buf, "uts");
}

static void test_format_parse_round_trip_every_subset(void **state)
{
	(void)state;
	char buf[128];

	assert_int_equal(hull_ns_count, 8);
	for (unsigned mask = 0; mask < (1u << hull_ns_count); mask++) {
		uint64_t flags = 0, back = SENTINEL;
		struct hull_err err;

		for (size_t i = 0; i < hull_ns_count; i++)
			if (mask & (1u << i))
				flags |= hull_ns_table[i].flag;
		hull_ns_format(flags, buf, sizeof(buf));
		assert_int_equal(hull_ns_parse_list(buf, &back, &err), 0);
		assert_int_equal(back, flags);
	}
}

static void test_format_small_buffers(void **state)
{
	(void)state;
	char buf[64];
	const char *full = "mnt,uts,pid,ipc,net,user,cgroup,time";

	/* len 0: nothing is written at all */
	memset(buf, 'Z', sizeof(buf));
	hull_ns_format(HULL_NS_ALL, buf, 0);
	assert_int_equal(buf[0], 'Z');

	/* every short length: NUL-terminated, inside the buffer, a prefix of
	 * the full text, and the bytes after it untouched */
	for (size_t len = 1; len <= strlen(full) + 1; len++) {
		memset(buf, 'Z', sizeof(buf));
		hull_ns_format(HULL_NS_ALL, buf, len);
		size_t n = strnlen(buf, sizeof(buf));
		assert_true(n < len);
		assert_memory_equal(buf, full, n);
		for (size_t i = len; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 'Z');
	}
	hull_ns_format(HULL_NS_ALL, buf, strlen(full) + 1);
	assert_string_equal(buf, full);

	/* "none" is cut, not overflowed */
	memset(buf, 'Z', sizeof(buf));
	hull_ns_format(0, buf, 3);
	assert_string_equal(buf, "no");
	assert_int_equal(buf[3], 'Z');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_contents_in_order),
		cmocka_unit_test(test_table_flags_distinct_single_bits),
		cmocka_unit_test(test_default_and_all_sets),
		cmocka_unit_test(test_by_name_every_entry),
		cmocka_unit_test(test_by_name_unknown),
		cmocka_unit_test(test_by_flag_every_entry),
		cmocka_unit_test(test_by_flag_unknown),
		cmocka_unit_test(test_parse_single_names),
		cmocka_unit_test(test_parse_lists),
		cmocka_unit_test(test_parse_all_and_none),
		cmocka_unit_test(test_parse_duplicates),
		cmocka_unit_test(test_parse_unknown),
		cmocka_unit_test(test_parse_all_none_not_in_lists),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_trailing_comma),
		cmocka_unit_test(test_parse_leading_and_double_comma),
		cmocka_unit_test(test_parse_long_word),
		cmocka_unit_test(test_parse_null_err),
		cmocka_unit_test(test_format_known_sets),
		cmocka_unit_test(test_format_ignores_foreign_bits),
		cmocka_unit_test(test_format_parse_round_trip_every_subset),
		cmocka_unit_test(test_format_small_buffers),
	};
	return cmocka_run_group_tests_name("ns", tests, NULL, NULL);
}
