/* test_oci_labels.c — security labels in config.json (core/lib/lsm.c,
 * hull_oci_check_label): accepted without effect where the module is not
 * enabled, refused by name where it is; and the host detection itself
 * against a fake sysfs. hull_lsm_enabled is replaced (-Wl,--wrap) so both
 * cases run on any host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lsm.h"
#include "oci_config.h"
#include "spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool apparmor_on, selinux_on;

bool __wrap_hull_lsm_enabled(enum hull_lsm lsm);
bool __wrap_hull_lsm_enabled(enum hull_lsm lsm)
{
	return lsm == HULL_LSM_APPARMOR ? apparmor_on : selinux_on;
}

#define PROCESS_WITH(extra)                                                                        \
	"{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"process\": {\"args\": "   \
	"[\"true\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}" extra "}"

static const char *const apparmor = PROCESS_WITH(", \"apparmorProfile\": \"acme\"}");
static const char *const selinux = PROCESS_WITH(", \"selinuxLabel\": \"system_u:system_r:t:s0\"}");
static const char *const mount_label =
	PROCESS_WITH("}, \"linux\": {\"mountLabel\": \"system_u:object_r:f:s0\"}");

static int parse(const char *text, struct hull_err *err)
{
	struct hull_oci_config cfg;
	struct hull_spec spec;
	hull_spec_init(&spec);
	int ret = hull_oci_config_parse(text, "/b", &cfg, &spec, err);
	hull_oci_config_free(&cfg);
	hull_spec_free(&spec);
	return ret;
}

static void test_accepted_without_the_module(void **state)
{
	struct hull_err err;
	(void)state;
	apparmor_on = selinux_on = false;
	assert_int_equal(parse(apparmor, &err), 0);
	assert_int_equal(parse(selinux, &err), 0);
	assert_int_equal(parse(mount_label, &err), 0);
}

static void test_refused_with_the_module(void **state)
{
	struct hull_err err;
	(void)state;
	apparmor_on = true;
	selinux_on = false;
	assert_true(parse(apparmor, &err) < 0);
	assert_non_null(strstr(err.msg, "'process.apparmorProfile'"));
	assert_non_null(strstr(err.msg, "AppArmor is enabled"));
	assert_int_equal(parse(selinux, &err), 0);
	apparmor_on = false;
	selinux_on = true;
	assert_int_equal(parse(apparmor, &err), 0);
	assert_true(parse(selinux, &err) < 0);
	assert_non_null(strstr(err.msg, "'process.selinuxLabel'"));
	assert_true(parse(mount_label, &err) < 0);
	assert_non_null(strstr(err.msg, "'linux.mountLabel'"));
	/* An empty label asks for nothing. */
	assert_int_equal(parse(PROCESS_WITH(", \"selinuxLabel\": \"\"}"), &err), 0);
	selinux_on = false;
}

static void put(const char *root, const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	if (text) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	} else {
		mkdir(path, 0755);
	}
}

static void test_detection(void **state)
{
	char root[] = "/tmp/hull-lsm-XXXXXX";
	char cmd[64];
	(void)state;
	assert_non_null(mkdtemp(root));
	assert_false(hull_lsm_enabled_at(root, HULL_LSM_APPARMOR));
	assert_false(hull_lsm_enabled_at(root, HULL_LSM_SELINUX));
	/* The module parameter alone (securityfs without apparmor) is off. */
	put(root, "module/apparmor/parameters/enabled", "Y\n");
	assert_false(hull_lsm_enabled_at(root, HULL_LSM_APPARMOR));
	put(root, "kernel/security/apparmor", NULL);
	assert_true(hull_lsm_enabled_at(root, HULL_LSM_APPARMOR));
	put(root, "module/apparmor/parameters/enabled", "N\n");
	assert_false(hull_lsm_enabled_at(root, HULL_LSM_APPARMOR));
	put(root, "fs/selinux/enforce", "0\n");
	assert_true(hull_lsm_enabled_at(root, HULL_LSM_SELINUX));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted_without_the_module),
		cmocka_unit_test(test_refused_with_the_module),
		cmocka_unit_test(test_detection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
