/* namespaces.c — the probe's namespace looks: the identity (st_dev,
 * st_ino) of each of its namespaces, for the host to compare with its own,
 * and the pids /proc shows (the pid namespace as seen from inside). */
#include "jsonw.h"
#include "probe.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PIDFS_IOCTL_MAGIC
#define PIDFS_IOCTL_MAGIC 0xFF
#endif

/* The namespaces in the order of core/ns.h's table, with the pidfd ioctl
 * that returns an fd for each (linux/pidfd.h, 6.11). The probe is a
 * standalone static program, so it spells them out. */
static const struct {
	const char *name;
	unsigned long ioctl;
} namespaces[] = {
	{ "mnt", _IO(PIDFS_IOCTL_MAGIC, 3) },	 { "uts", _IO(PIDFS_IOCTL_MAGIC, 10) },
	{ "pid", _IO(PIDFS_IOCTL_MAGIC, 5) },	 { "ipc", _IO(PIDFS_IOCTL_MAGIC, 2) },
	{ "net", _IO(PIDFS_IOCTL_MAGIC, 4) },	 { "user", _IO(PIDFS_IOCTL_MAGIC, 9) },
	{ "cgroup", _IO(PIDFS_IOCTL_MAGIC, 1) }, { "time", _IO(PIDFS_IOCTL_MAGIC, 7) },
};

void emit_ns(void)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);

	open_obj("ns");
	for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
		struct stat st;
		const char *via = "pidfd";
		int fd = pidfd >= 0 ? ioctl(pidfd, namespaces[i].ioctl, 0) : -1;
		int ok;

		if (fd >= 0) {
			ok = fstat(fd, &st) == 0;
			close(fd);
		} else {
			char path[64];
			snprintf(path, sizeof(path), "/proc/self/ns/%s", namespaces[i].name);
			via = "proc";
			ok = stat(path, &st) == 0;
		}
		if (!ok) {
			knull(namespaces[i].name);
			continue;
		}
		open_obj(namespaces[i].name);
		kint("ino", (long long)st.st_ino);
		kint("dev", (long long)st.st_dev);
		kstr("via", via);
		close_obj();
	}
	close_obj();
	if (pidfd >= 0)
		close(pidfd);
}

void emit_proc(void)
{
	DIR *d = opendir("/proc");
	struct stat st;
	int n = 0;
	bool mounted = stat("/proc/self/stat", &st) == 0;

	open_obj("proc");
	kbool("mounted", mounted);
	open_arr("pids");
	if (d && mounted) {
		struct dirent *e;
		while ((e = readdir(d))) {
			char *end;
			long pid = strtol(e->d_name, &end, 10);
			if (*end || pid <= 0)
				continue;
			if (n < MAX_PIDS) {
				sep();
				printf("%ld", pid);
			}
			n++;
		}
	}
	close_arr();
	kint("n_pids", n);
	kbool("truncated", n > MAX_PIDS);
	close_obj();
	if (d)
		closedir(d);
}
