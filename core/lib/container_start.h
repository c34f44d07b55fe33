/* container_start.h — internal to core/lib: what container.c shares with
 * container_child.c (the child's steps), container_modes.c,
 * container_join.c and the pool's slot.c: the state of one start and the
 * child's helpers. */
#ifndef HULL_CONTAINER_START_H
#define HULL_CONTAINER_START_H

#include "cgroup.h"
#include "cgroup_self_join.h"
#include "net.h"
#include "seccomp_filter.h"
#include "spec.h"
#include "sync.h"

#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct start {
	const struct hull_spec *spec;
	struct hull_sync sync;
	sigset_t saved_mask;
	bool signals_blocked;
	pid_t parent_pid;
	pid_t pid; /* the child hull created */
	bool use_cgroup;
	/* hull_run's, made by parent_make_cgroup and only then valid: ~60 KB
	 * (a path per v1 controller) that a start without a cgroup should not
	 * zero, fault in and copy into its child. */
	struct hull_cgroup *cg;
	struct hull_cg_self_join self_join; /* v1: the child moves itself in */
	struct hull_seccomp filter;	    /* compiled by the parent, installed by the child */
	int ns_fds[HULL_NS_SLOTS];	    /* namespaces to join (OCI paths), -1 for none */
	int own_pid_ns;		/* hull's pid namespace while it joined another's, or -1 */
	int console_fd;		/* connected console socket (terminal.h), or -1 */
	struct hull_net net;	/* --network veth/bridge/cni: what was built */
	bool cwd_is_rootfs;	/* the child started in the rootfs (cwd_swap.h) */
	bool signals_defaulted; /* the child reset the ignored signals already */
	/* The parent has nothing to do before the child's setup (no id maps,
	 * cgroup or network to build, not fork mode): the child sets up at once
	 * and waits for go only before it reports or execs (container.c). */
	bool go_late;
	/* Nothing for the parent to do between the clone and the exec (as
	 * go_late, but a v1 cgroup the child joins itself is allowed; no
	 * --init, OCI create, pool slot, console or time namespace): the child
	 * shares hull's memory, hull suspended until it execs or dies
	 * (container.c, parent_spawn). It never waits for go; lo and /dev are
	 * its own. */
	bool shared_vm;
	bool parent_brings_lo_up; /* go_late with a new net namespace */
	int pidfd;		  /* the child's, for parent_bring_lo_up, or -1 */
	/* go_late with a /dev of hull's own making: the parent builds it as a
	 * detached mount at fd number dev_slot (its own, the child's copy is a
	 * placeholder), the child takes it through parent_pidfd after go. */
	bool parent_builds_dev;
	int parent_pidfd; /* hull's own pidfd, inherited by the child, or -1 */
	int dev_slot;	  /* -1 when the parent could not build /dev */
	/* spec->on_mounted only: the child's stop before its root switch. It
	 * reports READY, then waits for one byte on mounted_go[0]; EOF means
	 * hull failed or died. {-1, -1} otherwise. */
	int mounted_go[2];
};

/* With a cgroup, the cgroup namespace is entered only once the child is in
 * its cgroup (v1 joins after clone), so that cgroup becomes its root. */
static inline uint64_t clone_ns_flags(const struct start *st)
{
	uint64_t flags = st->spec->ns_flags;
	return st->use_cgroup ? flags & ~(uint64_t)CLONE_NEWCGROUP : flags;
}

/* --spawn fork: the child unshares after the clone; it reports READY once
 * its namespaces exist when the parent has work to do in them (id maps,
 * the network), and the parent waits for that before it starts. */
static inline bool hull_fork_reports_unshared(const struct hull_spec *spec)
{
	return (spec->ns_flags & CLONE_NEWUSER) || hull_net_needs_setup(&spec->net);
}

/* v1: the child's first step, its own move into its cgroup (cgroup_self_join.h). */
void hull_child_join_cgroup(struct start *st);

/* Report err to hull and exit. */
__attribute__((noreturn)) void hull_child_fail(struct start *st, const struct hull_err *err);
void hull_child_arm_deathsig(struct start *st);

/* The last steps before exec, shared with hull exec (container_join.c): the
 * working directory, fds, umask, rlimits; then capabilities, user,
 * no_new_privs and the seccomp filter. */
int hull_child_finish(struct start *st, struct hull_err *err);
int hull_child_drop_privileges(struct start *st, struct hull_err *err);

/* container_child.c: the child's steps before the last ones, in order. */
int hull_child_become_ns_root(const struct hull_spec *spec, struct hull_err *err);
int hull_child_join_namespaces(struct start *st, struct hull_err *err);
int hull_child_bring_lo_up(const struct start *st, struct hull_err *err);
int hull_child_enter_cgroup_ns(struct start *st, struct hull_err *err);
int hull_child_mount_api(struct start *st, struct hull_err *err);
int hull_child_attach_dev(struct start *st, struct hull_err *err);
int hull_child_build_root(struct start *st, struct hull_err *err);
int hull_child_set_hostname(const struct hull_spec *spec, struct hull_err *err);
/* container_mounted.c, only with spec->on_mounted: the pipe (parent, before
 * the clone), the child's stop before its root switch (called by
 * hull_child_build_root) and hull's side of it (after go). */
int hull_mounted_open(struct start *st, struct hull_err *err);
int hull_child_stop_before_root_switch(struct start *st, struct hull_err *err);
int hull_parent_run_mounted(struct start *st, struct hull_err *err);

/* container_modes.c: wait before exec — OCI create for `hull start` (the
 * exec fifo), a pool slot for its command (slot.c); else return at once. */
int hull_child_wait_command(struct start *st, struct hull_err *err);
/* slot.c: whether the slot can receive (under its seccomp filter)... */
int hull_slot_check(struct start *st, struct hull_err *err);
/* ...and receive the command and make it st's (argv, env, cwd, stdio). */
int hull_slot_receive(struct start *st, struct hull_err *err);

/* container_modes.c: --spawn fork's unshare (and middle process), and the
 * exec, directly or under --init. */
/* container_beside.c: hull's share while a go_late child sets up. */
int hull_parent_bring_lo_up(struct start *st, struct hull_err *err);
void hull_parent_build_dev(struct start *st);

void hull_child_unshare_and_wait(struct start *st);
__attribute__((noreturn)) void hull_child_exec(struct start *st);

#endif
