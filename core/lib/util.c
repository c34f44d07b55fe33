/* util.c — see util.h. */
#include "util.h"
#include "fileio.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

uint64_t hull_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int hull_mkdir_p(const char *path, mode_t mode, struct hull_err *err)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return hull_fail(err, ENAMETOOLONG, "cannot create directory '%s'", path);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		/* As mkdir -p -m: the mode is the path's own; a parent made on the
		 * way is 0755, so that /run/hull, made by whichever verb comes first
		 * on a fresh machine, lets every user reach what is meant to be
		 * found below it (a pool's owner, /run/hull/pool 0755). */
		if (mkdir(buf, c == '\0' ? mode : 0755) < 0 && errno != EEXIST)
			return hull_fail(err, errno, "cannot create directory '%s'", buf);
		*p = c;
		if (c == '\0')
			return 0;
	}
}

/* nftw gives its callback no context: the first failure is kept in the
 * caller's frame, found through a thread-local pointer. Only a pointer:
 * musl puts a program's TLS in a static block when it is small, and a
 * PATH_MAX buffer here cost every exec of hull an mmap and two page faults. */
struct remove_state {
	int err;
	char failed[PATH_MAX];
};
static __thread struct remove_state *remove_state;

static int remove_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	struct remove_state *st = remove_state;
	int ret = type == FTW_DP ? rmdir(path) : unlink(path);
	if (ret < 0 && errno != ENOENT && st->err == 0) {
		st->err = errno;
		snprintf(st->failed, sizeof(st->failed), "%s", path);
	}
	return 0; /* go on: remove what can be removed */
}

int hull_remove_tree(const char *path, struct hull_err *err)
{
	struct remove_state st = { 0 };

	remove_state = &st;
	int ret = nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	int nftw_errno = errno;
	remove_state = NULL;
	if (ret < 0 && nftw_errno != ENOENT)
		return hull_fail(err, nftw_errno, "cannot remove '%s'", path);
	if (st.err)
		return hull_fail(err, st.err, "cannot remove '%s'", st.failed);
	return 0;
}

ssize_t hull_read_all(int fd, char *buf, size_t cap)
{
	size_t len = 0;

	if (cap == 0)
		return -EINVAL;
	while (len < cap - 1) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && len == 0 && errno != EAGAIN) {
			buf[0] = '\0';
			return -errno;
		}
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

unsigned long long hull_proc_start_time(pid_t pid, bool live_only)
{
	char path[64], buf[1024];
	char *p;

	if (pid < 0)
		return 0;
	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/stat");
	else
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	/* The comm field may hold spaces and parentheses: fields follow the
	 * last ')', the state (field 3) first. */
	if (hull_read_file(path, buf, sizeof(buf), NULL) <= 0 || !(p = strrchr(buf, ')')) ||
	    p[1] != ' ')
		return 0;
	if (live_only && (p[2] == 'Z' || p[2] == 'X'))
		return 0;
	p += 2;
	for (int field = 3; field < 22 && p; field++)
		if ((p = strchr(p, ' ')))
			p++;
	return p ? strtoull(p, NULL, 10) : 0;
}
