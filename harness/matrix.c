/* matrix.c — `hull-harness matrix`: isolation verdicts over every namespace
 * combination for hull and a chosen set for the other runtimes, in
 * parallel, against the expected verdicts of verdict.h's rules.
 *
 * Cells: hull gets all 256 subsets of the 8 namespaces x {pivot_root,
 * chroot} (pivot_root without mnt is listed as not started: hull would fall
 * back to chroot, which the chroot column already shows). seed and bare get
 * their one fixed cell; every other installed runtime gets the default set,
 * mnt alone, the default set without pid, with user, with cgroup, and all
 * it supports. One set of host objects serves every cell; each cell's probe
 * mounts a tmpfs named by its own token, so leaks are attributed exactly
 * while cells run in parallel. */
#include "commands.h"
#include "isolate.h"
#include "ns.h"
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct cell_spec {
	const char *runtime;
	uint64_t ns;
	bool chroot;
	bool skip; /* listed, not run */
	const char *skip_why;
};

struct matrix {
	struct hull_iso_host *host;
	struct cell_spec *specs;
	struct hull_iso_cell *cells;
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
	uint64_t rt_first[16], rt_last[16]; /* wall span per runtime */
	pthread_mutex_t lock;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int runtime_index(const char *name)
{
	for (size_t i = 0; i < hull_runtime_count; i++)
		if (strcmp(hull_runtimes[i].name, name) == 0)
			return (int)i;
	return 0;
}

/* ---- which cells -------------------------------------------------------- */

struct spec_list {
	struct cell_spec *v;
	size_t n, cap;
};

static void push(struct spec_list *l, struct cell_spec s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v) {
			perror("hull-harness");
			exit(2);
		}
	}
	l->v[l->n++] = s;
}

static void add_hull_cells(struct spec_list *l)
{
	for (uint64_t combo = 0; combo < (1u << hull_ns_count); combo++) {
		uint64_t ns = 0;
		for (size_t b = 0; b < hull_ns_count; b++)
			if (combo & (1u << b))
				ns |= hull_ns_table[b].flag;
		for (int chroot = 0; chroot < 2; chroot++) {
			struct cell_spec s = { .runtime = "hull", .ns = ns, .chroot = chroot };
			if (!chroot && !(ns & CLONE_NEWNS)) {
				s.skip = true;
				s.skip_why = "pivot_root needs a mount namespace (hull falls back "
					     "to chroot)";
			}
			push(l, s);
		}
	}
}

static void add_other_cells(struct spec_list *l, const struct hull_runtime_info *rt)
{
	const uint64_t sets[] = {
		HULL_NS_DEFAULT,
		CLONE_NEWNS,
		HULL_NS_DEFAULT & ~CLONE_NEWPID,
		HULL_NS_DEFAULT | CLONE_NEWUSER,
		HULL_NS_DEFAULT | CLONE_NEWCGROUP,
		HULL_NS_ALL,
		0,
	};
	uint64_t seen[8];
	size_t nseen = 0;
	uint64_t can = rt->ns_choosable | rt->ns_always;

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		uint64_t want = sets[i] & can;
		/* "none" only where it means something: unshare with --root alone. */
		if (sets[i] == 0 && strcmp(rt->name, "unshare") != 0)
			continue;
		uint64_t eff = hull_launch_effective_ns(rt, want);
		bool dup = false;
		for (size_t j = 0; j < nseen; j++)
			dup |= seen[j] == eff;
		if (dup)
			continue;
		seen[nseen++] = eff;
		push(l, (struct cell_spec){ .runtime = rt->name, .ns = want });
	}
}

/* ---- running them ------------------------------------------------------- */

static void print_progress(struct matrix *m, bool final)
{
	double s = (double)(now_ns() - m->t0) / 1e9;
	if (m->tty)
		fprintf(stderr, "\rmatrix: %zu/%zu cells, %.1f s%s", m->done, m->n, s,
			final ? "\n" : "");
	else
		fprintf(stderr, "matrix: %zu/%zu cells, %.1f s\n", m->done, m->n, s);
}

