/* test_exec.c — hull_env_get and hull_exec's PATH lookup (core/lib/exec.c).
 *
 * hull_exec only returns on failure, so each call runs in a forked child
 * that sends its struct hull_err back on a CLOEXEC pipe: nothing read means
 * the exec happened. The files it runs live in a temp dir made in setup and
 * removed in teardown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define OK_CMD "hull-test-ok" /* a script that exits 42 */
#define NX_CMD "hull-test-nx" /* a file without exec permission */
#define NOBODY 65534

struct fixture {
	char dir[64];
	char bin[128];	     /* 0755: OK_CMD (0755), NX_CMD (0644), raw (0755, no #!) */
	char locked[128];    /* 0000: holds an OK_CMD that exits 43 */
	char noexecdir[128]; /* 0755: an OK_CMD with mode 0644 */
	char afile[128];     /* a regular file, used as a PATH "directory" */
	char path[1024];     /* scratch for PATH= strings */
};

static struct fixture *fx;

static void put_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(p, mode), 0);
}

static void rm_file(const char *dir, const char *name)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
}

static int setup(void **state)
{
	(void)state;
	fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/hull-test-exec.XXXXXX");
	if (!mkdtemp(fx->dir) || chmod(fx->dir, 0755) < 0)
		return -1;
	snprintf(fx->bin, sizeof(fx->bin), "%s/bin", fx->dir);
	snprintf(fx->locked, sizeof(fx->locked), "%s/locked", fx->dir);
	snprintf(fx->noexecdir, sizeof(fx->noexecdir), "%s/noexec", fx->dir);
	snprintf(fx->afile, sizeof(fx->afile), "%s/afile", fx->dir);
	if (mkdir(fx->bin, 0755) < 0 || mkdir(fx->locked, 0755) < 0 ||
	    mkdir(fx->noexecdir, 0755) < 0)
		return -1;
	put_file(fx->bin, OK_CMD, "#!/bin/sh\nexit 42\n", 0755);
	put_file(fx->bin, NX_CMD, "#!/bin/sh\nexit 0\n", 0644);
	put_file(fx->bin, "raw", "exit 0\n", 0755);
	put_file(fx->locked, OK_CMD, "#!/bin/sh\nexit 43\n", 0755);
	put_file(fx->noexecdir, OK_CMD, "#!/bin/sh\nexit 44\n", 0644);
	put_file(fx->dir, "afile", "", 0755);
	return chmod(fx->locked, 0) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	chmod(fx->locked, 0755);
	rm_file(fx->bin, OK_CMD);
	rm_file(fx->bin, NX_CMD);
	rm_file(fx->bin, "raw");
	rm_file(fx->locked, OK_CMD);
	rm_file(fx->noexecdir, OK_CMD);
	rm_file(fx->dir, "afile");
	rmdir(fx->bin);
	rmdir(fx->locked);
	rmdir(fx->noexecdir);
	int ret = rmdir(fx->dir);
	free(fx);
	fx = NULL;
	return ret;
}

struct result {
	bool exec_failed; /* hull_exec returned (err below is its) */
	struct hull_err err;
	int status; /* the child's wait status */
};

enum { AS_CALLER = 0, AS_NOBODY = 1 };

/* Run hull_exec(argv, envp) in a child; cwd NULL keeps ours. */
static void run_exec(struct result *r, char *const argv[], char *const envp[], int who,
		     const char *cwd)
{
	int p[2];
	pid_t pid;

	memset(r, 0, sizeof(*r));
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	alarm(10); /* a hung child (or read) ends the test program */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct hull_err e;

		close(p[0]);
		hull_err_clear(&e);
		if (who == AS_NOBODY && geteuid() == 0 &&
		    (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
		     setresuid(NOBODY, NOBODY, NOBODY) < 0))
			_exit(97);
		if (cwd && chdir(cwd) < 0)
			_exit(96);
		hull_exec(argv, envp, &e);
		if (write(p[1], &e, sizeof(e)) != (ssize_t)sizeof(e))
			_exit(95);
		_exit(e.exit_code);
	}
	close(p[1]);
	ssize_t n;
	do
		n = read(p[0], &r->err, sizeof(r->err));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	pid_t w;
	do
		w = waitpid(pid, &r->status, 0);
	while (w < 0 && errno == EINTR);
	alarm(0);
	assert_int_equal(w, pid);
	assert_true(n == 0 || n == (ssize_t)sizeof(r->err));
	r->exec_failed = n == (ssize_t)sizeof(r->err);
}

