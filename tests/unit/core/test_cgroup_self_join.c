/* test_cgroup_self_join.c — the v1 self-join's files: prepare opens the
 * `tasks` file of every directory the cgroup made (and arms) only for the
 * v1 backend and only when every one opens; the join writes "0" into each
 * and closes them. Regular files in a temp dir stand in for the cgroup
 * directories (the kernel's side is tests/e2e/test_cgroup_join.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_self_join.h"

struct tree {
	char root[64];
	struct hull_cgroup cg;
};

/* A fake v1 cgroup made in memory and pids, each with an empty tasks file. */
static void make_tree(struct tree *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->root, sizeof(t->root), "/tmp/hull-unit-selfjoin-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	t->cg.ops = &hull_cg_v1_backend;
	char root[sizeof(t->root)];
	memcpy(root, t->root, sizeof(root));
	const int ctrls[] = { HULL_CTRL_MEMORY, HULL_CTRL_PIDS };
	for (size_t i = 0; i < 2; i++) {
		int c = ctrls[i];
		char path[PATH_MAX + 16];
		snprintf(t->cg.dir[c], sizeof(t->cg.dir[c]), "%s/%s", root, hull_cg_ctrl_names[c]);
		assert_int_equal(mkdir(t->cg.dir[c], 0755), 0);
		snprintf(path, sizeof(path), "%s/tasks", t->cg.dir[c]);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_true(fd >= 0);
		close(fd);
		t->cg.made[c] = true;
	}
}

static void read_tasks(const struct tree *t, int c, char *buf, size_t len)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/tasks", t->cg.dir[c]);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void remove_tree(struct tree *t)
{
	for (int c = 0; c < HULL_CTRL_COUNT; c++) {
		if (!t->cg.dir[c][0])
			continue;
		char path[PATH_MAX + 16];
		snprintf(path, sizeof(path), "%s/tasks", t->cg.dir[c]);
		unlink(path);
		rmdir(t->cg.dir[c]);
	}
	assert_int_equal(rmdir(t->root), 0);
}

static int open_fds(const struct hull_cg_self_join *sj)
{
	int n = 0;
	for (int c = 0; c < HULL_CTRL_COUNT; c++)
		n += sj->fds[c] >= 0;
	return n;
}

static void test_v1_join_writes_zero_into_each_tasks_file(void **state)
{
	(void)state;
	struct tree t;
	struct hull_cg_self_join sj;
	struct hull_err err;
	char buf[16];

	make_tree(&t);
	hull_cg_self_join_prepare(&sj, &t.cg);
	assert_true(sj.armed);
	assert_int_equal(open_fds(&sj), 2);
	assert_true(sj.fds[HULL_CTRL_MEMORY] >= 0 && sj.fds[HULL_CTRL_PIDS] >= 0);
	assert_int_equal(hull_cg_self_join(&sj, &err), 0);
	assert_int_equal(open_fds(&sj), 0);
	read_tasks(&t, HULL_CTRL_MEMORY, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	read_tasks(&t, HULL_CTRL_PIDS, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	remove_tree(&t);
}

static void test_unarmed_for_v2_or_a_file_that_cannot_open(void **state)
{
	(void)state;
	struct tree t;
	struct hull_cg_self_join sj;
	char path[PATH_MAX + 16];

	make_tree(&t);
	/* v2: the child is cloned into its cgroup; nothing to join. */
	t.cg.ops = &hull_cg_v2_backend;
	hull_cg_self_join_prepare(&sj, &t.cg);
	assert_false(sj.armed);
	assert_int_equal(open_fds(&sj), 0);
	/* Placed by CLONE_INTO_CGROUP already. */
	t.cg.ops = &hull_cg_v1_backend;
	t.cg.attached = true;
	hull_cg_self_join_prepare(&sj, &t.cg);
	assert_false(sj.armed);
	t.cg.attached = false;
	/* One tasks file missing: none stays open, the parent attaches. */
	snprintf(path, sizeof(path), "%s/tasks", t.cg.dir[HULL_CTRL_PIDS]);
	assert_int_equal(unlink(path), 0);
	hull_cg_self_join_prepare(&sj, &t.cg);
	assert_false(sj.armed);
	assert_int_equal(open_fds(&sj), 0);
	remove_tree(&t);
}

static void test_a_failed_write_names_the_controller(void **state)
{
	(void)state;
	struct hull_cg_self_join sj;
	struct hull_err err;
	int p[2];

	hull_cg_self_join_init(&sj);
	assert_false(sj.armed);
	/* A pipe whose reader is gone: the write fails with EPIPE. */
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	sj.fds[HULL_CTRL_PIDS] = p[1];
	sj.armed = true;
	signal(SIGPIPE, SIG_IGN);
	assert_true(hull_cg_self_join(&sj, &err) < 0);
	assert_non_null(strstr(err.msg, "cannot join cgroup controller 'pids'"));
	assert_int_equal(open_fds(&sj), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_join_writes_zero_into_each_tasks_file),
		cmocka_unit_test(test_unarmed_for_v2_or_a_file_that_cannot_open),
		cmocka_unit_test(test_a_failed_write_names_the_controller),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
