/* paths.h — the path helpers every part of the harness uses: bounded
 * paths, finding the harness's own programs and installed ones. The clock
 * and tree removal are the library's (core/lib/util.h: hull_now_ns,
 * hull_remove_tree). Nothing here knows about runtimes or reports. */
#ifndef HH_PATHS_H
#define HH_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* snprintf for paths: false when the result did not fit. */
bool hh_pathf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Copy with truncation, always terminated. */
void hh_scopy(char *dst, size_t len, const char *src);

/* The directory of the running program ("/.../build/bin"), for finding
 * hull, hull-seed and hull-floor. NULL if /proc/self/exe is unreadable. */
const char *hh_self_dir(void);

/* A regular, executable file. */
bool hh_is_executable(const char *path);

/* prog in $PATH, then in the sbin directories a root shell would have
 * (runc lives in /usr/sbin on Debian). malloc'ed, or NULL. */
char *hh_find_in_path(const char *prog);

#endif
