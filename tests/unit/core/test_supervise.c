/* test_supervise.c — wait-status mapping, reaping, signal blocking and
 * forwarding (core/lib/supervise.c), all on real child processes.
 *
 * Every test that forks records its children in `kids`; the teardown kills
 * and reaps whatever is left, drains pending signals and restores the signal
 * mask, so a failing assertion leaves nothing behind. An alarm() guard kills
 * the children if a wait would otherwise hang. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_KIDS      8
#define GUARD_SECONDS 10

static pid_t kids[MAX_KIDS];
static sigset_t test_start_mask;
static struct sigaction old_alrm;

static void on_alarm(int sig)
{
	(void)sig;
	for (int i = 0; i < MAX_KIDS; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGKILL);
}

static void supervised_set(sigset_t *set)
{
	sigemptyset(set);
	for (int i = 0; i < hull_forwarded_signals_count; i++)
		sigaddset(set, hull_forwarded_signals[i]);
	sigaddset(set, SIGCHLD);
}

static int setup(void **state)
{
	(void)state;
	struct sigaction sa = { .sa_handler = on_alarm };

	memset(kids, 0, sizeof(kids));
	sigprocmask(SIG_SETMASK, NULL, &test_start_mask);
	sigaction(SIGALRM, &sa, &old_alrm);
	alarm(GUARD_SECONDS);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sigset_t set;
	struct timespec zero = { 0, 0 };

	alarm(0);
	for (int i = 0; i < MAX_KIDS; i++) {
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
			kids[i] = 0;
		}
	}
	/* a signal left pending would hit this process once unblocked */
	supervised_set(&set);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
	sigprocmask(SIG_SETMASK, &test_start_mask, NULL);
	sigaction(SIGALRM, &old_alrm, NULL);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

static void track(pid_t pid)
{
	for (int i = 0; i < MAX_KIDS; i++) {
		if (kids[i] == 0) {
			kids[i] = pid;
			return;
		}
	}
	fail_msg("too many children");
}

static void untrack(pid_t pid)
{
	for (int i = 0; i < MAX_KIDS; i++)
		if (kids[i] == pid)
			kids[i] = 0;
}

/* Wait for pid (it must be ours) and return its raw wait status. */
static int wait_status(pid_t pid, int options)
{
	int status = 0;
	pid_t r;

	do
		r = waitpid(pid, &status, options);
	while (r < 0 && errno == EINTR);
	assert_int_equal(r, pid);
	if (!(options & WUNTRACED) || !WIFSTOPPED(status))
		untrack(pid);
	return status;
}

static pid_t fork_tracked(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid > 0)
		track(pid);
	return pid;
}

/* Child side: die of sig with the default action, whatever we inherited. */
static void __attribute__((noreturn)) die_of(int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct rlimit no_core = { 0, 0 };
	sigset_t one;

	setrlimit(RLIMIT_CORE, &no_core);
	sigaction(sig, &dfl, NULL);
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	raise(sig);
	_exit(200); /* not reached for a fatal signal */
}

/* ---- the forwarded list --------------------------------------------- */

static void test_forwarded_signals_list(void **state)
{
	(void)state;
	static const int want[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

	assert_int_equal(hull_forwarded_signals_count, 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(hull_forwarded_signals[i], want[i]);
}

/* ---- hull_exit_status on real wait statuses ------------------------- */

static void test_exit_status_exit_codes(void **state)
{
	(void)state;
	static const int codes[] = { 0, 1, 42, 125, 255 };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		pid_t pid = fork_tracked();
		if (pid == 0)
			_exit(codes[i]);
		int st = wait_status(pid, 0);
		assert_true(WIFEXITED(st));
		assert_int_equal(hull_exit_status(st), codes[i]);
	}
}

static void test_exit_status_exit_code_wraps(void **state)
{
	(void)state;
	/* exit(256) is seen as 0 by the parent: the kernel keeps 8 bits */
	pid_t pid = fork_tracked();
	if (pid == 0)
		_exit(256 + 3);
	assert_int_equal(hull_exit_status(wait_status(pid, 0)), 3);
}

static void test_exit_status_signals(void **state)
{
	(void)state;
	static const int sigs[] = { SIGKILL, SIGTERM, SIGINT, SIGABRT, SIGUSR1 };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		pid_t pid = fork_tracked();
		if (pid == 0)
			die_of(sigs[i]);
		int st = wait_status(pid, 0);
		assert_true(WIFSIGNALED(st));
		assert_int_equal(WTERMSIG(st), sigs[i]);
		assert_int_equal(hull_exit_status(st), 128 + sigs[i]);
	}
}

