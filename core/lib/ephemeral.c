/* ephemeral.c — the overlay root on a private tmpfs; see ephemeral.h. */
#include "ephemeral.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

int hull_ephemeral_root(const char **rootfs, char *buf, size_t len, struct hull_err *err)
{
	const char *dir = *rootfs;
	char opts[512], upper[4096], work[4096];
	int fd, ret = 0;

	/* The rootfs itself, reached later through the fd: the tmpfs hides
	 * its path. */
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hull_fail(err, errno, "cannot open rootfs '%s'", dir);
	if (mount("hull-ephemeral", dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0) {
		ret = hull_fail(err, errno, "cannot mount the ephemeral layer on '%s'", dir);
		goto out;
	}
	if (snprintf(upper, sizeof(upper), "%s/upper", dir) >= (int)sizeof(upper) ||
	    snprintf(work, sizeof(work), "%s/work", dir) >= (int)sizeof(work) ||
	    snprintf(buf, len, "%s/root", dir) >= (int)len ||
	    snprintf(opts, sizeof(opts), "lowerdir=/proc/self/fd/%d,upperdir=%s,workdir=%s", fd,
		     upper, work) >= (int)sizeof(opts)) {
		ret = hull_fail(err, ENAMETOOLONG, "cannot use rootfs '%s' ephemerally", dir);
		goto out;
	}
	/* The overlay's root takes the upper directory's owner and mode. */
	struct stat st;
	if (fstat(fd, &st) < 0 || mkdir(upper, st.st_mode & 07777) < 0 ||
	    chown(upper, st.st_uid, st.st_gid) < 0 || chmod(upper, st.st_mode & 07777) < 0 ||
	    mkdir(work, 0700) < 0 || mkdir(buf, 0755) < 0) {
		ret = hull_fail(err, errno, "cannot make the ephemeral layer of '%s'", dir);
		goto out;
	}
	if (mount("hull-ephemeral", buf, "overlay", 0, opts) < 0) {
		ret = hull_fail(err, errno, "cannot mount an overlay over rootfs '%s'", dir);
		goto out;
	}
	*rootfs = buf;
	hull_trace_mark("ephemeral_layer");
out:
	close(fd);
	return ret;
}
