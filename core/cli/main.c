/* main.c — the hull command: global options, the verb table, usage and
 * version. Each verb is one file of core/cli/ (cli.h). */
#include "cli.h"
#include "oci.h"
#include "oci_systemd.h"
#include "trace.h"
#include "util.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* runc verbs an engine may call that hull does not implement: named, so the
 * engine's log says what is missing (containerd's shim reads stats and OOM
 * events from the cgroup itself and needs no `events`). */
static int unsupported(int argc, char **argv, const struct cli_globals *g)
{
	(void)argc;
	return cli_error(g, "'%s' is not supported by hull", argv[0]);
}

/* The OCI runtime interface's verbs (run is one with --bundle). */
static const struct {
	const char *name;
	cli_verb *fn;
} oci_verbs[] = {
	{ "create", cli_create },   { "start", cli_start },	  { "state", cli_state },
	{ "kill", cli_kill },	    { "delete", cli_delete },	  { "list", cli_list },
	{ "spec", cli_spec },	    { "features", cli_features }, { "pause", cli_pause },
	{ "resume", cli_resume },   { "exec", cli_exec },	  { "ps", cli_ps },
	{ "update", cli_update },   { "events", unsupported },	  { "checkpoint", unsupported },
	{ "restore", unsupported },
};

/* hull's own verbs (run without --bundle, gc, pool). */
static const struct {
	const char *name;
	cli_verb *fn;
} hull_verbs[] = {
	{ "run", cli_run },
	{ "gc", cli_gc },
	{ "pool", cli_pool },
};

static cli_verb *oci_verb(int argc, char **argv)
{
	if (strcmp(argv[0], "run") == 0)
		return cli_run_is_oci(argc, argv) ? cli_run : NULL;
	for (size_t i = 0; i < sizeof(oci_verbs) / sizeof(oci_verbs[0]); i++)
		if (strcmp(argv[0], oci_verbs[i].name) == 0)
			return oci_verbs[i].fn;
	return NULL;
}

void cli_usage_oci(FILE *out)
{
	fputs("Usage (OCI runtime commands; global options before the command):\n"
	      " hull [--root DIR] [--log FILE] [--log-format text|json] [--debug]\n"
	      "      [--trace-fd N] COMMAND        (--trace-fd: phase marks as JSON lines)\n"
	      "\n"
	      " run --bundle DIR [--pid-file F] ID      create, start and wait for a container\n"
	      " create --bundle DIR [--pid-file F] [--console-socket S] ID\n"
	      "                                         set it up; it waits for start\n"
	      " start ID                                run the created container's process\n"
	      " exec [--detach] [--pid-file F] [--tty --console-socket S]\n"
	      "      (--process JSON | [-e K=V] [--cwd D]) ID [CMD...]\n"
	      "                                         run another process in the container\n"
	      " state ID                                the OCI state JSON\n"
	      " kill [--all] ID [SIGNAL]                signal it (15, TERM or SIGTERM)\n"
	      " delete [--force] ID                     remove it (--force: kill it first)\n"
	      " pause ID | resume ID                    freeze or thaw its cgroup\n"
	      " ps [--format table|json] ID [PS ARGS]   its processes (json: the pids)\n"
	      " update --resources FILE|- ID            new limits (a linux.resources object)\n"
	      " list [--format table|json] [-q]         the containers under --root\n"
	      " spec [--bundle DIR] [--rootfs PATH]     write a default config.json\n"
	      " features                                what hull supports, as JSON\n"
	      "\n"
	      "--root defaults to /run/hull; -b is --bundle, default the current directory.\n"
	      "--systemd-cgroup: the unit's cgroupfs path where systemd does not run,\n"
	      "refused where it does; events and checkpoint are refused.\n",
	      out);
}

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " hull run [options] ROOTFS [--] COMMAND [ARG...]\n"
	      " hull pool start|status|stop NAME ...\n"
	      " hull gc [--cgroup-parent PATH]\n"
	      " hull [GLOBAL OPTIONS] run|create|start|state|kill|delete|... (OCI runtime)\n"
	      " hull --help | --version\n"
	      "\n"
	      "A small, fast Linux container runtime.\n"
	      "\n"
	      "Commands:\n"
	      " run                    run a command in a new container\n"
	      " pool                   containers prepared ahead (hull pool --help)\n"
	      " gc [--cgroup-parent P] remove cgroups, pool state and address leases left\n"
	      "                        by killed hulls\n"
	      "\n"
	      "Run 'hull run --help' for the options of run.\n"
	      "\n",
	      out);
	cli_usage_oci(out);
}

/* Global options from argv[*i] on; *i is left at the verb. Returns 0, -1
 * at an option that is not a global one, -2 after printing an error. */
