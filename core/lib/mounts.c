/* mounts.c — the config.json's extra mounts; see mounts.h. */
#include "mounts.h"
#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *name;
	bool clear; /* the option removes the flag ("rw", "suid") */
	unsigned long flag;
} mount_flags[] = {
	{ "ro", false, MS_RDONLY },
	{ "rw", true, MS_RDONLY },
	{ "nosuid", false, MS_NOSUID },
	{ "suid", true, MS_NOSUID },
	{ "nodev", false, MS_NODEV },
	{ "dev", true, MS_NODEV },
	{ "noexec", false, MS_NOEXEC },
	{ "exec", true, MS_NOEXEC },
	{ "sync", false, MS_SYNCHRONOUS },
	{ "async", true, MS_SYNCHRONOUS },
	{ "dirsync", false, MS_DIRSYNC },
	{ "mand", false, MS_MANDLOCK },
	{ "nomand", true, MS_MANDLOCK },
	{ "noatime", false, MS_NOATIME },
	{ "atime", true, MS_NOATIME },
	{ "nodiratime", false, MS_NODIRATIME },
	{ "diratime", true, MS_NODIRATIME },
	{ "relatime", false, MS_RELATIME },
	{ "norelatime", true, MS_RELATIME },
	{ "strictatime", false, MS_STRICTATIME },
	{ "nostrictatime", true, MS_STRICTATIME },
	{ "bind", false, MS_BIND },
	{ "rbind", false, MS_BIND | MS_REC },
	{ "defaults", false, 0 },
};

static const struct {
	const char *name;
	unsigned long flags;
} propagations[] = {
	{ "private", MS_PRIVATE },	 { "rprivate", MS_REC | MS_PRIVATE },
	{ "slave", MS_SLAVE },		 { "rslave", MS_REC | MS_SLAVE },
	{ "shared", MS_SHARED },	 { "rshared", MS_REC | MS_SHARED },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_REC | MS_UNBINDABLE },
};

int hull_mount_flag(const char *opt, unsigned long *flags, unsigned long *propagation)
{
	for (size_t i = 0; i < sizeof(mount_flags) / sizeof(mount_flags[0]); i++) {
		if (strcmp(opt, mount_flags[i].name) != 0)
			continue;
		if (mount_flags[i].clear)
			*flags &= ~mount_flags[i].flag;
		else
			*flags |= mount_flags[i].flag;
		return 1;
	}
	for (size_t i = 0; i < sizeof(propagations) / sizeof(propagations[0]); i++) {
		if (strcmp(opt, propagations[i].name) == 0) {
			*propagation = propagations[i].flags;
			return 1;
		}
	}
	return 0;
}

/* Create every directory of the relative path dest (the last one a file
 * when as_file), refusing symlinks on the way. */
static int make_dest(const char *dest, bool as_file, struct hull_err *err)
{
	char path[PATH_MAX];
	struct stat st;
	size_t len = strlen(dest);

	if (len >= sizeof(path))
		return hull_fail(err, ENAMETOOLONG, "cannot create mountpoint '/%s'", dest);
	memcpy(path, dest, len + 1);
	for (char *p = path;;) {
		char *slash = strchr(p, '/');
		bool last = slash == NULL;
		if (slash)
			*slash = '\0';
		if (lstat(path, &st) == 0) {
			if (S_ISLNK(st.st_mode))
				return hull_fail(err, ELOOP, "cannot use mountpoint '/%s'", dest);
		} else if (errno != ENOENT) {
			return hull_fail(err, errno, "cannot use mountpoint '/%s'", dest);
		} else if (last && as_file) {
			int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
			if (fd < 0)
				return hull_fail(err, errno, "cannot create mountpoint '/%s'",
						 dest);
			close(fd);
		} else if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			return hull_fail(err, errno, "cannot create mountpoint '/%s'", dest);
		}
		if (last)
			return 0;
		*slash = '/';
		p = slash + 1;
	}
}

static int bind_one(const struct hull_mount *m, struct hull_err *err)
{
	struct stat st;
	int ret;
	unsigned long extra = m->flags & ~(MS_BIND | MS_REC);

	if (stat(m->source, &st) < 0)
		return hull_fail(err, errno, "cannot bind '%s'", m->source);
	if ((ret = make_dest(m->dest, !S_ISDIR(st.st_mode), err)) < 0)
		return ret;
	if (mount(m->source, m->dest, NULL, MS_BIND | (m->flags & MS_REC), m->data) < 0)
		return hull_fail(err, errno, "cannot bind '%s' onto '/%s'", m->source, m->dest);
	/* A bind ignores every other flag until it is remounted. */
	if (extra && mount(NULL, m->dest, NULL,
			   MS_BIND | MS_REMOUNT | extra | hull_locked_flags(m->dest), NULL) < 0)
		return hull_fail(err, errno, "cannot remount '/%s'", m->dest);
	return 0;
}

static int mount_one(const struct hull_mount *m, struct hull_err *err)
{
	int ret;

	if (m->flags & MS_BIND) {
		ret = bind_one(m, err);
	} else {
		ret = make_dest(m->dest, false, err);
		if (ret == 0 &&
		    mount(m->source ? m->source : m->type, m->dest, m->type, m->flags, m->data) < 0)
			ret = hull_fail(err, errno, "cannot mount %s on '/%s'", m->type, m->dest);
	}
	if (ret == 0 && m->propagation && mount(NULL, m->dest, NULL, m->propagation, NULL) < 0)
		ret = hull_fail(err, errno, "cannot set the propagation of '/%s'", m->dest);
	return ret;
}

int hull_mounts_apply(const struct hull_mount *mounts, size_t n, struct hull_err *err)
{
	for (size_t i = 0; i < n; i++) {
		int ret = mount_one(&mounts[i], err);
		if (ret < 0)
			return ret;
	}
	return 0;
}
