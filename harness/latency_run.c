/* latency_run.c — the runs of `hull-harness latency`: prepare each
 * variant through the drivers, start containers interleaved and keep their
 * samples, the peak RSS of each runtime process, the concurrency sweep. */
#include "latency_bench.h"
#include "ns.h"
#include "paths.h"
#include "pool.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h> /* PATH_MAX */
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
#include <unistd.h>

const char *const hh_lat_suite_names[N_SUITES] = { "runtimes", "namespaces", "concurrency",
						   "lifecycle", "pool" };
char *hh_lat_probe_argv[] = { "/bin/hull-probe", "--stamp", NULL };

/* ---- progress ------------------------------------------------------- */

void hh_lat_progress(struct bench *b, const char *what, bool force)
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

void hh_lat_progress_end(struct bench *b)
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

static void push(struct hh_samples *s, uint64_t v)
{
	if (hh_samples_push(s, v, NULL) < 0) {
		fputs("hull-harness: out of memory\n", stderr);
		exit(2);
	}
}

/* Run one container; with record, keep its samples. */
static void start_one(struct variant *v, bool record)
{
	struct hh_launch_result r = { 0 };
	struct hull_err err = { 0 };
	struct hh_lat_marks m = { 0 };
	char trace[4096];

	if (hh_launch_run(&v->launch, &r, &err) < 0) {
		if (record)
			note_failure(v, "%s", err.msg);
		return;
	}
	/* A pool's refill (a whole container start, in the background) must
	 * not run during the next runtime's sample: wait, untimed, until the
	 * pool is full again. */
	if (v->launch.pool[0] &&
	    hh_lat_pool_wait_full(&v->launch,
				  v->launch.cfg.pool_size ? v->launch.cfg.pool_size
							  : HULL_POOL_DEFAULT_SIZE,
				  &err) < 0 &&
	    record)
		note_failure(v, "%s", err.msg);
	/* the run is over: every trace write has landed */
	ssize_t got = v->traced ? hull_read_all(v->trace_rd, trace, sizeof(trace)) : 0;
	size_t tlen = got > 0 ? (size_t)got : 0;
	if (!record)
		goto out;
	if (r.exit_code != 0) {
		note_failure(v, "exit status %d%s%s", r.exit_code, r.err && *r.err ? ": " : "",
			     r.err ? r.err : "");
		goto out;
	}
	m.t[HH_LAT_SPAWN] = r.t_spawn_ns;
	m.t[HH_LAT_RETURN] = r.t_exit_ns;
	if (hh_lat_parse_stamp(r.out, &m.t[HH_LAT_ENTRY], &err) < 0) {
		note_failure(v, "%s", err.msg);
		goto out;
	}
	if (v->traced && hh_lat_parse_trace(trace, tlen, &m, &err) < 0) {
		v->bad_traces++;
		note_failure(v, "%s", err.msg);
		goto out;
	}
	if (hh_lat_marks_check(&m, &err) < 0) {
		v->bad_traces++;
		note_failure(v, "%s", err.msg);
		goto out;
	}
	push(&v->entry, m.t[HH_LAT_ENTRY] - m.t[HH_LAT_SPAWN]);
	push(&v->round, m.t[HH_LAT_RETURN] - m.t[HH_LAT_SPAWN]);
	if (v->traced) {
		uint64_t d[HH_LAT_N_MARKS];
		uint32_t present = hh_lat_marks_present(&m);
		v->present = v->entry.n == 1 ? present : v->present & present;
		hh_lat_phase_durations(&m, d);
		for (int i = 0; i < HH_LAT_N_MARKS; i++)
			push(&v->phase[i], d[i]);
	}
out:
	hh_launch_result_free(&r);
}

/* ---- setup ---------------------------------------------------------- */

static void skip(struct bench *b, struct variant *v, const char *why)
{
	v->available = false;
	snprintf(v->why, sizeof(v->why), "%s", why);
	json_object *s = json_object_new_object();
	json_object_object_add(s, "name", json_object_new_string(v->label));
	json_object_object_add(s, "suite", json_object_new_string(hh_lat_suite_names[v->suite]));
	json_object_object_add(s, "reason", json_object_new_string(why));
	json_object_array_add(b->skipped, s);
	if (!b->o.quiet)
		fprintf(stderr, "latency: skipping %s: %s\n", v->label, why);
}

/* The engine path's container: exits at once, in a cgroup of its own. */
static char *lifecycle_argv[] = { "/bin/true", NULL };

