/* test_gate.c — the CI gate's decision rule on synthetic samples, the ratio
 * CI, the exit status, baseline loading and the isolation cell check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gate.h"
#include "ratio.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Deterministic latency-like samples: a median near `median` ns, a
 * right-skewed spread of `spread` (relative) and a few slow outliers, as
 * container starts look. */
static uint64_t *synth(size_t n, double median, double spread, uint64_t seed)
{
	uint64_t *v = malloc(n * sizeof(*v));
	uint64_t s = seed;
	assert_non_null(v);
	for (size_t i = 0; i < n; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		double u = (double)(s >> 11) / 9007199254740992.0; /* [0, 1) */
		/* log-uniform around the median, then a tail of 1 in 20 */
		double x = median * exp(spread * (2 * u - 1));
		if (i % 20 == 19)
			x *= 3;
		v[i] = (uint64_t)x;
	}
	return v;
}

static struct hh_gate_rule rule_default(void)
{
	struct hh_gate_rule r;
	hh_gate_rule_default(&r);
	return r;
}

static void test_clear_regression_fails(void **state)
{
	(void)state;
	struct hh_gate_rule r = rule_default();
	struct hh_gate_judgement j;
	uint64_t *floor = synth(200, 1.5e6, 0.2, 1);
	uint64_t *hull = synth(200, 1.5e6 * 1.37 * 1.5, 0.2, 2); /* 50 % slower */

	hh_gate_judge(hull, 200, floor, 200, 1.37, &r, &j);
	assert_int_equal(j.verdict, HH_GATE_REGRESSION);
	assert_true(j.measured);
	assert_true(j.now.ci_lo > 1.37 * 1.10);
	assert_true(j.now.ratio > 1.9 && j.now.ratio < 2.2);
	assert_non_null(strstr(j.note, "CI lower bound"));
	free(floor);
	free(hull);
}

static void test_same_median_noise_passes(void **state)
{
	(void)state;
	struct hh_gate_rule r = rule_default();
	struct hh_gate_judgement j;
	/* The same medians as the baseline, but three times the spread and a
	 * different draw: noise, not a regression. */
	uint64_t *floor = synth(200, 1.5e6, 0.6, 11);
	uint64_t *hull = synth(200, 1.5e6 * 1.37, 0.6, 12);

	hh_gate_judge(hull, 200, floor, 200, 1.37, &r, &j);
	assert_true(j.measured);
	assert_true(j.verdict == HH_GATE_PASS || j.verdict == HH_GATE_UNCLEAR);
	assert_true(j.now.ci_lo <= j.limit);
	assert_true(j.now.ci_lo < j.now.ratio && j.now.ratio < j.now.ci_hi);
	free(floor);
	free(hull);
}

static void test_noisy_small_shift_is_unclear_not_regression(void **state)
{
	(void)state;
	struct hh_gate_rule r = rule_default();
	struct hh_gate_judgement j;
	/* 14 % slower (above the 10 % limit), but with few, very noisy
	 * samples the interval reaches below the limit. */
	uint64_t *floor = synth(40, 1.5e6, 1.0, 21);
	uint64_t *hull = synth(40, 1.5e6 * 1.37 * 1.14, 1.0, 22);

	hh_gate_judge(hull, 40, floor, 40, 1.37, &r, &j);
	assert_true(j.measured);
	assert_true(j.now.ci_lo <= j.limit);
	assert_int_not_equal(j.verdict, HH_GATE_REGRESSION);
	if (j.now.ratio > j.limit)
		assert_int_equal(j.verdict, HH_GATE_UNCLEAR);
	free(floor);
	free(hull);
}

static void test_clear_improvement(void **state)
{
	(void)state;
	struct hh_gate_rule r = rule_default();
	struct hh_gate_judgement j;
	uint64_t *floor = synth(200, 1.5e6, 0.2, 31);
	uint64_t *hull = synth(200, 1.5e6 * 1.37 * 0.7, 0.2, 32);

	hh_gate_judge(hull, 200, floor, 200, 1.37, &r, &j);
	assert_int_equal(j.verdict, HH_GATE_IMPROVED);
	free(floor);
	free(hull);
}