static void test_exit_status_sigkill_from_outside(void **state)
{
	(void)state;
	pid_t pid = fork_tracked();
	if (pid == 0) {
		for (;;)
			pause();
	}
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(hull_exit_status(wait_status(pid, 0)), 137);

	/* the child makes SIGTERM default (we may have inherited SIG_IGN) and
	 * says so before we send it */
	int p[2];
	char c;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork_tracked();
	if (pid == 0) {
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		sigaction(SIGTERM, &dfl, NULL);
		if (write(p[1], "r", 1) != 1)
			_exit(98);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(hull_exit_status(wait_status(pid, 0)), 143);
}

static void test_exit_status_stopped_is_runtime_error(void **state)
{
	(void)state;
	pid_t pid = fork_tracked();
	if (pid == 0)
		die_of(SIGSTOP); /* stops, and exits 200 when continued */
	int st = wait_status(pid, WUNTRACED);
	assert_true(WIFSTOPPED(st));
	assert_int_equal(hull_exit_status(st), 125);
	kill(pid, SIGKILL); /* teardown reaps it if this test fails below */
	assert_int_equal(hull_exit_status(wait_status(pid, 0)), 137);
}

/* ---- hull_reap ------------------------------------------------------ */

static void test_reap(void **state)
{
	(void)state;
	pid_t pid = fork_tracked();
	if (pid == 0)
		_exit(42);
	int st = hull_reap(pid);
	untrack(pid);
	assert_true(st >= 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 42);

	/* not (or no longer) our child */
	assert_int_equal(hull_reap(pid), -ECHILD);
	assert_int_equal(hull_reap(getppid()), -ECHILD);
}

/* ---- hull_signals_block / restore ----------------------------------- */

static void test_signals_block_and_restore(void **state)
{
	(void)state;
	sigset_t before, saved, now;
	struct hull_err err;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old, cur;

	sigprocmask(SIG_SETMASK, NULL, &before);
	assert_false(sigismember(&before, SIGTERM));
	/* an inherited "ignore SIGCHLD" would make the kernel reap the child */
	sigaction(SIGCHLD, &ign, &old);

	hull_err_clear(&err);
	assert_int_equal(hull_signals_block(&saved, &err), 0);
	sigprocmask(SIG_SETMASK, NULL, &now);
	sigaction(SIGCHLD, NULL, &cur);
	sigaction(SIGCHLD, &old, NULL);

	for (int i = 0; i < hull_forwarded_signals_count; i++)
		assert_true(sigismember(&now, hull_forwarded_signals[i]));
	assert_true(sigismember(&now, SIGCHLD));
	assert_false(sigismember(&now, SIGALRM));
	assert_false(sigismember(&now, SIGSEGV));
	assert_ptr_equal(cur.sa_handler, SIG_DFL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			assert_int_equal(sigismember(&saved, s), sigismember(&before, s));

	hull_signals_restore(&saved);
	sigprocmask(SIG_SETMASK, NULL, &now);
	for (int s = 1; s < NSIG; s++)
		assert_int_equal(sigismember(&now, s), sigismember(&before, s));
}

static void test_signals_block_keeps_other_blocked(void **state)
{
	(void)state;
	sigset_t usr, saved, now;

	sigemptyset(&usr);
	sigaddset(&usr, SIGWINCH);
	sigprocmask(SIG_BLOCK, &usr, NULL);
	assert_int_equal(hull_signals_block(&saved, NULL), 0);
	sigprocmask(SIG_SETMASK, NULL, &now);
	assert_true(sigismember(&now, SIGWINCH)); /* added to, not replaced */
	assert_true(sigismember(&saved, SIGWINCH));
	assert_false(sigismember(&saved, SIGTERM));
	hull_signals_restore(&saved);
	sigprocmask(SIG_SETMASK, NULL, &now);
	assert_true(sigismember(&now, SIGWINCH));
	assert_false(sigismember(&now, SIGTERM));
}

/* ---- hull_supervise ------------------------------------------------- */

/* Child: wait for sig (blocked, inherited from the parent) and exit with
 * code. Its own alarm ends it if nothing is forwarded. */
static void __attribute__((noreturn)) child_wait_for(int sig, int code)
{
	sigset_t one;
	siginfo_t si;

	alarm(GUARD_SECONDS / 2);
	sigemptyset(&one);
	sigaddset(&one, sig);
	if (sigwaitinfo(&one, &si) == sig && si.si_pid == getppid())
		_exit(code);
	_exit(99);
}

static void test_supervise_forwards_sigterm(void **state)
{
	(void)state;
	sigset_t saved;
	struct hull_err err;

	hull_err_clear(&err);
	assert_int_equal(hull_signals_block(&saved, &err), 0);
	pid_t pid = fork_tracked();
	if (pid == 0)
		child_wait_for(SIGTERM, 7);

	/* SIGTERM to ourselves: blocked, so pending until supervise takes it */
	assert_int_equal(kill(getpid(), SIGTERM), 0);
	int st = hull_supervise(pid, &err);
	untrack(pid);
	hull_signals_restore(&saved);

	assert_true(st >= 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 7);
	assert_int_equal(hull_exit_status(st), 7);
	assert_string_equal(err.msg, "");
}

static void test_supervise_forwards_every_signal(void **state)
{
	(void)state;
	sigset_t saved;
	struct hull_err err;

	assert_int_equal(hull_signals_block(&saved, &err), 0);
	for (int i = 0; i < hull_forwarded_signals_count; i++) {
		int sig = hull_forwarded_signals[i];
		pid_t pid = fork_tracked();
		if (pid == 0)
			child_wait_for(sig, 10 + i);
		assert_int_equal(kill(getpid(), sig), 0);
		int st = hull_supervise(pid, &err);
		untrack(pid);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 10 + i);
	}
	hull_signals_restore(&saved);
}

static void test_supervise_child_killed_by_forwarded_signal(void **state)
{
	(void)state;
	sigset_t saved;
	struct hull_err err;

	assert_int_equal(hull_signals_block(&saved, &err), 0);
	pid_t pid = fork_tracked();
	if (pid == 0) {
		/* as hull's child does before exec: the caller's mask back */
		hull_signals_restore(&saved);
		alarm(GUARD_SECONDS / 2);
		for (;;)
			pause();
	}
	assert_int_equal(kill(getpid(), SIGUSR1), 0);
	int st = hull_supervise(pid, &err);
	untrack(pid);
	hull_signals_restore(&saved);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGUSR1);
	assert_int_equal(hull_exit_status(st), 128 + SIGUSR1);
}

