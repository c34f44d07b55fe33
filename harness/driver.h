/* driver.h — start "the same container" with any runtime.
 *
 * One interface for every runtime the harness compares, used by the
 * isolation verifier, the namespace matrix and the latency benchmark:
 *
 *   struct hh_launch_config cfg = {
 *           .runtime = "crun", .rootfs = "/abs/rootfs",
 *           .ns_flags = HULL_NS_DEFAULT, .argv = probe_argv, .trace_fd = -1,
 *   };
 *   struct hh_launch l;
 *   if (hh_launch_prepare(&cfg, &l, &err) < 0) ...     once per config
 *   for (...) {
 *           struct hh_launch_result r;
 *           hh_launch_run(&l, &r, &err);                 one container each
 *           ... r.out is the probe's JSON, r.t_exit_ns - r.t_spawn_ns ...
 *           hh_launch_result_free(&r);
 *   }
 *   hh_launch_release(&l);                              removes the bundle
 *
 * Runtimes (the table in runtimes.c; each entry carries the builder of
 * its command line):
 *   bare          fork+exec of ROOTFS/<argv[0]> on the host: no isolation at all
 *   hull          build/bin/hull run --ns LIST [--chroot] [--spawn fork] ...
 *   hull-privileged  the same with --privileged: no security profile, the
 *                 same work as the floor (bench comparisons)
 *   hull-limits   the same with cgroup limits that do not bite (--memory 1g
 *                 --pids 4096 --cpus 1): the price of a cgroup per container
 *   hull-pool     build/bin/hull run --pool P --wait: a pool of prepared slots
 *                 (core/lib/POOL.md) started by prepare with the config's
 *                 namespaces and hostname, stopped by release
 *   hull-pool-limits  the same, its slots with hull-limits' cgroup limits
 *   hull-oci      build/bin/hull run --bundle over the same OCI bundle as
 *                 crun and runc (bench comparisons)
 *   seed          build/bin/hull-seed: the tutorial path (mnt+uts, chroot, holes)
 *   floor         build/bin/hull-floor --ns LIST (the kernel's price; bench/)
 *   unshare       util-linux unshare(1) --fork --kill-child [--mount-proc] --root
 *   bwrap         bubblewrap: --bind ROOTFS / --proc /proc --dev /dev --unshare-*
 *   crun          OCI bundle, --cgroup-manager=disabled
 *   crun-cgroupfs OCI bundle, --cgroup-manager=cgroupfs
 *   runc          OCI bundle (runc manages cgroups itself)
 *   oci:PATH[,name=NAME][,args=OPT OPT...][,ns=NS+NS...][,env=v1]
 *                 any OCI runtime by path, driven like crun and runc: PATH
 *                 --root STATE [OPT...] run --bundle BUNDLE ID. name= names
 *                 its rows (default oci:BASENAME), ns= the namespaces it can
 *                 create (default all), env=v1 starts it like crun on a
 *                 hybrid host (see env.h)
 * Every runtime is spawned directly by the harness (posix_spawn of its own
 * program, no wrapper process). On a hybrid cgroup host crun refuses the
 * cgroup2 tree on /sys/fs/cgroup/unified, so it starts from a private mount
 * namespace without it, made once per process (env.h).
 *
 * Threads: a prepared launch may be run from several threads at once; every
 * run gets its own container id and pipes. Every fd is O_CLOEXEC, so a
 * concurrent spawn never inherits another run's pipes.
 *
 * Errors follow core/error.h: < 0 and struct hull_err filled. A container
 * that starts and fails is not an error of hh_launch_run: it returns 0
 * and the result carries the exit status and the runtime's stderr. */
#ifndef HH_DRIVER_H
#define HH_DRIVER_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hh_argv;
struct hh_launch;

/* What a runtime can do, for the matrix and the expected-verdict rules,
 * and how it is started. */
struct hh_runtime_info {
	const char *name;
	const char *what;      /* one line for --help and reports */
	const char *program;   /* what runs a container: a program built next to
				* hull-harness, an installed one, or an absolute
				* path; NULL for bare (its program is in the rootfs) */
	bool built;	       /* program is built next to hull-harness */
	uint64_t ns_choosable; /* CLONE_NEW* a config may ask for */
	uint64_t ns_always;    /* CLONE_NEW* it creates whatever is asked */
	uint64_t ns_required;  /* CLONE_NEW* without which it refuses to start
				* (hull-pool: mnt and pid, or one request's
				* files and processes would reach the next) */
	bool root_choosable;   /* pivot_root or chroot by config (hull, floor) */
	bool pivot_root;       /* otherwise: switches root with pivot_root */
	bool changes_root;     /* false for bare: the host's / stays */
	bool private_mounts;   /* makes mounts private before mounting */
	bool mounts_proc;      /* mounts a fresh /proc when it has a mount ns */
	bool drops_caps;       /* the command runs without CAP_SYS_ADMIN */
	bool lo_up;	       /* brings lo up in a new net namespace (crun, runc, bwrap, hull) */
	bool oci;	       /* driven through an OCI bundle */
	bool bench_only;       /* a hull variant for latency comparisons: not
				* in the default isolation matrix */
	bool rootless_ok;      /* may manage without root (bwrap, unshare(1)) */
	bool cgroup_v1_only;   /* refuses a hybrid cgroup host (crun): started
				* from the v1-only mount namespace there */
	const char *const *options; /* runtime-specific options, NULL-terminated */
	/* The runtime's command line for a prepared launch (l->runtime_bin,
	 * l->cfg, l->ns_effective are set; OCI: l->tmp_dir, l->state_dir). */
	int (*build_argv)(struct hh_argv *a, struct hh_launch *l, struct hull_err *err);
	/* Optional, once per prepared launch after build_argv, and at release
	 * (hull-pool: start its pool, stop it). */
	int (*setup)(struct hh_launch *l, struct hull_err *err);
	void (*teardown)(struct hh_launch *l);
};