static void test_too_few_samples_is_unmeasured(void **state)
{
	(void)state;
	struct hh_gate_rule r = rule_default();
	struct hh_gate_judgement j;
	uint64_t *floor = synth(200, 1.5e6, 0.2, 41);
	uint64_t *hull = synth(200, 1.5e6 * 3, 0.2, 42);

	/* Even an obvious slowdown is not judged from 29 starts. */
	hh_gate_judge(hull, HH_GATE_MIN_SAMPLES - 1, floor, 200, 1.37, &r, &j);
	assert_int_equal(j.verdict, HH_GATE_UNMEASURED);
	assert_false(j.measured);
	assert_non_null(strstr(j.note, "too few samples: 29 / 200"));
	hh_gate_judge(hull, 200, floor, 0, 1.37, &r, &j);
	assert_int_equal(j.verdict, HH_GATE_UNMEASURED);
	/* exactly the minimum is enough */
	hh_gate_judge(hull, HH_GATE_MIN_SAMPLES, floor, HH_GATE_MIN_SAMPLES, 1.37, &r, &j);
	assert_int_equal(j.verdict, HH_GATE_REGRESSION);
	free(floor);
	free(hull);
}

static void test_bad_baseline_is_unmeasured(void **state)
{
	(void)state;
	struct hh_gate_rule r = rule_default();
	struct hh_gate_judgement j;
	uint64_t *x = synth(100, 1e6, 0.2, 51);

	hh_gate_judge(x, 100, x, 100, 0, &r, &j);
	assert_int_equal(j.verdict, HH_GATE_UNMEASURED);
	hh_gate_judge(x, 100, x, 100, NAN, &r, &j);
	assert_int_equal(j.verdict, HH_GATE_UNMEASURED);
	free(x);
}

static void test_tolerance_moves_the_limit(void **state)
{
	(void)state;
	struct hh_gate_rule r = rule_default();
	struct hh_gate_judgement j;
	uint64_t *floor = synth(300, 1.5e6, 0.1, 61);
	uint64_t *hull = synth(300, 1.5e6 * 1.37 * 1.3, 0.1, 62); /* +30 % */

	r.tolerance = 0.10;
	hh_gate_judge(hull, 300, floor, 300, 1.37, &r, &j);
	assert_int_equal(j.verdict, HH_GATE_REGRESSION);
	r.tolerance = 0.50;
	hh_gate_judge(hull, 300, floor, 300, 1.37, &r, &j);
	assert_int_equal(j.verdict, HH_GATE_PASS);
	assert_true(fabs(j.limit - 1.37 * 1.5) < 1e-12);
	free(floor);
	free(hull);
}

static void test_ratio_ci_known_answer(void **state)
{
	(void)state;
	struct hh_ratio r;
	struct hull_err err = { 0 };
	uint64_t a[] = { 10, 20, 30, 40, 50 }; /* median 30 */
	uint64_t b[] = { 5, 10, 15 };	       /* median 10 */
	uint64_t c[] = { 7, 7, 7, 7 };

	assert_int_equal(hh_ratio_ci(a, 5, b, 3, 500, 0.95, 1, &r, &err), 0);
	assert_true(fabs(r.ratio - 3.0) < 1e-12);
	assert_true(r.ci_lo <= r.ratio && r.ratio <= r.ci_hi);
	/* the extremes a resample can reach: 10/15 and 50/5 */
	assert_true(r.ci_lo >= 10.0 / 15 && r.ci_hi <= 10.0);
	/* constant samples: a degenerate interval at the ratio */
	assert_int_equal(hh_ratio_ci(c, 4, c, 4, 200, 0.95, 1, &r, &err), 0);
	assert_true(r.ci_lo == 1.0 && r.ci_hi == 1.0 && r.ratio == 1.0);
	/* reproducible: same seed, same interval; another seed, close */
	struct hh_ratio r1, r2;
	uint64_t *x = synth(150, 2e6, 0.3, 71), *y = synth(150, 1e6, 0.3, 72);
	assert_int_equal(hh_ratio_ci(x, 150, y, 150, 2000, 0.95, 5, &r1, &err), 0);
	assert_int_equal(hh_ratio_ci(x, 150, y, 150, 2000, 0.95, 5, &r2, &err), 0);
	assert_true(r1.ci_lo == r2.ci_lo && r1.ci_hi == r2.ci_hi);
	assert_int_equal(hh_ratio_ci(x, 150, y, 150, 2000, 0.95, 6, &r2, &err), 0);
	assert_true(fabs(r1.ci_lo - r2.ci_lo) < 0.05 * r1.ratio);
	free(x);
	free(y);
}

