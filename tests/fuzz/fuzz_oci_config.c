/* fuzz_oci_config.c — hull_oci_config_parse (an OCI bundle's
 * config.json, linux.seccomp included) and, for a config that parses, the
 * build of its seccomp profile with libseccomp; also the same text as an
 * exec --process object. */
#include "fuzz.h"
#include "oci_config.h"
#include "seccomp_filter.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct hull_err err = { 0 };
	struct hull_oci_config cfg;
	struct hull_spec spec;

	hull_spec_init(&spec);
	int ret = hull_oci_config_parse(s, "/bundle", &cfg, &spec, &err);
	fuzz_check_err(ret, &err);
	if (ret == 0) {
		/* A parsed config has a command and a rootfs under the bundle. */
		FUZZ_ASSERT(spec.argc > 0 && spec.argv && spec.argv[spec.argc] == NULL);
		FUZZ_ASSERT(spec.rootfs_arg && spec.rootfs_arg[0] == '/');
		if (spec.seccomp_mode == HULL_SECCOMP_PROFILE) {
			struct hull_seccomp f;
			FUZZ_ASSERT(spec.seccomp_profile);
			ret = hull_seccomp_from_profile(spec.seccomp_profile, &f, &err);
			fuzz_check_err(ret, &err);
			if (ret == 0)
				hull_seccomp_free(&f);
		}
	}
	hull_spec_free(&spec);
	hull_oci_config_free(&cfg);

	hull_spec_init(&spec);
	ret = hull_oci_process_parse(s, "/process.json", &cfg, &spec, &err);
	fuzz_check_err(ret, &err);
	hull_spec_free(&spec);
	hull_oci_config_free(&cfg);
	free(s);
	return 0;
}
