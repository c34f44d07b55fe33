/* pool_state.c — a pool's directory under HULL_POOL_ROOT, its owner
 * marker and args file, connecting to it, and gc; see pool.h. */
#include "pool_internal.h"
#include "cgroup.h"
#include "cgroup_owner.h"
#include "fileio.h"
#include "pool_proto.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char *const state_files[] = { HULL_POOL_RUN_SOCK, HULL_POOL_CTL_SOCK, "args", "owner",
					   NULL };

/* "<pid>-<start>" alive: that pid exists and started at that time. */
static bool process_alive(const char *marker)
{
	char path[64], want[64];
	long pid;
	char *end;

	errno = 0;
	pid = strtol(marker, &end, 10);
	if (errno || pid <= 0 || *end != '-')
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (access(path, F_OK) < 0)
		return false;
	/* hull_cgroup_self_name's format, computed for that pid. */
	char stat[1024];
	if (hull_read_file(path, stat, sizeof(stat), NULL) <= 0)
		return false;
	const char *p = strrchr(stat, ')');
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return false; /* a zombie is gone, whether reaped yet or not */
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return false;
	snprintf(want, sizeof(want), "%ld-%llu", pid, strtoull(p + 1, NULL, 10));
	return strcmp(want, marker) == 0;
}

/* The directory's xattr marker (cgroup_owner.h, hull's proof for what it
 * made), "pool <pid>-<start>". */
static void pool_marker_value(const char *owner, char *buf, size_t len)
{
	snprintf(buf, len, "pool %s", owner);
}

int hull_pool_owner_alive(const char *name)
{
	char path[PATH_MAX], dir[PATH_MAX], marker[128], value[160];
	ssize_t n;

	if (hull_pool_path(name, "owner", path, sizeof(path), NULL) < 0 ||
	    hull_pool_path(name, NULL, dir, sizeof(dir), NULL) < 0)
		return -ENAMETOOLONG;
	n = hull_read_file(path, marker, sizeof(marker), NULL);
	if (n <= 0)
		return -ENOENT;
	marker[strcspn(marker, "\n")] = '\0';
	/* The owner file and the directory's own marker must agree (where
	 * the filesystem has user xattrs): a file alone proves nothing. */
	pool_marker_value(marker, value, sizeof(value));
	if (hull_cg_owner_check(dir, value) == 0)
		return -ENOENT;
	return process_alive(marker) ? 1 : 0;
}

void hull_pool_state_remove(const char *name)
{
	char path[PATH_MAX];

	for (const char *const *f = state_files; *f; f++)
		if (hull_pool_path(name, *f, path, sizeof(path), NULL) == 0)
			unlink(path);
	if (hull_pool_path(name, NULL, path, sizeof(path), NULL) == 0)
		rmdir(path); /* fails if someone put anything else there: left alone */
}

static int write_args(const struct hull_pool_config *c, struct hull_err *err)
{
	char path[PATH_MAX];
	int ret = hull_pool_path(c->name, "args", path, sizeof(path), err);
	if (ret < 0)
		return ret;
	FILE *f = fopen(path, "wxe");
	if (!f)
		return hull_fail(err, errno, "cannot write '%s'", path);
	fwrite(c->spec->rootfs, 1, strlen(c->spec->rootfs) + 1, f);
	for (size_t i = 0; i < c->nargs; i++)
		fwrite(c->args[i], 1, strlen(c->args[i]) + 1, f);
	if (fclose(f) != 0)
		return hull_fail(err, errno, "cannot write '%s'", path);
	return 0;
}

