/* latency_report.c — the latency report as Markdown, and the merge of the
 * microbenchmark and hyperfine exports into it; see latency.h.
 *
 * Everything here reads the JSON report, never the measurement's memory:
 * `hull-harness latency render` can redo the tables of any saved run. */
#include "latency.h"
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static json_object *arr_at(json_object *a, size_t i)
{
	return json_object_array_get_idx(a, i);
}

static size_t arr_len(json_object *a)
{
	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static void dur(json_object *o, const char *key, char *buf, size_t len)
{
	json_object *v = hh_json_get(o, key);
	if (!v) {
		snprintf(buf, len, "-");
		return;
	}
	hh_fmt_duration(json_object_get_double(v), buf, len);
}

static void ratio(json_object *o, const char *key, char *buf, size_t len)
{
	json_object *v = hh_json_get(o, key);
	if (!v || json_object_is_type(v, json_type_null))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2f×", json_object_get_double(v));
}

/* ---- sections ---------------------------------------------------------- */

static void context_section(json_object *r, FILE *out)
{
	json_object *c = hh_json_get(r, "context"), *cfg = hh_json_get(r, "config");

	fputs("# hull startup latency\n\n", out);
	fprintf(out,
		"%s, kernel %s, %lld CPUs (%s), cgroup layout %s; hull %s, commit %s, "
		"%s build (%s), hull linked with %s; %s.\n",
		hh_json_get_string(c, "host", "?"), hh_json_get_string(c, "kernel", "?"),
		(long long)hh_json_get_int(c, "cpus", 0), hh_json_get_string(c, "cpu_model", "?"),
		hh_json_get_string(c, "cgroup_layout", "?"), hh_json_get_string(c, "version", "?"),
		hh_json_get_string(c, "commit", "?"), hh_json_get_string(c, "build_type", "?"),
		hh_json_get_string(c, "build_flags", "?"), hh_json_get_string(c, "hull_libc", "?"),
		hh_json_get_string(c, "date", "?"));
	if (cfg) {
		json_object *cpu = hh_json_get(cfg, "cpu");
		fprintf(out,
			"%lld measured starts per runtime after %lld warm-up, interleaved; "
			"command `hull-probe --stamp`; %s.\n",
			(long long)hh_json_get_int(cfg, "iterations", 0),
			(long long)hh_json_get_int(cfg, "warmup", 0),
			cpu && json_object_is_type(cpu, json_type_int) ? "pinned to one CPU"
								       : "not pinned");
	}
	fputs("\n*Start* is from just before the runtime is spawned to the probe's first "
	      "instruction in main; *round trip* until the runtime has exited and been "
	      "reaped. Medians with a 95% confidence interval of the median (order "
	      "statistics); ratios are of medians from this same run.\n\n",
	      out);
}

static int cmp_entry_median(const void *a, const void *b)
{
	json_object *x = *(json_object *const *)a, *y = *(json_object *const *)b;
	double mx = hh_json_get_double(hh_json_get(x, "entry"), "median_ns", INFINITY);
	double my = hh_json_get_double(hh_json_get(y, "entry"), "median_ns", INFINITY);
	return (mx > my) - (mx < my);
}

static void runtimes_section(json_object *r, FILE *out)
{
	json_object *rt = hh_json_get(r, "runtimes"), *cfg = hh_json_get(r, "config");
	size_t n = arr_len(rt);

	if (!rt)
		return;
	fprintf(out, "## Runtimes, ranked (namespaces %s)\n\n",
		hh_json_get_string(cfg, "namespaces", "?"));
	json_object **sorted = calloc(n ? n : 1, sizeof(*sorted));
	if (!sorted)
		return;
	for (size_t i = 0; i < n; i++)
		sorted[i] = arr_at(rt, i);
	qsort(sorted, n, sizeof(*sorted), cmp_entry_median);

	static const char *const head[] = { "runtime", "start median", "95% CI",   "p90",
					    "p99",     "round trip",   "× floor",  "× bare",
					    "× crun",  "× runc",       "peak RSS", "failed" };
	hh_md_table_head(out, N_ELEMS(head), head, "lrrrrrrrrrrr");
	for (size_t i = 0; i < n; i++) {
		json_object *v = sorted[i], *e = hh_json_get(v, "entry");
		json_object *rat = hh_json_get(hh_json_get(v, "ratios"), "entry");
		json_object *rss = hh_json_get(v, "rss");
		char name[96], med[32], ci[80], lo[32], hi[32], p90[32], p99[32], rtt[32];
		char xf[16], xb[16], xc[16], xr[16], mem[32], fail[32];

		snprintf(name, sizeof(name), "%s", hh_json_get_string(v, "name", "?"));
		if (!e) {
			const char *cells[N_ELEMS(head)] = { name, "failed" };
			for (size_t k = 2; k < N_ELEMS(head); k++)
				cells[k] = "-";
			snprintf(fail, sizeof(fail), "%lld",
				 (long long)hh_json_get_int(v, "failures", 0));
			cells[N_ELEMS(head) - 1] = fail;
			hh_md_table_row(out, N_ELEMS(head), cells);
			continue;
		}
		dur(e, "median_ns", med, sizeof(med));
		json_object *cia = hh_json_get(e, "ci95_median_ns");
		if (arr_len(cia) == 2) {
			hh_fmt_duration(json_object_get_double(arr_at(cia, 0)), lo, sizeof(lo));
			hh_fmt_duration(json_object_get_double(arr_at(cia, 1)), hi, sizeof(hi));
			snprintf(ci, sizeof(ci), "%s – %s", lo, hi);
		} else {
			snprintf(ci, sizeof(ci), "-");
		}
		dur(e, "p90_ns", p90, sizeof(p90));
		dur(e, "p99_ns", p99, sizeof(p99));
		dur(hh_json_get(v, "round_trip"), "median_ns", rtt, sizeof(rtt));
		ratio(rat, "floor", xf, sizeof(xf));
		ratio(rat, "bare", xb, sizeof(xb));
		ratio(rat, "crun", xc, sizeof(xc));
		ratio(rat, "runc", xr, sizeof(xr));
		if (rss)
			snprintf(mem, sizeof(mem), "%.2f MiB",
				 (double)hh_json_get_int(rss, "peak_kib", 0) / 1024.0);
		else
			snprintf(mem, sizeof(mem), "-");
		snprintf(fail, sizeof(fail), "%lld/%lld",
			 (long long)hh_json_get_int(v, "failures", 0),
			 (long long)(hh_json_get_int(v, "failures", 0) +
				     hh_json_get_int(v, "starts", 0)));
		const char *cells[] = { name, med, ci, p90, p99, rtt, xf, xb, xc, xr, mem, fail };
		hh_md_table_row(out, N_ELEMS(cells), cells);
	}
	free(sorted);
	fputs("\n", out);

	json_object *sk = hh_json_get(r, "skipped");
	if (arr_len(sk)) {
		fputs("Skipped:\n\n", out);
		for (size_t i = 0; i < arr_len(sk); i++)
			fprintf(out, "- %s (%s): %s\n",
				hh_json_get_string(arr_at(sk, i), "name", "?"),
				hh_json_get_string(arr_at(sk, i), "suite", "?"),
				hh_json_get_string(arr_at(sk, i), "reason", "?"));
		fputs("\n", out);
	}
	fputs("How each runtime was started (the timer reads the clock just before the "
	      "spawn and just after the reap; no wrapper process in any sample):\n\n",
	      out);
	for (size_t i = 0; i < n; i++) {
		json_object *v = arr_at(rt, i);
		fprintf(out, "- %s: `%s`; %s\n", hh_json_get_string(v, "name", "?"),
			hh_json_get_string(v, "program", "-"),
			hh_json_get_string(v, "started", "?"));
	}
	fputs("\n", out);
	for (size_t i = 0; i < n; i++) {
		json_object *v = arr_at(rt, i);
		const char *fe = hh_json_get_string(v, "first_error", NULL);
		if (fe)
			fprintf(out, "- %s: first failure: `%s`\n",
				hh_json_get_string(v, "name", "?"), fe);
	}
}

static void targets_section(json_object *r, FILE *out)
{
	json_object *t = hh_json_get(r, "targets");
	if (!arr_len(t))
		return;
	fputs("\n## Targets (reported, not asserted)\n\n", out);
	static const char *const head[] = { "target", "metric", "value", "limit", "status" };
	hh_md_table_head(out, N_ELEMS(head), head, "llrrl");
	for (size_t i = 0; i < arr_len(t); i++) {
		json_object *x = arr_at(t, i), *v = hh_json_get(x, "value"),
			    *met = hh_json_get(x, "met");
		char val[32], lim[32];
		snprintf(val, sizeof(val), "%s", v ? json_object_get_string(v) : "-");
		snprintf(lim, sizeof(lim), "≤ %s", json_object_get_string(hh_json_get(x, "limit")));
		const char *cells[] = { hh_json_get_string(x, "name", "?"),
					hh_json_get_string(x, "metric", "?"), val, lim,
					!met ? hh_json_get_string(x, "note", "not measured")
					: json_object_get_boolean(met) ? "met"
								       : "**missed**" };
		hh_md_table_row(out, N_ELEMS(cells), cells);
	}
	fputs("\n", out);
}

static json_object *phase_of(json_object *variant, const char *until)
{
	json_object *chain = hh_json_get(variant, "chain");
	for (size_t i = 0; i < arr_len(chain); i++)
		if (strcmp(hh_json_get_string(arr_at(chain, i), "until", ""), until) == 0)
			return arr_at(chain, i);
	return NULL;
}

static void phases_section(json_object *r, FILE *out)
{
	json_object *ph = hh_json_get(r, "phases");
	size_t nv = arr_len(ph);
	if (!nv)
		return;

	json_object *first = arr_at(ph, 0);
	double entry = hh_json_get_double(first, "entry_median_ns", NAN);
	fprintf(out,
		"## Where hull's time goes (median per phase, %lld starts)\n\n"
		"Each phase ends at a `--trace-fd` mark of hull (or the probe's entry stamp) "
		"and starts at the previous one; \"share\" is of %s's start median.\n\n",
		(long long)hh_json_get_int(first, "starts", 0),
		hh_json_get_string(first, "name", "hull"));

	const char *head[2 + 8 + 1];
	size_t ncols = 0;
	head[ncols++] = "phase";
	head[ncols++] = "until";
	for (size_t k = 0; k < nv && k < 8; k++)
		head[ncols++] = hh_json_get_string(arr_at(ph, k), "name", "?");
	head[ncols++] = "share";
	char align[16];
	memset(align, 'r', sizeof(align));
	align[0] = align[1] = 'l';
	align[ncols] = '\0';
	hh_md_table_head(out, ncols, head, align);

	/* Rows in chain order (the marks' order), the union over variants:
	 * an optional phase (the cgroup step, the pool's hand-over) sits in
	 * its place. */
	for (int m = HH_LAT_SPAWN + 1; m < HH_LAT_N_MARKS; m++) {
		const char *until = hh_lat_mark_until(m);
		json_object *row = NULL;
		for (size_t j = 0; j < nv && j < 8 && !row; j++)
			row = phase_of(arr_at(ph, j), until);
		if (!row)
			continue;
		char cells_buf[8][32], share[32];
		const char *cells[2 + 8 + 1];
		size_t c = 0;
		cells[c++] = hh_json_get_string(row, "phase", "?");
		cells[c++] = until;
		for (size_t j = 0; j < nv && j < 8; j++) {
			json_object *p = phase_of(arr_at(ph, j), until);
			if (p)
				dur(p, "median_ns", cells_buf[j], sizeof(cells_buf[j]));
			else
				snprintf(cells_buf[j], sizeof(cells_buf[j]), "-");
			cells[c++] = cells_buf[j];
		}
		/* The share is of the first variant's start; a phase it does
		 * not have gets none. */
		json_object *p0 = phase_of(first, until);
		if (!p0)
			snprintf(share, sizeof(share), "-");
		else if (json_object_get_boolean(hh_json_get(p0, "in_start")) && entry > 0)
			snprintf(share, sizeof(share), "%.0f%%",
				 100 * hh_json_get_double(p0, "median_ns", 0) / entry);
		else
			snprintf(share, sizeof(share), "after start");
		cells[c++] = share;
		hh_md_table_row(out, c, cells);
	}

	/* Totals: medians do not add up exactly; show how close they are. */
	char buf[8][32];
	const char *sum_cells[2 + 8 + 1], *ent_cells[2 + 8 + 1];
	size_t c = 0;
	sum_cells[c] = "sum of medians to entry";
	ent_cells[c++] = "start median (end to end)";
	sum_cells[c] = "";
	ent_cells[c++] = "probe entry";
	char ebuf[8][32];
	for (size_t j = 0; j < nv && j < 8; j++) {
		dur(arr_at(ph, j), "sum_of_medians_to_entry_ns", buf[j], sizeof(buf[j]));
		dur(arr_at(ph, j), "entry_median_ns", ebuf[j], sizeof(ebuf[j]));
		sum_cells[c] = buf[j];
		ent_cells[c++] = ebuf[j];
	}
	sum_cells[c] = "";
	ent_cells[c++] = "100%";
	hh_md_table_row(out, c, sum_cells);
	hh_md_table_row(out, c, ent_cells);
	fputs("\n", out);
}

static void namespaces_section(json_object *r, FILE *out)
{
	json_object *ns = hh_json_get(r, "namespaces");
	if (!arr_len(ns))
		return;
	fputs("## Cost of each namespace (start median; cost = minus `none`)\n\n", out);
	static const char *const head[] = { "namespaces", "hull",	"hull cost",
					    "floor",	  "floor cost", "hull × floor" };
	hh_md_table_head(out, N_ELEMS(head), head, "lrrrrr");
	for (size_t i = 0; i < arr_len(ns); i++) {
		json_object *row = arr_at(ns, i);
		json_object *h = hh_json_get(hh_json_get(row, "hull"), "entry");
		json_object *f = hh_json_get(hh_json_get(row, "floor"), "entry");
		char hm[32], hc[32], fm[32], fc[32], x[32];
		dur(h, "median_ns", hm, sizeof(hm));
		dur(row, "hh_cost_ns", hc, sizeof(hc));
		dur(f, "median_ns", fm, sizeof(fm));
		dur(row, "floor_cost_ns", fc, sizeof(fc));
		double a = hh_json_get_double(h, "median_ns", NAN),
		       b = hh_json_get_double(f, "median_ns", NAN);
		if (a > 0 && b > 0)
			snprintf(x, sizeof(x), "%.2f×", a / b);
		else
			snprintf(x, sizeof(x), "-");
		const char *cells[] = {
			hh_json_get_string(row, "namespaces", "?"), hm, hc, fm, fc, x
		};
		hh_md_table_row(out, N_ELEMS(cells), cells);
	}
	fputs("\n", out);
}

static void concurrency_section(json_object *r, FILE *out)
{
	json_object *cc = hh_json_get(r, "concurrency");
	if (!arr_len(cc))
		return;
	fputs("## Concurrency (hull; N starts at once, back to back)\n\n", out);
	static const char *const head[] = {
		"at once", "containers", "containers/s", "round trip median", "p90", "p99", "failed"
	};
	hh_md_table_head(out, N_ELEMS(head), head, "rrrrrrr");
	for (size_t i = 0; i < arr_len(cc); i++) {
		json_object *l = arr_at(cc, i), *rt = hh_json_get(l, "round_trip");
		char lv[16], n[16], tp[32], med[32], p90[32], p99[32], f[16];
		snprintf(lv, sizeof(lv), "%lld", (long long)hh_json_get_int(l, "level", 0));
		snprintf(n, sizeof(n), "%lld", (long long)hh_json_get_int(l, "containers", 0));
		snprintf(tp, sizeof(tp), "%.0f", hh_json_get_double(l, "containers_per_s", 0));
		dur(rt, "median_ns", med, sizeof(med));
		dur(rt, "p90_ns", p90, sizeof(p90));
		dur(rt, "p99_ns", p99, sizeof(p99));
		snprintf(f, sizeof(f), "%lld", (long long)hh_json_get_int(l, "failures", 0));
		const char *cells[] = { lv, n, tp, med, p90, p99, f };
		hh_md_table_row(out, N_ELEMS(cells), cells);
	}
	fputs("\n", out);
}

static void lifecycle_section(json_object *r, FILE *out)
{
	static const char *const steps[] = { "create", "start", "delete", "sum" };
	json_object *lc = hh_json_get(r, "lifecycle"), *rows = hh_json_get(lc, "runtimes");
	if (!arr_len(rows))
		return;
	fprintf(out,
		"## Engine path: create + start + delete (median of %lld rounds, /bin/true, "
		"a cgroup per container)\n\n",
		(long long)hh_json_get_int(lc, "rounds", 0));
	static const char *const head[] = {
		"runtime", "create", "start", "delete", "sum", "failed"
	};
	hh_md_table_head(out, N_ELEMS(head), head, "lrrrrr");
	for (size_t i = 0; i < arr_len(rows); i++) {
		json_object *v = arr_at(rows, i);
		char d[4][32], f[32];
		for (int k = 0; k < 4; k++)
			dur(hh_json_get(v, steps[k]), "median_ns", d[k], sizeof(d[k]));
		snprintf(f, sizeof(f), "%lld/%lld", (long long)hh_json_get_int(v, "failures", 0),
			 (long long)(hh_json_get_int(v, "failures", 0) +
				     hh_json_get_int(v, "lifecycles", 0)));
		const char *cells[] = {
			hh_json_get_string(v, "name", "?"), d[0], d[1], d[2], d[3], f
		};
		hh_md_table_row(out, N_ELEMS(cells), cells);
	}
	json_object *ratios = hh_json_get(lc, "ratios");
	for (size_t i = 0; i < arr_len(ratios); i++) {
		json_object *x = arr_at(ratios, i);
		char c[4][32];
		for (int k = 0; k < 4; k++) {
			json_object *v = hh_json_get(x, steps[k]);
			snprintf(c[k], sizeof(c[k]), v ? "%.2f×" : "-",
				 v ? json_object_get_double(v) : 0);
		}
		const char *cells[] = {
			hh_json_get_string(x, "name", "?"), c[0], c[1], c[2], c[3], ""
		};
		hh_md_table_row(out, N_ELEMS(cells), cells);
	}
	fputs("\n", out);
	for (size_t i = 0; i < arr_len(rows); i++) {
		json_object *v = arr_at(rows, i);
		const char *fe = hh_json_get_string(v, "first_error", NULL);
		fprintf(out, "- %s: `%s`, cgroup `%s`; %s%s%s\n",
			hh_json_get_string(v, "name", "?"), hh_json_get_string(v, "program", "-"),
			hh_json_get_string(v, "cgroups_path", "-"),
			hh_json_get_string(v, "started", "?"), fe ? "; first failure: " : "",
			fe ? fe : "");
	}
	fputs("\n", out);
}

static double to_ns(double v, const char *unit)
{
	if (strcmp(unit, "us") == 0)
		return v * 1e3;
	if (strcmp(unit, "ms") == 0)
		return v * 1e6;
	if (strcmp(unit, "s") == 0)
		return v * 1e9;
	return v;
}

static void micro_section(json_object *r, FILE *out)
{
	json_object *m = hh_json_get(r, "micro");
	if (!m)
		return;
	fputs("## Microbenchmarks (Google Benchmark, one system call step each)\n\n", out);
	if (hh_json_get(m, "error")) {
		fprintf(out, "Not available: %s\n\n", hh_json_get_string(m, "error", "?"));
		return;
	}
	json_object *bs = hh_json_get(m, "benchmarks");
	static const char *const head[] = { "benchmark", "real time", "cpu time", "iterations" };
	hh_md_table_head(out, N_ELEMS(head), head, "lrrr");
	for (size_t i = 0; i < arr_len(bs); i++) {
		json_object *x = arr_at(bs, i);
		const char *rtype = hh_json_get_string(x, "run_type", "iteration");
		const char *agg = hh_json_get_string(x, "aggregate_name", "");
		/* With repetitions only the median row is shown. */
		if (strcmp(rtype, "aggregate") == 0 && strcmp(agg, "median") != 0)
			continue;
		if (hh_json_get_string(x, "error_message", NULL)) {
			const char *cells[] = { hh_json_get_string(x, "name", "?"),
						hh_json_get_string(x, "error_message", "?"), "-",
						"-" };
			hh_md_table_row(out, N_ELEMS(cells), cells);
			continue;
		}
		const char *unit = hh_json_get_string(x, "time_unit", "ns");
		char rt[32], ct[32], it[32];
		hh_fmt_duration(to_ns(hh_json_get_double(x, "real_time", NAN), unit), rt,
				sizeof(rt));
		hh_fmt_duration(to_ns(hh_json_get_double(x, "cpu_time", NAN), unit), ct,
				sizeof(ct));
		snprintf(it, sizeof(it), "%lld", (long long)hh_json_get_int(x, "iterations", 0));
		/* "unshare/net/iterations:300/manual_time" -> "unshare/net" */
		char name[128];
		snprintf(name, sizeof(name), "%s", hh_json_get_string(x, "name", "?"));
		char *cut = strstr(name, "/iterations:");
		if (cut)
			*cut = '\0';
		const char *cells[] = { name, rt, ct, it };
		hh_md_table_row(out, N_ELEMS(cells), cells);
	}
	fputs("\n", out);
}

static void hyperfine_section(json_object *r, FILE *out)
{
	json_object *h = hh_json_get(r, "hyperfine");
	if (!h)
		return;
	fputs("## Whole-command timings (hyperfine, cross-check)\n\n", out);
	if (hh_json_get(h, "error")) {
		fprintf(out, "Not available: %s\n\n", hh_json_get_string(h, "error", "?"));
		return;
	}
	json_object *res = hh_json_get(h, "results");
	static const char *const head[] = { "command", "mean ± σ", "median", "min", "max", "runs" };
	hh_md_table_head(out, N_ELEMS(head), head, "lrrrrr");
	for (size_t i = 0; i < arr_len(res); i++) {
		json_object *x = arr_at(res, i);
		char mean[32], sd[32], ms[80], med[32], mn[32], mx[32], runs[16], cmd[256];
		hh_fmt_duration(hh_json_get_double(x, "mean", NAN) * 1e9, mean, sizeof(mean));
		hh_fmt_duration(hh_json_get_double(x, "stddev", NAN) * 1e9, sd, sizeof(sd));
		snprintf(ms, sizeof(ms), "%s ± %s", mean, sd);
		hh_fmt_duration(hh_json_get_double(x, "median", NAN) * 1e9, med, sizeof(med));
		hh_fmt_duration(hh_json_get_double(x, "min", NAN) * 1e9, mn, sizeof(mn));
		hh_fmt_duration(hh_json_get_double(x, "max", NAN) * 1e9, mx, sizeof(mx));
		snprintf(runs, sizeof(runs), "%zu", arr_len(hh_json_get(x, "times")));
		snprintf(cmd, sizeof(cmd), "`%s`", hh_json_get_string(x, "command", "?"));
		const char *cells[] = { cmd, ms, med, mn, mx, runs };
		hh_md_table_row(out, N_ELEMS(cells), cells);
	}
	fputs("\n", out);
}

static void plots_section(json_object *r, FILE *out)
{
	json_object *p = hh_json_get(r, "plots");
	if (!arr_len(p))
		return;
	fputs("## Plots\n\n", out);
	for (size_t i = 0; i < arr_len(p); i++) {
		const char *f = json_object_get_string(arr_at(p, i));
		fprintf(out, "- [%s](%s)\n", f, f);
	}
	fputs("\n", out);
}

void hh_lat_render_markdown(json_object *report, FILE *out)
{
	context_section(report, out);
	runtimes_section(report, out);
	targets_section(report, out);
	phases_section(report, out);
	namespaces_section(report, out);
	concurrency_section(report, out);
	hh_lat_pool_markdown(report, out);
	lifecycle_section(report, out);
	micro_section(report, out);
	hyperfine_section(report, out);
	plots_section(report, out);
}

/* ---- merging the other tools' exports ----------------------------------- */

static void merge(json_object *report, const char *key, const char *path, const char *must_have)
{
	json_object *o = json_object_from_file(path);
	if (!o || !hh_json_get(o, must_have)) {
		json_object *e = json_object_new_object();
		char msg[512];
		snprintf(msg, sizeof(msg), "cannot read %s export '%s'", key, path);
		json_object_object_add(e, "error", json_object_new_string(msg));
		json_object_put(o);
		o = e;
	}
	json_object_object_add(report, key, o);
}

void hh_lat_merge_micro(json_object *report, const char *path)
{
	merge(report, "micro", path, "benchmarks");
}

void hh_lat_merge_hyperfine(json_object *report, const char *path)
{
	merge(report, "hyperfine", path, "results");
}
