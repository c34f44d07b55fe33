/* cgroup_self_join.c — the child's own move into its v1 cgroup; see
 * cgroup_self_join.h for why it is the child and "0" into tasks. */
#include "cgroup_self_join.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

void hull_cg_self_join_init(struct hull_cg_self_join *sj)
{
	for (int c = 0; c < HULL_CTRL_COUNT; c++)
		sj->fds[c] = -1;
	sj->armed = false;
}

void hull_cg_self_join_prepare(struct hull_cg_self_join *sj, const struct hull_cgroup *cg)
{
	hull_cg_self_join_init(sj);
	if (cg->ops != &hull_cg_v1_backend || cg->attached)
		return;
	for (int c = 0; c < HULL_CTRL_COUNT; c++) {
		if (!cg->made[c])
			continue;
		char path[PATH_MAX + 16];
		snprintf(path, sizeof(path), "%s/tasks", cg->dir[c]);
		sj->fds[c] = open(path, O_WRONLY | O_CLOEXEC);
		if (sj->fds[c] < 0) {
			hull_cg_self_join_close(sj); /* the parent's attach then */
			return;
		}
	}
	sj->armed = true;
}

int hull_cg_self_join(struct hull_cg_self_join *sj, struct hull_err *err)
{
	int ret = 0;

	for (int c = 0; c < HULL_CTRL_COUNT && ret == 0; c++) {
		if (sj->fds[c] < 0)
			continue;
		ssize_t n;
		while ((n = write(sj->fds[c], "0", 1)) < 0 && errno == EINTR)
			;
		if (n != 1)
			ret = hull_fail(err, n < 0 ? errno : EIO,
					"cannot join cgroup controller '%s'",
					hull_cg_ctrl_names[c]);
	}
	hull_cg_self_join_close(sj);
	return ret;
}

void hull_cg_self_join_close(struct hull_cg_self_join *sj)
{
	for (int c = 0; c < HULL_CTRL_COUNT; c++) {
		if (sj->fds[c] >= 0)
			close(sj->fds[c]);
		sj->fds[c] = -1;
	}
}
