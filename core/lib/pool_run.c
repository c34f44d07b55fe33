/* pool_run.c — the request path of `hull run --pool` (POOL.md): find
 * the pool's socket, connect, send the request with the caller's stdio,
 * relay signals, return the exit status.
 *
 * Only libc and the kernel's headers: both the hull binary (glibc) and
 * hull-pool-run (musl, core/pool-run/) compile this file, so the two
 * clients cannot drift apart. */
#include "pool_internal.h"
#include "pool_proto.h"
#include "supervise.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* By hand, not with snprintf: on the client's path, and vfprintf's deep
 * frame is a stack page of its own (a fault, ~10 us on a VM whose faults
 * are dear). */
int hull_pool_path(const char *name, const char *file, char *buf, size_t len, struct hull_err *err)
{
	const char *parts[] = { HULL_POOL_ROOT, "/", name, file ? "/" : "", file ? file : "" };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		size_t k = strlen(parts[i]);
		if (k >= len - n)
			return hull_fail(err, ENAMETOOLONG, "pool path of '%s' is too long", name);
		memcpy(buf + n, parts[i], k);
		n += k;
	}
	buf[n] = '\0';
	return 0;
}

/* Why connecting failed, in the words a user can act on: the directory
 * is looked at only then (a stat is ~10 us of the request path). */
static int connect_failed(const char *name, int e, struct hull_err *err)
{
	char dir[PATH_MAX];
	struct stat st;
	int ret;

	if ((ret = hull_pool_path(name, NULL, dir, sizeof(dir), err)) < 0)
		return ret;
	if (stat(dir, &st) < 0)
		return hull_fail(err, errno == ENOENT ? 0 : errno,
				 errno == ENOENT ? "unknown pool '%s'" : "cannot use pool '%s'",
				 name);
	if (st.st_uid != geteuid() && geteuid() != 0)
		return hull_fail(err, EACCES, "cannot use pool '%s': it belongs to uid %u", name,
				 (unsigned)st.st_uid);
	if (e == ENOENT || e == ECONNREFUSED)
		return hull_fail(err, 0,
				 "pool '%s' is not running (its supervisor is gone; "
				 "'hull gc' removes what is left)",
				 name);
	return hull_fail(err, e, "cannot connect to pool '%s'", name);
}