static void *worker(void *arg)
{
	struct matrix *m = arg;

	for (;;) {
		pthread_mutex_lock(&m->lock);
		size_t pos = m->next++;
		bool stop = m->failed || hull_iso_cancelled() || pos >= m->end;
		pthread_mutex_unlock(&m->lock);
		if (stop)
			break;
		size_t i = m->order[pos];

		struct cell_spec *s = &m->specs[i];
		struct hull_iso_cell *c = &m->cells[i];
		const struct hull_runtime_info *rt = hull_runtime_lookup(s->runtime);
		uint64_t t = now_ns();
		if (s->skip) {
			memset(c, 0, sizeof(*c));
			c->runtime = rt->name;
			c->ns = s->ns;
			c->chroot = s->chroot;
			c->pivot = !s->chroot;
			c->exit_code = -1;
			snprintf(c->reason, sizeof(c->reason), "%s", s->skip_why);
			for (int p = 0; p < HULL_PROP_COUNT; p++)
				c->props[p].verdict = c->expected[p] = HULL_ERROR;
		} else {
			struct hull_launch_config cfg = {
				.runtime = s->runtime,
				.ns_flags = s->ns,
				.chroot = s->chroot,
				.trace_fd = -1,
				.timeout_ms = m->timeout_ms,
				.cancel_fd = m->cancel_fd,
			};
			struct hull_err err = { 0 };
			if (hull_iso_run(m->host, &cfg, false, false, c, &err) < 0) {
				pthread_mutex_lock(&m->lock);
				if (!m->failed && !hull_iso_cancelled())
					m->err = err;
				m->failed = true;
				pthread_mutex_unlock(&m->lock);
				break;
			}
		}
		uint64_t t_end = now_ns();

		pthread_mutex_lock(&m->lock);
		int r = runtime_index(s->runtime);
		if (!m->rt_first[r] || t < m->rt_first[r])
			m->rt_first[r] = t;
		if (t_end > m->rt_last[r])
			m->rt_last[r] = t_end;
		m->done++;
		if (m->progress && (m->tty ? m->done % 8 == 0 : m->done % (m->n / 10 + 1) == 0))
			print_progress(m, false);
		pthread_mutex_unlock(&m->lock);
	}
	return NULL;
}

/* ---- output ------------------------------------------------------------- */

static const char *const short_names[HULL_PROP_COUNT] = {
	"host", "pid", "mnt", "root", "prop", "net", "ipc", "user", "cgrp", "time", "esc",
};

static const char *mark(const struct hull_iso_cell *c, int p, char *buf)
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

static const char *start_word(const struct hull_iso_cell *c)
{
	if (c->started)
		return c->expect_started ? "yes" : "yes!";
	if (!c->run && !c->reason[0])
		return "-";
	return c->expect_started ? "no!" : "no";
}

static void print_table(const struct matrix *m, FILE *out)
{
	char ns[128], buf[4];

	fprintf(out, "%-13s %-36s %-10s %-5s", "runtime", "namespaces", "root", "start");
	for (int p = 0; p < HULL_PROP_COUNT; p++)
		fprintf(out, " %-4s", short_names[p]);
	fputc('\n', out);
	for (size_t i = 0; i < m->n; i++) {
		const struct hull_iso_cell *c = &m->cells[i];
		hull_ns_format(c->ns, ns, sizeof(ns));
		fprintf(out, "%-13s %-36s %-10s %-5s", c->runtime, ns,
			c->pivot ? "pivot_root" : "chroot", start_word(c));
		for (int p = 0; p < HULL_PROP_COUNT; p++)
			fprintf(out, " %-4s", mark(c, p, buf));
		if (!c->started && c->reason[0])
			fprintf(out, "  %s", c->reason);
		fputc('\n', out);
	}
	fputs("I isolated, S shared, E error, - not started, ! observed differs from expected\n"
	      "host=hostname mnt=mounts prop=propagation cgrp=cgroup esc=chroot_escape\n",
	      out);
}

static void print_mismatches(const struct matrix *m, FILE *out)
{
	char ns[128];
	for (size_t i = 0; i < m->n; i++) {
		const struct hull_iso_cell *c = &m->cells[i];
		if (!c->mismatches)
			continue;
		hull_ns_format(c->ns, ns, sizeof(ns));
		if (c->started != c->expect_started)
			fprintf(out, "mismatch: %s %s %s: %s, expected %s (%s)\n", c->runtime, ns,
				c->pivot ? "pivot_root" : "chroot",
				c->started ? "started" : "not started",
				c->expect_started ? "to start" : "not to start", c->reason);
		for (int p = 0; c->started && p < HULL_PROP_COUNT; p++)
			if (c->props[p].verdict != c->expected[p])
				fprintf(out, "mismatch: %s %s %s: %s %s, expected %s: %s\n",
					c->runtime, ns, c->pivot ? "pivot_root" : "chroot",
					hull_prop_names[p], hull_verdict_name(c->props[p].verdict),
					hull_verdict_name(c->expected[p]), c->props[p].detail);
	}
}

struct summary {
	size_t cells, run, started, mismatches, mismatch_cells;
};

static struct summary summarize(const struct matrix *m)
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

