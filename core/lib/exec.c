/* exec.c — PATH lookup and execve inside the container; see exec.h. */
#include "exec.h"
#include "spec.h"
#include "trace.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *hull_env_get(char *const envp[], const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static int exec_failed(const char *cmd, int errnum, struct hull_err *err)
{
	if (errnum == ENOENT || errnum == ENOTDIR)
		return hull_fail_exit(err, HULL_EXIT_NOTFOUND, errnum, "cannot execute '%s'", cmd);
	return hull_fail_exit(err, HULL_EXIT_NOEXEC, errnum, "cannot execute '%s'", cmd);
}

int hull_exec(char *const argv[], char *const envp[], struct hull_err *err)
{
	const char *cmd = argv[0];
	char path[PATH_MAX];
	bool denied = false;
	int last = ENOENT;

	hull_trace_mark("exec");
	if (strchr(cmd, '/')) {
		execve(cmd, argv, envp);
		return exec_failed(cmd, errno, err);
	}

	const char *dirs = hull_env_get(envp, "PATH");
	if (!dirs)
		dirs = HULL_DEFAULT_PATH;
	for (const char *p = dirs;; p++) {
		size_t len = strcspn(p, ":");
		int n = snprintf(path, sizeof(path), "%.*s%s%s", (int)len, p, len ? "/" : "", cmd);
		if (n > 0 && (size_t)n < sizeof(path)) {
			execve(path, argv, envp);
			/* Keep looking past a directory we cannot search or a file we
			 * cannot run, as the shells do, but report "not executable"
			 * rather than "not found" if nothing else turns up. */
			if (errno == EACCES)
				denied = true;
			else if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
				last = errno;
		}
		p += len;
		if (!*p)
			break;
	}
	return exec_failed(cmd, denied ? EACCES : last, err);
}
