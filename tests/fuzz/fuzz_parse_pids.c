/* fuzz_parse_pids.c — hull_parse_pids (--pids): a limit is > 0. */
#include "fuzz.h"
#include "resources.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct hull_err err = { 0 };
	int64_t out = -7;
	int ret = hull_parse_pids(s, &out, &err);

	fuzz_check_err(ret, &err);
	if (ret == 0)
		FUZZ_ASSERT(out > 0);
	free(s);
	return 0;
}
