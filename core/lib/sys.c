/* sys.c — raw system call wrappers; see sys.h. */
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

#if defined(__SANITIZE_ADDRESS__)
#define HULL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HULL_ASAN 1
#endif
#endif
#ifdef HULL_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
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

/* The child's entry. Under AddressSanitizer (make sanitize) its state
 * is per thread, in the memory the child shares: the child tells it that
 * its stack moved (else every noreturn call warns of a stack switch on
 * the command's stderr), and the caller moves it back once it runs again. */
struct clone_vfork_call {
	int (*fn)(void *);
	void *arg;
	char *stack;
	bool switched;
	void *fake_stack;
	const void *caller_bottom;
	size_t caller_size;
};

static int clone_vfork_entry(void *p)
{
	struct clone_vfork_call *c = p;
#ifdef HULL_ASAN
	__sanitizer_start_switch_fiber(&c->fake_stack, c->stack + CHILD_STACK_GUARD,
				       CHILD_STACK_SIZE);
	__sanitizer_finish_switch_fiber(NULL, &c->caller_bottom, &c->caller_size);
	c->switched = true;
#endif
	return c->fn(c->arg);
}

static void clone_vfork_return(struct clone_vfork_call *c)
{
#ifdef HULL_ASAN
	void *ignored;
	if (c->switched) {
		__sanitizer_start_switch_fiber(&ignored, c->caller_bottom, c->caller_size);
		__sanitizer_finish_switch_fiber(c->fake_stack, NULL, NULL);
	}
	/* Whatever the child's frames left poisoned there. */
	ASAN_UNPOISON_MEMORY_REGION(c->stack + CHILD_STACK_GUARD, CHILD_STACK_SIZE);
#else
	(void)c;
#endif
}

/* HULL_SHARED_SLEEP: until the child's exec or end closes its copy of
 * hup_w (O_CLOEXEC), which only then leaves hup_r without a writer. The
 * child runs meanwhile in this memory and on this thread's TLS, so the
 * wait is raw system calls that cannot fail (every signal blocked for the
 * ppoll, events 0: only the hang-up wakes it) and write nothing the child
 * reads, errno included. */
static void wait_until_child_lets_go(int hup_r, int hup_w)
{
	struct pollfd pfd = { .fd = hup_r, .events = 0 };
	uint64_t all = ~(uint64_t)0;

	syscall(SYS_close, hup_w);
	while (!(pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
		syscall(SYS_ppoll, &pfd, 1, NULL, &all, sizeof(all));
	syscall(SYS_close, hup_r);
}

/* The stack of a HULL_SHARED_VFORK child: static, in hull's .bss. A
 * fresh mapping costs more than its size suggests on a VM: its first touch
 * builds a page table of its own (40-80 us here, against ~13 us for a
 * page in a 2 MiB range already in use), and its munmap tears it down.
 * The guard page below is made once per process. One caller at a time
 * (a second one, or a failed guard, maps its own); not under
 * AddressSanitizer, whose leak check reads all of .bss, guard included. A
 * HULL_SHARED_SLEEP child (a pool slot) keeps a mapping: it lives long,
 * and its keeper lets go of the slot's memory after the exec (POOL.md). */
#ifndef HULL_ASAN
static char static_stack[CHILD_STACK_GUARD + CHILD_STACK_SIZE]
	__attribute__((aligned(CHILD_STACK_GUARD)));
enum { STACK_UNGUARDED, STACK_FREE, STACK_BUSY };
static int static_stack_state = STACK_UNGUARDED;

static char *static_stack_take(void)
{
	int was = __atomic_exchange_n(&static_stack_state, STACK_BUSY, __ATOMIC_ACQUIRE);

	if (was == STACK_FREE)
		return static_stack;
	if (was == STACK_UNGUARDED && mprotect(static_stack, CHILD_STACK_GUARD, PROT_NONE) == 0)
		return static_stack;
	/* Busy (its caller gives it back), or no guard could be made (then
	 * it stays busy: never used without one). */
	return NULL;
}

static void static_stack_give_back(void)
{
	__atomic_store_n(&static_stack_state, STACK_FREE, __ATOMIC_RELEASE);
}
#else
static char *static_stack_take(void)
{
	return NULL;
}
static void static_stack_give_back(void)
{
}
#endif

static char *stack_map(size_t len)
{
	char *stack = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return NULL;
	if (mprotect(stack + CHILD_STACK_GUARD, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE) < 0) {
		int saved = errno;
		munmap(stack, len);
		errno = saved;
		return NULL;
	}
	return stack;
}

pid_t hull_sys_clone_vfork(int (*fn)(void *), void *arg, uint64_t flags, enum hull_shared_wait wait)
{
	size_t len = CHILD_STACK_SIZE + CHILD_STACK_GUARD;
	int hup[2] = { -1, -1 };
	if (flags > 0xffffffffULL || (flags & CSIGNAL)) {
		errno = EINVAL;
		return -1;
	}
	char *stack = wait == HULL_SHARED_VFORK ? static_stack_take() : NULL;
	bool is_static = stack != NULL;
	if (!stack && !(stack = stack_map(len)))
		return -1;
	if (wait == HULL_SHARED_SLEEP && pipe2(hup, O_CLOEXEC) < 0) {
		int saved = errno;
		munmap(stack, len);
		errno = saved;
		return -1;
	}
	struct clone_vfork_call call = { .fn = fn, .arg = arg, .stack = stack };
	int suspend = wait == HULL_SHARED_SLEEP ? 0 : CLONE_VFORK;
	pid_t pid = clone(clone_vfork_entry, stack + len, (int)flags | CLONE_VM | suspend | SIGCHLD,
			  &call);
	int saved = errno;
	if (wait == HULL_SHARED_SLEEP) {
		if (pid > 0)
			wait_until_child_lets_go(hup[0], hup[1]);
		else {
			close(hup[0]);
			close(hup[1]);
		}
	}
	clone_vfork_return(&call);
	if (is_static)
		static_stack_give_back();
	else
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
