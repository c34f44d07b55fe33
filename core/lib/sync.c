/* sync.c — parent/child pipes; see sync.h. */
#include "sync.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

struct report_msg {
	int32_t type;
	int32_t exit_code;
	int32_t errnum;
	char msg[sizeof(((struct hull_err *)0)->msg)];
};

_Static_assert(sizeof(struct report_msg) <= 512, "report must fit in one atomic pipe write");

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void hull_sync_init(struct hull_sync *sync)
{
	sync->go[0] = sync->go[1] = sync->report[0] = sync->report[1] = -1;
}

int hull_sync_open(struct hull_sync *sync, struct hull_err *err)
{
	if (pipe2(sync->go, O_CLOEXEC) < 0 || pipe2(sync->report, O_CLOEXEC) < 0)
		return hull_fail(err, errno, "cannot create sync pipes");
	return 0;
}

void hull_sync_close(struct hull_sync *sync)
{
	close_fd(&sync->go[0]);
	close_fd(&sync->go[1]);
	close_fd(&sync->report[0]);
	close_fd(&sync->report[1]);
}

void hull_sync_keep_parent(struct hull_sync *sync)
{
	close_fd(&sync->go[0]);
	close_fd(&sync->report[1]);
}

void hull_sync_keep_child(struct hull_sync *sync)
{
	close_fd(&sync->go[1]);
	close_fd(&sync->report[0]);
}

static ssize_t write_all(int fd, const void *buf, size_t len)
{
	ssize_t n;
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* go: 'g' and a word, one write below PIPE_BUF. */
struct go_msg {
	char c;
	uint64_t word;
} __attribute__((packed));

int hull_sync_send_go(struct hull_sync *sync, struct hull_err *err)
{
	return hull_sync_send_go_with(sync, 0, err);
}

int hull_release_write(int fd, const void *buf, size_t len, struct hull_err *err)
{
	sigset_t pipe_set, old;
	struct timespec zero = { 0, 0 };
	ssize_t n;
	int saved;

	/* A child that died before reading must not kill hull with SIGPIPE:
	 * block it for the write and swallow the one it raised, so the caller
	 * can report why instead. (Ignoring SIGPIPE for good would hand
	 * SIG_IGN down to the command.) */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	n = write_all(fd, buf, len);
	saved = errno;
	if (n < 0 && saved == EPIPE)
		sigtimedwait(&pipe_set, NULL, &zero);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (n != (ssize_t)len)
		return hull_fail(err, n < 0 ? saved : EPIPE, "cannot release the container");
	return 0;
}

int hull_sync_send_go_with(struct hull_sync *sync, uint64_t word, struct hull_err *err)
{
	struct go_msg m = { 'g', word };
	int ret = hull_release_write(sync->go[1], &m, sizeof(m), err);

	if (ret < 0)
		return ret;
	close_fd(&sync->go[1]);
	return 0;
}

int hull_sync_wait_go(struct hull_sync *sync)
{
	return hull_sync_wait_go_with(sync, NULL);
}

int hull_sync_wait_go_with(struct hull_sync *sync, uint64_t *word)
{
	struct go_msg m;
	ssize_t n = read_full(sync->go[0], &m, sizeof(m));
	close_fd(&sync->go[0]);
	if (n != (ssize_t)sizeof(m) || m.c != 'g')
		return -EPIPE;
	if (word)
		*word = m.word;
	return 0;
}

bool hull_sync_parent_gone(const struct hull_sync *sync)
{
	/* A pipe's write end polls POLLERR once its last reader is closed; the
	 * parent holds the only read end until the command runs. */
	struct pollfd p = { .fd = sync->report[1], .events = POLLOUT };
	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

int hull_sync_report_ready(struct hull_sync *sync)
{
	struct report_msg m = { .type = HULL_REPORT_READY };
	return write_all(sync->report[1], &m, sizeof(m)) == (ssize_t)sizeof(m) ? 0 : -errno;
}

void hull_sync_report_error(struct hull_sync *sync, const struct hull_err *child_err)
{
	struct report_msg m = { .type = HULL_REPORT_ERROR };

	m.exit_code = child_err->exit_code ? child_err->exit_code : HULL_EXIT_RUNTIME;
	m.errnum = child_err->errnum;
	memcpy(m.msg, child_err->msg, sizeof(m.msg));
	m.msg[sizeof(m.msg) - 1] = '\0';
	(void)write_all(sync->report[1], &m, sizeof(m));
}

int hull_sync_read_report(struct hull_sync *sync, struct hull_err *child_err, struct hull_err *err)
{
	struct report_msg m;
	ssize_t n = read_full(sync->report[0], &m, sizeof(m));

	if (n < 0)
		return hull_fail(err, errno, "cannot read the container's report");
	if (n == 0)
		return HULL_REPORT_EOF;
	if (n != (ssize_t)sizeof(m))
		return hull_fail(err, EPROTO, "cannot read the container's report");
	if (m.type == HULL_REPORT_ERROR) {
		memcpy(child_err->msg, m.msg, sizeof(child_err->msg));
		child_err->msg[sizeof(child_err->msg) - 1] = '\0';
		child_err->exit_code = m.exit_code;
		child_err->errnum = m.errnum;
	}
	return m.type;
}
