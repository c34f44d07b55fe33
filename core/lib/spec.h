/* spec.h — struct hull_spec: everything one container start needs, as pure
 * data. `hull run`'s options (options.c) and an OCI config.json
 * (core/oci/oci_config.c) both fill it; hull_spec_validate() checks it
 * completely before anything on the host is changed. */
#ifndef HULL_SPEC_H
#define HULL_SPEC_H

#include "error.h"
#include "caps.h"
#include "dev.h"
#include "net.h"
#include "resources.h"
#include "seccomp_filter.h"
#include "user.h"

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HULL_DEFAULT_HOSTNAME "hull"
#define HULL_HOSTNAME_MAX     64 /* HOST_NAME_MAX, the kernel's limit */
#define HULL_DEFAULT_PATH     "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define HULL_MAX_ENV	      256
/* Between --timeout's SIGTERM and its SIGKILL: docker stop's grace. */
#define HULL_DEFAULT_KILL_AFTER_NS (10ull * 1000000000ull)

enum hull_root_mode {
	HULL_ROOT_PIVOT,  /* pivot_root into the rootfs and detach the old root */
	HULL_ROOT_CHROOT, /* the seed's chroot(): escapable, kept for comparison */
};

/* One mount of an OCI config.json beyond hull's own /proc, /sys and /dev,
 * made inside the rootfs before the root switch (see root.h). */
struct hull_mount {
	const char *source;	   /* host path (bind) or the filesystem's source */
	const char *dest;	   /* inside the container, relative ("dev/mqueue") */
	const char *type;	   /* "tmpfs", "proc", ...; NULL for a bind */
	const char *data;	   /* filesystem options ("mode=755"), or NULL */
	unsigned long flags;	   /* MS_* (MS_BIND, MS_REC, MS_RDONLY...) */
	unsigned long propagation; /* MS_PRIVATE, MS_SLAVE... (| MS_REC); 0: none */
};

struct hull_rlimit {
	int resource; /* RLIMIT_* */
	unsigned long long soft, hard;
};

struct hull_sysctl {
	const char *key; /* "net.ipv4.ip_forward" */
	const char *value;
};

/* Namespaces a container joins instead of creating (OCI `path`): index in
 * hull_ns_table. */
#define HULL_NS_SLOTS 8

enum hull_spawn_mode {
	HULL_SPAWN_CLONE3, /* one clone3() with every CLONE_NEW* flag */
	HULL_SPAWN_FORK,   /* the seed's fork() + unshare(), plus a fork for pid/time */
};

struct hull_spec {
	const char *rootfs_arg; /* as given on the command line */
	char *rootfs;		/* absolute, symlinks resolved (set by validate) */
	char **argv;		/* the command; argv[argc] == NULL */
	int argc;

	uint64_t ns_flags;    /* CLONE_NEW* */
	const char *hostname; /* NULL (OCI without hostname): left as it is */
	bool hostname_given;  /* --hostname was passed explicitly */
	enum hull_root_mode root_mode;
	enum hull_spawn_mode spawn_mode;
	bool mount_proc; /* false with --no-proc */
	bool mount_dev;	 /* minimal /dev on a tmpfs */

	const char *env_args[HULL_MAX_ENV]; /* --env K=V, in order */
	size_t n_env_args;
	char **envp; /* the command's whole environment (set by validate) */

	struct hull_limits limits; /* cgroup limits; none by default */
	struct hull_net_opts net;  /* --network and its options (net.h) */

	/* Security profile; the defaults are the hardened ones. */
	hull_capset caps;     /* docker's 14 by default */
	hull_capset ambient;  /* raised into the ambient set (OCI configs); 0 by default */
	bool user_keeps_caps; /* a non-root user keeps caps across the uid switch (OCI) */
	bool no_new_privs;    /* true unless --allow-new-privs */
	enum hull_seccomp_mode seccomp_mode;
	const char *seccomp_file;
	const struct hull_seccomp_profile *seccomp_profile; /* HULL_SECCOMP_PROFILE */
	bool mask_paths;    /* masked and read-only /proc, /sys paths */
	bool read_only;	    /* --read-only rootfs (+ tmpfs /tmp) */
	bool read_only_tmp; /* ... with that tmpfs (not for OCI) */
	int umask;	    /* -1: inherited */
	int oom_score_adj;  /* written before exec when oom_score_adj_set */
	bool oom_score_adj_set;
	bool privileged;		  /* --privileged: all of the above off */
	struct hull_user user;		  /* --user; unset: container root */
	struct hull_idmap uidmap, gidmap; /* user namespace maps */

	bool init;		/* --init: hull's own PID 1 reaps and forwards */
	uint64_t timeout_ns;	/* --timeout: 0 for none */
	uint64_t kill_after_ns; /* --kill-after: grace between SIGTERM and SIGKILL */