static void assert_ran(const struct result *r, int code)
{
	if (r->exec_failed)
		fail_msg("exec failed: %s", r->err.msg);
	assert_true(WIFEXITED(r->status));
	assert_int_equal(WEXITSTATUS(r->status), code);
}

static void assert_failed(const struct result *r, int exit_code, int errnum, const char *msg)
{
	assert_true(r->exec_failed);
	assert_int_equal(r->err.exit_code, exit_code);
	assert_int_equal(r->err.errnum, errnum);
	assert_string_equal(r->err.msg, msg);
	assert_true(WIFEXITED(r->status));
	assert_int_equal(WEXITSTATUS(r->status), exit_code);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* ---- hull_env_get --------------------------------------------------- */

static void test_env_get(void **state)
{
	(void)state;
	char *envp[] = { "PATH=/a:/b", "PATHX=no",   "EMPTY=", "EQ=x=y",
			 "DUP=first",  "DUP=second", NULL };

	assert_string_equal(hull_env_get(envp, "PATH"), "/a:/b");
	assert_string_equal(hull_env_get(envp, "PATHX"), "no");
	assert_string_equal(hull_env_get(envp, "EMPTY"), "");
	assert_string_equal(hull_env_get(envp, "EQ"), "x=y");
	assert_string_equal(hull_env_get(envp, "DUP"), "first");
	assert_null(hull_env_get(envp, "PAT")); /* a prefix is not the name */
	assert_null(hull_env_get(envp, "PATHXY"));
	assert_null(hull_env_get(envp, "HOME"));
	assert_null(hull_env_get(envp, ""));
	assert_ptr_equal(hull_env_get(envp, "PATH"), envp[0] + 5);

	char *none[] = { NULL };
	assert_null(hull_env_get(none, "PATH"));
	assert_null(hull_env_get(NULL, "PATH"));
}

/* ---- found and run -------------------------------------------------- */

static void test_exec_via_path(void **state)
{
	(void)state;
	struct result r;

	snprintf(fx->path, sizeof(fx->path), "PATH=/nonexistent:%s", fx->bin);
	char *argv[] = { OK_CMD, NULL };
	char *envp[] = { fx->path, NULL };
	run_exec(&r, argv, envp, AS_CALLER, NULL);
	assert_ran(&r, 42);
}

static void test_exec_absolute_path(void **state)
{
	(void)state;
	struct result r;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "%s/%s", fx->bin, OK_CMD);
	char *argv[] = { cmd, NULL };
	char *envp[] = { "PATH=/nonexistent", NULL };
	run_exec(&r, argv, envp, AS_CALLER, NULL);
	assert_ran(&r, 42);
}

static void test_exec_passes_argv_and_envp(void **state)
{
	(void)state;
	struct result r;

	/* the command sees exactly envp, not the caller's environment */
	setenv("HULL_TEST_LEAK", "1", 1);
	char *argv[] = {
		"sh", "-c", "test \"$FOO\" = bar && test -z \"$HULL_TEST_LEAK\" && exit $#",
		"sh", "a",  "b",
		"c",  NULL
	};
	char *envp[] = { "PATH=/usr/bin:/bin", "FOO=bar", NULL };
	run_exec(&r, argv, envp, AS_CALLER, NULL);
	unsetenv("HULL_TEST_LEAK");
	assert_ran(&r, 3);
}

static void test_exec_default_path_when_none(void **state)
{
	(void)state;
	struct result r;

	char *argv[] = { "true", NULL };
	char *envp[] = { "FOO=1", NULL };
	run_exec(&r, argv, envp, AS_CALLER, NULL);
	assert_ran(&r, 0);
}

