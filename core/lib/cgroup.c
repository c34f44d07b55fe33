/* cgroup.c — layout detection, the backend-neutral lifecycle, naming and
 * garbage collection; see cgroup.h. The backends are cgroup_v1.c and
 * cgroup_v2.c; the file helpers they share are in cgroup_util.c. */
#include "cgroup.h"
#include "util.h"
#include "cgroup_owner.h"
#include "fileio.h"

#include <dirent.h>
#include <signal.h>
#include <time.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const hull_cg_ctrl_names[HULL_CTRL_COUNT] = {
	[HULL_CTRL_MEMORY] = "memory",	 [HULL_CTRL_CPU] = "cpu",
	[HULL_CTRL_CPUACCT] = "cpuacct", [HULL_CTRL_PIDS] = "pids",
	[HULL_CTRL_CPUSET] = "cpuset",	 [HULL_CTRL_FREEZER] = "freezer",
	[HULL_CTRL_DEVICES] = "devices", [HULL_CTRL_BLKIO] = "blkio",
	[HULL_CTRL_HUGETLB] = "hugetlb", [HULL_CTRL_RDMA] = "rdma",
};

const char *hull_cg_layout_name(enum hull_cg_layout layout)
{
	switch (layout) {
	case HULL_CG_V1:
		return "v1";
	case HULL_CG_V2:
		return "v2";
	case HULL_CG_HYBRID:
		return "hybrid";
	default:
		return "none";
	}
}

