/* cgroup_owner.c — hull's marker on the cgroups it made; see
 * cgroup_owner.h. */
#include "cgroup_owner.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

void hull_cg_owner_value(const char *name, bool run, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", run ? "run" : "named", name);
}

int hull_cg_owner_mark(const char *dir, const char *value)
{
	if (setxattr(dir, HULL_CG_OWNER_XATTR, value, strlen(value), 0) < 0)
		return errno == ENOTSUP ? -EOPNOTSUPP : -errno;
	return 0;
}

int hull_cg_owner_check(const char *dir, const char *value)
{
	char buf[512];
	ssize_t n = getxattr(dir, HULL_CG_OWNER_XATTR, buf, sizeof(buf));

	if (n < 0)
		return errno == ENOTSUP || errno == EOPNOTSUPP ? -EOPNOTSUPP : 0;
	return (size_t)n == strlen(value) && memcmp(buf, value, (size_t)n) == 0;
}

bool hull_cg_has_owner(const char *dir)
{
	return getxattr(dir, HULL_CG_OWNER_XATTR, NULL, 0) >= 0;
}

/* Digits only, no sign, no leading zero, at most max_len of them. */
static bool parse_number(const char *s, size_t len, size_t max_len, unsigned long long *out)
{
	if (len == 0 || len > max_len || (s[0] == '0' && len > 1))
		return false;
	*out = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*out = *out * 10 + (unsigned long long)(s[i] - '0');
	}
	return true;
}

bool hull_cg_run_name(const char *name, long *pid, unsigned long long *start)
{
	const char *dash = strchr(name, '-');
	unsigned long long p;

	if (!dash || !parse_number(name, (size_t)(dash - name), 7, &p) || p == 0 ||
	    !parse_number(dash + 1, strlen(dash + 1), 19, start))
		return false;
	*pid = (long)p;
	return true;
}

static void intent_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", HULL_CG_INTENT_DIR, name);
}

int hull_cg_intent_begin(const char *name, const char *parent)
{
	char path[512];
	int fd;

	intent_path(name, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == ENOENT) {
		/* First run on this boot: /run/hull as the other state dirs make it. */
		if ((mkdir("/run/hull", 0755) < 0 && errno != EEXIST) ||
		    (mkdir(HULL_CG_INTENT_DIR, 0700) < 0 && errno != EEXIST))
			return -errno;
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	}
	if (fd < 0)
		return -errno;
	size_t len = strlen(parent);
	ssize_t n = write(fd, parent, len);
	int saved = n < 0 ? errno : EIO;
	close(fd);
	if (n == (ssize_t)len)
		return 0;
	unlink(path);
	return -saved;
}

void hull_cg_intent_end(const char *name)
{
	char path[512];

	intent_path(name, path, sizeof(path));
	unlink(path);
}

int hull_cg_intent_parent(const char *name, char *buf, size_t len)
{
	char path[512];
	int fd;
	ssize_t n;

	intent_path(name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	close(fd);
	if (n < 0 || (size_t)n >= len)
		return n < 0 ? -EIO : -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

bool hull_cg_intent_for(const char *name, const char *parent)
{
	char buf[PATH_MAX];

	return hull_cg_intent_parent(name, buf, sizeof(buf)) == 0 && strcmp(buf, parent) == 0;
}
