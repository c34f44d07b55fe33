/* util.h — the small helpers every layer needs once: the monotonic clock,
 * mkdir -p, rm -r of a tree hull made, reading a pipe to its end. The
 * harness and bench use them too, so each exists once. */
#ifndef HULL_UTIL_H
#define HULL_UTIL_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* CLOCK_MONOTONIC in nanoseconds: the clock of every mark and sample. */
uint64_t hull_now_ns(void);

/* mkdir -p -m mode: path with mode, every missing parent with 0755. */
int hull_mkdir_p(const char *path, mode_t mode, struct hull_err *err);

/* rm -r of a directory tree hull made: symlinks are removed, never
 * followed, and nothing on another mount below path is touched. A missing
 * path is not an error. */
int hull_remove_tree(const char *path, struct hull_err *err);

/* Field 22 of /proc/<pid>/stat (pid 0: the caller): the process's start
 * time in clock ticks since boot, which with the pid names one process for
 * good. 0 when there is no such process, or with live_only when it has
 * ended (a zombie). */
unsigned long long hull_proc_start_time(pid_t pid, bool live_only);

/* Read fd until EOF, until buf is full (cap - 1 bytes) or until a
 * non-blocking fd has nothing more; buf is NUL-terminated. Returns the
 * length, or a negative errno when nothing could be read. */
ssize_t hull_read_all(int fd, char *buf, size_t cap);

#endif
