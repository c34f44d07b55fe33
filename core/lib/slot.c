/* slot.c — a pool slot's last step before exec (POOL.md): take a client,
 * receive its command, make it this container's. Runs in the container
 * after the capabilities are dropped and seccomp is installed, so it uses
 * only calls the default filter allows (recvmsg, sendmsg, epoll_create1,
 * epoll_ctl, epoll_wait, accept4, getsockopt, poll, shutdown, dup3, close,
 * chdir, getcwd, mmap) and treats the request as data.
 *
 * A slot may run in its keeper's memory (the shared-memory spawn,
 * container.c's shared_vm: the keeper is suspended until the exec). Then
 * what it writes stays in the keeper's memory, and the keeper goes on
 * (and prepares the next slot): so the slot takes no heap (the keeper's),
 * keeps the request in a mapping of its own that the keeper unmaps after
 * the exec (hull_slot_forget), and its trace marks go to an fd number the
 * keeper holds harmless. */
#include "container_start.h"
#include "pool_internal.h"
#include "pool_proto.h"
#include "trace.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define REQUEST_WAIT_MS 1000 /* a client has this long to send its request */

/* The container's own copy of the spec, with the request's command. */
static struct hull_spec slot_spec;

/* What the keeper queued for the slot (SLOT_SETUP), taken before READY. */
static struct {
	int sup;    /* to the supervisor: a queued client comes here; its end: the pool lets go */
	int listen; /* the pool's run socket; -1: the supervisor hands every client over */
	int ep; /* epoll over both, the run socket exclusive: one waiting slot wakes per client */
	int early; /* a client that came while the slot checked its calls */
	uid_t owner;
	char pool[72];
} w;

/* The keeper's, set before each start (hull_slot_keeper_fds): its socket
 * to the supervisor, and an fd number it keeps harmless for the client's
 * trace fd. */
static struct {
	int sup;
	int trace;
} keeper = { -1, -1 };

/* What a slot leaves in memory it shares with its keeper: the request's
 * mapping, and whether it told the supervisor it is ready itself. In a
 * slot of its own memory these are its copy's: the keeper's stay clear. */
static struct {
	void *base;
	size_t len;
	bool told_ready;
} left;

void hull_slot_keeper_fds(int sup_fd, int trace_fd)
{
	keeper.sup = sup_fd;
	keeper.trace = trace_fd;
}

bool hull_slot_told_ready(void)
{
	return left.told_ready;
}

void hull_slot_forget(void)
{
	if (left.base)
		munmap(left.base, left.len);
	memset(&left, 0, sizeof(left));
	memset(&slot_spec, 0, sizeof(slot_spec));
}

/* The request's room: the payload, then its argv and env arrays and the
 * merged env (each string takes at least its NUL: at most one pointer a
 * payload byte, twice, plus the pool's env). Reserved, not touched: only
 * the pages a request uses are faulted in. */
static int map_request_room(const struct hull_spec *spec)
{
	size_t nb = 0;

	while (spec->envp && spec->envp[nb])
		nb++;
	size_t len =
		HULL_POOL_MAX_PAYLOAD + (2 * (HULL_POOL_MAX_PAYLOAD + 2) + nb + 1) * sizeof(char *);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	left.base = p;
	left.len = len;
	/* The first page of the payload and of the arrays: every request
	 * writes them, and a fault there would be on its path. */
	((volatile char *)p)[0] = 0;
	((volatile char *)p)[HULL_POOL_MAX_PAYLOAD] = 0;
	return 0;
}

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

static int denied(const char *call, struct hull_err *err)
{
	return hull_fail(err, errno, "a pool slot cannot wait for its command (%s)", call);
}

/* The pages the request's path writes first, touched before READY: the
 * slot is a clone of its keeper, so each is a page fault (a copy or a
 * fresh page; ~10 us each on a VM whose faults are dear) that would
 * otherwise come between the client's connect and the exec. The spec's
 * copy (two pages of .bss), the vDSO's pages (the clock read at the
 * request), the stack the path goes down to (the PATH lookup's buffer in
 * exec.c, the decoding, sendmsg). Nothing here is new work: the request
 * touches the same pages. */
