/* slot.c — a pool slot's last step before exec (POOL.md): receive the
 * command, make it this container's. Runs in the container after the
 * capabilities are dropped and seccomp is installed, so it uses only
 * calls the default filter allows (recvmsg, dup3, close, chdir, getcwd)
 * and treats the request as data. */
#include "container_start.h"
#include "pool_proto.h"
#include "trace.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <sys/uio.h>
#include <unistd.h>

/* The container's own copy of the spec, with the request's command. */
static struct hull_spec slot_spec;

/* The caller's stdin, stdout and stderr become the command's. */
static int take_stdio(int fds[3], struct hull_err *err)
{
	for (int i = 0; i < 3; i++) {
		if (dup3(fds[i], i, 0) < 0)
			return hull_fail(err, errno, "cannot take the caller's file descriptor %d",
					 i);
	}
	for (int i = 0; i < 3; i++)
		if (fds[i] > 2)
			close(fds[i]);
	return 0;
}

static int enter_cwd(const char *dir, struct hull_err *err)
{
	char cwd[PATH_MAX];

	if (chdir(dir) < 0)
		return hull_fail(err, errno, "cannot change to working directory '%s'", dir);
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
		return hull_fail(err, errno ? errno : EACCES,
				 "working directory '%s' is outside the container", dir);
	return 0;
}

int hull_slot_check(struct start *st, struct hull_err *err)
{
	char c;
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	/* Nothing is there yet: EAGAIN. A filter that denies the call says so
	 * now, before the slot claims to be ready. */
	if (recvmsg(st->spec->command_fd, &msg, MSG_DONTWAIT | MSG_PEEK) < 0 && errno != EAGAIN)
		return hull_fail(err, errno, "a pool slot cannot wait for its command (recvmsg)");
	return 0;
}

int hull_slot_receive(struct start *st, struct hull_err *err)
{
	struct hull_pool_hdr h;
	struct hull_pool_run run;
	int fds[HULL_POOL_MAX_FDS];
	char *buf = malloc(HULL_POOL_MAX_PAYLOAD);
	ssize_t n;
	int ret;

	int conn;

	if (!buf)
		return hull_fail(err, ENOMEM, "cannot wait for a command");
	/* The supervisor hands over the client's connection... */
	n = hull_pool_recv(st->spec->command_fd, &h, NULL, 0, &conn, 1);
	if (n == -EPIPE)
		_exit(HULL_EXIT_RUNTIME); /* the pool let go: the slot is not used */
	if (n < 0 || h.type != HULL_POOL_CONN || conn < 0)
		return hull_fail(err, n < 0 ? (int)-n : EPROTO, "cannot receive the command");
	uint64_t t_woken = hull_now_ns();
	close(st->spec->command_fd);
	/* ...whose one request is the command. */
	n = hull_pool_recv(conn, &h, buf, HULL_POOL_MAX_PAYLOAD, fds, HULL_POOL_MAX_FDS);
	close(conn);
	if (n < 0)
		return hull_fail(err, (int)-n, "cannot receive the command");
	bool traced = h.nfds == 4 && (h.flags & HULL_POOL_TRACE) && fds[3] >= 0;
	if (h.type != HULL_POOL_RUN || (h.nfds != 3 && !traced))
		return hull_fail(err, EPROTO, "malformed pool request");
	/* The client's trace fd: this side's marks (it arrived close-on-exec
	 * and above 2, which the slot holds open). */
	if (traced) {
		hull_trace_set_fd(fds[3]);
		hull_trace_mark_at("slot_woken", t_woken);
	}
	if ((ret = hull_pool_decode_run(&h, buf, (size_t)n, &run, err)) < 0 ||
	    (ret = take_stdio(fds, err)) < 0)
		return ret;
	hull_trace_mark("request_read");
	if (run.cwd && (ret = enter_cwd(run.cwd, err)) < 0)
		return ret;

	slot_spec = *st->spec;
	slot_spec.argv = run.argv;
	slot_spec.argc = (int)h.argc;
	slot_spec.envp = hull_env_merge(st->spec->envp, run.env);
	if (!slot_spec.envp)
		return hull_fail(err, ENOMEM, "cannot build the environment");
	if (run.cwd)
		slot_spec.cwd = run.cwd;
	st->spec = &slot_spec;
	return 0;
}
