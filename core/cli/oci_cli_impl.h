/* oci_cli_impl.h — what oci_cli.c and oci_cli_more.c share. */
#ifndef HULL_OCI_CLI_IMPL_H
#define HULL_OCI_CLI_IMPL_H

#include "oci_cli.h"

#include "error.h"

#include <stddef.h>
#include <sys/types.h>

/* Print "hull: <msg>" on stderr and into --log; returns 1 (the exit
 * status of a failed command). */
int oci_error(const struct hull_oci_global *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void oci_now_rfc3339(char *buf, size_t len);
int oci_parse_signal(const char *s);
/* Write pid into path whole (via a rename), as runc does. */
int oci_write_pid_file(const char *path, pid_t pid, struct hull_err *err);

int oci_cmd_list(int argc, char **argv, const struct hull_oci_global *g);
int oci_cmd_spec(int argc, char **argv, const struct hull_oci_global *g);
int oci_cmd_features(int argc, char **argv, const struct hull_oci_global *g);
int oci_cmd_pause(int argc, char **argv, const struct hull_oci_global *g);
int oci_cmd_resume(int argc, char **argv, const struct hull_oci_global *g);
int oci_cmd_exec(int argc, char **argv, const struct hull_oci_global *g);

#endif
