/* container_child.c — the container child's steps, in the order
 * container.c's child_prepare takes them (see the diagram there): become
 * the user namespace's root, join namespaces by path, the cgroup namespace,
 * the mounts and the root switch, the hostname, then the last steps before
 * exec that hull exec shares (container_join.c). Each returns an error;
 * only hull_child_fail reports it to hull and exits. */
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

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

__attribute__((noreturn)) void hull_child_fail(struct start *st, const struct hull_err *err)
{
	hull_sync_report_error(&st->sync, err);
	_exit(err->exit_code ? err->exit_code : HULL_EXIT_RUNTIME);
}

void hull_child_join_cgroup(struct start *st)
{
	struct hull_err err;

	if (!st->self_join.armed)
		return;
	if (hull_cg_self_join(&st->self_join, &err) < 0)
		hull_child_fail(st, &err);
	hull_trace_mark("cgroup_joined");
}

/* The container must not outlive hull. PDEATHSIG covers a death after the
 * prctl; one before it shows as a changed parent pid or, in a new PID
 * namespace where getppid() is 0, as nobody left reading the report pipe
 * (hull may already have sent go before it died: its EOF is not enough). */
void hull_child_arm_deathsig(struct start *st)
{
	if (st->spec->detach)
		return; /* OCI create: the container outlives the short-lived hull */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pid_t ppid = getppid();
	if ((ppid != 0 && ppid != st->parent_pid) || hull_sync_parent_gone(&st->sync))
		_exit(HULL_EXIT_RUNTIME);
}

/* In a new user namespace the child still has the host's ids, which the
 * maps usually leave unmapped: become the namespace's root before touching
 * anything, as every runtime does once the parent has written the maps. */
int hull_child_become_ns_root(const struct hull_spec *spec, struct hull_err *err)
{
	if (!(spec->ns_flags & CLONE_NEWUSER))
		return 0;
	if (setresgid(0, 0, 0) < 0)
		return hull_fail(err, errno, "cannot become gid 0 in the user namespace");
	if (setresuid(0, 0, 0) < 0)
		return hull_fail(err, errno, "cannot become uid 0 in the user namespace");
	/* The host's supplementary groups mean nothing inside; drop them
	 * where setgroups is allowed (a rootless parent denied it). */
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		return hull_fail(err, errno, "cannot clear supplementary groups");
	return 0;
}

/* OCI `path` namespaces: setns into each (the parent joined the pid one,
 * which applies to children only, before the clone). */
int hull_child_join_namespaces(struct start *st, struct hull_err *err)
{
	for (size_t i = 0; i < hull_ns_count && i < HULL_NS_SLOTS; i++) {
		uint64_t flag = hull_ns_table[i].flag;
		if (st->ns_fds[i] < 0 || flag == CLONE_NEWPID)
			continue;
		if (setns(st->ns_fds[i], (int)flag) < 0)
			return hull_fail(err, errno, "cannot join namespace '%s'",
					 st->spec->ns_paths[i]);
		if (flag == CLONE_NEWNS)
			st->cwd_is_rootfs = false; /* setns moved us to its "/" */
	}
	return 0;
}

/* A new net namespace starts with lo down; commands expect it up (crun
 * and runc bring it up too). Everything else on the network is the
 * parent's (parent_network), and so is lo when the child does not wait
 * for go before its setup (parent_bring_lo_up). */
int hull_child_bring_lo_up(const struct start *st, struct hull_err *err)
{
	int ret;

	if (!(st->spec->ns_flags & CLONE_NEWNET) || st->parent_brings_lo_up)
		return 0;
	if ((ret = hull_net_lo_up(err)) < 0)
		return ret;
	hull_trace_mark("lo_up");
	return 0;
}

int hull_child_enter_cgroup_ns(struct start *st, struct hull_err *err)
{
	if (!st->use_cgroup || !(st->spec->ns_flags & CLONE_NEWCGROUP))
		return 0;
	if (unshare(CLONE_NEWCGROUP) < 0)
		return hull_fail(err, errno, "cannot unshare the cgroup namespace");
	return 0;
}

/* Inside the entered rootfs: the kernel filesystems the command expects and
 * what of them it may not see. /sys only with a network namespace of its
 * own or as real root: a user namespace may not mount another one's sysfs. */
