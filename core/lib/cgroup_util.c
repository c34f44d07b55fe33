/* cgroup_util.c — file operations both cgroup backends share. */
#include "cgroup.h"
#include "fileio.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int hull_cg_mkdir(const char *path, struct hull_err *err)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return hull_fail(err, errno, "cannot create cgroup '%s'", path);
	return 0;
}

int hull_cg_write(const char *dir, const char *file, const char *text, struct hull_err *err)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return hull_write_file(path, text, 0, err);
}

/* SIGKILL every process listed in dir/cgroup.procs until none is left (a
 * process may fork while we read). Returns how many rounds it took. */
int hull_cg_kill_all(const char *dir)
{
	char path[PATH_MAX + 64], buf[16384];
	int round;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	for (round = 0; round < 100; round++) {
		if (hull_read_file(path, buf, sizeof(buf), NULL) <= 0)
			break;
		for (char *p = buf; *p;) {
			char *end;
			long pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (pid > 0)
				kill((pid_t)pid, SIGKILL);
			p = end;
			while (*p == '\n')
				p++;
		}
	}
	return round;
}

/* rmdir fails with EBUSY while killed processes are still being torn down
 * (reparented zombies are released asynchronously); retry for up to ~2 s. */
int hull_cg_rmdir(const char *path, struct hull_err *err)
{
	struct timespec pause = { 0, 1000000 }; /* 1 ms */

	for (int i = 0; i < 2000; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		if (i % 50 == 49)
			hull_cg_kill_all(path);
		nanosleep(&pause, NULL);
	}
	return hull_fail(err, errno, "cannot remove cgroup '%s'", path);
}

void hull_cg_rdma_line(const struct hull_rdma *r, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s", r->device);

	if (r->hca_handles >= 0 && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " hca_handle=%lld",
			      (long long)r->hca_handles);
	if (r->hca_objects >= 0 && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " hca_object=%lld", (long long)r->hca_objects);
}
