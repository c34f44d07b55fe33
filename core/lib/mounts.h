/* mounts.h — the mounts of an OCI config.json beyond hull's own /proc,
 * /sys and /dev: binds, tmpfs, devpts, mqueue, proc, sysfs, with their
 * flags, data and propagation.
 *
 * They are made inside the rootfs (the cwd, paths relative to it) before
 * the root switch, like /proc and /dev (root.h says why). A destination is
 * created when missing (a file for a bind of a file, else directories); no
 * component of it may be a symlink, so nothing lands outside the rootfs. */
#ifndef HULL_MOUNTS_H
#define HULL_MOUNTS_H

#include "error.h"
#include "spec.h"

int hull_mounts_apply(const struct hull_mount *mounts, size_t n, struct hull_err *err);

/* "nosuid" -> MS_NOSUID (set) and so on; "rw" clears MS_RDONLY. Returns 1
 * when opt is a flag, 0 when it is not one (it is then filesystem data). */
int hull_mount_flag(const char *opt, unsigned long *flags, unsigned long *propagation);

#endif
