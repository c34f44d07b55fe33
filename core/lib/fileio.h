/* fileio.h — small whole-file reads and writes for /proc and cgroup files,
 * with EINTR retried and the path named in every error. */
#ifndef HULL_FILEIO_H
#define HULL_FILEIO_H

#include "error.h"

#include <stddef.h>
#include <sys/types.h>

/* Write text to path (no O_CREAT unless create is set). */
int hull_write_file(const char *path, const char *text, int create, struct hull_err *err);

/* Read up to len-1 bytes of path into buf, NUL-terminated; returns the
 * length or a negative errno (err may be NULL when failure is expected). */
ssize_t hull_read_file(const char *path, char *buf, size_t len, struct hull_err *err);

/* The number after "key " on its own line in a "key value" file (e.g.
 * memory.events); -ENOENT when the key is absent. */
int hull_read_keyed_u64(const char *path, const char *key, unsigned long long *out);

#endif
