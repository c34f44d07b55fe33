/* util.h — small helpers every part of the harness uses: bounded paths,
 * the monotonic clock, finding programs, removing a directory the harness
 * made. Nothing here knows about runtimes or reports. */
#ifndef HH_UTIL_H
#define HH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* snprintf for paths: false when the result did not fit. */
bool hh_pathf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Copy with truncation, always terminated. */
void hh_scopy(char *dst, size_t len, const char *src);

/* CLOCK_MONOTONIC in nanoseconds: the clock of every sample. */
uint64_t hh_now_ns(void);

/* The directory of the running program ("/.../build/bin"), for finding
 * hull, hull-seed and hull-floor. NULL if /proc/self/exe is unreadable. */
const char *hh_self_dir(void);

/* A regular, executable file. */
bool hh_is_executable(const char *path);

/* prog in $PATH, then in the sbin directories a root shell would have
 * (runc lives in /usr/sbin on Debian). malloc'ed, or NULL. */
char *hh_find_in_path(const char *prog);

/* rm -r of a directory the harness made; it only ever holds a few levels
 * and never crosses into a mount (entries are unlinked, not followed). */
void hh_remove_tree(const char *path);

#endif