static void print_summary(const struct matrix *m, FILE *out, double wall, int jobs)
{
	struct summary s = summarize(m);
	fprintf(out,
		"%zu cells, %zu containers run, %zu started, %zu mismatches in %zu cells; "
		"%.2f s wall on %d workers\n",
		s.cells, s.run, s.started, s.mismatches, s.mismatch_cells, wall, jobs);
	for (size_t r = 0; r < hull_runtime_count; r++) {
		size_t n = 0;
		for (size_t i = 0; i < m->n; i++)
			n += strcmp(m->cells[i].runtime, hull_runtimes[r].name) == 0;
		if (!n)
			continue;
		fprintf(out, "  %-13s %3zu cells in %.2f s\n", hull_runtimes[r].name, n,
			(double)(m->rt_last[r] - m->rt_first[r]) / 1e9);
	}
}

static void print_markdown(const struct matrix *m, FILE *out, double wall, int jobs)
{
	char ns[128], marks[HULL_PROP_COUNT][4];
	const char *titles[4 + HULL_PROP_COUNT] = { "runtime", "namespaces", "root", "started" };
	char align[4 + HULL_PROP_COUNT + 1];

	fputs("# Isolation matrix\n\n", out);
	print_summary(m, out, wall, jobs);
	fputs("\nI isolated, S shared, E error, - not started, ! observed differs from "
	      "expected.\n\n",
	      out);
	memset(align, 'c', sizeof(align) - 1);
	align[0] = align[1] = align[2] = 'l';
	align[sizeof(align) - 1] = '\0';
	for (int p = 0; p < HULL_PROP_COUNT; p++)
		titles[4 + p] = hull_prop_names[p];
	hull_md_table_head(out, 4 + HULL_PROP_COUNT, titles, align);
	for (size_t i = 0; i < m->n; i++) {
		const struct hull_iso_cell *c = &m->cells[i];
		const char *row[4 + HULL_PROP_COUNT];
		char started[300];
		hull_ns_format(c->ns, ns, sizeof(ns));
		snprintf(started, sizeof(started), "%s%s%.200s", start_word(c),
			 c->started ? "" : ": ", c->started ? "" : c->reason);
		row[0] = c->runtime;
		row[1] = ns;
		row[2] = c->pivot ? "pivot_root" : "chroot";
		row[3] = started;
		for (int p = 0; p < HULL_PROP_COUNT; p++)
			row[4 + p] = mark(c, p, marks[p]);
		hull_md_table_row(out, 4 + HULL_PROP_COUNT, row);
	}
	fputs("\n## Rules\n\n", out);
	const char *rt_titles[] = { "property", "expected" };
	hull_md_table_head(out, 2, rt_titles, "ll");
	for (int p = 0; p < HULL_PROP_COUNT; p++) {
		const char *row[] = { hull_prop_names[hull_rules[p].prop], hull_rules[p].text };
		hull_md_table_row(out, 2, row);
	}
	fputs("\n", out);
	struct summary s = summarize(m);
	if (s.mismatches) {
		fputs("## Mismatches\n\n```\n", out);
		print_mismatches(m, out);
		fputs("```\n", out);
	}
}

static void print_json(const struct matrix *m, FILE *out, double wall, int jobs)
{
	json_object *o = json_object_new_object();
	json_object *cells = json_object_new_array();
	json_object *rules = json_object_new_array();
	json_object *sum = json_object_new_object();
	struct summary s = summarize(m);

	json_object_object_add(o, "schema_version",
			       json_object_new_int(HULL_REPORT_SCHEMA_VERSION));
	json_object_object_add(o, "context", hull_report_context(NULL));
	json_object_object_add(sum, "cells", json_object_new_int64((int64_t)s.cells));
	json_object_object_add(sum, "run", json_object_new_int64((int64_t)s.run));
	json_object_object_add(sum, "started", json_object_new_int64((int64_t)s.started));
	json_object_object_add(sum, "mismatches", json_object_new_int64((int64_t)s.mismatches));
	json_object_object_add(sum, "wall_ns", json_object_new_int64((int64_t)(wall * 1e9)));
	json_object_object_add(sum, "jobs", json_object_new_int(jobs));
	json_object_object_add(o, "summary", sum);
	for (int p = 0; p < HULL_PROP_COUNT; p++) {
		json_object *r = json_object_new_object();
		json_object_object_add(r, "property",
				       json_object_new_string(hull_prop_names[hull_rules[p].prop]));
		json_object_object_add(r, "rule", json_object_new_string(hull_rules[p].text));
		json_object_array_add(rules, r);
	}
	json_object_object_add(o, "rules", rules);
	for (size_t i = 0; i < m->n; i++)
		json_object_array_add(cells, hull_iso_cell_json(&m->cells[i]));
	json_object_object_add(o, "cells", cells);
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							JSON_C_TO_STRING_NOSLASHESCAPE),
	      out);
	fputc('\n', out);
	json_object_put(o);
}