int hull_child_mount_api(struct start *st, struct hull_err *err)
{
	const struct hull_spec *spec = st->spec;
	bool userns = (spec->ns_flags & CLONE_NEWUSER) != 0;
	/* hull run's order: the root read-only first (its mountpoints made
	 * before); an OCI config's mounts may need mountpoints created, so
	 * with mounts the remount comes last (it changes the rootfs's own
	 * mount only, not those on it), and so it does for createContainer
	 * hooks, which may write into the rootfs (runc and crun make it
	 * read-only after them too). */
	bool ro_first = spec->read_only && spec->n_mounts == 0 && !spec->on_mounted;
	int ret;

	if (ro_first) {
		if ((ret = hull_ensure_mountpoint("proc", 0555, err)) < 0 ||
		    (ret = hull_ensure_mountpoint("dev", 0755, err)) < 0 ||
		    (ret = hull_ensure_mountpoint("sys", 0555, err)) < 0 ||
		    (ret = hull_rootfs_readonly(spec->read_only_tmp, err)) < 0)
			return ret;
	}

	if (spec->mount_proc) {
		if ((ret = hull_mount_proc(err)) < 0)
			return ret;
		hull_trace_mark("proc_mounted");
	}
	if (spec->mount_dev && st->parent_builds_dev) {
		/* hull builds it meanwhile; attached after go (hull_child_attach_dev). */
		if ((ret = hull_ensure_mountpoint("dev", 0755, err)) < 0)
			return ret;
	} else if (spec->mount_dev) {
		if ((ret = hull_dev_setup(userns, err)) < 0)
			return ret;
		hull_trace_mark("dev_ready");
	}
	/* In the config's order: proc, dev (pts, shm) first, sys where the
	 * config lists it (runc spec's default: after mqueue), else last. */
	size_t before_sys = spec->sys_after_mounts && spec->sys_after_mounts - 1 < spec->n_mounts
				    ? spec->sys_after_mounts - 1
				    : spec->n_mounts;
	if (before_sys && (ret = hull_mounts_apply(spec->mounts, before_sys, err)) < 0)
		return ret;
	if (spec->mount_sys && ((spec->ns_flags & CLONE_NEWNET) || !userns)) {
		if ((ret = hull_mount_sys(err)) < 0)
			return ret;
	}
	if (spec->n_mounts > before_sys &&
	    (ret = hull_mounts_apply(spec->mounts + before_sys, spec->n_mounts - before_sys, err)) <
		    0)
		return ret;
	if (spec->n_devices &&
	    (ret = hull_dev_add_nodes(spec->devices, spec->n_devices, userns, err)) < 0)
		return ret;
	/* The mounts are done: createContainer hooks run now, before the
	 * sysctls, masks and read-only remounts, as under runc and crun. */
	if ((ret = hull_child_stop_before_root_switch(st, err)) < 0)
		return ret;
	/* Before the masks: they make /proc/sys read-only. */
	if (spec->n_sysctls && (ret = hull_sysctls_apply(spec->sysctls, spec->n_sysctls, err)) < 0)
		return ret;
	if (spec->mask_paths) {
		if ((ret = hull_masks_apply(spec->masked_paths, spec->readonly_paths, err)) < 0)
			return ret;
		hull_trace_mark("paths_masked");
	}
	if (spec->read_only && !ro_first &&
	    (ret = hull_rootfs_readonly(spec->read_only_tmp, err)) < 0)
		return ret;
	return 0;
}

/* Everything that needs the mount namespace: mounts go private first, then
 * the rootfs is bound and entered, /proc, /sys and /dev are built inside it,
 * and only then is the root switched (see root.h for this order). */
int hull_child_build_root(struct start *st, struct hull_err *err)
{
	const struct hull_spec *spec = st->spec;
	int ret;

	/* hull cloned us with the rootfs as the working directory (see
	 * parent_spawn), unless a joined mount namespace moved us. */
	if (!st->cwd_is_rootfs && (ret = hull_rootfs_enter(spec->rootfs, err)) < 0)
		return ret;
	if (!hull_spec_has_mntns(spec)) {
		/* No mount namespace: chroot only, never a mount (it would be the
		 * host's). */
		if ((ret = hull_child_stop_before_root_switch(st, err)) < 0)
			return ret;
		return hull_root_chroot(spec->rootfs, err);
	}
	/* A shared or unbindable root is made so after the root switch, in a
	 * peer group of the container's own: before it, everything is cut off
	 * from the host (rprivate), so that no mount made here can propagate
	 * back (runc makes the rootfs's parent private for the same reason). */
	unsigned long propagation = spec->rootfs_propagation;
	bool after_switch = (propagation & (MS_SHARED | MS_UNBINDABLE)) != 0;
	ret = hull_mounts_make_private(after_switch ? MS_REC | MS_PRIVATE : propagation, err);
	if (ret < 0)
		return ret;
#ifdef HULL_TEST_DELAY_US
	/* Test builds only (the CI gate's proof that it catches a slower
	 * start): an injected cost in this phase. */
	struct timespec delay = { HULL_TEST_DELAY_US / 1000000L,
				  (HULL_TEST_DELAY_US % 1000000L) * 1000L };
	nanosleep(&delay, NULL);
#endif
	hull_trace_mark("mounts_private");
	/* The overlay becomes the working directory, in place of the rootfs. */
	if (spec->ephemeral && (ret = hull_ephemeral_root(spec->rootfs, err)) < 0)
		return ret;
	/* A read-only root needs a mount of its own to remount. */
	if ((spec->root_mode == HULL_ROOT_PIVOT || spec->read_only) &&
	    (ret = hull_rootfs_bind(spec->rootfs, err)) < 0)
		return ret;
	ret = hull_child_mount_api(st, err);
	if (ret < 0)
		return ret;
	if (spec->root_mode == HULL_ROOT_PIVOT)
		ret = hull_root_pivot(spec->rootfs, err);
	else
		ret = hull_root_chroot(spec->rootfs, err);
	if (ret == 0 && after_switch && mount(NULL, "/", NULL, propagation, NULL) < 0)
		ret = hull_fail(err, errno, "cannot set the propagation of '/'");
	return ret;
}

