/* container_beside.c — hull's share of a start that runs beside its
 * child (go_late: the child sets up without waiting for hull first): lo
 * of the child's new net namespace brought up from here, and /dev built
 * as a detached mount for the child to take after go. container.c calls
 * these between the clone and go; a shared-memory start (shared_vm) has
 * its child do both itself. */
#include "container_start.h"
#include "dev.h"
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

/* Before Linux 5.8 setns takes a namespace's fd, not a pidfd (EINVAL). */
static bool enter_net_by_path(pid_t pid)
{
	char path[64];
	int saved = errno, fd, ret;

	if (saved != EINVAL)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errno = saved;
		return false;
	}
	ret = setns(fd, CLONE_NEWNET);
	saved = errno;
	close(fd);
	errno = saved;
	return ret == 0;
}

/* lo of the child's new net namespace, brought up from here while the
 * child builds its root (go_late): hull enters that namespace for it and
 * returns to its own. */
int hull_parent_bring_lo_up(struct start *st, struct hull_err *err)
{
	int ret, own;

	if (!st->parent_brings_lo_up)
		return 0;
	own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (own < 0)
		return hull_fail(err, errno, "cannot open namespace '%s'", "/proc/self/ns/net");
	if (setns(st->pidfd, CLONE_NEWNET) < 0 && !enter_net_by_path(st->pid)) {
		ret = hull_fail(err, errno, "cannot enter the container's net namespace");
	} else {
		ret = hull_net_lo_up(err);
		/* Back, or hull's own later network work would land there. */
		if (setns(own, CLONE_NEWNET) < 0 && ret == 0)
			ret = hull_fail(err, errno, "cannot return to hull's net namespace");
	}
	close(own);
	return ret;
}

/* The child's /dev, built here while it sets up (go_late), left at
 * dev_slot for it to take; without one there, it builds its own. */
void hull_parent_build_dev(struct start *st)
{
	struct hull_err ignored;

	if (!st->parent_builds_dev)
		return;
	int dev = hull_dev_build_detached(&ignored);
	if (dev >= 0 && dup3(dev, st->dev_slot, O_CLOEXEC) == st->dev_slot) {
		close(dev);
		return;
	}
	if (dev >= 0)
		close(dev);
	close(st->dev_slot);
	st->dev_slot = -1;
}
