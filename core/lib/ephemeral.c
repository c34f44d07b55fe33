/* ephemeral.c — the overlay root on a private tmpfs; see ephemeral.h. */
#include "ephemeral.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* A new tmpfs (mode 0700) on the working directory, which it then
 * becomes: fsmount gives its root as a descriptor, so no path is walked. */
static int mount_layer_here(struct hull_err *err)
{
	int fs = fsopen("tmpfs", FSOPEN_CLOEXEC), mnt = -1, ret = 0;

	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0700", 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
	    (mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)) < 0 ||
	    move_mount(mnt, "", AT_FDCWD, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
		    0 ||
	    fchdir(mnt) < 0)
		ret = -errno;
	if (mnt >= 0)
		close(mnt);
	if (fs >= 0)
		close(fs);
	return ret < 0 ? hull_fail(err, -ret, "cannot mount the ephemeral layer") : 0;
}

int hull_ephemeral_root(const char *rootfs, struct hull_err *err)
{
	char opts[128];
	struct stat st;
	int fd, ret;

	/* The rootfs itself, reached later through the fd: the tmpfs hides it. */
	fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hull_fail(err, errno, "cannot open rootfs '%s'", rootfs);
	if (fstat(fd, &st) < 0) {
		ret = hull_fail(err, errno, "cannot open rootfs '%s'", rootfs);
		goto out;
	}
	if ((ret = mount_layer_here(err)) < 0)
		goto out;
	/* The overlay's root takes the upper directory's owner and mode. */
	if (mkdir("upper", st.st_mode & 07777) < 0 || chown("upper", st.st_uid, st.st_gid) < 0 ||
	    chmod("upper", st.st_mode & 07777) < 0 || mkdir("work", 0700) < 0 ||
	    mkdir("root", 0755) < 0) {
		ret = hull_fail(err, errno, "cannot make the ephemeral layer of '%s'", rootfs);
		goto out;
	}
	snprintf(opts, sizeof(opts), "lowerdir=/proc/self/fd/%d,upperdir=upper,workdir=work", fd);
	if (mount("hull-ephemeral", "root", "overlay", 0, opts) < 0) {
		ret = hull_fail(err, errno, "cannot mount an overlay over rootfs '%s'", rootfs);
		goto out;
	}
	if (chdir("root") < 0) {
		ret = hull_fail(err, errno, "cannot enter the overlay over rootfs '%s'", rootfs);
		goto out;
	}
	hull_trace_mark("ephemeral_layer");
out:
	close(fd);
	return ret;
}
