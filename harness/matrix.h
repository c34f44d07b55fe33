/* matrix.h — what the files of `hull-harness matrix` share (matrix.c the
 * command, matrix_cells.c which cells, matrix_run.c the worker pool,
 * matrix_output.c the table, Markdown and JSON): a cell's spec and the
 * state of one matrix run. Not used outside the matrix. */
#ifndef HH_MATRIX_H
#define HH_MATRIX_H

#include "isolate.h"
#include "paths.h"
#include "util.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct cell_spec {
	const char *runtime;
	uint64_t ns;
	bool chroot;
	bool skip; /* listed, not run */
	const char *skip_why;
};

struct matrix {
	struct hh_iso_host *host;
	struct cell_spec *specs;
	struct hh_iso_cell *cells;
	size_t n;
	size_t *order;	  /* cells in the order they are run */
	size_t next, end; /* next and end positions in order[]; under lock */
	size_t done;
	int timeout_ms;
	int cancel_fd;
	bool progress; /* print progress on stderr */
	bool tty;
	bool failed;
	struct hull_err err;
	uint64_t t0;
	uint64_t rt_first[32], rt_last[32]; /* wall span per runtime */
	pthread_mutex_t lock;
};

/* ---- which cells (matrix_cells.c) ---------------------------------------- */

struct spec_list {
	struct cell_spec *v;
	size_t n, cap;
};

/* The cells, runtime by runtime in the order of the runtime table: runtimes
 * is the -r list or NULL (every installed one but floor). Returns 0, or the
 * exit status 2 with the reason on stderr and specs emptied. */
int hh_matrix_collect_cells(const char *runtimes, bool quiet, struct spec_list *specs);

/* ---- running them (matrix_run.c) ----------------------------------------- */

/* Run every cell of m on jobs workers (the host-/proc ones last, one at a
 * time); sets m->t0, fills m->cells, m->failed/m->err on a harness error. */
void hh_matrix_run_cells(struct matrix *m, int jobs);
void hh_matrix_print_progress(struct matrix *m, bool final);

/* ---- output (matrix_output.c) -------------------------------------------- */

struct summary {
	size_t cells, run, started, mismatches, mismatch_cells;
};

struct summary hh_matrix_summarize(const struct matrix *m);
void hh_matrix_print_table(const struct matrix *m, FILE *out);
void hh_matrix_print_mismatches(const struct matrix *m, FILE *out);
void hh_matrix_print_summary(const struct matrix *m, FILE *out, double wall, int jobs);
void hh_matrix_print_markdown(const struct matrix *m, FILE *out, double wall, int jobs);
void hh_matrix_print_json(const struct matrix *m, FILE *out, double wall, int jobs);

#endif
