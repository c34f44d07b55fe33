/* escape.c — the probe's looks for a way out of its root: is the host's
 * marker file reachable at its host path or through /proc/<pid>/root of a
 * process outside the container, and does the classic chroot escape work.
 * The escape changes the root, so main.c does it last. */
#include "jsonw.h"
#include "probe.h"

#include <dirent.h>
#include <errno.h>
#include <linux/limits.h> /* PATH_MAX */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A process outside the container's root, seen in /proc, is a way out:
 * /proc/<pid>/root is its root directory for whoever may ptrace-read it.
 * Returns the first pid through which the marker is reachable, or 0 with
 * *e the errno of the last attempt. */
static long marker_via_proc(const char *marker, int *e)
{
	DIR *d = opendir("/proc");
	struct dirent *ent;
	long self = getpid(), found = 0;
	int tries = 0;
	char path[PATH_MAX];

	*e = ENOENT;
	if (!d)
		return 0;
	while (!found && (ent = readdir(d)) && tries < 4096) {
		char *end;
		long pid = strtol(ent->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue;
		tries++;
		snprintf(path, sizeof(path), "/proc/%ld/root%s", pid, marker);
		if (access(path, F_OK) == 0)
			found = pid;
		else if (*e != EACCES || errno != ENOENT)
			*e = errno; /* report the most telling failure */
	}
	closedir(d);
	if (found)
		*e = 0;
	return found;
}

void emit_marker(const struct opts *o)
{
	open_obj("marker");
	kstr("path", o->marker);
	if (o->marker) {
		int e1 = access(o->marker, F_OK) == 0 ? 0 : errno, e2;
		long pid = marker_via_proc(o->marker, &e2);
		kbool("reachable", e1 == 0);
		kerr("errno", e1);
		kbool("via_proc_root", pid > 0);
		kint("proc_root_pid", pid);
		char comm[64] = "", *c = NULL;
		if (pid > 0) {
			snprintf(comm, sizeof(comm), "/proc/%ld/comm", pid);
			c = slurp(comm);
			if (c)
				c[strcspn(c, "\n")] = '\0';
		}
		kstr("proc_root_comm", c);
		kerr("proc_root_errno", e2);
	} else {
		kbool("reachable", false);
		kstr("errno", "");
		kbool("via_proc_root", false);
		kint("proc_root_pid", 0);
		knull("proc_root_comm");
		kstr("proc_root_errno", "");
	}
	close_obj();
}

/* The escape is only judged by what becomes visible, so it needs a sign of
 * the host: the marker when given, else "the old / had /etc/hull-rootfs and
 * the new one does not". */
void emit_escape(const struct opts *o)
{
	int e = 0;
	bool chrooted = false, escaped = false;

	open_obj("escape");
	kbool("attempted", o->escape);
	if (!o->escape) {
		kbool("chroot", false);
		kbool("escaped", false);
		kstr("errno", "");
		open_arr("entries");
		close_arr();
		close_obj();
		return;
	}
	/* Any subdirectory will do; /etc exists in every rootfs and needs no
	 * write access (mkdir of a new one fails on read-only roots). The cwd
	 * stays at the old root, outside the new one, so ".." climbs on. */
	bool had_rootfs = access("/etc/hull-rootfs", F_OK) == 0;
	if (chdir("/") < 0 || chroot("/etc") < 0) {
		e = errno;
	} else {
		chrooted = true;
		for (int i = 0; i < ESCAPE_STEPS; i++)
			if (chdir("..") < 0)
				break;
		if (chroot(".") < 0)
			e = errno;
		else if (o->marker)
			escaped = access(o->marker, F_OK) == 0;
		else
			escaped = had_rootfs && access("/etc/hull-rootfs", F_OK) != 0;
	}
	kbool("chroot", chrooted);
	kbool("escaped", escaped);
	kerr("errno", e);
	emit_entries("entries", chrooted ? "/" : "/nonexistent");
	close_obj();
}
