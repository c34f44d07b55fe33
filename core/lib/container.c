/* container.c — the container start as one top-down sequence of phases.
 *
 *   parent                                  child (in its new namespaces)
 *   ------                                  -----
 *   prepare: sync pipes, block signals,
 *            cgroup with its limits
 *            [OCI: join pid ns by path]
 *   spawn: clone3(CLONE_NEW*           ───► enter: deathsig, [fork mode: unshare]
 *                 [|CLONE_INTO_CGROUP])
 *   [nothing for hull until the exec:        [shared_vm: in hull's memory on a
 *    clone(CLONE_VM|CLONE_VFORK|NEW*),        stack of its own; no go: lo up,
 *    hull suspended until the child           /dev, signals done here; straight
 *    execs or dies, then wait_exec]           on to exec]
 *   parent_setup: uid/gid maps,             v1: join its cgroup itself
 *                 [v1, old kernel: cgroup   ("0" into each tasks file:
 *                  join by pid]              no grace period), wait for go
 *   parent_network: [veth/bridge: veth
 *     with its peer in the child's net ns,
 *     addresses, routes, rate; cni: ADD]
 *   release: send go  ────────────────────► [fork mode: fork again for pid/time]
 *                                           [OCI, ns:PATH: join namespaces by path]
 *                                           [new net ns: lo up]
 *                                           cgroup ns, mounts private, bind rootfs,
 *                                           /proc, /dev, [OCI mounts, devices],
 *   [OCI createContainer hooks: ◄─────────► [report READY, wait: the hooks run
 *    run them, then let go]                  here (container_mounted.c)],
 *                                           [sysctls], masks, [read-only root],
 *                                           pivot_root (or chroot),
 *                                           hostname, cwd, fds, rlimits,
 *                                           [OCI terminal: pty to the console
 *                                            socket], caps, seccomp
 *                                  ◄─────── [OCI create: report READY, then
 *                                            wait on the exec fifo for start]
 *   [pool slot: on_ready hands ◄──────────► [pool slot: report READY, then
 *    the command over]                       receive the command (slot.c)]
 *   wait_exec: report EOF = exec'd ◄─────── exec (failures go back on report)
 *   [OCI create: return here, detached]
 *   supervise: forward signals, waitpid
 *   finish: remove host-side links (cni: DEL), release addresses;
 *           cgroup stats, remove cgroup
 *
 * Every phase is one function; a trace mark sits at each boundary. The
 * parent's phases and the child's page (child_prepare, child_main) are
 * here; the child's steps they call are container_child.c's, hull's share
 * beside a go_late child (lo up, a detached /dev) container_beside.c's. */
#include "container.h"
#include "container_start.h"
#include "cwd_swap.h"
#include "signal_reset.h"
#include "caps.h"
#include "cgroup.h"
#include "dev.h"
#include "ephemeral.h"
#include "exec.h"
#include "fileio.h"
#include "idmap.h"
#include "masks.h"
#include "mounts.h"
#include "net.h"
#include "ns.h"
#include "root.h"
#include "seccomp_filter.h"
#include "settings.h"
#include "supervise.h"
#include "sync.h"
#include "sys.h"
#include "terminal.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- child ------------------------------------------------------------ */

static void child_wait_go(struct start *st)
{
	uint64_t ignored;

	if (hull_sync_wait_go_with(&st->sync, &ignored) < 0)
		_exit(HULL_EXIT_RUNTIME); /* hull is gone */
	if (st->go_late) {
		/* hull asked which signals were ignored (signal_reset.h). */
		hull_signals_default_these(ignored);
		st->signals_defaulted = true;
	}
	hull_trace_mark("go_received");
}

/* Everything that does not depend on the command: namespaces, root,
 * hostname, cwd, fds, limits, privileges. A pool slot stops after it. */