/* The runtimes: the built-in table first, then every oci:PATH runtime
 * looked up so far, in the order they were first named. */
size_t hh_runtime_count(void);
const struct hh_runtime_info *hh_runtime_at(size_t i);

/* A built-in name, a name given with oci:...,name=NAME, or an oci:PATH[,...]
 * spec (registered on first use; at most 16). NULL when unknown or
 * malformed. */
const struct hh_runtime_info *hh_runtime_lookup(const char *name);

/* The next runtime of a comma-separated list into buf: a name, or an
 * oci:PATH spec with the key=value parts that follow it (name=, args=,
 * ns=, env=). *p moves past it. False at the end of the list. */
bool hh_runtime_list_next(const char **p, char *buf, size_t len);

/* The program that runs a container of rt, malloc'ed, or NULL with why
 * filled. bin_dir: where built programs live (NULL: next to this one). */
char *hh_runtime_program(const struct hh_runtime_info *rt, const char *bin_dir, char *why,
			 size_t len);

/* How runtimes of this kind are started, one line for reports. */
const char *hh_runtime_started(const struct hh_runtime_info *rt);

/* Whether `name` can run here: a known runtime whose program is installed
 * (or built). When not, `why` (if given) says so in one line, lowercase. */
bool hh_runtime_available(const char *name, char *why, size_t len);

struct hh_launch_config {
	const char *runtime;	  /* a runtime name or oci: spec */
	const char *rootfs;	  /* absolute path of the root filesystem */
	uint64_t ns_flags;	  /* CLONE_NEW* wanted; see hh_launch_effective_ns */
	bool chroot;		  /* hull: --chroot instead of pivot_root */
	bool spawn_fork;	  /* hull: --spawn fork instead of clone3 */
	const char *hostname;	  /* with uts: NULL = the runtime's default */
	char *const *argv;	  /* command inside the container, NULL-terminated */
	int trace_fd;		  /* hull: --trace-fd N (inherited as N); -1 none */
	const char *scratch_dir;  /* parent of the temp dir for bundles; NULL = $TMPDIR or /tmp */
	const char *bin_dir;	  /* where hull, hull-seed, hull-floor live; NULL =
				   * the directory of the running program */
	int timeout_ms;		  /* per container; 0 = 10000 */
	int cancel_fd;		  /* readable = abort the run in progress; -1 none */
	const char *cgroups_path; /* OCI: linux.cgroupsPath of the bundle; NULL none */
	unsigned pool_size;	  /* hull-pool: slots kept ready; 0 = hull's default (4) */
};

struct hh_launch {
	struct hh_launch_config cfg;
	const struct hh_runtime_info *rt;
	uint64_t ns_effective;
	char **argv;	 /* the runtime's command line; NULL-terminated */
	int id_index;	 /* argv slot that gets a fresh container id; -1 none */
	char *tmp_dir;	 /* OCI: bundle (config.json) and state root */
	char *state_dir; /* OCI: --root of crun/runc */
	char *runtime_bin;
	int env;       /* enum hh_env: the mount namespace it starts from */
	char pool[48]; /* hull-pool: the pool of this launch, "" none */
};

struct hh_launch_result {
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
int hh_launch_prepare(const struct hh_launch_config *cfg, struct hh_launch *l,
		      struct hull_err *err);

/* Start one container, capture its output and reap it. Returns 0 once the
 * runtime ran (whatever its exit status), < 0 if it could not be started or
 * watched. Nothing is left behind: on timeout or cancel the runtime's
 * process group is killed, and an OCI container is deleted. */
int hh_launch_run(const struct hh_launch *l, struct hh_launch_result *res, struct hull_err *err);

void hh_launch_result_free(struct hh_launch_result *res);

/* One invocation of the runtime's program with argv (argv[0] is
 * l->runtime_bin), spawned and timed exactly as hull_launch_run does, from
 * the runtime's mount namespace; stdout to /dev/null, stderr kept, waited
 * for until the runtime itself exits (whatever it leaves running, such as
 * an OCI create's container). The lifecycle steps. */
struct hh_step_result {
	uint64_t t_spawn_ns, t_exit_ns;
	int exit_code; /* exit status, 128+N for signal N, -1 timed out */
	char err[256]; /* the start of its stderr */
};
int hh_launch_step(const struct hh_launch *l, char *const *argv, struct hh_step_result *res,
		   struct hull_err *err);

/* Remove the bundle and state directories, free everything. */
void hh_launch_release(struct hh_launch *l);

/* The namespaces a container of this config really gets: the asked ones
 * plus the runtime's fixed ones (seed: mnt+uts, bwrap: mnt). */
uint64_t hh_launch_effective_ns(const struct hh_runtime_info *rt, uint64_t ns_flags);

/* Root switch the config gets: true for pivot_root. hull without a mount
 * namespace falls back to chroot. */
bool hh_launch_uses_pivot(const struct hh_runtime_info *rt, uint64_t ns_effective, bool chroot);

/* Write the OCI bundle (config.json over cfg.rootfs) and the state
 * directory under a fresh temp dir: l->tmp_dir, l->state_dir (bundle.c). */
int hh_bundle_write(struct hh_launch *l, struct hull_err *err);

#endif
