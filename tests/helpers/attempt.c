/* attempt.c — hull-attempt: a static test tool installed in the default
 * rootfs. Each argument names one thing a contained process should not be
 * able to do (or a fact to read); it tries it with harmless arguments and
 * prints "<action> ok" or "<action> <ERRNO NAME>", one line each, so the e2e
 * tests can assert what the security profile lets through.
 *
 *   mount umount pivot_root kexec_load init_module finit_module delete_module
 *   reboot bpf keyctl add_key perf_event_open userfaultfd io_uring swapon
 *   unshare_user clone_user setns tiocsti mknod_blk mknod_chr mknod_fifo
 *   sethostname clock_settime ptrace:PID kill:PID write:PATH read:PATH
 *   open_exe_w (every /proc/<pid>/exe for writing) euid
 *   chroot_escape:MARKER (mkdir+chroot, chdir .. many times, chroot ".",
 *                         then look for MARKER: "escaped" or "contained") */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static void say(const char *action, long ret)
{
	if (ret < 0)
		printf("%s %s\n", action, strerrorname_np(errno));
	else
		printf("%s ok\n", action);
}

static long clone_user(void)
{
	long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid;
}

static void open_exe_for_write(void)
{
	DIR *d = opendir("/proc");
	int opened = 0, tried = 0;
	for (struct dirent *e; d && (e = readdir(d));) {
		char path[300];
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/exe", e->d_name);
		tried++;
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			opened++;
			close(fd);
		}
	}
	if (d)
		closedir(d);
	printf("open_exe_w %s (%d tried)\n", opened ? "opened" : "refused", tried);
}

static void chroot_escape(const char *marker)
{
	/* The classic: chroot into a subdirectory without chdir, so the cwd is
	 * outside the new root, then walk up and chroot there. */
	mkdir("/tmp/.hull-escape", 0700);
	if (chroot("/tmp/.hull-escape") < 0) {
		printf("chroot_escape %s\n", strerrorname_np(errno));
		return;
	}
	for (int i = 0; i < 256; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") < 0) {
		printf("chroot_escape %s\n", strerrorname_np(errno));
		return;
	}
	printf("chroot_escape %s\n", access(marker, F_OK) == 0 ? "escaped" : "contained");
}

static void attempt(const char *a)
{
	const char *arg = strchr(a, ':') ? strchr(a, ':') + 1 : "";
	char name[64];
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(a, ":"), a);

	if (!strcmp(name, "mount"))
		say(a, mount("none", "/tmp", "tmpfs", 0, NULL));
	else if (!strcmp(name, "umount"))
		say(a, umount2("/proc", MNT_DETACH));
	else if (!strcmp(name, "pivot_root"))
		say(a, syscall(SYS_pivot_root, ".", "."));
	else if (!strcmp(name, "kexec_load"))
		say(a, syscall(SYS_kexec_load, 0, 0, NULL, 0));
	else if (!strcmp(name, "init_module"))
		say(a, syscall(SYS_init_module, NULL, 0, ""));
	else if (!strcmp(name, "finit_module"))
		say(a, syscall(SYS_finit_module, -1, "", 0));
	else if (!strcmp(name, "delete_module"))
		say(a, syscall(SYS_delete_module, "hull_nonexistent", 0));
	else if (!strcmp(name, "reboot"))
		say(a, syscall(SYS_reboot, 0, 0, 0, NULL)); /* bad magic: harmless */
	else if (!strcmp(name, "bpf"))
		say(a, syscall(SYS_bpf, -1, NULL, 0));
	else if (!strcmp(name, "keyctl"))
		say(a, syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3, 0));
	else if (!strcmp(name, "add_key"))
		say(a, syscall(SYS_add_key, "user", "hull", "x", 1, -3));
	else if (!strcmp(name, "perf_event_open"))
		say(a, syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
	else if (!strcmp(name, "userfaultfd"))
		say(a, syscall(SYS_userfaultfd, 0));
	else if (!strcmp(name, "io_uring"))
		say(a, syscall(SYS_io_uring_setup, 1, NULL));
	else if (!strcmp(name, "swapon"))
		say(a, syscall(SYS_swapon, "/nonexistent", 0));
	else if (!strcmp(name, "unshare_user"))
		say(a, unshare(CLONE_NEWUSER));
	else if (!strcmp(name, "clone_user"))
		say(a, clone_user());
	else if (!strcmp(name, "setns"))
		say(a, setns(-1, 0));
	else if (!strcmp(name, "tiocsti")) {
		char c = 'x';
		say(a, ioctl(0, TIOCSTI, &c));
	} else if (!strcmp(name, "mknod_blk")) {
		long r = mknod("/tmp/.hull-blk", S_IFBLK | 0600, makedev(7, 0));
		say(a, r);
		unlink("/tmp/.hull-blk");
	} else if (!strcmp(name, "mknod_chr")) {
		long r = mknod("/tmp/.hull-chr", S_IFCHR | 0600, makedev(1, 1));
		say(a, r);
		unlink("/tmp/.hull-chr");
	} else if (!strcmp(name, "mknod_fifo")) {
		long r = mknod("/tmp/.hull-fifo", S_IFIFO | 0600, 0);
		say(a, r);
		unlink("/tmp/.hull-fifo");
	} else if (!strcmp(name, "sethostname"))
		say(a, sethostname("hull-attempt", 12));
	else if (!strcmp(name, "clock_settime")) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		say(a, clock_settime(CLOCK_REALTIME, &ts));
	} else if (!strcmp(name, "ptrace"))
		say(a, ptrace(PTRACE_ATTACH, (pid_t)atoi(arg), NULL, NULL));
	else if (!strcmp(name, "kill"))
		say(a, kill((pid_t)atoi(arg), 0));
	else if (!strcmp(name, "write")) {
		int fd = open(arg, O_WRONLY | O_CLOEXEC);
		long r = fd < 0 ? -1 : write(fd, "hull", 4);
		say(a, r);
		if (fd >= 0)
			close(fd);
	} else if (!strcmp(name, "read")) {
		char buf[4096];
		int fd = open(arg, O_RDONLY | O_CLOEXEC);
		long r = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
		if (r >= 0)
			printf("%s %ld bytes\n", a, r);
		else
			say(a, r);
		if (fd >= 0)
			close(fd);
	} else if (!strcmp(name, "open_exe_w"))
		open_exe_for_write();
	else if (!strcmp(name, "euid"))
		printf("euid %d\n", (int)geteuid());
	else if (!strcmp(name, "chroot_escape"))
		chroot_escape(arg);
	else
		printf("%s unknown\n", a);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		attempt(argv[i]);
	return 0;
}
