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
 * while cells run in parallel.
 *
 * This file is the command: options, host objects, the run and the exit
 * status. matrix_cells.c lists the cells, matrix_run.c runs them on a
 * worker pool, matrix_output.c prints them; matrix.h is what they share. */
#include "commands.h"
#include "isolate.h"
#include "matrix.h"

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

int hh_cmd_matrix(int argc, char **argv)
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

	struct spec_list specs = { 0 };
	if (hh_matrix_collect_cells(runtimes, quiet, &specs) != 0)
		return 2;

	struct hh_iso_host host;
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
	m.cancel_fd = hh_iso_cancel_fd();
	m.cells = calloc(m.n, sizeof(*m.cells));
	if (!m.cells) {
		perror("hull-harness");
		free(specs.v);
		return 2;
	}
	if (!rootfs)
		rootfs = hh_iso_default_rootfs();
	if (hh_iso_host_setup(&host, rootfs, shared, &err) < 0) {
		fprintf(stderr, "hull-harness: %s\n", err.msg);
		hh_iso_host_cleanup(&host);
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

	hh_matrix_run_cells(&m, jobs);
	double wall = (double)(hull_now_ns() - m.t0) / 1e9;
	hh_iso_host_cleanup(&host);

	int status;
	if (hh_iso_cancelled()) {
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
			hh_matrix_print_progress(&m, true);
		if (json)
			hh_matrix_print_json(&m, stdout, wall, jobs);
		else if (md)
			hh_matrix_print_markdown(&m, stdout, wall, jobs);
		else {
			hh_matrix_print_table(&m, stdout);
			hh_matrix_print_mismatches(&m, stdout);
			hh_matrix_print_summary(&m, stdout, wall, jobs);
		}
		status = hh_matrix_summarize(&m).mismatches ? 1 : 0;
	}
	for (size_t i = 0; i < m.n; i++)
		hh_iso_cell_free(&m.cells[i]);
	free(m.cells);
	free(specs.v);
	return status;
}
