/* driver.h — start "the same container" with any runtime.
 *
 * One interface for every runtime the harness compares, used by the
 * isolation verifier, the namespace matrix and the latency benchmark:
 *
 *   struct hull_launch_config cfg = {
 *           .runtime = "crun", .rootfs = "/abs/rootfs",
 *           .ns_flags = HULL_NS_DEFAULT, .argv = probe_argv, .trace_fd = -1,
 *   };
 *   struct hull_launch l;
 *   if (hull_launch_prepare(&cfg, &l, &err) < 0) ...     once per config
 *   for (...) {
 *           struct hull_launch_result r;
 *           hull_launch_run(&l, &r, &err);                 one container each
 *           ... r.out is the probe's JSON, r.t_exit_ns - r.t_spawn_ns ...
 *           hull_launch_result_free(&r);
 *   }
 *   hull_launch_release(&l);                              removes the bundle
 *
 * Runtimes (hull_runtimes[] lists them with what each can do):
 *   bare          fork+exec of ROOTFS/<argv[0]> on the host: no isolation at all
 *   hull          build/bin/hull run --ns LIST [--chroot] [--spawn fork] ...
 *   hull-privileged  the same with --privileged: no security profile, the
 *                 same work as the floor (bench comparisons)
 *   hull-limits   the same with cgroup limits that do not bite (--memory 1g
 *                 --pids 4096 --cpus 1): the price of a cgroup per container
 *   hull-oci      build/bin/hull run --bundle over the same OCI bundle as
 *                 crun and runc (bench comparisons)
 *   seed          build/bin/hull-seed: the tutorial path (mnt+uts, chroot, holes)
 *   floor         build/bin/hull-floor --ns LIST (the kernel's price; bench/)
 *   unshare       util-linux unshare(1) --fork --kill-child [--mount-proc] --root
 *   bwrap         bubblewrap: --bind ROOTFS / --proc /proc --dev /dev --unshare-*
 *   crun          OCI bundle, --cgroup-manager=disabled
 *   crun-cgroupfs OCI bundle, --cgroup-manager=cgroupfs
 *   runc          OCI bundle (runc manages cgroups itself)
 * On a hybrid cgroup host (v1 controllers + cgroup2 on /sys/fs/cgroup/unified)
 * crun refuses to start, so it runs as
 *   unshare -m sh -c 'umount /sys/fs/cgroup/unified; exec crun ...'
 * i.e. in a private mount namespace where only the v1 layout is visible.
 *
 * Threads: a prepared launch may be run from several threads at once; every
 * run gets its own container id and pipes. Every fd is O_CLOEXEC, so a
 * concurrent spawn never inherits another run's pipes.
 *
 * Errors follow core/error.h: < 0 and struct hull_err filled. A container
 * that starts and fails is not an error of hull_launch_run: it returns 0
 * and the result carries the exit status and the runtime's stderr. */
#ifndef HULL_HARNESS_DRIVER_H
#define HULL_HARNESS_DRIVER_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a runtime can do, for the matrix and the expected-verdict rules. */
struct hull_runtime_info {
	const char *name;
	const char *what;      /* one line for --help and reports */
	uint64_t ns_choosable; /* CLONE_NEW* a config may ask for */
	uint64_t ns_always;    /* CLONE_NEW* it creates whatever is asked */
	bool root_choosable;   /* pivot_root or chroot by config (hull) */
	bool pivot_root;       /* otherwise: switches root with pivot_root */
	bool changes_root;     /* false for bare: the host's / stays */
	bool private_mounts;   /* makes mounts private before mounting */
	bool mounts_proc;      /* mounts a fresh /proc when it has a mount ns */
	bool drops_caps;       /* the command runs without CAP_SYS_ADMIN */
	bool oci;	       /* driven through an OCI bundle */
	bool bench_only;       /* a hull variant for latency comparisons: not
				* in the default isolation matrix */
};

extern const struct hull_runtime_info hull_runtimes[];
extern const size_t hull_runtime_count;

const struct hull_runtime_info *hull_runtime_lookup(const char *name);

