/* latency.c — `hull-harness latency`: how long a container takes to start,
 * where the time goes, what each namespace costs, how runtimes compare and
 * how starts scale with concurrency.
 *
 * Every runtime starts the same rootfs with the probe (`hull-probe --stamp`)
 * as its command, through the runtime drivers (driver.h). Runs are
 * interleaved — A B C A B C … — so drift of the machine (frequency, caches,
 * a cron job) hits every runtime alike; a warm-up round per runtime is run
 * and discarded first; raw samples are kept and summarised in stats.c.
 * Ratios to `bare` (fork+exec, no isolation) and `floor` (hull-floor: the
 * raw system calls of the same isolation) come from the same run, which is
 * what makes them hold across machines. */
#include "commands.h"
#include "driver.h"
#include "latency.h"
#include "ns.h"
#include "report.h"
#include "stats.h"
#include "paths.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/limits.h> /* PATH_MAX; <limits.h> is shadowed by core/limits.h under -Icore */
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
	struct hull_launch launch;
	bool prepared;
	struct hull_samples entry, round;
	struct hull_samples phase[HULL_LAT_N_MARKS];
	uint32_t present; /* marks present in every traced sample */
	size_t failures, bad_traces;
	char first_error[256];
	struct hull_samples rss_kib, maxrss_kib;
};

enum { SUITE_RUNTIMES, SUITE_NAMESPACES, SUITE_CONCURRENCY, N_SUITES };
static const char *const suite_names[N_SUITES] = { "runtimes", "namespaces", "concurrency" };

/* The runtime comparison, in the order of the report. */
static const struct {
	const char *label, *runtime;
	bool chroot, fork, traced;
} known_variants[] = {
	{ "bare", "bare", false, false, false },
	{ "floor", "floor", false, false, false },
	{ "hull", "hull", false, false, true },
	{ "hull-fork", "hull", false, true, true },
	{ "hull-chroot", "hull", true, false, true },
	{ "hull-privileged", "hull-privileged", false, false, true },
	{ "hull-limits", "hull-limits", false, false, true },
	{ "hull-oci", "hull-oci", false, false, false },
	{ "seed", "seed", false, false, false },
	{ "unshare", "unshare", false, false, false },
	{ "bwrap", "bwrap", false, false, false },
	{ "crun", "crun", false, false, false },
	{ "crun-cgroupfs", "crun-cgroupfs", false, false, false },
	{ "runc", "runc", false, false, false },
};

struct level {
	int level;
	size_t containers, failures;
	uint64_t wall_ns;
	struct hull_samples round, entry;
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
};

struct bench {
	struct opts o;
	struct variant v[MAX_VARIANTS];
	size_t nv;
	struct level lv[MAX_LEVELS];
	size_t nlv;
	json_object *skipped;
	/* progress */
	size_t done, total;
	uint64_t t_last_progress;
	int last_decile;
	bool tty;
	const char *suite_now;
};

static char *probe_argv[] = { "/bin/hull-probe", "--stamp", NULL };

/* ---- progress ------------------------------------------------------- */

static void progress(struct bench *b, const char *what, bool force)
{
	if (b->o.quiet || b->total == 0)
		return;
	int pct = (int)(100 * b->done / b->total);
	if (b->tty) {
		uint64_t t = hull_now_ns();
		if (!force && t - b->t_last_progress < 100000000ull)
			return;
		b->t_last_progress = t;
		fprintf(stderr, "\r\033[Klatency: %-11s %5zu/%zu starts (%3d%%)  %s", b->suite_now,
			b->done, b->total, pct, what ? what : "");
		fflush(stderr);
	} else if (force || pct / 10 > b->last_decile) {
		b->last_decile = pct / 10;
		fprintf(stderr, "latency: %-11s %5zu/%zu starts (%3d%%)  %s\n", b->suite_now,
			b->done, b->total, pct, what ? what : "");
	}
}

static void progress_end(struct bench *b)
{
	if (!b->o.quiet && b->tty)
		fputs("\n", stderr);
}

/* ---- one container start -------------------------------------------- */

static void note_failure(struct variant *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note_failure(struct variant *v, const char *fmt, ...)
{
	v->failures++;
	if (v->first_error[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->first_error, sizeof(v->first_error), fmt, ap);
	va_end(ap);
	v->first_error[strcspn(v->first_error, "\n")] = '\0';
}

/* Read whatever the trace pipe holds (the run is over: every write has
 * landed). */
static size_t drain(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == cap - 1)
			break;
	}
	buf[len] = '\0';
	return len;
}

static void push(struct hull_samples *s, uint64_t v)
{
	if (hull_samples_push(s, v, NULL) < 0) {
		fputs("hull-harness: out of memory\n", stderr);
		exit(2);
	}
}

/* Run one container; with record, keep its samples. */
static void start_one(struct variant *v, bool record)
{
	struct hull_launch_result r = { 0 };
	struct hull_err err = { 0 };
	struct hull_lat_marks m = { 0 };
	char trace[4096];

	if (hull_launch_run(&v->launch, &r, &err) < 0) {
		if (record)
			note_failure(v, "%s", err.msg);
		return;
	}
	size_t tlen = v->traced ? drain(v->trace_rd, trace, sizeof(trace)) : 0;
	if (!record)
		goto out;
	if (r.exit_code != 0) {
		note_failure(v, "exit status %d%s%s", r.exit_code, r.err && *r.err ? ": " : "",
			     r.err ? r.err : "");
		goto out;
	}
	m.t[HULL_LAT_SPAWN] = r.t_spawn_ns;
	m.t[HULL_LAT_RETURN] = r.t_exit_ns;
	if (hull_lat_parse_stamp(r.out, &m.t[HULL_LAT_ENTRY], &err) < 0) {
		note_failure(v, "%s", err.msg);
		goto out;
	}
	if (v->traced && hull_lat_parse_trace(trace, tlen, &m, &err) < 0) {
		v->bad_traces++;
		note_failure(v, "%s", err.msg);
		goto out;
	}
	if (hull_lat_marks_check(&m, &err) < 0) {
		v->bad_traces++;
		note_failure(v, "%s", err.msg);
		goto out;
	}
	push(&v->entry, m.t[HULL_LAT_ENTRY] - m.t[HULL_LAT_SPAWN]);
	push(&v->round, m.t[HULL_LAT_RETURN] - m.t[HULL_LAT_SPAWN]);
	if (v->traced) {
		uint64_t d[HULL_LAT_N_MARKS];
		uint32_t present = hull_lat_marks_present(&m);
		v->present = v->entry.n == 1 ? present : v->present & present;
		hull_lat_phase_durations(&m, d);
		for (int i = 0; i < HULL_LAT_N_MARKS; i++)
			push(&v->phase[i], d[i]);
	}
out:
	hull_launch_result_free(&r);
}

