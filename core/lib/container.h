/* container.h — one container start, from a validated spec to the command's
 * exit. This is the whole path; container.c reads top-down as its phases. */
#ifndef HULL_CONTAINER_H
#define HULL_CONTAINER_H

#include "error.h"
#include "spec.h"

#include <stdbool.h>
#include <sys/types.h>

struct hull_result {
	int exit_status;		/* the command's status, 128+N for signal N */
	pid_t pid;			/* the container's process (known once it started) */
	bool timed_out;			/* --timeout expired: exit_status is 124 */
	bool has_cgroup;		/* limits were set: the fields below are known */
	bool oom_killed;		/* the kernel's OOM killer struck inside */
	unsigned long long memory_peak; /* bytes */
	unsigned long long cpu_ns;
};

/* Run spec's command in a new container and wait for it. On success returns
 * 0 and fills *res. On failure returns < 0 with err set; err->exit_code is
 * 125, or 126/127 when the command could not be executed. */
int hull_run(const struct hull_spec *spec, struct hull_result *res, struct hull_err *err);
/* With spec->detach (OCI create) hull_run returns once the container waits
 * on spec->exec_fifo_fd, with res->pid set and the cgroup left in place. */

#endif