static void test_exec_ignores_callers_path(void **state)
{
	(void)state;
	struct result r;
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

	/* the command is on hull's PATH but not on the container's */
	setenv("PATH", fx->bin, 1);
	char *argv[] = { OK_CMD, NULL };
	char *envp[] = { "PATH=/nonexistent", NULL };
	run_exec(&r, argv, envp, AS_CALLER, NULL);
	if (old)
		setenv("PATH", old, 1);
	else
		unsetenv("PATH");
	free(old);
	assert_failed(&r, 127, ENOENT, "cannot execute '" OK_CMD "': No such file or directory");
}

static void test_exec_empty_path_element_is_cwd(void **state)
{
	(void)state;
	struct result r;
	char *argv[] = { OK_CMD, NULL };

	char *trailing[] = { "PATH=/nonexistent:", NULL };
	run_exec(&r, argv, trailing, AS_CALLER, fx->bin);
	assert_ran(&r, 42);

	char *leading[] = { "PATH=:/nonexistent", NULL };
	run_exec(&r, argv, leading, AS_CALLER, fx->bin);
	assert_ran(&r, 42);
}

/* ---- not found: 127 ------------------------------------------------- */

static void test_not_found_anywhere(void **state)
{
	(void)state;
	struct result r;

	snprintf(fx->path, sizeof(fx->path), "PATH=%s:%s:/nonexistent", fx->noexecdir, fx->bin);
	char *argv[] = { "hull-test-no-such-command", NULL };
	char *envp[] = { fx->path, NULL };
	run_exec(&r, argv, envp, AS_CALLER, NULL);
	assert_failed(&r, 127, ENOENT,
		      "cannot execute 'hull-test-no-such-command': No such file or directory");
}

static void test_not_found_absolute(void **state)
{
	(void)state;
	struct result r;
	char cmd[256], want[320];

	snprintf(cmd, sizeof(cmd), "%s/missing", fx->bin);
	snprintf(want, sizeof(want), "cannot execute '%s': No such file or directory", cmd);
	char *argv[] = { cmd, NULL };
	char *envp[] = { NULL };
	run_exec(&r, argv, envp, AS_CALLER, NULL);
	assert_failed(&r, 127, ENOENT, want);

	/* through a regular file: ENOTDIR, also "not found" */
	snprintf(cmd, sizeof(cmd), "%s/x", fx->afile);
	snprintf(want, sizeof(want), "cannot execute '%s': Not a directory", cmd);
	run_exec(&r, argv, envp, AS_CALLER, NULL);
	assert_failed(&r, 127, ENOTDIR, want);
}

static void test_path_entry_that_is_a_file_is_skipped(void **state)
{
	(void)state;
	struct result r;

	snprintf(fx->path, sizeof(fx->path), "PATH=%s:%s", fx->afile, fx->bin);
	char *argv[] = { OK_CMD, NULL };
	char *envp[] = { fx->path, NULL };
	run_exec(&r, argv, envp, AS_CALLER, NULL);
	assert_ran(&r, 42);
}

/* ---- not executable: 126 -------------------------------------------- */

static void test_not_executable_via_path(void **state)
{
	(void)state;
	struct result r;

	snprintf(fx->path, sizeof(fx->path), "PATH=%s", fx->bin);
	char *argv[] = { NX_CMD, NULL };
	char *envp[] = { fx->path, NULL };
	run_exec(&r, argv, envp, AS_CALLER, NULL);
	assert_failed(&r, 126, EACCES, "cannot execute '" NX_CMD "': Permission denied");
}