static void test_supervise_plain_exit(void **state)
{
	(void)state;
	sigset_t saved;
	struct hull_err err;

	assert_int_equal(hull_signals_block(&saved, &err), 0);
	pid_t pid = fork_tracked();
	if (pid == 0)
		_exit(3);
	int st = hull_supervise(pid, &err);
	untrack(pid);
	hull_signals_restore(&saved);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 3);
}

static void test_supervise_ignores_other_children(void **state)
{
	(void)state;
	sigset_t saved;
	struct hull_err err;

	assert_int_equal(hull_signals_block(&saved, &err), 0);
	pid_t other = fork_tracked();
	if (other == 0)
		_exit(5); /* its SIGCHLD must not end the supervision */
	pid_t pid = fork_tracked();
	if (pid == 0)
		child_wait_for(SIGHUP, 8);

	/* the other child has ended before supervision starts, so its SIGCHLD
	 * is pending (blocked) when hull_supervise first waits */
	siginfo_t si;
	assert_int_equal(waitid(P_PID, (id_t)other, &si, WEXITED | WNOWAIT), 0);

	assert_int_equal(kill(getpid(), SIGHUP), 0);
	int st = hull_supervise(pid, &err);
	untrack(pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 8);

	/* the other child was not reaped by supervise */
	int ost = wait_status(other, 0);
	assert_int_equal(hull_exit_status(ost), 5);
	hull_signals_restore(&saved);
}

static void test_supervise_not_our_child(void **state)
{
	(void)state;
	struct hull_err err;

	hull_err_clear(&err);
	assert_int_equal(hull_supervise(getppid(), &err), -ECHILD);
	assert_string_equal(err.msg, "cannot wait for the container: No child processes");
	assert_int_equal(err.exit_code, 125);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forwarded_signals_list),
		T(test_exit_status_exit_codes),
		T(test_exit_status_exit_code_wraps),
		T(test_exit_status_signals),
		T(test_exit_status_sigkill_from_outside),
		T(test_exit_status_stopped_is_runtime_error),
		T(test_reap),
		T(test_signals_block_and_restore),
		T(test_signals_block_keeps_other_blocked),
		T(test_supervise_forwards_sigterm),
		T(test_supervise_forwards_every_signal),
		T(test_supervise_child_killed_by_forwarded_signal),
		T(test_supervise_plain_exit),
		T(test_supervise_ignores_other_children),
		T(test_supervise_not_our_child),
	};
	return cmocka_run_group_tests_name("supervise", tests, NULL, NULL);
}