/* ---- setup ---------------------------------------------------------- */

static void skip(struct bench *b, struct variant *v, const char *why)
{
	v->available = false;
	snprintf(v->why, sizeof(v->why), "%s", why);
	json_object *s = json_object_new_object();
	json_object_object_add(s, "name", json_object_new_string(v->label));
	json_object_object_add(s, "suite", json_object_new_string(suite_names[v->suite]));
	json_object_object_add(s, "reason", json_object_new_string(why));
	json_object_array_add(b->skipped, s);
	if (!b->o.quiet)
		fprintf(stderr, "latency: skipping %s: %s\n", v->label, why);
}

static int prepare(struct bench *b, struct variant *v)
{
	struct hull_err err = { 0 };
	char why[256] = "";

	if (!hull_runtime_available(v->runtime, why, sizeof(why))) {
		skip(b, v, why[0] ? why : "not available");
		return 0;
	}
	/* bare and seed cannot give the comparison's namespaces: measure them
	 * with what they can do; the report shows the set each one got. */
	const struct hull_runtime_info *info = hull_runtime_lookup(v->runtime);
	if (info)
		v->ns &= info->ns_choosable;
	v->trace_rd = v->trace_wr = -1;
	if (v->traced) {
		int p[2];
		if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
			skip(b, v, "cannot create the trace pipe");
			return 0;
		}
		v->trace_rd = p[0];
		v->trace_wr = p[1];
	}
	struct hull_launch_config cfg = {
		.runtime = v->runtime,
		.rootfs = b->o.rootfs,
		.ns_flags = v->ns,
		.chroot = v->chroot,
		.spawn_fork = v->fork,
		.argv = probe_argv,
		.trace_fd = v->trace_wr,
		.timeout_ms = b->o.timeout_ms,
		.cancel_fd = -1,
	};
	if (hull_launch_prepare(&cfg, &v->launch, &err) < 0) {
		skip(b, v, err.msg);
		return 0;
	}
	v->prepared = true;
	v->available = true;
	return 1;
}

static struct variant *add_variant(struct bench *b, int suite, const char *label,
				   const char *runtime, uint64_t ns, bool chroot, bool fork,
				   bool traced)
{
	if (b->nv == MAX_VARIANTS)
		return NULL;
	struct variant *v = &b->v[b->nv++];
	memset(v, 0, sizeof(*v));
	snprintf(v->label, sizeof(v->label), "%s", label);
	snprintf(v->runtime, sizeof(v->runtime), "%s", runtime);
	v->suite = suite;
	v->ns = ns;
	v->chroot = chroot;
	v->fork = fork;
	v->traced = traced;
	v->trace_rd = v->trace_wr = -1;
	return v;
}

static void add_oci_variants(struct bench *b, const char *list)
{
	char t[600];

	for (const char *p = list; p && hh_runtime_list_next(&p, t, sizeof(t));) {
		const struct hull_runtime_info *rt =
			strncmp(t, "oci:", 4) == 0 ? hull_runtime_lookup(t) : NULL;
		if (rt)
			add_variant(b, SUITE_RUNTIMES, rt->name, t, b->o.ns, false, false, false);
	}
}

static void release_all(struct bench *b)
{
	for (size_t i = 0; i < b->nv; i++) {
		struct variant *v = &b->v[i];
		if (v->prepared)
			hull_launch_release(&v->launch);
		v->prepared = false;
		if (v->trace_rd >= 0)
			close(v->trace_rd);
		if (v->trace_wr >= 0)
			close(v->trace_wr);
		v->trace_rd = v->trace_wr = -1;
		hull_samples_free(&v->entry);
		hull_samples_free(&v->round);
		hull_samples_free(&v->rss_kib);
		hull_samples_free(&v->maxrss_kib);
		for (int k = 0; k < HULL_LAT_N_MARKS; k++)
			hull_samples_free(&v->phase[k]);
	}
	for (size_t i = 0; i < b->nlv; i++) {
		hull_samples_free(&b->lv[i].round);
		hull_samples_free(&b->lv[i].entry);
	}
}

static bool wanted(const char *list, const char *label)
{
	char t[600];

	if (!list || !*list || strcmp(list, "all") == 0)
		return true;
	for (const char *p = list; hh_runtime_list_next(&p, t, sizeof(t));)
		if (strcmp(t, label) == 0 || strcmp(t, "all") == 0)
			return true;
	return false;
}

/* Every item is a variant label, "all", or an OCI runtime by path
 * (oci:PATH[,name=..][,args=..]), registered here. */
static int check_runtime_list(const char *list)
{
	char t[600];

	for (const char *p = list; hh_runtime_list_next(&p, t, sizeof(t));) {
		bool ok = strcmp(t, "all") == 0;
		for (size_t i = 0; i < N_ELEMS(known_variants) && !ok; i++)
			ok = strcmp(t, known_variants[i].label) == 0;
		if (!ok && strncmp(t, "oci:", 4) == 0)
			ok = hull_runtime_lookup(t) != NULL;
		if (!ok) {
			fprintf(stderr, "hull-harness: unknown runtime '%s'\n", t);
			return -1;
		}
	}
	return 0;
}

/* The OCI runtimes given by path, after the known ones, in list order. */
static void add_oci_variants(struct bench *b, const char *list);

/* ---- suites ---------------------------------------------------------- */

/* Warm-up rounds, then iterations rounds, each starting every available
 * variant of the suite once, in order. */
static void run_interleaved(struct bench *b, int suite)
{
	b->suite_now = suite_names[suite];
	for (int round = -b->o.warmup; round < b->o.iterations; round++) {
		for (size_t i = 0; i < b->nv; i++) {
			struct variant *v = &b->v[i];
			if (v->suite != suite || !v->available)
				continue;
			start_one(v, round >= 0);
			b->done++;
			progress(b, v->label, false);
		}
	}
}

/* VmHWM of a live process, in KiB; -1 if unreadable. */
static long vm_hwm_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Peak RSS of the runtime process itself, not of the container. The
 * container runs a shell that says "ready" and waits on stdin; while it
 * waits, the runtime has done all its setup, and /proc/PID/status VmHWM is
 * the high-water mark of the runtime's own memory. ru_maxrss from wait4 is
 * kept too, but it is an upper bound only: at execve the kernel folds in
 * the resident set the child had copied from the harness at fork.
 * Uses the driver's prepared command line; OCI runtimes (fresh id and
 * cleanup per run) and wrapped ones are left out. */
