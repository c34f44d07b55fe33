/* error.c — filling struct hull_err; see error.h. */
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int vfail(struct hull_err *err, int exit_code, int errnum, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* Copy src into dst (at most cap bytes with the NUL), with control
 * characters escaped as \xNN: a message is one line on a terminal or in a
 * log, whatever the user's input held. Returns false if src did not fit. */
static bool copy_escaped(char *dst, size_t cap, const char *src)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
		bool ctl = *p < 0x20 || *p == 0x7f;
		size_t need = ctl ? 4 : 1;
		if (o + need + 1 > cap) {
			dst[o] = '\0';
			return false;
		}
		if (ctl)
			o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", *p);
		else
			dst[o++] = (char)*p;
	}
	dst[o] = '\0';
	return true;
}

static int vfail(struct hull_err *err, int exit_code, int errnum, const char *fmt, va_list ap)
{
	if (err) {
		char body[2048], reason[128] = "";
		vsnprintf(body, sizeof(body), fmt, ap);
		if (errnum)
			snprintf(reason, sizeof(reason), ": %s", strerror(errnum));
		/* A long object must not push the reason out of the message:
		 * shorten the object, keep the reason. */
		size_t room = sizeof(err->msg) - strlen(reason);
		if (!copy_escaped(err->msg, room, body) && room > 4)
			strcpy(err->msg + strlen(err->msg) - (strlen(err->msg) >= 3 ? 3 : 0),
			       "...");
		strcat(err->msg, reason);
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
