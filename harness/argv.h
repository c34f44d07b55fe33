/* argv.h — a growing, NULL-terminated argument vector: the command lines
 * the runtime table's builders make. Out of memory is remembered and
 * reported once, at the end (hh_argv.oom). */
#ifndef HH_ARGV_H
#define HH_ARGV_H

#include <stdbool.h>
#include <stddef.h>

struct hh_argv {
	char **v;
	size_t n, cap;
	bool oom;
};

void hh_argv_add(struct hh_argv *a, const char *s);
void hh_argv_addf(struct hh_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Every string of a NULL-terminated vector. */
void hh_argv_add_all(struct hh_argv *a, const char *const *v);
/* Free a NULL-terminated vector of malloc'ed strings. */
void hh_strv_free(char **v);

#endif
