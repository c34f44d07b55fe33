/* test_oci_seccomp.c — linux.seccomp of config.json (core/oci/oci_seccomp.c)
 * onto struct hull_seccomp_profile, and its build with libseccomp
 * (core/lib/seccomp_filter.c): actions with their errno, argument conditions,
 * architectures and flags; unknown syscall names skipped; unknown
 * actions, operators, architectures and flags refused by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "oci_config.h"
#include "seccomp_filter.h"
#include "spec.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

struct parsed {
	struct hull_oci_config cfg;
	struct hull_spec spec;
	struct hull_err err;
	int ret;
};

/* A config whose linux section holds only "seccomp": <json>. */
static struct parsed *parse_seccomp(const char *json)
{
	static struct parsed p;
	char text[8192];

	hull_oci_config_free(&p.cfg);
	memset(&p, 0, sizeof(p));
	hull_spec_init(&p.spec);
	snprintf(text, sizeof(text),
		 "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, "
		 "\"process\": {\"args\": [\"true\"], \"cwd\": \"/\", "
		 "\"user\": {\"uid\": 0, \"gid\": 0}}, \"linux\": {\"seccomp\": %s}}",
		 json);
	p.ret = hull_oci_config_parse(text, "/b", &p.cfg, &p.spec, &p.err);
	return &p;
}

static void assert_refused(const char *json, const char *needle)
{
	struct parsed *p = parse_seccomp(json);
	assert_true(p->ret < 0);
	if (!strstr(p->err.msg, needle))
		fail_msg("'%s' not in '%s'", needle, p->err.msg);
}

static void test_podman_like_profile(void **state)
{
	(void)state;
	struct parsed *p = parse_seccomp(
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, "
		"\"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"], "
		"\"flags\": [\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"], "
		"\"syscalls\": ["
		" {\"names\": [\"read\", \"write\", \"exit_group\", \"no_such_call_xyz\"], "
		"  \"action\": \"SCMP_ACT_ALLOW\"},"
		" {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		"   {\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"},"
		"   {\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]},"
		" {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		"   {\"index\": 0, \"value\": 2114060288, \"valueTwo\": 0, "
		"    \"op\": \"SCMP_CMP_MASKED_EQ\"}]},"
		" {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},"
		" {\"names\": [\"chmod\"], \"action\": \"SCMP_ACT_ERRNO\"},"
		" {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"},"
		" {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_LOG\"},"
		" {\"names\": [\"tkill\"], \"action\": \"SCMP_ACT_TRAP\"}]}");
	assert_int_equal(p->ret, 0);
	assert_int_equal(p->spec.seccomp_mode, HULL_SECCOMP_PROFILE);
	const struct hull_seccomp_profile *prof = p->spec.seccomp_profile;
	assert_non_null(prof);
	assert_int_equal(prof->default_action, SCMP_ACT_ERRNO(38));
	assert_int_equal(prof->n_arches, 3);
	assert_int_equal(prof->flags, SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	assert_int_equal(prof->n_rules, 8);
	assert_int_equal(prof->rules[0].n_names, 4);
	assert_int_equal(prof->rules[1].n_args, 2);
	assert_int_equal(prof->rules[2].args[0].op, SCMP_CMP_MASKED_EQ);
	assert_int_equal(prof->rules[2].args[0].value, 2114060288);
	assert_int_equal(prof->rules[3].action, SCMP_ACT_ERRNO(13));
	assert_int_equal(prof->rules[4].action, SCMP_ACT_ERRNO(EPERM)); /* not 38 */
	assert_int_equal(prof->rules[5].action, SCMP_ACT_KILL_PROCESS);

	/* It builds: the unknown name skipped, the repeated index split. */
	struct hull_seccomp f;
	assert_int_equal(hull_seccomp_from_profile(prof, &f, &p->err), 0);
	assert_true(f.len > 0 && f.len % 8 == 0);
	assert_int_equal(f.flags, SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	hull_seccomp_free(&f);
}

static void test_absent_or_empty(void **state)
{
	(void)state;
	struct parsed *p = parse_seccomp("null");
	assert_int_equal(p->ret, 0);
	assert_int_equal(p->spec.seccomp_mode, HULL_SECCOMP_OFF); /* as runc */
	p = parse_seccomp("{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
	assert_int_equal(p->ret, 0);
	assert_int_equal(p->spec.seccomp_mode, HULL_SECCOMP_PROFILE);
	assert_int_equal(p->spec.seccomp_profile->n_rules, 0);
}

static void test_refusals_name_the_field(void **state)
{
	(void)state;
	assert_refused(
		"{\"defaultAction\": \"SCMP_ACT_NOPE\"}",
		"unsupported seccomp action 'SCMP_ACT_NOPE' in 'linux.seccomp.defaultAction'");
	assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		       "[\"read\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
		       "'linux.seccomp.syscalls[0].action'");
	assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		       "[\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, "
		       "\"value\": 1, \"op\": \"SCMP_CMP_ALMOST\"}]}]}",
		       "unsupported seccomp operator 'SCMP_CMP_ALMOST' in "
		       "'linux.seccomp.syscalls[0].args[0].op'");
	assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		       "[\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, "
		       "\"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		       "'linux.seccomp.syscalls[0].args[0].index'");
	assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
		       "[\"SCMP_ARCH_VAX\"]}",
		       "unsupported architecture 'SCMP_ARCH_VAX'");
	assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"FLAG_X\"]}",
		       "unsupported seccomp flag 'FLAG_X' in 'linux.seccomp.flags'");
	assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/s\"}",
		       "unsupported field 'linux.seccomp.listenerPath'");
	assert_refused("{\"syscalls\": []}", "'linux.seccomp.defaultAction'");
	assert_refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
		       "[1], \"action\": \"SCMP_ACT_ERRNO\"}]}",
		       "'linux.seccomp.syscalls[0]'");
	assert_refused("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 70000}",
		       "'linux.seccomp.defaultErrnoRet'");
}

static int teardown(void **state)
{
	(void)state;
	struct parsed *p = parse_seccomp("null");
	hull_oci_config_free(&p->cfg);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_podman_like_profile),
		cmocka_unit_test(test_absent_or_empty),
		cmocka_unit_test(test_refusals_name_the_field),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
