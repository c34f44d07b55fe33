/* fuzz_cgroup_detect.c — hull_cgroup_detect on mountinfo text. The text
 * comes from the kernel, but a mount point is any path a user may have
 * mounted on (spaces come escaped as \040, but length and bytes are free).
 * Every path found is NUL-terminated inside its buffer and the layout
 * agrees with what was found. */
#include "fuzz.h"
#include "cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	struct hull_err err = { 0 };
	static struct hull_cg_mounts m; /* 6 * PATH_MAX: not on the stack */
	bool any_v1 = false;
	int ret = hull_cgroup_detect(s, &m, &err);

	fuzz_check_err(ret, &err);
	if (ret == 0) {
		FUZZ_ASSERT(memchr(m.v2, '\0', sizeof(m.v2)));
		for (int c = 0; c < HULL_CTRL_COUNT; c++) {
			FUZZ_ASSERT(memchr(m.v1[c], '\0', sizeof(m.v1[c])));
			any_v1 |= m.v1[c][0] != '\0';
		}
		switch (m.layout) {
		case HULL_CG_NONE:
			FUZZ_ASSERT(!any_v1 && !m.v2[0]);
			break;
		case HULL_CG_V1:
			FUZZ_ASSERT(any_v1 && !m.v2[0]);
			break;
		case HULL_CG_V2:
			FUZZ_ASSERT(!any_v1 && m.v2[0]);
			break;
		case HULL_CG_HYBRID:
			FUZZ_ASSERT(any_v1 && m.v2[0]);
			break;
		}
	}
	free(s);
	return 0;
}