int hull_pool_state_create(const struct hull_pool_config *c, struct hull_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX], marker[64];
	int ret;

	if ((ret = hull_pool_path(c->name, NULL, dir, sizeof(dir), err)) < 0)
		return ret;
	if (mkdir("/run/hull", 0755) < 0 && errno != EEXIST)
		return hull_fail(err, errno, "cannot create '/run/hull'");
	if (mkdir(HULL_POOL_ROOT, 0755) < 0 && errno != EEXIST)
		return hull_fail(err, errno, "cannot create '%s'", HULL_POOL_ROOT);
	if (mkdir(dir, 0700) < 0) {
		if (errno != EEXIST)
			return hull_fail(err, errno, "cannot create pool directory '%s'", dir);
		int alive = hull_pool_owner_alive(c->name);
		if (alive != 0)
			return hull_fail(err, EEXIST,
					 alive > 0 ? "pool '%s' is already running"
						   : "pool directory of '%s' is not hull's",
					 c->name);
		hull_pool_state_remove(c->name); /* a dead supervisor's remains */
		if (mkdir(dir, 0700) < 0)
			return hull_fail(err, errno, "cannot create pool directory '%s'", dir);
	}
	/* The markers first: from here on gc can prove the directory is ours. */
	if ((ret = hull_cgroup_self_name(marker, sizeof(marker))) < 0 ||
	    (ret = hull_pool_path(c->name, "owner", path, sizeof(path), err)) < 0)
		goto fail;
	char value[160];
	pool_marker_value(marker, value, sizeof(value));
	ret = hull_cg_owner_mark(dir, value);
	if (ret < 0 && ret != -EOPNOTSUPP) {
		hull_fail(err, -ret, "cannot mark pool directory '%s' as hull's", dir);
		goto fail;
	}
	strncat(marker, "\n", sizeof(marker) - strlen(marker) - 1);
	if ((ret = hull_write_file(path, marker, 1, err)) < 0 || (ret = write_args(c, err)) < 0)
		goto fail;
	return 0;
fail:
	if (ret < 0 && !err->msg[0])
		hull_fail(err, -ret, "cannot write the state of pool '%s'", c->name);
	hull_pool_state_remove(c->name);
	return ret;
}

int hull_pool_read_args(const char *name, char ***args, size_t *nargs, struct hull_err *err)
{
	char path[PATH_MAX];
	static char buf[HULL_POOL_MAX_PAYLOAD];
	ssize_t n;
	int ret;

	if ((ret = hull_pool_path(name, "args", path, sizeof(path), err)) < 0)
		return ret;
	n = hull_read_file(path, buf, sizeof(buf), err);
	if (n < 0)
		return (int)n;
	size_t count = 0;
	for (ssize_t i = 0; i < n; i++)
		count += buf[i] == '\0';
	char **out = calloc(count + 1, sizeof(char *));
	if (!out)
		return hull_fail(err, ENOMEM, "cannot read '%s'", path);
	size_t k = 0;
	for (ssize_t i = 0; i < n && k < count; i += (ssize_t)strlen(buf + i) + 1)
		if (!(out[k++] = strdup(buf + i))) {
			hull_pool_args_free(out);
			return hull_fail(err, ENOMEM, "cannot read '%s'", path);
		}
	if (k == 0) {
		free(out);
		return hull_fail(err, EINVAL, "pool '%s' has an empty args file", name);
	}
	*args = out;
	*nargs = k;
	return 0;
}

void hull_pool_args_free(char **args)
{
	for (char **a = args; a && *a; a++)
		free(*a);
	free(args);
}

int hull_pool_gc(struct hull_err *err)
{
	DIR *d = opendir(HULL_POOL_ROOT);
	int removed = 0;

	if (!d)
		return errno == ENOENT ? 0
				       : hull_fail(err, errno, "cannot read '%s'", HULL_POOL_ROOT);
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.' || hull_pool_check_name(e->d_name, NULL) < 0)
			continue;
		/* Only a directory whose marker names a dead supervisor. */
		if (hull_pool_owner_alive(e->d_name) != 0)
			continue;
		hull_pool_state_remove(e->d_name);
		removed++;
	}
	closedir(d);
	return removed;
}
