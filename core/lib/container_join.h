/* container_join.h — one more process in a running container: what
 * `hull exec` (OCI exec, podman exec) runs.
 *
 *   hull                                      child
 *   ----                                      -----
 *   open the target's /proc/<pid>/ns
 *   entries that differ from ours; compile
 *   the seccomp filter; block forwarded
 *   signals; join the target's pid
 *   namespace (for children only)
 *   fork ───────────────────────────────────► join the cgroup, then setns: user
 *                                             first, the others, mnt last (it
 *                                             also sets root and cwd); terminal;
 *                                             cwd, fds, rlimits, caps, user,
 *                                             no_new_privs, seccomp
 *   EOF on the report pipe = exec'd ◄──────── exec (errors go back on the pipe)
 *
 * The fork after the pid namespace's setns is what puts the process in it
 * (setns on a pid namespace applies to children only); hull goes back to
 * its own right after, so nothing it forks later lands in the container. */
#ifndef HULL_CONTAINER_JOIN_H
#define HULL_CONTAINER_JOIN_H

#include "cgroup.h"
#include "error.h"
#include "spec.h"

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct hull_join {
	pid_t pid;	   /* the new process, once it executed */
	bool child_failed; /* the failure was the child's (its setup or exec) */
	sigset_t saved_mask;
	bool signals_blocked;
};

/* Run spec's command (argv, envp, cwd, user, caps, rlimits, seccomp,
 * console_socket) in the namespaces of target and, when cg is not NULL, in
 * its cgroup. Returns once the command executed, with j->pid set; a setup
 * or exec failure is returned in err (exit_code 126/127 for an exec). The
 * forwarded signals stay blocked for hull_join_wait: call hull_join_end in
 * every case. */
int hull_join_spawn(const struct hull_spec *spec, pid_t target, struct hull_cgroup *cg,
		    struct hull_join *j, struct hull_err *err);

/* Forward signals to j->pid until it ends; returns its exit status (128+N
 * for signal N) or < 0. */
int hull_join_wait(struct hull_join *j, struct hull_err *err);

/* Restore the signal mask hull_join_spawn changed. */
void hull_join_end(struct hull_join *j);

/* hull_join_spawn's steps, for a caller that forks its own process there
 * (OCI createContainer hooks): open the target's namespaces that are not
 * ours, now, before anything changes (fds[i] for hull_ns_table[i], -1 for
 * the same)... */
int hull_join_open_namespaces(pid_t pid, int fds[HULL_NS_SLOTS], struct hull_err *err);
/* ...and join them all but pid's (setns on it applies to children only):
 * user first, mnt last (it moves root and cwd to that namespace's root). */
int hull_join_enter_namespaces(int fds[HULL_NS_SLOTS], struct hull_err *err);

#endif
