/* report.h — the pieces every benchmark report is made of: the machine
 * context, statistics and raw samples as JSON, durations for people, and
 * Markdown tables.
 *
 * JSON follows Google Benchmark's idea of a `context` object next to the
 * results and hyperfine's habit of keeping every raw sample; durations are
 * integers in nanoseconds, ratios decimals. Every document carries
 * `schema_version`; bump it when a field changes meaning or goes away. */
#ifndef HH_REPORT_H
#define HH_REPORT_H

#include "error.h"
#include "stats.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>

#define HH_REPORT_SCHEMA_VERSION 1

/* How the cgroup hierarchies are mounted: "v2" (unified), "hybrid" (v1
 * controllers plus cgroup2 at /sys/fs/cgroup/unified), "v1", or "none". */
const char *hh_report_cgroup_layout(void);

/* A new "context" object: host, kernel, kernel_version, arch, cpus,
 * cpu_model, cgroup_layout, commit, version, build_flags, compiler, date
 * (UTC, ISO 8601). commit may be NULL ("unknown"). NULL when out of memory. */
json_object *hh_report_context(const char *commit);

/* {"n", "min_ns", "median_ns", "mean_ns", "stddev_ns", "sem_ns", "p90_ns",
 *  "p99_ns", "max_ns", "ci95_median_ns": [lo, hi], "ci_level", "mad_ns",
 *  "outliers": {"low", "high"}} */
json_object *hh_report_stats(const struct hh_stats *st);

/* Stats and, when keep_samples, the raw "samples_ns" array. NULL on error
 * (n == 0 or out of memory). */
json_object *hh_report_series(const uint64_t *samples, size_t n, int keep_samples);

/* A JSON number with a fixed number of decimals ("1.0342", not
 * "1.0342000000000000085"). */
json_object *hh_json_decimal(double v, int decimals);

/* Write obj pretty-printed to path, atomically (temporary file + rename). */
int hh_report_write_json(json_object *obj, const char *path, struct hull_err *err);

/* A duration for people: "812 ns", "45.3 µs", "2.81 ms", "1.20 s". */
void hh_fmt_duration(double ns, char *buf, size_t len);

/* Markdown tables. align holds one of 'l', 'r', 'c' per column. Cells are
 * written as given except that '|' and newlines are escaped. */
void hh_md_table_head(FILE *out, size_t ncols, const char *const *titles, const char *align);
void hh_md_table_row(FILE *out, size_t ncols, const char *const *cells);

/* Lookups on parsed reports that tolerate missing members: the member's
 * value, or def when obj is not an object or the key is absent. */
int64_t hh_json_get_int(json_object *obj, const char *key, int64_t def);
double hh_json_get_double(json_object *obj, const char *key, double def);
const char *hh_json_get_string(json_object *obj, const char *key, const char *def);
json_object *hh_json_get(json_object *obj, const char *key);

#endif
