/* test_util.c — the shared helpers of core/lib/util.c: the clock, mkdir -p,
 * rm -r that follows no symlink, reading a pipe to its end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sys.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void test_now_ns_is_monotonic(void **state)
{
	(void)state;
	uint64_t a = hull_now_ns();
	struct timespec ts = { 0, 2000000 };
	nanosleep(&ts, NULL);
	uint64_t b = hull_now_ns();
	assert_true(b >= a + 2000000);
	assert_true(b - a < 10ull * 1000000000ull);
}

static char *make_tmp(void)
{
	char *dir = strdup("/tmp/hull-test-util-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void test_mkdir_p_makes_every_level(void **state)
{
	(void)state;
	struct hull_err err = { 0 };
	char *dir = make_tmp(), path[PATH_MAX];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	assert_int_equal(hull_mkdir_p(path, 0700, &err), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0700);
	/* A parent made on the way is reachable by every user (/run/hull). */
	snprintf(path, sizeof(path), "%s/a", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0755);
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	/* Existing directories are fine. */
	assert_int_equal(hull_mkdir_p(path, 0700, &err), 0);

	/* A file in the way is an error naming it. */
	char file[PATH_MAX], below[PATH_MAX + 8];
	snprintf(file, sizeof(file), "%s/f", dir);
	close(open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	snprintf(below, sizeof(below), "%s/x/y", file);
	assert_true(hull_mkdir_p(below, 0700, &err) < 0);
	assert_int_equal(err.errnum, ENOTDIR);
	assert_non_null(strstr(err.msg, "cannot create directory"));

	assert_int_equal(hull_remove_tree(dir, &err), 0);
	assert_int_equal(access(dir, F_OK), -1);
	free(dir);
}

static void test_remove_tree_follows_no_symlink(void **state)
{
	(void)state;
	struct hull_err err = { 0 };
	char *dir = make_tmp(), *outside = make_tmp();
	char path[PATH_MAX], keep[PATH_MAX];

	/* A file outside the tree, reachable through a symlink inside it. */
	snprintf(keep, sizeof(keep), "%s/keep", outside);
	close(open(keep, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	snprintf(path, sizeof(path), "%s/d/e", dir);
	assert_int_equal(hull_mkdir_p(path, 0755, &err), 0);
	snprintf(path, sizeof(path), "%s/d/e/file", dir);
	close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	snprintf(path, sizeof(path), "%s/d/link", dir);
	assert_int_equal(symlink(outside, path), 0);

	assert_int_equal(hull_remove_tree(dir, &err), 0);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_equal(access(keep, F_OK), 0);

	/* Missing: nothing to do. */
	assert_int_equal(hull_remove_tree(dir, &err), 0);
	assert_int_equal(hull_remove_tree(outside, &err), 0);
	free(dir);
	free(outside);
}

static void test_read_all_reads_to_eof(void **state)
{
	(void)state;
	int p[2];
	char buf[64];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(write(p[1], "hello ", 6), 6);
	assert_int_equal(write(p[1], "world", 5), 5);
	close(p[1]);
	assert_int_equal(hull_read_all(p[0], buf, sizeof(buf)), 11);
	assert_string_equal(buf, "hello world");
	close(p[0]);

	/* A full buffer stops the read, NUL-terminated. */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(write(p[1], "0123456789", 10), 10);
	close(p[1]);
	assert_int_equal(hull_read_all(p[0], buf, 5), 4);
	assert_string_equal(buf, "0123");
	close(p[0]);

	/* Non-blocking and empty for now: returns what there is (nothing). */
	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	assert_int_equal(hull_read_all(p[0], buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	close(p[1]);
	close(p[0]);

	assert_true(hull_read_all(-1, buf, sizeof(buf)) == -EBADF);
}

static void test_pidfd_open_signals_exit(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	int fd = hull_sys_pidfd_open(pid, 0);
	assert_true(fd >= 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 10000), 1);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_true(hull_sys_pidfd_open(pid, 0) < 0);
}

static void test_proc_start_time_names_one_process(void **state)
{
	(void)state;
	unsigned long long self = hull_proc_start_time(0, false);
	assert_true(self > 0);
	assert_int_equal(hull_proc_start_time(getpid(), true), self);

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	int fd = hull_sys_pidfd_open(pid, 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 10000), 1);
	close(fd);
	/* A zombie still has its start time, but it has ended. */
	assert_true(hull_proc_start_time(pid, false) >= self);
	assert_int_equal(hull_proc_start_time(pid, true), 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(hull_proc_start_time(pid, false), 0);
	assert_int_equal(hull_proc_start_time(-1, false), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_now_ns_is_monotonic),
		cmocka_unit_test(test_mkdir_p_makes_every_level),
		cmocka_unit_test(test_remove_tree_follows_no_symlink),
		cmocka_unit_test(test_read_all_reads_to_eof),
		cmocka_unit_test(test_pidfd_open_signals_exit),
		cmocka_unit_test(test_proc_start_time_names_one_process),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
