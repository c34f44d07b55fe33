/* latency_json.c — the report of `hull-harness latency`: every variant's
 * samples and statistics, ratios of medians of the same run, the phase
 * chain, the targets, and the summary printed on stdout. */
#include "latency_bench.h"
#include "ns.h"
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the JSON report -------------------------------------------------- */

static double median_of(const struct hh_samples *s)
{
	struct hh_stats st;
	if (s->n == 0 || hh_stats_compute(s->v, s->n, &st, NULL) < 0)
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
		json_object_object_add(o, refs[i], ref > 0 ? hh_json_decimal(mine / ref, 4) : NULL);
	}
	return o;
}

static json_object *variant_json(struct bench *b, const struct variant *v, bool keep)
{
	json_object *o = json_object_new_object();
	char ns[128];
	uint64_t eff = hh_launch_effective_ns(v->launch.rt, v->ns);

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
				       : hh_launch_uses_pivot(v->launch.rt, eff, v->chroot)
					       ? "pivot_root"
					       : "chroot"));
	if (strcmp(v->runtime, "hull") == 0)
		json_object_object_add(o, "spawn",
				       json_object_new_string(v->fork ? "fork" : "clone3"));
	json_object_object_add(o, "starts", json_object_new_int64((int64_t)v->entry.n));
	json_object_object_add(o, "failures", json_object_new_int64((int64_t)v->failures));
	if (v->first_error[0])
		json_object_object_add(o, "first_error", json_object_new_string(v->first_error));
	json_object_object_add(o, "entry", hh_report_series(v->entry.v, v->entry.n, keep));
	json_object_object_add(o, "round_trip", hh_report_series(v->round.v, v->round.n, keep));
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
	for (int i = HH_LAT_SPAWN + 1; i < HH_LAT_N_MARKS; i++) {
		if (!(v->present & (1u << i)) || v->phase[i].n == 0)
			continue;
		json_object *p = hh_report_series(v->phase[i].v, v->phase[i].n, 1);
		json_object_object_add(p, "phase",
				       json_object_new_string(hh_lat_marks_info[i].phase));
		json_object_object_add(p, "until", json_object_new_string(hh_lat_mark_until(i)));
		json_object_object_add(p, "in_start", json_object_new_boolean(i <= HH_LAT_ENTRY));
		json_object_array_add(chain, p);
		if (i <= HH_LAT_ENTRY)
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
	json_object_object_add(t, "limit", hh_json_decimal(limit, 2));
	if (isfinite(value)) {
		json_object_object_add(t, "value", hh_json_decimal(value, 3));
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

/* ---- the engine path ---------------------------------------------------- */

static struct variant *find_lc(struct bench *b, const char *label)
{
	for (size_t i = 0; i < b->nv; i++)
		if (b->v[i].suite == SUITE_LIFECYCLE && strcmp(b->v[i].label, label) == 0 &&
		    b->v[i].lc[HH_LC_SUM].n > 0)
			return &b->v[i];
	return NULL;
}

static double lc_ratio(struct bench *b, const char *a, const char *ref, int step)
{
	struct variant *x = find_lc(b, a), *y = find_lc(b, ref);
	if (!x || !y)
		return NAN;
	return median_of(&x->lc[step]) / median_of(&y->lc[step]);
}

static const char *const lc_refs[] = { "crun-cgroupfs", "runc" };

static json_object *lifecycle_json(struct bench *b)
{
	json_object *o = json_object_new_object(), *rows = json_object_new_array(),
		    *ratios = json_object_new_array();

	json_object_object_add(o, "rounds", json_object_new_int(b->o.lifecycle_rounds));
	json_object_object_add(o, "command", json_object_new_string("/bin/true"));
	for (size_t i = 0; i < b->nv; i++) {
		struct variant *v = &b->v[i];
		if (v->suite != SUITE_LIFECYCLE || !v->available)
			continue;
		json_object *r = json_object_new_object();
		json_object_object_add(r, "name", json_object_new_string(v->label));
		json_object_object_add(r, "runtime", json_object_new_string(v->runtime));
		json_object_object_add(r, "program", json_object_new_string(v->launch.argv[0]));
		json_object_object_add(r, "started",
				       json_object_new_string(hh_runtime_started(v->launch.rt)));
		json_object_object_add(r, "cgroups_path", json_object_new_string(v->cgroups_path));
		json_object_object_add(r, "lifecycles",
				       json_object_new_int64((int64_t)v->lc[HH_LC_SUM].n));
		json_object_object_add(r, "failures", json_object_new_int64((int64_t)v->failures));
		if (v->first_error[0])
			json_object_object_add(r, "first_error",
					       json_object_new_string(v->first_error));
		for (int k = 0; k < HH_LC_N; k++)
			json_object_object_add(r, hh_lc_step_names[k],
					       hh_report_series(v->lc[k].v, v->lc[k].n, 1));
		json_object_array_add(rows, r);
	}
	for (size_t i = 0; i < N_ELEMS(lc_refs); i++) {
		json_object *r = json_object_new_object();
		char name[64];
		snprintf(name, sizeof(name), "hull / %s", lc_refs[i]);
		json_object_object_add(r, "name", json_object_new_string(name));
		for (int k = 0; k < HH_LC_N; k++) {
			double x = lc_ratio(b, "hull", lc_refs[i], k);
			json_object_object_add(r, hh_lc_step_names[k],
					       isfinite(x) ? hh_json_decimal(x, 4) : NULL);
		}
		json_object_array_add(ratios, r);
	}
	json_object_object_add(o, "runtimes", rows);
	json_object_object_add(o, "ratios", ratios);
	return o;
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
	/* Pool mode (issue 16): a warm slot under the floor, with limits too
	 * (no cgroup migration on the request path). */
	json_object_array_add(t, target("hull-pool / floor", "entry",
					ratio_of(b, "hull-pool", "floor", 0), 0.60,
					"hull-pool or floor not measured"));
	json_object_array_add(t, target("hull-pool / bare", "entry",
					ratio_of(b, "hull-pool", "bare", 0), 2.50,
					"hull-pool or bare not measured"));
	json_object_array_add(t, target("hull-pool-limits / floor", "entry",
					ratio_of(b, "hull-pool-limits", "floor", 0), 0.60,
					"hull-pool-limits or floor not measured"));
	hh_lat_pool_targets(b, t);
	/* The engine path (issue 18): create + start + delete. */
	json_object_array_add(t, target("lifecycle hull / crun-cgroupfs", "create+start+delete",
					lc_ratio(b, "hull", "crun-cgroupfs", HH_LC_SUM), 0.30,
					"lifecycle of hull or crun-cgroupfs not measured"));
	json_object_array_add(t, target("lifecycle hull / runc", "create+start+delete",
					lc_ratio(b, "hull", "runc", HH_LC_SUM), 0.15,
					"lifecycle of hull or runc not measured"));
	return t;
}

json_object *hh_lat_build_report(struct bench *b)
{
	json_object *r = json_object_new_object(), *cfg = json_object_new_object();

	json_object_object_add(r, "schema_version", json_object_new_int(HH_REPORT_SCHEMA_VERSION));
	json_object_object_add(r, "tool", json_object_new_string("hull-harness latency"));
	json_object_object_add(r, "context", hh_report_context(b->o.commit));

	json_object_object_add(cfg, "iterations", json_object_new_int(b->o.iterations));
	json_object_object_add(cfg, "warmup", json_object_new_int(b->o.warmup));
	json_object_object_add(cfg, "namespaces", json_object_new_string(b->o.ns_list));
	json_object_object_add(cfg, "rootfs", json_object_new_string(b->o.rootfs));
	json_object *cmd = json_object_new_array();
	for (char **a = hh_lat_probe_argv; *a; a++)
		json_object_array_add(cmd, json_object_new_string(*a));
	json_object_object_add(cfg, "command", cmd);
	json_object_object_add(cfg, "cpu", b->o.cpu >= 0 ? json_object_new_int(b->o.cpu) : NULL);
	json_object_object_add(cfg, "interleaved", json_object_new_boolean(1));
	json_object *suites = json_object_new_array();
	for (int s = 0; s < N_SUITES; s++)
		if (b->o.suites[s])
			json_object_array_add(suites,
					      json_object_new_string(hh_lat_suite_names[s]));
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
				hh_json_decimal(lv->wall_ns ? (double)lv->containers * 1e9 /
								      (double)lv->wall_ns
							    : 0,
						1));
			json_object_object_add(o, "round_trip",
					       hh_report_series(lv->round.v, lv->round.n, 1));
			json_object_object_add(o, "entry",
					       hh_report_series(lv->entry.v, lv->entry.n, 1));
			json_object_array_add(cc, o);
		}
		json_object_object_add(r, "concurrency", cc);
	}
	if (b->o.suites[SUITE_LIFECYCLE])
		json_object_object_add(r, "lifecycle", lifecycle_json(b));
	if (b->o.suites[SUITE_POOL])
		json_object_object_add(r, "pool", hh_lat_pool_json(b));
	if (b->o.suites[SUITE_RUNTIMES] || b->o.suites[SUITE_LIFECYCLE] || b->o.suites[SUITE_POOL])
		json_object_object_add(r, "targets", targets_json(b));
	return r;
}

