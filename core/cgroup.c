/* cgroup.c — layout detection, the backend-neutral lifecycle, naming and
 * garbage collection; see cgroup.h. The backends are cgroup_v1.c and
 * cgroup_v2.c; the file helpers they share are in cgroup_util.c. */
#include "cgroup.h"
#include "fileio.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const hull_cg_ctrl_names[HULL_CTRL_COUNT] = {
	[HULL_CTRL_MEMORY] = "memory",	 [HULL_CTRL_CPU] = "cpu",
	[HULL_CTRL_CPUACCT] = "cpuacct", [HULL_CTRL_PIDS] = "pids",
	[HULL_CTRL_CPUSET] = "cpuset",
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
				if (strcmp(fstype, "cgroup2") == 0 && !m->v2[0]) {
					snprintf(m->v2, sizeof(m->v2), "%s", point);
				} else if (strcmp(fstype, "cgroup") == 0) {
					for (int c = 0; c < HULL_CTRL_COUNT; c++) {
						if (!m->v1[c][0] &&
						    has_option(opts, hull_cg_ctrl_names[c])) {
							snprintf(m->v1[c], sizeof(m->v1[c]), "%s",
								 point);
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

/* Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. */
static int read_start_time(const char *pid, unsigned long long *start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if (hull_read_file(path, buf, sizeof(buf), NULL) < 0)
		return -ENOENT;
	/* The comm field may hold spaces and parentheses: skip to the last ')'. */
	char *p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	p += 2; /* field 3 */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -EINVAL;
		p++;
	}
	*start = strtoull(p, NULL, 10);
	return 0;
}

int hull_cgroup_self_name(char *buf, size_t len)
{
	unsigned long long start;
	int ret = read_start_time("self", &start);
	if (ret < 0)
		return ret;
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
	if (name_override)
		snprintf(cg->name, sizeof(cg->name), "%s", name_override);
	else if ((ret = hull_cgroup_self_name(cg->name, sizeof(cg->name))) < 0)
		return hull_fail(err, -ret, "cannot name the container's cgroup");
	return cg->ops->check(cg, err);
}

int hull_cgroup_create(struct hull_cgroup *cg, struct hull_err *err)
{
	int ret = cg->ops->create(cg, err);
	if (ret < 0) {
		/* Half-made: leave nothing behind. */
		cg->ops->destroy(cg, NULL);
	}
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

static bool owner_alive(const char *name)
{
	char pid[32];
	unsigned long long start, want;
	const char *dash = strchr(name, '-');

	if (!dash || dash == name || (size_t)(dash - name) >= sizeof(pid))
		return true; /* not ours to judge */
	memcpy(pid, name, (size_t)(dash - name));
	pid[dash - name] = '\0';
	want = strtoull(dash + 1, NULL, 10);
	if (read_start_time(pid, &start) < 0)
		return false;
	return start == want;
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
		if (e->d_type != DT_DIR || e->d_name[0] == '.' || owner_alive(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		hull_cg_kill_all(path);
		if (hull_cg_rmdir(path, err) == 0)
			removed++;
	}
	closedir(d);
	return removed;
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
	return removed;
}
