/* test_stats.c — summary statistics on samples with known answers (the
 * reference values are numpy's percentile/std with the same definitions). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "stats.h"

#define EPS 1e-9

/* cmocka 1.1's assert_float_equal compares floats; latencies need doubles. */
#define assert_near(a, b, eps)                                                                     \
	do {                                                                                       \
		double a_ = (a), b_ = (b);                                                         \
		if (!(fabs(a_ - b_) <= (eps)))                                                     \
			fail_msg("%s = %.12g, expected %.12g (+- %g)", #a, a_, b_, (double)(eps)); \
	} while (0)
#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static void test_zero_samples_is_an_error(void **state)
{
	(void)state;
	struct hh_stats st;
	struct hull_err err = { 0 };
	uint64_t none[1] = { 0 };

	assert_int_equal(hh_stats_compute(none, 0, &st, &err), -EINVAL);
	assert_string_equal(err.msg, "no samples to summarise: Invalid argument");
}

static void test_single_sample(void **state)
{
	(void)state;
	struct hh_stats st;
	uint64_t one[] = { 1234 };

	assert_int_equal(hh_stats_compute(one, 1, &st, NULL), 0);
	assert_int_equal(st.n, 1);
	assert_near(st.min, 1234, EPS);
	assert_near(st.max, 1234, EPS);
	assert_near(st.median, 1234, EPS);
	assert_near(st.p90, 1234, EPS);
	assert_near(st.p99, 1234, EPS);
	assert_near(st.mean, 1234, EPS);
	assert_near(st.stddev, 0, EPS);
	assert_near(st.ci_lo, 1234, EPS);
	assert_near(st.ci_hi, 1234, EPS);
	assert_near(st.mad, 0, EPS);
	assert_int_equal(st.outliers_low + st.outliers_high, 0);
}

static void test_odd_n_unsorted(void **state)
{
	(void)state;
	struct hh_stats st;
	uint64_t v[] = { 5, 1, 4, 2, 3 };

	assert_int_equal(hh_stats_compute(v, N_ELEMS(v), &st, NULL), 0);
	assert_near(st.median, 3, EPS);
	assert_near(st.p90, 4.6, EPS); /* numpy.percentile(.., 90) */
	assert_near(st.p99, 4.96, EPS);
	assert_near(st.mean, 3, EPS);
	assert_near(st.stddev, sqrt(2.5), EPS);
	assert_near(st.min, 1, EPS);
	assert_near(st.max, 5, EPS);
	/* The input is left as it was. */
	assert_int_equal(v[0], 5);
	assert_int_equal(v[4], 3);
}

static void test_even_n(void **state)
{
	(void)state;
	struct hh_stats st;
	uint64_t v[] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };

	assert_int_equal(hh_stats_compute(v, N_ELEMS(v), &st, NULL), 0);
	assert_near(st.median, 5.5, EPS);
	assert_near(st.p90, 9.1, EPS);
	assert_near(st.p99, 9.91, EPS);
	assert_near(st.mean, 5.5, EPS);
	assert_near(st.stddev, 3.0276503540974917, 1e-12);
	assert_near(st.sem, 3.0276503540974917 / sqrt(10), 1e-12);
	assert_near(st.mad, 2.5, EPS);
	/* n = 10: the 95 % interval of the median is [X(2), X(9)], coverage
	 * 1 - 2 * 11/1024. */
	assert_near(st.ci_lo, 2, EPS);
	assert_near(st.ci_hi, 9, EPS);
	assert_near(st.ci_level, 1 - 22.0 / 1024, 1e-12);
}