static void child_prepare(struct start *st)
{
	const struct hull_spec *spec = st->spec;
	struct hull_err err;

	hull_trace_mark("child_entered");
	hull_sync_keep_child(&st->sync);
	if (st->mounted_go[1] >= 0)
		close(st->mounted_go[1]);
	if (spec->command_peer_fd >= 0)
		close(spec->command_peer_fd);
	hull_child_arm_deathsig(st);
	/* First, so everything it does and starts is inside (fork mode: its
	 * own child too). */
	hull_child_join_cgroup(st);
	/* While the parent writes maps and cgroups (signal_reset.h); with
	 * nothing for it to do, the parent asks instead, unless it is
	 * suspended until the exec (shared_vm). */
	if (!st->go_late || st->shared_vm) {
		hull_signals_default();
		st->signals_defaulted = true;
	}
	if (spec->spawn_mode == HULL_SPAWN_FORK)
		hull_child_unshare_and_wait(st);
	else if (!st->go_late && !st->shared_vm)
		child_wait_go(st);

	if (hull_child_join_namespaces(st, &err) < 0 || hull_child_become_ns_root(spec, &err) < 0 ||
	    hull_child_bring_lo_up(st, &err) < 0 || hull_child_enter_cgroup_ns(st, &err) < 0 ||
	    hull_child_build_root(st, &err) < 0)
		hull_child_fail(st, &err);
	hull_trace_mark("root_switched");
	if (hull_child_set_hostname(spec, &err) < 0)
		hull_child_fail(st, &err);
	/* The parent's share (lo, /dev) is done before anything runs here. */
	if (st->go_late && !st->shared_vm)
		child_wait_go(st);
	if (hull_child_attach_dev(st, &err) < 0 ||
	    (st->console_fd >= 0 && hull_console_setup(st->console_fd, &err) < 0) ||
	    hull_child_finish(st, &err) < 0 || hull_child_drop_privileges(st, &err) < 0)
		hull_child_fail(st, &err);
}

/* prepare, [OCI create: wait for start | pool slot: wait for the command],
 * exec. */
static __attribute__((noreturn)) void child_main(struct start *st)
{
	struct hull_err err;

	child_prepare(st);
	if (hull_child_wait_command(st, &err) < 0)
		hull_child_fail(st, &err);
	hull_child_exec(st);
}

/* shared_vm: the child runs on its own stack in hull's memory while hull
 * is suspended. It works on a copy of the start: what it changes there
 * (the sync fds it closes, flags it sets) must not become hull's. */
static int child_main_shared(void *arg)
{
	struct start own = *(const struct start *)arg;

	child_main(&own);
}

/* ---- parent phases -------------------------------------------------- */

/* One cgroup for the container, limits written before it runs. Stale
 * cgroups of hull runs that were killed are collected first. */
static int parent_make_cgroup(struct start *st, struct hull_err *err)
{
	const struct hull_limits *limits = &st->spec->limits;
	int ret;

	if (!hull_limits_any(limits) && !st->spec->cgroup_always)
		return 0;
	ret = hull_cgroup_init(st->cg, limits, NULL, st->spec->cgroup_name, err);
	if (ret < 0)
		return ret;
	/* Only for hull's own per-run names: an OCI container's siblings
	 * under its parent belong to its engine. */
	if (!st->spec->cgroup_name)
		hull_cgroup_gc(&st->cg->mounts, limits->parent, NULL);
	st->cg->freezer = st->spec->cgroup_always;
	ret = hull_cgroup_create(st->cg, err);
	if (ret < 0)
		return ret;
	st->use_cgroup = true;
	/* v1: the child joins itself, cheaply (cgroup_self_join.h). */
	hull_cg_self_join_prepare(&st->self_join, st->cg);
	hull_trace_mark("cgroup_created");
	return 0;
}

/* OCI `path` namespaces are opened before the clone; the pid one is
 * joined here, as it applies to the children of the caller only. */
