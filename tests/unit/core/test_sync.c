/* test_sync.c — the go/report pipes between hull and its child
 * (core/lib/sync.c), across a real fork.
 *
 * The teardown kills and reaps a child left by a failing test and closes the
 * pipes; an alarm() guard makes any blocking read end instead of hanging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "error.h"
#include "sync.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define GUARD_SECONDS 10

static struct hull_sync sync_;
static pid_t child = -1;

static int setup(void **state)
{
	(void)state;
	struct hull_err err;

	hull_sync_init(&sync_);
	if (hull_sync_open(&sync_, &err) < 0)
		return -1;
	child = -1;
	alarm(GUARD_SECONDS);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	alarm(0);
	hull_sync_close(&sync_);
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = -1;
	}
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* Fork; the child keeps its ends, the parent its own. Returns in both. */
static pid_t fork_pair(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(GUARD_SECONDS / 2);
		hull_sync_keep_child(&sync_);
		return 0;
	}
	child = pid;
	hull_sync_keep_parent(&sync_);
	return pid;
}

/* Reap the child and return its exit code (-1 if it did not exit). */
static int reap_child(void)
{
	int status;
	pid_t r;

	do
		r = waitpid(child, &status, 0);
	while (r < 0 && errno == EINTR);
	assert_int_equal(r, child);
	child = -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the DIR's own fd */
}

static void assert_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);
	assert_true(flags >= 0);
	assert_true(flags & FD_CLOEXEC);
}

/* ---- open / close / keep -------------------------------------------- */

static void test_init_open_close(void **state)
{
	(void)state;
	struct hull_sync s;
	struct hull_err err;
	int before = count_fds();

	memset(&s, 0x11, sizeof(s));
	hull_sync_init(&s);
	assert_int_equal(s.go[0], -1);
	assert_int_equal(s.go[1], -1);
	assert_int_equal(s.report[0], -1);
	assert_int_equal(s.report[1], -1);
	hull_sync_close(&s); /* nothing open: harmless */

	assert_int_equal(hull_sync_open(&s, &err), 0);
	assert_int_equal(count_fds(), before + 4);
	int fds[4] = { s.go[0], s.go[1], s.report[0], s.report[1] };
	for (int i = 0; i < 4; i++) {
		assert_true(fds[i] > 2);
		assert_cloexec(fds[i]);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(fds[i], fds[j]);
	}
	hull_sync_close(&s);
	assert_int_equal(s.go[0], -1);
	assert_int_equal(s.go[1], -1);
	assert_int_equal(s.report[0], -1);
	assert_int_equal(s.report[1], -1);
	assert_int_equal(count_fds(), before);
	for (int i = 0; i < 4; i++)
		assert_int_equal(fcntl(fds[i], F_GETFD), -1);
	hull_sync_close(&s); /* twice: harmless */
}

static void test_keep_ends(void **state)
{
	(void)state;
	struct hull_sync s;
	struct hull_err err;

	hull_sync_init(&s);
	assert_int_equal(hull_sync_open(&s, &err), 0);
	int go_w = s.go[1], rep_r = s.report[0];
	hull_sync_keep_parent(&s);
	assert_int_equal(s.go[0], -1);
	assert_int_equal(s.report[1], -1);
	assert_int_equal(s.go[1], go_w);
	assert_int_equal(s.report[0], rep_r);
	hull_sync_close(&s);

	assert_int_equal(hull_sync_open(&s, &err), 0);
	int go_r = s.go[0], rep_w = s.report[1];
	hull_sync_keep_child(&s);
	assert_int_equal(s.go[1], -1);
	assert_int_equal(s.report[0], -1);
	assert_int_equal(s.go[0], go_r);
	assert_int_equal(s.report[1], rep_w);
	hull_sync_close(&s);
}

/* ---- the protocol across a fork ------------------------------------- */

static void test_go_then_exec_gives_eof(void **state)
{
	(void)state;
	struct hull_err err, child_err;

	if (fork_pair() == 0) {
		if (hull_sync_wait_go(&sync_) != 0 || sync_.go[0] != -1)
			_exit(3);
		execl("/bin/true", "true", (char *)NULL);
		_exit(4);
	}
	hull_err_clear(&err);
	assert_int_equal(hull_sync_send_go(&sync_, &err), 0);
	assert_int_equal(sync_.go[1], -1); /* sent once, then closed */
	hull_err_clear(&child_err);
	assert_int_equal(hull_sync_read_report(&sync_, &child_err, &err), HULL_REPORT_EOF);
	assert_string_equal(child_err.msg, "");
	assert_int_equal(reap_child(), 0); /* /bin/true, so the exec happened */
}

