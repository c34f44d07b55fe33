/* oci.h — the OCI runtime lifecycle as library calls: what `hull create`,
 * `start`, `state`, `kill`, `delete`, `pause`, `resume`, `exec` and
 * `run --bundle` do, without the command line. Each takes the state root
 * (runc's --root, default HULL_OCI_DEFAULT_ROOT) and a container id, and
 * returns 0 or a negative errno-style value with err filled; nothing here
 * prints. The state kept between calls is oci_state.h's. */
#ifndef HULL_OCI_H
#define HULL_OCI_H

#include "error.h"
#include "oci_state.h"
#include "spec.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct hull_oci_create_opts {
	const char *root;	    /* state root */
	const char *id;		    /* container id */
	const char *bundle;	    /* holds config.json */
	const char *pid_file;	    /* written with the container's pid, or NULL */
	const char *console_socket; /* for process.terminal, or NULL */
	bool systemd_cgroup;	    /* --systemd-cgroup (oci_systemd.h) */
};

/* Set the container up from <bundle>/config.json; its process waits on the
 * exec fifo until hull_oci_start. A failure leaves nothing behind. */
int hull_oci_create(const struct hull_oci_create_opts *o, struct hull_err *err);

/* create + start + wait (`run --bundle`): returns the process's exit
 * status (>= 0, 128+N for signal N); the container is gone afterwards.
 * On failure err->exit_code says 125, 126 or 127 as for hull run. */
int hull_oci_run(const struct hull_oci_create_opts *o, struct hull_err *err);

/* Hooks (oci_hooks.h): a failed poststart or poststop hook does not fail
 * start, delete or run (the spec: warn, and go on as if it had
 * succeeded); they return success with err->msg saying which hook failed,
 * for the caller to warn about. */

/* Let a created container's process go on to exec its command. */
int hull_oci_start(const char *root, const char *id, struct hull_err *err);

/* The OCI state JSON of the container, in *json (caller frees). */
int hull_oci_state(const char *root, const char *id, char **json, struct hull_err *err);

/* Send sig to the container's process, or with all to every process in
 * its cgroup. */
int hull_oci_kill(const char *root, const char *id, int sig, bool all, struct hull_err *err);

/* Remove a stopped container (its cgroup and state); with force, kill a
 * running one first, and a missing container is no error. */
int hull_oci_delete(const char *root, const char *id, bool force, struct hull_err *err);

/* Freeze or thaw the container's cgroup. */
int hull_oci_pause(const char *root, const char *id, struct hull_err *err);
int hull_oci_resume(const char *root, const char *id, struct hull_err *err);

struct hull_oci_exec_opts {
	const char *root, *id;
	const char *process; /* a process.json, or NULL: argv with env and cwd */
	char **argv;	     /* the command, when there is no process file */
	int argc;
	const char *env[HULL_MAX_ENV]; /* K=V, added to the process's */
	size_t n_env;
	const char *cwd;	    /* NULL: the process's, else "/" */
	const char *pid_file;	    /* NULL: none */
	const char *console_socket; /* with tty, or a process.terminal */
	bool tty;
	bool detach; /* return once the process runs, leaving it to our parent */
};

/* One more process in the running (or created) container. Returns 0 with
 * detach, else the process's exit status (>= 0); < 0 with err on failure
 * (err->exit_code 126/127 when the command could not be executed). */
int hull_oci_exec(const struct hull_oci_exec_opts *o, struct hull_err *err);

/* "9", "KILL", "SIGKILL", "kill": a signal number, or -1. */
int hull_oci_parse_signal(const char *s);

/* ps: the pids in the container's cgroup, ascending (*pids: caller frees;
 * none when it has no cgroup or the cgroup is gone). */
int hull_oci_ps(const char *root, const char *id, pid_t **pids, size_t *n, struct hull_err *err);
/* update: write what is set in limits into the container's cgroup; it
 * must be created, running or paused ("container not running" else). */
int hull_oci_update(const char *root, const char *id, const struct hull_limits *limits,
		    struct hull_err *err);

/* The current time as RFC 3339 with nanoseconds, UTC. */
void hull_oci_now_rfc3339(char *buf, size_t len);

/* Write pid into path whole (via a rename), as runc does. */
int hull_oci_write_pid_file(const char *path, pid_t pid, struct hull_err *err);

#endif
