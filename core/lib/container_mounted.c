/* container_mounted.c — the container's stop after its mounts and before
 * its root switch, both sides; only with spec->on_mounted (OCI
 * createContainer hooks, which must run in the container's namespaces
 * before pivot_root or chroot):
 *
 *   parent                                   child
 *   ------                                   -----
 *   hull_mounted_open: a pipe of its own
 *   send go (as always) ───────────────────► mounts, /proc, /dev, masks
 *                                  ◄───────── report READY (sync.h)
 *   on_mounted (runs the hooks)              wait: one byte on mounted_go
 *   one byte ─────────────────────────────► pivot_root (or chroot), ...
 *
 * Without on_mounted nothing here costs more than a test of a pointer: no
 * pipe, no report, no wait, and the child keeps its early start (go_late).
 * The go pipe is not reused: hull_sync's go carries one message only. */
#include "container_start.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int hull_mounted_open(struct start *st, struct hull_err *err)
{
	if (!st->spec->on_mounted)
		return 0;
	/* In fork mode the process that stops is not the one hull knows. */
	if (st->spec->spawn_mode != HULL_SPAWN_CLONE3)
		return hull_fail(err, EINVAL, "createContainer hooks need the clone3 spawn");
	if (pipe2(st->mounted_go, O_CLOEXEC) < 0)
		return hull_fail(err, errno, "cannot create a pipe");
	return 0;
}

/* OCI createContainer hooks: the child reports READY with its mounts done
 * and its root not yet switched; on_mounted runs them, then the child goes
 * on. Its failure kills the child (hull_run's out), which then reads EOF. */
int hull_parent_run_mounted(struct start *st, struct hull_err *err)
{
	struct hull_err child_err;
	int type, ret;

	if (!st->spec->on_mounted)
		return 0;
	type = hull_sync_read_report(&st->sync, &child_err, err);
	if (type < 0)
		return type;
	if (type == HULL_REPORT_ERROR) {
		*err = child_err;
		return child_err.errnum ? -child_err.errnum : -EINVAL;
	}
	if (type != HULL_REPORT_READY)
		return hull_fail(err, EPROTO, "container process ended during setup");
	hull_trace_mark("mounted");
	ret = st->spec->on_mounted(st->pid, st->spec->on_mounted_arg, err);
	if (ret < 0)
		return ret;
	/* Marked before the byte: the child's next mark must come after it. */
	hull_trace_mark("mounted_hooks_done");
	return hull_release_write(st->mounted_go[1], "g", 1, err);
}

/* OCI createContainer hooks run now, in this process's namespaces with
 * its mounts done and its root not yet switched (hull runs them, see
 * hull_parent_run_mounted). Without them this is a test of a
 * pointer: no sync, no system call. */
int hull_child_stop_before_root_switch(struct start *st, struct hull_err *err)
{
	char go;
	ssize_t n;

	if (!st->spec->on_mounted)
		return 0;
	hull_trace_mark("mounted_stop");
	if (hull_sync_report_ready(&st->sync) < 0)
		_exit(HULL_EXIT_RUNTIME); /* hull is gone */
	while ((n = read(st->mounted_go[0], &go, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(HULL_EXIT_RUNTIME); /* hull failed (a hook) or died */
	close(st->mounted_go[0]);
	st->mounted_go[0] = -1;
	hull_trace_mark("mounted_go");
	(void)err;
	return 0;
}
