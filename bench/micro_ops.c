/* micro_ops.c — the steps of a container start, each timed alone in a fresh
 * child; see micro_ops.h. */
#include "micro_ops.h"
#include "sys.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the child sends back: the time, or the errno of the failed step and
 * which step it was. */
struct reply {
	int64_t ns;
	int err;
	char step[32];
};

static int step_fail(struct reply *r, const char *step)
{
	r->err = errno ? errno : EINVAL;
	snprintf(r->step, sizeof(r->step), "%s", step);
	return -1;
}

static int child_op(enum hull_micro_op op, uint64_t arg, const char *rootfs, struct reply *r)
{
	uint64_t t0, t1;

	switch (op) {
	case HULL_MICRO_UNSHARE:
		t0 = hull_now_ns();
		if (unshare((int)arg) < 0)
			return step_fail(r, "unshare");
		t1 = hull_now_ns();
		break;
	case HULL_MICRO_CLONE3: {
		struct hull_clone_args ca = { .flags = arg, .exit_signal = SIGCHLD };
		t0 = hull_now_ns();
		pid_t pid = hull_sys_clone3(&ca);
		if (pid == 0)
			_exit(0);
		t1 = hull_now_ns();
		if (pid < 0)
			return step_fail(r, "clone3");
		waitpid(pid, NULL, 0);
		break;
	}
	case HULL_MICRO_PIVOT_ROOT:
		if (unshare(CLONE_NEWNS) < 0)
			return step_fail(r, "unshare");
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return step_fail(r, "make-private");
		if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0 || chdir(rootfs) < 0)
			return step_fail(r, "bind");
		t0 = hull_now_ns();
		if (hull_sys_pivot_root(".", ".") < 0)
			return step_fail(r, "pivot_root");
		if (umount2(".", MNT_DETACH) < 0)
			return step_fail(r, "umount2");
		t1 = hull_now_ns();
		break;
	case HULL_MICRO_MOUNT_PROC: {
		/* proc of a new pid namespace, as a container gets it: the
		 * mount happens in a child of the unshare. */
		if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0)
			return step_fail(r, "unshare");
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return step_fail(r, "make-private");
		int p[2];
		if (pipe(p) < 0)
			return step_fail(r, "pipe");
		pid_t pid = fork();
		if (pid < 0)
			return step_fail(r, "fork");
		if (pid == 0) {
			struct reply in = { 0 };
			char dir[4096];
			snprintf(dir, sizeof(dir), "%s/proc", rootfs);
			uint64_t a = hull_now_ns();
			if (mount("proc", dir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
				step_fail(&in, "mount");
			in.ns = (int64_t)(hull_now_ns() - a);
			(void)!write(p[1], &in, sizeof(in));
			_exit(0);
		}
		close(p[1]);
		ssize_t n = read(p[0], r, sizeof(*r));
		close(p[0]);
		waitpid(pid, NULL, 0);
		if (n != (ssize_t)sizeof(*r))
			return step_fail(r, "read");
		return r->err ? -1 : 0;
	}
	case HULL_MICRO_SETHOSTNAME:
		if (unshare(CLONE_NEWUTS) < 0)
			return step_fail(r, "unshare");
		t0 = hull_now_ns();
		if (sethostname("hull", 4) < 0)
			return step_fail(r, "sethostname");
		t1 = hull_now_ns();
		break;
	case HULL_MICRO_PAGE_FAULT: {
		enum { PAGES = 64 };
		long page = sysconf(_SC_PAGESIZE);
		volatile char *m = mmap(NULL, (size_t)(PAGES * page), PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return step_fail(r, "mmap");
		t0 = hull_now_ns();
		for (long i = 0; i < PAGES; i++)
			m[i * page] = 1;
		t1 = hull_now_ns();
		r->ns = (int64_t)(t1 - t0) / PAGES;
		return 0;
	}
	case HULL_MICRO_SYSCALL: {
		enum { CALLS = 256 };
		t0 = hull_now_ns();
		for (int i = 0; i < CALLS; i++)
			syscall(SYS_getppid);
		t1 = hull_now_ns();
		r->ns = (int64_t)(t1 - t0) / CALLS;
		return 0;
	}
	case HULL_MICRO_FORK:
	case HULL_MICRO_VFORK: {
		t0 = hull_now_ns();
		pid_t pid = op == HULL_MICRO_FORK ? fork() : vfork();
		if (pid == 0)
			_exit(0);
		if (pid < 0)
			return step_fail(r, "fork");
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		t1 = hull_now_ns();
		break;
	}
	default:
		errno = EINVAL;
		return step_fail(r, "op");
	}
	r->ns = (int64_t)(t1 - t0);
	return 0;
}

int64_t hull_micro_run(enum hull_micro_op op, uint64_t arg, const char *rootfs, char *why,
		       unsigned long why_len)
{
	struct reply r = { 0 };
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(why, why_len, "cannot create a pipe: %s", strerror(errno));
		return -errno;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		snprintf(why, why_len, "cannot fork: %s", strerror(e));
		return -e;
	}
	if (pid == 0) {
		close(p[0]);
		child_op(op, arg, rootfs, &r);
		(void)!write(p[1], &r, sizeof(r));
		_exit(0);
	}
	close(p[1]);
	ssize_t n;
	while ((n = read(p[0], &r, sizeof(r))) < 0 && errno == EINTR)
		;
	close(p[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(r)) {
		snprintf(why, why_len, "the measuring child died");
		return -EPROTO;
	}
	if (r.err) {
		snprintf(why, why_len, "%s: %s", r.step, strerror(r.err));
		return -r.err;
	}
	return r.ns;
}
