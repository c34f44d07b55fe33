/* test_oci_systemd.c — --systemd-cgroup's "slice:prefix:name" as the
 * cgroupfs path systemd gives the unit (core/oci/oci_systemd.c), and the
 * test for a systemd init against a fake /run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "oci_systemd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void expect(const char *path, const char *parent, const char *name)
{
	char *p, *n;
	struct hull_err err;
	int ret = hull_oci_systemd_path(path, "ID", &p, &n, &err);
	if (ret < 0)
		fail_msg("'%s': %s", path ? path : "(null)", err.msg);
	assert_string_equal(p, parent);
	assert_string_equal(n, name);
	free(p);
	free(n);
}

static void refused(const char *path)
{
	char *p = (char *)1, *n = (char *)1;
	struct hull_err err;
	assert_true(hull_oci_systemd_path(path, "ID", &p, &n, &err) < 0);
	assert_null(p);
	assert_null(n);
	assert_non_null(strstr(err.msg, "linux.cgroupsPath"));
}

static void test_paths(void **state)
{
	(void)state;
	expect("system.slice:cri-containerd:abc", "system.slice", "cri-containerd-abc.scope");
	/* Each dash of a slice is one level down. */
	expect("kubepods-besteffort-pod1.slice:cri-containerd:abc",
	       "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice",
	       "cri-containerd-abc.scope");
	expect(":crio:x", "system.slice", "crio-x.scope");
	expect("-.slice:p:x", "", "p-x.scope");
	expect("machine.slice::x", "machine.slice", "x.scope");
	expect("user.slice:p:own.slice", "user.slice", "own.slice");
	expect(NULL, "system.slice", "hull-ID.scope");
	expect("", "system.slice", "hull-ID.scope");
	refused("system.slice:p");
	refused("system.slice:p:x:y");
	refused("system.slice:p:");
	refused("system:p:x");
	refused("a--b.slice:p:x");
	refused("-a.slice:p:x");
	refused("a/b.slice:p:x");
	refused("system.slice:p:a/../b");
	refused("system.slice:p:..");
}

static void test_booted(void **state)
{
	char run[] = "/tmp/hull-sd-XXXXXX", path[64];
	(void)state;
	assert_non_null(mkdtemp(run));
	assert_false(hull_oci_systemd_booted_at(run));
	snprintf(path, sizeof(path), "%s/systemd", run);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_false(hull_oci_systemd_booted_at(run));
	snprintf(path, sizeof(path), "%s/systemd/system", run);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_true(hull_oci_systemd_booted_at(run));
	rmdir(path);
	snprintf(path, sizeof(path), "%s/systemd", run);
	rmdir(path);
	assert_int_equal(rmdir(run), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_booted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
