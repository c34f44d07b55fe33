/* masks.c — masked and read-only paths; see masks.h. */
#include "masks.h"
#include "root.h"

#include <errno.h>
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

int hull_bind_readonly(const char *path, struct hull_err *err)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return hull_fail(err, errno, "cannot bind '/%s'", path);
	if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | hull_locked_flags(path),
		  NULL) < 0)
		return hull_fail(err, errno, "cannot make '/%s' read-only", path);
	return 0;
}

static int mask(const char *path, struct hull_err *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return 0; /* not on this kernel, or /sys not mounted */
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=0,mode=555") < 0)
			return hull_fail(err, errno, "cannot mask '/%s'", path);
		return 0;
	}
	/* The host's /dev/null: still reachable before the root switch. */
	if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
		return hull_fail(err, errno, "cannot mask '/%s'", path);
	return 0;
}

int hull_masks_apply(const char *const *masked, const char *const *readonly, struct hull_err *err)
{
	int ret;

	for (const char *const *p = readonly; p && *p; p++) {
		struct stat st;
		if (lstat(*p, &st) < 0)
			continue;
		if ((ret = hull_bind_readonly(*p, err)) < 0)
			return ret;
	}
	for (const char *const *p = masked; p && *p; p++)
		if ((ret = mask(*p, err)) < 0)
			return ret;
	return 0;
}

int hull_rootfs_readonly(bool tmp, struct hull_err *err)
{
	int ret = tmp ? hull_ensure_mountpoint("tmp", 01777, err) : 0;
	if (ret < 0)
		return ret;
	if (mount(NULL, ".", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | hull_locked_flags("."),
		  NULL) < 0)
		return hull_fail(err, errno, "cannot make the rootfs read-only");
	if (tmp && mount("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
		return hull_fail(err, errno, "cannot mount tmpfs on '/tmp'");
	return 0;
}