static int parent_open_namespaces(struct start *st, struct hull_err *err)
{
	for (size_t i = 0; i < hull_ns_count && i < HULL_NS_SLOTS; i++) {
		const char *path = st->spec->ns_paths[i];
		if (!path)
			continue;
		st->ns_fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (st->ns_fds[i] < 0)
			return hull_fail(err, errno, "cannot open namespace '%s'", path);
		if (hull_ns_table[i].flag != CLONE_NEWPID)
			continue;
		/* Only for the container's clone: hull's own later children (a
		 * sanitizer's leak tracer at exit) must not be born there. */
		st->own_pid_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (st->own_pid_ns < 0 || setns(st->ns_fds[i], CLONE_NEWPID) < 0)
			return hull_fail(err, errno, "cannot join namespace '%s'", path);
	}
	return 0;
}

static int parent_prepare(struct start *st, struct hull_err *err)
{
	int ret = hull_sync_open(&st->sync, err);
	if (ret < 0)
		return ret;
	ret = parent_open_namespaces(st, err);
	if (ret < 0)
		return ret;
	st->parent_pid = getpid();
	ret = hull_signals_block(&st->saved_mask, err);
	if (ret < 0)
		return ret;
	st->signals_blocked = true;
	if (st->spec->console_socket &&
	    (st->console_fd = hull_console_connect(st->spec->console_socket, err)) < 0)
		return st->console_fd;
	ret = hull_seccomp_prepare(st->spec->seccomp_mode, st->spec->seccomp_file,
				   st->spec->seccomp_profile, &st->filter, err);
	if (ret < 0)
		return ret;
	ret = parent_make_cgroup(st, err);
	if (ret < 0)
		return ret;
	/* Id maps, a cgroup attach and the network must be there before the
	 * child does anything; without them it need not wait for go first. lo
	 * then comes up from here, while the child builds its root. A user
	 * namespace's parent may not enter its net namespace (rootless). A
	 * child that stops for createContainer hooks takes go first. */
	const struct hull_spec *spec = st->spec;
	st->go_late = spec->spawn_mode == HULL_SPAWN_CLONE3 && !(spec->ns_flags & CLONE_NEWUSER) &&
		      !st->use_cgroup && !hull_net_needs_setup(&spec->net) && !spec->on_mounted;
	if ((ret = hull_mounted_open(st, err)) < 0)
		return ret;
	/* Nor anything between the clone and the exec: hull need not run
	 * beside its child, which then need not have an address space of its
	 * own (parent_spawn). A v1 cgroup the child joins itself
	 * (cgroup_self_join.h) is no work of hull's either; a v2 one needs
	 * clone3's CLONE_INTO_CGROUP. Not under --init (the child stays as
	 * PID 1, it never execs), nor when it stops before the exec (OCI
	 * create; a pool slot may: its keeper sleeps until the exec, slot.c),
	 * nor with a console (OCI) or a time namespace
	 * (legacy clone has no bit for it). Never with a user namespace: the
	 * mm's dumpable flag would be hull's, and a rootless hull writes the
	 * maps of a dumpable child. */
	st->shared_vm = spec->spawn_mode == HULL_SPAWN_CLONE3 &&
			(!st->use_cgroup || st->self_join.armed) &&
			!hull_net_needs_setup(&spec->net) && !spec->on_mounted && !spec->init &&
			spec->exec_fifo_fd < 0 && st->console_fd < 0 &&
			!(spec->ns_flags & (CLONE_NEWTIME | CLONE_NEWUSER));
	st->parent_brings_lo_up =
		st->go_late && !st->shared_vm && (clone_ns_flags(st) & CLONE_NEWNET);
	/* /dev too, unless a config's mounts or devices go into it, or a
	 * console needs it before go. */
	st->parent_builds_dev = st->go_late && !st->shared_vm && spec->mount_dev &&
				hull_spec_has_mntns(spec) && spec->n_mounts == 0 &&
				spec->n_devices == 0 && st->console_fd < 0;
	if (st->parent_builds_dev) {
		st->parent_pidfd = pidfd_open(getpid(), 0);
		if (st->parent_pidfd >= 0)
			st->dev_slot = fcntl(st->parent_pidfd, F_DUPFD_CLOEXEC, 0);
		if (st->dev_slot < 0)
			st->parent_builds_dev = false; /* the child builds it */
	}
	return 0;
}

