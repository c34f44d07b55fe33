/* fuzz_parse_cpus.c — hull_parse_cpus (--cpus). The first byte is the
 * number of online CPUs (1..256; hull passes sysconf's answer, which is
 * never below 1 on Linux), the rest the text. A quota is at least 1 ms per
 * period and at most every online CPU's worth. */
#include "fuzz.h"
#include "resources.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	long online = (long)data[0] + 1;
	char *s = fuzz_cstr(data + 1, size - 1);
	struct hull_err err = { 0 };
	uint64_t quota = 0;
	int ret = hull_parse_cpus(s, online, &quota, &err);

	fuzz_check_err(ret, &err);
	if (ret == 0) {
		FUZZ_ASSERT(quota >= HULL_CPU_PERIOD_US / 100);
		FUZZ_ASSERT(quota <= (uint64_t)online * HULL_CPU_PERIOD_US);
	}
	free(s);
	return 0;
}
