/* cgroup_self_join.h — the container's first process moves itself into
 * its v1 cgroup, without waiting for an RCU grace period.
 *
 * Moving a process by pid (a write into cgroup.procs, or into tasks with a
 * pid) write-locks the kernel's global cgroup_threadgroup_rwsem, a percpu
 * rwsem: taking it while it is idle waits for an RCU grace period (5-10 ms
 * on this 2-CPU host, more under load; bench/README.md has the figures).
 * A single thread that moves itself, by writing "0" into a v1 `tasks`
 * file, needs no thread-group stability, and the kernel skips that lock
 * for it (cgroup_procs_write_start: the lock is taken only for a pid or a
 * whole thread group). The container's process is one thread right after
 * the clone, so moving that thread moves the whole process: cgroup.procs
 * lists it, and everything it forks or execs starts inside.
 *
 * The parent opens the tasks files before the clone and the child writes
 * them as its first step: the child's mount namespace and credentials may
 * no longer reach the files, and the kernel checks the opener's
 * credentials for the move (since 5.16). Only for v1 hierarchies: on v2
 * the child is cloned into its cgroup (CLONE_INTO_CGROUP), and a v2
 * cgroup.threads write cannot cross domains. */
#ifndef HULL_CGROUP_SELF_JOIN_H
#define HULL_CGROUP_SELF_JOIN_H

#include "cgroup.h"
#include "error.h"

#include <stdbool.h>

struct hull_cg_self_join {
	int fds[HULL_CTRL_COUNT]; /* O_WRONLY `tasks` of each hierarchy made, or -1 */
	bool armed;		  /* the child will join itself; the parent must not */
};

void hull_cg_self_join_init(struct hull_cg_self_join *sj);
/* Parent, after hull_cgroup_create (or reopen): open the tasks file of
 * every v1 directory cg made, and arm sj. Left unarmed (the parent moves
 * the child by pid, as before) when cg is not a v1 cgroup or a file cannot
 * be opened. */
void hull_cg_self_join_prepare(struct hull_cg_self_join *sj, const struct hull_cgroup *cg);
/* Child (one thread): move itself into every hierarchy, then close. */
int hull_cg_self_join(struct hull_cg_self_join *sj, struct hull_err *err);
void hull_cg_self_join_close(struct hull_cg_self_join *sj);

#endif