/* Whether `name` can run here: a known runtime whose program is installed
 * (or built). When not, `why` (if given) says so in one line, lowercase. */
bool hull_runtime_available(const char *name, char *why, size_t len);

struct hull_launch_config {
	const char *runtime;	 /* a name from hull_runtimes[] */
	const char *rootfs;	 /* absolute path of the root filesystem */
	uint64_t ns_flags;	 /* CLONE_NEW* wanted; see hull_launch_effective_ns */
	bool chroot;		 /* hull: --chroot instead of pivot_root */
	bool spawn_fork;	 /* hull: --spawn fork instead of clone3 */
	const char *hostname;	 /* with uts: NULL = the runtime's default */
	char *const *argv;	 /* command inside the container, NULL-terminated */
	int trace_fd;		 /* hull: --trace-fd N (inherited as N); -1 none */
	const char *scratch_dir; /* parent of the temp dir for bundles; NULL = $TMPDIR or /tmp */
	const char *bin_dir;	 /* where hull, hull-seed, hull-floor live; NULL =
				  * the directory of the running program */
	int timeout_ms;		 /* per container; 0 = 10000 */
	int cancel_fd;		 /* readable = abort the run in progress; -1 none */
};

struct hull_launch {
	struct hull_launch_config cfg;
	const struct hull_runtime_info *rt;
	uint64_t ns_effective;
	char **argv;	 /* the runtime's command line; NULL-terminated */
	int id_index;	 /* argv slot that gets a fresh container id; -1 none */
	char *tmp_dir;	 /* OCI: bundle (config.json) and state root */
	char *state_dir; /* OCI: --root of crun/runc */
	char *runtime_bin;
};

struct hull_launch_result {
	uint64_t t_spawn_ns; /* CLOCK_MONOTONIC just before the runtime is spawned */
	uint64_t t_exit_ns;  /* CLOCK_MONOTONIC once it has been reaped */
	int wait_status;     /* raw, from waitpid */
	int exit_code;	     /* exit status, or 128+N for signal N */
	bool timed_out;	     /* killed after cfg.timeout_ms */
	bool cancelled;	     /* killed because cancel_fd became readable */
	char id[64];	     /* OCI container id ("" for other runtimes) */
	char *out;	     /* stdout (the probe's JSON), NUL-terminated */
	size_t out_len;
	char *err; /* stderr, NUL-terminated */
	size_t err_len;
};

/* Check the config against what the runtime can do and build its command
 * line; for OCI runtimes write the bundle (config.json over cfg->rootfs).
 * Strings in cfg are copied. */
int hull_launch_prepare(const struct hull_launch_config *cfg, struct hull_launch *l,
			struct hull_err *err);

/* Start one container, capture its output and reap it. Returns 0 once the
 * runtime ran (whatever its exit status), < 0 if it could not be started or
 * watched. Nothing is left behind: on timeout or cancel the runtime's
 * process group is killed, and an OCI container is deleted. */
int hull_launch_run(const struct hull_launch *l, struct hull_launch_result *res,
		    struct hull_err *err);

void hull_launch_result_free(struct hull_launch_result *res);

/* Remove the bundle and state directories, free everything. */
void hull_launch_release(struct hull_launch *l);

/* The namespaces a container of this config really gets: the asked ones
 * plus the runtime's fixed ones (seed: mnt+uts, bwrap: mnt). */
uint64_t hull_launch_effective_ns(const struct hull_runtime_info *rt, uint64_t ns_flags);

/* Root switch the config gets: true for pivot_root. hull without a mount
 * namespace falls back to chroot. */
bool hull_launch_uses_pivot(const struct hull_runtime_info *rt, uint64_t ns_effective, bool chroot);

/* The directory of the running program ("/.../build/bin"), for finding
 * hull, hull-seed and hull-floor. NULL if /proc/self/exe is unreadable. */
const char *hull_launch_self_dir(void);

/* Whether the host has the hybrid cgroup layout crun refuses. */
bool hull_cgroup_is_hybrid(void);

#endif
