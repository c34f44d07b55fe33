/* fuzz_check_cpuset.c — hull_check_cpuset (--cpuset): what it accepts is
 * made of digits, '-' and ',' only, so it can go to cpuset.cpus as is. */
#include "fuzz.h"
#include "resources.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct hull_err err = { 0 };
	int ret = hull_check_cpuset(s, &err);

	fuzz_check_err(ret, &err);
	if (ret == 0) {
		FUZZ_ASSERT(s[0] != '\0');
		FUZZ_ASSERT(strspn(s, "0123456789-,") == strlen(s));
	}
	free(s);
	return 0;
}
