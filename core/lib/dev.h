/* dev.h — the container's minimal /dev: a tmpfs with null, zero, full,
 * random, urandom and tty, /dev/pts (a private devpts instance), /dev/shm,
 * and the usual fd/stdin/stdout/stderr/ptmx links. Nothing else of the
 * host's devices is reachable. Built on "dev" in the cwd (the rootfs) before
 * the root switch; see root.h for why. */
#ifndef HULL_DEV_H
#define HULL_DEV_H

#include "error.h"

#include <stdbool.h>

/* bind_host: bind the host's nodes instead of mknod(), which a user
 * namespace refuses. */
int hull_dev_setup(bool bind_host, struct hull_err *err);

#endif
