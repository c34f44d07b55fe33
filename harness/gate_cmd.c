/* gate_cmd.c — `hull-harness gate`: measure, compare with the committed
 * baseline, print the verdict table, write reports/gate.{json,md}, exit
 * 0 (pass), 1 (regression) or 2 (could not measure). `--write-baseline`
 * takes the same measurement and writes the baseline instead.
 *
 * The measurements are this program's own subcommands, run as child
 * processes so that each keeps its own signal handling and clean-up:
 *
 *   latency   bare, floor, hull interleaved (full isolation), plus hull and
 *             floor with HH_GATE_NS_EACH alone; raw samples kept
 *   isolate   smoke check first: hull, pivot_root and chroot, on a shared
 *             rootfs; a build that leaks mounts is caught here in
 *             milliseconds, before the matrix would multiply its leaks
 *   matrix    hull's 512 cells on a shared rootfs, against hh_rules[]
 *
 * The isolation runs happen in a private mount namespace of their own: a
 * broken build's leaked mounts stay in it and vanish with it, never on the
 * host. The decision rule is in gate.h. */
#include "commands.h"
#include "driver.h"
#include "paths.h"
#include "gate_priv.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/limits.h> /* PATH_MAX */
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

/* ---- the report ------------------------------------------------------------------- */

static json_object *samples_json(const struct hh_samples *s)
{
	json_object *a = json_object_new_array_ext((int)s->n);
	for (size_t i = 0; i < s->n; i++)
		json_object_array_add(a, json_object_new_int64((int64_t)s->v[i]));
	return a;
}

static json_object *metric_json(const struct hh_gate_metric *m, const struct hh_gate_judgement *j,
				const struct hh_samples *num, const struct hh_samples *den,
				bool baseline)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(m->name));
	json_object_object_add(o, "numerator", json_object_new_string(m->num));
	json_object_object_add(o, "denominator", json_object_new_string(m->den));
	json_object_object_add(o, "namespaces",
			       json_object_new_string(m->ns ? m->ns : "mnt,uts,pid,ipc,net"));
	if (!baseline) {
		json_object_object_add(o, "baseline", hh_json_decimal(j->baseline, 4));
		json_object_object_add(o, "limit", hh_json_decimal(j->limit, 4));
	}
	if (j->measured) {
		json_object *ci = json_object_new_array();
		json_object_array_add(ci, hh_json_decimal(j->now.ci_lo, 4));
		json_object_array_add(ci, hh_json_decimal(j->now.ci_hi, 4));
		json_object_object_add(o, "ratio", hh_json_decimal(j->now.ratio, 4));
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
				       json_object_new_string(hh_gate_verdict_name(j->verdict)));
		json_object_object_add(o, "note", json_object_new_string(j->note));
	}
	json_object *s = json_object_new_object();
	json_object_object_add(s, "numerator", samples_json(num));
	json_object_object_add(s, "denominator", samples_json(den));
	json_object_object_add(o, "samples_ns", s);
	return o;
}

