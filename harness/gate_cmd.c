/* gate_cmd.c — `hull-harness gate`: measure, compare with the committed
 * baseline, print the verdict table, write reports/gate.{json,md}, exit
 * 0 (pass), 1 (regression) or 2 (could not measure). `--write-baseline`
 * takes the same measurement and writes the baseline instead.
 *
 * The measurements are this program's own subcommands, run as child
 * processes so that each keeps its own signal handling and clean-up:
 *
 *   latency   bare, floor, hull interleaved (full isolation), plus hull and
 *             floor with HULL_GATE_NS_EACH alone; raw samples kept
 *   isolate   smoke check first: hull, pivot_root and chroot, on a shared
 *             rootfs; a build that leaks mounts is caught here in
 *             milliseconds, before the matrix would multiply its leaks
 *   matrix    hull's 512 cells on a shared rootfs, against hull_rules[]
 *
 * The isolation runs happen in a private mount namespace of their own: a
 * broken build's leaked mounts stay in it and vanish with it, never on the
 * host. The decision rule is in gate.h. */
#include "commands.h"
#include "driver.h"
#include "paths.h"
#include "gate.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/limits.h> /* PATH_MAX; <limits.h> is shadowed under -Icore */
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FIRST_MISMATCHES 10

struct gate_opts {
	const char *baseline, *write_baseline;
	const char *latency_in, *matrix_in;
	const char *json_out, *md_out, *raw_dir;
	const char *rootfs, *commit;
	struct hull_gate_rule rule;
	int iterations, warmup;
	bool do_latency, do_isolation, quiet;
};

/* ---- child processes ------------------------------------------------------- */

static int pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Wait for pid at most timeout_ms; -1 with errno ETIMEDOUT when it is still
 * running. */
static int wait_for(pid_t pid, int pidfd, int timeout_ms, int *status)
{
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		int r;
		while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
			;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* mkdir -p of path's directories and path itself. */
static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = c;
		if (c == '\0')
			return 0;
	}
}

/* In the child: a private mount namespace, a fresh tmpfs on scratch, and
 * the keep paths under scratch bound back from the old scratch. */