/* After go, in the new root (cwd "/"): the /dev hull built, taken from
 * hull's fd table and attached. Should hull have had none (its kernel
 * refused a step), or should taking it fail, the child builds its own. */
int hull_child_attach_dev(struct start *st, struct hull_err *err)
{
	int dev, ret;

	if (!st->parent_builds_dev)
		return 0;
	dev = st->dev_slot >= 0 ? pidfd_getfd(st->parent_pidfd, st->dev_slot, 0) : -1;
	if (dev >= 0 && move_mount(dev, "", AT_FDCWD, "/dev", MOVE_MOUNT_F_EMPTY_PATH) == 0) {
		close(dev);
		hull_trace_mark("dev_attached");
		return 0;
	}
	if (dev >= 0)
		close(dev);
	if ((ret = hull_dev_setup(false, err)) < 0)
		return ret;
	hull_trace_mark("dev_ready");
	return 0;
}

int hull_child_set_hostname(const struct hull_spec *spec, struct hull_err *err)
{
	if (!hull_spec_has_utsns(spec) || !spec->hostname)
		return 0;
	if (sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return hull_fail(err, errno, "cannot set hostname '%s'", spec->hostname);
	hull_trace_mark("hostname_set");
	return 0;
}

/* The working directory, checked to be inside the new root (a cwd left on
 * the host's tree is how CVE-2024-21626 escaped), and no fd beyond 0-2
 * handed to the command. */
int hull_child_finish(struct start *st, struct hull_err *err)
{
	char cwd[PATH_MAX];

	if (chdir(st->spec->cwd) < 0)
		return hull_fail(err, errno, "cannot change to working directory '%s'",
				 st->spec->cwd);
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
		return hull_fail(err, errno ? errno : EACCES,
				 "working directory '%s' is outside the container", st->spec->cwd);
	/* Inherited fds (shells and CI runners leak them) must not reach the
	 * command; marking them CLOEXEC keeps the report pipe working until
	 * the exec itself. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return hull_fail(err, errno, "cannot close inherited file descriptors");
	if (st->spec->umask >= 0)
		umask((mode_t)st->spec->umask);
	if (st->spec->oom_score_adj_set) {
		char v[16];
		snprintf(v, sizeof(v), "%d", st->spec->oom_score_adj);
		int ret = hull_write_file("/proc/self/oom_score_adj", v, 0, err);
		if (ret < 0)
			return ret;
	}
	/* Still privileged: raising a hard limit needs CAP_SYS_RESOURCE. */
	return hull_rlimits_apply(st->spec->rlimits, st->spec->n_rlimits, err);
}

/* The security profile, last: capabilities out of the bounding set, the
 * user switch, the remaining sets, no_new_privs, and the seccomp filter
 * just before exec. Without no_new_privs the kernel wants CAP_SYS_ADMIN to
 * install a filter, so then it goes in before the capabilities are gone. */
int hull_child_drop_privileges(struct start *st, struct hull_err *err)
{
	const struct hull_spec *spec = st->spec;
	int ret;

	if ((ret = hull_caps_drop_bounding(spec->caps, err)) < 0)
		return ret;
	if (!spec->no_new_privs && (ret = hull_seccomp_install(&st->filter, err)) < 0)
		return ret;
	/* Permitted capabilities survive setuid() only with keepcaps. */
	if (spec->user_keeps_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return hull_fail(err, errno, "cannot keep capabilities across the user switch");
	if ((ret = hull_user_switch(&spec->user, err)) < 0)
		return ret;
	if ((ret = hull_caps_apply(spec->caps,
				   !spec->user.set || spec->user.uid == 0 || spec->user_keeps_caps,
				   err)) < 0 ||
	    (ret = hull_caps_raise_ambient(spec->ambient & spec->caps, err)) < 0)
		return ret;
	hull_trace_mark("caps_set");
	if (spec->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return hull_fail(err, errno, "cannot set no_new_privs");
	if (spec->no_new_privs && (ret = hull_seccomp_install(&st->filter, err)) < 0)
		return ret;
	if (st->filter.bpf)
		hull_trace_mark("seccomp_installed");
	return 0;
}