static char *rss_argv[] = { "/bin/sh", "-c", "echo ready; read x; exit 0", NULL };

static void measure_rss(struct bench *b, struct variant *v)
{
	struct hull_launch l;
	struct hull_err err = { 0 };
	struct hull_launch_config cfg = {
		.runtime = v->runtime,
		.rootfs = b->o.rootfs,
		.ns_flags = v->ns,
		.chroot = v->chroot,
		.spawn_fork = v->fork,
		.argv = rss_argv,
		.trace_fd = -1,
		.timeout_ms = b->o.timeout_ms,
		.cancel_fd = -1,
	};

	if (hull_launch_prepare(&cfg, &l, &err) < 0)
		return;
	/* bare has no runtime process: the "runtime" is the command. */
	if (l.id_index >= 0 || l.rt->oci || !l.rt->changes_root) {
		hull_launch_release(&l);
		return;
	}
	for (int i = 0; i < RSS_RUNS; i++) {
		int in[2], out[2], status;
		struct rusage ru;
		char buf[64];

		if (pipe2(in, O_CLOEXEC) < 0)
			break;
		if (pipe2(out, O_CLOEXEC) < 0) {
			close(in[0]);
			close(in[1]);
			break;
		}
		pid_t pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
			if (null < 0 || dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0 ||
			    dup2(null, 2) < 0)
				_exit(127);
			execv(l.argv[0], l.argv);
			_exit(127);
		}
		close(in[0]);
		close(out[1]);
		long hwm = -1;
		if (pid > 0) {
			struct pollfd pfd = { .fd = out[0], .events = POLLIN };
			/* "ready" comes from inside the container once it runs. */
			if (poll(&pfd, 1, b->o.timeout_ms) == 1 &&
			    read(out[0], buf, sizeof(buf)) > 0)
				hwm = vm_hwm_kib(pid);
			else
				kill(pid, SIGKILL);
		}
		close(in[1]); /* EOF: the shell's read returns and it exits */
		close(out[0]);
		if (pid < 0)
			break;
		while (wait4(pid, &status, 0, &ru) < 0)
			if (errno != EINTR)
				goto out;
		if (hwm > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			push(&v->rss_kib, (uint64_t)hwm);
			push(&v->maxrss_kib, (uint64_t)ru.ru_maxrss);
		}
	}
out:
	hull_launch_release(&l);
}

struct worker {
	struct variant *v;
	pthread_barrier_t *go;
	size_t n;
	struct hull_samples round, entry;
	size_t failures;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	pthread_barrier_wait(w->go);
	for (size_t i = 0; i < w->n; i++) {
		struct hull_launch_result r = { 0 };
		struct hull_err err = { 0 };
		uint64_t entry;
		if (hull_launch_run(&w->v->launch, &r, &err) < 0 || r.exit_code != 0 ||
		    hull_lat_parse_stamp(r.out, &entry, NULL) < 0 || entry < r.t_spawn_ns) {
			w->failures++;
		} else {
			push(&w->round, r.t_exit_ns - r.t_spawn_ns);
			push(&w->entry, entry - r.t_spawn_ns);
		}
		hull_launch_result_free(&r);
	}
	return NULL;
}

/* K threads start containers back to back, all released at once; the
 * level's throughput is containers / wall time from release to the last
 * reap. Runs unpinned: pinning would serialise what is being measured. */
static void run_concurrency(struct bench *b, struct variant *v)
{
	b->suite_now = suite_names[SUITE_CONCURRENCY];
	for (int li = 0; li < b->o.n_levels; li++) {
		struct level *lv = &b->lv[b->nlv++];
		int k = b->o.levels[li];
		size_t per = (size_t)(b->o.per_level + k - 1) / (size_t)k;
		struct worker w[256];
		pthread_t th[256];
		pthread_barrier_t go;

		memset(lv, 0, sizeof(*lv));
		lv->level = k;
		pthread_barrier_init(&go, NULL, (unsigned)k + 1);
		int started = 0;
		for (int i = 0; i < k; i++) {
			w[i] = (struct worker){ .v = v, .go = &go, .n = per };
			if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0)
				break;
			started++;
		}
		if (started < k) {
			/* Cannot happen short of resource exhaustion; the barrier
			 * would never open, so give up loudly. */
			fprintf(stderr, "hull-harness: cannot start %d threads\n", k);
			exit(2);
		}
		uint64_t t0 = hull_now_ns();
		pthread_barrier_wait(&go);
		for (int i = 0; i < k; i++)
			pthread_join(th[i], NULL);
		lv->wall_ns = hull_now_ns() - t0;
		pthread_barrier_destroy(&go);
		for (int i = 0; i < k; i++) {
			for (size_t j = 0; j < w[i].round.n; j++) {
				push(&lv->round, w[i].round.v[j]);
				push(&lv->entry, w[i].entry.v[j]);
			}
			lv->failures += w[i].failures;
			hull_samples_free(&w[i].round);
			hull_samples_free(&w[i].entry);
		}
		lv->containers = lv->round.n;
		b->done += (size_t)k * per;
		char what[64];
		snprintf(what, sizeof(what), "%d at once", k);
		progress(b, what, false);
	}
}

/* ---- the JSON report -------------------------------------------------- */

static double median_of(const struct hull_samples *s)
{
	struct hull_stats st;
	if (s->n == 0 || hull_stats_compute(s->v, s->n, &st, NULL) < 0)
		return NAN;
	return st.median;
}

static struct variant *find(struct bench *b, int suite, const char *label)
{
	for (size_t i = 0; i < b->nv; i++)
		if (b->v[i].suite == suite && strcmp(b->v[i].label, label) == 0 &&
		    b->v[i].entry.n > 0)
			return &b->v[i];
	return NULL;
}

static json_object *ratios(struct bench *b, const struct variant *v, bool round)
{
	static const char *const refs[] = { "bare", "floor", "crun", "runc" };
	json_object *o = json_object_new_object();
	double mine = median_of(round ? &v->round : &v->entry);
	for (size_t i = 0; i < N_ELEMS(refs); i++) {
		struct variant *r = find(b, SUITE_RUNTIMES, refs[i]);
		double ref = r ? median_of(round ? &r->round : &r->entry) : NAN;
		json_object_object_add(o, refs[i],
				       ref > 0 ? hull_json_decimal(mine / ref, 4) : NULL);
	}
	return o;
}

