/* pool_internal.h — what the pool's files share (not exported). */
#ifndef HULL_POOL_INTERNAL_H
#define HULL_POOL_INTERNAL_H

#include "pool.h"

#include <limits.h>
#include <linux/limits.h>
#include <stdbool.h>

/* HULL_POOL_ROOT/name[/file] */
int hull_pool_path(const char *name, const char *file, char *buf, size_t len, struct hull_err *err);

/* The supervisor's state: make the directory (0700) with its owner
 * marker and args file, replacing the remains of a dead supervisor. */
int hull_pool_state_create(const struct hull_pool_config *c, struct hull_err *err);
/* Remove the state files and the directory (only with this process's
 * marker, or force for a proven-dead owner). */
void hull_pool_state_remove(const char *name);

/* Whether the owner marker in dir names a live process. -ENOENT: no
 * marker (not hull's, or not yet written). */
int hull_pool_owner_alive(const char *name);

/* Connect to the pool's socket, with the errors a user can act on. */
int hull_pool_connect(const char *name, struct hull_err *err);

/* The supervisor: serve until stopped. notify gets one record once the
 * pool is full (STARTED) or failed (ERROR). Returns the exit status. */
int hull_pool_serve(const struct hull_pool_config *c, int listen_fd, int notify);

/* A keeper: one slot, from prepare to the end of its request. Never
 * returns. */
__attribute__((noreturn)) void hull_pool_keeper(struct hull_spec *spec, int sup_fd);

#endif