static void test_ready_then_go(void **state)
{
	(void)state;
	struct hull_err err, child_err;

	if (fork_pair() == 0) {
		/* fork mode order: READY first, then wait for go */
		if (hull_sync_report_ready(&sync_) != 0)
			_exit(2);
		_exit(hull_sync_wait_go(&sync_) == 0 ? 0 : 3);
	}
	hull_err_clear(&child_err);
	assert_int_equal(hull_sync_read_report(&sync_, &child_err, &err), HULL_REPORT_READY);
	assert_string_equal(child_err.msg, ""); /* READY leaves child_err alone */
	assert_int_equal(hull_sync_send_go(&sync_, &err), 0);
	assert_int_equal(hull_sync_read_report(&sync_, &child_err, &err), HULL_REPORT_EOF);
	assert_int_equal(reap_child(), 0);
}

static void test_go_carries_a_word(void **state)
{
	(void)state;
	struct hull_err err, child_err;

	if (fork_pair() == 0) {
		uint64_t word = 0;
		if (hull_sync_wait_go_with(&sync_, &word) != 0 || sync_.go[0] != -1)
			_exit(3);
		_exit(word == 0x8000000100000002ull ? 0 : 4);
	}
	hull_err_clear(&err);
	assert_int_equal(hull_sync_send_go_with(&sync_, 0x8000000100000002ull, &err), 0);
	assert_int_equal(sync_.go[1], -1);
	hull_err_clear(&child_err);
	assert_int_equal(hull_sync_read_report(&sync_, &child_err, &err), HULL_REPORT_EOF);
	assert_int_equal(reap_child(), 0);
}

static void test_child_reports_error(void **state)
{
	(void)state;
	struct hull_err err, child_err;

	if (fork_pair() == 0) {
		struct hull_err e;
		if (hull_sync_wait_go(&sync_) != 0)
			_exit(3);
		hull_fail_exit(&e, 127, ENOENT, "cannot execute '%s'", "nope");
		hull_sync_report_error(&sync_, &e);
		_exit(e.exit_code);
	}
	assert_int_equal(hull_sync_send_go(&sync_, &err), 0);
	hull_err_clear(&child_err);
	assert_int_equal(hull_sync_read_report(&sync_, &child_err, &err), HULL_REPORT_ERROR);
	assert_string_equal(child_err.msg, "cannot execute 'nope': No such file or directory");
	assert_int_equal(child_err.exit_code, 127);
	assert_int_equal(child_err.errnum, ENOENT);
	/* after the error: the pipe ends */
	assert_int_equal(hull_sync_read_report(&sync_, &child_err, &err), HULL_REPORT_EOF);
	assert_int_equal(reap_child(), 127);
}

static void test_error_without_exit_code_means_runtime(void **state)
{
	(void)state;
	struct hull_err err, child_err;

	if (fork_pair() == 0) {
		struct hull_err e;
		hull_err_clear(&e);
		snprintf(e.msg, sizeof(e.msg), "cannot mount '/proc'");
		e.errnum = EPERM;
		e.exit_code = 0; /* not set: the parent must see 125 */
		hull_sync_report_error(&sync_, &e);
		_exit(0);
	}
	assert_int_equal(hull_sync_read_report(&sync_, &child_err, &err), HULL_REPORT_ERROR);
	assert_string_equal(child_err.msg, "cannot mount '/proc'");
	assert_int_equal(child_err.exit_code, 125);
	assert_int_equal(child_err.errnum, EPERM);
	assert_int_equal(reap_child(), 0);
}

