/* cli.h — what hull's verbs share. core/cli/ is hull's command line: one
 * file per verb parses its options, calls libhull (core/lib, core/oci),
 * prints, and returns the exit status. It is the only code in core/ that
 * prints or exits. */
#ifndef HULL_CLI_H
#define HULL_CLI_H

#include "error.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* runc's status for a failed OCI command. */
#define CLI_EXIT_FAIL 1

/* Global options, given before the verb as runc and crun take them. */
struct cli_globals {
	const char *root;    /* --root: OCI state directory (default /run/hull) */
	const char *log;     /* --log FILE: errors are also appended there */
	bool log_json;	     /* --log-format json: as JSON lines */
	bool debug;	     /* --debug: accepted */
	bool systemd_cgroup; /* --systemd-cgroup (core/oci/oci_systemd.h) */
	uint64_t t_start;    /* when hull started, for the trace */
	int trace_fd;	     /* --trace-fd N: phase marks there; -1 when off */
};

/* Print "hull: <msg>" on stderr and into --log; returns CLI_EXIT_FAIL. */
int cli_error(const struct cli_globals *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* After a success: the warning the library left in err, if any (a failed
 * poststart or poststop hook), on stderr and into --log. */
void cli_warn_if_any(const struct cli_globals *g, const struct hull_err *err);
/* cli_error with a library error's message. */
int cli_fail(const struct cli_globals *g, const struct hull_err *err);
/* The one container id of "VERB ID", or NULL after printing why not. */
const char *cli_one_id(int argc, char **argv, const struct cli_globals *g);

void cli_usage_oci(FILE *out);

/* The options runc's create and exec share: --pid-file F, --console-socket
 * S, --no-new-keyring (accepted: hull never makes a session keyring) and
 * --preserve-fds 0 (no other number). A verb lists CLI_PROCESS_OPTIONS in
 * its getopt_long table, numbers its own long options from CLI_OPT_VERB
 * and hands every result it does not handle itself to cli_process_option. */
enum {
	CLI_OPT_PID_FILE = 256,
	CLI_OPT_CONSOLE,
	CLI_OPT_NO_KEYRING,
	CLI_OPT_PRESERVE,
	CLI_OPT_VERB
};
/* clang-format off */
#define CLI_PROCESS_OPTIONS                                               \
	{ "pid-file", required_argument, NULL, CLI_OPT_PID_FILE },        \
	{ "console-socket", required_argument, NULL, CLI_OPT_CONSOLE },   \
	{ "no-new-keyring", no_argument, NULL, CLI_OPT_NO_KEYRING },      \
	{ "preserve-fds", required_argument, NULL, CLI_OPT_PRESERVE }
/* clang-format on */
/* getopt_long's result c (with "+:" optstrings): a shared option is stored
 * (0); a missing argument or an unknown option is reported (CLI_EXIT_FAIL). */
int cli_process_option(int c, char **argv, const char **pid_file, const char **console_socket,
		       const struct cli_globals *g);

/* The verbs: argv[0] is the verb; each returns hull's exit status. */
typedef int cli_verb(int argc, char **argv, const struct cli_globals *g);
cli_verb cli_run, cli_gc, cli_pool, cli_create, cli_start, cli_state, cli_kill, cli_delete,
	cli_exec, cli_pause, cli_resume, cli_list, cli_spec, cli_features, cli_ps, cli_update;

/* hull run --pool (pool_cli.c): whether argv (argv[0] "run") names a pool
 * before its command, and the request; an empty pool's normal start goes
 * through run_normal. */
bool cli_run_is_pool(int argc, char **argv);
int cli_run_pool(int argc, char **argv, int (*run_normal)(int, char **, uint64_t),
		 uint64_t t_start);

/* Whether argv (argv[0] "run") is the OCI form, run --bundle DIR ID. */
bool cli_run_is_oci(int argc, char **argv);
/* create's options (create.c), shared with run --bundle. */
struct hull_oci_create_opts;
int cli_parse_create(int argc, char **argv, struct hull_oci_create_opts *o,
		     const struct cli_globals *g);

#endif
