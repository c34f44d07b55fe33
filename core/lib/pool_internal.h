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

/* A pool's two sockets: run requests (taken by the ready slots
 * themselves, or by the supervisor while none is ready), and status and
 * stop (the supervisor's). */
#define HULL_POOL_RUN_SOCK "sock"
#define HULL_POOL_CTL_SOCK "ctl"

/* Connect to one of the pool's sockets, with the errors a user can act on. */
int hull_pool_connect(const char *name, const char *sock, struct hull_err *err);

/* The supervisor: serve until stopped. notify gets one record once the
 * pool is full (STARTED) or failed (ERROR). Returns the exit status. */
int hull_pool_serve(const struct hull_pool_config *c, int listen_fd, int ctl_fd, int notify);

/* A keeper: one slot after another, each from prepare to the end of its
 * request. slot_sock: the first slot's socket to the supervisor;
 * listen_fd: the pool's run socket, for the slot to take a client from
 * (-1: the supervisor hands clients over). Never returns. */
__attribute__((noreturn)) void hull_pool_keeper(struct hull_spec *spec, const char *pool,
						int sup_fd, int slot_sock, int listen_fd);

/* slot.c, for the keeper. Before each start: its socket to the
 * supervisor and an fd number it keeps harmless (/dev/null) for a slot in
 * its memory to put the client's trace fd at. */
void hull_slot_keeper_fds(int sup_fd, int trace_fd);
/* Whether the slot told the supervisor it is ready itself (it ran in the
 * keeper's memory: the keeper then must not). */
bool hull_slot_told_ready(void);
/* After the slot's exec or end: drop what a slot in the keeper's memory
 * left there (the request's mapping). */
void hull_slot_forget(void);

#endif
