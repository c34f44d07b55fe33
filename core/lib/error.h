/* error.h — how libhull reports failure.
 *
 * Every fallible libhull function returns 0 (or a non-negative result) on
 * success and a negative errno-style value on failure, and fills the trailing
 * `struct hull_err *` with one line saying what failed, in the project's
 * style: "cannot pivot_root to '/x': Invalid argument". Only the CLI prints.
 */
#ifndef HULL_ERROR_H
#define HULL_ERROR_H

#include <stddef.h>

/* Exit statuses of `hull run` when the command itself did not decide. */
enum {
	HULL_EXIT_RUNTIME = 125,  /* hull failed: bad input, setup error */
	HULL_EXIT_NOEXEC = 126,	  /* command found but not executable */
	HULL_EXIT_NOTFOUND = 127, /* command not found */
};

struct hull_err {
	int errnum;    /* errno of the failure, 0 when none applies */
	int exit_code; /* HULL_EXIT_* the CLI should exit with */
	char msg[480];
};

/* Record a failure; the message gets ": strerror(errnum)" appended when
 * errnum is non-zero. Returns -errnum (or -EINVAL when errnum is 0) so callers
 * can `return hull_fail(err, errno, "...")`. err may be NULL. */
int hull_fail(struct hull_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Same, with an explicit exit status (126/127 for exec failures). */
int hull_fail_exit(struct hull_err *err, int exit_code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

void hull_err_clear(struct hull_err *err);

#endif
