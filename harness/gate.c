/* gate.c — the CI gate's decision rule, metrics, baseline and tables; see
 * gate.h. The command itself is in gate_cmd.c. */
#include "gate.h"
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const struct hh_gate_metric hull_metrics[] = {
	{ "hull/floor", "hull", "floor", NULL },
	{ "hull/bare", "hull", "bare", NULL },
	{ "hull/floor ns=mnt", "hull", "floor", "mnt" },
	{ "hull/floor ns=pid", "hull", "floor", "pid" },
	{ "hull/floor ns=net", "hull", "floor", "net" },
	{ "hull/floor ns=user", "hull", "floor", "user" },
};
const struct hh_gate_metric *hh_gate_metrics = hull_metrics;
size_t hh_gate_metric_count = N_ELEMS(hull_metrics);

void hh_gate_use_runtime(const char *label)
{
	static char names[2][160];
	static struct hh_gate_metric other[2];

	if (!label || strcmp(label, "hull") == 0) {
		hh_gate_metrics = hull_metrics;
		hh_gate_metric_count = N_ELEMS(hull_metrics);
		return;
	}
	snprintf(names[0], sizeof(names[0]), "%s/floor", label);
	snprintf(names[1], sizeof(names[1]), "%s/bare", label);
	other[0] = (struct hh_gate_metric){ names[0], label, "floor", NULL };
	other[1] = (struct hh_gate_metric){ names[1], label, "bare", NULL };
	hh_gate_metrics = other;
	hh_gate_metric_count = N_ELEMS(other);
}

const char *hh_gate_verdict_name(enum hh_gate_verdict v)
{
	static const char *const names[] = { "pass", "improved", "unclear", "regression",
					     "unmeasured" };
	return (size_t)v < N_ELEMS(names) ? names[v] : "?";
}

void hh_gate_rule_default(struct hh_gate_rule *rule)
{
	*rule = (struct hh_gate_rule){ .tolerance = HH_GATE_TOLERANCE,
				       .min_samples = HH_GATE_MIN_SAMPLES,
				       .resamples = HH_RATIO_RESAMPLES,
				       .level = HH_RATIO_LEVEL,
				       .seed = HH_RATIO_SEED };
}

void hh_gate_judge(const uint64_t *num, size_t n_num, const uint64_t *den, size_t n_den,
		   double baseline, const struct hh_gate_rule *rule, struct hh_gate_judgement *j)
{
	struct hull_err err = { 0 };

	memset(j, 0, sizeof(*j));
	j->verdict = HH_GATE_UNMEASURED;
	j->baseline = baseline;
	j->limit = baseline * (1 + rule->tolerance);
	if (!(baseline > 0) || !isfinite(baseline)) {
		snprintf(j->note, sizeof(j->note), "no usable baseline ratio");
		return;
	}
	if (n_num < rule->min_samples || n_den < rule->min_samples) {
		snprintf(j->note, sizeof(j->note), "too few samples: %zu / %zu (at least %zu each)",
			 n_num, n_den, rule->min_samples);
		return;
	}
	if (hh_ratio_ci(num, n_num, den, n_den, rule->resamples, rule->level, rule->seed, &j->now,
			&err) < 0) {
		snprintf(j->note, sizeof(j->note), "%.190s", err.msg);
		return;
	}
	j->measured = true;
	double floor_limit = baseline * (1 - rule->tolerance);
	if (j->now.ci_lo > j->limit) {
		j->verdict = HH_GATE_REGRESSION;
		snprintf(j->note, sizeof(j->note), "CI lower bound %.3f > limit %.3f (+%.0f%%)",
			 j->now.ci_lo, j->limit, 100 * (j->now.ratio / baseline - 1));
	} else if (j->now.ci_hi < floor_limit) {
		j->verdict = HH_GATE_IMPROVED;
		snprintf(j->note, sizeof(j->note),
			 "CI upper bound %.3f < %.3f: faster (make baseline keeps the gain)",
			 j->now.ci_hi, floor_limit);
	} else if (j->now.ratio > j->limit) {
		j->verdict = HH_GATE_UNCLEAR;
		snprintf(j->note, sizeof(j->note),
			 "ratio above the limit, but not beyond the noise (CI from %.3f)",
			 j->now.ci_lo);
	} else {
		j->verdict = HH_GATE_PASS;
	}
}