static void test_ratio_ci_errors(void **state)
{
	(void)state;
	struct hh_ratio r;
	struct hull_err err = { 0 };
	uint64_t a[] = { 1, 2, 3 }, z[] = { 0, 0, 0 };

	assert_int_equal(hh_ratio_ci(a, 0, a, 3, 100, 0.95, 1, &r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no samples for a ratio (0 / 3)"));
	assert_int_equal(hh_ratio_ci(a, 3, z, 3, 100, 0.95, 1, &r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "denominator's median is 0"));
	assert_int_equal(hh_ratio_ci(a, 3, a, 3, 0, 0.95, 1, &r, &err), -EINVAL);
	assert_int_equal(hh_ratio_ci(a, 3, a, 3, 100, 1.0, 1, &r, &err), -EINVAL);
}

static void test_exit_status(void **state)
{
	(void)state;
	enum hh_gate_verdict pass[] = { HH_GATE_PASS, HH_GATE_IMPROVED, HH_GATE_UNCLEAR };
	enum hh_gate_verdict gap[] = { HH_GATE_PASS, HH_GATE_UNMEASURED };
	enum hh_gate_verdict both[] = { HH_GATE_UNMEASURED, HH_GATE_REGRESSION, HH_GATE_PASS };

	assert_int_equal(hh_gate_exit_status(pass, N_ELEMS(pass)), 0);
	assert_int_equal(hh_gate_exit_status(gap, N_ELEMS(gap)), 2);
	assert_int_equal(hh_gate_exit_status(both, N_ELEMS(both)), 1);
	assert_int_equal(hh_gate_exit_status(NULL, 0), 0);
	assert_string_equal(hh_gate_verdict_name(HH_GATE_REGRESSION), "regression");
	assert_string_equal(hh_gate_verdict_name(HH_GATE_UNMEASURED), "unmeasured");
}

/* ---- baseline --------------------------------------------------------------- */

static char tmpdir[64];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hull-test-gate-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof(path), "%s/b.json", tmpdir);
	unlink(path);
	return rmdir(tmpdir);
}

static const char *write_file(const char *text)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/b.json", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static char *good_baseline(double first_ratio)
{
	static char buf[4096];
	size_t off = (size_t)snprintf(
		buf, sizeof(buf),
		"{\"schema_version\": 1, \"tool\": \"hull-harness gate baseline\", \"metrics\": [");
	for (size_t i = 0; i < hh_gate_metric_count; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"%s{\"name\": \"%s\", \"ratio\": %g}", i ? ", " : "",
					hh_gate_metrics[i].name, i ? 1.25 : first_ratio);
	snprintf(buf + off, sizeof(buf) - off, "], \"isolation\": {\"cells\": 512}}");
	return buf;
}

static void test_baseline_good(void **state)
{
	(void)state;
	double ratios[16] = { 0 };
	json_object *doc = NULL;
	struct hull_err err = { 0 };

	assert_int_equal(
		hh_gate_baseline_load(write_file(good_baseline(1.375)), ratios, &doc, &err), 0);
	assert_non_null(doc);
	assert_true(fabs(ratios[0] - 1.375) < 1e-12);
	assert_true(fabs(ratios[hh_gate_metric_count - 1] - 1.25) < 1e-12);
	json_object_put(doc);
}

static void test_baseline_missing_and_malformed(void **state)
{
	(void)state;
	double ratios[16];
	json_object *doc = NULL;
	struct hull_err err = { 0 };
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "{\"schema_version\": 1, \"tool\": \"hull-harness gate baseline\"",
		  "is not JSON" },
		{ "[1, 2]", "is not a JSON object" },
		{ "{\"schema_version\": 2, \"tool\": \"hull-harness gate baseline\", \"metrics\": "
		  "[]}",
		  "is not a gate baseline of schema_version 1" },
		{ "{\"schema_version\": 1, \"tool\": \"hull-harness latency\", \"metrics\": []}",
		  "is not a gate baseline" },
		{ "{\"schema_version\": 1, \"tool\": \"hull-harness gate baseline\", \"metrics\": "
		  "[]}",
		  "has no ratio for metric 'hull/floor'" },
	};

	assert_int_equal(hh_gate_baseline_load("/nonexistent/baseline.json", ratios, &doc, &err),
			 -ENOENT);
	assert_string_equal(err.msg, "cannot read baseline '/nonexistent/baseline.json' (make "
				     "baseline writes a new one): No such file or directory");
	assert_null(doc);
	for (size_t i = 0; i < N_ELEMS(bad); i++) {
		assert_int_equal(hh_gate_baseline_load(write_file(bad[i].text), ratios, &doc, &err),
				 -EINVAL);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].msg);
		assert_non_null(strstr(err.msg, "make baseline writes a new one"));
		assert_null(doc);
	}
	/* A ratio that is not a positive number is as bad as none. */
	assert_int_equal(hh_gate_baseline_load(write_file(good_baseline(-1)), ratios, &doc, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "has no ratio for metric 'hull/floor'"));
}

/* ---- isolation cells ------------------------------------------------------------- */

