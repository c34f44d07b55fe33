/* test_report.c — report context, statistics JSON, atomic writes, durations
 * and Markdown tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/limits.h> /* PATH_MAX */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static void test_context_has_every_field(void **state)
{
	(void)state;
	static const char *const keys[] = { "host",	     "kernel",	   "kernel_version",
					    "arch",	     "cpus",	   "cpu_model",
					    "cgroup_layout", "commit",	   "version",
					    "build_flags",   "build_type", "compiler",
					    "hull_libc",     "date" };
	json_object *ctx = hh_report_context("abc1234");

	assert_non_null(ctx);
	for (size_t i = 0; i < N_ELEMS(keys); i++)
		if (!hh_json_get(ctx, keys[i]))
			fail_msg("context has no '%s'", keys[i]);
	assert_string_equal(hh_json_get_string(ctx, "commit", ""), "abc1234");
	assert_true(hh_json_get_int(ctx, "cpus", 0) >= 1);
	const char *libc = hh_json_get_string(ctx, "hull_libc", "");
	assert_true(strncmp(libc, "musl ", 5) == 0 || strncmp(libc, "glibc", 5) == 0);
	const char *date = hh_json_get_string(ctx, "date", "");
	assert_int_equal(strlen(date), 20); /* 2024-01-02T03:04:05Z */
	assert_int_equal(date[10], 'T');
	assert_int_equal(date[19], 'Z');
	const char *layout = hh_json_get_string(ctx, "cgroup_layout", "");
	assert_true(strcmp(layout, "v2") == 0 || strcmp(layout, "hybrid") == 0 ||
		    strcmp(layout, "v1") == 0 || strcmp(layout, "none") == 0);
	assert_string_equal(layout, hh_report_cgroup_layout());
	json_object_put(ctx);

	ctx = hh_report_context(NULL);
	assert_string_equal(hh_json_get_string(ctx, "commit", ""), "unknown");
	json_object_put(ctx);
}

static void test_series_json(void **state)
{
	(void)state;
	uint64_t v[] = { 3000, 1000, 2000, 4000, 1000000 };
	json_object *o = hh_report_series(v, N_ELEMS(v), 1);

	assert_non_null(o);
	assert_int_equal(hh_json_get_int(o, "n", 0), 5);
	assert_int_equal(hh_json_get_int(o, "min_ns", 0), 1000);
	assert_int_equal(hh_json_get_int(o, "median_ns", 0), 3000);
	assert_int_equal(hh_json_get_int(o, "max_ns", 0), 1000000);
	assert_int_equal(hh_json_get_int(o, "mean_ns", 0), 202000);
	assert_int_equal(hh_json_get_int(o, "p90_ns", 0), 601600); /* 4000 + .6*996000 */
	json_object *ci = hh_json_get(o, "ci95_median_ns");
	assert_non_null(ci);
	assert_int_equal(json_object_array_length(ci), 2);
	assert_int_equal(json_object_get_int64(json_object_array_get_idx(ci, 0)), 1000);
	assert_int_equal(json_object_get_int64(json_object_array_get_idx(ci, 1)), 1000000);
	assert_int_equal(hh_json_get_int(hh_json_get(o, "outliers"), "high", -1), 1);
	assert_int_equal(hh_json_get_int(hh_json_get(o, "outliers"), "low", -1), 0);

	/* Raw samples are kept in their original order. */
	json_object *raw = hh_json_get(o, "samples_ns");
	assert_non_null(raw);
	assert_int_equal(json_object_array_length(raw), 5);
	for (size_t i = 0; i < N_ELEMS(v); i++)
		assert_int_equal(json_object_get_int64(json_object_array_get_idx(raw, i)), v[i]);
	json_object_put(o);

	o = hh_report_series(v, N_ELEMS(v), 0);
	assert_null(hh_json_get(o, "samples_ns"));
	json_object_put(o);
	assert_null(hh_report_series(v, 0, 1));
}

static void test_decimal(void **state)
{
	(void)state;
	json_object *d = hh_json_decimal(1.0 / 3.0, 4);
	assert_string_equal(json_object_to_json_string(d), "0.3333");
	json_object_put(d);
	assert_null(hh_json_decimal(0.0 / 0.0, 2));
}

static void test_write_json_roundtrip(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_report.XXXXXX", path[PATH_MAX];
	struct hull_err err = { 0 };

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.json", dir);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "schema_version", json_object_new_int(HH_REPORT_SCHEMA_VERSION));
	json_object_object_add(o, "path", json_object_new_string("a/b"));
	assert_int_equal(hh_report_write_json(o, path, &err), 0);
	json_object_put(o);

	json_object *back = json_object_from_file(path);
	assert_non_null(back);
	assert_int_equal(hh_json_get_int(back, "schema_version", 0), HH_REPORT_SCHEMA_VERSION);
	assert_string_equal(hh_json_get_string(back, "path", ""), "a/b");
	json_object_put(back);
	/* No temporary file is left next to it. */
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq 1", dir);
	assert_int_equal(system(cmd), 0);
	unlink(path);
	rmdir(dir);

	/* An unwritable place is an error with the path in the message. */
	o = json_object_new_object();
	assert_true(hh_report_write_json(o, "/nonexistent-dir/x.json", &err) < 0);
	assert_non_null(strstr(err.msg, "/nonexistent-dir/x.json"));
	json_object_put(o);
}

static void test_durations(void **state)
{
	(void)state;
	char b[32];
	hh_fmt_duration(812, b, sizeof(b));
	assert_string_equal(b, "812 ns");
	hh_fmt_duration(45300, b, sizeof(b));
	assert_string_equal(b, "45.3 µs");
	hh_fmt_duration(812000, b, sizeof(b));
	assert_string_equal(b, "812 µs");
	hh_fmt_duration(2812345, b, sizeof(b));
	assert_string_equal(b, "2.81 ms");
	hh_fmt_duration(1.2e9, b, sizeof(b));
	assert_string_equal(b, "1.20 s");
	hh_fmt_duration(-45300, b, sizeof(b));
	assert_string_equal(b, "-45.3 µs");
}

static void test_markdown_table(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *const head[] = { "runtime", "median" };
	const char *const row[] = { "a|b", "1.00 ms" };

	assert_non_null(f);
	hh_md_table_head(f, 2, head, "lr");
	hh_md_table_row(f, 2, row);
	fclose(f);
	assert_string_equal(buf, "| runtime | median |\n|---|---:|\n| a\\|b | 1.00 ms |\n");
	free(buf);
}

static void test_json_getters_tolerate_missing(void **state)
{
	(void)state;
	json_object *o = json_tokener_parse("{\"i\": 7, \"d\": 1.5, \"s\": \"x\", \"a\": []}");

	assert_non_null(o);
	assert_int_equal(hh_json_get_int(o, "i", 0), 7);
	assert_int_equal(hh_json_get_int(o, "missing", -3), -3);
	assert_int_equal(hh_json_get_int(o, "s", -3), -3);
	assert_true(hh_json_get_double(o, "d", 0) == 1.5);
	assert_true(hh_json_get_double(o, "i", 0) == 7.0);
	assert_string_equal(hh_json_get_string(o, "s", ""), "x");
	assert_string_equal(hh_json_get_string(o, "i", "def"), "def");
	assert_null(hh_json_get(hh_json_get(o, "a"), "x"));
	assert_null(hh_json_get(NULL, "x"));
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_context_has_every_field),
		cmocka_unit_test(test_series_json),
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_write_json_roundtrip),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_markdown_table),
		cmocka_unit_test(test_json_getters_tolerate_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
