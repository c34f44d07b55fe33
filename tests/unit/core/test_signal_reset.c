/* test_signal_reset.c — the command's signal state: whatever was ignored
 * or blocked before, every disposition is SIG_DFL and the mask is empty
 * after hull_signals_reset; handlers are left to execve. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>

#include "signal_reset.h"

static void on_usr1(int sig)
{
	(void)sig;
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
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGRTMAX);
	assert_int_equal(sigprocmask(SIG_BLOCK, &block, NULL), 0);

	hull_signals_reset();

	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		assert_int_equal(sigaction(ignored[i], NULL, &now), 0);
		assert_ptr_equal(now.sa_handler, SIG_DFL);
	}
	assert_int_equal(sigaction(SIGUSR1, NULL, &now), 0);
	assert_ptr_equal(now.sa_handler, on_usr1); /* execve resets it */
	assert_int_equal(sigprocmask(SIG_SETMASK, NULL, &mask), 0);
	for (int sig = 1; sig < NSIG; sig++)
		assert_false(sigismember(&mask, sig) == 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ignored_and_blocked_signals_are_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
