/* jsonw.c — the probe's JSON writer (see jsonw.h): stdout only, one
 * "first member" flag for the innermost open object or array. */
#include "jsonw.h"

#include <stdio.h>
#include <string.h>

static bool first = true; /* no comma before the next member */

void sep(void)
{
	if (!first)
		putchar(',');
	first = false;
}

void jstr(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				printf("\\u%04x", *p); /* bytes, not UTF-8: stay valid */
			else
				putchar(*p);
		}
	}
	putchar('"');
}

void key(const char *k)
{
	sep();
	jstr(k);
	putchar(':');
}

void open_obj(const char *k)
{
	if (k)
		key(k);
	else
		sep();
	putchar('{');
	first = true;
}

void open_arr(const char *k)
{
	key(k);
	putchar('[');
	first = true;
}

void close_obj(void)
{
	putchar('}');
	first = false;
}

void close_arr(void)
{
	putchar(']');
	first = false;
}

void kint(const char *k, long long v)
{
	key(k);
	printf("%lld", v);
}

void kstr(const char *k, const char *v)
{
	key(k);
	jstr(v);
}

void kbool(const char *k, bool v)
{
	key(k);
	fputs(v ? "true" : "false", stdout);
}

void knull(const char *k)
{
	key(k);
	fputs("null", stdout);
}

void kerr(const char *k, int e)
{
	kstr(k, probe_errname(e));
}
