/* net_cni.h — running CNI plugins (the container network interface spec):
 * a network configuration list is loaded and checked up front; ADD runs
 * its plugins in order, each with the previous one's result as prevResult;
 * DEL runs them in reverse with the final result, on every way out. */
#ifndef HULL_NET_CNI_H
#define HULL_NET_CNI_H

#include "error.h"

#include <stddef.h>

struct hull_cni_list;

/* The state of one container's CNI attachment (owned by struct hull_net). */
struct hull_cni_run;

/* Parse path (a .conflist, or a single plugin's .conf) and find every
 * plugin in cni_path (NULL: CNI_PATH from the environment, else
 * HULL_NET_CNI_PATH_DEFAULT). */
int hull_cni_list_load(const char *path, const char *cni_path, struct hull_cni_list **out,
		       struct hull_err *err);
void hull_cni_list_free(struct hull_cni_list *list);

/* ADD on the namespace at netns_path (container id: a unique word). On
 * failure the plugins that ran are deleted again before it returns. While
 * attached, a record under <state_dir>/cni/ (owner, conflist, result) lets
 * hull_cni_gc() run DEL for a hull that was SIGKILLed. */
int hull_cni_add(const struct hull_cni_list *list, const char *container_id, const char *netns_path,
		 const char *state_dir, struct hull_cni_run **out, struct hull_err *err);
/* DEL in reverse order; frees run. Errors are not reported: there is
 * nothing left to do about them. */
void hull_cni_del(struct hull_cni_run *run);
/* DEL for every record whose owner is gone; returns how many. */
int hull_cni_gc(const char *state_dir);

/* Seconds a plugin may take before it is killed and counted as failed. */
#define HULL_CNI_TIMEOUT_S 30

#endif