static void test_error_message_full_length(void **state)
{
	(void)state;
	struct hull_err err, child_err;
	char want[sizeof(child_err.msg)];

	memset(want, 'q', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	if (fork_pair() == 0) {
		struct hull_err e;
		/* an unterminated message: the report must terminate it */
		memset(e.msg, 'q', sizeof(e.msg));
		e.errnum = 0;
		e.exit_code = 126;
		hull_sync_report_error(&sync_, &e);
		_exit(0);
	}
	assert_int_equal(hull_sync_read_report(&sync_, &child_err, &err), HULL_REPORT_ERROR);
	assert_int_equal(strlen(child_err.msg), sizeof(child_err.msg) - 1);
	assert_string_equal(child_err.msg, want);
	assert_int_equal(child_err.exit_code, 126);
	assert_int_equal(reap_child(), 0);
}

static void test_parent_closes_go_without_sending(void **state)
{
	(void)state;
	if (fork_pair() == 0) {
		int ret = hull_sync_wait_go(&sync_);
		_exit(ret == -EPIPE && sync_.go[0] == -1 ? 0 : 1);
	}
	/* hull gives up (or dies): its go end closes, nothing sent */
	hull_sync_close(&sync_);
	assert_int_equal(reap_child(), 0);
}

static void test_parent_dies_child_sees_epipe(void **state)
{
	(void)state;
	/* the real case: the process holding go dies without a word. We stand
	 * in as the subreaper so the orphaned child comes back to us. */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	pid_t hull = fork();
	assert_true(hull >= 0);
	if (hull == 0) {
		pid_t c = fork();
		if (c < 0)
			_exit(5);
		if (c == 0) {
			alarm(GUARD_SECONDS / 2);
			hull_sync_keep_child(&sync_);
			_exit(hull_sync_wait_go(&sync_) == -EPIPE ? 0 : 1);
		}
		_exit(0); /* "hull" dies: its go end closes with it */
	}
	hull_sync_close(&sync_); /* our own copies of every end */
	child = hull;
	assert_int_equal(reap_child(), 0);

	int status;
	pid_t orphan;
	do
		orphan = waitpid(-1, &status, 0);
	while (orphan < 0 && errno == EINTR);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	assert_true(orphan > 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* hull may send go and die before its child armed PDEATHSIG: the child
 * then reads go fine, and only the report pipe's lost reader tells. */
static void test_parent_gone_after_sending_go(void **state)
{
	(void)state;
	struct hull_err err;

	assert_false(hull_sync_parent_gone(&sync_));
	assert_int_equal(hull_sync_send_go(&sync_, &err), 0);
	close(sync_.report[0]); /* the parent is gone: its read end with it */
	sync_.report[0] = -1;
	hull_sync_keep_child(&sync_);
	assert_int_equal(hull_sync_wait_go(&sync_), 0);
	assert_true(hull_sync_parent_gone(&sync_));
}

static void test_partial_report_is_protocol_error(void **state)
{
	(void)state;
	struct hull_err err, child_err;

	if (fork_pair() == 0) {
		if (write(sync_.report[1], "abc", 3) != 3)
			_exit(2);
		_exit(0);
	}
	hull_err_clear(&err);
	assert_int_equal(hull_sync_read_report(&sync_, &child_err, &err), -EPROTO);
	assert_string_equal(err.msg, "cannot read the container's report: Protocol error");
	assert_int_equal(err.exit_code, 125);
	assert_int_equal(reap_child(), 0);
}

static void test_send_go_to_vanished_child(void **state)
{
	(void)state;
	struct hull_err err;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;

	if (fork_pair() == 0)
		_exit(0); /* gone before reading go */
	assert_int_equal(reap_child(), 0);
	/* with SIGPIPE ignored the write fails with EPIPE and is reported */
	sigaction(SIGPIPE, &ign, &old);
	hull_err_clear(&err);
	int ret = hull_sync_send_go(&sync_, &err);
	sigaction(SIGPIPE, &old, NULL);
	assert_int_equal(ret, -EPIPE);
	assert_string_equal(err.msg, "cannot release the container: Broken pipe");
}

static void test_report_ready_without_reader(void **state)
{
	(void)state;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;

	/* child side alone in this process: the parent's read end is gone */
	hull_sync_keep_child(&sync_);
	sigaction(SIGPIPE, &ign, &old);
	int ret = hull_sync_report_ready(&sync_);
	sigaction(SIGPIPE, &old, NULL);
	assert_int_equal(ret, -EPIPE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_open_close),
		cmocka_unit_test(test_keep_ends),
		T(test_go_then_exec_gives_eof),
		T(test_ready_then_go),
		T(test_child_reports_error),
		T(test_error_without_exit_code_means_runtime),
		T(test_error_message_full_length),
		T(test_parent_closes_go_without_sending),
		T(test_parent_dies_child_sees_epipe),
		T(test_parent_gone_after_sending_go),
		T(test_partial_report_is_protocol_error),
		T(test_send_go_to_vanished_child),
		T(test_go_carries_a_word),
		T(test_report_ready_without_reader),
	};
	return cmocka_run_group_tests_name("sync", tests, NULL, NULL);
}