static int private_scratch(const char *scratch, const char *const *keep)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	if (!scratch)
		return 0;
	int old = open(scratch, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (old < 0 || mount("hull-gate", scratch, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
		return -1;
	size_t n = strlen(scratch);
	for (; keep && *keep; keep++) {
		char src[PATH_MAX + 64];
		if (strncmp(*keep, scratch, n) != 0 || (*keep)[n] != '/')
			continue;
		snprintf(src, sizeof(src), "/proc/self/fd/%d/%s", old, *keep + n + 1);
		if (mkdir_p(*keep) < 0 || mount(src, *keep, NULL, MS_BIND | MS_REC, NULL) < 0)
			return -1;
	}
	close(old);
	return 0;
}

/* Run this program with argv (argv[0] is ignored), stdout to out_path (or
 * inherited). With private_ns, in a private mount namespace; with scratch
 * too, with a fresh tmpfs on scratch there, where the isolation verifier makes its host objects:
 * what a broken build leaks there (mounts that keep its directories busy) goes away with the
 * namespace instead of staying on the host. The paths in keep (NULL-terminated) that lie under
 * scratch are bound back in place. Returns the exit status (128+N for a signal), or -1 when it
 * could not run or timed out (then why says so). */
static int run_self(char **argv, const char *out_path, bool private_ns, const char *scratch,
		    const char *const *keep, int timeout_s, char *why, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int status;

	if (n <= 0) {
		snprintf(why, len, "cannot find this program: %s", strerror(errno));
		return -1;
	}
	self[n] = '\0';
	argv[0] = self;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, len, "cannot fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* The output first: it may be under scratch. */
		if (out_path) {
			int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
				fprintf(stderr, "hull-harness: cannot write '%s': %s\n", out_path,
					strerror(errno));
				_exit(125);
			}
		}
		if (private_ns && private_scratch(scratch, keep) < 0) {
			fprintf(stderr, "hull-harness: cannot make a private mount namespace: %s\n",
				strerror(errno));
			_exit(125);
		}
		execv(self, argv);
		fprintf(stderr, "hull-harness: cannot run '%s': %s\n", self, strerror(errno));
		_exit(125);
	}
	int pidfd = pidfd_open_(pid);
	if (wait_for(pid, pidfd, timeout_s * 1000, &status) < 0) {
		/* Too long: ask it to clean up (every subcommand removes its
		 * host objects on SIGTERM), then insist. */
		kill(pid, SIGTERM);
		if (wait_for(pid, pidfd, 10000, &status) < 0) {
			kill(pid, SIGKILL);
			wait_for(pid, -1, 0, &status);
		}
		if (pidfd >= 0)
			close(pidfd);
		snprintf(why, len, "'%s %s' took longer than %d s", "hull-harness", argv[1],
			 timeout_s);
		return -1;
	}
	if (pidfd >= 0)
		close(pidfd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- latency ------------------------------------------------------------------ */

static json_object *measure_latency(const struct gate_opts *o, const char *raw, char *why,
				    size_t len)
{
	char path[PATH_MAX + 32], n[16], w[16];
	snprintf(path, sizeof(path), "%s/gate-latency.json", raw);
	snprintf(n, sizeof(n), "%d", o->iterations);
	snprintf(w, sizeof(w), "%d", o->warmup);
	char *argv[32] = { NULL,
			   "latency",
			   "--runtimes",
			   "bare,floor,hull",
			   "--suites",
			   "runtimes,namespaces",
			   "--ns-each",
			   HULL_GATE_NS_EACH,
			   "-n",
			   n,
			   "-w",
			   w,
			   "--json",
			   path,
			   "-q",
			   "--rootfs",
			   (char *)o->rootfs };
	int k = 17;
	if (o->commit) {
		argv[k++] = "--commit";
		argv[k++] = (char *)o->commit;
	}
	unlink(path);
	if (!o->quiet)
		fprintf(stderr,
			"gate: latency, %d starts per runtime (bare, floor, hull; %s alone)\n",
			o->iterations, HULL_GATE_NS_EACH);
	int st = run_self(argv, "/dev/null", false, NULL, NULL, 1200, why, len);
	json_object *doc = json_object_from_file(path);
	if (!doc && why[0] == '\0')
		snprintf(why, len, "hull-harness latency wrote no report (exit status %d)", st);
	/* Exit 1 means hull or the floor failed every start: the metrics
	 * that need them come out unmeasured, the others still count. */
	return doc;
}

/* ---- isolation ------------------------------------------------------------------ */

struct iso {
	enum hull_gate_verdict verdict;
	char note[256];
	int64_t cells, started, mismatches, mismatch_cells;
	json_object *smoke, *first;
};

static void add_first(struct iso *iso, const char *why)
{
	if (json_object_array_length(iso->first) < MAX_FIRST_MISMATCHES)
		json_object_array_add(iso->first, json_object_new_string(why));
}

static void judge_matrix(json_object *doc, int exit_status, struct iso *iso)
{
	char why[512];
	json_object *cells = hull_json_get(doc, "cells");

	if (!cells || !json_object_is_type(cells, json_type_array) ||
	    json_object_array_length(cells) == 0) {
		iso->verdict = HULL_GATE_UNMEASURED;
		snprintf(iso->note, sizeof(iso->note), "the matrix gave no cells (exit status %d)",
			 exit_status);
		return;
	}
	iso->cells = (int64_t)json_object_array_length(cells);
	for (size_t i = 0; i < (size_t)iso->cells; i++) {
		json_object *c = json_object_array_get_idx(cells, i);
		int m = hull_gate_cell_mismatches(c, why, sizeof(why));
		iso->started += json_object_get_boolean(hull_json_get(c, "started"));
		iso->mismatches += m;
		iso->mismatch_cells += m > 0;
		if (m)
			add_first(iso, why);
	}
	if (iso->mismatches > 0) {
		iso->verdict = HULL_GATE_REGRESSION;
	} else if (exit_status != 0 && exit_status != 1) {
		iso->verdict = HULL_GATE_UNMEASURED;
		snprintf(iso->note, sizeof(iso->note), "the matrix did not finish (exit status %d)",
			 exit_status);
	} else if (exit_status == 1) {
		/* The matrix saw a mismatch its JSON does not show. */
		iso->verdict = HULL_GATE_REGRESSION;
		snprintf(iso->note, sizeof(iso->note), "the matrix reported a mismatch");
	} else {
		iso->verdict = HULL_GATE_PASS;
	}
}

static void measure_isolation(const struct gate_opts *o, const char *raw, struct iso *iso)
{
	char path[PATH_MAX + 32], why[512] = "";
	static const char *const modes[] = { "pivot_root", "chroot" };
	/* The verifier's host directory: /tmp, or /run when the rootfs is /tmp
	 * or above it (isolate_host.c). */
	const char *scratch = strncmp("/tmp", o->rootfs, strlen(o->rootfs)) == 0 ? "/run" : "/tmp";
	const char *const keep[] = { o->rootfs, hh_self_dir(), NULL };
	if (!o->quiet)
		fputs("gate: isolation smoke check (hull, shared rootfs)\n", stderr);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/gate-smoke-%s.json", raw, modes[i]);
		char *argv[] = { NULL,	     "isolate",		"--shared-rootfs",     "--json",
				 "--rootfs", (char *)o->rootfs, i ? "--chroot" : NULL, NULL };
		why[0] = '\0';
		int st = run_self(argv, path, true, scratch, keep, 120, why, sizeof(why));
		json_object *cell = json_object_from_file(path);
		json_object *s = json_object_new_object();
		json_object_object_add(s, "root_mode", json_object_new_string(modes[i]));
		json_object_object_add(s, "exit_status", json_object_new_int(st));
		int m = 0;
		if (cell && hull_json_get(cell, "started"))
			m = hull_gate_cell_mismatches(cell, why, sizeof(why));
		else if (st == 1 || st == 3)
			m = 1,
			snprintf(why, sizeof(why), "hull %s: isolate exit status %d", modes[i], st);
		json_object_object_add(s, "mismatches", json_object_new_int(m));
		json_object_array_add(iso->smoke, s);
		json_object_put(cell);
		if (m) {
			iso->mismatches += m;
			iso->verdict = HULL_GATE_REGRESSION;
			add_first(iso, why);
		} else if (st != 0) {
			if (iso->verdict != HULL_GATE_REGRESSION)
				iso->verdict = HULL_GATE_UNMEASURED;
			snprintf(iso->note, sizeof(iso->note), "smoke check (%s) failed: %.200s",
				 modes[i], why[0] ? why : "harness error");
		}
	}
	if (iso->verdict != HULL_GATE_PASS) {
		if (iso->verdict == HULL_GATE_REGRESSION)
			snprintf(iso->note, sizeof(iso->note),
				 "smoke check failed; matrix not run (a leaking build would flood "
				 "the mount table)");
		return;
	}

	if (!o->quiet)
		fputs("gate: isolation matrix (hull, shared rootfs)\n", stderr);
	snprintf(path, sizeof(path), "%s/gate-matrix.json", raw);
	char *argv[] = { NULL,	 "matrix",	    "-r",
			 "hull", "--shared-rootfs", "--json",
			 "-q",	 "--rootfs",	    (char *)o->rootfs,
			 NULL };
	why[0] = '\0';
	int st = run_self(argv, path, true, scratch, keep, 600, why, sizeof(why));
	json_object *doc = json_object_from_file(path);
	if (st < 0 && !doc) {
		iso->verdict = HULL_GATE_UNMEASURED;
		snprintf(iso->note, sizeof(iso->note), "%.250s", why);
		return;
	}
	judge_matrix(doc, st, iso);
	json_object_put(doc);
}

/* ---- the report ------------------------------------------------------------------- */

static json_object *samples_json(const struct hull_samples *s)
{
	json_object *a = json_object_new_array_ext((int)s->n);
	for (size_t i = 0; i < s->n; i++)
		json_object_array_add(a, json_object_new_int64((int64_t)s->v[i]));
	return a;
}

static json_object *metric_json(const struct hull_gate_metric *m,
				const struct hull_gate_judgement *j, const struct hull_samples *num,
				const struct hull_samples *den, bool baseline)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(m->name));
	json_object_object_add(o, "numerator", json_object_new_string(m->num));
	json_object_object_add(o, "denominator", json_object_new_string(m->den));
	json_object_object_add(o, "namespaces",
			       json_object_new_string(m->ns ? m->ns : "mnt,uts,pid,ipc,net"));
	if (!baseline) {
		json_object_object_add(o, "baseline", hull_json_decimal(j->baseline, 4));
		json_object_object_add(o, "limit", hull_json_decimal(j->limit, 4));
	}
	if (j->measured) {
		json_object *ci = json_object_new_array();
		json_object_array_add(ci, hull_json_decimal(j->now.ci_lo, 4));
		json_object_array_add(ci, hull_json_decimal(j->now.ci_hi, 4));
		json_object_object_add(o, "ratio", hull_json_decimal(j->now.ratio, 4));
		json_object_object_add(o, "ci95", ci);
		json_object *med = json_object_new_object();
		json_object_object_add(med, "numerator",
				       json_object_new_int64(llround(j->now.median_num)));
		json_object_object_add(med, "denominator",
				       json_object_new_int64(llround(j->now.median_den)));
		json_object_object_add(o, "median_ns", med);
	} else {
		json_object_object_add(o, "ratio", NULL);
	}
	json_object *n = json_object_new_array();
	json_object_array_add(n, json_object_new_int64((int64_t)num->n));
	json_object_array_add(n, json_object_new_int64((int64_t)den->n));
	json_object_object_add(o, "n", n);
	if (!baseline) {
		json_object_object_add(o, "verdict",
				       json_object_new_string(hull_gate_verdict_name(j->verdict)));
		json_object_object_add(o, "note", json_object_new_string(j->note));
	}
	json_object *s = json_object_new_object();
	json_object_object_add(s, "numerator", samples_json(num));
	json_object_object_add(s, "denominator", samples_json(den));
	json_object_object_add(o, "samples_ns", s);
	return o;
}

