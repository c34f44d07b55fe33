/* latency_bench.h — what the files of `hull-harness latency` share
 * (latency.c the command line, latency_run.c the runs, latency_json.c the
 * report, lifecycle.c the engine path): the state of one benchmark. Not
 * used outside the latency command. */
#ifndef HH_LATENCY_BENCH_H
#define HH_LATENCY_BENCH_H

#include "driver.h"
#include "lifecycle.h"
#include "latency.h"
#include "stats.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define N_ELEMS(a)   (sizeof(a) / sizeof((a)[0]))
#define MAX_VARIANTS 64
#define MAX_LEVELS   16
#define RSS_RUNS     5

/* One thing measured: a runtime with one configuration. */
struct variant {
	char label[128];
	char runtime[600]; /* a table name or an oci: spec */
	bool chroot, fork;
	uint64_t ns;
	int suite; /* SUITE_* */
	bool traced;
	bool available;
	char why[256];
	int trace_rd, trace_wr;
	struct hh_launch launch;
	bool prepared;
	struct hh_samples entry, round;
	struct hh_samples phase[HH_LAT_N_MARKS];
	uint32_t present; /* marks present in every traced sample */
	size_t failures, bad_traces;
	char first_error[256];
	struct hh_samples rss_kib, maxrss_kib;
	struct hh_samples lc[HH_LC_N]; /* lifecycle: create, start, delete, sum */
	char cgroups_path[96];	       /* lifecycle: a cgroup of its own */
};

enum { SUITE_RUNTIMES, SUITE_NAMESPACES, SUITE_CONCURRENCY, SUITE_LIFECYCLE, SUITE_POOL, N_SUITES };
extern const char *const hh_lat_suite_names[N_SUITES];

/* The runtime comparison, in the order of the report. */

struct level {
	int level;
	size_t containers, failures;
	uint64_t wall_ns;
	struct hh_samples round, entry;
	char first_error[256];
};

/* The pool suite (latency_pool.c): `hull run --pool` against `hull run`,
 * each container spawned by the timer like every other sample. */
enum { POOL_ROW_HULL, POOL_ROW_POOL, POOL_ROWS };
struct pool_row {
	const char *label, *runtime;
	bool available;
	char why[256];
	struct hh_samples entry, round; /* the bursts' starts */
	uint64_t burst_wall_ns;		/* summed over the bursts */
	size_t burst_failures;
	char first_error[256];
	struct level sustained[MAX_LEVELS];
};

struct pool_suite {
	struct pool_row row[POOL_ROWS];
	size_t n_levels; /* sustained levels measured */
	unsigned burst_size, sustained_size;
	long long idle_slot_pss_kib; /* -1: not measured */
	int idle_slots;
	char mem_error[256];
};

struct opts {
	int iterations, warmup;
	uint64_t ns;
	char ns_list[128];
	uint64_t ns_each; /* namespaces measured alone in the namespaces suite */
	const char *rootfs;
	const char *json_path, *md_path;
	const char *commit;
	const char *runtimes;
	int cpu;
	bool suites[N_SUITES];
	int levels[MAX_LEVELS];
	int n_levels;
	int per_level;
	bool quiet;
	int timeout_ms;
	int lifecycle_rounds; /* measured lifecycles per runtime */
	int pool_burst;	      /* pool suite: starts back to back per burst */
	int pool_bursts;      /* bursts per row */
	int pool_levels[MAX_LEVELS];
	int n_pool_levels;
	int pool_per_level; /* 0: per_level */
};

struct bench {
	struct opts o;
	struct variant v[MAX_VARIANTS];
	size_t nv;
	struct level lv[MAX_LEVELS];
	size_t nlv;
	struct pool_suite pool;
	json_object *skipped;
	/* progress */
	size_t done, total;
	uint64_t t_last_progress;
	int last_decile;
	bool tty;
	const char *suite_now;
};

extern char *hh_lat_probe_argv[];

/* ---- latency_variants.c ------------------------------------------------ */

/* Every item of a --runtimes list is a variant label, "all", or an OCI
 * runtime by path (registered here); -1 with a message otherwise. */
int hh_lat_check_runtime_list(const char *list);
/* Whether a --runtimes list (NULL, "" or "all": every one) names label. */
bool hh_lat_wanted(const char *list, const char *label);
/* The variants of every suite b->o asks for, in the order of the report. */
void hh_lat_add_suites(struct bench *b);

/* ---- latency_run.c ---------------------------------------------------- */

void hh_lat_progress(struct bench *b, const char *what, bool force);
void hh_lat_progress_end(struct bench *b);
struct variant *hh_lat_add_variant(struct bench *b, int suite, const char *label,
				   const char *runtime, uint64_t ns, bool chroot, bool fork,
				   bool traced);
/* Prepare a variant's launch; one that cannot run is skipped with a note. */
int hh_lat_prepare(struct bench *b, struct variant *v);
void hh_lat_release_all(struct bench *b);
/* Warm-up rounds, then iterations rounds, each starting every available
 * variant of the suite once, in order. */
void hh_lat_run_interleaved(struct bench *b, int suite);
void hh_lat_measure_rss(struct bench *b, struct variant *v);
void hh_lat_run_concurrency(struct bench *b, struct variant *v);
/* One container of a prepared launch: its start (probe entry - spawn)
 * and round trip, or -1 with why filled. */
int hh_lat_sample(const struct hh_launch *l, uint64_t *entry, uint64_t *round, char *why,
		  size_t len);
/* k threads released at once, per containers each, back to back. */
void hh_lat_run_level(const struct hh_launch *l, int k, size_t per, struct level *lv);
/* The lifecycle suite's rounds, interleaved like the others; then the
 * cgroups of its bundles that a failed delete left are removed. */
void hh_lat_run_lifecycle(struct bench *b);

/* ---- latency_pool.c ---------------------------------------------------- */

/* Until every slot of a hull-pool launch's pool is ready again (a state,
 * polled; at most 2 minutes): its refill is not another sample's load. */
int hh_lat_pool_wait_full(const struct hh_launch *l, unsigned size, struct hull_err *err);
/* Starts the pool suite adds to the progress line. */
size_t hh_lat_pool_work(const struct bench *b);
/* Bursts and sustained levels, hull and hull-pool interleaved; the pool
 * refilled (untimed) before each of the other row's turns. */
void hh_lat_run_pool(struct bench *b);
/* The "pool" section of the report. */
json_object *hh_lat_pool_json(struct bench *b);
/* Targets of the pool suite (sustained throughput against hull's). */
void hh_lat_pool_targets(struct bench *b, json_object *targets);
void hh_lat_pool_free(struct bench *b);

/* ---- latency_json.c ---------------------------------------------------- */

json_object *hh_lat_build_report(struct bench *b);
/* The ranked table and the targets on stdout. */
void hh_lat_print_summary(json_object *report);

#endif
