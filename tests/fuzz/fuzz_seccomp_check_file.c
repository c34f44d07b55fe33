/* fuzz_seccomp_check_file.c — the --seccomp FILE reader
 * (hull_seccomp_check_denylist): the input is written to a temporary file, as
 * a user's profile would be (on tmpfs: ext4 flushes a truncated and
 * rewritten file at close, which cost 99% of the time). */
#include "fuzz.h"
#include "seccomp_filter.h"

#include <fcntl.h>
#include <unistd.h>

static char path[64];

static void remove_file(void)
{
	if (path[0])
		unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_err err = { 0 };
	int fd;

	if (!path[0]) {
		snprintf(path, sizeof(path), "/dev/shm/hull-fuzz-seccomp-%d", (int)getpid());
		atexit(remove_file);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		perror("fuzz: cannot write the profile");
		abort();
	}
	close(fd);
	fuzz_check_err(hull_seccomp_check_denylist(path, &err), &err);
	return 0;
}
