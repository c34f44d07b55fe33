/* gate_priv.h — what the files of `hull-harness gate` share (gate_cmd.c
 * the command and its report, gate_run.c the measurements as child
 * processes). Not used outside the gate. */
#ifndef HH_GATE_PRIV_H
#define HH_GATE_PRIV_H

#include "gate.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_FIRST_MISMATCHES 10

struct gate_opts {
	const char *baseline, *write_baseline;
	const char *latency_in, *matrix_in;
	const char *json_out, *md_out, *raw_dir;
	const char *rootfs, *commit;
	const char *runtime; /* under test: "hull" or another runtime (-r) */
	struct hh_gate_rule rule;
	int iterations, warmup;
	bool do_latency, do_isolation, quiet;
};

/* The isolation part of a gate run: smoke check, then hull's matrix. */
struct iso {
	enum hh_gate_verdict verdict;
	char note[256];
	int64_t cells, started, mismatches, mismatch_cells;
	json_object *smoke, *first;
};

/* `hull-harness latency` as a child: bare, floor, hull interleaved plus
 * HH_GATE_NS_EACH alone; the report it wrote under raw, or NULL with why
 * filled. */
json_object *hh_gate_measure_latency(const struct gate_opts *o, const char *raw, char *why,
				     size_t len);

/* Judge a `hull-harness matrix --json` document (its exit status too)
 * into iso. */
void hh_gate_judge_matrix(json_object *doc, int exit_status, struct iso *iso);

/* The smoke check and the matrix, each in a private mount namespace with a
 * fresh tmpfs on the scratch directory; iso gets the verdict. */
void hh_gate_measure_isolation(const struct gate_opts *o, const char *raw, struct iso *iso);

#endif
