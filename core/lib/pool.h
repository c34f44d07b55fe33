/* pool.h — pools of prepared containers (POOL.md): the supervisor's
 * start, the client's run, status, stop, and gc of a killed pool's state.
 *
 * A pool lives in HULL_POOL_ROOT/NAME/ (0700, the starting user's):
 *   sock   the run socket (SOCK_SEQPACKET): ready slots accept on it
 *          themselves, the supervisor while none is ready
 *   ctl    the supervisor's socket for status and stop
 *   owner  "<pid>-<start>" of the supervisor, written by it; the directory
 *          carries the xattr marker "pool <pid>-<start>" (cgroup_owner.h)
 *   args   NUL-separated: the resolved rootfs, then the run options of
 *          `pool start` (what a normal start needs when the pool is empty) */
#ifndef HULL_POOL_H
#define HULL_POOL_H

#include "error.h"
#include "spec.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HULL_POOL_ROOT	       "/run/hull/pool"
#define HULL_POOL_DEFAULT_SIZE 4
#define HULL_POOL_MAX_SIZE     256

struct hull_pool_config {
	const char *name;
	unsigned size;		/* slots kept ready */
	struct hull_spec *spec; /* validated; every slot starts from it */
	char *const *args;	/* `pool start`'s run options (without ROOTFS) */
	size_t nargs;
};

/* A pool's spec must give each request fresh state: a mount and a pid
 * namespace; the root becomes ephemeral unless read-only. */
int hull_pool_check_spec(struct hull_spec *spec, struct hull_err *err);

/* Daemonise a supervisor for c; returns once c->size slots are ready,
 * with its pid, or the first failure (and nothing left behind). */
int hull_pool_start(const struct hull_pool_config *c, pid_t *supervisor, struct hull_err *err);

/* The status as JSON text (malloc'd): name, pid, rootfs, size, ready,
 * starting, busy, served, failures, last_error, memory per idle slot. */
int hull_pool_status(const char *name, char **json, struct hull_err *err);

/* Stop the pool and wait until everything of it is gone. */
int hull_pool_stop(const char *name, struct hull_err *err);

/* Remove the state of pools whose supervisor is gone (owner marker names
 * a dead process); returns how many. */
int hull_pool_gc(struct hull_err *err);

/* What `hull run --pool` sends. */
struct hull_pool_request {
	const char *name;
	const char *cwd;	/* NULL: the pool's */
	char *const *argv;	/* the command */
	const char *const *env; /* extra K=V */
	size_t envc;
	uint32_t flags; /* HULL_POOL_WAIT, HULL_POOL_TIMEOUT */
	uint64_t timeout_ns, kill_after_ns;
	bool *sent;   /* if set: made true once the request went out (a
		       * client may retry elsewhere only before that) */
	bool *queued; /* if set: made true when no slot was ready and the
		       * pool prepares one for the request (no --wait) */
	/* --trace-fd: the caller's start and parsed marks. All the client's
	 * marks are written once the pool took the request, none when it
	 * sends it back (HULL_POOL_RUN_EMPTY): the normal start that follows
	 * marks its own, and each phase is in the trace once. */
	uint64_t t_start, t_parsed;
};

/* hull-pool-run -> the hull it hands a request to: its main's start
 * (CLOCK_MONOTONIC ns), the trace's "start". */
#define HULL_POOL_CLIENT_START_ENV "HULL_POOL_CLIENT_START"

#define HULL_POOL_RUN_EMPTY 1 /* hull_pool_run: no slot ready (no WAIT) */

/* Run the request in a slot: 0 with *exit_status (the command's, as hull
 * run reports it), HULL_POOL_RUN_EMPTY, or < 0 with err (err->exit_code
 * 126/127 when the command could not be executed). Forwards SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 to the container meanwhile. */
int hull_pool_run(const struct hull_pool_request *rq, int *exit_status, struct hull_err *err);

/* The pool's args file: rootfs and options (malloc'd; free with
 * hull_pool_args_free). */
int hull_pool_read_args(const char *name, char ***args, size_t *nargs, struct hull_err *err);
void hull_pool_args_free(char **args);

#endif
