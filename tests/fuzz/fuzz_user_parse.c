/* fuzz_user_parse.c — hull_user_parse (--user UID[:GID]). */
#include "fuzz.h"
#include "user.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct hull_err err = { 0 };
	struct hull_user user = { 0 };
	int ret = hull_user_parse(s, &user, &err);

	fuzz_check_err(ret, &err);
	if (ret == 0) {
		FUZZ_ASSERT(user.set);
		/* (uid_t)-1 means "unchanged" to setresuid: never a parse result. */
		FUZZ_ASSERT(user.uid != (uid_t)-1 && user.gid != (gid_t)-1);
		FUZZ_ASSERT(strchr(s, ':') || user.gid == user.uid);
	} else {
		FUZZ_ASSERT(!user.set);
	}
	free(s);
	return 0;
}
