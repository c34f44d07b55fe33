/* masks.c — masked and read-only paths; see masks.h. */
#include "masks.h"
#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* The same lists the well-known runtimes mask, relative to the rootfs. */
const char *const hull_masked_paths[] = {
	"proc/acpi",
	"proc/asound",
	"proc/kcore",
	"proc/keys",
	"proc/latency_stats",
	"proc/timer_list",
	"proc/timer_stats",
	"proc/sched_debug",
	"proc/scsi",
	"sys/firmware",
	"sys/devices/virtual/powercap",
	NULL,
};

const char *const hull_readonly_paths[] = {
	"proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger", NULL,
};

/* Read-only without the statvfs a remount needs to keep the flags a user
 * namespace locks: mount_setattr sets MOUNT_ATTR_RDONLY and leaves every
 * other flag as it is (Linux 5.12; before it, the remount). Only the top
 * mount, as the remount did. */
static int make_readonly(const char *path)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	if (mount_setattr(AT_FDCWD, path, 0, &attr, sizeof(attr)) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	return mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | hull_locked_flags(path),
		     NULL);
}

int hull_bind_readonly(const char *path, struct hull_err *err)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hull_fail(err, errno, "cannot bind '/%s'", path);
	if (make_readonly(path) < 0)
		return hull_fail(err, errno, "cannot make '/%s' read-only", path);
	return 0;
}

/* Not on this kernel (or /sys not mounted): nothing to protect there.
 * Asked before each mount: a mount onto a missing path measured ~15 us
 * slower than this lstat, a bind of a file onto a directory (ENOTDIR,
 * after the kernel cloned the source) an RCU grace period, ~300 us. */
static bool missing(const char *path, struct stat *st)
{
	return lstat(path, st) < 0;
}

/* An empty read-only directory on path: one tmpfs serves every masked
 * directory; the first gets it, the others a bind of it (which keeps its
 * read-only, nosuid, nodev, noexec), ~4 us instead of ~15 us for a tmpfs
 * of its own. The bind finds the first by its path, which a later mask
 * of one of its parents covers (maskedPaths /proc/acpi, /proc, ...): then
 * the lookup fails, before the kernel copies anything, and this directory
 * gets a tmpfs of its own that serves the next ones. */
static int mask_dir(const char *path, const char **empty_dir)
{
	if (*empty_dir && mount(*empty_dir, path, NULL, MS_BIND, NULL) == 0)
		return 0;
	if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=0,mode=555") < 0)
		return -1;
	*empty_dir = path;
	return 0;
}

/* A file gets the host's /dev/null (still reachable before the root
 * switch), a directory an empty read-only one. */
static int mask(const char *path, const char **empty_dir, struct hull_err *err)
{
	struct stat st;

	if (missing(path, &st))
		return 0;
	if (S_ISDIR(st.st_mode) ? mask_dir(path, empty_dir) < 0
				: mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
		return hull_fail(err, errno, "cannot mask '/%s'", path);
	return 0;
}

int hull_masks_apply(const char *const *masked, const char *const *readonly, struct hull_err *err)
{
	const char *empty_dir = NULL;
	int ret;

	for (const char *const *p = readonly; p && *p; p++) {
		struct stat st;
		if (!missing(*p, &st) && (ret = hull_bind_readonly(*p, err)) < 0)
			return ret;
	}
	for (const char *const *p = masked; p && *p; p++)
		if ((ret = mask(*p, &empty_dir, err)) < 0)
			return ret;
	return 0;
}

int hull_rootfs_readonly(bool tmp, struct hull_err *err)
{
	int ret = tmp ? hull_ensure_mountpoint("tmp", 01777, err) : 0;
	if (ret < 0)
		return ret;
	if (make_readonly(".") < 0)
		return hull_fail(err, errno, "cannot make the rootfs read-only");
	if (tmp && mount("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
		return hull_fail(err, errno, "cannot mount tmpfs on '/tmp'");
	return 0;
}