static void test_median_ci_ranks(void **state)
{
	(void)state;
	double cov;

	/* Small n cannot reach 95 %: min..max with its true coverage. */
	assert_int_equal(hh_stats_median_ci_rank(1, &cov), 1);
	assert_near(cov, 0, EPS);
	assert_int_equal(hh_stats_median_ci_rank(5, &cov), 1);
	assert_near(cov, 1 - 2.0 / 32, EPS);
	assert_true(cov < HH_STATS_CI_TARGET);
	/* n = 6 is the first n with a 95 % interval. */
	assert_int_equal(hh_stats_median_ci_rank(6, &cov), 1);
	assert_near(cov, 1 - 2.0 / 64, EPS);
	/* Textbook tables: n = 20 -> X(6)..X(15); n = 100 -> X(40)..X(61). */
	assert_int_equal(hh_stats_median_ci_rank(20, &cov), 6);
	assert_true(cov >= HH_STATS_CI_TARGET);
	assert_int_equal(hh_stats_median_ci_rank(100, &cov), 40);
	assert_true(cov >= HH_STATS_CI_TARGET && cov < 0.97);
	/* Large n stays finite and tight. */
	size_t l = hh_stats_median_ci_rank(10000, &cov);
	assert_true(l > 4890 && l < 4910);
	assert_true(cov >= HH_STATS_CI_TARGET && cov < 0.96);
}

static void test_mad_outliers(void **state)
{
	(void)state;
	struct hh_stats st;
	uint64_t hi[] = { 10, 11, 12, 13, 14, 15, 16, 100 };
	uint64_t lo[] = { 1, 100, 101, 102, 103, 104, 105, 106, 107 };

	assert_int_equal(hh_stats_compute(hi, N_ELEMS(hi), &st, NULL), 0);
	assert_near(st.median, 13.5, EPS);
	assert_near(st.mad, 2, EPS);
	assert_int_equal(st.outliers_high, 1);
	assert_int_equal(st.outliers_low, 0);
	assert_true(hh_stats_is_outlier(&st, 100));
	assert_false(hh_stats_is_outlier(&st, 10));
	/* 0.6745 * d / 2 > 3.5 from d = 10.38 on. */
	assert_false(hh_stats_is_outlier(&st, 13.5 + 10.3));
	assert_true(hh_stats_is_outlier(&st, 13.5 + 10.4));

	assert_int_equal(hh_stats_compute(lo, N_ELEMS(lo), &st, NULL), 0);
	assert_near(st.median, 103, EPS);
	assert_int_equal(st.outliers_low, 1);
	assert_int_equal(st.outliers_high, 0);
}

static void test_constant_samples_have_no_outliers(void **state)
{
	(void)state;
	struct hh_stats st;
	uint64_t v[] = { 7, 7, 7, 7, 7, 7, 9 };

	assert_int_equal(hh_stats_compute(v, N_ELEMS(v), &st, NULL), 0);
	assert_near(st.mad, 0, EPS);
	assert_int_equal(st.outliers_low + st.outliers_high, 0);
}

static void test_large_values_keep_precision(void **state)
{
	(void)state;
	struct hh_stats st;
	/* Monotonic-clock scale: 3 ms around a 10^15 ns offset. */
	uint64_t base = 1000000000000000ull;
	uint64_t v[] = { base + 1, base + 2, base + 3 };

	assert_int_equal(hh_stats_compute(v, N_ELEMS(v), &st, NULL), 0);
	assert_near(st.mean - (double)base, 2, 1e-3);
	assert_near(st.stddev, 1, 1e-3);
}

static void test_samples_grow(void **state)
{
	(void)state;
	struct hh_samples s = { 0 };
	struct hh_stats st;

	for (uint64_t i = 1; i <= 1000; i++)
		assert_int_equal(hh_samples_push(&s, i, NULL), 0);
	assert_int_equal(s.n, 1000);
	assert_true(s.cap >= 1000);
	assert_int_equal(s.v[999], 1000);
	assert_int_equal(hh_stats_compute(s.v, s.n, &st, NULL), 0);
	assert_near(st.median, 500.5, EPS);
	assert_near(st.p99, 990.01, 1e-9);
	hh_samples_free(&s);
	assert_null(s.v);
	assert_int_equal(s.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_samples_is_an_error),
		cmocka_unit_test(test_single_sample),
		cmocka_unit_test(test_odd_n_unsorted),
		cmocka_unit_test(test_even_n),
		cmocka_unit_test(test_median_ci_ranks),
		cmocka_unit_test(test_mad_outliers),
		cmocka_unit_test(test_constant_samples_have_no_outliers),
		cmocka_unit_test(test_large_values_keep_precision),
		cmocka_unit_test(test_samples_grow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