static void test_not_executable_absolute(void **state)
{
	(void)state;
	struct result r;
	char cmd[256], want[320];

	snprintf(cmd, sizeof(cmd), "%s/%s", fx->bin, NX_CMD);
	snprintf(want, sizeof(want), "cannot execute '%s': Permission denied", cmd);
	char *argv[] = { cmd, NULL };
	char *envp[] = { NULL };
	run_exec(&r, argv, envp, AS_CALLER, NULL);
	assert_failed(&r, 126, EACCES, want);

	/* a directory is not executable either */
	char *dir_argv[] = { fx->bin, NULL };
	snprintf(want, sizeof(want), "cannot execute '%s': Permission denied", fx->bin);
	run_exec(&r, dir_argv, envp, AS_CALLER, NULL);
	assert_failed(&r, 126, EACCES, want);
}

static void test_no_interpreter_line(void **state)
{
	(void)state;
	struct result r;

	/* no #!: the kernel refuses it and hull, unlike execvp(), does not
	 * fall back to /bin/sh */
	snprintf(fx->path, sizeof(fx->path), "PATH=%s", fx->bin);
	char *argv[] = { "raw", NULL };
	char *envp[] = { fx->path, NULL };
	run_exec(&r, argv, envp, AS_CALLER, NULL);
	assert_failed(&r, 126, ENOEXEC, "cannot execute 'raw': Exec format error");
}

static void test_not_executable_earlier_then_found_later(void **state)
{
	(void)state;
	struct result r;

	/* noexec/OK_CMD (0644) comes first: keep looking, run bin/OK_CMD */
	snprintf(fx->path, sizeof(fx->path), "PATH=%s:%s", fx->noexecdir, fx->bin);
	char *argv[] = { OK_CMD, NULL };
	char *envp[] = { fx->path, NULL };
	run_exec(&r, argv, envp, AS_CALLER, NULL);
	assert_ran(&r, 42);
}

static void test_not_executable_wins_over_not_found(void **state)
{
	(void)state;
	struct result r;

	snprintf(fx->path, sizeof(fx->path), "PATH=%s:/nonexistent", fx->noexecdir);
	char *argv[] = { OK_CMD, NULL };
	char *envp[] = { fx->path, NULL };
	run_exec(&r, argv, envp, AS_CALLER, NULL);
	assert_failed(&r, 126, EACCES, "cannot execute '" OK_CMD "': Permission denied");
}

/* ---- a PATH directory we cannot search ------------------------------ */

/* Root searches any directory, so the child drops to "nobody" first. */
static void test_unsearchable_dir_is_skipped(void **state)
{
	(void)state;
	struct result r;

	snprintf(fx->path, sizeof(fx->path), "PATH=%s:%s", fx->locked, fx->bin);
	char *argv[] = { OK_CMD, NULL };
	char *envp[] = { fx->path, NULL };
	run_exec(&r, argv, envp, AS_NOBODY, NULL);
	assert_ran(&r, 42); /* not 43 from locked/, not 126 */
}

static void test_only_unsearchable_dir_is_not_executable(void **state)
{
	(void)state;
	struct result r;

	/* as the shells and execvp() do: EACCES from the search is reported */
	snprintf(fx->path, sizeof(fx->path), "PATH=%s", fx->locked);
	char *argv[] = { OK_CMD, NULL };
	char *envp[] = { fx->path, NULL };
	run_exec(&r, argv, envp, AS_NOBODY, NULL);
	assert_failed(&r, 126, EACCES, "cannot execute '" OK_CMD "': Permission denied");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_get),
		T(test_exec_via_path),
		T(test_exec_absolute_path),
		T(test_exec_passes_argv_and_envp),
		T(test_exec_default_path_when_none),
		T(test_exec_ignores_callers_path),
		T(test_exec_empty_path_element_is_cwd),
		T(test_not_found_anywhere),
		T(test_not_found_absolute),
		T(test_path_entry_that_is_a_file_is_skipped),
		T(test_not_executable_via_path),
		T(test_not_executable_absolute),
		T(test_no_interpreter_line),
		T(test_not_executable_earlier_then_found_later),
		T(test_not_executable_wins_over_not_found),
		T(test_unsearchable_dir_is_skipped),
		T(test_only_unsearchable_dir_is_not_executable),
	};
	return cmocka_run_group_tests_name("exec", tests, NULL, NULL);
}
