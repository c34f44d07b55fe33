/* fuzz_idmap_parse.c — hull_idmap_parse (--uidmap/--gidmap IN:OUT:N). */
#include "fuzz.h"
#include "user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct hull_err err = { 0 };
	struct hull_idmap map = { 0 };
	int ret = hull_idmap_parse(s, &map, &err);

	fuzz_check_err(ret, &err);
	if (ret == 0) {
		FUZZ_ASSERT(map.set && map.count > 0);
		FUZZ_ASSERT(map.inside <= 4294967294ul && map.outside <= 4294967294ul);
	} else {
		FUZZ_ASSERT(!map.set);
	}
	free(s);
	return 0;
}
