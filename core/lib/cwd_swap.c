/* cwd_swap.c — see cwd_swap.h. */
#include "cwd_swap.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int hull_cwd_enter(const char *dir, int *home, struct hull_err *err)
{
	*home = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*home < 0)
		return hull_fail(err, errno, "cannot keep the working directory");
	if (chdir(dir) < 0) {
		int saved = errno;
		close(*home);
		*home = -1;
		return hull_fail(err, saved, "cannot enter rootfs '%s'", dir);
	}
	return 0;
}

int hull_cwd_return(int home, struct hull_err *err)
{
	int ret = fchdir(home) < 0 ? hull_fail(err, errno, "cannot return to the working directory")
				   : 0;
	close(home);
	return ret;
}
