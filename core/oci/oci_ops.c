/* oci_ops.c — ps and update on a container's cgroup; see oci.h. */
#include "oci.h"
#include "cgroup.h"
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static int pids_of(const struct hull_oci_state *st, pid_t **pids, size_t *n, struct hull_err *err)
{
	static char buf[1 << 20];
	struct hull_cgroup cg;
	struct hull_limits limits;
	char path[PATH_MAX + 32];
	size_t cap = 0;

	*pids = NULL;
	*n = 0;
	if (!st->cgroup_name[0])
		return 0;
	int ret = hull_oci_cgroup(st, &cg, &limits, err);
	if (ret < 0)
		return ret;
	for (int c = 0; c < HULL_CTRL_COUNT; c++) {
		if (!cg.made[c])
			continue;
		/* Every hierarchy holds the same processes: the first will do. */
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg.dir[c]);
		if (hull_read_file(path, buf, sizeof(buf), NULL) < 0)
			return 0; /* removed meanwhile: nothing inside */
		for (char *p = buf, *end; *p; p = end) {
			long pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (*n == cap) {
				pid_t *more =
					realloc(*pids, (cap = cap ? 2 * cap : 64) * sizeof(pid_t));
				if (!more) {
					free(*pids);
					*pids = NULL;
					*n = 0;
					return hull_fail(err, ENOMEM,
							 "cannot list the processes of '%s'",
							 st->id);
				}
				*pids = more;
			}
			(*pids)[(*n)++] = (pid_t)pid;
		}
		break;
	}
	if (*n)
		qsort(*pids, *n, sizeof(pid_t), cmp_pid);
	return 0;
}

static int update(const struct hull_oci_state *st, const struct hull_limits *limits,
		  struct hull_err *err)
{
	struct hull_cgroup cg;
	struct hull_limits base;
	enum hull_oci_status s = hull_oci_status(st);

	if (s == HULL_OCI_STOPPED)
		return hull_fail(err, 0, "cannot update container '%s': container not running",
				 st->id);
	if (!st->cgroup_name[0])
		return hull_fail(err, ENOENT, "cannot update container '%s': it has no cgroup",
				 st->id);
	int ret = hull_oci_cgroup(st, &cg, &base, err);
	if (ret < 0)
		return ret;
	struct hull_limits l = *limits;
	l.parent = base.parent;
	if ((ret = hull_limits_validate(&l, err)) < 0)
		return ret;
	return hull_cgroup_update(&cg, &l, err);
}

int hull_oci_ps(const char *root, const char *id, pid_t **pids, size_t *n, struct hull_err *err)
{
	struct hull_oci_state st;
	int ret = hull_oci_state_read(root, id, &st, err);

	*pids = NULL;
	*n = 0;
	if (ret == 0)
		ret = pids_of(&st, pids, n, err);
	hull_oci_state_close(&st);
	return ret;
}

int hull_oci_update(const char *root, const char *id, const struct hull_limits *limits,
		    struct hull_err *err)
{
	struct hull_oci_state st;
	int ret = hull_oci_state_open(root, id, &st, err);

	if (ret == 0)
		ret = update(&st, limits, err);
	hull_oci_state_close(&st);
	return ret;
}