static json_object *variant_json(struct bench *b, const struct variant *v, bool keep)
{
	json_object *o = json_object_new_object();
	char ns[128];
	uint64_t eff = hull_launch_effective_ns(v->launch.rt, v->ns);

	hull_ns_format(eff, ns, sizeof(ns));
	json_object_object_add(o, "name", json_object_new_string(v->label));
	json_object_object_add(o, "runtime", json_object_new_string(v->runtime));
	json_object_object_add(o, "program", json_object_new_string(v->launch.argv[0]));
	json_object_object_add(o, "started",
			       json_object_new_string(hh_runtime_started(v->launch.rt)));
	json_object_object_add(o, "namespaces", json_object_new_string(ns));
	json_object_object_add(
		o, "root",
		json_object_new_string(v->launch.rt->changes_root == false ? "host"
				       : hull_launch_uses_pivot(v->launch.rt, eff, v->chroot)
					       ? "pivot_root"
					       : "chroot"));
	if (strcmp(v->runtime, "hull") == 0)
		json_object_object_add(o, "spawn",
				       json_object_new_string(v->fork ? "fork" : "clone3"));
	json_object_object_add(o, "starts", json_object_new_int64((int64_t)v->entry.n));
	json_object_object_add(o, "failures", json_object_new_int64((int64_t)v->failures));
	if (v->first_error[0])
		json_object_object_add(o, "first_error", json_object_new_string(v->first_error));
	json_object_object_add(o, "entry", hull_report_series(v->entry.v, v->entry.n, keep));
	json_object_object_add(o, "round_trip", hull_report_series(v->round.v, v->round.n, keep));
	if (v->suite == SUITE_RUNTIMES && v->entry.n > 0) {
		json_object *r = json_object_new_object();
		json_object_object_add(r, "entry", ratios(b, v, false));
		json_object_object_add(r, "round_trip", ratios(b, v, true));
		json_object_object_add(o, "ratios", r);
	}
	if (v->rss_kib.n > 0) {
		uint64_t peak = 0;
		for (size_t i = 0; i < v->rss_kib.n; i++)
			peak = v->rss_kib.v[i] > peak ? v->rss_kib.v[i] : peak;
		json_object *r = json_object_new_object();
		json_object_object_add(r, "runs", json_object_new_int64((int64_t)v->rss_kib.n));
		json_object_object_add(r, "peak_kib", json_object_new_int64((int64_t)peak));
		json_object_object_add(r, "median_kib",
				       json_object_new_int64(llround(median_of(&v->rss_kib))));
		uint64_t upper = 0;
		for (size_t i = 0; i < v->maxrss_kib.n; i++)
			upper = v->maxrss_kib.v[i] > upper ? v->maxrss_kib.v[i] : upper;
		json_object_object_add(r, "source", json_object_new_string("VmHWM"));
		json_object_object_add(r, "ru_maxrss_kib", json_object_new_int64((int64_t)upper));
		json_object_object_add(o, "rss", r);
	}
	return o;
}

static json_object *phases_json(const struct variant *v)
{
	json_object *o = json_object_new_object(), *chain = json_object_new_array();
	double sum = 0;

	json_object_object_add(o, "name", json_object_new_string(v->label));
	json_object_object_add(o, "starts", json_object_new_int64((int64_t)v->entry.n));
	for (int i = HULL_LAT_SPAWN + 1; i < HULL_LAT_N_MARKS; i++) {
		if (!(v->present & (1u << i)) || v->phase[i].n == 0)
			continue;
		json_object *p = hull_report_series(v->phase[i].v, v->phase[i].n, 1);
		const char *mark = hull_lat_marks_info[i].trace_name;
		json_object_object_add(p, "phase",
				       json_object_new_string(hull_lat_marks_info[i].phase));
		json_object_object_add(p, "until",
				       json_object_new_string(mark		    ? mark
							      : i == HULL_LAT_ENTRY ? "probe_entry"
										    : "return"));
		json_object_object_add(p, "in_start", json_object_new_boolean(i <= HULL_LAT_ENTRY));
		json_object_array_add(chain, p);
		if (i <= HULL_LAT_ENTRY)
			sum += median_of(&v->phase[i]);
	}
	json_object_object_add(o, "chain", chain);
	json_object_object_add(o, "sum_of_medians_to_entry_ns",
			       json_object_new_int64(llround(sum)));
	json_object_object_add(o, "entry_median_ns",
			       json_object_new_int64(llround(median_of(&v->entry))));
	json_object_object_add(o, "round_trip_median_ns",
			       json_object_new_int64(llround(median_of(&v->round))));
	return o;
}

static json_object *target(const char *name, const char *metric, double value, double limit,
			   const char *missing)
{
	json_object *t = json_object_new_object();
	json_object_object_add(t, "name", json_object_new_string(name));
	json_object_object_add(t, "metric", json_object_new_string(metric));
	json_object_object_add(t, "limit", hull_json_decimal(limit, 2));
	if (isfinite(value)) {
		json_object_object_add(t, "value", hull_json_decimal(value, 3));
		json_object_object_add(t, "met", json_object_new_boolean(value <= limit));
	} else {
		json_object_object_add(t, "value", NULL);
		json_object_object_add(t, "met", NULL);
		json_object_object_add(t, "note", json_object_new_string(missing));
	}
	return t;
}

static double ratio_of(struct bench *b, const char *a, const char *ref, bool round)
{
	struct variant *x = find(b, SUITE_RUNTIMES, a), *y = find(b, SUITE_RUNTIMES, ref);
	if (!x || !y)
		return NAN;
	return median_of(round ? &x->round : &x->entry) / median_of(round ? &y->round : &y->entry);
}

static json_object *targets_json(struct bench *b)
{
	json_object *t = json_object_new_array();
	static const struct {
		const char *ref;
		double limit;
	} goals[] = { { "floor", 1.10 }, { "crun", 0.30 }, { "runc", 0.08 } };

	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < N_ELEMS(goals); i++) {
			char name[64], missing[96];
			snprintf(name, sizeof(name), "hull / %s", goals[i].ref);
			snprintf(missing, sizeof(missing), "hull or %s not measured", goals[i].ref);
			json_object_array_add(t, target(name, round ? "round_trip" : "entry",
							ratio_of(b, "hull", goals[i].ref, round),
							goals[i].limit, missing));
		}
	/* The floor does only namespaces, mounts and hostname: hull without
	 * its security profile does the same work. And the OCI path (the
	 * bundle crun and runc get) must cost little over the flag path. */
	json_object_array_add(t, target("hull --privileged / floor", "entry",
					ratio_of(b, "hull-privileged", "floor", 0), 1.10,
					"hull-privileged or floor not measured"));
	json_object_array_add(t, target("hull with limits / crun-cgroupfs", "entry",
					ratio_of(b, "hull-limits", "crun-cgroupfs", 0), 0.25,
					"hull-limits or crun-cgroupfs not measured"));
	json_object_array_add(t, target("hull --bundle / hull", "entry",
					ratio_of(b, "hull-oci", "hull", 0), 1.05,
					"hull-oci or hull not measured"));
	struct variant *h = find(b, SUITE_RUNTIMES, "hull");
	double peak = NAN;
	if (h && h->rss_kib.n) {
		peak = 0;
		for (size_t i = 0; i < h->rss_kib.n; i++)
			peak = fmax(peak, (double)h->rss_kib.v[i] / 1024.0);
	}
	json_object_array_add(
		t, target("hull peak RSS (MiB)", "rss", peak, 1.5, "hull RSS not measured"));
	return t;
}

