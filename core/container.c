/* container.c — the container start as one top-down sequence of phases.
 *
 *   parent                                  child (in its new namespaces)
 *   ------                                  -----
 *   prepare: sync pipes, block signals
 *   spawn: clone3(CLONE_NEW*)  ───────────► enter: deathsig, [fork mode: unshare,
 *                                                  fork again for pid/time]
 *   parent_setup: uid/gid maps              wait for go
 *   release: send go  ────────────────────► mounts private, bind rootfs,
 *                                           /proc, /dev, pivot_root (or chroot),
 *                                           hostname, cwd, fds, signal mask
 *   wait_exec: report EOF = exec'd ◄─────── exec (failures go back on report)
 *   supervise: forward signals, waitpid
 *
 * Every phase is one function; a trace mark sits at each boundary. */
#include "container.h"
#include "dev.h"
#include "exec.h"
#include "idmap.h"
#include "root.h"
#include "supervise.h"
#include "sync.h"
#include "sys.h"
#include "trace.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct start {
	const struct hull_spec *spec;
	struct hull_sync sync;
	sigset_t saved_mask;
	bool signals_blocked;
	pid_t parent_pid;
	pid_t pid; /* the child hull created */
};

/* ---- child phases --------------------------------------------------- */

static __attribute__((noreturn)) void child_fail(struct start *st, const struct hull_err *err)
{
	hull_sync_report_error(&st->sync, err);
	_exit(err->exit_code ? err->exit_code : HULL_EXIT_RUNTIME);
}

/* The container must not outlive hull. With a new PID namespace getppid()
 * is 0, so the race "hull died before prctl" is caught by the go pipe's EOF
 * instead; without one, a changed parent pid tells. */
static void child_arm_deathsig(struct start *st)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pid_t ppid = getppid();
	if (ppid != 0 && ppid != st->parent_pid)
		_exit(HULL_EXIT_RUNTIME);
}

/* fork mode: the seed's unshare(). PID and time namespaces apply to
 * children only, so one more fork puts the command inside them; the middle
 * process forwards signals and passes the exit status on. */
static void child_unshare(struct start *st)
{
	struct hull_err err;
	const struct hull_spec *spec = st->spec;

	if (unshare((int)spec->ns_flags) < 0) {
		hull_fail(&err, errno, "cannot unshare namespaces");
		child_fail(st, &err);
	}
	if (spec->ns_flags & CLONE_NEWUSER)
		hull_sync_report_ready(&st->sync);
	if (!(spec->ns_flags & (CLONE_NEWPID | CLONE_NEWTIME)))
		return;

	pid_t self = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		hull_fail(&err, errno, "cannot fork into the pid namespace");
		child_fail(st, &err);
	}
	if (pid == 0) {
		st->parent_pid = self;
		child_arm_deathsig(st);
		return;
	}
	/* The middle process: it must not hold the pipes, or the parent would
	 * never see the report pipe close on exec. */
	hull_sync_close(&st->sync);
	int status = hull_supervise(pid, &err);
	_exit(status < 0 ? HULL_EXIT_RUNTIME : hull_exit_status(status));
}

/* Everything that needs the mount namespace: mounts go private first, then
 * the rootfs is bound and entered, /proc and /dev are built inside it, and
 * only then is the root switched (see root.h for this order). */
static int child_build_root(const struct hull_spec *spec, struct hull_err *err)
{
	int ret;

	if (!hull_spec_has_mntns(spec)) {
		/* No mount namespace: chroot only, never a mount (it would be the
		 * host's). */
		ret = hull_rootfs_enter(spec->rootfs, err);
		if (ret == 0)
			ret = hull_root_chroot(spec->rootfs, err);
		return ret;
	}
	ret = hull_mounts_make_private(err);
	if (ret < 0)
		return ret;
	hull_trace_mark("mounts_private");
	if (spec->root_mode == HULL_ROOT_PIVOT)
		ret = hull_rootfs_bind(spec->rootfs, err);
	else
		ret = hull_rootfs_enter(spec->rootfs, err);
	if (ret < 0)
		return ret;
	if (spec->mount_proc) {
		ret = hull_mount_proc(err);
		if (ret < 0)
			return ret;
		hull_trace_mark("proc_mounted");
	}
	if (spec->mount_dev) {
		ret = hull_dev_setup((spec->ns_flags & CLONE_NEWUSER) != 0, err);
		if (ret < 0)
			return ret;
		hull_trace_mark("dev_ready");
	}
	if (spec->root_mode == HULL_ROOT_PIVOT)
		return hull_root_pivot(spec->rootfs, err);
	return hull_root_chroot(spec->rootfs, err);
}

