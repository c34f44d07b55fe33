/* test_signal_reset.c — the command's signal state: whatever was ignored
 * or blocked before, every disposition is SIG_DFL and the mask is empty
 * after hull_signals_default and
 * hull_signals_unblock_all; handlers are left to execve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "signal_reset.h"

static void on_usr1(int sig)
{
	(void)sig;
}

/* glibc's internal signals (32, 33) only through the kernel's call. */
static void *raw_handler(int sig, void *set)
{
	unsigned long act[4] = { (unsigned long)set, 0, 0, 0 }, old[4] = { 0 };
	assert_int_equal(
		syscall(SYS_rt_sigaction, sig, set ? act : NULL, &old, (size_t)(_NSIG / 8)), 0);
	return (void *)old[0];
}

static void test_ignored_and_blocked_signals_are_reset(void **state)
{
	(void)state;
	const int ignored[] = { SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGPIPE, SIGRTMIN + 1 };
	struct sigaction ign = { .sa_handler = SIG_IGN }, handler = { .sa_handler = on_usr1 }, now;
	sigset_t block, mask;

	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		assert_int_equal(sigaction(ignored[i], &ign, NULL), 0);
	assert_int_equal(sigaction(SIGUSR1, &handler, NULL), 0);
	raw_handler(32, (void *)SIG_IGN);
	raw_handler(33, (void *)SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGRTMAX);
	assert_int_equal(sigprocmask(SIG_BLOCK, &block, NULL), 0);

	hull_signals_default();
	assert_int_equal(sigprocmask(SIG_SETMASK, NULL, &mask), 0);
	assert_true(sigismember(&mask, SIGUSR2) == 1); /* the mask is a step of its own */
	hull_signals_unblock_all();

	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		assert_int_equal(sigaction(ignored[i], NULL, &now), 0);
		assert_ptr_equal(now.sa_handler, SIG_DFL);
	}
	assert_ptr_equal(raw_handler(32, NULL), (void *)SIG_DFL);
	assert_ptr_equal(raw_handler(33, NULL), (void *)SIG_DFL);
	assert_int_equal(sigaction(SIGUSR1, NULL, &now), 0);
	assert_ptr_equal(now.sa_handler, on_usr1); /* execve resets it */
	assert_int_equal(sigprocmask(SIG_SETMASK, NULL, &mask), 0);
	for (int sig = 1; sig < NSIG; sig++)
		assert_false(sigismember(&mask, sig) == 1);
}

/* The two halves: the parent asks, the child resets what it was told. */
static void test_ignored_set_then_reset(void **state)
{
	(void)state;
	const int ignored[] = { SIGINT, SIGPIPE, SIGRTMIN + 1, 64 };
	struct sigaction ign = { .sa_handler = SIG_IGN }, handler = { .sa_handler = on_usr1 }, now;
	uint64_t want = 1ull << (32 - 1);

	hull_signals_default(); /* whatever the runner left */
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		assert_int_equal(sigaction(ignored[i], &ign, NULL), 0);
		want |= 1ull << (ignored[i] - 1);
	}
	assert_int_equal(sigaction(SIGUSR1, &handler, NULL), 0);
	raw_handler(32, (void *)SIG_IGN);

	assert_true(hull_signals_ignored() == want);
	hull_signals_default_these(want);
	assert_true(hull_signals_ignored() == 0);
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		assert_int_equal(sigaction(ignored[i], NULL, &now), 0);
		assert_ptr_equal(now.sa_handler, SIG_DFL);
	}
	assert_ptr_equal(raw_handler(32, NULL), (void *)SIG_DFL);
	assert_int_equal(sigaction(SIGUSR1, NULL, &now), 0);
	assert_ptr_equal(now.sa_handler, on_usr1); /* not in the set: left alone */
	hull_signals_default_these(0);		   /* nothing to do */
	assert_int_equal(sigaction(SIGUSR1, NULL, &now), 0);
	assert_ptr_equal(now.sa_handler, on_usr1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ignored_and_blocked_signals_are_reset),
		cmocka_unit_test(test_ignored_set_then_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
