/* fuzz_options_parse_run.c — `hull run` argument parsing
 * (hull_options_parse_run) and validation (hull_spec_validate).
 *
 * The input is split at NUL bytes into argv after "run", as execve would
 * hand it over. hull_options_parse_run resets getopt itself (optind = 0),
 * so repeated calls are independent. What validation would read from the
 * host is pointed at a sandbox: the rootfs at an empty temporary directory,
 * a seccomp profile file at a fixed one-line profile. */
#include "fuzz.h"
#include "options.h"
#include "sandbox.h"
#include "spec.h"

#define MAX_ARGS 12000 /* more than HULL_MAX_ENV --env flags fit */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char **argv = calloc(MAX_ARGS + 2, sizeof(char *));
	int argc = 0;
	struct hull_err err = { 0 };
	struct hull_spec spec;

	if (!buf || !argv)
		abort();
	sandbox_init();
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "run";
	for (size_t i = 0; i < size && argc <= MAX_ARGS;) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;

	hull_spec_init(&spec);
	int ret = hull_options_parse_run(argc, argv, &spec, &err);
	fuzz_check_err(ret, &err);
	if (ret == HULL_OPTIONS_RUN) {
		FUZZ_ASSERT(spec.rootfs_arg && spec.argc >= 1);
		FUZZ_ASSERT(spec.argv + spec.argc == argv + argc && spec.argv[spec.argc] == NULL);
		FUZZ_ASSERT(spec.n_env_args <= HULL_MAX_ENV);
		spec.rootfs_arg = sandbox_dir;
		if (spec.seccomp_mode == HULL_SECCOMP_FILE)
			spec.seccomp_file = sandbox_profile;
		spec.trace_fd = -1; /* an fd of the fuzzer itself would pass */
		ret = hull_spec_validate(&spec, &err);
		fuzz_check_err(ret, &err);
		if (ret == 0) {
			FUZZ_ASSERT(spec.rootfs && spec.envp);
			FUZZ_ASSERT(strlen(spec.hostname) <= HULL_HOSTNAME_MAX);
			FUZZ_ASSERT(spec.cwd[0] == '/');
		}
	} else {
		FUZZ_ASSERT(ret == HULL_OPTIONS_HELP || ret < 0);
	}
	hull_spec_free(&spec);
	free(argv);
	free(buf);
	return 0;
}
