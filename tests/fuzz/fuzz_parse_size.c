/* fuzz_parse_size.c — hull_parse_size (--memory): a size is > 0 and fits. */
#include "fuzz.h"
#include "resources.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct hull_err err = { 0 };
	int64_t out = -7;
	int ret = hull_parse_size(s, &out, &err);

	fuzz_check_err(ret, &err);
	if (ret == 0)
		FUZZ_ASSERT(out > 0);
	else
		FUZZ_ASSERT(out == -7); /* untouched on failure */
	free(s);
	return 0;
}
