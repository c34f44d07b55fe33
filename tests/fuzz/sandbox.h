/* sandbox.h — a throwaway rootfs directory and seccomp profile for the
 * targets that run hull_spec_validate(), so a fuzz input never names a real
 * path on the host (a FIFO or a terminal would block the fuzzer). */
#ifndef HULL_FUZZ_SANDBOX_H
#define HULL_FUZZ_SANDBOX_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char sandbox_dir[64], sandbox_profile[80];

static void sandbox_remove(void)
{
	if (sandbox_profile[0])
		unlink(sandbox_profile);
	if (sandbox_dir[0])
		rmdir(sandbox_dir);
}

static inline void sandbox_init(void)
{
	if (sandbox_dir[0])
		return;
	/* libFuzzer may leave with _Exit, past atexit: run.sh points TMPDIR
	 * at a directory of its own and removes it afterwards. */
	const char *tmp = getenv("TMPDIR");
	snprintf(sandbox_dir, sizeof(sandbox_dir), "%s/hull-fuzz-XXXXXX",
		 tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (!mkdtemp(sandbox_dir)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	snprintf(sandbox_profile, sizeof(sandbox_profile), "%s.seccomp", sandbox_dir);
	int fd = open(sandbox_profile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "reboot\n", 7) != 7) {
		perror("fuzz: profile");
		abort();
	}
	close(fd);
	atexit(sandbox_remove);
}

#endif