int hull_pool_connect(const char *name, const char *sock, struct hull_err *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, ret;

	if ((ret = hull_pool_check_name(name, err)) < 0 ||
	    (ret = hull_pool_path(name, sock, addr.sun_path, sizeof(addr.sun_path), err)) < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hull_fail(err, errno, "cannot create a socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;
		close(fd);
		return connect_failed(name, e, err);
	}
	/* The directory is its owner's (0700): whoever reached the socket is
	 * the owner, root, or may pass any directory (CAP_DAC_OVERRIDE); the
	 * pool checks the peer's uid itself (SO_PEERCRED). */
	return fd;
}

/* ---- run ---------------------------------------------------------- */

struct relay {
	int conn, sig_fd;
	bool *queued;
	/* The client's marks, held until the pool takes the request. */
	struct {
		const char *phase;
		uint64_t t;
	} marks[4];
	int n_marks;
};

static void hold_mark(struct relay *r, const char *phase, uint64_t t)
{
	if (t && r->n_marks < (int)(sizeof(r->marks) / sizeof(r->marks[0]))) {
		r->marks[r->n_marks].phase = phase;
		r->marks[r->n_marks++].t = t;
	}
}

static void write_marks(struct relay *r)
{
	for (int i = 0; i < r->n_marks; i++)
		hull_trace_mark_at(r->marks[i].phase, r->marks[i].t);
	r->n_marks = 0;
}

/* A signal for the command goes after the request on the connection:
 * whoever serves the request reads it from there (the keeper's
 * supervision forwards it as hull run does; before the exec it waits in
 * the socket). So the client sleeps until the exit status: no wake-up
 * for a "started" with a pidfd to signal. Not blocking: a keeper that
 * does not read yet cannot hold the client (signals of one kind merge
 * anyway). */
static void relay_signal(struct relay *r, int sig)
{
	struct hull_pool_hdr h = { .magic = HULL_POOL_MAGIC,
				   .type = HULL_POOL_SIGNAL,
				   .value = sig };

	while (send(r->conn, &h, sizeof(h), MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/* Until the exit status (0), EMPTY (HULL_POOL_RUN_EMPTY) or an error. */
static int relay(struct relay *r, int *status, struct hull_err *err)
{
	char msg[sizeof(err->msg)];

	for (;;) {
		struct pollfd pfd[2] = { { .fd = r->conn, .events = POLLIN },
					 { .fd = r->sig_fd, .events = POLLIN } };
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return hull_fail(err, errno, "cannot wait for the pool slot");
		}
		struct signalfd_siginfo si;
		while (pfd[1].revents && read(r->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			relay_signal(r, (int)si.ssi_signo);
		if (!pfd[0].revents)
			continue;
		struct hull_pool_hdr h;
		int fd = -1;
		ssize_t n = hull_pool_recv(r->conn, &h, msg, sizeof(msg) - 1, &fd, 1);
		if (n < 0)
			return hull_fail(err, n == -EPIPE ? 0 : (int)-n,
					 "pool slot ended without an exit status");
		msg[n] = '\0';
		if (h.type != HULL_POOL_EMPTY)
			write_marks(r); /* the pool has the request */
		switch (h.type) {
		case HULL_POOL_QUEUED:
			if (r->queued)
				*r->queued = true;
			break;
		case HULL_POOL_EXIT:
			hull_trace_mark("exited");
			*status = h.value;
			return 0;
		case HULL_POOL_EMPTY:
			return HULL_POOL_RUN_EMPTY;
		case HULL_POOL_ERROR:
			return hull_fail_exit(err, h.value ? h.value : HULL_EXIT_RUNTIME, 0, "%s",
					      msg);
		default:
			if (fd >= 0)
				close(fd);
			return hull_fail(err, EPROTO, "unexpected message from the pool");
		}
	}
}

/* The encoded request's size (capped: the encoder refuses what is over),
 * so that its buffer is a small allocation: the largest possible one
 * would be mapped and unmapped again for every request. A usual request
 * fits on the stack: the client's first malloc cost ~20 us (musl maps its
 * heap then), on the request's path. */
#define REQUEST_ON_STACK 4096
static size_t request_size(const struct hull_pool_request *rq)
{
	size_t n = (rq->cwd ? strlen(rq->cwd) : 0) + 1;
	for (size_t i = 0; rq->argv[i] && n <= HULL_POOL_MAX_PAYLOAD; i++)
		n += strlen(rq->argv[i]) + 1;
	for (size_t i = 0; i < rq->envc && n <= HULL_POOL_MAX_PAYLOAD; i++)
		n += strlen(rq->env[i]) + 1;
	return n < HULL_POOL_MAX_PAYLOAD ? n : HULL_POOL_MAX_PAYLOAD;
}

int hull_pool_run(const struct hull_pool_request *rq, int *exit_status, struct hull_err *err)
{
	struct relay r = { .conn = -1, .sig_fd = -1, .queued = rq->queued };
	struct hull_pool_hdr h = { .flags = rq->flags,
				   .timeout_ns = rq->timeout_ns,
				   .kill_after_ns = rq->kill_after_ns };
	sigset_t set, saved;
	size_t cap = request_size(rq), len;
	/* Sized to the request: a whole 4 KiB buffer pushed the calls below
	 * onto a fresh stack page, one more fault on the path. */
	char on_stack[cap <= REQUEST_ON_STACK ? cap : 1];
	char *buf = cap <= REQUEST_ON_STACK ? on_stack : malloc(cap);
	int ret;

	if (!buf)
		return hull_fail(err, ENOMEM, "cannot build the pool request");
	ret = hull_pool_encode_run(&h, rq->cwd, rq->argv, rq->env, rq->envc, buf, cap, &len, err);
	if (ret < 0)
		goto out_free;
	/* Blocked before the request goes out, so none is lost. */
	sigemptyset(&set);
	for (int i = 0; i < hull_forwarded_signals_count; i++)
		sigaddset(&set, hull_forwarded_signals[i]);
	sigprocmask(SIG_BLOCK, &set, &saved);
	r.sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (r.sig_fd < 0) {
		ret = hull_fail(err, errno, "cannot create a signalfd");
		goto out;
	}
	if ((r.conn = hull_pool_connect(rq->name, HULL_POOL_RUN_SOCK, err)) < 0) {
		ret = r.conn;
		goto out;
	}
	hold_mark(&r, "start", rq->t_start);
	hold_mark(&r, "parsed", rq->t_parsed);
	hold_mark(&r, "connected", hull_now_ns());
	/* A closed stdin, stdout or stderr becomes /dev/null for the command:
	 * SCM_RIGHTS cannot pass a closed fd. */
	int stdio[4] = { 0, 1, 2, hull_trace_fd }, opened[3] = { -1, -1, -1 };
	for (int i = 0; i < 3; i++)
		if (fcntl(i, F_GETFD) < 0)
			stdio[i] = opened[i] = open("/dev/null", O_RDWR | O_CLOEXEC);
	/* With --trace-fd the slot marks its side of the request path there
	 * (it holds the fd close-on-exec: the command never sees it). */
	if (hull_trace_fd >= 0)
		h.flags |= HULL_POOL_TRACE;
	/* Stamped as it goes out: the slot may wake and mark before this
	 * process gets back from sendmsg. */
	uint64_t t_send = hull_now_ns();
	ret = hull_pool_send(r.conn, &h, buf, len, stdio, hull_trace_fd >= 0 ? 4 : 3);
	for (int i = 0; i < 3; i++)
		if (opened[i] >= 0)
			close(opened[i]);
	hold_mark(&r, "request_sent", t_send);
	if (ret < 0) {
		ret = hull_fail(err, -ret, "cannot send the command to pool '%s'", rq->name);
		goto out;
	}
	if (rq->sent)
		*rq->sent = true;
	ret = relay(&r, exit_status, err);
	if (ret != HULL_POOL_RUN_EMPTY)
		write_marks(&r);
out:
	if (r.conn >= 0)
		close(r.conn);
	if (r.sig_fd >= 0)
		close(r.sig_fd);
	/* Signals that came at the very end stay pending and hit us now,
	 * as for hull run after its container ended. */
	sigprocmask(SIG_SETMASK, &saved, NULL);
out_free:
	if (buf != on_stack)
		free(buf);
	return ret;
}
