/* coverage_exec.c — linked only into the coverage build
 * (`-Wl,--wrap=execve`, ci/coverage.sh): dump gcov's counters before an
 * execve replaces the process.
 *
 * A container's setup (mounts, /dev, masked paths, pivot_root, capabilities,
 * seccomp) runs in hull's child, which ends in execve, never in exit: its
 * counters would be lost and half of core/ would look untested. The child
 * has already switched root by then, so the build tree is out of sight:
 * the counters go under /.gcov of the container's root instead (when it is
 * writable), where ci/coverage.sh collects them. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef COVERAGE_OBJ_DIR
#error "COVERAGE_OBJ_DIR: the coverage build's object directory"
#endif

void __gcov_dump(void);
int __real_execve(const char *path, char *const argv[], char *const envp[]);
int __wrap_execve(const char *path, char *const argv[], char *const envp[]);

int __wrap_execve(const char *path, char *const argv[], char *const envp[])
{
	int saved = errno;

	if (access(COVERAGE_OBJ_DIR, W_OK) == 0) {
		__gcov_dump();
	} else if ((mkdir("/.gcov", 0777) == 0 || errno == EEXIST) && access("/.gcov", W_OK) == 0) {
		/* libgcov reads GCOV_PREFIX at dump time; the command gets
		 * envp, not this environment. */
		setenv("GCOV_PREFIX", "/.gcov", 1);
		__gcov_dump();
	}
	errno = saved;
	return __real_execve(path, argv, envp);
}
