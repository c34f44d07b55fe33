/* idmap.c — writing /proc/<pid>/{setgroups,uid_map,gid_map}; see idmap.h. */
#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int write_proc_file(pid_t pid, const char *name, const char *text, struct hull_err *err)
{
	char path[64];
	int fd, ret = 0;
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return hull_fail(err, errno, "cannot open '%s'", path);
	if (write(fd, text, len) != (ssize_t)len)
		ret = hull_fail(err, errno, "cannot write '%s'", path);
	close(fd);
	return ret;
}

int hull_idmap_write(pid_t pid, uid_t host_uid, gid_t host_gid, struct hull_err *err)
{
	char map[64];
	int ret;

	/* An unprivileged writer may only map its own gid, and only once
	 * setgroups is denied (user_namespaces(7)). Root keeps setgroups. */
	if (geteuid() != 0) {
		ret = write_proc_file(pid, "setgroups", "deny", err);
		if (ret < 0)
			return ret;
	}
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)host_uid);
	ret = write_proc_file(pid, "uid_map", map, err);
	if (ret < 0)
		return ret;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)host_gid);
	return write_proc_file(pid, "gid_map", map, err);
}
