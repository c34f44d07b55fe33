/* matrix_output.c — the matrix's results: the plain table with its
 * mismatches and summary, the Markdown report (for reports/) and the JSON
 * document (schema_version, context, summary, rules, cells). */
#include "matrix.h"
#include "ns.h"
#include "report.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static const char *const short_names[HH_PROP_COUNT] = {
	"host", "pid", "mnt", "root", "prop", "net", "ipc", "user", "cgrp", "time", "esc", "lo",
};

static const char *mark(const struct hh_iso_cell *c, int p, char *buf)
{
	static const char letters[] = "ISE";
	if (!c->started) {
		buf[0] = '-';
		buf[1] = '\0';
		return buf;
	}
	buf[0] = letters[c->props[p].verdict];
	buf[1] = c->props[p].verdict != c->expected[p] ? '!' : '\0';
	buf[2] = '\0';
	return buf;
}

static const char *start_word(const struct hh_iso_cell *c)
{
	if (c->started)
		return c->expect_started ? "yes" : "yes!";
	if (!c->run && !c->reason[0])
		return "-";
	return c->expect_started ? "no!" : "no";
}

void hh_matrix_print_table(const struct matrix *m, FILE *out)
{
	char ns[128], buf[4];

	fprintf(out, "%-13s %-36s %-10s %-5s", "runtime", "namespaces", "root", "start");
	for (int p = 0; p < HH_PROP_COUNT; p++)
		fprintf(out, " %-4s", short_names[p]);
	fputc('\n', out);
	for (size_t i = 0; i < m->n; i++) {
		const struct hh_iso_cell *c = &m->cells[i];
		hull_ns_format(c->ns, ns, sizeof(ns));
		fprintf(out, "%-13s %-36s %-10s %-5s", c->runtime, ns,
			c->pivot ? "pivot_root" : "chroot", start_word(c));
		for (int p = 0; p < HH_PROP_COUNT; p++)
			fprintf(out, " %-4s", mark(c, p, buf));
		if (!c->started && c->reason[0])
			fprintf(out, "  %s", c->reason);
		fputc('\n', out);
	}
	fputs("I isolated, S shared, E error, - not started, ! observed differs from expected\n"
	      "host=hostname mnt=mounts prop=propagation cgrp=cgroup esc=chroot_escape\n"
	      "lo: I own lo usable, S the host's lo, E no usable lo (down in a new net ns)\n",
	      out);
}

void hh_matrix_print_mismatches(const struct matrix *m, FILE *out)
{
	char ns[128];
	for (size_t i = 0; i < m->n; i++) {
		const struct hh_iso_cell *c = &m->cells[i];
		if (!c->mismatches)
			continue;
		hull_ns_format(c->ns, ns, sizeof(ns));
		if (c->started != c->expect_started)
			fprintf(out, "mismatch: %s %s %s: %s, expected %s (%s)\n", c->runtime, ns,
				c->pivot ? "pivot_root" : "chroot",
				c->started ? "started" : "not started",
				c->expect_started ? "to start" : "not to start", c->reason);
		for (int p = 0; c->started && p < HH_PROP_COUNT; p++)
			if (c->props[p].verdict != c->expected[p])
				fprintf(out, "mismatch: %s %s %s: %s %s, expected %s: %s\n",
					c->runtime, ns, c->pivot ? "pivot_root" : "chroot",
					hh_prop_names[p], hh_verdict_name(c->props[p].verdict),
					hh_verdict_name(c->expected[p]), c->props[p].detail);
	}
}

struct summary hh_matrix_summarize(const struct matrix *m)
{
	struct summary s = { .cells = m->n };
	for (size_t i = 0; i < m->n; i++) {
		s.run += m->cells[i].run;
		s.started += m->cells[i].started;
		s.mismatches += (size_t)m->cells[i].mismatches;
		s.mismatch_cells += m->cells[i].mismatches > 0;
	}
	return s;
}

void hh_matrix_print_summary(const struct matrix *m, FILE *out, double wall, int jobs)
{
	struct summary s = hh_matrix_summarize(m);
	fprintf(out,
		"%zu cells, %zu containers run, %zu started, %zu mismatches in %zu cells; "
		"%.2f s wall on %d workers\n",
		s.cells, s.run, s.started, s.mismatches, s.mismatch_cells, wall, jobs);
	size_t nrt = hh_runtime_count();
	for (size_t r = 0; r < nrt && r < 32; r++) {
		const char *name = hh_runtime_at(r)->name;
		size_t n = 0;
		for (size_t i = 0; i < m->n; i++)
			n += strcmp(m->cells[i].runtime, name) == 0;
		if (!n)
			continue;
		fprintf(out, "  %-13s %3zu cells in %.2f s\n", name, n,
			(double)(m->rt_last[r] - m->rt_first[r]) / 1e9);
	}
}

