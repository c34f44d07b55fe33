/* fuzz_parse_memory_swap.c — hull_parse_memory_swap: -1 or a size > 0. */
#include "fuzz.h"
#include "resources.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct hull_err err = { 0 };
	int64_t out = -7;
	int ret = hull_parse_memory_swap(s, &out, &err);

	fuzz_check_err(ret, &err);
	if (ret == 0)
		FUZZ_ASSERT(out == -1 || out > 0);
	free(s);
	return 0;
}