static int parent_spawn(struct start *st, struct hull_err *err)
{
	const struct hull_spec *spec = st->spec;
	pid_t pid = -1;
	int home, ret;

	/* The child starts in the rootfs (cwd_swap.h). */
	if ((ret = hull_cwd_enter(spec->rootfs, &home, err)) < 0)
		return ret;
	st->cwd_is_rootfs = true;
	if (st->shared_vm) {
		/* Before, as the flag is the shared mm's: hull's memory is never
		 * open to /proc/<pid>/mem while the child runs in it. The
		 * command's exec gives it an mm of its own, dumpable as ever. */
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		hull_trace_mark("spawn_shared_vm");
		/* A slot waits for its request: its keeper sleeps (sys.h). */
		pid = hull_sys_clone_vfork(child_main_shared, st, clone_ns_flags(st),
					   spec->command_fd >= 0 ? HULL_SHARED_SLEEP
								 : HULL_SHARED_VFORK);
	} else if (spec->spawn_mode == HULL_SPAWN_CLONE3) {
		struct hull_clone_args args = {
			.flags = clone_ns_flags(st),
			.exit_signal = SIGCHLD,
		};
		if (st->parent_brings_lo_up) {
			args.flags |= CLONE_PIDFD;
			args.pidfd = (uint64_t)(uintptr_t)&st->pidfd;
		}
		int cg_fd = st->use_cgroup ? st->cg->ops->into_fd(st->cg) : -1;
		if (cg_fd >= 0) {
			args.flags |= HULL_CLONE_INTO_CGROUP;
			args.cgroup = (uint64_t)cg_fd;
			pid = hull_sys_clone3(&args);
			if (pid >= 0)
				st->cg->attached = true;
			else if (errno == EINVAL || errno == E2BIG || errno == EOPNOTSUPP)
				args.flags &=
					~HULL_CLONE_INTO_CGROUP; /* older kernel: join later */
		}
		if (cg_fd < 0 || !st->cg->attached)
			pid = hull_sys_clone3(&args);
	} else {
		pid = fork();
	}
	int clone_errno = errno;
	if (pid == 0 && !st->shared_vm)
		child_main(st);
	hull_cg_self_join_close(&st->self_join); /* the child's now */
	if (st->mounted_go[0] >= 0) {
		close(st->mounted_go[0]);
		st->mounted_go[0] = -1;
	}
	if (st->own_pid_ns >= 0) {
		setns(st->own_pid_ns, CLONE_NEWPID);
		close(st->own_pid_ns);
		st->own_pid_ns = -1;
	}
	ret = hull_cwd_return(home, err);
	if (pid < 0)
		return hull_fail(err, clone_errno, "cannot create the container process");
	st->pid = pid;
	if (ret < 0)
		return ret; /* hull_run kills and reaps the child */
	/* From here on the container's processes must never reach hull's
	 * memory or its binary through /proc/<hull>/ (CVE-2019-5736). Not
	 * before the clone: the child must stay dumpable for a rootless
	 * parent to write its id maps. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	hull_sync_keep_parent(&st->sync);
	hull_trace_mark("cloned");
	return 0;
}

/* The parent's share of the setup, done while the child waits for go. */
static int parent_setup(struct start *st, struct hull_err *err)
{
	const struct hull_spec *spec = st->spec;

	int ret;

	if (st->use_cgroup && !st->self_join.armed) {
		ret = hull_cgroup_attach(st->cg, st->pid, err);
		if (ret < 0)
			return ret;
		hull_trace_mark("cgroup_joined");
	}
	if (spec->spawn_mode == HULL_SPAWN_FORK && hull_fork_reports_unshared(spec)) {
		/* The child unshares first; wait until its namespaces exist. */
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
	if (!(spec->ns_flags & CLONE_NEWUSER))
		return 0;
	return hull_idmap_write(st->pid, &spec->uidmap, &spec->gidmap, err);
}

/* The container's network, built from here through its net namespace
 * while it waits for go (net_setup.c says why from here). */
static int parent_network(struct start *st, struct hull_err *err)
{
	int ret;

	if (!hull_net_needs_setup(&st->spec->net))
		return 0;
	if ((ret = hull_net_setup(&st->net, st->pid, err)) < 0)
		return ret;
	hull_trace_mark("net_ready");
	return 0;
}

/* A step of hull's failed while its child set up beside it (go_late):
 * the child may have failed first, and hull's failure (no such process)
 * be only the consequence. The child's own error, if it sent one, is the
 * one to report; it is stopped first, so that its report is complete. */
static void parent_prefer_child_error(struct start *st, struct hull_err *err)
{
	struct hull_err child_err;

	kill(st->pid, SIGKILL);
	if (hull_sync_read_report(&st->sync, &child_err, NULL) == HULL_REPORT_ERROR)
		*err = child_err;
}

/* Returns 0 once the command was executed, < 0 with the child's own error
 * when setup or exec failed. */
static int parent_wait_exec(struct start *st, struct hull_err *err)
{
	struct hull_err child_err;
	int type = hull_sync_read_report(&st->sync, &child_err, err);

	/* A pool slot is ready: the command is handed over, then the exec
	 * reports as for any start. */
	if (type == HULL_REPORT_READY && st->spec->command_fd >= 0) {
		int ret = st->spec->on_ready(st->pid, st->spec->on_ready_arg, err);
		if (ret < 0)
			return ret;
		type = hull_sync_read_report(&st->sync, &child_err, err);
	}
	if (type < 0)
		return type;
	if (type == HULL_REPORT_ERROR) {
		*err = child_err;
		return child_err.errnum ? -child_err.errnum : -EINVAL;
	}
	if (type == HULL_REPORT_READY && st->spec->exec_fifo_fd < 0)
		return hull_fail(err, EPROTO, "unexpected report from the container");
	return 0;
}

/* OCI create: the container waits on its exec fifo; hull lets go of it
 * (it is reaped by whoever inherits it) and of its cgroup. */
static void parent_detach(struct start *st, struct hull_result *res)
{
	res->pid = st->pid;
	st->pid = -1;
	if (st->use_cgroup && st->cg->dir_fd >= 0)
		close(st->cg->dir_fd);
	st->use_cgroup = false;
}

/* After the command: what the cgroup saw, then the cgroup itself goes
 * (everything still inside is killed first). */
static int parent_finish_cgroup(struct start *st, struct hull_result *res, struct hull_err *err)
{
	struct hull_cg_stats stats;

	if (!st->use_cgroup)
		return 0;
	if (res) {
		hull_cgroup_stats(st->cg, &stats);
		res->has_cgroup = true;
		res->memory_peak = stats.memory_peak;
		res->cpu_ns = stats.cpu_ns;
		res->oom_killed = stats.oom_kills > 0;
		hull_trace_stats(stats.memory_peak, stats.cpu_ns, stats.oom_kills);
	}
	st->use_cgroup = false;
	return hull_cgroup_destroy(st->cg, err);
}

int hull_run(const struct hull_spec *spec, struct hull_result *res, struct hull_err *err)
{
	struct hull_cgroup cg; /* parent_make_cgroup's to initialise, if at all */
	struct start st = { .spec = spec, .pid = -1, .console_fd = -1, .cg = &cg };
	int ret, status;

	for (size_t i = 0; i < HULL_NS_SLOTS; i++)
		st.ns_fds[i] = -1;
	st.own_pid_ns = -1;
	st.pidfd = st.parent_pidfd = st.dev_slot = -1;
	st.mounted_go[0] = st.mounted_go[1] = -1;
	hull_cg_self_join_init(&st.self_join);
	hull_net_init(&st.net, &spec->net);

	memset(res, 0, sizeof(*res));
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
	ret = parent_network(&st, err);
	if (ret < 0)
		goto out;
	ret = hull_parent_bring_lo_up(&st, err);
	if (ret < 0) {
		parent_prefer_child_error(&st, err);
		goto out;
	}
	hull_parent_build_dev(&st);
	/* go_late: the child's ignored signals, found out here meanwhile
	 * (hull's own dispositions are the child's as of the clone). A
	 * shared_vm child has exec'd or failed by now: it waits for nothing. */
	ret = st.shared_vm ? 0
			   : hull_sync_send_go_with(&st.sync,
						    st.go_late ? hull_signals_ignored() : 0, err);
	if (ret < 0) {
		/* The child is gone already; it may have said why. */
		struct hull_err child_err;
		if (hull_sync_read_report(&st.sync, &child_err, NULL) == HULL_REPORT_ERROR)
			*err = child_err;
		goto out;
	}
	ret = hull_parent_run_mounted(&st, err);
	if (ret < 0)
		goto out;
	ret = parent_wait_exec(&st, err);
	if (ret < 0)
		goto out;
	res->pid = st.pid;
	if (spec->detach)
		hull_trace_mark("child_ready"); /* set up, waiting for start */
	if (spec->on_started)
		spec->on_started(st.pid, spec->on_started_arg);
	if (spec->detach) {
		parent_detach(&st, res);
		goto out;
	}

	/* In fork mode hull's child is the middle process, not the init. */
	struct hull_supervision sv = {
		.pid = st.pid,
		.emulate_pid1 = (spec->ns_flags & CLONE_NEWPID) && !spec->init &&
				spec->spawn_mode == HULL_SPAWN_CLONE3,
		.timeout_ns = spec->timeout_ns,
		.grace_ns = spec->kill_after_ns,
		.watch_hangup = spec->hangup_fd >= 0,
		.hangup_fd = spec->hangup_fd,
	};
	status = hull_supervise_ex(&sv, err);
	if (status < 0) {
		ret = status;
		goto out;
	}
	st.pid = -1;
	hull_trace_mark("exited");
	res->exit_status = hull_supervised_exit_status(&sv, status);
	res->timed_out = sv.timed_out;
	if (spec->on_exited)
		spec->on_exited(res->exit_status, spec->on_exited_arg);
	if (hull_net_needs_setup(&spec->net)) {
		hull_net_teardown(&st.net);
		hull_trace_mark("net_removed");
	}
	ret = parent_finish_cgroup(&st, res, err);
out:
	hull_sync_close(&st.sync);
	if (st.pid > 0) {
		/* Setup failed: the child is exiting (or waiting for a go that
		 * will never come); make sure, then reap it. */
		kill(st.pid, SIGKILL);
		hull_reap(st.pid);
	}
	hull_net_teardown(&st.net); /* nothing left after a failed start */
	if (st.use_cgroup)
		parent_finish_cgroup(&st, NULL, NULL);
	if (st.signals_blocked)
		hull_signals_restore(&st.saved_mask);
	hull_seccomp_free(&st.filter);
	hull_cg_self_join_close(&st.self_join);
	if (st.console_fd >= 0)
		close(st.console_fd);
	for (size_t i = 0; i < HULL_NS_SLOTS; i++)
		if (st.ns_fds[i] >= 0)
			close(st.ns_fds[i]);
	if (st.own_pid_ns >= 0)
		close(st.own_pid_ns);
	if (st.pidfd >= 0)
		close(st.pidfd);
	if (st.parent_pidfd >= 0)
		close(st.parent_pidfd);
	if (st.dev_slot >= 0)
		close(st.dev_slot); /* the child's /dev, attached or never */
	for (int i = 0; i < 2; i++)
		if (st.mounted_go[i] >= 0)
			close(st.mounted_go[i]);
	return ret;
}
