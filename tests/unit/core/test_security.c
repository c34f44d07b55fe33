/* test_security.c — capability names and sets, --user and id maps, the
 * seccomp profile (core/lib/caps.c, user.c, seccomp_filter.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <unistd.h>

#include "caps.h"
#include "seccomp_filter.h"
#include "user.h"

static void test_caps_default_is_dockers(void **state)
{
	(void)state;
	char buf[512];
	assert_int_equal(hull_caps_default(), 0xa80425fbull);
	hull_caps_format(hull_caps_default(), buf, sizeof(buf));
	assert_string_equal(buf,
			    "cap_chown,cap_dac_override,cap_fowner,cap_fsetid,cap_kill,"
			    "cap_setgid,cap_setuid,cap_setpcap,cap_net_bind_service,cap_net_raw,"
			    "cap_sys_chroot,cap_mknod,cap_audit_write,cap_setfcap");
}

static void test_caps_edit(void **state)
{
	(void)state;
	struct hull_err err;
	hull_capset set = 0;

	assert_int_equal(hull_caps_edit(&set, "NET_ADMIN", 1, &err), 0);
	assert_int_equal(set, 1ull << 12);
	assert_int_equal(hull_caps_edit(&set, "cap_sys_admin", 1, &err), 0);
	assert_int_equal(hull_caps_edit(&set, "Cap_Kill", 1, &err), 0);
	assert_int_equal(set, (1ull << 12) | (1ull << 21) | (1ull << 5));
	assert_int_equal(hull_caps_edit(&set, "net_admin", 0, &err), 0);
	assert_int_equal(set, (1ull << 21) | (1ull << 5));
	assert_int_equal(hull_caps_edit(&set, "ALL", 0, &err), 0);
	assert_int_equal(set, 0);
	assert_int_equal(hull_caps_edit(&set, "all", 1, &err), 0);
	assert_int_equal(set, hull_caps_all());
	assert_true(hull_caps_all() & (1ull << 21));

	assert_true(hull_caps_edit(&set, "FROB", 1, &err) < 0);
	assert_string_equal(err.msg, "unknown capability 'FROB'");
	assert_true(hull_caps_edit(&set, "", 1, &err) < 0);
	assert_true(hull_caps_edit(&set, "cap_", 1, &err) < 0);
	assert_true(hull_caps_edit(&set, "12", 1, &err) < 0);
}

static void test_user_parse(void **state)
{
	(void)state;
	struct hull_user u = { 0 };
	struct hull_err err;

	assert_int_equal(hull_user_parse("1000", &u, &err), 0);
	assert_true(u.set);
	assert_int_equal(u.uid, 1000);
	assert_int_equal(u.gid, 1000);
	assert_int_equal(hull_user_parse("0:5", &u, &err), 0);
	assert_int_equal(u.uid, 0);
	assert_int_equal(u.gid, 5);
	static const char *const bad[] = { "",	    "alice", "1:", ":1",
					   "1:2:3", "-1",    "1x", "4294967295" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(hull_user_parse(bad[i], &u, &err) < 0);
	assert_string_equal(err.msg, "invalid user '4294967295' (expected UID or UID:GID)");
}

static void test_idmap_parse(void **state)
{
	(void)state;
	struct hull_idmap m = { 0 };
	struct hull_err err;

	assert_int_equal(hull_idmap_parse("0:100000:65536", &m, &err), 0);
	assert_true(m.set);
	assert_int_equal(m.inside, 0);
	assert_int_equal(m.outside, 100000);
	assert_int_equal(m.count, 65536);
	static const char *const bad[] = {
		"", "0:1", "0:1:0", "a:b:c", "0:1:2:3", "0::1", "-1:0:1"
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(hull_idmap_parse(bad[i], &m, &err) < 0);
}

static void test_idmap_default(void **state)
{
	(void)state;
	struct hull_idmap m;
	char path[] = "/tmp/hull-test-subuid-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "alice:200000:65536\nroot:300000:1000\n";
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);

	hull_idmap_default(path, 0, 0, &m);
	assert_int_equal(m.outside, 300000);
	assert_int_equal(m.count, 1000);
	hull_idmap_default("/nonexistent", 0, 0, &m);
	assert_int_equal(m.outside, HULL_SUBID_DEFAULT_START);
	assert_int_equal(m.count, HULL_SUBID_DEFAULT_COUNT);
	/* Not root: only the caller's own id, whatever the file says. */
	hull_idmap_default(path, 1000, 1000, &m);
	assert_int_equal(m.inside, 0);
	assert_int_equal(m.outside, 1000);
	assert_int_equal(m.count, 1);
	unlink(path);
}