static __attribute__((noinline)) void touch_stack(void)
{
	volatile char pad[3 * 4096];

	for (size_t i = 0; i < sizeof(pad); i += 4096)
		pad[i] = 0;
}

static void prefault_request_path(const struct hull_spec *spec)
{
	slot_spec = *spec;
	(void)hull_now_ns();
	touch_stack();
}

int hull_slot_check(struct start *st, struct hull_err *err)
{
	struct hull_pool_hdr h;
	int fds[2];
	ssize_t n;

	/* A slot in its keeper's memory finds the last one's values here. */
	memset(&w, 0, sizeof(w));
	w.sup = w.listen = w.ep = w.early = -1;
	n = hull_pool_recv(st->spec->command_fd, &h, w.pool, sizeof(w.pool) - 1, fds, 2);
	prefault_request_path(st->spec);
	if (n >= 0 && map_request_room(st->spec) < 0) {
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		return denied("mmap", err);
	}

	if (n < 0 || h.type != HULL_POOL_SLOT_SETUP || fds[0] < 0) {
		for (int i = 0; n >= 0 && i < 2; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		errno = n < 0 ? (int)-n : EPROTO;
		return denied("recvmsg", err);
	}
	w.pool[n] = '\0';
	w.sup = fds[0];
	w.listen = fds[1];
	w.owner = (uid_t)h.value;
	/* Every call the wait makes, tried now: a filter that denies one says
	 * so before the slot claims to be ready. */
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = w.sup };
	if ((w.ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return denied("epoll_create1", err);
	if (epoll_ctl(w.ep, EPOLL_CTL_ADD, w.sup, &ev) < 0)
		return denied("epoll_ctl", err);
	if (epoll_wait(w.ep, &ev, 1, 0) < 0)
		return denied("epoll_wait", err);
	if (w.listen < 0)
		return 0;
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = w.listen };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct pollfd pfd = { .fd = w.sup, .events = POLLIN };
	if (epoll_ctl(w.ep, EPOLL_CTL_ADD, w.listen, &ev) < 0)
		return denied("epoll_ctl", err);
	if (getsockopt(st->spec->command_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return denied("getsockopt", err);
	if (poll(&pfd, 1, 0) < 0)
		return denied("poll", err);
	w.early = accept4(w.listen, NULL, NULL, SOCK_CLOEXEC);
	if (w.early < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
		return denied("accept4", err);
	return 0;
}

/* Tell the client why not (its request was read away: a socket closed
 * with unread data resets the caller's end, and the reply would be lost). */
static void refuse(int conn, const char *msg)
{
	hull_pool_send_text(conn, HULL_POOL_ERROR, HULL_EXIT_RUNTIME, msg);
	close(conn);
}

/* The same check as the supervisor's for the clients it accepts: the
 * pool's owner or root (the slot is in the host's user namespace: the
 * supervisor passes the run socket to slots only then). */
static bool peer_allowed(int conn)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	return getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	       (cred.uid == w.owner || cred.uid == 0);
}

/* The next client: one the supervisor hands over (queued while no slot
 * was ready), or one taken from the run socket. The end of the
 * supervisor's socket means the pool let go: the slot is not used. */
static int next_client(bool *checked, struct hull_err *err)
{
	struct epoll_event ev[2];
	int conn;

	*checked = false;
	if (w.early >= 0) {
		conn = w.early;
		w.early = -1;
		return conn;
	}
	for (;;) {
		int n = epoll_wait(w.ep, ev, 2, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hull_fail(err, errno, "cannot wait for a client");
		bool from_sup = false, from_run = false;
		for (int i = 0; i < n; i++) {
			from_sup |= ev[i].data.fd == w.sup;
			from_run |= ev[i].data.fd == w.listen;
		}
		if (from_sup) {
			struct hull_pool_hdr h;
			ssize_t r = hull_pool_recv(w.sup, &h, NULL, 0, &conn, 1);
			if (r == -EPIPE)
				_exit(HULL_EXIT_RUNTIME); /* the pool let go */
			if (r < 0 || h.type != HULL_POOL_CONN || conn < 0)
				return hull_fail(err, r < 0 ? (int)-r : EPROTO,
						 "cannot receive the command");
			*checked = true; /* by the supervisor */
			return conn;
		}
		if (!from_run)
			continue;
		conn = accept4(w.listen, NULL, NULL, SOCK_CLOEXEC);
		if (conn >= 0)
			return conn;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED &&
		    errno != EINTR)
			return hull_fail(err, errno, "cannot take a client");
		/* another slot (or the supervisor) was first */
	}
}

/* The request, which comes right after the connection: up to
 * REQUEST_WAIT_MS for it. Returns its payload length, or < 0 with the
 * message for the client in msg. *t_woken: when the slot had it (the
 * slot wakes at the connect, which may be before the client sent it:
 * the trace's slot_woken is the later of the two). */
static ssize_t read_request(int conn, bool checked, struct hull_pool_hdr *h, char *buf,
			    int fds[HULL_POOL_MAX_FDS], char *msg, size_t cap, uint64_t *t_woken)
{
	struct pollfd pfd = { .fd = conn, .events = POLLIN | POLLRDHUP };
	ssize_t n;

	for (int i = 0; i < HULL_POOL_MAX_FDS; i++)
		fds[i] = -1;
	if (poll(&pfd, 1, REQUEST_WAIT_MS) <= 0) {
		snprintf(msg, cap, "no pool request within a second");
		return -ETIMEDOUT;
	}
	/* A client that died in the backlog (its request may be there): the
	 * slot would run the command for nobody and be used up. The client
	 * never closes its end before it has the exit status. */
	if (pfd.revents & (POLLHUP | POLLRDHUP | POLLERR)) {
		snprintf(msg, cap, "the client is gone");
		return -EPIPE;
	}
	*t_woken = hull_now_ns();
	n = hull_pool_recv(conn, h, buf, HULL_POOL_MAX_PAYLOAD, fds, HULL_POOL_MAX_FDS);
	if (n >= 0 && !checked && !peer_allowed(conn)) {
		snprintf(msg, cap, "cannot use pool '%s': it belongs to uid %u", w.pool,
			 (unsigned)w.owner);
		n = -EACCES;
	} else if (n >= 0 && (h->type != HULL_POOL_RUN ||
			      (h->nfds != 3 && !(h->nfds == 4 && (h->flags & HULL_POOL_TRACE))))) {
		snprintf(msg, cap, "malformed pool request");
		n = -EPROTO;
	} else if (n < 0) {
		snprintf(msg, cap, "malformed pool request");
	}
	if (n < 0)
		for (int i = 0; i < HULL_POOL_MAX_FDS; i++)
			if (fds[i] >= 0)
				close(fds[i]);
	return n;
}

/* The client is this slot's from here: its connection goes to the keeper
 * (the exit status, the request's timeouts, the client's hang-up) before
 * the exec, with the supervisor's socket (the keeper shuts it for reading,
 * and gives back a client handed to this slot meanwhile). The epoll and
 * this end of the keeper's socket go along only to be closed there: a
 * socket's or an epoll's last close costs the slot 7-15 us, on the
 * request's path, while closing an fd whose file is in flight only drops
 * a reference. */
static int give_to_keeper(int command_fd, int conn, const struct hull_pool_hdr *rq,
			  struct hull_err *err)
{
	struct hull_pool_hdr h = { .type = HULL_POOL_CONN,
				   .flags = rq->flags,
				   .timeout_ns = rq->timeout_ns,
				   .kill_after_ns = rq->kill_after_ns };
	int fds[4] = { conn, w.sup, w.ep, command_fd };

	int ret = hull_pool_send(command_fd, &h, NULL, 0, fds, 4);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	if (w.listen >= 0)
		close(w.listen);
	w.sup = w.ep = w.listen = -1;
	if (ret == -EPIPE)
		_exit(HULL_EXIT_RUNTIME); /* the keeper is gone */
	return ret < 0 ? hull_fail(err, -ret, "cannot hand the client to the keeper") : 0;
}

/* In its keeper's memory the slot tells the supervisor itself that it is
 * ready (on the keeper's socket, as the keeper would): the keeper is
 * suspended until the exec. Its pid there is not known here (the status's
 * memory per slot is then all the keeper's, whose memory it is). */
static int tell_ready(struct hull_err *err)
{
	struct hull_pool_hdr h = { .type = HULL_POOL_SLOT_READY, .value = 0 };
	int ret = hull_pool_send(keeper.sup, &h, NULL, 0, NULL, 0);

	if (ret == -EPIPE)
		_exit(HULL_EXIT_RUNTIME); /* the pool is gone */
	if (ret < 0)
		return hull_fail(err, -ret, "cannot tell the pool the slot is ready");
	left.told_ready = true;
	return 0;
}

/* The client's trace fd, at the number the keeper holds harmless when the
 * slot runs in its memory: hull_trace_fd is the keeper's variable too,
 * and the keeper's marks after the exec must not reach an fd of its own
 * that has this number in the slot (it restores its own after). */
static int trace_fd_for(const struct start *st, int fd)
{
	if (!st->shared_vm)
		return fd;
	if (keeper.trace < 0 || dup3(fd, keeper.trace, O_CLOEXEC) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return keeper.trace;
}

int hull_slot_receive(struct start *st, struct hull_err *err)
{
	struct hull_pool_hdr h;
	struct hull_pool_run run;
	int fds[HULL_POOL_MAX_FDS];
	char *buf = left.base, msg[160];
	ssize_t n;
	int ret, conn;
	uint64_t t_woken;

	if (st->shared_vm && (ret = tell_ready(err)) < 0)
		return ret;
	for (;;) {
		bool checked;
		if ((conn = next_client(&checked, err)) < 0)
			return conn;
		n = read_request(conn, checked, &h, buf, fds, msg, sizeof(msg), &t_woken);
		if (n >= 0)
			break;
		/* Not a request this slot serves: it waits for the next. */
		refuse(conn, msg);
	}
	if ((ret = give_to_keeper(st->spec->command_fd, conn, &h, err)) < 0)
		return ret;
	bool traced = h.nfds == 4 && fds[3] >= 0;
	/* The client's trace fd: this side's marks (it arrived close-on-exec
	 * and above 2, which the slot holds open). */
	if (traced && (fds[3] = trace_fd_for(st, fds[3])) >= 0) {
		hull_trace_set_fd(fds[3]);
		hull_trace_mark_at("slot_woken", t_woken);
	}
	/* The arrays after the payload, in the same mapping (room for as many
	 * strings as the payload can hold, which decoding checks first). */
	if (1 + (size_t)h.argc + h.envc > (size_t)n)
		return hull_fail(err, EPROTO, "malformed pool request");
	char **argv = (char **)(void *)(buf + HULL_POOL_MAX_PAYLOAD);
	char **env = argv + h.argc + 1, **merged = env + h.envc + 1;
	if ((ret = hull_pool_decode_run_into(&h, buf, (size_t)n, &run, argv, env, err)) < 0 ||
	    (ret = take_stdio(fds, err)) < 0)
		return ret;
	hull_trace_mark("request_read");
	if (run.cwd && (ret = enter_cwd(run.cwd, err)) < 0)
		return ret;

	slot_spec = *st->spec;
	slot_spec.argv = run.argv;
	slot_spec.argc = (int)h.argc;
	hull_env_merge_into(st->spec->envp, run.env, merged);
	slot_spec.envp = merged;
	if (run.cwd)
		slot_spec.cwd = run.cwd;
	st->spec = &slot_spec;
	return 0;
}
