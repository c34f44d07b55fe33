/* test_spec_env.c — hull_spec_add_env and the environment hull_spec_validate
 * builds (core/lib/spec.c). Same fixture as test_spec.c: a fresh temp rootfs
 * and a spec that validates. */
#include "spec_fixture.h"

static size_t env_count(char **envp)
{
	size_t n = 0;
	while (envp && envp[n])
		n++;
	return n;
}

/* ---- hull_spec_add_env ---------------------------------------------- */

static void test_add_env_syntax(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = { "FOO", "=x", "", "=" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[128];
		snprintf(want, sizeof(want),
			 "invalid environment variable '%s': expected NAME=VALUE", bad[i]);
		assert_int_equal(hull_spec_add_env(&f->spec, bad[i], &f->err), -EINVAL);
		assert_string_equal(f->err.msg, want);
		assert_int_equal(f->spec.n_env_args, 0);
	}
	assert_int_equal(hull_spec_add_env(&f->spec, "A=", &f->err), 0);
	assert_int_equal(hull_spec_add_env(&f->spec, "B=x=y", &f->err), 0);
	assert_int_equal(f->spec.n_env_args, 2);
	assert_string_equal(f->spec.env_args[0], "A=");
	assert_string_equal(f->spec.env_args[1], "B=x=y");
}

static void test_add_env_limit(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < HULL_MAX_ENV; i++)
		assert_int_equal(hull_spec_add_env(&f->spec, "K=v", &f->err), 0);
	assert_int_equal(hull_spec_add_env(&f->spec, "K=v", &f->err), -EINVAL);
	assert_string_equal(f->err.msg, "too many environment variables (at most 256)");
	assert_int_equal(f->spec.n_env_args, HULL_MAX_ENV);
}

/* ---- the environment ------------------------------------------------ */

#define PATH_KV "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void test_env_defaults_with_term(void **state)
{
	struct fixture *f = *state;

	setenv("TERM", "xterm-hulltest", 1);
	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
	char **e = f->spec.envp;
	assert_int_equal(env_count(e), 4);
	assert_string_equal(e[0], PATH_KV);
	assert_string_equal(e[1], "HOME=/");
	assert_string_equal(e[2], "TERM=xterm-hulltest");
	assert_string_equal(e[3], "HOSTNAME=hull");
	assert_null(e[4]);
}

static void test_env_defaults_without_term(void **state)
{
	struct fixture *f = *state;

	unsetenv("TERM");
	setenv("HULL_TEST_LEAK", "1", 1); /* hull's own environment stays out */
	int ret = hull_spec_validate(&f->spec, &f->err);
	unsetenv("HULL_TEST_LEAK");
	assert_int_equal(ret, 0);
	char **e = f->spec.envp;
	assert_int_equal(env_count(e), 3);
	assert_string_equal(e[0], PATH_KV);
	assert_string_equal(e[1], "HOME=/");
	assert_string_equal(e[2], "HOSTNAME=hull");
}

static void test_env_hostname_follows_option_and_uts(void **state)
{
	struct fixture *f = *state;

	unsetenv("TERM");
	f->spec.hostname = "box";
	f->spec.hostname_given = true;
	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
	assert_int_equal(env_count(f->spec.envp), 3);
	assert_string_equal(f->spec.envp[2], "HOSTNAME=box");
	hull_spec_free(&f->spec);

	/* no uts: no HOSTNAME at all */
	f->spec.hostname = "hull";
	f->spec.hostname_given = false;
	f->spec.ns_flags &= ~(uint64_t)CLONE_NEWUTS;
	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
	assert_int_equal(env_count(f->spec.envp), 2);
	assert_string_equal(f->spec.envp[0], PATH_KV);
	assert_string_equal(f->spec.envp[1], "HOME=/");
}

static void test_env_overrides_defaults_in_place(void **state)
{
	struct fixture *f = *state;

	setenv("TERM", "vt100", 1);
	assert_int_equal(hull_spec_add_env(&f->spec, "HOME=/root", &f->err), 0);
	assert_int_equal(hull_spec_add_env(&f->spec, "PATH=/x", &f->err), 0);
	assert_int_equal(hull_spec_add_env(&f->spec, "HOSTNAME=other", &f->err), 0);
	assert_int_equal(hull_spec_add_env(&f->spec, "TERM=dumb", &f->err), 0);
	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
	char **e = f->spec.envp;
	assert_int_equal(env_count(e), 4);
	assert_string_equal(e[0], "PATH=/x");
	assert_string_equal(e[1], "HOME=/root");
	assert_string_equal(e[2], "TERM=dumb");
	assert_string_equal(e[3], "HOSTNAME=other");
}

static void test_env_last_wins_and_order(void **state)
{
	struct fixture *f = *state;

	unsetenv("TERM");
	const char *add[] = { "B=1", "A=2", "B=3", "C=", "A=4" };
	for (size_t i = 0; i < sizeof(add) / sizeof(add[0]); i++)
		assert_int_equal(hull_spec_add_env(&f->spec, add[i], &f->err), 0);
	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
	char **e = f->spec.envp;
	assert_int_equal(env_count(e), 6);
	assert_string_equal(e[0], PATH_KV);
	assert_string_equal(e[1], "HOME=/");
	assert_string_equal(e[2], "HOSTNAME=hull");
	assert_string_equal(e[3], "B=3"); /* first place, last value */
	assert_string_equal(e[4], "A=4");
	assert_string_equal(e[5], "C=");
	/* envp owns copies, not the caller's strings */
	assert_ptr_not_equal(e[3], add[2]);
}

static void test_env_name_prefix_is_not_a_match(void **state)
{
	struct fixture *f = *state;

	unsetenv("TERM");
	assert_int_equal(hull_spec_add_env(&f->spec, "PATHX=1", &f->err), 0);
	assert_int_equal(hull_spec_add_env(&f->spec, "PAT=2", &f->err), 0);
	assert_int_equal(hull_spec_add_env(&f->spec, "HOME2=3", &f->err), 0);
	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
	char **e = f->spec.envp;
	assert_int_equal(env_count(e), 6);
	assert_string_equal(e[0], PATH_KV);
	assert_string_equal(e[1], "HOME=/");
	assert_string_equal(e[2], "HOSTNAME=hull");
	assert_string_equal(e[3], "PATHX=1");
	assert_string_equal(e[4], "PAT=2");
	assert_string_equal(e[5], "HOME2=3");
}

static void test_env_many(void **state)
{
	struct fixture *f = *state;
	static char kv[HULL_MAX_ENV][16];

	unsetenv("TERM");
	for (int i = 0; i < HULL_MAX_ENV; i++) {
		snprintf(kv[i], sizeof(kv[i]), "V%d=%d", i, i);
		assert_int_equal(hull_spec_add_env(&f->spec, kv[i], &f->err), 0);
	}
	assert_int_equal(hull_spec_validate(&f->spec, &f->err), 0);
	assert_int_equal(env_count(f->spec.envp), 3 + HULL_MAX_ENV);
	assert_string_equal(f->spec.envp[3], "V0=0");
	assert_string_equal(f->spec.envp[3 + HULL_MAX_ENV - 1], "V255=255");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_add_env_syntax),
		T(test_add_env_limit),
		T(test_env_defaults_with_term),
		T(test_env_defaults_without_term),
		T(test_env_hostname_follows_option_and_uts),
		T(test_env_overrides_defaults_in_place),
		T(test_env_last_wins_and_order),
		T(test_env_name_prefix_is_not_a_match),
		T(test_env_many),
	};
	return cmocka_run_group_tests_name("spec_env", tests, NULL, NULL);
}