static json_object *rule_json(const struct hh_gate_rule *r)
{
	char text[512];
	json_object *o = json_object_new_object();
	snprintf(text, sizeof(text),
		 "a ratio regresses when the lower bound of its 95%% CI (bootstrap, %u "
		 "resamples, of median/median) exceeds baseline x (1 + %.2f); at least %zu "
		 "starts per runtime; any isolation mismatch fails",
		 r->resamples, r->tolerance, r->min_samples);
	json_object_object_add(o, "tolerance", hh_json_decimal(r->tolerance, 4));
	json_object_object_add(o, "min_samples", json_object_new_int64((int64_t)r->min_samples));
	json_object_object_add(o, "resamples", json_object_new_int64(r->resamples));
	json_object_object_add(o, "level", hh_json_decimal(r->level, 4));
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
	hh_gate_render_markdown(report, f);
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
		" -r, --runtime RT         the runtime under test (default hull): a name or\n"
		"                            oci:PATH[,...]; for another runtime than hull\n"
		"                            the metrics are RT/floor and RT/bare\n"
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
		HH_GATE_NS_EACH, HH_GATE_TOLERANCE, HH_GATE_MIN_SAMPLES);
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
		{ "runtime", required_argument, NULL, 'r' },
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
				 .runtime = "hull",
				 .do_latency = true,
				 .do_isolation = true };
	hh_gate_rule_default(&o->rule);
	optind = 1;
	while ((c = getopt_long(argc, argv, "+t:n:w:r:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->runtime = optarg;
			break;
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
	const struct hh_runtime_info *rt = hh_runtime_lookup(o->runtime);
	if (!rt || !rt->program || rt->bench_only || strcmp(rt->name, "floor") == 0) {
		fprintf(stderr, "hull-harness: cannot gate runtime '%s'\n", o->runtime);
		return -1;
	}
	hh_gate_use_runtime(rt->name);
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

int hh_cmd_gate(int argc, char **argv)
{
	struct gate_opts o;
	struct hull_err err = { 0 };
	double base[16] = { 0 };
	json_object *base_doc = NULL, *latency = NULL;
	char raw[PATH_MAX], rootfs[PATH_MAX], why[512] = "";
	bool raw_tmp = false;
	int ret = parse_opts(argc, argv, &o);

	if (ret != 0)
		return ret > 0 ? 0 : HH_GATE_EXIT_UNMEASURED;
	if (!o.write_baseline && hh_gate_baseline_load(o.baseline, base, &base_doc, &err) < 0) {
		fprintf(stderr, "hull-harness: %s\n", err.msg);
		return HH_GATE_EXIT_UNMEASURED;
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
			return HH_GATE_EXIT_UNMEASURED;
		}
		o.rootfs = rootfs;
	}
	if (raw_dir(&o, raw, sizeof(raw), &raw_tmp) < 0) {
		fprintf(stderr, "hull-harness: cannot make a directory for raw outputs: %s\n",
			strerror(errno));
		json_object_put(base_doc);
		return HH_GATE_EXIT_UNMEASURED;
	}

	/* Latency. */
	size_t nm = hh_gate_metric_count;
	struct hh_gate_judgement j[16];
	struct hh_samples num[16] = { 0 }, den[16] = { 0 };
	enum hh_gate_verdict verdicts[17];
	size_t nv = 0;
	if (o.do_latency) {
		if (o.latency_in) {
			latency = json_object_from_file(o.latency_in);
			if (!latency)
				snprintf(why, sizeof(why), "cannot read latency report '%s'",
					 o.latency_in);
		} else {
			latency = hh_gate_measure_latency(&o, raw, why, sizeof(why));
		}
		for (size_t i = 0; i < nm; i++) {
			struct hh_gate_rule rule = o.rule;
			if (latency && hh_gate_metric_samples(latency, &hh_gate_metrics[i], &num[i],
							      &den[i], &err) < 0) {
				hh_samples_free(&num[i]);
				hh_samples_free(&den[i]);
				snprintf(why, sizeof(why), "%.480s", err.msg);
			}
			hh_gate_judge(num[i].v, num[i].n, den[i].v, den[i].n,
				      o.write_baseline ? 1.0 : base[i], &rule, &j[i]);
			if (!latency || (j[i].verdict == HH_GATE_UNMEASURED && why[0] &&
					 num[i].n == 0 && den[i].n == 0))
				snprintf(j[i].note, sizeof(j[i].note), "%.190s",
					 why[0] ? why : "no latency report");
			/* A baseline run has nothing to compare with: only
			 * whether it measured counts. */
			verdicts[nv++] = !o.write_baseline		      ? j[i].verdict
					 : j[i].verdict == HH_GATE_UNMEASURED ? HH_GATE_UNMEASURED
									      : HH_GATE_PASS;
		}
	}

	/* Isolation. */
	struct iso iso = { .verdict = HH_GATE_PASS,
			   .cells = -1,
			   .smoke = json_object_new_array(),
			   .first = json_object_new_array() };
	if (o.do_isolation) {
		if (o.matrix_in) {
			json_object *doc = json_object_from_file(o.matrix_in);
			if (!doc) {
				iso.verdict = HH_GATE_UNMEASURED;
				snprintf(iso.note, sizeof(iso.note),
					 "cannot read matrix output '%s'", o.matrix_in);
			} else {
				hh_gate_judge_matrix(doc, 0, &iso);
			}
			json_object_put(doc);
		} else {
			hh_gate_measure_isolation(&o, raw, &iso);
		}
		verdicts[nv++] = iso.verdict;
	}
	int status = hh_gate_exit_status(verdicts, nv);

	/* The report. */
	json_object *r = json_object_new_object();
	json_object_object_add(r, "schema_version", json_object_new_int(HH_GATE_SCHEMA_VERSION));
	json_object_object_add(r, "tool",
			       json_object_new_string(o.write_baseline ? HH_GATE_BASELINE_TOOL
								       : "hull-harness gate"));
	json_object_object_add(r, "context", hh_report_context(o.commit));
	json_object *cfg = json_object_new_object();
	json_object_object_add(cfg, "iterations",
			       o.latency_in ? NULL : json_object_new_int(o.iterations));
	json_object_object_add(cfg, "warmup", o.latency_in ? NULL : json_object_new_int(o.warmup));
	json_object_object_add(cfg, "ns_each", json_object_new_string(HH_GATE_NS_EACH));
	json_object_object_add(cfg, "latency_report",
			       o.latency_in ? json_object_new_string(o.latency_in) : NULL);
	json_object_object_add(cfg, "matrix_output",
			       o.matrix_in ? json_object_new_string(o.matrix_in) : NULL);
	json_object_object_add(r, "config", cfg);
	json_object_object_add(r, "rule", rule_json(&o.rule));
	if (!o.write_baseline) {
		json_object *b = json_object_new_object();
		json_object *bctx = hh_json_get(base_doc, "context");
		json_object_object_add(b, "path", json_object_new_string(o.baseline));
		json_object_object_add(
			b, "commit",
			json_object_new_string(hh_json_get_string(bctx, "commit", "unknown")));
		json_object_object_add(
			b, "date",
			json_object_new_string(hh_json_get_string(bctx, "date", "unknown")));
		json_object_object_add(
			b, "host",
			json_object_new_string(hh_json_get_string(bctx, "host", "unknown")));
		json_object_object_add(r, "baseline", b);
	}
	json_object *ms = json_object_new_array();
	for (size_t i = 0; o.do_latency && i < nm; i++)
		json_object_array_add(ms, metric_json(&hh_gate_metrics[i], &j[i], &num[i], &den[i],
						      o.write_baseline != NULL));
	json_object_object_add(r, "metrics", ms);
	if (o.do_isolation) {
		json_object *io = json_object_new_object();
		json_object_object_add(io, "runtime", json_object_new_string(o.runtime));
		json_object_object_add(io, "shared_rootfs", json_object_new_boolean(1));
		json_object_object_add(io, "verdict",
				       json_object_new_string(hh_gate_verdict_name(iso.verdict)));
		json_object_object_add(io, "note", json_object_new_string(iso.note));
		json_object_object_add(io, "cells",
				       iso.cells >= 0 ? json_object_new_int64(iso.cells) : NULL);
		json_object_object_add(io, "started", json_object_new_int64(iso.started));
		json_object_object_add(io, "mismatches", json_object_new_int64(iso.mismatches));
		json_object_object_add(io, "mismatch_cells",
				       json_object_new_int64(iso.mismatch_cells));
		json_object *bi = hh_json_get(base_doc, "isolation");
		json_object_object_add(io, "baseline_cells",
				       bi ? json_object_new_int64(hh_json_get_int(bi, "cells", 0))
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
			if (hh_report_write_json(r, o.write_baseline, &err) < 0) {
				fprintf(stderr, "hull-harness: %s\n", err.msg);
				status = HH_GATE_EXIT_UNMEASURED;
			}
		}
		for (size_t i = 0; i < nm; i++)
			if (j[i].measured)
				printf("%-22s %.3f (95%% CI %.3f – %.3f, n %zu/%zu)\n",
				       hh_gate_metrics[i].name, j[i].now.ratio, j[i].now.ci_lo,
				       j[i].now.ci_hi, j[i].now.n_num, j[i].now.n_den);
			else
				printf("%-22s unmeasured: %s\n", hh_gate_metrics[i].name,
				       j[i].note);
		printf("isolation: %s, %lld cells, %lld mismatches%s%s\n",
		       hh_gate_verdict_name(iso.verdict), (long long)iso.cells,
		       (long long)iso.mismatches, iso.note[0] ? "; " : "", iso.note);
		if (status == 0)
			printf("baseline written to %s\n", o.write_baseline);
		else
			fprintf(stderr, "hull-harness: no baseline written: the run %s\n",
				status == 1 ? "shows an isolation mismatch" : "is incomplete");
	} else {
		hh_gate_print_table(r, stdout);
		if (o.json_out && hh_report_write_json(r, o.json_out, &err) < 0) {
			fprintf(stderr, "hull-harness: %s\n", err.msg);
			if (status == 0)
				status = HH_GATE_EXIT_UNMEASURED;
		}
		if (o.md_out && write_md(r, o.md_out) < 0 && status == 0)
			status = HH_GATE_EXIT_UNMEASURED;
	}

	json_object_put(r);
	json_object_put(iso.smoke);
	json_object_put(iso.first);
	json_object_put(latency);
	json_object_put(base_doc);
	for (size_t i = 0; i < nm; i++) {
		hh_samples_free(&num[i]);
		hh_samples_free(&den[i]);
	}
	if (raw_tmp)
		remove_raw(raw);
	return status;
}