void hh_matrix_print_markdown(const struct matrix *m, FILE *out, double wall, int jobs)
{
	char ns[128], marks[HH_PROP_COUNT][4];
	const char *titles[4 + HH_PROP_COUNT] = { "runtime", "namespaces", "root", "started" };
	char align[4 + HH_PROP_COUNT + 1];

	fputs("# Isolation matrix\n\n", out);
	hh_matrix_print_summary(m, out, wall, jobs);
	fputs("\nI isolated, S shared, E error, - not started, ! observed differs from "
	      "expected.\n\n",
	      out);
	memset(align, 'c', sizeof(align) - 1);
	align[0] = align[1] = align[2] = 'l';
	align[sizeof(align) - 1] = '\0';
	for (int p = 0; p < HH_PROP_COUNT; p++)
		titles[4 + p] = hh_prop_names[p];
	hh_md_table_head(out, 4 + HH_PROP_COUNT, titles, align);
	for (size_t i = 0; i < m->n; i++) {
		const struct hh_iso_cell *c = &m->cells[i];
		const char *row[4 + HH_PROP_COUNT];
		char started[300];
		hull_ns_format(c->ns, ns, sizeof(ns));
		snprintf(started, sizeof(started), "%s%s%.200s", start_word(c),
			 c->started ? "" : ": ", c->started ? "" : c->reason);
		row[0] = c->runtime;
		row[1] = ns;
		row[2] = c->pivot ? "pivot_root" : "chroot";
		row[3] = started;
		for (int p = 0; p < HH_PROP_COUNT; p++)
			row[4 + p] = mark(c, p, marks[p]);
		hh_md_table_row(out, 4 + HH_PROP_COUNT, row);
	}
	fputs("\n## Rules\n\n", out);
	const char *rt_titles[] = { "property", "expected" };
	hh_md_table_head(out, 2, rt_titles, "ll");
	for (int p = 0; p < HH_PROP_COUNT; p++) {
		const char *row[] = { hh_prop_names[hh_rules[p].prop], hh_rules[p].text };
		hh_md_table_row(out, 2, row);
	}
	fputs("\n", out);
	struct summary s = hh_matrix_summarize(m);
	if (s.mismatches) {
		fputs("## Mismatches\n\n```\n", out);
		hh_matrix_print_mismatches(m, out);
		fputs("```\n", out);
	}
}

void hh_matrix_print_json(const struct matrix *m, FILE *out, double wall, int jobs)
{
	json_object *o = json_object_new_object();
	json_object *cells = json_object_new_array();
	json_object *rules = json_object_new_array();
	json_object *sum = json_object_new_object();
	struct summary s = hh_matrix_summarize(m);

	json_object_object_add(o, "schema_version", json_object_new_int(HH_REPORT_SCHEMA_VERSION));
	json_object_object_add(o, "context", hh_report_context(NULL));
	json_object_object_add(sum, "cells", json_object_new_int64((int64_t)s.cells));
	json_object_object_add(sum, "run", json_object_new_int64((int64_t)s.run));
	json_object_object_add(sum, "started", json_object_new_int64((int64_t)s.started));
	json_object_object_add(sum, "mismatches", json_object_new_int64((int64_t)s.mismatches));
	json_object_object_add(sum, "wall_ns", json_object_new_int64((int64_t)(wall * 1e9)));
	json_object_object_add(sum, "jobs", json_object_new_int(jobs));
	json_object_object_add(o, "summary", sum);
	for (int p = 0; p < HH_PROP_COUNT; p++) {
		json_object *r = json_object_new_object();
		json_object_object_add(r, "property",
				       json_object_new_string(hh_prop_names[hh_rules[p].prop]));
		json_object_object_add(r, "rule", json_object_new_string(hh_rules[p].text));
		json_object_array_add(rules, r);
	}
	json_object_object_add(o, "rules", rules);
	for (size_t i = 0; i < m->n; i++)
		json_object_array_add(cells, hh_iso_cell_json(&m->cells[i]));
	json_object_object_add(o, "cells", cells);
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							JSON_C_TO_STRING_NOSLASHESCAPE),
	      out);
	fputc('\n', out);
	json_object_put(o);
}
