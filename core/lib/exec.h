/* exec.h — executing the command inside the container.
 *
 * The PATH searched is the container's (from envp), not hull's: glibc's
 * execvpe() would search hull's own PATH. Returns only on failure, with
 * err->exit_code 127 (not found) or 126 (found, not executable). */
#ifndef HULL_EXEC_H
#define HULL_EXEC_H

#include "error.h"

int hull_exec(char *const argv[], char *const envp[], struct hull_err *err);

/* The value of NAME in envp, or NULL. */
const char *hull_env_get(char *const envp[], const char *name);

#endif