static json_object *build_report(struct bench *b)
{
	json_object *r = json_object_new_object(), *cfg = json_object_new_object();

	json_object_object_add(r, "schema_version",
			       json_object_new_int(HULL_REPORT_SCHEMA_VERSION));
	json_object_object_add(r, "tool", json_object_new_string("hull-harness latency"));
	json_object_object_add(r, "context", hull_report_context(b->o.commit));

	json_object_object_add(cfg, "iterations", json_object_new_int(b->o.iterations));
	json_object_object_add(cfg, "warmup", json_object_new_int(b->o.warmup));
	json_object_object_add(cfg, "namespaces", json_object_new_string(b->o.ns_list));
	json_object_object_add(cfg, "rootfs", json_object_new_string(b->o.rootfs));
	json_object *cmd = json_object_new_array();
	for (char **a = probe_argv; *a; a++)
		json_object_array_add(cmd, json_object_new_string(*a));
	json_object_object_add(cfg, "command", cmd);
	json_object_object_add(cfg, "cpu", b->o.cpu >= 0 ? json_object_new_int(b->o.cpu) : NULL);
	json_object_object_add(cfg, "interleaved", json_object_new_boolean(1));
	json_object *suites = json_object_new_array();
	for (int s = 0; s < N_SUITES; s++)
		if (b->o.suites[s])
			json_object_array_add(suites, json_object_new_string(suite_names[s]));
	json_object_object_add(cfg, "suites", suites);
	json_object_object_add(r, "config", cfg);
	json_object_object_add(r, "skipped", json_object_get(b->skipped));

	json_object *rt = json_object_new_array(), *ph = json_object_new_array();
	for (size_t i = 0; i < b->nv; i++) {
		struct variant *v = &b->v[i];
		if (v->suite != SUITE_RUNTIMES || !v->available)
			continue;
		if (v->entry.n == 0) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "name", json_object_new_string(v->label));
			json_object_object_add(o, "runtime", json_object_new_string(v->runtime));
			json_object_object_add(o, "starts", json_object_new_int(0));
			json_object_object_add(o, "failures",
					       json_object_new_int64((int64_t)v->failures));
			json_object_object_add(o, "first_error",
					       json_object_new_string(v->first_error));
			json_object_array_add(rt, o);
			continue;
		}
		json_object_array_add(rt, variant_json(b, v, 1));
		if (v->traced)
			json_object_array_add(ph, phases_json(v));
	}
	if (b->o.suites[SUITE_RUNTIMES]) {
		json_object_object_add(r, "runtimes", rt);
		json_object_object_add(r, "phases", ph);
		json_object_object_add(r, "targets", targets_json(b));
	} else {
		json_object_put(rt);
		json_object_put(ph);
	}

	if (b->o.suites[SUITE_NAMESPACES]) {
		json_object *nsr = json_object_new_array();
		const char *base[2] = { "hull", "floor" };
		double none_med[2] = { NAN, NAN };
		for (size_t i = 0; i < b->nv; i++) {
			struct variant *v = &b->v[i];
			if (v->suite != SUITE_NAMESPACES || v->ns != 0 || v->entry.n == 0)
				continue;
			none_med[strcmp(v->runtime, "hull") == 0 ? 0 : 1] = median_of(&v->entry);
		}
		/* One row per namespace set, hull and floor side by side. */
		for (size_t i = 0; i < b->nv; i++) {
			struct variant *v = &b->v[i];
			if (v->suite != SUITE_NAMESPACES || strcmp(v->runtime, "hull") != 0)
				continue;
			json_object *row = json_object_new_object();
			char ns[128];
			hull_ns_format(v->ns, ns, sizeof(ns));
			json_object_object_add(row, "namespaces", json_object_new_string(ns));
			for (int k = 0; k < 2; k++) {
				struct variant *x = NULL;
				for (size_t j = 0; j < b->nv; j++)
					if (b->v[j].suite == SUITE_NAMESPACES &&
					    strcmp(b->v[j].runtime, base[k]) == 0 &&
					    b->v[j].ns == v->ns)
						x = &b->v[j];
				char key[32];
				if (!x || x->entry.n == 0) {
					json_object_object_add(row, base[k], NULL);
					continue;
				}
				json_object_object_add(row, base[k], variant_json(b, x, 1));
				snprintf(key, sizeof(key), "%s_cost_ns", base[k]);
				double c = median_of(&x->entry) - none_med[k];
				json_object_object_add(
					row, key,
					isfinite(c) ? json_object_new_int64(llround(c)) : NULL);
			}
			json_object_array_add(nsr, row);
		}
		json_object_object_add(r, "namespaces", nsr);
	}

	if (b->o.suites[SUITE_CONCURRENCY]) {
		json_object *cc = json_object_new_array();
		for (size_t i = 0; i < b->nlv; i++) {
			struct level *lv = &b->lv[i];
			json_object *o = json_object_new_object();
			json_object_object_add(o, "level", json_object_new_int(lv->level));
			json_object_object_add(o, "containers",
					       json_object_new_int64((int64_t)lv->containers));
			json_object_object_add(o, "failures",
					       json_object_new_int64((int64_t)lv->failures));
			json_object_object_add(o, "wall_ns",
					       json_object_new_int64((int64_t)lv->wall_ns));
			json_object_object_add(
				o, "containers_per_s",
				hull_json_decimal(lv->wall_ns ? (double)lv->containers * 1e9 /
									(double)lv->wall_ns
							      : 0,
						  1));
			json_object_object_add(o, "round_trip",
					       hull_report_series(lv->round.v, lv->round.n, 1));
			json_object_object_add(o, "entry",
					       hull_report_series(lv->entry.v, lv->entry.n, 1));
			json_object_array_add(cc, o);
		}
		json_object_object_add(r, "concurrency", cc);
	}
	return r;
}

static void print_targets(json_object *report);

