/* sys.h — thin wrappers for the system calls glibc does not wrap (clone3,
 * pivot_root, pidfd_open). They live in one translation unit so unit
 * tests can replace them with -Wl,--wrap=<name>. */
#ifndef HULL_SYS_H
#define HULL_SYS_H

#include <stdint.h>
#include <sys/types.h>

/* struct clone_args of <linux/sched.h>, spelled out so we need no kernel
 * header that clashes with glibc's <sched.h>. */
struct hull_clone_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
	uint64_t cgroup;
};

#define HULL_CLONE_INTO_CGROUP 0x200000000ULL

/* fork()-like clone3: no new stack, returns 0 in the child. */
pid_t hull_sys_clone3(struct hull_clone_args *args);
int hull_sys_pivot_root(const char *new_root, const char *put_old);
/* A pidfd (O_CLOEXEC by the kernel) for pid, which need not be a child. */
int hull_sys_pidfd_open(pid_t pid, unsigned int flags);

#endif
