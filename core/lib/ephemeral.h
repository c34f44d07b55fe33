/* ephemeral.h — a writable root that is thrown away with the container
 * (`hull run --ephemeral`, every pool slot; POOL.md).
 *
 * In the container's private mount namespace (mounts already private),
 * with the working directory at the rootfs (hull clones the child there,
 * cwd_swap.h): a tmpfs is put over the rootfs, and an overlay of the rootfs
 * (lower, via /proc/self/fd) and an upper directory on that tmpfs becomes
 * the working directory. The rootfs's path is never walked (a user
 * namespace may not search above it), nothing is created on the host, the
 * rootfs directory is never written, and the tmpfs (charged to the
 * container's memory cgroup) goes away with the namespace. */
#ifndef HULL_EPHEMERAL_H
#define HULL_EPHEMERAL_H

#include "error.h"

/* Mount the layer over the rootfs in the cwd and enter the overlay; rootfs
 * only names it in errors. */
int hull_ephemeral_root(const char *rootfs, struct hull_err *err);

#endif
