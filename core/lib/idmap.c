/* idmap.c — writing /proc/<pid>/{setgroups,uid_map,gid_map}; see idmap.h. */
#include "idmap.h"
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

static int write_map(pid_t pid, const char *name, const struct hull_idmap *map,
		     struct hull_err *err)
{
	char path[64], text[96];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	snprintf(text, sizeof(text), "%lu %lu %lu\n", map->inside, map->outside, map->count);
	int ret = hull_write_file(path, text, 0, err);
	if (ret < 0 && geteuid() != 0)
		return hull_fail(
			err, -ret,
			"cannot write %s '%lu %lu %lu' as uid %u (an unprivileged user may map "
			"only its own id)",
			name, map->inside, map->outside, map->count, (unsigned)geteuid());
	return ret;
}

int hull_idmap_write(pid_t pid, const struct hull_idmap *uidmap, const struct hull_idmap *gidmap,
		     struct hull_err *err)
{
	char path[64];
	int ret;

	/* An unprivileged writer may only map its own gid, and only once
	 * setgroups is denied (user_namespaces(7)). Root keeps setgroups. */
	if (geteuid() != 0) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		ret = hull_write_file(path, "deny", 0, err);
		if (ret < 0)
			return ret;
	}
	ret = write_map(pid, "uid_map", uidmap, err);
	if (ret < 0)
		return ret;
	return write_map(pid, "gid_map", gidmap, err);
}
