/* signal_reset.c — see signal_reset.h. */
#include "signal_reset.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's struct sigaction (x86, arm, arm64, riscv, powerpc, s390:
 * the handler comes first). All zero is SIG_DFL with no flags. */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask[2];
};

/* glibc refuses its own two internal signals (32, 33), yet a caller can
 * hand them down ignored (seen under make): ask the kernel directly. */
static void default_if_ignored_raw(int sig)
{
	struct kernel_sigaction old = { 0 }, dfl = { 0 };

	if (syscall(SYS_rt_sigaction, sig, NULL, &old, (size_t)(_NSIG / 8)) == 0 &&
	    old.handler == SIG_IGN)
		syscall(SYS_rt_sigaction, sig, &dfl, NULL, (size_t)(_NSIG / 8));
}

void hull_signals_default(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	/* Only the ignored ones need a second call (execve resets handlers). */
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction old;
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, NULL, &old) < 0) {
			if (errno == EINVAL)
				default_if_ignored_raw(sig);
			continue;
		}
		if (old.sa_handler == SIG_IGN)
			sigaction(sig, &dfl, NULL);
	}
}

static bool ignored_raw(int sig)
{
	struct kernel_sigaction old = { 0 };

	return syscall(SYS_rt_sigaction, sig, NULL, &old, (size_t)(_NSIG / 8)) == 0 &&
	       old.handler == SIG_IGN;
}

uint64_t hull_signals_ignored(void)
{
	uint64_t ignored = 0;

	for (int sig = 1; sig < NSIG && sig <= 64; sig++) {
		struct sigaction old;
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, NULL, &old) == 0 ? old.sa_handler == SIG_IGN
						    : errno == EINVAL && ignored_raw(sig))
			ignored |= 1ull << (sig - 1);
	}
	return ignored;
}

void hull_signals_default_these(uint64_t ignored)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct kernel_sigaction kdfl = { 0 };

	for (int sig = 1; ignored && sig <= 64; sig++) {
		if (!(ignored & (1ull << (sig - 1))))
			continue;
		ignored &= ~(1ull << (sig - 1));
		if (sigaction(sig, &dfl, NULL) < 0 && errno == EINVAL)
			syscall(SYS_rt_sigaction, sig, &kdfl, NULL, (size_t)(_NSIG / 8));
	}
}

void hull_signals_unblock_all(void)
{
	sigset_t empty;

	sigemptyset(&empty);
	sigprocmask(SIG_SETMASK, &empty, NULL);
}