int hh_gate_exit_status(const enum hh_gate_verdict *v, size_t n)
{
	int status = HH_GATE_EXIT_PASS;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == HH_GATE_REGRESSION)
			return HH_GATE_EXIT_REGRESSION;
		if (v[i] == HH_GATE_UNMEASURED)
			status = HH_GATE_EXIT_UNMEASURED;
	}
	return status;
}

/* ---- samples from a latency report ---------------------------------------- */

static json_object *find_named(json_object *arr, const char *key, const char *value)
{
	size_t n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr)
								    : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(arr, i);
		if (strcmp(hh_json_get_string(x, key, ""), value) == 0)
			return x;
	}
	return NULL;
}

static int copy_samples(json_object *variant, struct hh_samples *out, const char *what,
			struct hull_err *err)
{
	json_object *s = hh_json_get(hh_json_get(variant, "entry"), "samples_ns");
	size_t n = s && json_object_is_type(s, json_type_array) ? json_object_array_length(s) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *x = json_object_array_get_idx(s, i);
		if (!json_object_is_type(x, json_type_int) || json_object_get_int64(x) <= 0)
			return hull_fail(err, EINVAL, "sample %zu of %s is not a positive integer",
					 i, what);
		int ret = hh_samples_push(out, (uint64_t)json_object_get_int64(x), err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int hh_gate_metric_samples(json_object *latency, const struct hh_gate_metric *m,
			   struct hh_samples *num, struct hh_samples *den, struct hull_err *err)
{
	json_object *a, *b;
	int ret;

	if (!m->ns) {
		json_object *rt = hh_json_get(latency, "runtimes");
		a = find_named(rt, "name", m->num);
		b = find_named(rt, "name", m->den);
	} else {
		json_object *row =
			find_named(hh_json_get(latency, "namespaces"), "namespaces", m->ns);
		a = hh_json_get(row, m->num);
		b = hh_json_get(row, m->den);
	}
	ret = copy_samples(a, num, m->num, err);
	if (ret == 0)
		ret = copy_samples(b, den, m->den, err);
	return ret;
}

/* ---- the baseline ----------------------------------------------------------- */

int hh_gate_baseline_load(const char *path, double *ratios, json_object **doc, struct hull_err *err)
{
	static const char hint[] = "(make baseline writes a new one)";
	FILE *f;

	*doc = NULL;
	f = fopen(path, "re");
	if (!f)
		return hull_fail(err, errno, "cannot read baseline '%s' %s", path, hint);
	fclose(f);
	json_object *d = json_object_from_file(path);
	if (!d)
		return hull_fail(err, EINVAL, "baseline '%s' is not JSON %s", path, hint);
	if (!json_object_is_type(d, json_type_object)) {
		json_object_put(d);
		return hull_fail(err, EINVAL, "baseline '%s' is not a JSON object %s", path, hint);
	}
	if (hh_json_get_int(d, "schema_version", -1) != HH_GATE_SCHEMA_VERSION ||
	    strcmp(hh_json_get_string(d, "tool", ""), HH_GATE_BASELINE_TOOL) != 0) {
		json_object_put(d);
		return hull_fail(err, EINVAL,
				 "baseline '%s' is not a gate baseline of schema_version %d %s",
				 path, HH_GATE_SCHEMA_VERSION, hint);
	}
	json_object *metrics = hh_json_get(d, "metrics");
	for (size_t i = 0; i < hh_gate_metric_count; i++) {
		json_object *m = find_named(metrics, "name", hh_gate_metrics[i].name);
		double r = hh_json_get_double(m, "ratio", NAN);
		if (!m || !isfinite(r) || r <= 0) {
			json_object_put(d);
			return hull_fail(err, EINVAL,
					 "baseline '%s' has no ratio for metric '%s' %s", path,
					 hh_gate_metrics[i].name, hint);
		}
		ratios[i] = r;
	}
	*doc = d;
	return 0;
}

/* ---- isolation ------------------------------------------------------------ */

int hh_gate_cell_mismatches(json_object *cell, char *why, size_t len)
{
	int n = 0;
	json_object *started = hh_json_get(cell, "started");
	json_object *expected = hh_json_get(cell, "expected_started");
	const char *ns = hh_json_get_string(cell, "namespaces", "?");
	const char *root = hh_json_get_string(cell, "root_mode", "?");

	if (why && len)
		why[0] = '\0';
	if (!started || !expected) {
		if (why)
			snprintf(why, len, "%s %s: not a verifier cell", ns, root);
		return 1;
	}
	bool s = json_object_get_boolean(started), e = json_object_get_boolean(expected);
	if (s != e) {
		n++;
		if (why)
			snprintf(why, len, "%s %s: %s, expected %s (%s)", ns, root,
				 s ? "started" : "not started", e ? "to start" : "not to start",
				 hh_json_get_string(cell, "reason", ""));
	}
	if (!s)
		return n;
	json_object *props = hh_json_get(cell, "properties");
	if (!props || !json_object_is_type(props, json_type_object))
		return n;
	json_object_object_foreach(props, name, p)
	{
		const char *v = hh_json_get_string(p, "verdict", "?");
		const char *x = hh_json_get_string(p, "expected", "?");
		if (strcmp(v, x) == 0)
			continue;
		if (n++ == 0 && why)
			snprintf(why, len, "%s %s: %s %s, expected %s: %s", ns, root, name, v, x,
				 hh_json_get_string(p, "detail", ""));
	}
	return n;
}

/* ---- tables ----------------------------------------------------------------- */

#define N_COLS 6

static void metric_cells(json_object *m, char cells[N_COLS][128])
{
	json_object *ci = hh_json_get(m, "ci95");
	double r = hh_json_get_double(m, "ratio", NAN);

	snprintf(cells[0], 128, "%s", hh_json_get_string(m, "name", "?"));
	snprintf(cells[1], 128, "%.3f", hh_json_get_double(m, "baseline", NAN));
	if (isfinite(r))
		snprintf(cells[2], 128, "%.3f", r);
	else
		snprintf(cells[2], 128, "-");
	if (ci && json_object_is_type(ci, json_type_array) && json_object_array_length(ci) == 2)
		snprintf(cells[3], 128, "%.3f – %.3f",
			 json_object_get_double(json_object_array_get_idx(ci, 0)),
			 json_object_get_double(json_object_array_get_idx(ci, 1)));
	else
		snprintf(cells[3], 128, "-");
	snprintf(cells[4], 128, "%.3f", hh_json_get_double(m, "limit", NAN));
	const char *note = hh_json_get_string(m, "note", "");
	snprintf(cells[5], 128, "%s%s%s", hh_json_get_string(m, "verdict", "?"), *note ? ": " : "",
		 note);
}

static void isolation_cells(json_object *iso, char cells[N_COLS][128])
{
	int64_t base = hh_json_get_int(iso, "baseline_cells", -1);
	int64_t cells_now = hh_json_get_int(iso, "cells", -1);
	const char *note = hh_json_get_string(iso, "note", "");

	snprintf(cells[0], 128, "isolation (%.60s matrix, shared rootfs)",
		 hh_json_get_string(iso, "runtime", "hull"));
	if (base >= 0)
		snprintf(cells[1], 128, "0 of %lld cells", (long long)base);
	else
		snprintf(cells[1], 128, "-");
	if (cells_now >= 0)
		snprintf(cells[2], 128, "%lld mismatches, %lld of %lld cells",
			 (long long)hh_json_get_int(iso, "mismatches", 0),
			 (long long)hh_json_get_int(iso, "mismatch_cells", 0),
			 (long long)cells_now);
	else if (hh_json_get_int(iso, "mismatches", 0) > 0)
		snprintf(cells[2], 128, "%lld mismatches (smoke check)",
			 (long long)hh_json_get_int(iso, "mismatches", 0));
	else
		snprintf(cells[2], 128, "-");
	snprintf(cells[3], 128, "-");
	snprintf(cells[4], 128, "0 mismatches");
	snprintf(cells[5], 128, "%s%s%s", hh_json_get_string(iso, "verdict", "?"),
		 *note ? ": " : "", note);
}

static const char *const titles[N_COLS] = { "metric", "baseline", "now",
					    "95% CI", "limit",	  "verdict" };

void hh_gate_print_table(json_object *report, FILE *out)
{
	char c[N_COLS][128];
	json_object *metrics = hh_json_get(report, "metrics");
	size_t n = metrics ? json_object_array_length(metrics) : 0;

	fprintf(out, "%-40s %9s %9s %15s %9s  %s\n", titles[0], titles[1], titles[2], titles[3],
		titles[4], titles[5]);
	for (size_t i = 0; i < n; i++) {
		metric_cells(json_object_array_get_idx(metrics, i), c);
		fprintf(out, "%-40s %9s %9s %15s %9s  %s\n", c[0], c[1], c[2], c[3], c[4], c[5]);
	}
	json_object *iso = hh_json_get(report, "isolation");
	if (iso) {
		isolation_cells(iso, c);
		fprintf(out, "%-40s %s -> %s  %s\n", c[0], c[1], c[2], c[5]);
		json_object *first = hh_json_get(iso, "first_mismatches");
		size_t k = first ? json_object_array_length(first) : 0;
		for (size_t i = 0; i < k; i++)
			fprintf(out, "  mismatch: %s\n",
				json_object_get_string(json_object_array_get_idx(first, i)));
	}
	fprintf(out, "gate: %s (exit %lld); %s\n", hh_json_get_string(report, "verdict", "?"),
		(long long)hh_json_get_int(report, "exit_status", -1),
		hh_json_get_string(hh_json_get(report, "rule"), "text", ""));
}

void hh_gate_render_markdown(json_object *report, FILE *out)
{
	char c[N_COLS][128];
	const char *cp[N_COLS];
	json_object *ctx = hh_json_get(report, "context");
	json_object *base = hh_json_get(report, "baseline");
	json_object *metrics = hh_json_get(report, "metrics");
	size_t n = metrics ? json_object_array_length(metrics) : 0;

	for (int i = 0; i < N_COLS; i++)
		cp[i] = c[i];
	fprintf(out, "# CI gate: %s\n\n", hh_json_get_string(report, "verdict", "?"));
	fprintf(out, "Commit %s on %s (%s, %lld CPUs), %s. Baseline: commit %s, %s.\n\n",
		hh_json_get_string(ctx, "commit", "?"), hh_json_get_string(ctx, "host", "?"),
		hh_json_get_string(ctx, "kernel", "?"), (long long)hh_json_get_int(ctx, "cpus", 0),
		hh_json_get_string(ctx, "date", "?"), hh_json_get_string(base, "commit", "?"),
		hh_json_get_string(base, "date", "?"));
	hh_md_table_head(out, N_COLS, titles, "lrrrrl");
	for (size_t i = 0; i < n; i++) {
		metric_cells(json_object_array_get_idx(metrics, i), c);
		hh_md_table_row(out, N_COLS, cp);
	}
	json_object *iso = hh_json_get(report, "isolation");
	if (iso) {
		isolation_cells(iso, c);
		hh_md_table_row(out, N_COLS, cp);
	}
	fprintf(out, "\nRule: %s\n", hh_json_get_string(hh_json_get(report, "rule"), "text", ""));
	json_object *first = hh_json_get(iso, "first_mismatches");
	size_t k = first ? json_object_array_length(first) : 0;
	if (k) {
		fputs("\nIsolation mismatches (first ones):\n\n", out);
		for (size_t i = 0; i < k; i++)
			fprintf(out, "- %s\n",
				json_object_get_string(json_object_array_get_idx(first, i)));
	}
	fprintf(out, "\nExit status %lld (0 pass, 1 regression, 2 could not measure).\n",
		(long long)hh_json_get_int(report, "exit_status", -1));
}
