/* pool_client.c — the caller's side of a pool (POOL.md): start the
 * supervisor, run a command in a slot, status, stop; see pool.h. */
#include "pool_internal.h"
#include "pool_proto.h"
#include "supervise.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define START_TIMEOUT_MS 60000
#define STOP_TIMEOUT_MS	 30000

int hull_pool_check_spec(struct hull_spec *spec, struct hull_err *err)
{
	/* A background process, a mount or a file of one request must end
	 * with it: that takes a pid and a mount namespace per slot. */
	if (!(spec->ns_flags & CLONE_NEWNS) || !(spec->ns_flags & CLONE_NEWPID))
		return hull_fail(err, 0,
				 "a pool needs the mnt and pid namespaces (--ns ...,mnt,pid)");
	if (spec->spawn_mode != HULL_SPAWN_CLONE3)
		return hull_fail(err, 0,
				 "a pool prepares slots with clone3 only (not --spawn fork)");
	if (spec->root_mode != HULL_ROOT_PIVOT)
		return hull_fail(err, 0, "a pool needs pivot_root (not --chroot)");
	if (!spec->read_only)
		spec->ephemeral = true;
	return 0;
}

/* Non-blocking: the run socket is shared by the supervisor and the ready
 * slots, each of which tries accept4 when woken and may find the client
 * taken by another. */
static int listen_on(const char *name, const char *sock, struct hull_err *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, ret;

	if ((ret = hull_pool_path(name, sock, addr.sun_path, sizeof(addr.sun_path), err)) < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return hull_fail(err, errno, "cannot create a socket");
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 128) < 0) {
		ret = hull_fail(err, errno, "cannot listen on '%s'", addr.sun_path);
		close(fd);
		return ret;
	}
	return fd;
}

/* The supervisor's first moments: detach from the caller, make the
 * state, serve. */
static __attribute__((noreturn)) void supervisor_main(const struct hull_pool_config *c, int notify)
{
	struct hull_err err = { 0 };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	setsid();
	if (chdir("/") < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(null, 2) < 0 || dup2(notify, 3) < 0) {
		hull_pool_send_text(notify, HULL_POOL_ERROR, 0, "cannot detach the supervisor");
		_exit(HULL_EXIT_RUNTIME);
	}
	close_range(4, ~0U, 0);
	fcntl(3, F_SETFD, FD_CLOEXEC);
	hull_trace_set_fd(-1); /* a global --trace-fd was closed just now */
	/* Orphans of keepers come here, not to the caller's init. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	prctl(PR_SET_NAME, "hull-pool", 0, 0, 0);
	if (hull_pool_state_create(c, &err) < 0) {
		hull_pool_send_text(3, HULL_POOL_ERROR, 0, err.msg);
		_exit(HULL_EXIT_RUNTIME);
	}
	int fd = listen_on(c->name, HULL_POOL_RUN_SOCK, &err), ctl = -1;
	if (fd < 0 || (ctl = listen_on(c->name, HULL_POOL_CTL_SOCK, &err)) < 0) {
		hull_pool_state_remove(c->name);
		hull_pool_send_text(3, HULL_POOL_ERROR, 0, err.msg);
		_exit(HULL_EXIT_RUNTIME);
	}
	/* exit, not _exit: the supervisor is a process of its own, whose end
	 * runs what a process end runs (coverage counters, sanitizer reports). */
	exit(hull_pool_serve(c, fd, ctl, 3));
}

/* One reply, waiting at most timeout_ms. */
static ssize_t recv_reply(int fd, struct hull_pool_hdr *h, char *buf, size_t cap, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int fds[1];
	int r;

	do
		r = poll(&pfd, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return -ETIMEDOUT;
	if (r < 0)
		return -errno;
	ssize_t n = hull_pool_recv(fd, h, buf, cap - 1, fds, 1);
	if (n >= 0) {
		buf[n] = '\0';
		if (h->nfds)
			close(fds[0]);
	}
	return n;
}

int hull_pool_start(const struct hull_pool_config *c, pid_t *supervisor, struct hull_err *err)
{
	struct hull_pool_hdr h;
	char msg[sizeof(err->msg)];
	int sp[2], ret;

	if ((ret = hull_pool_check_name(c->name, err)) < 0)
		return ret;
	if (c->size < 1 || c->size > HULL_POOL_MAX_SIZE)
		return hull_fail(err, 0, "invalid pool size %u (1 to %d)", c->size,
				 HULL_POOL_MAX_SIZE);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return hull_fail(err, errno, "cannot create a socket pair");
	pid_t pid = fork();
	if (pid < 0) {
		close(sp[0]);
		close(sp[1]);
		return hull_fail(err, errno, "cannot start the pool supervisor");
	}
	if (pid == 0) {
		close(sp[0]);
		supervisor_main(c, sp[1]);
	}
	close(sp[1]);
	ssize_t n = recv_reply(sp[0], &h, msg, sizeof(msg), START_TIMEOUT_MS);
	close(sp[0]);
	if (n >= 0 && h.type == HULL_POOL_STARTED) {
		*supervisor = pid;
		return 0; /* it lives on, reparented when we exit */
	}
	if (n == -ETIMEDOUT)
		kill(pid, SIGTERM);
	/* It cleans up after itself before it ends. */
	hull_reap(pid);
	if (n == -ETIMEDOUT)
		return hull_fail(err, ETIMEDOUT, "cannot start pool '%s'", c->name);
	if (n < 0)
		return hull_fail(err, 0, "cannot start pool '%s': its supervisor ended", c->name);
	return hull_fail(err, 0, "cannot start pool '%s': %s", c->name, msg);
}

static int request(const char *name, int type, char *buf, size_t cap, int timeout_ms,
		   struct hull_pool_hdr *h, struct hull_err *err)
{
	struct hull_pool_hdr rq = { .type = (uint16_t)type };
	int fd = hull_pool_connect(name, HULL_POOL_CTL_SOCK, err);

	if (fd < 0)
		return fd;
	int ret = hull_pool_send(fd, &rq, NULL, 0, NULL, 0);
	ssize_t n = ret < 0 ? ret : recv_reply(fd, h, buf, cap, timeout_ms);
	close(fd);
	if (n == -EPIPE && type == HULL_POOL_STOP)
		return 0; /* the supervisor ended without a word: gone all the same */
	if (n < 0)
		return hull_fail(err, (int)-n, "no answer from pool '%s'", name);
	if (h->type == HULL_POOL_ERROR)
		return hull_fail(err, 0, "%s", buf);
	return 0;
}

int hull_pool_status(const char *name, char **json, struct hull_err *err)
{
	static char buf[HULL_POOL_MAX_PAYLOAD];
	struct hull_pool_hdr h;
	int ret = request(name, HULL_POOL_STATUS, buf, sizeof(buf), 5000, &h, err);

	if (ret < 0)
		return ret;
	if (h.type != HULL_POOL_STATUS || !(*json = strdup(buf)))
		return hull_fail(err, EPROTO, "no status from pool '%s'", name);
	return 0;
}

int hull_pool_stop(const char *name, struct hull_err *err)
{
	char buf[sizeof(err->msg)];
	struct hull_pool_hdr h = { 0 };

	return request(name, HULL_POOL_STOP, buf, sizeof(buf), STOP_TIMEOUT_MS, &h, err);
}
