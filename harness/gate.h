/* gate.h — the CI regression gate: its decision rule, its metrics, the
 * committed baseline and the verdict report. `hull-harness gate`
 * (gate_cmd.c) measures and calls these; the unit tests call them on
 * synthetic samples.
 *
 * Latency is judged as ratios to reference runtimes measured in the same
 * interleaved run (hull / floor, hull / bare), never as absolute times, so
 * a baseline taken on one machine holds on another of the same kind.
 *
 * The decision rule, per metric, with tolerance t (default 0.10):
 *
 *   unmeasured   fewer than min_samples starts on either side (or none)
 *   regression   CI95.lo > baseline * (1 + t)  the whole interval is above
 *                                              the limit: slower, clearly
 *   improved     CI95.hi < baseline * (1 - t)  clearly faster (refresh the
 *                                              baseline to keep the gain)
 *   unclear      ratio > baseline * (1 + t) but CI95.lo is not: maybe
 *                slower, not beyond the noise; passes
 *   pass         otherwise
 *
 * where ratio and CI95 come from ratio.h (median over median, bootstrap
 * percentile interval). Isolation: any cell of hull's matrix (or of the
 * smoke check run first) whose observed verdicts or start differ from the
 * rules' expected ones is a regression.
 *
 * Exit status of the gate: 1 when anything regressed, else 2 when anything
 * could not be measured, else 0. A regression outranks a gap in the
 * measurement: what was found is certain. */
#ifndef HH_GATE_H
#define HH_GATE_H

#include "error.h"
#include "ratio.h"
#include "stats.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HH_GATE_SCHEMA_VERSION 1
#define HH_GATE_TOLERANCE      0.10
#define HH_GATE_MIN_SAMPLES    30
#define HH_GATE_BASELINE_TOOL  "hull-harness gate baseline"

enum hh_gate_verdict {
	HH_GATE_PASS,
	HH_GATE_IMPROVED,
	HH_GATE_UNCLEAR,
	HH_GATE_REGRESSION,
	HH_GATE_UNMEASURED,
};

enum {
	HH_GATE_EXIT_PASS = 0,
	HH_GATE_EXIT_REGRESSION = 1,
	HH_GATE_EXIT_UNMEASURED = 2,
};

/* "pass", "improved", "unclear", "regression", "unmeasured" */
const char *hh_gate_verdict_name(enum hh_gate_verdict v);

struct hh_gate_rule {
	double tolerance;   /* >= 0 */
	size_t min_samples; /* per side */
	unsigned resamples;
	double level;
	uint64_t seed;
};

/* The defaults above. */
void hh_gate_rule_default(struct hh_gate_rule *rule);

struct hh_gate_judgement {
	enum hh_gate_verdict verdict;
	double baseline, limit; /* limit = baseline * (1 + tolerance) */
	bool measured;		/* now holds the ratio and its CI */
	struct hh_ratio now;
	char note[200];
};

/* Judge one ratio metric from its raw samples against its baseline ratio.
 * Always fills *j (unmeasured with a note when it cannot judge). */
void hh_gate_judge(const uint64_t *num, size_t n_num, const uint64_t *den, size_t n_den,
		   double baseline, const struct hh_gate_rule *rule, struct hh_gate_judgement *j);

/* 1 if any verdict is a regression, else 2 if any is unmeasured, else 0. */
int hh_gate_exit_status(const enum hh_gate_verdict *v, size_t n);

/* ---- the metrics ---------------------------------------------------------- */

struct hh_gate_metric {
	const char *name;      /* "hull/floor ns=mnt" */
	const char *num, *den; /* runtime labels of `hull-harness latency` */
	const char *ns;	       /* NULL: the runtimes suite (the full set); else a
				  row of the namespaces suite */
};

/* The metrics of the runtime under test: hull's six by default. */
extern const struct hh_gate_metric *hh_gate_metrics;
extern size_t hh_gate_metric_count;

/* Gate another runtime (its latency row label, e.g. "crun" or an oci:
 * runtime's name): LABEL/floor and LABEL/bare at full isolation, the
 * namespaces suite being hull's and the floor's only. NULL or "hull": hull's
 * metrics. */
void hh_gate_use_runtime(const char *label);

/* The namespaces the gate measures alone (--ns-each of the latency run). */
#define HH_GATE_NS_EACH "mnt,pid,net,user"

/* Point *num and *den at the raw start samples ("entry") of metric m in a
 * `hull-harness latency` JSON report; *n_* = 0 when the report lacks them
 * (a runtime skipped or failing every start). The arrays are owned by the
 * caller and freed with hh_samples_free. -EINVAL for a sample that is not
 * a positive integer. */
int hh_gate_metric_samples(json_object *latency, const struct hh_gate_metric *m,
			   struct hh_samples *num, struct hh_samples *den, struct hull_err *err);

/* ---- the baseline --------------------------------------------------------- */

/* Load and check a baseline: readable, JSON, schema_version and tool as
 * written by `make baseline`, a finite positive "ratio" for every metric of
 * hh_gate_metrics[]. ratios[i] gets metric i's. *doc keeps the parsed
 * document (json_object_put it). The message says what is wrong and that
 * `make baseline` writes a new one. */
int hh_gate_baseline_load(const char *path, double *ratios, json_object **doc,
			  struct hull_err *err);

/* ---- isolation ------------------------------------------------------------ */

/* Mismatches of one matrix/isolate cell JSON ({started, expected_started,
 * properties: {name: {verdict, expected, detail}}}); the first is described
 * in why. */
int hh_gate_cell_mismatches(json_object *cell, char *why, size_t len);

/* ---- output --------------------------------------------------------------- */

/* The verdict table (metric, baseline, now, 95% CI, limit, verdict) of a
 * gate report, as text or as Markdown. */
void hh_gate_print_table(json_object *report, FILE *out);
void hh_gate_render_markdown(json_object *report, FILE *out);

#endif