/* Whether the comma-separated list opts holds word. */
static bool has_option(const char *opts, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = opts; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

int hull_cgroup_detect(const char *mountinfo, struct hull_cg_mounts *m, struct hull_err *err)
{
	bool any_v1 = false;

	memset(m, 0, sizeof(*m));
	for (const char *line = mountinfo; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[4096], point[PATH_MAX], fstype[64], source[256], opts[1024];

		if (len < sizeof(buf)) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			const char *sep = strstr(buf, " - ");
			if (sep && sscanf(buf, "%*s %*s %*s %*s %4095s", point) == 1 &&
			    sscanf(sep + 3, "%63s %255s %1023s", fstype, source, opts) == 3) {
				size_t plen = strlen(point);
				if (plen >= sizeof(m->v2)) {
					/* too deep to be one hull looks for */
				} else if (strcmp(fstype, "cgroup2") == 0 && !m->v2[0]) {
					memcpy(m->v2, point, plen + 1);
				} else if (strcmp(fstype, "cgroup") == 0) {
					for (int c = 0; c < HULL_CTRL_COUNT; c++) {
						if (!m->v1[c][0] &&
						    has_option(opts, hull_cg_ctrl_names[c])) {
							memcpy(m->v1[c], point, plen + 1);
							any_v1 = true;
						}
					}
				}
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	if (any_v1 && m->v2[0])
		m->layout = HULL_CG_HYBRID;
	else if (any_v1)
		m->layout = HULL_CG_V1;
	else if (m->v2[0])
		m->layout = HULL_CG_V2;
	else
		m->layout = HULL_CG_NONE;
	(void)err;
	return 0;
}

int hull_cgroup_detect_self(struct hull_cg_mounts *m, struct hull_err *err)
{
	static char buf[65536];
	ssize_t n = hull_read_file("/proc/self/mountinfo", buf, sizeof(buf), err);
	if (n < 0)
		return (int)n;
	return hull_cgroup_detect(buf, m, err);
}

int hull_cgroup_self_name(char *buf, size_t len)
{
	unsigned long long start = hull_proc_start_time(0, false);
	if (start == 0)
		return -ENOENT;
	snprintf(buf, len, "%d-%llu", (int)getpid(), start);
	return 0;
}

int hull_cgroup_init(struct hull_cgroup *cg, const struct hull_limits *limits,
		     const struct hull_cg_mounts *mounts, const char *name_override,
		     struct hull_err *err)
{
	int ret;

	memset(cg, 0, sizeof(*cg));
	cg->dir_fd = -1;
	cg->limits = limits;
	if (mounts) {
		cg->mounts = *mounts;
	} else {
		ret = hull_cgroup_detect_self(&cg->mounts, err);
		if (ret < 0)
			return ret;
	}
	switch (cg->mounts.layout) {
	case HULL_CG_V2:
		cg->ops = &hull_cg_v2_backend;
		break;
	case HULL_CG_V1:
	case HULL_CG_HYBRID:
		cg->ops = &hull_cg_v1_backend;
		break;
	default:
		return hull_fail(err, ENOENT,
				 "cannot set resource limits: no cgroup filesystem is mounted");
	}
	cg->run_named = !name_override;
	if (name_override)
		snprintf(cg->name, sizeof(cg->name), "%s", name_override);
	else if ((ret = hull_cgroup_self_name(cg->name, sizeof(cg->name))) < 0)
		return hull_fail(err, -ret, "cannot name the container's cgroup");
	return cg->ops->check(cg, err);
}

/* Mark every directory this process made as hull's (see cgroup_owner.h).
 * A kernel whose cgroupfs has no user xattrs leaves them unmarked: then
 * nothing but this process will ever remove them. */
static int mark_made(struct hull_cgroup *cg, struct hull_err *err)
{
	char value[300];

	hull_cg_owner_value(cg->name, cg->run_named, value, sizeof(value));
	for (int c = 0; c < HULL_CTRL_COUNT; c++) {
		int ret = cg->made[c] ? hull_cg_owner_mark(cg->dir[c], value) : 0;
		if (ret == -EOPNOTSUPP)
			return 0;
		if (ret < 0)
			return hull_fail(err, -ret, "cannot mark cgroup '%s' as hull's",
					 cg->dir[c]);
	}
	return 0;
}

int hull_cgroup_create(struct hull_cgroup *cg, struct hull_err *err)
{
	bool intent = cg->run_named && hull_cg_intent_begin(cg->name, cg->limits->parent) == 0;
	int ret = cg->ops->create(cg, err);
	if (ret == 0)
		ret = mark_made(cg, err);
	/* Half-made: leave nothing behind (only what this call made); what
	 * cannot be removed keeps its intent record for `hull gc`. */
	if ((ret == 0 || cg->ops->destroy(cg, NULL) == 0) && intent)
		hull_cg_intent_end(cg->name);
	return ret;
}

int hull_cgroup_attach(struct hull_cgroup *cg, pid_t pid, struct hull_err *err)
{
	if (cg->attached)
		return 0;
	return cg->ops->attach(cg, pid, err);
}

void hull_cgroup_stats(struct hull_cgroup *cg, struct hull_cg_stats *st)
{
	memset(st, 0, sizeof(*st));
	cg->ops->stats(cg, st);
}

int hull_cgroup_destroy(struct hull_cgroup *cg, struct hull_err *err)
{
	int ret = cg->ops->destroy(cg, err);
	if (cg->dir_fd >= 0)
		close(cg->dir_fd);
	cg->dir_fd = -1;
	return ret;
}

/* Whether name is a hull run's "<pid>-<start>" whose process is gone. */
static bool dead_run(const char *name)
{
	long owner;
	unsigned long long want;

	if (!hull_cg_run_name(name, &owner, &want))
		return false;
	return !(owner > 0 && want != 0 && hull_proc_start_time((pid_t)owner, false) == want);
}

/* A cgroup `hull gc` may collect: named exactly "<pid>-<start>", that
 * hull process is gone, and hull's run marker for that very name is on it
 * (or, unmarked, the run died between mkdir and marking with its intent
 * record for this parent still there). Anything else is someone else's. */
static bool stale_hull_run(const char *dir, const char *name, const char *parent)
{
	char value[300];

	if (!dead_run(name))
		return false;
	hull_cg_owner_value(name, true, value, sizeof(value));
	switch (hull_cg_owner_check(dir, value)) {
	case 1:
		return true;
	case 0:
		return !hull_cg_has_owner(dir) && hull_cg_intent_for(name, parent);
	default:
		return false;
	}
}

static int gc_tree(const char *mount, const char *parent, struct hull_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	int removed = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", mount, parent);
	d = opendir(dir);
	if (!d)
		return 0; /* no hull cgroup was ever made here */
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!stale_hull_run(path, e->d_name, parent))
			continue;
		hull_cg_kill_all(path);
		if (hull_cg_rmdir(path, err) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

/* Whether a directory name is left under parent in any hierarchy of m. */
static bool any_left(const struct hull_cg_mounts *m, const char *parent, const char *name)
{
	char path[PATH_MAX + 512];

	for (int c = -1; c < HULL_CTRL_COUNT; c++) {
		const char *mount = c < 0 ? m->v2 : m->v1[c];
		snprintf(path, sizeof(path), "%s/%s/%s", mount, parent, name);
		if (mount[0] && access(path, F_OK) == 0)
			return true;
	}
	return false;
}

/* Drop the intent records of dead runs whose directories are all gone
 * from the parent each record names (whichever parent this gc is for: a
 * record of a run killed before its first mkdir names a parent nobody may
 * ever collect again). Only under a parent these mounts have; a record
 * whose directory is still there stays: it is that directory's only proof. */
static void gc_intents(const struct hull_cg_mounts *m)
{
	char recorded[PATH_MAX];
	DIR *d = opendir(HULL_CG_INTENT_DIR);

	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		if (dead_run(e->d_name) &&
		    hull_cg_intent_parent(e->d_name, recorded, sizeof(recorded)) == 0 &&
		    any_left(m, recorded, "") && !any_left(m, recorded, e->d_name))
			hull_cg_intent_end(e->d_name);
	}
	closedir(d);
}

int hull_cgroup_gc(const struct hull_cg_mounts *m, const char *parent, struct hull_err *err)
{
	int removed = 0;

	if (m->v2[0])
		removed += gc_tree(m->v2, parent, err);
	for (int c = 0; c < HULL_CTRL_COUNT; c++) {
		bool seen = false;
		for (int prev = 0; prev < c; prev++)
			seen |= strcmp(m->v1[prev], m->v1[c]) == 0;
		if (m->v1[c][0] && !seen)
			removed += gc_tree(m->v1[c], parent, err);
	}
	gc_intents(m);
	return removed;
}

void hull_cgroup_reopen(struct hull_cgroup *cg)
{
	char dir[HULL_CG_DIR_MAX], value[300];

	hull_cg_owner_value(cg->name, cg->run_named, value, sizeof(value));

	for (int c = 0; c < HULL_CTRL_COUNT; c++) {
		const char *mount = cg->ops == &hull_cg_v2_backend ? (c ? "" : cg->mounts.v2)
								   : cg->mounts.v1[c];
		if (!mount[0] || snprintf(dir, sizeof(dir), "%s/%s/%s", mount, cg->limits->parent,
					  cg->name) >= (int)sizeof(dir))
			continue;
		/* Only a directory with this cgroup's marker (the state names the
		 * path; the marker proves hull made what is there now). */
		if (hull_cg_owner_check(dir, value) == 0)
			continue;
		memcpy(cg->dir[c], dir, sizeof(dir));
		cg->made[c] = true;
	}
}

int hull_cgroup_update(struct hull_cgroup *cg, const struct hull_limits *limits,
		       struct hull_err *err)
{
	cg->limits = limits;
	return cg->ops->update(cg, err);
}

static const char *freezer_file(struct hull_cgroup *cg, char *path, size_t len)
{
	if (cg->ops == &hull_cg_v2_backend && cg->dir[0][0])
		snprintf(path, len, "%s/cgroup.freeze", cg->dir[0]);
	else if (cg->dir[HULL_CTRL_FREEZER][0])
		snprintf(path, len, "%s/freezer.state", cg->dir[HULL_CTRL_FREEZER]);
	else
		return NULL;
	return path;
}

int hull_cgroup_freeze(struct hull_cgroup *cg, bool frozen, struct hull_err *err)
{
	char path[PATH_MAX + 32];
	bool v2 = cg->ops == &hull_cg_v2_backend;

	if (!freezer_file(cg, path, sizeof(path)))
		return hull_fail(err, ENOENT, "cannot %s: the container has no freezer cgroup",
				 frozen ? "pause" : "resume");
	int ret = hull_write_file(path, v2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED"),
				  0, err);
	if (ret < 0)
		return ret;
	/* v1 freezes asynchronously: wait until the state says so. */
	for (int i = 0; !v2 && frozen && i < 1000 && !hull_cgroup_frozen(cg); i++) {
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	return 0;
}

bool hull_cgroup_frozen(struct hull_cgroup *cg)
{
	char path[PATH_MAX + 32], buf[64];

	if (!freezer_file(cg, path, sizeof(path)) ||
	    hull_read_file(path, buf, sizeof(buf), NULL) <= 0)
		return false;
	return strncmp(buf, "FROZEN", 6) == 0 || strncmp(buf, "1", 1) == 0;
}

int hull_cgroup_signal_all(struct hull_cgroup *cg, int sig)
{
	char path[PATH_MAX + 32], buf[16384];
	int n = 0;

	for (int c = 0; c < HULL_CTRL_COUNT; c++) {
		if (!cg->made[c])
			continue;
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dir[c]);
		if (hull_read_file(path, buf, sizeof(buf), NULL) <= 0)
			continue;
		for (char *p = buf; *p;) {
			char *end;
			long pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (pid > 0 && kill((pid_t)pid, sig) == 0)
				n++;
			p = end;
			while (*p == '\n')
				p++;
		}
		return n; /* every hierarchy holds the same processes */
	}
	return n;
}
