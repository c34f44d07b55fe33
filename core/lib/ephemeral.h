/* ephemeral.h — a writable root that is thrown away with the container
 * (`hull run --ephemeral`, every pool slot; POOL.md).
 *
 * In the container's private mount namespace (mounts already private): the
 * rootfs is opened, a tmpfs is mounted over the rootfs path, and an
 * overlay of the opened rootfs (lower, via /proc/self/fd) and an upper
 * directory on that tmpfs becomes the root. Nothing is created on the
 * host, the rootfs directory is never written, and the tmpfs (charged to
 * the container's memory cgroup) goes away with the namespace. */
#ifndef HULL_EPHEMERAL_H
#define HULL_EPHEMERAL_H

#include "error.h"

#include <stddef.h>

/* Mount the layer for *rootfs and point *rootfs at the overlay (stored in
 * buf). */
int hull_ephemeral_root(const char **rootfs, char *buf, size_t len, struct hull_err *err);

#endif
