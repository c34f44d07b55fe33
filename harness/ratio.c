/* ratio.c — ratio of two medians with a bootstrap confidence interval; see
 * ratio.h. */
#include "ratio.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

/* splitmix64 (Steele, Lea, Flood 2014): tiny, fast, good enough to draw
 * indices, and the same on every machine. */
static uint64_t next_u64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* An index in [0, n), without modulo bias (Lemire's multiply-shift). */
static size_t draw(uint64_t *state, size_t n)
{
	return (size_t)(((unsigned __int128)next_u64(state) * n) >> 64);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_sorted(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return hh_stats_quantile_sorted(v, n, 0.5);
}

static double median_of(const uint64_t *s, size_t n, double *buf)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (double)s[i];
	return median_sorted(buf, n);
}

static double resampled_median(const uint64_t *s, size_t n, double *buf, uint64_t *state)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (double)s[draw(state, n)];
	return median_sorted(buf, n);
}

int hh_ratio_ci(const uint64_t *num, size_t n_num, const uint64_t *den, size_t n_den,
		unsigned resamples, double level, uint64_t seed, struct hh_ratio *r,
		struct hull_err *err)
{
	if (n_num == 0 || n_den == 0)
		return hull_fail(err, EINVAL, "no samples for a ratio (%zu / %zu)", n_num, n_den);
	if (resamples == 0 || !(level > 0 && level < 1))
		return hull_fail(err, EINVAL, "bad bootstrap settings (%u resamples, level %g)",
				 resamples, level);
	size_t nbuf = n_num > n_den ? n_num : n_den;
	double *buf = malloc(nbuf * sizeof(*buf));
	double *ratios = malloc((size_t)resamples * sizeof(*ratios));
	if (!buf || !ratios) {
		free(buf);
		free(ratios);
		return hull_fail(err, ENOMEM, "cannot bootstrap %u resamples", resamples);
	}
	*r = (struct hh_ratio){
		.n_num = n_num, .n_den = n_den, .level = level, .resamples = resamples
	};
	r->median_num = median_of(num, n_num, buf);
	r->median_den = median_of(den, n_den, buf);
	if (!(r->median_den > 0)) {
		free(buf);
		free(ratios);
		return hull_fail(err, EINVAL, "the denominator's median is 0");
	}
	r->ratio = r->median_num / r->median_den;

	uint64_t state = seed;
	size_t kept = 0;
	for (unsigned i = 0; i < resamples; i++) {
		double a = resampled_median(num, n_num, buf, &state);
		double b = resampled_median(den, n_den, buf, &state);
		/* A resample of a sample with zeros may have a zero median:
		 * such a resample says nothing about the ratio. */
		if (b > 0)
			ratios[kept++] = a / b;
	}
	if (kept == 0) {
		free(buf);
		free(ratios);
		return hull_fail(err, EINVAL, "every resampled denominator median is 0");
	}
	qsort(ratios, kept, sizeof(*ratios), cmp_double);
	r->ci_lo = hh_stats_quantile_sorted(ratios, kept, (1 - level) / 2);
	r->ci_hi = hh_stats_quantile_sorted(ratios, kept, (1 + level) / 2);
	free(buf);
	free(ratios);
	return 0;
}