int hh_lat_prepare(struct bench *b, struct variant *v)
{
	struct hull_err err = { 0 };
	char why[256] = "";

	if (!hh_runtime_available(v->runtime, why, sizeof(why))) {
		skip(b, v, why[0] ? why : "not available");
		return 0;
	}
	/* bare and seed cannot give the comparison's namespaces: measure them
	 * with what they can do; the report shows the set each one got. */
	const struct hh_runtime_info *info = hh_runtime_lookup(v->runtime);
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
	struct hh_launch_config cfg = {
		.runtime = v->runtime,
		.rootfs = b->o.rootfs,
		.ns_flags = v->ns,
		.chroot = v->chroot,
		.spawn_fork = v->fork,
		.argv = v->suite == SUITE_LIFECYCLE ? lifecycle_argv : hh_lat_probe_argv,
		.trace_fd = v->trace_wr,
		.timeout_ms = b->o.timeout_ms,
		.cancel_fd = -1,
		.cgroups_path = v->cgroups_path[0] ? v->cgroups_path : NULL,
	};
	if (hh_launch_prepare(&cfg, &v->launch, &err) < 0) {
		skip(b, v, err.msg);
		return 0;
	}
	v->prepared = true;
	v->available = true;
	return 1;
}

struct variant *hh_lat_add_variant(struct bench *b, int suite, const char *label,
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

void hh_lat_release_all(struct bench *b)
{
	for (size_t i = 0; i < b->nv; i++) {
		struct variant *v = &b->v[i];
		if (v->prepared)
			hh_launch_release(&v->launch);
		v->prepared = false;
		if (v->trace_rd >= 0)
			close(v->trace_rd);
		if (v->trace_wr >= 0)
			close(v->trace_wr);
		v->trace_rd = v->trace_wr = -1;
		hh_samples_free(&v->entry);
		hh_samples_free(&v->round);
		hh_samples_free(&v->rss_kib);
		hh_samples_free(&v->maxrss_kib);
		for (int k = 0; k < HH_LAT_N_MARKS; k++)
			hh_samples_free(&v->phase[k]);
		for (int k = 0; k < HH_LC_N; k++)
			hh_samples_free(&v->lc[k]);
	}
	for (size_t i = 0; i < b->nlv; i++) {
		hh_samples_free(&b->lv[i].round);
		hh_samples_free(&b->lv[i].entry);
	}
}

/* ---- suites ---------------------------------------------------------- */

/* Warm-up rounds, then `rounds` recorded ones, each running one(v) for
 * every available variant of the suite once, in order: the variants
 * interleave, so a drift of the machine reaches them alike. */
static void run_rounds(struct bench *b, int suite, int rounds,
		       void (*one)(struct variant *v, bool record))
{
	b->suite_now = hh_lat_suite_names[suite];
	for (int round = -b->o.warmup; round < rounds; round++) {
		for (size_t i = 0; i < b->nv; i++) {
			struct variant *v = &b->v[i];
			if (v->suite != suite || !v->available)
				continue;
			one(v, round >= 0);
			b->done++;
			hh_lat_progress(b, v->label, false);
		}
	}
}

void hh_lat_run_interleaved(struct bench *b, int suite)
{
	run_rounds(b, suite, b->o.iterations, start_one);
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

void hh_lat_measure_rss(struct bench *b, struct variant *v)
{
	struct hh_launch l;
	struct hull_err err = { 0 };
	struct hh_launch_config cfg = {
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

	if (hh_launch_prepare(&cfg, &l, &err) < 0)
		return;
	/* bare has no runtime process: the "runtime" is the command. */
	if (l.id_index >= 0 || l.rt->oci || !l.rt->changes_root) {
		hh_launch_release(&l);
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
	hh_launch_release(&l);
}

int hh_lat_sample(const struct hh_launch *l, uint64_t *entry, uint64_t *round, char *why,
		  size_t len)
{
	struct hh_launch_result r = { 0 };
	struct hull_err err = { 0 };
	uint64_t t_entry = 0;
	int ret = -1;

	if (hh_launch_run(l, &r, &err) < 0)
		snprintf(why, len, "%s", err.msg);
	else if (r.exit_code != 0)
		snprintf(why, len, "exit status %d%s%.200s", r.exit_code,
			 r.err && *r.err ? ": " : "", r.err ? r.err : "");
	else if (hh_lat_parse_stamp(r.out, &t_entry, &err) < 0)
		snprintf(why, len, "%s", err.msg);
	else if (t_entry < r.t_spawn_ns)
		snprintf(why, len, "the probe's stamp is before the spawn");
	else {
		*entry = t_entry - r.t_spawn_ns;
		*round = r.t_exit_ns - r.t_spawn_ns;
		ret = 0;
	}
	if (ret < 0)
		why[strcspn(why, "\n")] = '\0';
	hh_launch_result_free(&r);
	return ret;
}

struct worker {
	const struct hh_launch *l;
	pthread_barrier_t *go;
	size_t n;
	struct hh_samples round, entry;
	size_t failures;
	char first_error[256];
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char why[256];
	pthread_barrier_wait(w->go);
	for (size_t i = 0; i < w->n; i++) {
		uint64_t entry, round;
		if (hh_lat_sample(w->l, &entry, &round, why, sizeof(why)) < 0) {
			if (!w->failures++)
				snprintf(w->first_error, sizeof(w->first_error), "%s", why);
		} else {
			push(&w->round, round);
			push(&w->entry, entry);
		}
	}
	return NULL;
}

void hh_lat_run_level(const struct hh_launch *l, int k, size_t per, struct level *lv)
{
	struct worker w[256];
	pthread_t th[256];
	pthread_barrier_t go;

	memset(lv, 0, sizeof(*lv));
	lv->level = k;
	pthread_barrier_init(&go, NULL, (unsigned)k + 1);
	int started = 0;
	for (int i = 0; i < k; i++) {
		w[i] = (struct worker){ .l = l, .go = &go, .n = per };
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
		if (!lv->first_error[0] && w[i].first_error[0])
			snprintf(lv->first_error, sizeof(lv->first_error), "%s", w[i].first_error);
		hh_samples_free(&w[i].round);
		hh_samples_free(&w[i].entry);
	}
	lv->containers = lv->round.n;
}

/* K threads start containers back to back, all released at once; the
 * level's throughput is containers / wall time from release to the last
 * reap. Runs unpinned: pinning would serialise what is being measured. */
void hh_lat_run_concurrency(struct bench *b, struct variant *v)
{
	b->suite_now = hh_lat_suite_names[SUITE_CONCURRENCY];
	for (int li = 0; li < b->o.n_levels; li++) {
		int k = b->o.levels[li];
		size_t per = (size_t)(b->o.per_level + k - 1) / (size_t)k;
		hh_lat_run_level(&v->launch, k, per, &b->lv[b->nlv++]);
		b->done += (size_t)k * per;
		char what[64];
		snprintf(what, sizeof(what), "%d at once", k);
		hh_lat_progress(b, what, false);
	}
}

/* ---- the engine path ---------------------------------------------------- */

static void lifecycle_one(struct variant *v, bool record)
{
	struct hh_lifecycle lc;

	if (hh_lifecycle_run(&v->launch, &lc) < 0) {
		if (record)
			note_failure(v, "%s", lc.error);
		return;
	}
	if (record)
		for (int k = 0; k < HH_LC_N; k++)
			push(&v->lc[k], lc.ns[k]);
}

/* rmdir of the variants' cgroups wherever a runtime made them (every v1
 * controller tree and the unified one): only those exact names, which
 * carry this harness's pid, and only when empty. */
static void remove_lifecycle_cgroups(struct bench *b)
{
	static const char *const roots[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	for (size_t i = 0; i < b->nv; i++) {
		struct variant *v = &b->v[i];
		if (v->suite != SUITE_LIFECYCLE || !v->cgroups_path[0])
			continue;
		for (size_t r = 0; r < N_ELEMS(roots); r++) {
			char path[PATH_MAX];
			snprintf(path, sizeof(path), "%s%s", roots[r], v->cgroups_path);
			rmdir(path);
		}
		DIR *d = opendir("/sys/fs/cgroup");
		struct dirent *e;
		while (d && (e = readdir(d))) {
			char path[PATH_MAX];
			if (e->d_name[0] == '.' ||
			    !hh_pathf(path, sizeof(path), "/sys/fs/cgroup/%s%s", e->d_name,
				      v->cgroups_path))
				continue;
			rmdir(path);
		}
		if (d)
			closedir(d);
	}
}

void hh_lat_run_lifecycle(struct bench *b)
{
	run_rounds(b, SUITE_LIFECYCLE, b->o.lifecycle_rounds, lifecycle_one);
	remove_lifecycle_cgroups(b);
}