/* ---- the command -------------------------------------------------------- */

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " hull-harness matrix [options]\n"
	      "\n"
	      "Isolation verdicts for every namespace combination of hull (256 x pivot_root,\n"
	      "chroot) and a chosen set for the other runtimes, compared with the rules.\n"
	      "\n"
	      "Options:\n"
	      " -r, --runtimes LIST    comma-separated (default: hull and every installed\n"
	      "                          one of seed,bare,unshare,bwrap,crun,crun-cgroupfs,runc)\n"
	      " -j, --jobs N           containers at once (default: online CPUs)\n"
	      "     --rootfs DIR       root filesystem with /bin/hull-probe (default "
	      "build/rootfs)\n"
	      "     --shared-rootfs    serve the rootfs from a shared bind mount, as on\n"
	      "                          systemd hosts, so propagation leaks show\n"
	      "     --timeout MS       per container (default 10000)\n"
	      "     --json             JSON on stdout: {schema_version, context, summary,\n"
	      "                          rules, cells: [{runtime, namespaces, root_mode,\n"
	      "                          started, reason, properties: {name: {verdict,\n"
	      "                          detail, expected}}, ...}]}\n"
	      "     --markdown         Markdown on stdout (for reports/)\n"
	      " -q, --quiet            no progress on stderr\n"
	      " -h, --help             display this help\n"
	      "\n"
	      "Exit status: 0 when every cell is as expected, 1 when one is not, 2 on bad\n"
	      "usage or a harness error, 130 when interrupted (host objects are removed).\n",
	      out);
}

