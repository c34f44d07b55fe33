/* fuzz_ns_parse_list.c — hull_ns_parse_list (--ns LIST): only known
 * namespace flags come out, and formatting them parses back the same. */
#include "fuzz.h"
#include "ns.h"

#include <sched.h> /* ns.h uses CLONE_NEW* without including it */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct hull_err err = { 0 };
	uint64_t flags = 0xdead, again = 0;
	char buf[256];
	int ret = hull_ns_parse_list(s, &flags, &err);

	fuzz_check_err(ret, &err);
	if (ret == 0) {
		FUZZ_ASSERT((flags & ~(uint64_t)HULL_NS_ALL) == 0);
		hull_ns_format(flags, buf, sizeof(buf));
		FUZZ_ASSERT(hull_ns_parse_list(buf, &again, &err) == 0);
		FUZZ_ASSERT(again == flags);
	} else {
		FUZZ_ASSERT(flags == 0xdead);
	}
	free(s);
	return 0;
}
