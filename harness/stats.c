/* stats.c — summary statistics from raw samples; see stats.h. */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

int hh_samples_push(struct hh_samples *s, uint64_t ns, struct hull_err *err)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		uint64_t *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return hull_fail(err, ENOMEM, "cannot keep %zu samples", cap);
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = ns;
	return 0;
}

void hh_samples_free(struct hh_samples *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double hh_stats_quantile_sorted(const double *sorted, size_t n, double p)
{
	if (n == 1 || p <= 0)
		return sorted[0];
	if (p >= 1)
		return sorted[n - 1];
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h);
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

/* P(B <= k) for B ~ Binomial(n, 1/2), summed in log space so that large n
 * neither overflows nor underflows the binomial coefficients. */
static double binom_half_cdf(size_t n, size_t k)
{
	double sum = 0, logn1 = lgamma((double)n + 1), log2n = (double)n * log(2.0);
	for (size_t i = 0; i <= k && i <= n; i++)
		sum += exp(logn1 - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) - log2n);
	return sum > 1 ? 1 : sum;
}

size_t hh_stats_median_ci_rank(size_t n, double *coverage)
{
	/* [X(l), X(n-l+1)] misses the median when fewer than l samples lie
	 * below it or fewer than l above: coverage = 1 - 2 P(B <= l-1). Take
	 * the largest l that keeps the coverage >= the target. */
	const double alpha_half = (1 - HH_STATS_CI_TARGET) / 2;
	size_t l = 1;

	while (l + 1 <= (n + 1) / 2 && binom_half_cdf(n, l) <= alpha_half)
		l++;
	if (coverage)
		*coverage = 1 - 2 * binom_half_cdf(n, l - 1);
	return l;
}

bool hh_stats_is_outlier(const struct hh_stats *st, double x)
{
	if (st->mad <= 0)
		return false;
	return 0.6745 * fabs(x - st->median) / st->mad > HH_STATS_OUTLIER_Z;
}

int hh_stats_compute(const uint64_t *samples, size_t n, struct hh_stats *st, struct hull_err *err)
{
	if (n == 0)
		return hull_fail(err, EINVAL, "no samples to summarise");
	double *x = malloc(n * sizeof(*x));
	if (!x)
		return hull_fail(err, ENOMEM, "cannot sort %zu samples", n);

	/* Welford: numerically stable mean and variance in one pass. */
	double mean = 0, m2 = 0;
	for (size_t i = 0; i < n; i++) {
		x[i] = (double)samples[i];
		double d = x[i] - mean;
		mean += d / (double)(i + 1);
		m2 += d * (x[i] - mean);
	}
	qsort(x, n, sizeof(*x), cmp_double);

	*st = (struct hh_stats){ .n = n };
	st->min = x[0];
	st->max = x[n - 1];
	st->mean = mean;
	st->stddev = n > 1 ? sqrt(m2 / (double)(n - 1)) : 0;
	st->sem = st->stddev / sqrt((double)n);
	st->median = hh_stats_quantile_sorted(x, n, 0.5);
	st->p90 = hh_stats_quantile_sorted(x, n, 0.90);
	st->p99 = hh_stats_quantile_sorted(x, n, 0.99);

	size_t l = hh_stats_median_ci_rank(n, &st->ci_level);
	st->ci_lo = x[l - 1];
	st->ci_hi = x[n - l];

	/* MAD: reuse the buffer for the absolute deviations. */
	for (size_t i = 0; i < n; i++)
		x[i] = fabs(x[i] - st->median);
	qsort(x, n, sizeof(*x), cmp_double);
	st->mad = hh_stats_quantile_sorted(x, n, 0.5);
	free(x);

	for (size_t i = 0; i < n; i++) {
		double v = (double)samples[i];
		if (!hh_stats_is_outlier(st, v))
			continue;
		if (v < st->median)
			st->outliers_low++;
		else
			st->outliers_high++;
	}
	return 0;
}
