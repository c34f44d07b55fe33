/* dev.c — the minimal /dev; see dev.h. */
#include "dev.h"
#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const struct {
	const char *name; /* under dev/ in the rootfs and /dev on the host */
	unsigned int major, minor;
} dev_nodes[] = {
	{ "null", 1, 3 },   { "zero", 1, 5 },	 { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const struct {
	const char *target, *path;
} dev_links[] = {
	{ "/proc/self/fd", "dev/fd" },	     { "/proc/self/fd/0", "dev/stdin" },
	{ "/proc/self/fd/1", "dev/stdout" }, { "/proc/self/fd/2", "dev/stderr" },
	{ "pts/ptmx", "dev/ptmx" },
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static int make_node(size_t i, bool bind_host, struct hull_err *err)
{
	char path[32], host[32];

	snprintf(path, sizeof(path), "dev/%s", dev_nodes[i].name);
	if (!bind_host) {
		if (mknod(path, S_IFCHR | 0666, makedev(dev_nodes[i].major, dev_nodes[i].minor)) <
		    0)
			return hull_fail(err, errno, "cannot create device '/%s'", path);
		return 0;
	}
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
	if (fd < 0)
		return hull_fail(err, errno, "cannot create '/%s'", path);
	close(fd);
	snprintf(host, sizeof(host), "/dev/%s", dev_nodes[i].name);
	if (mount(host, path, NULL, MS_BIND, NULL) < 0)
		return hull_fail(err, errno, "cannot bind '%s' onto '/%s'", host, path);
	return 0;
}

int hull_dev_setup(bool bind_host, struct hull_err *err)
{
	int ret = hull_ensure_mountpoint("dev", 0755, err);
	if (ret < 0)
		return ret;
	if (mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=65536k") < 0)
		return hull_fail(err, errno, "cannot mount tmpfs on '/dev'");

	/* Device nodes must be 0666 whatever umask hull was started with. */
	mode_t old_umask = umask(0);
	for (size_t i = 0; i < N_ELEMS(dev_nodes) && ret == 0; i++)
		ret = make_node(i, bind_host, err);
	if (ret == 0 && mkdir("dev/pts", 0755) < 0)
		ret = hull_fail(err, errno, "cannot create '/dev/pts'");
	/* /dev/shm is a directory of the /dev tmpfs, not a tmpfs of its own:
	 * POSIX shared memory needs nothing more, and a mount costs ~25 µs of
	 * every start. The /dev tmpfs's size caps it. */
	if (ret == 0 && mkdir("dev/shm", 01777) < 0)
		ret = hull_fail(err, errno, "cannot create '/dev/shm'");
	umask(old_umask);
	if (ret < 0)
		return ret;

	if (mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620") < 0)
		return hull_fail(err, errno, "cannot mount devpts on '/dev/pts'");
	for (size_t i = 0; i < N_ELEMS(dev_links); i++)
		if (symlink(dev_links[i].target, dev_links[i].path) < 0)
			return hull_fail(err, errno, "cannot create symlink '/%s'",
					 dev_links[i].path);
	return 0;
}

/* The same /dev, as a detached mount: fsopen/fsmount make a tmpfs in no
 * mount namespace, nodes, directories and links are made through its fd,
 * and devpts is attached below it (a mount onto a detached tree: Linux
 * 6.15). Anything the kernel refuses makes it return < 0; the caller then
 * lets the child build /dev itself. */
int hull_dev_build_detached(struct hull_err *err)
{
	int fs = -1, dev = -1, pts = -1, ret = 0;
	mode_t old_umask;

	/* "source" names it in mountinfo as mount(2) does. */
	fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "755", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "size", "65536k", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
	    (dev = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC)) < 0) {
		ret = hull_fail(err, errno, "cannot mount tmpfs on '/dev'");
		goto out;
	}
	/* Device nodes must be 0666 whatever umask hull was started with. */
	old_umask = umask(0);
	for (size_t i = 0; i < N_ELEMS(dev_nodes) && ret == 0; i++)
		if (mknodat(dev, dev_nodes[i].name, S_IFCHR | 0666,
			    makedev(dev_nodes[i].major, dev_nodes[i].minor)) < 0)
			ret = hull_fail(err, errno, "cannot create device '/dev/%s'",
					dev_nodes[i].name);
	if (ret == 0 && (mkdirat(dev, "pts", 0755) < 0 || mkdirat(dev, "shm", 01777) < 0))
		ret = hull_fail(err, errno, "cannot create a directory in '/dev'");
	umask(old_umask);
	if (ret < 0)
		goto out;
	close(fs);
	fs = fsopen("devpts", FSOPEN_CLOEXEC);
	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "source", "devpts", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_FLAG, "newinstance", NULL, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "ptmxmode", "0666", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0620", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
	    (pts = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC)) < 0 ||
	    move_mount(pts, "", dev, "pts", MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		ret = hull_fail(err, errno, "cannot mount devpts on '/dev/pts'");
		goto out;
	}
	for (size_t i = 0; i < N_ELEMS(dev_links); i++)
		if (symlinkat(dev_links[i].target, dev, dev_links[i].path + 4) < 0) {
			ret = hull_fail(err, errno, "cannot create symlink '/%s'",
					dev_links[i].path);
			goto out;
		}
out:
	if (fs >= 0)
		close(fs);
	if (pts >= 0)
		close(pts);
	if (ret < 0) {
		if (dev >= 0)
			close(dev);
		return ret;
	}
	return dev;
}
