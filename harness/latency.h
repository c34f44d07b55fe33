/* latency.h — internals of `hull-harness latency`, shared by its files and
 * the unit tests.
 *
 * One container start is a chain of timestamps on CLOCK_MONOTONIC (all
 * processes on the machine share it):
 *
 *   spawn          the harness, just before it starts the runtime
 *   start..exec    hull's own --trace-fd marks (hull runtimes only)
 *   entry          the probe's first instruction in main (hull-probe --stamp)
 *   exited         hull, after reaping the container (hull only)
 *   return         the harness, after reaping the runtime
 *
 * "entry - spawn" is the start latency, "return - spawn" the round trip.
 * For hull the chain between them is the per-phase breakdown: each phase is
 * named after the mark that ends it and lasts from the previous mark that is
 * present, so the phases of one start always add up to its end-to-end
 * times exactly. */
#ifndef HULL_HARNESS_LATENCY_H
#define HULL_HARNESS_LATENCY_H

#include "error.h"
#include "stats.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum hull_lat_mark {
	HULL_LAT_SPAWN,
	HULL_LAT_START,
	HULL_LAT_PARSED,
	HULL_LAT_CGROUP, /* only with limits */
	HULL_LAT_CHILD,
	HULL_LAT_PRIVATE,
	HULL_LAT_PROC,
	HULL_LAT_DEV,
	HULL_LAT_MASKED,
	HULL_LAT_ROOT,
	HULL_LAT_HOSTNAME,
	HULL_LAT_CAPS,
	HULL_LAT_SECCOMP,
	HULL_LAT_EXEC,
	HULL_LAT_ENTRY,
	HULL_LAT_EXITED,
	HULL_LAT_RETURN,
	HULL_LAT_N_MARKS
};

struct hull_lat_mark_info {
	const char *trace_name; /* the phase name in hull's trace, NULL if not hull's */
	const char *phase;	/* the phase that ends at this mark */
};

/* Indexed by enum hull_lat_mark. */
extern const struct hull_lat_mark_info hull_lat_marks_info[HULL_LAT_N_MARKS];

/* Timestamps of one start; 0 means the mark is absent. */
struct hull_lat_marks {
	uint64_t t[HULL_LAT_N_MARKS];
};

/* Read hull's trace lines ({"phase":..,"t_ns":..}\n...) into m. Phases the
 * chain does not use ("cloned") are skipped; a malformed line is an error. */
int hull_lat_parse_trace(const char *buf, size_t len, struct hull_lat_marks *m,
			 struct hull_err *err);

/* The probe's --stamp output: {"t_entry_ns":N}. */
int hull_lat_parse_stamp(const char *buf, uint64_t *t_entry, struct hull_err *err);

/* Present marks must not go back in time: -ERANGE names the first pair
 * that does. */
int hull_lat_marks_check(const struct hull_lat_marks *m, struct hull_err *err);

/* Bit i set when mark i is present. */
uint32_t hull_lat_marks_present(const struct hull_lat_marks *m);

/* Per-phase durations: d[i] = t[i] - t[previous present mark] for every
 * present mark i after SPAWN, 0 elsewhere. */
void hull_lat_phase_durations(const struct hull_lat_marks *m, uint64_t d[HULL_LAT_N_MARKS]);

/* ---- the report: JSON in, Markdown out ------------------------------ */

/* Render the tables a person reads first from a latency report (and the
 * microbenchmark and hyperfine sections when present). */
void hull_lat_render_markdown(json_object *report, FILE *out);

/* Merge a Google Benchmark JSON file (--benchmark_format=json) and a
 * hyperfine --export-json file into report as "micro" and "hyperfine";
 * either path may be NULL. A file that cannot be read is recorded as
 * {"error": "..."} in its section, not a failure of the whole report. */
void hull_lat_merge_micro(json_object *report, const char *path);
void hull_lat_merge_hyperfine(json_object *report, const char *path);

#endif