static int cmp_median(const void *a, const void *b)
{
	double x = hull_json_get_double(hull_json_get(*(json_object *const *)a, "entry"),
					"median_ns", INFINITY);
	double y = hull_json_get_double(hull_json_get(*(json_object *const *)b, "entry"),
					"median_ns", INFINITY);
	return (x > y) - (x < y);
}

/* The figures a person wants at the end of a run, on stdout. */
static void print_summary(json_object *report)
{
	json_object *rt = hull_json_get(report, "runtimes");
	size_t n = rt ? json_object_array_length(rt) : 0;
	json_object **v = n ? calloc(n, sizeof(*v)) : NULL;

	if (v) {
		for (size_t i = 0; i < n; i++)
			v[i] = json_object_array_get_idx(rt, i);
		qsort(v, n, sizeof(*v), cmp_median);
		printf("%-14s %12s %12s %9s %9s\n", "runtime", "start median", "round trip",
		       "x floor", "x crun");
		for (size_t i = 0; i < n; i++) {
			char a[32], b[32];
			json_object *e = hull_json_get(v[i], "entry");
			json_object *rr = hull_json_get(hull_json_get(v[i], "ratios"), "entry");
			if (!e) {
				printf("%-14s %12s\n", hull_json_get_string(v[i], "name", "?"),
				       "failed");
				continue;
			}
			hull_fmt_duration(hull_json_get_double(e, "median_ns", NAN), a, sizeof(a));
			hull_fmt_duration(hull_json_get_double(hull_json_get(v[i], "round_trip"),
							       "median_ns", NAN),
					  b, sizeof(b));
			printf("%-14s %12s %12s %8.2fx %8.2fx\n",
			       hull_json_get_string(v[i], "name", "?"), a, b,
			       hull_json_get_double(rr, "floor", NAN),
			       hull_json_get_double(rr, "crun", NAN));
		}
		free(v);
	}
	print_targets(report);
}

static void print_targets(json_object *report)
{
	json_object *t = hull_json_get(report, "targets");
	if (!t)
		return;
	printf("targets (reported, not asserted):\n");
	for (size_t i = 0; i < json_object_array_length(t); i++) {
		json_object *x = json_object_array_get_idx(t, i);
		json_object *met = hull_json_get(x, "met");
		printf("  %-22s %-10s %8s  (limit %s)  %s\n", hull_json_get_string(x, "name", ""),
		       hull_json_get_string(x, "metric", ""),
		       hull_json_get(x, "value") ? json_object_get_string(hull_json_get(x, "value"))
						 : "-",
		       json_object_get_string(hull_json_get(x, "limit")),
		       !met			      ? hull_json_get_string(x, "note", "")
		       : json_object_get_boolean(met) ? "met"
						      : "MISSED");
	}
}

/* ---- command line ------------------------------------------------------ */

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " hull-harness latency [options]\n"
	      " hull-harness latency render [--micro FILE] [--hyperfine FILE]\n"
	      "                             [--json OUT] [--markdown OUT] REPORT.json\n"
	      "\n"
	      "Measure container start latency: every runtime on the same rootfs with\n"
	      "hull-probe --stamp as the command, interleaved, after a warm-up.\n"
	      "\n"
	      "Options:\n"
	      " -n, --iterations N       measured starts per runtime (default 100)\n"
	      " -w, --warmup N           discarded starts per runtime first (default 5)\n"
	      "     --runtimes LIST      bare,floor,hull,hull-fork,hull-chroot,hull-privileged,\n"
	      "                          hull-limits,hull-oci,seed,unshare,\n"
	      "                            bwrap,crun,crun-cgroupfs,runc or all (default),\n"
	      "                            and any OCI runtime by path:\n"
	      "                            oci:PATH[,name=NAME][,args=OPT OPT][,env=v1]\n"
	      "     --ns LIST            namespaces of the comparison (default\n"
	      "                            mnt,uts,pid,ipc,net)\n"
	      "     --suites LIST        runtimes,namespaces,concurrency (default all)\n"
	      "     --ns-each LIST       namespaces the namespaces suite measures alone\n"
	      "                            (default all; none and the --ns set always)\n"
	      "     --concurrency LIST   starts at once (default 1,2,4,8,16)\n"
	      "     --per-level N        containers per concurrency level (default 160)\n"
	      "     --cpu N              pin the harness and its runtimes to CPU N\n"
	      "                            (not during the concurrency sweep)\n"
	      "     --rootfs DIR         rootfs with /bin/hull-probe (default: ../rootfs\n"
	      "                            next to this program's directory)\n"
	      "     --timeout-ms N       per container (default 10000)\n"
	      "     --json FILE          write the JSON report (raw samples in ns)\n"
	      "     --markdown FILE      write the Markdown tables\n"
	      "     --commit ID          source commit for the report's context\n"
	      " -q, --quiet              no progress line\n"
	      " -h, --help               display this help\n"
	      "\n"
	      "Runtimes that are not installed are skipped with a note. A runtime or a\n"
	      "namespace row whose every start fails is reported in its row; every other\n"
	      "section still runs and the reports are written. Exit status: 0 on success\n"
	      "(another runtime failing is reported, not fatal); 1 when one of hull's\n"
	      "rows failed every start or a report could not be written; 2 for bad usage.\n",
	      out);
}

static int parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "hull-harness: invalid number '%s' (%d..%d)\n", s, min, max);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int parse_levels(const char *s, struct opts *o)
{
	o->n_levels = 0;
	for (const char *p = s; *p;) {
		char buf[16];
		size_t w = strcspn(p, ",");
		if (w == 0 || w >= sizeof(buf) || o->n_levels == MAX_LEVELS) {
			fprintf(stderr, "hull-harness: invalid concurrency list '%s'\n", s);
			return -1;
		}
		memcpy(buf, p, w);
		buf[w] = '\0';
		if (parse_int(buf, 1, 256, &o->levels[o->n_levels++]) < 0)
			return -1;
		p += w + (p[w] == ',');
	}
	return o->n_levels ? 0 : -1;
}

static int parse_suites(const char *s, struct opts *o)
{
	memset(o->suites, 0, sizeof(o->suites));
	for (const char *p = s; *p;) {
		size_t w = strcspn(p, ",");
		int found = -1;
		for (int i = 0; i < N_SUITES; i++)
			if (strlen(suite_names[i]) == w && strncmp(p, suite_names[i], w) == 0)
				found = i;
		if (w == 3 && strncmp(p, "all", 3) == 0) {
			for (int i = 0; i < N_SUITES; i++)
				o->suites[i] = true;
		} else if (found < 0) {
			fprintf(stderr, "hull-harness: unknown suite '%.*s'\n", (int)w, p);
			return -1;
		} else {
			o->suites[found] = true;
		}
		p += w + (p[w] == ',');
	}
	return 0;
}

