/* root.h — the child's mount-namespace phases: private propagation, the
 * rootfs bind, /proc, and the root switch (pivot_root or chroot).
 *
 * /proc and /dev are mounted inside the rootfs *before* the root switch,
 * while the host's /proc is still in the namespace: in a user namespace the
 * kernel only allows a new proc mount when a fully visible one exists
 * (mount_too_revealing), and host device nodes can only be bound from there.
 * Paths inside the rootfs are relative to it (the cwd) and must not be
 * symlinks, so nothing is mounted outside the rootfs. */
#ifndef HULL_ROOT_H
#define HULL_ROOT_H

#include "error.h"

/* MS_REC|MS_PRIVATE on "/": nothing we mount from here on propagates back
 * to the host, and pivot_root accepts the tree. propagation replaces it
 * when non-zero (OCI rootfsPropagation: MS_SLAVE, MS_REC|MS_SLAVE...). */
int hull_mounts_make_private(unsigned long propagation, struct hull_err *err);

/* With the cwd at the rootfs (hull clones the child there): bind it onto
 * itself (pivot_root needs new_root to be a mount point) and make the bind
 * the cwd, without walking the path (rootfs only names it in errors). */
int hull_rootfs_bind(const char *rootfs, struct hull_err *err);

/* chdir into the rootfs by its path (after joining a mount namespace). */
int hull_rootfs_enter(const char *rootfs, struct hull_err *err);

/* A fresh proc instance on "proc" in the cwd (created when missing). */
int hull_mount_proc(struct hull_err *err);

/* sysfs on "sys", read-only. */
int hull_mount_sys(struct hull_err *err);

/* pivot_root(".", ".") then detach the old root stacked on top, so no path
 * leads back to the host's tree; the cwd must be the rootfs. */
int hull_root_pivot(const char *rootfs, struct hull_err *err);

/* The seed's chroot(".") + chdir("/"); the cwd must be the rootfs. */
int hull_root_chroot(const char *rootfs, struct hull_err *err);

/* Make sure the relative path names a real directory (created when
 * missing); a symlink is refused, it could lead out of the rootfs. */
int hull_ensure_mountpoint(const char *path, unsigned int mode, struct hull_err *err);

/* The flags the kernel keeps locked on a mount in a user namespace
 * (nosuid, nodev, noexec), which a remount must repeat. */
unsigned long hull_locked_flags(const char *path);

#endif
