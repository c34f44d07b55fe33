/* env.h — the mount namespace a runtime is started from.
 *
 * Most runtimes start from the harness's own mount namespace. crun refuses
 * a hybrid cgroup host (v1 controllers plus cgroup2 on
 * /sys/fs/cgroup/unified), so on such a host it starts from a private mount
 * namespace in which /sys/fs/cgroup/unified is unmounted: the v1 layout
 * alone, as crun expects.
 *
 * That namespace is made once per process, on first use, and kept by a
 * file descriptor. A run joins it on the spawning thread just before the
 * clock starts and returns to its own namespace right after the spawn, so
 * a sample holds the runtime's own process and nothing else, spawned by
 * the same code as every other runtime's (no `unshare -m sh -c ...`
 * wrapper per sample). The spawning thread gets its own fs attributes once
 * (unshare(CLONE_FS)), which setns(CLONE_NEWNS) needs in a process with
 * several threads; its working directory is restored on leaving. */
#ifndef HH_ENV_H
#define HH_ENV_H

#include "error.h"

#include <stdbool.h>

enum hh_env {
	HH_ENV_HOST,	  /* the harness's own mount namespace */
	HH_ENV_CGROUP_V1, /* private, /sys/fs/cgroup/unified unmounted */
};

/* One line for reports: where a runtime of this environment starts. */
const char *hh_env_describe(enum hh_env env);

/* Whether this host has the hybrid cgroup layout (the library's own
 * detection, core/cgroup.h). */
bool hh_host_is_hybrid(void);

struct hh_env_saved {
	int host_ns; /* this thread's mount namespace before entering; -1 none */
	int cwd;     /* its working directory */
};

/* Make the calling thread start processes in env. HH_ENV_HOST does nothing.
 * The first call for an environment creates it. */
int hh_env_enter(enum hh_env env, struct hh_env_saved *saved, struct hull_err *err);

/* Back to the namespace and directory the thread had before hh_env_enter. */
void hh_env_leave(struct hh_env_saved *saved);

#endif
