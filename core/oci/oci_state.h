/* oci_state.h — what hull keeps about an OCI container between commands.
 *
 * Each container has a directory <root>/<id>/ (root: --root, default
 * /run/hull) holding state.json (id, pid and its start time, bundle,
 * cgroup, creation time, annotations) and, between create and start, the
 * exec fifo the container process waits on. Every command that changes a
 * container holds an flock on its directory, so a start and a delete of
 * one id never interleave.
 *
 * The status is not stored but looked at: the process gone (or a zombie,
 * or another process under its pid) = stopped; the exec fifo still there =
 * created; its cgroup frozen = paused; else running. */
#ifndef HULL_OCI_STATE_H
#define HULL_OCI_STATE_H

#include "cgroup.h"
#include "error.h"

#include <limits.h>
#include <linux/limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define HULL_OCI_DEFAULT_ROOT "/run/hull"
#define HULL_OCI_ID_MAX	      255

enum hull_oci_status {
	HULL_OCI_CREATING,
	HULL_OCI_CREATED,
	HULL_OCI_RUNNING,
	HULL_OCI_PAUSED,
	HULL_OCI_STOPPED,
};

struct hull_oci_state {
	char id[HULL_OCI_ID_MAX + 1];
	pid_t pid; /* 0 until the process exists */
	unsigned long long start_time;
	char created[40]; /* RFC 3339, UTC */
	char cgroup_name[HULL_OCI_ID_MAX + 1];
	/* Owned strings, freed by hull_oci_state_close: the struct stays
	 * within a page or two, where three PATH_MAX arrays made it 13 KB that
	 * hull run --bundle zeroed on its stack (4 page faults before the
	 * container's clone). */
	char *dir;	     /* <root>/<id> */
	char *bundle;	     /* NULL until known */
	char *cgroup_parent; /* NULL until known */
	char *annotations;   /* a JSON object as text, or NULL */
	int lock_fd;	     /* the flock on dir, or -1 */
};

const char *hull_oci_status_name(enum hull_oci_status s);

/* Letters, digits, '_', '-', '.', '+'; not "." or ".."; 1-255 bytes. */
int hull_oci_check_id(const char *id, struct hull_err *err);

/* Make <root>/<id> (it must not exist) and lock it. */
int hull_oci_state_new(const char *root, const char *id, struct hull_oci_state *st,
		       struct hull_err *err);
/* Lock an existing container's directory and read its state.json. */
int hull_oci_state_open(const char *root, const char *id, struct hull_oci_state *st,
			struct hull_err *err);
/* Read without taking the lock (state, list, kill). */
int hull_oci_state_read(const char *root, const char *id, struct hull_oci_state *st,
			struct hull_err *err);
int hull_oci_state_write(const struct hull_oci_state *st, struct hull_err *err);
/* Remove the directory and everything in it (the lock goes with it). */
int hull_oci_state_remove(struct hull_oci_state *st, struct hull_err *err);
void hull_oci_state_close(struct hull_oci_state *st);

enum hull_oci_status hull_oci_status(const struct hull_oci_state *st);
/* Whether st->pid is still the container's process (not a zombie). */
bool hull_oci_alive(const struct hull_oci_state *st);

/* The container's cgroup as hull created it (limits only carries the
 * parent); the directories are filled in when they exist. */
int hull_oci_cgroup(const struct hull_oci_state *st, struct hull_cgroup *cg,
		    struct hull_limits *limits, struct hull_err *err);

/* <dir>/exec.fifo */
void hull_oci_fifo_path(const struct hull_oci_state *st, char *buf, size_t len);

/* Call fn for each container under root that has a readable state (in
 * directory order); a missing root has none. */
void hull_oci_for_each(const char *root,
		       void (*fn)(const struct hull_oci_state *st, enum hull_oci_status s,
				  void *arg),
		       void *arg);

/* The OCI state JSON ("ociVersion", "id", "status", "pid", "bundle",
 * "annotations", plus "created"); caller frees. */
char *hull_oci_state_json(const struct hull_oci_state *st, enum hull_oci_status status);

#endif
