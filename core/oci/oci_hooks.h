/* oci_hooks.h — config.json's hooks (oci_hooks.c): checked when the config
 * is parsed, kept in the container's state directory, run by create, start
 * and delete with the container's state JSON on stdin. */
#ifndef HULL_OCI_HOOKS_H
#define HULL_OCI_HOOKS_H

#include "error.h"

#include <stdbool.h>
#include <sys/types.h>

struct json_object;

/* Write the config's hooks object (may be NULL: nothing) as
 * <state_dir>/hooks.json. */
int hull_oci_hooks_save(const char *state_dir, struct json_object *hooks, struct hull_err *err);

/* Run the hooks of one kind ("createRuntime", "poststart", ...) saved in
 * state_dir, in order, each with state_json on its stdin. Stops at the
 * first failure unless all; returns the first failure (err names it).
 * startContainer hooks run inside the namespaces of container (its pid). */
int hull_oci_hooks_run(const char *state_dir, const char *kind, const char *state_json, bool all,
		       pid_t container, struct hull_err *err);

/* One hook h inside the namespaces of target (oci_hooks_in.c): startContainer
 * as hull exec joins them; createContainer (target stopped before its root
 * switch) with its path resolved in hull's mount namespace. */
int hull_oci_hook_run_in(struct json_object *h, const char *kind, size_t i, const char *state_json,
			 pid_t target, struct hull_err *err);
int hull_oci_hook_run_before_root(struct json_object *h, const char *kind, size_t i,
				  const char *state_json, pid_t target, struct hull_err *err);
/* Whether hooks (the config's object, may be NULL) has createContainer
 * hooks: the container must then stop before its root switch. */
bool hull_oci_hooks_has(struct json_object *hooks, const char *kind);

#endif