	/* Masked and read-only paths relative to the rootfs, NULL-terminated;
	 * hull's lists by default (masks.c). */
	const char *const *masked_paths;
	const char *const *readonly_paths;

	/* From an OCI config.json; empty for the flag CLI. */
	const struct hull_mount *mounts;
	size_t n_mounts;
	const struct hull_rlimit *rlimits;
	size_t n_rlimits;
	const struct hull_sysctl *sysctls;
	size_t n_sysctls;
	const char *ns_paths[HULL_NS_SLOTS]; /* join this namespace (setns) */
	const struct hull_dev_node *devices; /* OCI linux.devices */
	size_t n_devices;
	bool mount_sys;			  /* sysfs on /sys (default on) */
	size_t sys_after_mounts;	  /* 1 + how many of mounts come before sys; 0: all */
	bool env_exact;			  /* env_args is the whole environment */
	unsigned long rootfs_propagation; /* 0: MS_REC|MS_PRIVATE */
	bool cgroup_always;		  /* a cgroup (with freezer) even without limits */
	const char *cgroup_name;	  /* NULL: <hull pid>-<start time> */

	/* OCI create: the container waits (reads one byte) on this fd before
	 * exec, is not tied to hull's life, and hull does not wait for it. */
	int exec_fifo_fd; /* -1: exec at once */
	/* process.terminal: a pty made inside, its master sent here. */
	const char *console_socket;
	bool detach;
	/* Called once the container is running (or created), with its pid. */
	void (*on_started)(pid_t pid, void *arg);
	void *on_started_arg;
	/* OCI createContainer hooks: the child stops after its mounts, before
	 * the masks and the root switch (pivot_root or chroot); hull_run calls
	 * this with its pid and lets it go on once it returned 0 (< 0 fails the
	 * start). NULL: no stop, no extra sync. With clone3 only (the OCI path's
	 * spawn): in fork mode pid would be the middle process. */
	int (*on_mounted)(pid_t pid, void *arg, struct hull_err *err);
	void *on_mounted_arg;

	/* Pool slot (POOL.md): the container stops before exec, reports
	 * READY and waits on command_fd (its end of a socketpair; the other
	 * end, command_peer_fd, it closes) for the command. hull_run then
	 * calls on_ready, which hands the command over (or fails), and goes
	 * on as for any start. */
	int command_fd;
	int command_peer_fd;
	int (*on_ready)(pid_t pid, void *arg, struct hull_err *err);
	void *on_ready_arg;
	/* Called with the exit status as soon as the command ended, before
	 * the cgroup is read and removed (a pool client need not wait for it). */
	void (*on_exited)(int exit_status, void *arg);
	void *on_exited_arg;
	/* Supervision ends with SIGKILL to the container when this fd hangs
	 * up (a pool client that died); -1: none. */
	int hangup_fd;
	/* A writable overlay on a tmpfs over the rootfs, private to the
	 * container's mount namespace: the rootfs is never written. */
	bool ephemeral;

	const char *cwd; /* inside the container; default "/" */
	int trace_fd;	 /* -1: no trace */
	int verbose;
};

/* Defaults: default namespaces, hostname "hull", pivot_root, clone3, /proc and
 * /dev on, no trace. */
void hull_spec_init(struct hull_spec *spec);

/* Check everything that can be checked without changing the host; resolve
 * the rootfs and build the environment. */
int hull_spec_validate(struct hull_spec *spec, struct hull_err *err);

/* spec->envp from env_args (and hull's defaults unless env_exact); part
 * of validate, and alone for hull exec. */
int hull_spec_build_env(struct hull_spec *spec, struct hull_err *err);

/* Append "--env K=V" (syntax checked here, so the CLI can report it). */
int hull_spec_add_env(struct hull_spec *spec, const char *kv, struct hull_err *err);

/* Whether the container gets a mount namespace of its own. Without one hull
 * must not mount anything: it would land on the host. */
static inline bool hull_spec_has_mntns(const struct hull_spec *spec)
{
	/* A joined one (OCI path; slot 0 of hull_ns_table) is the container's
	 * own as well: its holder asked for the container's mounts in it. */
	return (spec->ns_flags & CLONE_NEWNS) != 0 || spec->ns_paths[0] != NULL;
}

/* Whether the container has a uts namespace of its own, new or joined
 * (slot 1): where setting the hostname does not touch the host's. */
static inline bool hull_spec_has_utsns(const struct hull_spec *spec)
{
	return (spec->ns_flags & CLONE_NEWUTS) != 0 || spec->ns_paths[1] != NULL;
}

void hull_spec_free(struct hull_spec *spec);

#endif
