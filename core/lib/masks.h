/* masks.h — what of /proc and /sys the container may not see or change.
 *
 * Masked paths (/proc/kcore, /proc/keys, /proc/timer_list, /sys/firmware,
 * ...) get /dev/null bound over them (files) or an empty read-only tmpfs
 * (directories: one tmpfs, mounted on the first and bound onto the others);
 * read-only paths (/proc/sys, /proc/sysrq-trigger, /proc/irq, /proc/bus,
 * /proc/fs) are bound onto themselves and made read-only with
 * mount_setattr (a remount before Linux 5.12). Paths missing on this
 * kernel are skipped. Runs inside the rootfs (relative paths) after
 * /proc, /sys and /dev are mounted, before the root switch. */
#ifndef HULL_MASKS_H
#define HULL_MASKS_H

#include "error.h"

#include <stdbool.h>

extern const char *const hull_masked_paths[];
extern const char *const hull_readonly_paths[];

/* Both lists NULL-terminated, paths relative to the rootfs (the cwd). */
int hull_masks_apply(const char *const *masked, const char *const *readonly, struct hull_err *err);

/* Bind path onto itself and remount it read-only, keeping the flags the
 * kernel locks in a user namespace (nosuid, nodev, noexec). */
int hull_bind_readonly(const char *path, struct hull_err *err);

/* The rootfs (cwd) read-only; with tmp, a tmpfs on /tmp so programs can
 * still write (--read-only; an OCI config.json lists its own mounts). */
int hull_rootfs_readonly(bool tmp, struct hull_err *err);

#endif
