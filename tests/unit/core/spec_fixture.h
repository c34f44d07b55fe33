/* spec_fixture.h — the fixture test_spec.c and test_spec_env.c share.
 *
 * Each test gets a fresh temp directory as its rootfs (removed in teardown)
 * and a spec that validates; tests then break one thing at a time. */
#ifndef HULL_TEST_SPEC_FIXTURE_H
#define HULL_TEST_SPEC_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ns.h"
#include "spec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct fixture {
	char dir[64];	  /* the temp dir: holds the rootfs and other files */
	char rootfs[128]; /* dir/root, a directory */
	char file[128];	  /* dir/file, a regular file */
	char link[128];	  /* dir/link -> root */
	char *saved_term; /* TERM as the test started */
	struct hull_spec spec;
	struct hull_err err;
	char *cmd[3];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/hull-test-spec.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->rootfs, sizeof(f->rootfs), "%s/root", f->dir);
	snprintf(f->file, sizeof(f->file), "%s/file", f->dir);
	snprintf(f->link, sizeof(f->link), "%s/link", f->dir);
	if (mkdir(f->rootfs, 0755) < 0)
		return -1;
	int fd = open(f->file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	if (symlink("root", f->link) < 0)
		return -1;

	const char *term = getenv("TERM");
	f->saved_term = term ? strdup(term) : NULL;

	hull_spec_init(&f->spec);
	hull_err_clear(&f->err);
	f->cmd[0] = "/bin/sh";
	f->cmd[1] = "-i";
	f->cmd[2] = NULL;
	f->spec.rootfs_arg = f->rootfs;
	f->spec.argv = f->cmd;
	f->spec.argc = 2;
	/* validate refuses a non-root user without a user namespace; let the
	 * tests that do not care about that run unprivileged too */
	if (geteuid() != 0)
		f->spec.ns_flags |= CLONE_NEWUSER;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	hull_spec_free(&f->spec);
	if (f->saved_term)
		setenv("TERM", f->saved_term, 1);
	else
		unsetenv("TERM");
	free(f->saved_term);
	unlink(f->link);
	unlink(f->file);
	rmdir(f->rootfs);
	rmdir(f->dir);
	free(f);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

#endif
