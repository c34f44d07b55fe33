/* fuzz.h — small helpers shared by the libFuzzer targets in tests/fuzz/.
 *
 * Every target feeds one core parser of untrusted text. The input becomes a
 * NUL-terminated string (an embedded NUL simply ends it, as it would in argv)
 * and, where the parser promises something about its result, the target
 * checks it: a broken promise aborts, which libFuzzer reports as a crash. */
#ifndef HULL_FUZZ_H
#define HULL_FUZZ_H

#include "error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A malloc'd NUL-terminated copy of the input (ASan sees reads past it). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A failure must say what failed: a non-empty message, NUL-terminated
 * inside the buffer, and the runtime exit status. */
static inline void fuzz_check_err(int ret, const struct hull_err *err)
{
	if (ret >= 0)
		return;
	if (memchr(err->msg, '\0', sizeof(err->msg)) == NULL || err->msg[0] == '\0') {
		fprintf(stderr, "fuzz: failure without a message (ret %d)\n", ret);
		abort();
	}
	if (err->exit_code != HULL_EXIT_RUNTIME) {
		fprintf(stderr, "fuzz: parse failure with exit code %d\n", err->exit_code);
		abort();
	}
}

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz: %s:%d: broken promise: %s\n", __FILE__, __LINE__,   \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
