/* dev.h — the container's minimal /dev: a tmpfs with null, zero, full,
 * random, urandom and tty, /dev/pts (a private devpts instance), /dev/shm,
 * and the usual fd/stdin/stdout/stderr/ptmx links. Nothing else of the
 * host's devices is reachable. Built on "dev" in the cwd (the rootfs) before
 * the root switch; see root.h for why. */
#ifndef HULL_DEV_H
#define HULL_DEV_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One node of OCI linux.devices, made in the container's /dev. */
struct hull_dev_node {
	const char *path; /* relative, under "dev/" ("dev/fuse", "dev/net/tun") */
	char type;	  /* 'c', 'b', 'p' (fifo) */
	int64_t major, minor;
	mode_t mode; /* permission bits; 0666 unless given */
	uid_t uid;
	gid_t gid;
};

/* bind_host: bind the host's nodes instead of mknod(), which a user
 * namespace refuses. */
int hull_dev_setup(bool bind_host, struct hull_err *err);

/* The /dev hull_dev_setup makes (without bind_host), as a detached mount
 * for another process of the same user namespace to attach with
 * move_mount(): its fd, or < 0. */
int hull_dev_build_detached(struct hull_err *err);

/* Add nodes (dev_nodes.c) over what hull_dev_setup made: mknod, or with
 * bind_host an empty file with the host's node of the same path bound on
 * it. An existing node of that name is replaced. */
int hull_dev_add_nodes(const struct hull_dev_node *nodes, size_t n, bool bind_host,
		       struct hull_err *err);

#endif
