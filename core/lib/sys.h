/* sys.h — thin wrappers for the system calls glibc does not wrap (clone3,
 * pivot_root, pidfd_open) and for the vfork-style clone. They live in one
 * translation unit so unit tests can replace them with -Wl,--wrap=<name>. */
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
/* A child that shares the caller's memory, the caller suspended until the
 * child execs or exits (CLONE_VM | CLONE_VFORK): no address space is
 * copied at the clone and none torn down at the exec. fn(arg) runs on a
 * stack of its own (mapped here, with a guard page below it, and unmapped
 * once the caller runs again) and must end in execve or _exit; it may not
 * return into anything of the caller's. flags are namespace flags of
 * legacy clone's 32 bits: no CLONE_NEWTIME (its bit is CSIGNAL's there),
 * no CLONE_INTO_CGROUP. Only for a single-threaded caller: its other
 * threads would run on in the memory the child uses. Returns the child's
 * pid, or -1 with errno.
 *
 * How the caller waits: HULL_SHARED_VFORK suspends it in the kernel's
 * vfork wait, the cheapest, but a killable uninterruptible sleep ("D",
 * counted in the load average). HULL_SHARED_SLEEP is for a child that may
 * take long to exec (a pool slot waits for its request): the clone has no
 * CLONE_VFORK and the caller sleeps interruptibly ("S", not counted) in a
 * ppoll until the child's exec or end closes a close-on-exec pipe that
 * only the child still holds; the child must not close fds it did not
 * open (close_range with CLOSE_RANGE_CLOEXEC is fine). */
enum hull_shared_wait { HULL_SHARED_VFORK, HULL_SHARED_SLEEP };
pid_t hull_sys_clone_vfork(int (*fn)(void *), void *arg, uint64_t flags,
			   enum hull_shared_wait wait);
int hull_sys_pivot_root(const char *new_root, const char *put_old);
/* A pidfd (O_CLOEXEC by the kernel) for pid, which need not be a child. */
int hull_sys_pidfd_open(pid_t pid, unsigned int flags);

#endif
