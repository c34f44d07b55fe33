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
#include "latency_bench.h"
#include "ns.h"
#include "paths.h"
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <linux/limits.h> /* PATH_MAX */
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	      "                          hull-limits,hull-pool,hull-pool-limits,hull-oci,\n"
	      "                            seed,unshare,\n"
	      "                            bwrap,crun,crun-cgroupfs,runc or all (default),\n"
	      "                            and any OCI runtime by path:\n"
	      "                            oci:PATH[,name=NAME][,args=OPT OPT][,env=v1]\n"
	      "     --ns LIST            namespaces of the comparison (default\n"
	      "                            mnt,uts,pid,ipc,net)\n"
	      "     --suites LIST        runtimes,namespaces,concurrency,lifecycle,pool\n"
	      "                            (default all)\n"
	      "     --lifecycle-rounds N create+start+delete rounds per runtime (default\n"
	      "                            the iterations, at most 60)\n"
	      "     --ns-each LIST       namespaces the namespaces suite measures alone\n"
	      "                            (default all; none and the --ns set always)\n"
	      "     --concurrency LIST   starts at once (default 1,2,4,8,16)\n"
	      "     --per-level N        containers per concurrency level (default 160)\n"
	      "     --pool-burst N       pool suite: starts back to back per burst, from a\n"
	      "                            full pool of N slots (default 64)\n"
	      "     --pool-bursts N      bursts per row (default 3)\n"
	      "     --pool-levels LIST   sustained rate, clients at once (default 1,4,16)\n"
	      "     --pool-per-level N   containers per sustained level (default --per-level)\n"
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

static int parse_levels(const char *s, int *levels, int *n)
{
	*n = 0;
	for (const char *p = s; *p;) {
		char buf[16];
		size_t w = strcspn(p, ",");
		if (w == 0 || w >= sizeof(buf) || *n == MAX_LEVELS) {
			fprintf(stderr, "hull-harness: invalid concurrency list '%s'\n", s);
			return -1;
		}
		memcpy(buf, p, w);
		buf[w] = '\0';
		if (parse_int(buf, 1, 256, &levels[(*n)++]) < 0)
			return -1;
		p += w + (p[w] == ',');
	}
	return *n ? 0 : -1;
}

static int parse_suites(const char *s, struct opts *o)
{
	memset(o->suites, 0, sizeof(o->suites));
	for (const char *p = s; *p;) {
		size_t w = strcspn(p, ",");
		int found = -1;
		for (int i = 0; i < N_SUITES; i++)
			if (strlen(hh_lat_suite_names[i]) == w &&
			    strncmp(p, hh_lat_suite_names[i], w) == 0)
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
	OPT_LIFECYCLE_ROUNDS,
	OPT_POOL_BURST,
	OPT_POOL_BURSTS,
	OPT_POOL_LEVELS,
	OPT_POOL_PER_LEVEL,
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
		{ "lifecycle-rounds", required_argument, NULL, OPT_LIFECYCLE_ROUNDS },
		{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
		{ "per-level", required_argument, NULL, OPT_PER_LEVEL },
		{ "pool-burst", required_argument, NULL, OPT_POOL_BURST },
		{ "pool-bursts", required_argument, NULL, OPT_POOL_BURSTS },
		{ "pool-levels", required_argument, NULL, OPT_POOL_LEVELS },
		{ "pool-per-level", required_argument, NULL, OPT_POOL_PER_LEVEL },
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
			    .pool_burst = 64,
			    .pool_bursts = 3,
			    .timeout_ms = 10000 };
	snprintf(o->ns_list, sizeof(o->ns_list), "mnt,uts,pid,ipc,net");
	parse_suites("all", o);
	parse_levels("1,2,4,8,16", o->levels, &o->n_levels);
	parse_levels("1,4,16", o->pool_levels, &o->n_pool_levels);

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
			if (hh_lat_check_runtime_list(optarg) < 0)
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
			if (parse_levels(optarg, o->levels, &o->n_levels) < 0)
				return -1;
			break;
		case OPT_POOL_LEVELS:
			if (parse_levels(optarg, o->pool_levels, &o->n_pool_levels) < 0)
				return -1;
			break;
		case OPT_POOL_BURST:
			if (parse_int(optarg, 1, 256, &o->pool_burst) < 0)
				return -1;
			break;
		case OPT_POOL_BURSTS:
			if (parse_int(optarg, 1, 1000, &o->pool_bursts) < 0)
				return -1;
			break;
		case OPT_POOL_PER_LEVEL:
			if (parse_int(optarg, 1, 100000, &o->pool_per_level) < 0)
				return -1;
			break;
		case OPT_LIFECYCLE_ROUNDS:
			if (parse_int(optarg, 1, 1000000, &o->lifecycle_rounds) < 0)
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
	if (!o->lifecycle_rounds) /* a lifecycle is three runtime processes: fewer */
		o->lifecycle_rounds = o->iterations < 60 ? o->iterations : 60;
	return 0;
}

static int write_markdown(json_object *report, const char *path)
{
	FILE *f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "hull-harness: cannot write '%s': %s\n", path, strerror(errno));
		return -1;
	}
	hh_lat_render_markdown(report, f);
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

	if (json_path && hh_report_write_json(report, json_path, &err) < 0) {
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
	if (!report || hh_json_get_int(report, "schema_version", 0) != HH_REPORT_SCHEMA_VERSION) {
		fprintf(stderr, "hull-harness: cannot read latency report '%s'%s\n", argv[optind],
			report ? ": unknown schema_version" : "");
		json_object_put(report);
		return 2;
	}
	if (micro)
		hh_lat_merge_micro(report, micro);
	if (md_out)
		add_plots(report, md_out);
	if (hf)
		hh_lat_merge_hyperfine(report, hf);
	int ret = write_outputs(report, json_out, md_out);
	if (!json_out && !md_out)
		hh_lat_render_markdown(report, stdout);
	else
		hh_lat_print_summary(report);
	json_object_put(report);
	return ret < 0 ? 1 : 0;
}