static void print_targets(json_object *report);

static int cmp_median(const void *a, const void *b)
{
	double x = hh_json_get_double(hh_json_get(*(json_object *const *)a, "entry"), "median_ns",
				      INFINITY);
	double y = hh_json_get_double(hh_json_get(*(json_object *const *)b, "entry"), "median_ns",
				      INFINITY);
	return (x > y) - (x < y);
}

/* The figures a person wants at the end of a run, on stdout. */
void hh_lat_print_summary(json_object *report)
{
	json_object *rt = hh_json_get(report, "runtimes");
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
			json_object *e = hh_json_get(v[i], "entry");
			json_object *rr = hh_json_get(hh_json_get(v[i], "ratios"), "entry");
			if (!e) {
				printf("%-14s %12s\n", hh_json_get_string(v[i], "name", "?"),
				       "failed");
				continue;
			}
			hh_fmt_duration(hh_json_get_double(e, "median_ns", NAN), a, sizeof(a));
			hh_fmt_duration(hh_json_get_double(hh_json_get(v[i], "round_trip"),
							   "median_ns", NAN),
					b, sizeof(b));
			printf("%-14s %12s %12s %8.2fx %8.2fx\n",
			       hh_json_get_string(v[i], "name", "?"), a, b,
			       hh_json_get_double(rr, "floor", NAN),
			       hh_json_get_double(rr, "crun", NAN));
		}
		free(v);
	}
	print_targets(report);
}

static void print_targets(json_object *report)
{
	json_object *t = hh_json_get(report, "targets");
	if (!t)
		return;
	printf("targets (reported, not asserted):\n");
	for (size_t i = 0; i < json_object_array_length(t); i++) {
		json_object *x = json_object_array_get_idx(t, i);
		json_object *met = hh_json_get(x, "met");
		printf("  %-22s %-10s %8s  (limit %s)  %s\n", hh_json_get_string(x, "name", ""),
		       hh_json_get_string(x, "metric", ""),
		       hh_json_get(x, "value") ? json_object_get_string(hh_json_get(x, "value"))
					       : "-",
		       json_object_get_string(hh_json_get(x, "limit")),
		       !met			      ? hh_json_get_string(x, "note", "")
		       : json_object_get_boolean(met) ? "met"
						      : "MISSED");
	}
}