enum {
	OPT_RUNTIMES = 256, /* long-only options, past every char */
	OPT_NS,
	OPT_SUITES,
	OPT_CONCURRENCY,
	OPT_PER_LEVEL,
	OPT_CPU,
	OPT_ROOTFS,
	OPT_TIMEOUT,
	OPT_JSON,
	OPT_MARKDOWN,
	OPT_COMMIT,
	OPT_MICRO,
	OPT_HYPERFINE,
	OPT_NS_EACH,
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "iterations", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "runtimes", required_argument, NULL, OPT_RUNTIMES },
		{ "ns", required_argument, NULL, OPT_NS },
		{ "suites", required_argument, NULL, OPT_SUITES },
		{ "ns-each", required_argument, NULL, OPT_NS_EACH },
		{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
		{ "per-level", required_argument, NULL, OPT_PER_LEVEL },
		{ "cpu", required_argument, NULL, OPT_CPU },
		{ "rootfs", required_argument, NULL, OPT_ROOTFS },
		{ "timeout-ms", required_argument, NULL, OPT_TIMEOUT },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "markdown", required_argument, NULL, OPT_MARKDOWN },
		{ "commit", required_argument, NULL, OPT_COMMIT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hull_err err = { 0 };
	int c;

	*o = (struct opts){ .iterations = 100,
			    .warmup = 5,
			    .ns = HULL_NS_DEFAULT,
			    .ns_each = ~0ull,
			    .cpu = -1,
			    .per_level = 160,
			    .timeout_ms = 10000 };
	snprintf(o->ns_list, sizeof(o->ns_list), "mnt,uts,pid,ipc,net");
	parse_suites("all", o);
	parse_levels("1,2,4,8,16", o);

	optind = 1;
	while ((c = getopt_long(argc, argv, "+n:w:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_int(optarg, 1, 1000000, &o->iterations) < 0)
				return -1;
			break;
		case 'w':
			if (parse_int(optarg, 0, 10000, &o->warmup) < 0)
				return -1;
			break;
		case OPT_RUNTIMES:
			if (check_runtime_list(optarg) < 0)
				return -1;
			o->runtimes = optarg;
			break;
		case OPT_NS:
			if (hull_ns_parse_list(optarg, &o->ns, &err) < 0) {
				fprintf(stderr, "hull-harness: %s\n", err.msg);
				return -1;
			}
			snprintf(o->ns_list, sizeof(o->ns_list), "%s", optarg);
			break;
		case OPT_NS_EACH:
			if (hull_ns_parse_list(optarg, &o->ns_each, &err) < 0) {
				fprintf(stderr, "hull-harness: %s\n", err.msg);
				return -1;
			}
			break;
		case OPT_SUITES:
			if (parse_suites(optarg, o) < 0)
				return -1;
			break;
		case OPT_CONCURRENCY:
			if (parse_levels(optarg, o) < 0)
				return -1;
			break;
		case OPT_PER_LEVEL:
			if (parse_int(optarg, 1, 100000, &o->per_level) < 0)
				return -1;
			break;
		case OPT_CPU:
			if (parse_int(optarg, 0, CPU_SETSIZE - 1, &o->cpu) < 0)
				return -1;
			break;
		case OPT_ROOTFS:
			o->rootfs = optarg;
			break;
		case OPT_TIMEOUT:
			if (parse_int(optarg, 1, 3600000, &o->timeout_ms) < 0)
				return -1;
			break;
		case OPT_JSON:
			o->json_path = optarg;
			break;
		case OPT_MARKDOWN:
			o->md_path = optarg;
			break;
		case OPT_COMMIT:
			o->commit = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hull-harness: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

static int write_markdown(json_object *report, const char *path)
{
	FILE *f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "hull-harness: cannot write '%s': %s\n", path, strerror(errno));
		return -1;
	}
	hull_lat_render_markdown(report, f);
	if (fclose(f) != 0) {
		fprintf(stderr, "hull-harness: cannot write '%s': %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int write_outputs(json_object *report, const char *json_path, const char *md_path)
{
	struct hull_err err = { 0 };
	int ret = 0;

	if (json_path && hull_report_write_json(report, json_path, &err) < 0) {
		fprintf(stderr, "hull-harness: %s\n", err.msg);
		ret = -1;
	}
	if (md_path && write_markdown(report, md_path) < 0)
		ret = -1;
	return ret;
}

/* Plots bench/plot.py made next to the Markdown file, linked from it. */
static void add_plots(json_object *report, const char *md_path)
{
	static const char *const names[] = { "latency.svg", "phases.svg", "namespaces.svg",
					     "concurrency.svg" };
	char dir[PATH_MAX], path[PATH_MAX + 32];
	json_object *arr = json_object_new_array();

	snprintf(dir, sizeof(dir), "%s", md_path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	for (size_t i = 0; i < N_ELEMS(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (access(path, R_OK) == 0)
			json_object_array_add(arr, json_object_new_string(names[i]));
	}
	json_object_object_add(report, "plots", arr);
}

/* `latency render`: one report out of the latency JSON and the
 * microbenchmark and hyperfine exports. */
static int cmd_render(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "micro", required_argument, NULL, OPT_MICRO },
		{ "hyperfine", required_argument, NULL, OPT_HYPERFINE },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "markdown", required_argument, NULL, OPT_MARKDOWN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *micro = NULL, *hf = NULL, *json_out = NULL, *md_out = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_MICRO:
			micro = optarg;
			break;
		case OPT_HYPERFINE:
			hf = optarg;
			break;
		case OPT_JSON:
			json_out = optarg;
			break;
		case OPT_MARKDOWN:
			md_out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	json_object *report = json_object_from_file(argv[optind]);
	if (!report ||
	    hull_json_get_int(report, "schema_version", 0) != HULL_REPORT_SCHEMA_VERSION) {
		fprintf(stderr, "hull-harness: cannot read latency report '%s'%s\n", argv[optind],
			report ? ": unknown schema_version" : "");
		json_object_put(report);
		return 2;
	}
	if (micro)
		hull_lat_merge_micro(report, micro);
	if (md_out)
		add_plots(report, md_out);
	if (hf)
		hull_lat_merge_hyperfine(report, hf);
	int ret = write_outputs(report, json_out, md_out);
	if (!json_out && !md_out)
		hull_lat_render_markdown(report, stdout);
	else
		print_summary(report);
	json_object_put(report);
	return ret < 0 ? 1 : 0;
}

/* One of hull's own runtimes (hull, hull-fork, hull-limits, hull-oci, ...). */
static bool is_hull(const struct variant *v)
{
	const struct hull_runtime_info *rt = hull_runtime_lookup(v->runtime);
	return rt && rt->program && rt->built && strcmp(rt->program, "hull") == 0;
}

static const char *default_rootfs(char *buf, size_t len)
{
	const char *dir = hh_self_dir();
	if (!dir)
		return NULL;
	snprintf(buf, len, "%s/../rootfs", dir);
	char *real = realpath(buf, NULL);
	if (!real)
		return NULL;
	snprintf(buf, len, "%s", real);
	free(real);
	return buf;
}

int hull_harness_latency(int argc, char **argv)
{
	static struct bench b; /* large: keep it off the stack */
	char rootfs_buf[PATH_MAX], abs_rootfs[PATH_MAX];
	cpu_set_t saved_cpus;
	int ret;

	if (argc >= 2 && strcmp(argv[1], "render") == 0)
		return cmd_render(argc - 1, argv + 1);

	memset(&b, 0, sizeof(b));
	ret = parse_opts(argc, argv, &b.o);
	if (ret != 0)
		return ret > 0 ? 0 : 2;
	if (!b.o.rootfs)
		b.o.rootfs = default_rootfs(rootfs_buf, sizeof(rootfs_buf));
	if (!b.o.rootfs || !realpath(b.o.rootfs, abs_rootfs)) {
		fprintf(stderr, "hull-harness: cannot find the rootfs '%s' (use --rootfs)\n",
			b.o.rootfs ? b.o.rootfs : "../rootfs");
		return 2;
	}
	b.o.rootfs = abs_rootfs;
	char probe[PATH_MAX + 32];
	snprintf(probe, sizeof(probe), "%s/bin/hull-probe", abs_rootfs);
	if (access(probe, X_OK) < 0) {
		fprintf(stderr, "hull-harness: no probe '%s' in the rootfs (make rootfs)\n", probe);
		return 2;
	}
	b.tty = isatty(STDERR_FILENO);
	b.last_decile = -1;
	b.skipped = json_object_new_array();

	/* Suites and their variants. */
	if (b.o.suites[SUITE_RUNTIMES])
		for (size_t i = 0; i < N_ELEMS(known_variants); i++)
			if (wanted(b.o.runtimes, known_variants[i].label))
				add_variant(&b, SUITE_RUNTIMES, known_variants[i].label,
					    known_variants[i].runtime, b.o.ns,
					    known_variants[i].chroot, known_variants[i].fork,
					    known_variants[i].traced);
	if (b.o.suites[SUITE_RUNTIMES])
		add_oci_variants(&b, b.o.runtimes);
	if (b.o.suites[SUITE_NAMESPACES]) {
		/* none, each namespace alone, the default set: hull and floor. */
		for (int k = -1; k <= (int)hull_ns_count; k++) {
			uint64_t ns = k < 0			? 0
				      : k == (int)hull_ns_count ? HULL_NS_DEFAULT
								: hull_ns_table[k].flag;
			if (k >= 0 && k < (int)hull_ns_count && !(b.o.ns_each & ns))
				continue;
			char label[128], list[96];
			hull_ns_format(ns, list, sizeof(list));
			snprintf(label, sizeof(label), "hull ns=%s", list);
			add_variant(&b, SUITE_NAMESPACES, label, "hull", ns, false, false, false);
			snprintf(label, sizeof(label), "floor ns=%s", list);
			add_variant(&b, SUITE_NAMESPACES, label, "floor", ns, false, false, false);
		}
	}
	struct variant *cv = NULL;
	if (b.o.suites[SUITE_CONCURRENCY])
		cv = add_variant(&b, SUITE_CONCURRENCY, "hull", "hull", b.o.ns, false, false,
				 false);

	for (size_t i = 0; i < b.nv; i++)
		prepare(&b, &b.v[i]);

	/* Work to do, for the progress line. */
	for (size_t i = 0; i < b.nv; i++)
		if (b.v[i].available && b.v[i].suite != SUITE_CONCURRENCY)
			b.total += (size_t)(b.o.iterations + b.o.warmup);
	if (cv && cv->available)
		for (int i = 0; i < b.o.n_levels; i++)
			b.total += (size_t)b.o.levels[i] *
				   (size_t)((b.o.per_level + b.o.levels[i] - 1) / b.o.levels[i]);

	sched_getaffinity(0, sizeof(saved_cpus), &saved_cpus);
	if (b.o.cpu >= 0) {
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(b.o.cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one) < 0) {
			fprintf(stderr, "hull-harness: cannot pin to cpu %d: %s\n", b.o.cpu,
				strerror(errno));
			release_all(&b);
			json_object_put(b.skipped);
			return 2;
		}
	}
	if (b.o.suites[SUITE_RUNTIMES]) {
		run_interleaved(&b, SUITE_RUNTIMES);
		for (size_t i = 0; i < b.nv; i++)
			if (b.v[i].suite == SUITE_RUNTIMES && b.v[i].available)
				measure_rss(&b, &b.v[i]);
	}
	if (b.o.suites[SUITE_NAMESPACES])
		run_interleaved(&b, SUITE_NAMESPACES);
	if (b.o.cpu >= 0)
		sched_setaffinity(0, sizeof(saved_cpus), &saved_cpus);
	if (cv && cv->available)
		run_concurrency(&b, cv);
	progress(&b, "done", true);
	progress_end(&b);

	json_object *report = build_report(&b);
	ret = 0;
	for (size_t i = 0; i < b.nv; i++) {
		struct variant *v = &b.v[i];
		if (v->available && v->suite != SUITE_CONCURRENCY && v->entry.n == 0) {
			fprintf(stderr, "hull-harness: %s: every start failed: %s\n", v->label,
				v->first_error);
			/* Another runtime's trouble is a finding for the report
			 * (its row says what failed); hull's is a failure of
			 * the run, reported after every section is done. */
			if (is_hull(v))
				ret = 1;
		}
	}
	for (size_t i = 0; i < b.nlv; i++)
		if (b.lv[i].containers == 0) {
			fprintf(stderr,
				"hull-harness: hull at concurrency %d: every start failed\n",
				b.lv[i].level);
			ret = 1;
		}
	if (write_outputs(report, b.o.json_path, b.o.md_path) < 0)
		ret = 1;
	if (!b.o.json_path && !b.o.md_path)
		hull_lat_render_markdown(report, stdout);
	else if (!b.o.quiet)
		print_summary(report);
	json_object_put(report);
	json_object_put(b.skipped);
	release_all(&b);
	return ret;
}
