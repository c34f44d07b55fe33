/* terminal.c — the container's pseudo-terminal and the console socket;
 * see terminal.h. */
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

int hull_console_connect(const char *path, struct hull_err *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return hull_fail(err, ENAMETOOLONG, "cannot connect to console socket '%s'", path);
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hull_fail(err, errno, "cannot connect to console socket '%s'", path);
	while (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		if (errno == EINTR)
			continue;
		int e = errno;
		close(fd);
		return hull_fail(err, e, "cannot connect to console socket '%s'", path);
	}
	return fd;
}

int hull_send_fd(int sock, int fd, const char *name, struct hull_err *err)
{
	char data[PATH_MAX];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov;
	struct msghdr msg = { 0 };

	snprintf(data, sizeof(data), "%s", name && name[0] ? name : "/dev/console");
	iov.iov_base = data;
	iov.iov_len = strlen(data);
	memset(&ctl, 0, sizeof(ctl));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return hull_fail(err, errno, "cannot send the terminal over the console socket");
	return 0;
}

int hull_console_setup(int sock, struct hull_err *err)
{
	char name[PATH_MAX];
	int master, slave, ret;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return hull_fail(err, errno, "cannot open a terminal '/dev/ptmx'");
	if (grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, name, sizeof(name)) != 0) {
		ret = hull_fail(err, errno, "cannot set up a terminal '/dev/ptmx'");
		close(master);
		return ret;
	}
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		ret = hull_fail(err, errno, "cannot open terminal '%s'", name);
		close(master);
		return ret;
	}
	ret = hull_send_fd(sock, master, name, err);
	close(master);
	close(sock);
	if (ret < 0) {
		close(slave);
		return ret;
	}
	if (setsid() < 0 && errno != EPERM) {
		close(slave);
		return hull_fail(err, errno, "cannot start a session for terminal '%s'", name);
	}
	if (ioctl(slave, TIOCSCTTY, 0) < 0) {
		ret = hull_fail(err, errno, "cannot make '%s' the controlling terminal", name);
		close(slave);
		return ret;
	}
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0) {
			ret = hull_fail(err, errno, "cannot use terminal '%s' as stdio", name);
			close(slave);
			return ret;
		}
	if (slave > 2)
		close(slave);
	return 0;
}
