/* error.c — filling struct hull_err; see error.h. */
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int vfail(struct hull_err *err, int exit_code, int errnum, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static int vfail(struct hull_err *err, int exit_code, int errnum, const char *fmt, va_list ap)
{
	if (err) {
		int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		if (errnum && n >= 0 && (size_t)n < sizeof(err->msg))
			snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s",
				 strerror(errnum));
		err->errnum = errnum;
		err->exit_code = exit_code;
	}
	return errnum > 0 ? -errnum : -EINVAL;
}

int hull_fail(struct hull_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int ret = vfail(err, HULL_EXIT_RUNTIME, errnum, fmt, ap);
	va_end(ap);
	return ret;
}

int hull_fail_exit(struct hull_err *err, int exit_code, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int ret = vfail(err, exit_code, errnum, fmt, ap);
	va_end(ap);
	return ret;
}

void hull_err_clear(struct hull_err *err)
{
	if (err) {
		err->errnum = 0;
		err->exit_code = 0;
		err->msg[0] = '\0';
	}
}
