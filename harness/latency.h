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
#ifndef HH_LATENCY_H
#define HH_LATENCY_H

#include "error.h"
#include "stats.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum hh_lat_mark {
	HH_LAT_SPAWN,
	HH_LAT_START,
	HH_LAT_PARSED,
	HH_LAT_CONNECTED,    /* hull run --pool: the client's and the slot's marks */
	HH_LAT_REQUEST_SENT, /* (the slot's side needs the 4th fd of the request) */
	HH_LAT_SLOT_WOKEN,
	HH_LAT_REQUEST_READ,
	HH_LAT_CGROUP, /* only with limits */
	HH_LAT_CHILD,
	HH_LAT_PRIVATE,
	HH_LAT_PROC,
	HH_LAT_DEV,
	HH_LAT_MASKED,
	HH_LAT_ROOT,
	HH_LAT_HOSTNAME,
	HH_LAT_GO,	 /* the child's wait for hull's share (lo, /dev) */
	HH_LAT_DEV_LATE, /* /dev after go: hull's attached, or the child's own */
	HH_LAT_CAPS,
	HH_LAT_SECCOMP,
	HH_LAT_EXEC,
	HH_LAT_ENTRY,
	HH_LAT_EXITED,
	HH_LAT_RETURN,
	HH_LAT_N_MARKS
};

struct hh_lat_mark_info {
	const char *trace_name; /* the phase name in hull's trace, NULL if not hull's */
	const char *phase;	/* the phase that ends at this mark */
};

/* Indexed by enum hh_lat_mark. */
extern const struct hh_lat_mark_info hh_lat_marks_info[HH_LAT_N_MARKS];

/* Timestamps of one start; 0 means the mark is absent. */
struct hh_lat_marks {
	uint64_t t[HH_LAT_N_MARKS];
};

/* Read hull's trace lines ({"phase":..,"t_ns":..}\n...) into m. Phases the
 * chain does not use ("cloned") are skipped; a malformed line is an error. */
int hh_lat_parse_trace(const char *buf, size_t len, struct hh_lat_marks *m, struct hull_err *err);

/* The probe's --stamp output: {"t_entry_ns":N}. */
int hh_lat_parse_stamp(const char *buf, uint64_t *t_entry, struct hull_err *err);

/* Present marks must not go back in time: -ERANGE names the first pair
 * that does. */
int hh_lat_marks_check(const struct hh_lat_marks *m, struct hull_err *err);

/* The name a report gives the phase ending at mark i: hull's trace name,
 * "probe_entry" or "return"; NULL for the spawn. */
const char *hh_lat_mark_until(int i);

/* Bit i set when mark i is present. */
uint32_t hh_lat_marks_present(const struct hh_lat_marks *m);

/* Per-phase durations: d[i] = t[i] - t[previous present mark] for every
 * present mark i after SPAWN, 0 elsewhere. */
void hh_lat_phase_durations(const struct hh_lat_marks *m, uint64_t d[HH_LAT_N_MARKS]);

/* ---- the report: JSON in, Markdown out ------------------------------ */

/* Render the tables a person reads first from a latency report (and the
 * microbenchmark and hyperfine sections when present). */
void hh_lat_render_markdown(json_object *report, FILE *out);
/* The pool suite's section (latency_pool.c), when the report has one. */
void hh_lat_pool_markdown(json_object *report, FILE *out);

/* Merge a Google Benchmark JSON file (--benchmark_format=json) and a
 * hyperfine --export-json file into report as "micro" and "hyperfine";
 * either path may be NULL. A file that cannot be read is recorded as
 * {"error": "..."} in its section, not a failure of the whole report. */
void hh_lat_merge_micro(json_object *report, const char *path);
void hh_lat_merge_hyperfine(json_object *report, const char *path);

#endif
