/* root.c — propagation, rootfs bind, /proc, pivot_root/chroot; see root.h. */
#include "root.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

int hull_mounts_make_private(unsigned long propagation, struct hull_err *err)
{
	if (!propagation)
		propagation = MS_REC | MS_PRIVATE;
#ifdef HULL_TEST_SKIP_PRIVATE
	/* Test builds only (the CI gate's proof that it catches an isolation
	 * break): leave propagation as the host has it. */
	(void)err;
	(void)propagation;
	return 0;
#endif
	if (mount(NULL, "/", NULL, propagation, NULL) < 0)
		return hull_fail(err, errno, "cannot make mounts private on '/'");
	return 0;
}

int hull_rootfs_enter(const char *rootfs, struct hull_err *err)
{
	if (chdir(rootfs) < 0)
		return hull_fail(err, errno, "cannot enter rootfs '%s'", rootfs);
	return 0;
}

int hull_rootfs_bind(const char *rootfs, struct hull_err *err)
{
	/* The working directory is the rootfs (hull cloned us there): clone
	 * its mount tree and put the clone on it, never walking the path,
	 * which the mapped root of a user namespace may not search (a rootfs
	 * below /root, mode 0700). The clone keeps the locks a user namespace
	 * puts on the mounts it was given. */
	int tree = open_tree(AT_FDCWD, "",
			     OPEN_TREE_CLONE | AT_RECURSIVE | AT_EMPTY_PATH | OPEN_TREE_CLOEXEC);
	if (tree < 0 && errno == ENOSYS) { /* before Linux 5.2: by path */
		if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
			return hull_fail(err, errno, "cannot bind rootfs '%s'", rootfs);
		/* Only a chdir after the bind lands on the new mount. */
		return hull_rootfs_enter(rootfs, err);
	}
	if (tree < 0 || move_mount(tree, "", AT_FDCWD, "",
				   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		int saved = errno;
		if (tree >= 0)
			close(tree);
		return hull_fail(err, saved, "cannot bind rootfs '%s'", rootfs);
	}
	/* Enter the new mount (the old working directory is below it). */
	int ret = fchdir(tree) < 0 ? hull_fail(err, errno, "cannot enter rootfs '%s'", rootfs) : 0;
	close(tree);
	return ret;
}

int hull_ensure_mountpoint(const char *path, unsigned int mode, struct hull_err *err)
{
	struct stat st;

	/* Usually there: one lstat (a mkdir that fails with EEXIST cost
	 * twice as much, ~4 us, for each of /proc, /dev and /sys). */
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)
			return hull_fail(err, errno, "cannot use mountpoint '/%s'", path);
		if (mkdir(path, mode) < 0 && errno != EEXIST)
			return hull_fail(err, errno, "cannot create mountpoint '/%s'", path);
		if (lstat(path, &st) < 0)
			return hull_fail(err, errno, "cannot use mountpoint '/%s'", path);
	}
	if (!S_ISDIR(st.st_mode))
		return hull_fail(err, ENOTDIR, "cannot use mountpoint '/%s'", path);
	return 0;
}

int hull_mount_proc(struct hull_err *err)
{
	int ret = hull_ensure_mountpoint("proc", 0555, err);
	if (ret < 0)
		return ret;
	if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return hull_fail(err, errno, "cannot mount proc on '/proc'");
	return 0;
}

int hull_mount_sys(struct hull_err *err)
{
	int ret = hull_ensure_mountpoint("sys", 0555, err);
	if (ret < 0)
		return ret;
	if (mount("sysfs", "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return hull_fail(err, errno, "cannot mount sysfs on '/sys'");
	return 0;
}

int hull_root_pivot(const char *rootfs, struct hull_err *err)
{
	/* With new_root == put_old the old root ends up stacked on "/", no
	 * directory in the rootfs is needed for it, and one lazy unmount of
	 * "." removes it. That unmount is most of this phase (~100 us here):
	 * the kernel waits for an expedited RCU grace period after any
	 * unmount before it frees the mounts (the floor pays it too). */
	if (hull_sys_pivot_root(".", ".") < 0)
		return hull_fail(err, errno, "cannot pivot_root to '%s'", rootfs);
	if (umount2(".", MNT_DETACH) < 0)
		return hull_fail(err, errno, "cannot detach the old root of '%s'", rootfs);
	if (chdir("/") < 0)
		return hull_fail(err, errno, "cannot chdir to '/' in '%s'", rootfs);
	return 0;
}

int hull_root_chroot(const char *rootfs, struct hull_err *err)
{
	if (chroot(".") < 0)
		return hull_fail(err, errno, "cannot chroot to '%s'", rootfs);
	if (chdir("/") < 0)
		return hull_fail(err, errno, "cannot chdir to '/' in '%s'", rootfs);
	return 0;
}

unsigned long hull_locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long flags = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	return flags;
}
