/* stats.h — summary statistics of latency samples.
 *
 * Everything is computed from the kept raw samples (nanoseconds), never from
 * running sums alone, so a report can always be recomputed from its data:
 *
 *   n, min, max, mean, stddev (n-1), sem (standard error of the mean),
 *   median, p90, p99           percentiles by linear interpolation between
 *                              order statistics (R type 7, numpy's default)
 *   ci_lo..ci_hi, ci_level     distribution-free confidence interval of the
 *                              median from order statistics: the widest
 *                              symmetric pair X(l), X(n-l+1) whose exact
 *                              binomial coverage is still >= 95 %; ci_level
 *                              is that exact coverage (below 0.95 only when
 *                              n < 6, where min..max is all there is)
 *   mad, outliers              median absolute deviation; a sample is an
 *                              outlier when its modified z-score
 *                              0.6745 * |x - median| / MAD exceeds 3.5
 *                              (Iglewicz & Hoaglin). With MAD = 0 no sample
 *                              is flagged: the scale is undefined.
 */
#ifndef HH_STATS_H
#define HH_STATS_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HH_STATS_CI_TARGET 0.95
#define HH_STATS_OUTLIER_Z 3.5

struct hh_stats {
	size_t n;
	double min, max;
	double mean, stddev, sem;
	double median, p90, p99;
	double ci_lo, ci_hi, ci_level;
	double mad;
	size_t outliers_low, outliers_high;
};

/* A growable list of raw samples in nanoseconds. Zero-initialise, push,
 * free. */
struct hh_samples {
	uint64_t *v;
	size_t n, cap;
};

int hh_samples_push(struct hh_samples *s, uint64_t ns, struct hull_err *err);
void hh_samples_free(struct hh_samples *s);

/* Fill *st from n >= 1 samples (they are not modified). -EINVAL for n == 0,
 * -ENOMEM when the sorted copy cannot be allocated. */
int hh_stats_compute(const uint64_t *samples, size_t n, struct hh_stats *st, struct hull_err *err);

/* The p-quantile (0 <= p <= 1) of n >= 1 sorted values, type 7. */
double hh_stats_quantile_sorted(const double *sorted, size_t n, double p);

/* The 1-based rank l of the lower end of the median's confidence interval
 * (the upper end is n - l + 1) and its exact coverage. */
size_t hh_stats_median_ci_rank(size_t n, double *coverage);

/* Whether x is an outlier of the sample summarised by st. */
bool hh_stats_is_outlier(const struct hh_stats *st, double x);

#endif