/* One of hull's own runtimes (hull, hull-fork, hull-limits, hull-oci, ...). */
static bool is_hull(const struct variant *v)
{
	const struct hh_runtime_info *rt = hh_runtime_lookup(v->runtime);
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

int hh_cmd_latency(int argc, char **argv)
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
	hh_lat_add_suites(&b);
	struct variant *cv = NULL;
	for (size_t i = 0; i < b.nv && !cv; i++)
		if (b.v[i].suite == SUITE_CONCURRENCY)
			cv = &b.v[i];

	for (size_t i = 0; i < b.nv; i++)
		hh_lat_prepare(&b, &b.v[i]);

	/* Work to do, for the progress line. */
	for (size_t i = 0; i < b.nv; i++)
		if (b.v[i].available && b.v[i].suite != SUITE_CONCURRENCY)
			b.total += (size_t)((b.v[i].suite == SUITE_LIFECYCLE ? b.o.lifecycle_rounds
									     : b.o.iterations) +
					    b.o.warmup);
	if (b.o.suites[SUITE_POOL])
		b.total += hh_lat_pool_work(&b);
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
			hh_lat_release_all(&b);
			json_object_put(b.skipped);
			return 2;
		}
	}
	if (b.o.suites[SUITE_RUNTIMES]) {
		hh_lat_run_interleaved(&b, SUITE_RUNTIMES);
		for (size_t i = 0; i < b.nv; i++)
			if (b.v[i].suite == SUITE_RUNTIMES && b.v[i].available)
				hh_lat_measure_rss(&b, &b.v[i]);
	}
	if (b.o.suites[SUITE_NAMESPACES])
		hh_lat_run_interleaved(&b, SUITE_NAMESPACES);
	if (b.o.cpu >= 0)
		sched_setaffinity(0, sizeof(saved_cpus), &saved_cpus);
	if (cv && cv->available)
		hh_lat_run_concurrency(&b, cv);
	if (b.o.suites[SUITE_LIFECYCLE])
		hh_lat_run_lifecycle(&b);
	if (b.o.suites[SUITE_POOL])
		hh_lat_run_pool(&b);
	hh_lat_progress(&b, "done", true);
	hh_lat_progress_end(&b);

	json_object *report = hh_lat_build_report(&b);
	ret = 0;
	for (size_t i = 0; i < b.nv; i++) {
		struct variant *v = &b.v[i];
		size_t good = v->suite == SUITE_LIFECYCLE ? v->lc[HH_LC_SUM].n : v->entry.n;
		if (v->available && v->suite != SUITE_CONCURRENCY && good == 0) {
			fprintf(stderr, "hull-harness: %s: every start failed: %s\n", v->label,
				v->first_error);
			/* Another runtime's trouble is a finding for the report
			 * (its row says what failed); hull's is a failure of
			 * the run, reported after every section is done. */
			if (is_hull(v))
				ret = 1;
		}
	}
	for (int i = 0; i < POOL_ROWS; i++) {
		const struct pool_row *r = &b.pool.row[i];
		if (b.o.suites[SUITE_POOL] && r->available && r->entry.n == 0) {
			fprintf(stderr, "hull-harness: pool suite: %s: every start failed: %s\n",
				r->label, r->first_error);
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
		hh_lat_render_markdown(report, stdout);
	else if (!b.o.quiet)
		hh_lat_print_summary(report);
	json_object_put(report);
	json_object_put(b.skipped);
	hh_lat_release_all(&b);
	hh_lat_pool_free(&b);
	return ret;
}
