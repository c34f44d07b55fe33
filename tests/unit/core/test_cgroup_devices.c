/* Device cgroup rules: the v1 lines, and the v2 eBPF program run by the
 * kernel. The program test needs root and a cgroup2 mount (a hybrid host's
 * unified tree will do: device programs need no controller); it makes one
 * cgroup of its own, moves a forked child into it, and removes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_rule_lines(void **state)
{
	(void)state;
	char line[64];
	struct hull_dev_rule all = { false, 'a', -1, -1, "rwm" };
	struct hull_dev_rule pts = { true, 'c', 136, -1, "rwm" };
	struct hull_dev_rule disk = { true, 'b', 8, 0, "r" };
	struct hull_dev_rule noacc = { true, 'c', 1, 3, "" };

	hull_cg_dev_rule_line(&all, line, sizeof(line));
	assert_string_equal(line, "a");
	hull_cg_dev_rule_line(&pts, line, sizeof(line));
	assert_string_equal(line, "c 136:* rwm");
	hull_cg_dev_rule_line(&disk, line, sizeof(line));
	assert_string_equal(line, "b 8:0 r");
	hull_cg_dev_rule_line(&noacc, line, sizeof(line));
	assert_string_equal(line, "c 1:3 rwm");
}

/* Bit i of the result: whether probe i succeeded, in a child moved into
 * the cgroup at dir. */
static int probe_in_cgroup(const char *dir, const char *tmpdir)
{
	pid_t pid = fork();
	if (pid == 0) {
		char procs[4400], node[128];
		int bits = 0, fd;
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
		fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(255);
		close(fd);
		const struct {
			const char *path;
			int flags;
		} probes[] = { { "/dev/null", O_RDWR },
			       { "/dev/zero", O_RDONLY },
			       { "/dev/zero", O_WRONLY },
			       { "/dev/full", O_RDONLY } };
		for (int i = 0; i < 4; i++) {
			fd = open(probes[i].path, probes[i].flags | O_CLOEXEC);
			if (fd >= 0) {
				bits |= 1 << i;
				close(fd);
			}
		}
		snprintf(node, sizeof(node), "%s/node", tmpdir);
		if (mknod(node, S_IFCHR | 0600, makedev(1, 3)) == 0) {
			bits |= 1 << 4;
			unlink(node);
		}
		_exit(bits);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_bpf_program(void **state)
{
	(void)state;
	struct hull_cg_mounts m;
	struct hull_err err;
	char dir[4200], tmpdir[] = "/tmp/hull-devtest-XXXXXX";

	if (geteuid() != 0 || hull_cgroup_detect_self(&m, &err) < 0 || !m.v2[0]) {
		skip(); /* needs root and a cgroup2 mount */
		return;
	}
	assert_non_null(mkdtemp(tmpdir));
	snprintf(dir, sizeof(dir), "%s/hull-devtest-%d", m.v2, (int)getpid());
	assert_int_equal(mkdir(dir, 0755), 0);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);

	/* Deny all, allow /dev/null read-write, allow /dev/zero for writing;
	 * then a later deny for /dev/null's mknod only changes nothing of rw. */
	const struct hull_dev_rule rules[] = {
		{ false, 'a', -1, -1, "rwm" },
		{ true, 'c', 1, 3, "rwm" },
		{ true, 'c', 1, 5, "w" },
		{ false, 'c', 1, 3, "m" },
	};
	int ret = hull_cg_devices_attach_bpf(fd, rules, 4, &err);
	close(fd);
	int bits = ret == 0 ? probe_in_cgroup(dir, tmpdir) : -1;
	rmdir(dir);
	rmdir(tmpdir);
	if (ret < 0)
		fail_msg("%s", err.msg);
	/* null rw: yes; zero r: no; zero w: yes; full: no; mknod 1:3: no. */
	assert_int_equal(bits, (1 << 0) | (1 << 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_lines),
		cmocka_unit_test(test_bpf_program),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
