/* oci_cli.h — the OCI runtime commands (create, start, state, kill,
 * delete, list, pause, resume, exec, spec, features, run --bundle). Like
 * cli.c, this is a command-line front end: it prints and picks exit codes;
 * the work is in libhull (oci_config, oci_state, container). */
#ifndef HULL_OCI_CLI_H
#define HULL_OCI_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Global options, given before the command as runc and crun take them. */
struct hull_oci_global {
	const char *root; /* --root: state directory (default /run/hull) */
	const char *log;  /* --log FILE: errors are also appended there */
	bool log_json;	  /* --log-format json: as JSON lines */
	bool debug;	  /* --debug: accepted */
};

/* Parse global options from argv[*i] on; *i is left at the command.
 * Returns 0, or -1 after printing an error. */
int hull_oci_parse_global(int argc, char **argv, int *i, struct hull_oci_global *g);

/* Whether cmd is one of the OCI commands (run is, with --bundle/-b). */
bool hull_oci_is_command(const char *cmd, int argc, char **argv);

/* Run the command; argv[0] is its name. Returns the exit status. */
int hull_oci_main(int argc, char **argv, const struct hull_oci_global *g);

void hull_oci_usage(FILE *out);

#endif
