/* sys.c — raw system call wrappers; see sys.h. */
#include "sys.h"

#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

pid_t hull_sys_clone3(struct hull_clone_args *args)
{
	return (pid_t)syscall(SYS_clone3, args, sizeof(*args));
}

int hull_sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

int hull_sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}
