/* lifecycle.h — the engine path: what containerd, CRI-O and podman call
 * instead of `run`. One container of a prepared OCI launch goes through
 * `create` (with a pid file), `start`, and — once its process has exited —
 * `delete`, each step its own invocation of the runtime's program, spawned
 * and timed by hh_launch_step exactly like every other sample (no wrapper).
 * The wait for the container's exit between start and delete is not timed.
 * Whatever fails, the container is force-deleted before returning. */
#ifndef HH_LIFECYCLE_H
#define HH_LIFECYCLE_H

#include "driver.h"

#include <stdint.h>

enum { HH_LC_CREATE, HH_LC_START, HH_LC_DELETE, HH_LC_SUM, HH_LC_N };
extern const char *const hh_lc_step_names[HH_LC_N];

struct hh_lifecycle {
	uint64_t ns[HH_LC_N]; /* duration of each step and their sum */
	char error[256];      /* the failed step and why; "" when all ran */
};

/* Run one lifecycle of l (an OCI runtime whose bundle runs a command that
 * exits by itself). Returns 0 when every step exited 0, -1 with
 * out->error filled otherwise. */
int hh_lifecycle_run(const struct hh_launch *l, struct hh_lifecycle *out);

#endif