static json_object *rule_json(const struct hull_gate_rule *r)
{
	char text[512];
	json_object *o = json_object_new_object();
	snprintf(text, sizeof(text),
		 "a ratio regresses when the lower bound of its 95%% CI (bootstrap, %u "
		 "resamples, of median/median) exceeds baseline x (1 + %.2f); at least %zu "
		 "starts per runtime; any isolation mismatch fails",
		 r->resamples, r->tolerance, r->min_samples);
	json_object_object_add(o, "tolerance", hull_json_decimal(r->tolerance, 4));
	json_object_object_add(o, "min_samples", json_object_new_int64((int64_t)r->min_samples));
	json_object_object_add(o, "resamples", json_object_new_int64(r->resamples));
	json_object_object_add(o, "level", hull_json_decimal(r->level, 4));
	json_object_object_add(o, "seed", json_object_new_uint64(r->seed));
	json_object_object_add(o, "text", json_object_new_string(text));
	return o;
}

static int write_md(json_object *report, const char *path)
{
	char tmp[PATH_MAX + 16];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f) {
		fprintf(stderr, "hull-harness: cannot write '%s': %s\n", path, strerror(errno));
		return -1;
	}
	hull_gate_render_markdown(report, f);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		fprintf(stderr, "hull-harness: cannot write '%s': %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ---- the command ------------------------------------------------------------------ */

static void usage(FILE *out)
{
	fprintf(out,
		"Usage:\n"
		" hull-harness gate [options]\n"
		"\n"
		"The CI regression gate: measure hull's start latency as ratios to bare and\n"
		"floor from one interleaved run (full isolation and %s alone),\n"
		"run hull's isolation matrix on a shared rootfs, and compare with the\n"
		"baseline. A ratio regresses when the lower bound of its 95%% confidence\n"
		"interval exceeds baseline x (1 + tolerance); any isolation mismatch fails.\n"
		"\n"
		"Options:\n"
		"     --baseline FILE      baseline to compare with (default\n"
		"                            reports/baseline.json)\n"
		"     --write-baseline FILE  measure and write a new baseline instead\n"
		" -t, --tolerance T        allowed slowdown of a ratio (default %.2f = 10%%)\n"
		" -n, --iterations N       starts per runtime (default 300)\n"
		" -w, --warmup N           discarded starts per runtime first (default 10)\n"
		"     --min-samples N      fewer good starts than this: could not measure\n"
		"                            (default %d)\n"
		"     --only WHAT          latency or isolation (default both)\n"
		"     --latency FILE       judge this `hull-harness latency` JSON report\n"
		"                            instead of measuring\n"
		"     --matrix FILE        judge this `hull-harness matrix --json` output\n"
		"                            instead of running the isolation checks\n"
		"     --json FILE          write the gate report (JSON, raw samples in ns)\n"
		"     --markdown FILE      write the verdict table as Markdown\n"
		"     --raw-dir DIR        keep the raw latency, smoke and matrix outputs\n"
		"                            there (default: next to --json, else discarded)\n"
		"     --rootfs DIR         rootfs with /bin/hull-probe (default ../rootfs\n"
		"                            next to this program's directory)\n"
		"     --commit ID          source commit for the reports' context\n"
		" -q, --quiet              no progress on stderr\n"
		" -h, --help               display this help\n"
		"\n"
		"Exit status: 0 pass, 1 regression (latency or isolation), 2 could not\n"
		"measure (too few samples, a missing or malformed baseline, bad usage).\n",
		HULL_GATE_NS_EACH, HULL_GATE_TOLERANCE, HULL_GATE_MIN_SAMPLES);
}

static int parse_count(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "hull-harness: invalid number '%s' (%ld..%ld)\n", s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct gate_opts *o)
{
	enum {
		OPT_BASELINE = 256,
		OPT_WRITE,
		OPT_MIN,
		OPT_ONLY,
		OPT_LATENCY,
		OPT_MATRIX,
		OPT_JSON,
		OPT_MD,
		OPT_RAW,
		OPT_ROOTFS,
		OPT_COMMIT,
	};
	static const struct option longopts[] = {
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "write-baseline", required_argument, NULL, OPT_WRITE },
		{ "tolerance", required_argument, NULL, 't' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "min-samples", required_argument, NULL, OPT_MIN },
		{ "only", required_argument, NULL, OPT_ONLY },
		{ "latency", required_argument, NULL, OPT_LATENCY },
		{ "matrix", required_argument, NULL, OPT_MATRIX },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "markdown", required_argument, NULL, OPT_MD },
		{ "raw-dir", required_argument, NULL, OPT_RAW },
		{ "rootfs", required_argument, NULL, OPT_ROOTFS },
		{ "commit", required_argument, NULL, OPT_COMMIT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int c;
	char *end;

	*o = (struct gate_opts){ .baseline = "reports/baseline.json",
				 .iterations = 300,
				 .warmup = 10,
				 .do_latency = true,
				 .do_isolation = true };
	hull_gate_rule_default(&o->rule);
	optind = 1;
	while ((c = getopt_long(argc, argv, "+t:n:w:qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_BASELINE:
			o->baseline = optarg;
			break;
		case OPT_WRITE:
			o->write_baseline = optarg;
			break;
		case 't':
			errno = 0;
			o->rule.tolerance = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(o->rule.tolerance >= 0) ||
			    o->rule.tolerance >= 10) {
				fprintf(stderr,
					"hull-harness: invalid tolerance '%s' (0 <= T < 10)\n",
					optarg);
				return -1;
			}
			break;
		case 'n':
			if (parse_count(optarg, 1, 1000000, &v) < 0)
				return -1;
			o->iterations = (int)v;
			break;
		case 'w':
			if (parse_count(optarg, 0, 10000, &v) < 0)
				return -1;
			o->warmup = (int)v;
			break;
		case OPT_MIN:
			if (parse_count(optarg, 2, 1000000, &v) < 0)
				return -1;
			o->rule.min_samples = (size_t)v;
			break;
		case OPT_ONLY:
			if (strcmp(optarg, "latency") == 0) {
				o->do_isolation = false;
			} else if (strcmp(optarg, "isolation") == 0) {
				o->do_latency = false;
			} else {
				fprintf(stderr,
					"hull-harness: --only takes latency or isolation\n");
				return -1;
			}
			break;
		case OPT_LATENCY:
			o->latency_in = optarg;
			break;
		case OPT_MATRIX:
			o->matrix_in = optarg;
			break;
		case OPT_JSON:
			o->json_out = optarg;
			break;
		case OPT_MD:
			o->md_out = optarg;
			break;
		case OPT_RAW:
			o->raw_dir = optarg;
			break;
		case OPT_ROOTFS:
			o->rootfs = optarg;
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
	if (o->write_baseline && (!o->do_latency || !o->do_isolation)) {
		fputs("hull-harness: a baseline needs both latency and isolation (no --only)\n",
		      stderr);
		return -1;
	}
	return 0;
}

/* A directory for the raw outputs: --raw-dir, the --json file's directory,
 * or a temporary one (*tmp set: remove it afterwards). */
static int raw_dir(const struct gate_opts *o, char *buf, size_t len, bool *tmp)
{
	*tmp = false;
	if (o->raw_dir) {
		snprintf(buf, len, "%s", o->raw_dir);
	} else if (o->json_out || o->write_baseline) {
		snprintf(buf, len, "%s", o->json_out ? o->json_out : o->write_baseline);
		char *slash = strrchr(buf, '/');
		if (slash)
			*slash = '\0';
		else
			snprintf(buf, len, ".");
		if (o->write_baseline && !o->json_out) {
			/* Keep the baseline's directory (reports/, committed)
			 * free of raw outputs. */
			snprintf(buf, len, "/tmp/hull-gate-XXXXXX");
			if (!mkdtemp(buf))
				return -1;
			*tmp = true;
		}
	} else {
		snprintf(buf, len, "/tmp/hull-gate-XXXXXX");
		if (!mkdtemp(buf))
			return -1;
		*tmp = true;
	}
	if (!*tmp && mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static void remove_raw(const char *dir)
{
	static const char *const names[] = { "gate-latency.json", "gate-smoke-pivot_root.json",
					     "gate-smoke-chroot.json", "gate-matrix.json" };
	char path[PATH_MAX + 64];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

int hull_harness_gate(int argc, char **argv)
{
	struct gate_opts o;
	struct hull_err err = { 0 };
	double base[16] = { 0 };
	json_object *base_doc = NULL, *latency = NULL;
	char raw[PATH_MAX], rootfs[PATH_MAX], why[512] = "";
	bool raw_tmp = false;
	int ret = parse_opts(argc, argv, &o);

	if (ret != 0)
		return ret > 0 ? 0 : HULL_GATE_EXIT_UNMEASURED;
	if (!o.write_baseline && hull_gate_baseline_load(o.baseline, base, &base_doc, &err) < 0) {
		fprintf(stderr, "hull-harness: %s\n", err.msg);
		return HULL_GATE_EXIT_UNMEASURED;
	}
	bool measure = (o.do_latency && !o.latency_in) || (o.do_isolation && !o.matrix_in);
	if (measure) {
		if (!o.rootfs) {
			const char *dir = hh_self_dir();
			snprintf(raw, sizeof(raw), "%s/../rootfs", dir ? dir : ".");
			o.rootfs = raw;
		}
		if (!realpath(o.rootfs, rootfs)) {
			fprintf(stderr,
				"hull-harness: cannot find the rootfs '%s' (use --rootfs)\n",
				o.rootfs);
			json_object_put(base_doc);
			return HULL_GATE_EXIT_UNMEASURED;
		}
		o.rootfs = rootfs;
	}
	if (raw_dir(&o, raw, sizeof(raw), &raw_tmp) < 0) {
		fprintf(stderr, "hull-harness: cannot make a directory for raw outputs: %s\n",
			strerror(errno));
		json_object_put(base_doc);
		return HULL_GATE_EXIT_UNMEASURED;
	}

	/* Latency. */
	size_t nm = hull_gate_metric_count;
	struct hull_gate_judgement j[16];
	struct hull_samples num[16] = { 0 }, den[16] = { 0 };
	enum hull_gate_verdict verdicts[17];
	size_t nv = 0;
	if (o.do_latency) {
		if (o.latency_in) {
			latency = json_object_from_file(o.latency_in);
			if (!latency)
				snprintf(why, sizeof(why), "cannot read latency report '%s'",
					 o.latency_in);
		} else {
			latency = measure_latency(&o, raw, why, sizeof(why));
		}
		for (size_t i = 0; i < nm; i++) {
			struct hull_gate_rule rule = o.rule;
			if (latency && hull_gate_metric_samples(latency, &hull_gate_metrics[i],
								&num[i], &den[i], &err) < 0) {
				hull_samples_free(&num[i]);
				hull_samples_free(&den[i]);
				snprintf(why, sizeof(why), "%.480s", err.msg);
			}
			hull_gate_judge(num[i].v, num[i].n, den[i].v, den[i].n,
					o.write_baseline ? 1.0 : base[i], &rule, &j[i]);
			if (!latency || (j[i].verdict == HULL_GATE_UNMEASURED && why[0] &&
					 num[i].n == 0 && den[i].n == 0))
				snprintf(j[i].note, sizeof(j[i].note), "%.190s",
					 why[0] ? why : "no latency report");
			/* A baseline run has nothing to compare with: only
			 * whether it measured counts. */
			verdicts[nv++] = !o.write_baseline ? j[i].verdict
					 : j[i].verdict == HULL_GATE_UNMEASURED
						 ? HULL_GATE_UNMEASURED
						 : HULL_GATE_PASS;
		}
	}

	/* Isolation. */
	struct iso iso = { .verdict = HULL_GATE_PASS,
			   .cells = -1,
			   .smoke = json_object_new_array(),
			   .first = json_object_new_array() };
	if (o.do_isolation) {
		if (o.matrix_in) {
			json_object *doc = json_object_from_file(o.matrix_in);
			if (!doc) {
				iso.verdict = HULL_GATE_UNMEASURED;
				snprintf(iso.note, sizeof(iso.note),
					 "cannot read matrix output '%s'", o.matrix_in);
			} else {
				judge_matrix(doc, 0, &iso);
			}
			json_object_put(doc);
		} else {
			measure_isolation(&o, raw, &iso);
		}
		verdicts[nv++] = iso.verdict;
	}
	int status = hull_gate_exit_status(verdicts, nv);

	/* The report. */
	json_object *r = json_object_new_object();
	json_object_object_add(r, "schema_version", json_object_new_int(HULL_GATE_SCHEMA_VERSION));
	json_object_object_add(r, "tool",
			       json_object_new_string(o.write_baseline ? HULL_GATE_BASELINE_TOOL
								       : "hull-harness gate"));
	json_object_object_add(r, "context", hull_report_context(o.commit));
	json_object *cfg = json_object_new_object();
	json_object_object_add(cfg, "iterations",
			       o.latency_in ? NULL : json_object_new_int(o.iterations));
	json_object_object_add(cfg, "warmup", o.latency_in ? NULL : json_object_new_int(o.warmup));
	json_object_object_add(cfg, "ns_each", json_object_new_string(HULL_GATE_NS_EACH));
	json_object_object_add(cfg, "latency_report",
			       o.latency_in ? json_object_new_string(o.latency_in) : NULL);
	json_object_object_add(cfg, "matrix_output",
			       o.matrix_in ? json_object_new_string(o.matrix_in) : NULL);
	json_object_object_add(r, "config", cfg);
	json_object_object_add(r, "rule", rule_json(&o.rule));
	if (!o.write_baseline) {
		json_object *b = json_object_new_object();
		json_object *bctx = hull_json_get(base_doc, "context");
		json_object_object_add(b, "path", json_object_new_string(o.baseline));
		json_object_object_add(
			b, "commit",
			json_object_new_string(hull_json_get_string(bctx, "commit", "unknown")));
		json_object_object_add(
			b, "date",
			json_object_new_string(hull_json_get_string(bctx, "date", "unknown")));
		json_object_object_add(
			b, "host",
			json_object_new_string(hull_json_get_string(bctx, "host", "unknown")));
		json_object_object_add(r, "baseline", b);
	}
	json_object *ms = json_object_new_array();
	for (size_t i = 0; o.do_latency && i < nm; i++)
		json_object_array_add(ms, metric_json(&hull_gate_metrics[i], &j[i], &num[i],
						      &den[i], o.write_baseline != NULL));
	json_object_object_add(r, "metrics", ms);
	if (o.do_isolation) {
		json_object *io = json_object_new_object();
		json_object_object_add(io, "runtime", json_object_new_string("hull"));
		json_object_object_add(io, "shared_rootfs", json_object_new_boolean(1));
		json_object_object_add(io, "verdict",
				       json_object_new_string(hull_gate_verdict_name(iso.verdict)));
		json_object_object_add(io, "note", json_object_new_string(iso.note));
		json_object_object_add(io, "cells",
				       iso.cells >= 0 ? json_object_new_int64(iso.cells) : NULL);
		json_object_object_add(io, "started", json_object_new_int64(iso.started));
		json_object_object_add(io, "mismatches", json_object_new_int64(iso.mismatches));
		json_object_object_add(io, "mismatch_cells",
				       json_object_new_int64(iso.mismatch_cells));
		json_object *bi = hull_json_get(base_doc, "isolation");
		json_object_object_add(io, "baseline_cells",
				       bi ? json_object_new_int64(hull_json_get_int(bi, "cells", 0))
					  : NULL);
		json_object_object_add(io, "smoke", json_object_get(iso.smoke));
		json_object_object_add(io, "first_mismatches", json_object_get(iso.first));
		json_object_object_add(r, "isolation", io);
	}
	json_object_object_add(r, "verdict",
			       json_object_new_string(status == 0   ? "pass"
						      : status == 1 ? "regression"
								    : "could not measure"));
	json_object_object_add(r, "exit_status", json_object_new_int(status));

	if (o.write_baseline) {
		/* A baseline is only as good as the run it comes from. */
		if (status == 0) {
			json_object_object_del(r, "rule");
			json_object_object_del(r, "verdict");
			json_object_object_del(r, "exit_status");
			if (hull_report_write_json(r, o.write_baseline, &err) < 0) {
				fprintf(stderr, "hull-harness: %s\n", err.msg);
				status = HULL_GATE_EXIT_UNMEASURED;
			}
		}
		for (size_t i = 0; i < nm; i++)
			if (j[i].measured)
				printf("%-22s %.3f (95%% CI %.3f – %.3f, n %zu/%zu)\n",
				       hull_gate_metrics[i].name, j[i].now.ratio, j[i].now.ci_lo,
				       j[i].now.ci_hi, j[i].now.n_num, j[i].now.n_den);
			else
				printf("%-22s unmeasured: %s\n", hull_gate_metrics[i].name,
				       j[i].note);
		printf("isolation: %s, %lld cells, %lld mismatches%s%s\n",
		       hull_gate_verdict_name(iso.verdict), (long long)iso.cells,
		       (long long)iso.mismatches, iso.note[0] ? "; " : "", iso.note);
		if (status == 0)
			printf("baseline written to %s\n", o.write_baseline);
		else
			fprintf(stderr, "hull-harness: no baseline written: the run %s\n",
				status == 1 ? "shows an isolation mismatch" : "is incomplete");
	} else {
		hull_gate_print_table(r, stdout);
		if (o.json_out && hull_report_write_json(r, o.json_out, &err) < 0) {
			fprintf(stderr, "hull-harness: %s\n", err.msg);
			if (status == 0)
				status = HULL_GATE_EXIT_UNMEASURED;
		}
		if (o.md_out && write_md(r, o.md_out) < 0 && status == 0)
			status = HULL_GATE_EXIT_UNMEASURED;
	}

	json_object_put(r);
	json_object_put(iso.smoke);
	json_object_put(iso.first);
	json_object_put(latency);
	json_object_put(base_doc);
	for (size_t i = 0; i < nm; i++) {
		hull_samples_free(&num[i]);
		hull_samples_free(&den[i]);
	}
	if (raw_tmp)
		remove_raw(raw);
	return status;
}
