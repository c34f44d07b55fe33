/* cgroup.h — one cgroup per container, on cgroup v1, v2 or hybrid hosts.
 *
 * The layout is read from mountinfo; each layout has a backend behind
 * struct hull_cg_backend, so the container start only calls
 * hull_cgroup_create / _attach / _finish and never sees v1 or v2.
 *
 *   v2      one unified tree with the controllers
 *   v1      one tree per controller (memory, cpu, cpuacct, pids, cpuset)
 *   hybrid  v1 controller trees plus a unified tree without controllers
 *           (this is where hull's limits can live only in the v1 trees, so
 *           hybrid uses the v1 backend)
 *
 * A container's cgroup is <parent>/<hull pid>-<hull start time>, unique
 * among live and dead runs, or the caller's name (OCI). hull marks each
 * directory it makes (cgroup_owner.h) and removes only marked ones; `hull
 * gc` removes the marked run cgroups whose hull is gone. */
#ifndef HULL_CGROUP_H
#define HULL_CGROUP_H

#include "error.h"
#include "resources.h"

#include <limits.h>
#include <linux/limits.h> /* PATH_MAX whatever was included first */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum hull_cg_layout {
	HULL_CG_NONE,
	HULL_CG_V1,
	HULL_CG_V2,
	HULL_CG_HYBRID,
};

enum hull_cg_ctrl {
	HULL_CTRL_MEMORY,
	HULL_CTRL_CPU,
	HULL_CTRL_CPUACCT,
	HULL_CTRL_PIDS,
	HULL_CTRL_CPUSET,
	HULL_CTRL_FREEZER, /* v1 only; joined only for OCI containers (pause) */
	HULL_CTRL_DEVICES, /* v1 only; joined only with device rules (v2: eBPF) */
	HULL_CTRL_BLKIO,   /* v1 name of v2's io; joined only with block I/O limits */
	HULL_CTRL_HUGETLB, /* joined only with hugetlb limits */
	HULL_CTRL_RDMA,	   /* joined only with RDMA limits */
	HULL_CTRL_COUNT,
};

extern const char *const hull_cg_ctrl_names[HULL_CTRL_COUNT];

/* Sizes of the paths kept per controller. Not PATH_MAX: a start that
 * touches a page per controller pays a page fault for each (~10 us on a
 * VM with shadow paging), and cgroup paths are short. A hierarchy mounted
 * deeper than HULL_CG_MOUNT_MAX is not used (its controller reads as not
 * available); a container cgroup deeper than HULL_CG_DIR_MAX is refused in
 * one line (ENAMETOOLONG). */
#define HULL_CG_MOUNT_MAX 256
#define HULL_CG_DIR_MAX	  1024

struct hull_cg_mounts {
	enum hull_cg_layout layout;
	char v2[HULL_CG_MOUNT_MAX];		     /* cgroup2 mount point, "" if none */
	char v1[HULL_CTRL_COUNT][HULL_CG_MOUNT_MAX]; /* v1 mount point per controller */
};

const char *hull_cg_layout_name(enum hull_cg_layout layout);

/* Parse mountinfo text (as read from /proc/self/mountinfo). */
int hull_cgroup_detect(const char *mountinfo, struct hull_cg_mounts *m, struct hull_err *err);
int hull_cgroup_detect_self(struct hull_cg_mounts *m, struct hull_err *err);

struct hull_cg_stats {
	unsigned long long memory_peak; /* bytes, 0 if unknown */
	unsigned long long cpu_ns;	/* CPU time used */
	unsigned long long oom_kills;
};

struct hull_cgroup;

struct hull_cg_backend {
	const char *name;
	/* Controllers the limits need are present; else a one-line error. */
	int (*check)(struct hull_cgroup *cg, struct hull_err *err);
	/* mkdir the container's cgroup(s) and write the limits. */
	int (*create)(struct hull_cgroup *cg, struct hull_err *err);
	/* A directory fd for clone3(CLONE_INTO_CGROUP), or -1. */
	int (*into_fd)(struct hull_cgroup *cg);
	/* Move pid in (when it was not created inside already). */
	int (*attach)(struct hull_cgroup *cg, pid_t pid, struct hull_err *err);
	void (*stats)(struct hull_cgroup *cg, struct hull_cg_stats *st);
	/* Write cg->limits into the existing cgroup (OCI update). */
	int (*update)(struct hull_cgroup *cg, struct hull_err *err);
	/* Kill what is left inside and remove the directories. */
	int (*destroy)(struct hull_cgroup *cg, struct hull_err *err);
};

