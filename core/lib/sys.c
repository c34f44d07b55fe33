/* sys.c — raw system call wrappers; see sys.h. */
#include "sys.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

pid_t hull_sys_clone3(struct hull_clone_args *args)
{
	return (pid_t)syscall(SYS_clone3, args, sizeof(*args));
}

/* Mapped, not touched: only the pages the child uses cost a fault. Deep
 * enough for the child's setup (PATH_MAX buffers, libcap, libseccomp and
 * execvp's path search); an overflow hits the guard page and kills the
 * child, never the caller's memory. */
#define CHILD_STACK_SIZE  (256 * 1024)
#define CHILD_STACK_GUARD 4096

pid_t hull_sys_clone_vfork(int (*fn)(void *), void *arg, uint64_t flags)
{
	size_t len = CHILD_STACK_SIZE + CHILD_STACK_GUARD;
	if (flags > 0xffffffffULL || (flags & CSIGNAL)) {
		errno = EINVAL;
		return -1;
	}
	char *stack = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -1;
	if (mprotect(stack + CHILD_STACK_GUARD, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE) < 0) {
		int saved = errno;
		munmap(stack, len);
		errno = saved;
		return -1;
	}
	pid_t pid = clone(fn, stack + len, (int)flags | CLONE_VM | CLONE_VFORK | SIGCHLD, arg);
	int saved = errno;
	munmap(stack, len);
	errno = saved;
	return pid;
}

int hull_sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

int hull_sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}