static void test_cell_mismatches(void **state)
{
	(void)state;
	char why[256];
	json_object *ok = json_tokener_parse(
		"{\"namespaces\": \"mnt\", \"root_mode\": \"pivot_root\", \"started\": true,"
		" \"expected_started\": true, \"properties\": {"
		"\"mounts\": {\"verdict\": \"isolated\", \"expected\": \"isolated\"},"
		"\"pid\": {\"verdict\": \"shared\", \"expected\": \"shared\"}}}");
	json_object *leak = json_tokener_parse(
		"{\"namespaces\": \"mnt\", \"root_mode\": \"chroot\", \"started\": true,"
		" \"expected_started\": true, \"properties\": {"
		"\"propagation\": {\"verdict\": \"shared\", \"expected\": \"isolated\","
		" \"detail\": \"13 new host mounts\"},"
		"\"pid\": {\"verdict\": \"isolated\", \"expected\": \"shared\"}}}");
	json_object *nostart = json_tokener_parse(
		"{\"namespaces\": \"mnt\", \"root_mode\": \"pivot_root\", \"started\": false,"
		" \"expected_started\": true, \"reason\": \"exit status 125\"}");
	json_object *skipped = json_tokener_parse(
		"{\"namespaces\": \"none\", \"root_mode\": \"pivot_root\", \"started\": false,"
		" \"expected_started\": false}");

	assert_int_equal(hh_gate_cell_mismatches(ok, why, sizeof(why)), 0);
	assert_int_equal(hh_gate_cell_mismatches(leak, why, sizeof(why)), 2);
	assert_string_equal(why, "mnt chroot: propagation shared, expected isolated: 13 new host "
				 "mounts");
	assert_int_equal(hh_gate_cell_mismatches(nostart, why, sizeof(why)), 1);
	assert_string_equal(why,
			    "mnt pivot_root: not started, expected to start (exit status 125)");
	assert_int_equal(hh_gate_cell_mismatches(skipped, why, sizeof(why)), 0);
	assert_int_equal(hh_gate_cell_mismatches(NULL, why, sizeof(why)), 1);
	json_object_put(ok);
	json_object_put(leak);
	json_object_put(nostart);
	json_object_put(skipped);
}

static void test_metric_samples_from_report(void **state)
{
	(void)state;
	struct hh_samples num = { 0 }, den = { 0 };
	struct hull_err err = { 0 };
	json_object *rep = json_tokener_parse(
		"{\"runtimes\": [{\"name\": \"hull\", \"entry\": {\"samples_ns\": [3, 4, 5]}},"
		"                {\"name\": \"floor\", \"entry\": {\"samples_ns\": [1, 2]}}],"
		" \"namespaces\": [{\"namespaces\": \"mnt\", \"hull\": {\"entry\": "
		"{\"samples_ns\": [7]}},"
		"                   \"floor\": {\"entry\": {\"samples_ns\": [-1]}}}]}");

	assert_int_equal(hh_gate_metric_samples(rep, &hh_gate_metrics[0], &num, &den, &err), 0);
	assert_int_equal(num.n, 3);
	assert_int_equal(den.n, 2);
	assert_int_equal(num.v[2], 5);
	hh_samples_free(&num);
	hh_samples_free(&den);
	/* bare is absent: no samples, not an error */
	assert_int_equal(hh_gate_metric_samples(rep, &hh_gate_metrics[1], &num, &den, &err), 0);
	assert_int_equal(num.n, 3);
	assert_int_equal(den.n, 0);
	hh_samples_free(&num);
	hh_samples_free(&den);
	/* hull/floor ns=mnt: a negative sample is an error */
	assert_int_equal(hh_gate_metric_samples(rep, &hh_gate_metrics[2], &num, &den, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "sample 0 of floor is not a positive integer"));
	hh_samples_free(&num);
	hh_samples_free(&den);
	json_object_put(rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clear_regression_fails),
		cmocka_unit_test(test_same_median_noise_passes),
		cmocka_unit_test(test_noisy_small_shift_is_unclear_not_regression),
		cmocka_unit_test(test_clear_improvement),
		cmocka_unit_test(test_too_few_samples_is_unmeasured),
		cmocka_unit_test(test_bad_baseline_is_unmeasured),
		cmocka_unit_test(test_tolerance_moves_the_limit),
		cmocka_unit_test(test_ratio_ci_known_answer),
		cmocka_unit_test(test_ratio_ci_errors),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test_setup_teardown(test_baseline_good, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_baseline_missing_and_malformed, setup_dir,
						teardown_dir),
		cmocka_unit_test(test_cell_mismatches),
		cmocka_unit_test(test_metric_samples_from_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
