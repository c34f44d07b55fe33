/* dev_nodes.c — OCI linux.devices in the container's /dev; see dev.h. Runs
 * in the container's mount namespace with the rootfs as the cwd, before the
 * root switch (as hull_dev_setup). */
#include "dev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* mkdir -p of path's parent directories (relative to the cwd). */
static int make_parents(const char *path, struct hull_err *err)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = strchr(dir, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return hull_fail(err, errno, "cannot create directory '/%s'", dir);
		*p = '/';
	}
	return 0;
}

static int add_node(const struct hull_dev_node *d, bool bind_host, struct hull_err *err)
{
	mode_t kind = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	int ret = make_parents(d->path, err);

	if (ret < 0)
		return ret;
	/* hull's own /dev/null etc. (or the rootfs's) give way to the config's. */
	if (unlink(d->path) < 0 && errno != ENOENT)
		return hull_fail(err, errno, "cannot replace '/%s'", d->path);
	if (bind_host && kind != S_IFIFO) {
		char host[4096];
		int fd = open(d->path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
		if (fd < 0)
			return hull_fail(err, errno, "cannot create '/%s'", d->path);
		close(fd);
		/* The node of the same path on the host (runc does the same). */
		snprintf(host, sizeof(host), "/%s", d->path);
		if (mount(host, d->path, NULL, MS_BIND, NULL) < 0)
			return hull_fail(err, errno, "cannot bind '%s' onto '/%s'", host, d->path);
		return 0;
	}
	if (mknod(d->path, kind | (d->mode & 07777),
		  makedev((unsigned)d->major, (unsigned)d->minor)) < 0)
		return hull_fail(err, errno, "cannot create device '/%s'", d->path);
	/* mknod's mode went through the umask; the config's is exact. */
	if (chmod(d->path, d->mode & 07777) < 0 || chown(d->path, d->uid, d->gid) < 0)
		return hull_fail(err, errno, "cannot set the owner and mode of '/%s'", d->path);
	return 0;
}

int hull_dev_add_nodes(const struct hull_dev_node *nodes, size_t n, bool bind_host,
		       struct hull_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int ret = add_node(&nodes[i], bind_host, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}
