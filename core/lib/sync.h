/* sync.h — the two pipes between hull and the container's first process.
 *
 *   go      parent -> child  one byte: "your side is ready, go on". EOF means
 *                            hull died: the child exits instead.
 *   report  child -> parent  fixed-size messages: READY (fork mode: the child
 *                            has unshared, write its id maps now) or ERROR (a
 *                            setup or exec failure, with its message). The
 *                            child's end is O_CLOEXEC, so EOF means the
 *                            command was executed.
 * Each message is one write() below PIPE_BUF, hence atomic. */
#ifndef HULL_SYNC_H
#define HULL_SYNC_H

#include "error.h"

#include <stdbool.h>

#include <stdint.h>

enum hull_report_type {
	HULL_REPORT_EOF = 0, /* the pipe closed: exec happened */
	HULL_REPORT_READY = 1,
	HULL_REPORT_ERROR = 2,
};

struct hull_sync {
	int go[2];
	int report[2];
};

void hull_sync_init(struct hull_sync *sync);
int hull_sync_open(struct hull_sync *sync, struct hull_err *err);
void hull_sync_close(struct hull_sync *sync);
/* Keep only the parent's ends (go write, report read), or the child's. */
void hull_sync_keep_parent(struct hull_sync *sync);
void hull_sync_keep_child(struct hull_sync *sync);

int hull_sync_send_go(struct hull_sync *sync, struct hull_err *err);
/* Child: wait for go; returns -EPIPE when the parent is gone. */
int hull_sync_wait_go(struct hull_sync *sync);
/* The same, with one word from parent to child on go (one atomic write):
 * what the parent found out for the child while it set up. */
int hull_sync_send_go_with(struct hull_sync *sync, uint64_t word, struct hull_err *err);
/* Writes len bytes that let a waiting child go on; a child that died
 * meanwhile fails it ("cannot release the container") instead of killing
 * hull with SIGPIPE. */
int hull_release_write(int fd, const void *buf, size_t len, struct hull_err *err);
int hull_sync_wait_go_with(struct hull_sync *sync, uint64_t *word);
/* Child: whether the parent is gone now (nobody reads the report pipe).
 * Unlike EOF on go this holds also after the parent sent go and died. */
bool hull_sync_parent_gone(const struct hull_sync *sync);

int hull_sync_report_ready(struct hull_sync *sync);
void hull_sync_report_error(struct hull_sync *sync, const struct hull_err *child_err);
/* Parent: read the next message; an ERROR fills child_err. */
int hull_sync_read_report(struct hull_sync *sync, struct hull_err *child_err, struct hull_err *err);

#endif
