/* paths.c — see paths.h. */
#include "paths.h"

#include <linux/limits.h> /* PATH_MAX */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool hh_pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}

void hh_scopy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static char self_dir[PATH_MAX];
static pthread_once_t self_dir_once = PTHREAD_ONCE_INIT;

static void find_self_dir(void)
{
	ssize_t n = readlink("/proc/self/exe", self_dir, sizeof(self_dir) - 1);
	if (n <= 0) {
		self_dir[0] = '\0';
		return;
	}
	self_dir[n] = '\0';
	char *slash = strrchr(self_dir, '/');
	if (slash)
		*slash = '\0';
}

const char *hh_self_dir(void)
{
	pthread_once(&self_dir_once, find_self_dir);
	return self_dir[0] ? self_dir : NULL;
}

bool hh_is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *hh_find_in_path(const char *prog)
{
	const char *env = getenv("PATH");
	char *dirs = NULL, *save = NULL, path[PATH_MAX];

	if (asprintf(&dirs, "%s:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		     env ? env : "") < 0)
		return NULL;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if (!*d || !hh_pathf(path, sizeof(path), "%s/%s", d, prog))
			continue;
		if (hh_is_executable(path)) {
			free(dirs);
			return strdup(path);
		}
	}
	free(dirs);
	return NULL;
}
