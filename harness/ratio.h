/* ratio.h — a ratio of two medians and its confidence interval.
 *
 * The CI gate compares hull with a reference runtime measured in the same
 * run (hull / floor, hull / bare): the estimate is median(num) / median(den),
 * the medians as stats.c defines them. Its confidence interval is a
 * percentile bootstrap: `resamples` times, each sample is redrawn with
 * replacement from itself (num and den independently, as their starts are
 * independent), the ratio of the resampled medians is taken, and the
 * interval is the (1-level)/2 and (1+level)/2 quantiles (stats.c's type 7)
 * of those ratios. It assumes nothing about the shape of the latency
 * distribution (skewed, with a long tail). The pseudo-random stream is
 * splitmix64 from a fixed seed, so the same samples always give the same
 * interval and a gate verdict can be reproduced from its report. */
#ifndef HH_RATIO_H
#define HH_RATIO_H

#include "error.h"

#include <stddef.h>
#include <stdint.h>

#define HH_RATIO_RESAMPLES 2000
#define HH_RATIO_LEVEL	   0.95
#define HH_RATIO_SEED	   0x68756c6c67617465ull /* "hullgate" */

struct hh_ratio {
	size_t n_num, n_den;
	double median_num, median_den;
	double ratio;	     /* median_num / median_den */
	double ci_lo, ci_hi; /* bootstrap percentile interval */
	double level;	     /* its nominal coverage */
	unsigned resamples;
};

/* Fill *r. -EINVAL when either side has no sample, a median of den is 0,
 * or resamples is 0 or level outside (0, 1); -ENOMEM. */
int hh_ratio_ci(const uint64_t *num, size_t n_num, const uint64_t *den, size_t n_den,
		unsigned resamples, double level, uint64_t seed, struct hh_ratio *r,
		struct hull_err *err);

#endif
