/* fuzz_spec_add_env.c — hull_spec_add_env (--env K=V), then the
 * environment validation builds from it. The input holds one --env per
 * line. The built environment has every NAME once, and for each NAME the
 * value of its last --env ("last wins"). */
#include "fuzz.h"
#include "sandbox.h"
#include "spec.h"

static const char *last_value(char **envs, size_t n, const char *name, size_t len)
{
	for (size_t i = n; i-- > 0;)
		if (strncmp(envs[i], name, len) == 0 && envs[i][len] == '=')
			return envs[i] + len + 1;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), *save = NULL;
	char *added[HULL_MAX_ENV];
	char *argv[] = { "sh", NULL };
	size_t n_added = 0;
	struct hull_err err = { 0 };
	struct hull_spec spec;
	int ret;

	sandbox_init();
	hull_spec_init(&spec);
	for (char *kv = strtok_r(s, "\n", &save); kv; kv = strtok_r(NULL, "\n", &save)) {
		ret = hull_spec_add_env(&spec, kv, &err);
		fuzz_check_err(ret, &err);
		if (ret == 0) {
			FUZZ_ASSERT(n_added < HULL_MAX_ENV);
			added[n_added++] = kv;
		} else if (n_added < HULL_MAX_ENV) {
			/* Below the cap, only a malformed NAME=VALUE is refused. */
			const char *eq = strchr(kv, '=');
			FUZZ_ASSERT(!eq || eq == kv);
		}
	}
	FUZZ_ASSERT(spec.n_env_args == n_added);

	spec.rootfs_arg = sandbox_dir;
	spec.argv = argv;
	spec.argc = 1;
	ret = hull_spec_validate(&spec, &err);
	fuzz_check_err(ret, &err);
	FUZZ_ASSERT(ret == 0);
	size_t n_env = 0;
	for (char **e = spec.envp; *e; e++, n_env++) {
		size_t len = strcspn(*e, "=");
		FUZZ_ASSERT((*e)[len] == '=' && len > 0);
		for (char **f = spec.envp; f < e; f++)
			FUZZ_ASSERT(!(strncmp(*f, *e, len) == 0 && (*f)[len] == '='));
		const char *want = last_value(added, n_added, *e, len);
		if (want)
			FUZZ_ASSERT(strcmp(want, *e + len + 1) == 0);
	}
	for (size_t i = 0; i < n_added; i++) {
		size_t len = strcspn(added[i], "=");
		bool found = false;
		for (char **e = spec.envp; *e && !found; e++)
			found = strncmp(*e, added[i], len) == 0 && (*e)[len] == '=';
		FUZZ_ASSERT(found);
	}
	FUZZ_ASSERT(n_env <= n_added + 4);
	hull_spec_free(&spec);
	free(s);
	return 0;
}
