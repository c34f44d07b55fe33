/* fileio.c — see fileio.h. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int hull_write_file(const char *path, const char *text, int create, struct hull_err *err)
{
	size_t len = strlen(text);
	int flags = O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0);
	int fd = open(path, flags, 0644);
	ssize_t n;

	if (fd < 0)
		return hull_fail(err, errno, "cannot open '%s'", path);
	do
		n = write(fd, text, len);
	while (n < 0 && errno == EINTR);
	int saved = errno;
	close(fd);
	if (n != (ssize_t)len)
		return hull_fail(err, n < 0 ? saved : EIO, "cannot write '%.*s' to '%s'",
				 (int)(len && text[len - 1] == '\n' ? len - 1 : len), text, path);
	return 0;
}

ssize_t hull_read_file(const char *path, char *buf, size_t len, struct hull_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return hull_fail(err, errno, "cannot open '%s'", path);
	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			close(fd);
			return hull_fail(err, saved, "cannot read '%s'", path);
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

int hull_read_keyed_u64(const char *path, const char *key, unsigned long long *out)
{
	char buf[4096];
	size_t klen = strlen(key);
	ssize_t n = hull_read_file(path, buf, sizeof(buf), NULL);

	if (n < 0)
		return (int)n;
	for (char *line = buf; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			*out = strtoull(line + klen + 1, NULL, 10);
			return 0;
		}
	}
	return -ENOENT;
}