struct hull_cgroup {
	const struct hull_cg_backend *ops;
	struct hull_cg_mounts mounts;
	const struct hull_limits *limits;
	char name[256];				    /* OCI: the container id, up to 255 bytes */
	char dir[HULL_CTRL_COUNT][HULL_CG_DIR_MAX]; /* v1: per controller; v2: dir[0] */
	bool made[HULL_CTRL_COUNT];
	int dir_fd;	/* v2: O_PATH fd of the cgroup */
	bool attached;	/* placed by CLONE_INTO_CGROUP */
	bool freezer;	/* v1: join the freezer too (OCI pause/resume) */
	bool run_named; /* named "<pid>-<start>" after this hull run */
};

extern const struct hull_cg_backend hull_cg_v1_backend;
extern const struct hull_cg_backend hull_cg_v2_backend;

/* Set up cg for limits on this host (detecting the layout); nothing is
 * created yet. name_override is for tests (NULL: pid-starttime). */
int hull_cgroup_init(struct hull_cgroup *cg, const struct hull_limits *limits,
		     const struct hull_cg_mounts *mounts, const char *name_override,
		     struct hull_err *err);
int hull_cgroup_create(struct hull_cgroup *cg, struct hull_err *err);
int hull_cgroup_attach(struct hull_cgroup *cg, pid_t pid, struct hull_err *err);
void hull_cgroup_stats(struct hull_cgroup *cg, struct hull_cg_stats *st);
int hull_cgroup_destroy(struct hull_cgroup *cg, struct hull_err *err);

/* An existing cgroup (made by another hull) after hull_cgroup_init: fill
 * its directories so the calls below work on it; a directory without
 * hull's marker for this name is left out (never signalled or removed). */
void hull_cgroup_reopen(struct hull_cgroup *cg);
/* Write limits (what is set in them) into a reopened cgroup. */
int hull_cgroup_update(struct hull_cgroup *cg, const struct hull_limits *limits,
		       struct hull_err *err);
/* Freeze (pause) or thaw the cgroup: v1 freezer.state, v2 cgroup.freeze. */
int hull_cgroup_freeze(struct hull_cgroup *cg, bool frozen, struct hull_err *err);
bool hull_cgroup_frozen(struct hull_cgroup *cg);
/* Send sig to every process in the cgroup; returns how many. */
int hull_cgroup_signal_all(struct hull_cgroup *cg, int sig);

/* The "<pid>-<starttime>" name of the calling process. */
int hull_cgroup_self_name(char *buf, size_t len);

/* Remove every cgroup under parent in every hierarchy that a hull run
 * made (its name pattern and marker) and whose hull process is gone;
 * returns the number removed. Nothing else under parent is touched. */
int hull_cgroup_gc(const struct hull_cg_mounts *m, const char *parent, struct hull_err *err);

/* Device rules as a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the v2
 * cgroup dir_fd (cgroup_devices.c); v1 writes devices.allow/deny itself. */
int hull_cg_devices_attach_bpf(int dir_fd, const struct hull_dev_rule *rules, size_t n,
			       struct hull_err *err);
/* The v1 devices.allow/deny line of a rule ("c 1:3 rwm", "a *:* rwm"). */
void hull_cg_dev_rule_line(const struct hull_dev_rule *r, char *buf, size_t len);
/* "mlx5_1 hca_handle=3 hca_object=100" (rdma.max, v1 and v2). */
void hull_cg_rdma_line(const struct hull_rdma *r, char *buf, size_t len);

/* Shared helpers for the backends (cgroup_util.c). */
int hull_cg_mkdir(const char *path, struct hull_err *err);
int hull_cg_write(const char *dir, const char *file, const char *text, struct hull_err *err);
int hull_cg_kill_all(const char *dir);
int hull_cg_rmdir(const char *path, struct hull_err *err);

#endif
