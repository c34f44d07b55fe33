/* container_modes.c — the container start's alternative paths, kept out
 * of container.c's top-down page: --spawn fork (unshare, and a middle
 * process for pid/time namespaces) and the exec under --init. */
#include "container_start.h"
#include "exec.h"
#include "signal_reset.h"
#include "supervise.h"

#include <errno.h>
#include <sys/prctl.h>
#include <unistd.h>

/* fork mode: the seed's unshare(). PID and time namespaces apply to
 * children only, so one more fork (after go, so the grandchild inherits the
 * cgroup the parent put us in) puts the command inside them; the middle
 * process forwards signals and passes the exit status on. */
void hull_child_unshare_and_wait(struct start *st)
{
	struct hull_err err;
	const struct hull_spec *spec = st->spec;
	bool fork_again = (spec->ns_flags & (CLONE_NEWPID | CLONE_NEWTIME)) != 0;
	uint64_t flags = clone_ns_flags(st);

	/* With a middle process, the mount namespace is the command's alone:
	 * the pivot_root that follows would move the middle process's root
	 * (and its view of /proc, which it reads to forward signals) too. */
	if (fork_again)
		flags &= ~(uint64_t)CLONE_NEWNS;
	if (unshare((int)flags) < 0) {
		hull_fail(&err, errno, "cannot unshare namespaces");
		hull_child_fail(st, &err);
	}
	if (hull_fork_reports_unshared(spec))
		hull_sync_report_ready(&st->sync);
	if (hull_sync_wait_go(&st->sync) < 0)
		_exit(HULL_EXIT_RUNTIME); /* hull is gone */
	if (!fork_again)
		return;

	pid_t self = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		hull_fail(&err, errno, "cannot fork into the pid namespace");
		hull_child_fail(st, &err);
	}
	if (pid == 0) {
		st->parent_pid = self;
		hull_child_arm_deathsig(st);
		if ((spec->ns_flags & CLONE_NEWNS) && unshare(CLONE_NEWNS) < 0) {
			hull_fail(&err, errno, "cannot unshare the mount namespace");
			hull_child_fail(st, &err);
		}
		return;
	}
	/* The middle process: it must not hold the pipes, or the parent would
	 * never see the report pipe close on exec. */
	hull_sync_close(&st->sync);
	struct hull_supervision sv = {
		.pid = pid,
		.emulate_pid1 = (spec->ns_flags & CLONE_NEWPID) && !spec->init,
	};
	int status = hull_supervise_ex(&sv, &err);
	_exit(status < 0 ? HULL_EXIT_RUNTIME : hull_supervised_exit_status(&sv, status));
}

/* OCI create: everything is set up; tell hull create so (it returns), then
 * wait until `hull start` writes a byte into the exec fifo. The fifo is
 * open read-write here, so the read blocks rather than seeing EOF while no
 * start has opened it. */
static int child_wait_start(struct start *st, struct hull_err *err)
{
	char c;
	ssize_t n;

	if (hull_sync_report_ready(&st->sync) < 0)
		_exit(HULL_EXIT_RUNTIME); /* hull create is gone before it could tell */
	do
		n = read(st->spec->exec_fifo_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return hull_fail(err, n < 0 ? errno : EPIPE, "cannot wait for start");
	close(st->spec->exec_fifo_fd);
	return 0;
}

int hull_child_wait_command(struct start *st, struct hull_err *err)
{
	if (st->spec->exec_fifo_fd >= 0)
		return child_wait_start(st, err);
	if (st->spec->command_fd < 0)
		return 0;
	int ret = hull_slot_check(st, err);
	if (ret < 0)
		return ret;
	if (hull_sync_report_ready(&st->sync) < 0)
		_exit(HULL_EXIT_RUNTIME); /* the keeper is gone */
	return hull_slot_receive(st, err);
}

static __attribute__((noreturn)) void child_exec_command(struct start *st)
{
	struct hull_err err;

	/* Default dispositions and an empty mask: neither hull's blocked set
	 * for forwarding nor the caller's ignored or blocked signals. */
	if (!st->signals_defaulted)
		hull_signals_default();
	hull_signals_unblock_all();
	hull_exec(st->spec->argv, st->spec->envp, &err);
	hull_child_fail(st, &err);
}

/* --init: this process stays as the container's PID 1 (hull's own code, no
 * external binary): the command runs as its child; the init forwards
 * signals to it, reaps every orphan, and ends with the command's status. */
__attribute__((noreturn)) void hull_child_exec(struct start *st)
{
	struct hull_err err;

	if (!st->spec->init)
		child_exec_command(st);
	if (!(st->spec->ns_flags & CLONE_NEWPID))
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); /* orphans come to us */
	pid_t pid = fork();
	if (pid < 0) {
		hull_fail(&err, errno, "cannot fork the command under --init");
		hull_child_fail(st, &err);
	}
	if (pid == 0)
		child_exec_command(st);
	/* The command's exec closes the report pipe only if we let go of it. */
	hull_sync_close(&st->sync);
	struct hull_supervision sv = { .pid = pid, .reap_all = true };
	int status = hull_supervise_ex(&sv, &err);
	_exit(status < 0 ? HULL_EXIT_RUNTIME : hull_exit_status(status));
}