static void test_default_filter_embedded_matches_the_list(void **state)
{
	(void)state;
	struct hull_seccomp built, embedded;
	struct hull_err err;

	/* The filter compiled into hull at build time is what the deny list in
	 * the sources gives now (a stale generated file would differ). */
	assert_int_equal(hull_seccomp_compile_default(&built, &err), 0);
	assert_int_equal(hull_seccomp_default(&embedded, &err), 0);
	assert_true(built.len > 0 && built.len % 8 == 0);
	assert_int_equal(built.len, embedded.len);
	assert_memory_equal(built.bpf, embedded.bpf, built.len);
	hull_seccomp_free(&built);
	hull_seccomp_free(&embedded);

	assert_int_equal(hull_seccomp_prepare(HULL_SECCOMP_OFF, NULL, NULL, &built, &err), 0);
	assert_null(built.bpf);
}

/* Jumps "if A > k" over the syscall number: a linear filter has none. */
static int count_jgt(const struct hull_seccomp *f)
{
	const struct sock_filter *insn = f->bpf;
	int n = 0;

	for (size_t i = 0; i < f->len / sizeof(*insn); i++)
		n += insn[i].code == (BPF_JMP | BPF_JGT | BPF_K);
	return n;
}

static void test_deny_lists_are_binary_trees(void **state)
{
	(void)state;
	struct hull_seccomp f;
	struct hull_err err;
	char path[] = "/tmp/hull-seccomp-tree-XXXXXX";
	int fd = mkstemp(path);
	static const char list[] = "mount\nreboot\nbpf\nkeyctl\nptrace\nacct\nswapon\n"
				   "syslog\nuselib\nsetns\nkcmp\nsysfs\n";

	/* The kernel runs a new filter once per syscall number at the install
	 * (its cache of always-allowed calls): a tree keeps that short. */
	assert_int_equal(hull_seccomp_default(&f, &err), 0);
	assert_true(count_jgt(&f) >= 4);
	hull_seccomp_free(&f);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, list, sizeof(list) - 1), (ssize_t)sizeof(list) - 1);
	close(fd);
	assert_int_equal(hull_seccomp_from_denylist(path, &f, &err), 0);
	assert_true(count_jgt(&f) >= 1);
	hull_seccomp_free(&f);
	unlink(path);
}

static void test_profile_file(void **state)
{
	(void)state;
	struct hull_err err;
	struct hull_seccomp f;
	char path[] = "/tmp/hull-test-profile-XXXXXX";
	int fd = mkstemp(path);
	const char good[] = "# comment\n\nkeyctl\n  bpf   # trailing comment\n";
	assert_int_equal(write(fd, good, sizeof(good) - 1), (ssize_t)sizeof(good) - 1);
	close(fd);
	assert_int_equal(hull_seccomp_check_denylist(path, &err), 0);
	assert_int_equal(hull_seccomp_prepare(HULL_SECCOMP_FILE, path, NULL, &f, &err), 0);
	assert_true(f.len > 0);
	hull_seccomp_free(&f);

	FILE *out = fopen(path, "w");
	fputs("keyctl\nnot_a_syscall\n", out);
	fclose(out);
	assert_true(hull_seccomp_check_denylist(path, &err) < 0);
	char want[256];
	snprintf(want, sizeof(want), "unknown system call 'not_a_syscall' in '%s' line 2", path);
	assert_string_equal(err.msg, want);
	unlink(path);
	assert_true(hull_seccomp_check_denylist(path, &err) < 0);
}

static void test_denied_list_names_resolve(void **state)
{
	(void)state;
	size_t n = 0;
	for (const char *const *p = hull_seccomp_default_denied; *p; p++)
		n++;
	assert_true(n >= 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps_default_is_dockers),
		cmocka_unit_test(test_caps_edit),
		cmocka_unit_test(test_user_parse),
		cmocka_unit_test(test_idmap_parse),
		cmocka_unit_test(test_idmap_default),
		cmocka_unit_test(test_default_filter_embedded_matches_the_list),
		cmocka_unit_test(test_deny_lists_are_binary_trees),
		cmocka_unit_test(test_profile_file),
		cmocka_unit_test(test_denied_list_names_resolve),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