static int child_set_hostname(const struct hull_spec *spec, struct hull_err *err)
{
	if (!(spec->ns_flags & CLONE_NEWUTS))
		return 0;
	if (sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return hull_fail(err, errno, "cannot set hostname '%s'", spec->hostname);
	hull_trace_mark("hostname_set");
	return 0;
}

/* Last steps before exec: the working directory, and no fd beyond 0-2 and
 * no blocked signal handed to the command. */
static int child_finish(struct start *st, struct hull_err *err)
{
	if (chdir(st->spec->cwd) < 0)
		return hull_fail(err, errno, "cannot change to working directory '%s'",
				 st->spec->cwd);
	/* Inherited fds (shells and CI runners leak them) must not reach the
	 * command; marking them CLOEXEC keeps the report pipe working until
	 * the exec itself. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return hull_fail(err, errno, "cannot close inherited file descriptors");
	hull_signals_restore(&st->saved_mask);
	return 0;
}

static __attribute__((noreturn)) void child_main(struct start *st)
{
	const struct hull_spec *spec = st->spec;
	struct hull_err err;

	hull_trace_mark("child_entered");
	hull_sync_keep_child(&st->sync);
	child_arm_deathsig(st);
	if (spec->spawn_mode == HULL_SPAWN_FORK)
		child_unshare(st);
	if (hull_sync_wait_go(&st->sync) < 0)
		_exit(HULL_EXIT_RUNTIME); /* hull is gone */

	if (child_build_root(spec, &err) < 0)
		child_fail(st, &err);
	hull_trace_mark("root_switched");
	if (child_set_hostname(spec, &err) < 0 || child_finish(st, &err) < 0)
		child_fail(st, &err);
	hull_exec(spec->argv, spec->envp, &err);
	child_fail(st, &err);
}

/* ---- parent phases -------------------------------------------------- */

static int parent_prepare(struct start *st, struct hull_err *err)
{
	int ret = hull_sync_open(&st->sync, err);
	if (ret < 0)
		return ret;
	st->parent_pid = getpid();
	ret = hull_signals_block(&st->saved_mask, err);
	if (ret < 0)
		return ret;
	st->signals_blocked = true;
	return 0;
}

static int parent_spawn(struct start *st, struct hull_err *err)
{
	const struct hull_spec *spec = st->spec;
	pid_t pid;

	if (spec->spawn_mode == HULL_SPAWN_CLONE3) {
		struct hull_clone_args args = {
			.flags = spec->ns_flags,
			.exit_signal = SIGCHLD,
		};
		pid = hull_sys_clone3(&args);
	} else {
		pid = fork();
	}
	if (pid < 0)
		return hull_fail(err, errno, "cannot create the container process");
	if (pid == 0)
		child_main(st);
	st->pid = pid;
	hull_sync_keep_parent(&st->sync);
	hull_trace_mark("cloned");
	return 0;
}

/* The parent's share of the setup, done while the child waits for go. */
static int parent_setup(struct start *st, struct hull_err *err)
{
	const struct hull_spec *spec = st->spec;

	if (!(spec->ns_flags & CLONE_NEWUSER))
		return 0;
	if (spec->spawn_mode == HULL_SPAWN_FORK) {
		/* The child unshares first; wait until its user ns exists. */
		struct hull_err child_err;
		int type = hull_sync_read_report(&st->sync, &child_err, err);
		if (type < 0)
			return type;
		if (type == HULL_REPORT_ERROR) {
			*err = child_err;
			return -EINVAL;
		}
		if (type != HULL_REPORT_READY)
			return hull_fail(err, EPROTO, "container process ended during setup");
	}
	return hull_idmap_write(st->pid, geteuid(), getegid(), err);
}

/* Returns 0 once the command was executed, < 0 with the child's own error
 * when setup or exec failed. */
static int parent_wait_exec(struct start *st, struct hull_err *err)
{
	struct hull_err child_err;
	int type = hull_sync_read_report(&st->sync, &child_err, err);

	if (type < 0)
		return type;
	if (type == HULL_REPORT_ERROR) {
		*err = child_err;
		return child_err.errnum ? -child_err.errnum : -EINVAL;
	}
	return 0;
}

int hull_run(const struct hull_spec *spec, int *exit_status, struct hull_err *err)
{
	struct start st = { .spec = spec, .pid = -1 };
	int ret, status;

	hull_sync_init(&st.sync);

	ret = parent_prepare(&st, err);
	if (ret < 0)
		goto out;
	ret = parent_spawn(&st, err);
	if (ret < 0)
		goto out;
	ret = parent_setup(&st, err);
	if (ret < 0)
		goto out;
	ret = hull_sync_send_go(&st.sync, err);
	if (ret < 0)
		goto out;
	ret = parent_wait_exec(&st, err);
	if (ret < 0)
		goto out;

	status = hull_supervise(st.pid, err);
	if (status < 0) {
		ret = status;
		goto out;
	}
	st.pid = -1;
	hull_trace_mark("exited");
	*exit_status = hull_exit_status(status);
out:
	hull_sync_close(&st.sync);
	if (st.pid > 0) {
		/* Setup failed: the child is exiting (or waiting for a go that
		 * will never come); make sure, then reap it. */
		kill(st.pid, SIGKILL);
		hull_reap(st.pid);
	}
	if (st.signals_blocked)
		hull_signals_restore(&st.saved_mask);
	return ret;
}