int hull_harness_matrix(int argc, char **argv)
{
	enum { OPT_ROOTFS = 256, OPT_SHARED, OPT_TIMEOUT, OPT_JSON, OPT_MD };
	static const struct option longopts[] = {
		{ "runtimes", required_argument, NULL, 'r' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "rootfs", required_argument, NULL, OPT_ROOTFS },
		{ "shared-rootfs", no_argument, NULL, OPT_SHARED },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "markdown", no_argument, NULL, OPT_MD },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *runtimes = NULL, *rootfs = NULL;
	int jobs = (int)sysconf(_SC_NPROCESSORS_ONLN), timeout_ms = 0, c;
	bool json = false, md = false, quiet = false, shared = false;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+r:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			runtimes = optarg;
			break;
		case 'j':
			jobs = (int)strtol(optarg, &end, 10);
			if (*end || jobs < 1 || jobs > 256) {
				fprintf(stderr, "hull-harness: invalid number of jobs '%s'\n",
					optarg);
				return 2;
			}
			break;
		case OPT_ROOTFS:
			rootfs = optarg;
			break;
		case OPT_SHARED:
			shared = true;
			break;
		case OPT_TIMEOUT:
			timeout_ms = (int)strtol(optarg, &end, 10);
			if (*end || timeout_ms <= 0) {
				fprintf(stderr, "hull-harness: invalid timeout '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_MD:
			md = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "hull-harness: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (json && md) {
		fputs("hull-harness: --json and --markdown exclude each other\n", stderr);
		return 2;
	}
	if (jobs < 1)
		jobs = 1;

	/* The cells, runtime by runtime in the order of hull_runtimes[]. */
	struct spec_list specs = { 0 };
	char why[256];
	for (size_t r = 0; r < hull_runtime_count; r++) {
		const struct hull_runtime_info *rt = &hull_runtimes[r];
		bool wanted;
		if (runtimes) {
			char list[512];
			snprintf(list, sizeof(list), ",%s,", runtimes);
			char needle[64];
			snprintf(needle, sizeof(needle), ",%s,", rt->name);
			wanted = strstr(list, needle) != NULL;
		} else {
			wanted = strcmp(rt->name, "floor") != 0;
		}
		if (!wanted)
			continue;
		if (!hull_runtime_available(rt->name, why, sizeof(why))) {
			if (runtimes || strcmp(rt->name, "hull") == 0) {
				fprintf(stderr, "hull-harness: runtime '%s' is not available: %s\n",
					rt->name, why);
				free(specs.v);
				return 2;
			}
			if (!quiet)
				fprintf(stderr, "matrix: skipping %s: %s\n", rt->name, why);
			continue;
		}
		if (strcmp(rt->name, "hull") == 0)
			add_hull_cells(&specs);
		else
			add_other_cells(&specs, rt);
	}
	if (runtimes) {
		/* Every name asked for must exist. */
		char list[512], *save = NULL;
		snprintf(list, sizeof(list), "%s", runtimes);
		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (!hull_runtime_lookup(t)) {
				fprintf(stderr, "hull-harness: unknown runtime '%s'\n", t);
				free(specs.v);
				return 2;
			}
	}
	if (!specs.n) {
		fputs("hull-harness: no cells to run\n", stderr);
		free(specs.v);
		return 2;
	}

	struct hull_iso_host host;
	struct hull_err err = { 0 };
	struct matrix m = {
		.host = &host,
		.specs = specs.v,
		.n = specs.n,
		.timeout_ms = timeout_ms,
		.progress = !quiet,
		.tty = isatty(STDERR_FILENO),
		.lock = PTHREAD_MUTEX_INITIALIZER,
	};
	m.cancel_fd = hull_iso_cancel_fd();
	m.cells = calloc(m.n, sizeof(*m.cells));
	if (!m.cells) {
		perror("hull-harness");
		free(specs.v);
		return 2;
	}
	if (!rootfs)
		rootfs = hull_iso_default_rootfs();
	if (hull_iso_host_setup(&host, rootfs, shared, &err) < 0) {
		fprintf(stderr, "hull-harness: %s\n", err.msg);
		hull_iso_host_cleanup(&host);
		free(m.cells);
		free(specs.v);
		return 2;
	}
	if (!quiet)
		fprintf(stderr,
			"matrix: %zu cells on %d workers; host objects: marker %s, port %d, shm "
			"key %ld, "
			"mqueue %s, mount token prefix %s, rootfs %s\n",
			m.n, jobs, host.marker, host.port, host.shm_key, host.mqueue,
			host.token_prefix, host.rootfs);

	/* Cells whose /proc shows the host's processes (mnt without pid) could
	 * find a way out through a sibling cell's probe at the moment it has
	 * escaped its chroot: they run last, one at a time. */
	m.order = calloc(m.n, sizeof(size_t));
	size_t n_par = 0, n_ser = 0;
	for (size_t i = 0; m.order && i < m.n; i++) {
		uint64_t ns = hull_launch_effective_ns(hull_runtime_lookup(m.specs[i].runtime),
						       m.specs[i].ns);
		if (!((ns & CLONE_NEWNS) && !(ns & CLONE_NEWPID)))
			m.order[n_par++] = i;
	}
	for (size_t i = 0; m.order && i < m.n; i++) {
		uint64_t ns = hull_launch_effective_ns(hull_runtime_lookup(m.specs[i].runtime),
						       m.specs[i].ns);
		if ((ns & CLONE_NEWNS) && !(ns & CLONE_NEWPID))
			m.order[n_par + n_ser++] = i;
	}
	m.t0 = now_ns();
	pthread_t *threads = calloc((size_t)jobs, sizeof(pthread_t));
	if (!m.order || !threads) {
		perror("hull-harness");
		m.failed = true;
	} else {
		int started = 0;
		m.end = n_par;
		for (int i = 0; i < jobs; i++)
			if (pthread_create(&threads[i], NULL, worker, &m) == 0)
				started++;
		if (!started)
			worker(&m);
		for (int i = 0; i < started; i++)
			pthread_join(threads[i], NULL);
		m.next = n_par;
		m.end = m.n;
		worker(&m);
	}
	free(threads);
	free(m.order);
	double wall = (double)(now_ns() - m.t0) / 1e9;
	hull_iso_host_cleanup(&host);

	int status;
	if (hull_iso_cancelled()) {
		if (m.tty && !quiet)
			fputc('\n', stderr);
		fprintf(stderr,
			"hull-harness: interrupted after %zu of %zu cells; host objects removed\n",
			m.done, m.n);
		status = 130;
	} else if (m.failed) {
		fprintf(stderr, "hull-harness: %s\n", m.err.msg);
		status = 2;
	} else {
		if (!quiet)
			print_progress(&m, true);
		if (json)
			print_json(&m, stdout, wall, jobs);
		else if (md)
			print_markdown(&m, stdout, wall, jobs);
		else {
			print_table(&m, stdout);
			print_mismatches(&m, stdout);
			print_summary(&m, stdout, wall, jobs);
		}
		status = summarize(&m).mismatches ? 1 : 0;
	}
	for (size_t i = 0; i < m.n; i++)
		hull_iso_cell_free(&m.cells[i]);
	free(m.cells);
	free(specs.v);
	return status;
}
