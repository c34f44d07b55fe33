/* floor.c — hull-floor: the kernel's price for a container start.
 *
 *   hull-floor [--ns LIST] [--chroot] [--hostname NAME] [--no-proc] ROOTFS CMD...
 *
 * Only the system calls the isolation needs, in one straight line and with
 * no synchronisation, no /dev, no signal forwarding and no error report
 * channel: a vfork-style clone with the namespace flags (the child shares
 * the parent's memory, the parent suspended until the child execs: no
 * address space is copied at the clone nor torn down at the exec; hull's
 * default start does the same, core/README.md says why; a time namespace,
 * which legacy clone has no bit for, takes clone3); in the child (user namespace:
 * map root to itself) private propagation, bind the rootfs onto itself,
 * mount /proc, pivot_root (or chroot), sethostname, exec; in the parent
 * wait. Whatever a runtime takes beyond this program is the runtime's own
 * overhead; `hull-harness latency` reports every runtime as a ratio to it.
 *
 * Without a mount namespace it chroots and mounts nothing (a mount would be
 * the host's), like hull. Exit status: the command's, 128+N for signal N,
 * 125 when a step failed (one line on stderr says which). */
#include "ns.h"
#include "sys.h"

#include <sched.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* struct clone_args (linux/sched.h), version 0 */
struct floor_clone_args {
	unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

struct floor_opts {
	uint64_t ns;
	int chroot;
	int proc;
	const char *hostname;
	const char *rootfs;
	char **cmd;
};

static __attribute__((noreturn)) void die(const char *what, const char *obj)
{
	int e = errno;
	fprintf(stderr, "hull-floor: cannot %s '%s': %s\n", what, obj, strerror(e));
	_exit(125);
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, s, strlen(s)) < 0)
		die("write", path);
	close(fd);
}

static __attribute__((noreturn)) void child(const struct floor_opts *o)
{
	if (o->ns & CLONE_NEWUSER) {
		/* A process may map its own euid in a user namespace it owns;
		 * no parent round trip needed. */
		write_file("/proc/self/setgroups", "deny");
		write_file("/proc/self/uid_map", "0 0 1");
		write_file("/proc/self/gid_map", "0 0 1");
	}
	if (o->ns & CLONE_NEWNS) {
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			die("make mounts private on", "/");
		if (!o->chroot && mount(o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
			die("bind rootfs", o->rootfs);
	}
	if (chdir(o->rootfs) < 0)
		die("enter rootfs", o->rootfs);
	/* /proc before the root switch: in a user namespace the kernel only
	 * allows a new proc mount while a fully visible one is still in the
	 * mount namespace (hull does the same). */
	if ((o->ns & CLONE_NEWNS) && o->proc &&
	    mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die("mount proc on", "/proc");
	if ((o->ns & CLONE_NEWNS) && !o->chroot) {
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			die("pivot_root to", o->rootfs);
		if (umount2(".", MNT_DETACH) < 0)
			die("detach the old root of", o->rootfs);
	} else if (chroot(".") < 0) {
		die("chroot to", o->rootfs);
	}
	if (chdir("/") < 0)
		die("chdir to", "/");
	if ((o->ns & CLONE_NEWUTS) && sethostname(o->hostname, strlen(o->hostname)) < 0)
		die("set hostname", o->hostname);
	execvp(o->cmd[0], o->cmd);
	int e = errno;
	fprintf(stderr, "hull-floor: cannot execute '%s': %s\n", o->cmd[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

static int child_fn(void *o)
{
	child(o);
}

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " hull-floor [options] ROOTFS COMMAND [ARG...]\n"
	      "\n"
	      "Start COMMAND in ROOTFS with nothing but the system calls the\n"
	      "isolation needs: the kernel's floor for a container start.\n"
	      "\n"
	      "Options:\n"
	      "     --ns LIST          namespaces (default mnt,uts,pid,ipc,net)\n"
	      "     --chroot           chroot instead of bind + pivot_root\n"
	      "     --hostname NAME    hostname in the uts namespace (default hull)\n"
	      "     --no-proc          do not mount /proc\n"
	      " -h, --help             display this help\n",
	      out);
}

int main(int argc, char **argv)
{
	struct floor_opts o = { .ns = HULL_NS_DEFAULT, .proc = 1, .hostname = "hull" };
	struct hull_err err;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--ns") == 0 && i + 1 < argc) {
			if (hull_ns_parse_list(argv[++i], &o.ns, &err) < 0) {
				fprintf(stderr, "hull-floor: %s\n", err.msg);
				return 125;
			}
		} else if (strcmp(argv[i], "--hostname") == 0 && i + 1 < argc) {
			o.hostname = argv[++i];
		} else if (strcmp(argv[i], "--chroot") == 0) {
			o.chroot = 1;
		} else if (strcmp(argv[i], "--no-proc") == 0) {
			o.proc = 0;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			fprintf(stderr, "hull-floor: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 125;
		}
	}
	if (argc - i < 2) {
		usage(stderr);
		return 125;
	}
	o.rootfs = argv[i];
	o.cmd = argv + i + 1;

	pid_t pid;
	if (o.ns & CLONE_NEWTIME) {
		struct floor_clone_args args = { .flags = o.ns, .exit_signal = SIGCHLD };
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		if (pid == 0)
			child(&o);
	} else {
		pid = hull_sys_clone_vfork(child_fn, &o, o.ns, HULL_SHARED_VFORK);
	}
	if (pid < 0) {
		fprintf(stderr, "hull-floor: cannot clone: %s\n", strerror(errno));
		return 125;
	}

	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 125;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