static int parse_globals(int argc, char **argv, int *i, struct cli_globals *g)
{
	g->root = HULL_OCI_DEFAULT_ROOT;
	g->trace_fd = -1;
	for (; *i < argc && argv[*i][0] == '-' && argv[*i][1] == '-'; (*i)++) {
		const char *a = argv[*i], *eq = strchr(a, '=');
		size_t n = eq ? (size_t)(eq - a) : strlen(a);
		const char *val = eq ? eq + 1 : (*i + 1 < argc ? argv[*i + 1] : NULL);
		bool takes = true;
#define IS(name) (n == strlen(name) && strncmp(a, name, n) == 0)
		if (IS("--debug") || IS("--systemd-cgroup")) {
			g->debug |= IS("--debug");
			g->systemd_cgroup |= IS("--systemd-cgroup");
			takes = false;
		} else if (!IS("--root") && !IS("--log") && !IS("--log-format") &&
			   !IS("--cgroup-manager") && !IS("--trace-fd")) {
			return -1; /* not ours: the caller says so */
		}
		if (takes && !val) {
			fprintf(stderr, "hull: option '%.*s' requires an argument\n", (int)n, a);
			return -2;
		}
		if (IS("--root"))
			g->root = val;
		else if (IS("--log"))
			g->log = val;
		else if (IS("--log-format")) {
			if (strcmp(val, "json") != 0 && strcmp(val, "text") != 0) {
				fprintf(stderr, "hull: unknown log format '%s' (text or json)\n",
					val);
				return -2;
			}
			g->log_json = strcmp(val, "json") == 0;
		} else if (IS("--trace-fd")) {
			char *end;
			long fd = strtol(val, &end, 10);
			if (*val == '\0' || *end || fd < 0 || fd > INT_MAX ||
			    fcntl((int)fd, F_GETFD) < 0) {
				fprintf(stderr, "hull: cannot use trace fd '%s'\n", val);
				return -2;
			}
			g->trace_fd = (int)fd;
		} else if (IS("--cgroup-manager") && strcmp(val, "cgroupfs") != 0 &&
			   strcmp(val, "disabled") != 0) {
			fprintf(stderr, "hull: unsupported cgroup manager '%s' (cgroupfs)\n", val);
			return -2;
		}
#undef IS
		if (takes && !eq)
			(*i)++;
	}
	return 0;
}

/* The start mark's clock, read with the system call: the C library's first
 * clock_gettime through the vDSO looks the vDSO up (parses its symbol
 * table, faults its pages in), ~8 us of every exec that a run without
 * --trace-fd, whose only clock read this is, never needs. The same clock:
 * later marks read it through the vDSO. */
static uint64_t start_clock(void)
{
	struct timespec ts = { 0 };

	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct cli_globals g = { .t_start = start_clock() };
	int i = 1;
	cli_verb *verb;

	if (argc < 2) {
		usage(stderr);
		return HULL_EXIT_RUNTIME;
	}
	/* The OCI runtime interface: global options, then its commands. */
	int ret = parse_globals(argc, argv, &i, &g);
	if (ret == -2)
		return CLI_EXIT_FAIL;
	if (ret == 0 && i < argc && (verb = oci_verb(argc - i, argv + i))) {
		if (argc - i >= 2 &&
		    (strcmp(argv[i + 1], "--help") == 0 || strcmp(argv[i + 1], "-h") == 0)) {
			cli_usage_oci(stdout);
			return 0;
		}
		/* The engine path's phase marks (create, start, delete...). */
		if (g.trace_fd >= 0) {
			hull_trace_set_fd(g.trace_fd);
			hull_trace_mark_at("start", g.t_start);
			hull_trace_mark("parsed");
		}
		/* Where systemd runs, honouring it needs a transient scope over
		 * D-Bus (not done): refused, never ignored, or the engine would
		 * believe systemd owns the cgroups. Elsewhere nobody is there to
		 * ask: the unit's path in cgroupfs (core/oci/oci_systemd.h). */
		if (g.systemd_cgroup && hull_oci_systemd_booted())
			return cli_error(&g, "--systemd-cgroup is not supported where systemd "
					     "runs: hull manages cgroupfs itself (containerd: "
					     "SystemdCgroup = false)");
		return verb(argc - i, argv + i, &g);
	}
	if (i > 1 && ret == 0) {
		fprintf(stderr, "hull: unknown command '%s'\n", i < argc ? argv[i] : "");
		return CLI_EXIT_FAIL;
	}
	for (size_t k = 0; k < sizeof(hull_verbs) / sizeof(hull_verbs[0]); k++)
		if (strcmp(argv[1], hull_verbs[k].name) == 0)
			return hull_verbs[k].fn(argc - 1, argv + 1, &g);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		/* The C library: the build links musl or glibc (core/README.md). */
		printf("hull %s (%s)\nlibc: %s\n", HULL_VERSION, HULL_COMMIT, HULL_LIBC_NAME);
		return 0;
	}
	if (argv[1][0] == '-')
		fprintf(stderr, "hull: unknown option '%s'\n", argv[1]);
	else
		fprintf(stderr, "hull: unknown command '%s'\n", argv[1]);
	fputs("Try 'hull --help' for more information.\n", stderr);
	return HULL_EXIT_RUNTIME;
}
