/* mounts.c — the probe's mount looks: its mount table, the entries of its
 * root, and the mount test (a tmpfs left mounted, for the host to look for
 * in its own table: propagation). */
#include "jsonw.h"
#include "probe.h"

#include <dirent.h>
#include <errno.h>
#include <linux/limits.h> /* PATH_MAX */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* mountinfo: "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw" */
void emit_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];
	int n = 0;

	open_obj("mounts");
	kbool("readable", f != NULL);
	open_arr("list");
	while (f && fgets(line, sizeof(line), f)) {
		char *fields[16], *save = NULL, *tok;
		int nf = 0;
		char opt[128] = "";
		const char *fs = "", *src = "";

		for (tok = strtok_r(line, " \n", &save); tok && nf < 16;
		     tok = strtok_r(NULL, " \n", &save))
			fields[nf++] = tok;
		if (nf < 7)
			continue;
		int i = 6;
		for (; i < nf && strcmp(fields[i], "-") != 0; i++) {
			if (opt[0])
				strncat(opt, " ", sizeof(opt) - strlen(opt) - 1);
			strncat(opt, fields[i], sizeof(opt) - strlen(opt) - 1);
		}
		if (i + 2 < nf) {
			fs = fields[i + 1];
			src = fields[i + 2];
		}
		if (n++ >= MAX_MOUNTS)
			continue;
		open_obj(NULL);
		kint("id", atoll(fields[0]));
		kint("parent", atoll(fields[1]));
		kstr("root", fields[3]);
		kstr("mnt", fields[4]);
		kstr("opt", opt);
		kstr("src", src);
		kstr("fs", fs);
		close_obj();
	}
	close_arr();
	kint("n", n);
	close_obj();
	if (f)
		fclose(f);
}

void emit_entries(const char *k, const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;

	open_arr(k);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) && n < MAX_ENTRIES) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			sep();
			jstr(e->d_name);
			n++;
		}
		closedir(d);
	}
	close_arr();
}

void emit_root(void)
{
	open_obj("root");
	emit_entries("entries", "/");
	kbool("rootfs_marker", access("/etc/hull-rootfs", F_OK) == 0);
	close_obj();
}

/* Mount a tmpfs named after the token and leave it: the host checks its own
 * mount table for it after the container is gone. */
void emit_mount_test(const struct opts *o)
{
	char dir[PATH_MAX];
	int e = 0;

	open_obj("mount_test");
	kstr("name", o->mount_test);
	if (!o->mount_test) {
		knull("dir");
		kbool("ok", false);
		kstr("errno", "");
		close_obj();
		return;
	}
	snprintf(dir, sizeof(dir), "%s/%s", access("/tmp", W_OK) == 0 ? "/tmp" : "", o->mount_test);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		e = errno;
	else if (mount(o->mount_test, dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k") <
		 0)
		e = errno;
	kstr("dir", dir);
	kbool("ok", e == 0);
	kerr("errno", e);
	close_obj();
}
