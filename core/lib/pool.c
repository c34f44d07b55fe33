/* pool.c — a pool's supervisor (POOL.md): keeps `size` slots ready (the
 * ready slots take run requests from the pool's socket themselves),
 * accepts the requests that find no slot ready, queues them and prepares
 * one more slot for each, answers status and stop on its control socket.
 * It never waits on a slot: clone, cgroup, mounts and teardown all happen
 * in the keepers, so the accept loop stays short. */
#include "pool_supervisor.h"
#include "pool_proto.h"
#include "cgroup.h"
#include "fileio.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The pool start waits for this: STARTED when full, ERROR on a failure. */
void hull_pool_notify(struct pool *p, int type, const char *msg)
{
	if (p->notify < 0)
		return;
	hull_pool_send_text(p->notify, type, 0, msg);
	close(p->notify);
	p->notify = -1;
}

/* Read the request away: a socket closed with unread data resets the
 * caller's end, and the reply would be lost. */
static void consume(int conn)
{
	struct hull_pool_hdr h;
	int fds[HULL_POOL_MAX_FDS];
	char buf[256];

	fcntl(conn, F_SETFL, O_NONBLOCK); /* only what is there: it is closed next */
	if (hull_pool_recv(conn, &h, buf, sizeof(buf), fds, HULL_POOL_MAX_FDS) >= 0)
		for (int i = 0; i < HULL_POOL_MAX_FDS; i++)
			if (fds[i] >= 0)
				close(fds[i]);
}

static void turn_away(int conn, const char *msg)
{
	consume(conn);
	hull_pool_send_text(conn, HULL_POOL_ERROR, HULL_EXIT_RUNTIME, msg);
	close(conn);
}

static void begin_stop(struct pool *p)
{
	if (p->stopping)
		return;
	p->stopping = true;
	p->stop_deadline = hull_now_ns() + STOP_GRACE_NS;
	close(p->listen_fd);
	close(p->ctl_fd);
	p->listen_fd = p->ctl_fd = -1;
	char sock[PATH_MAX];
	if (hull_pool_path(p->c->name, HULL_POOL_RUN_SOCK, sock, sizeof(sock), NULL) == 0)
		unlink(sock);
	if (hull_pool_path(p->c->name, HULL_POOL_CTL_SOCK, sock, sizeof(sock), NULL) == 0)
		unlink(sock);
	for (size_t i = 0; i < p->n_waiters; i++)
		turn_away(p->waiters[i].fd, "pool stopped before a slot was ready");
	p->n_waiters = 0;
	/* Idle keepers see their socket close and clean up, ready slots theirs
	 * (even one that holds the run socket still); busy ones pass SIGTERM
	 * to their container, as hull run does. */
	for (size_t i = 0; i < p->n_slots; i++) {
		struct slot *s = &p->slots[i];
		if (s->fd >= 0) {
			close(s->fd);
			s->fd = -1;
		}
		if (s->slot_fd >= 0) {
			close(s->slot_fd);
			s->slot_fd = -1;
		}
		if (s->state == SLOT_BUSY || s->state == SLOT_HANDING)
			kill(s->keeper, SIGTERM);
	}
}

/* Tell the client no slot will come soon: it starts normally (or
 * refuses, with --no-fallback). */
static void send_back(struct pool *p, int conn)
{
	consume(conn);
	hull_pool_send_text(conn, HULL_POOL_EMPTY, 0, NULL);
	close(conn);
	p->sent_back++;
}

void hull_pool_refill_failed(struct pool *p, const char *msg)
{
	snprintf(p->last_error, sizeof(p->last_error), "%s", msg);
	p->failures++;
	p->consecutive_failures++;
	unsigned shift = p->consecutive_failures < 9 ? (unsigned)p->consecutive_failures : 9;
	p->retry_at = hull_now_ns() + (10000000ull << shift); /* 20 ms .. 5 s */
	if (p->notify >= 0) {
		hull_pool_notify(p, HULL_POOL_ERROR, msg);
		begin_stop(p);
	}
	/* Queued requests without --wait are not kept through a back-off. */
	size_t kept = 0;
	for (size_t i = 0; i < p->n_waiters; i++) {
		if (p->waiters[i].rq.flags & HULL_POOL_WAIT)
			p->waiters[kept++] = p->waiters[i];
		else
			send_back(p, p->waiters[i].fd);
	}
	p->n_waiters = kept;
}

/* Give conn to a ready slot; false when none could take it. The slot
 * reads the request from the client itself, gives the connection to its
 * keeper (exit status, the request's timeouts) and execs; the keeper says
 * so (TAKEN, pool_slots.c). A slot that took a client from the run socket
 * at the same moment has shut its socket for reading (the send fails
 * here) or its keeper gives this one back. */
static bool hand_over(struct pool *p, int conn, const struct hull_pool_hdr *rq, bool queued)
{
	struct slot *s;
	struct hull_pool_hdr h = { .type = HULL_POOL_CONN };

	while ((s = hull_pool_ready_slot(p))) {
		int ret = hull_pool_send(s->slot_fd, &h, NULL, 0, &conn, 1);
		if (ret == 0) {
			s->state = SLOT_HANDING;
			s->handed_at = hull_now_ns();
			s->handed = true;
			s->handed_queued = queued;
			s->handed_rq = *rq;
			close(conn);
			return true;
		}
		/* Taken already (its keeper says so soon) or gone (reaped soon). */
		close(s->slot_fd);
		s->slot_fd = -1;
		s->state = SLOT_BUSY;
	}
	return false;
}

void hull_pool_requeue(struct pool *p, int conn, const struct hull_pool_hdr *rq)
{
	if (p->stopping || p->n_waiters >= MAX_WAITERS) {
		turn_away(conn, p->stopping ? "pool stopped before a slot was ready"
					    : "pool is busy: too many requests queued");
		return;
	}
	memmove(p->waiters + 1, p->waiters, p->n_waiters++ * sizeof(p->waiters[0]));
	p->waiters[0].fd = conn;
	p->waiters[0].rq = *rq;
}

/* A queued client that is gone (killed while it waited) must not take a
 * slot: the slot would run its command for nobody. */
static bool client_gone(int conn)
{
	struct pollfd pfd = { .fd = conn, .events = POLLRDHUP };
	return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLRDHUP | POLLERR));
}

/* Ready slots go to queued requests first, oldest first. */
void hull_pool_serve_waiters(struct pool *p)
{
	while (p->n_waiters && hull_pool_ready_slot(p)) {
		int conn = p->waiters[0].fd;
		struct hull_pool_hdr rq = p->waiters[0].rq;
		memmove(p->waiters, p->waiters + 1, --p->n_waiters * sizeof(p->waiters[0]));
		if (client_gone(conn))
			close(conn);
		else if (!hand_over(p, conn, &rq, true))
			hull_pool_requeue(p, conn, &rq); /* every "ready" slot was taken */
	}
}

static unsigned long long pss_kb(pid_t pid)
{
	char path[64];
	unsigned long long kb = 0;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	hull_read_keyed_u64(path, "Pss:", &kb);
	return kb;
}

static void reply_status(struct pool *p, int conn)
{
	json_object *o = json_object_new_object();
	size_t ready = count(p, SLOT_READY);
	unsigned long long kb = 0;

	for (size_t i = 0; i < p->n_slots; i++)
		if (p->slots[i].state == SLOT_READY)
			kb += pss_kb(p->slots[i].keeper) + pss_kb(p->slots[i].container);
	json_object_object_add(o, "name", json_object_new_string(p->c->name));
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "rootfs", json_object_new_string(p->c->spec->rootfs));
	json_object_object_add(o, "size", json_object_new_int((int)p->c->size));
	json_object_object_add(o, "ready", json_object_new_int((int)ready));
	json_object_object_add(o, "starting", json_object_new_int((int)count(p, SLOT_STARTING)));
	json_object_object_add(
		o, "busy",
		json_object_new_int((int)(count(p, SLOT_BUSY) + count(p, SLOT_HANDING))));
	json_object_object_add(o, "served", json_object_new_int64((int64_t)p->served));
	json_object_object_add(o, "served_ready", json_object_new_int64((int64_t)p->served_ready));
	json_object_object_add(o, "served_queued",
			       json_object_new_int64((int64_t)p->served_queued));
	json_object_object_add(o, "sent_back", json_object_new_int64((int64_t)p->sent_back));
	json_object_object_add(o, "given_back", json_object_new_int64((int64_t)p->given_back));
	json_object_object_add(o, "idle_keepers", json_object_new_int((int)count(p, SLOT_IDLE)));
	json_object_object_add(o, "reused", json_object_new_int64((int64_t)p->reused));
	json_object_object_add(o, "failures", json_object_new_int64((int64_t)p->failures));
	json_object_object_add(o, "last_error",
			       p->last_error[0] ? json_object_new_string(p->last_error) : NULL);
	json_object_object_add(o, "idle_slot_pss_kib",
			       json_object_new_int64(ready ? (int64_t)(kb / ready) : 0));
	hull_pool_send_text(conn, HULL_POOL_STATUS, 0,
			    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

/* Whether a slot prepared now is likely to come: not after a failed
 * refill (until one succeeds again), where a request without --wait is
 * better off with a normal start. */
static bool refilling(const struct pool *p)
{
	return !p->stopping && p->consecutive_failures == 0;
}

/* Only the header, peeked at: a run request's payload and fds are the
 * slot's. True when a whole one is there. */
static bool peek_header(int conn, struct hull_pool_hdr *h)
{
	return recv(conn, h, sizeof(*h), MSG_PEEK | MSG_DONTWAIT) == (ssize_t)sizeof(*h);
}

/* A client's request header h is here: serve it. */
static void serve_request(struct pool *p, int conn, const struct hull_pool_hdr *rq)
{
	const struct hull_pool_hdr h = *rq;

	if (h.magic != HULL_POOL_MAGIC) {
		turn_away(conn, "malformed pool request");
		return;
	}
	switch (h.type) {
	case HULL_POOL_RUN:
		if (p->stopping) {
			turn_away(conn, "pool is stopping");
		} else if (hand_over(p, conn, &h, false)) {
		} else if (p->n_waiters < MAX_WAITERS &&
			   ((h.flags & HULL_POOL_WAIT) || refilling(p))) {
			/* Queued; hull_pool_refill() starts a slot for it. Without --wait the
			 * client is told (hull run -v says so). */
			p->waiters[p->n_waiters].fd = conn;
			p->waiters[p->n_waiters++].rq = h;
			if (!(h.flags & HULL_POOL_WAIT))
				hull_pool_send(conn,
					       &(struct hull_pool_hdr){ .type = HULL_POOL_QUEUED },
					       NULL, 0, NULL, 0);
		} else {
			send_back(p, conn);
		}
		break;
	case HULL_POOL_STATUS:
		consume(conn);
		reply_status(p, conn);
		close(conn);
		break;
	case HULL_POOL_STOP:
		consume(conn);
		if (p->stop_conn < 0)
			p->stop_conn = conn;
		else
			close(conn);
		begin_stop(p);
		break;
	default:
		turn_away(conn, "malformed pool request");
	}
}

/* The run socket is the ready slots' to accept on; the supervisor takes
 * its clients only while it counts none ready (they queue) -- or always,
 * where slots do not accept themselves. A slot that took a client is
 * counted ready until its keeper's TAKEN: a request that comes meanwhile
 * waits in the backlog until then (a slot's way to its exec). */
static bool watch_run_socket(const struct pool *p)
{
	return p->listen_fd >= 0 && (!p->direct || !hull_pool_ready_slot((struct pool *)p));
}

/* One client from listen_fd; false when none was there. */
static bool accept_client(struct pool *p, int listen_fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (conn < 0)
		return false;
	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    (cred.uid != p->owner && cred.uid != 0)) {
		char msg[128];
		snprintf(msg, sizeof(msg), "cannot use pool '%s': it belongs to uid %u", p->c->name,
			 (unsigned)p->owner);
		turn_away(conn, msg);
		return true;
	}
	/* Usually the request came with the connection: serve it now. */
	struct hull_pool_hdr h;
	if (peek_header(conn, &h)) {
		serve_request(p, conn, &h);
		return true;
	}
	if (p->n_pending >= MAX_PENDING) {
		turn_away(conn, "pool is busy: too many connections at once");
		return true;
	}
	p->pending[p->n_pending].fd = conn;
	p->pending[p->n_pending++].since = hull_now_ns();
	return true;
}

/* The whole backlog of the run socket into the queue: a slot that becomes
 * ready then gets the oldest request from the supervisor, and finds no
 * newer one in the backlog to take first (and give the older back). */
static void drain_backlog(struct pool *p)
{
	for (int k = 0; k < MAX_WAITERS && watch_run_socket(p); k++)
		if (!accept_client(p, p->listen_fd))
			break;
}

/* Pending clients whose request arrived (or that took too long). */
static void serve_pending(struct pool *p, const struct pollfd *fds, nfds_t n)
{
	uint64_t now = hull_now_ns();

	for (size_t i = 0; i < p->n_pending;) {
		int fd = p->pending[i].fd;
		bool readable = false;
		for (nfds_t k = 0; k < n; k++)
			if (fds[k].fd == fd && fds[k].revents)
				readable = true;
		if (!readable && now - p->pending[i].since < PENDING_NS) {
			i++;
			continue;
		}
		p->pending[i] = p->pending[--p->n_pending];
		struct hull_pool_hdr h;
		if (!readable)
			turn_away(fd, "no pool request within a second");
		else if (!peek_header(fd, &h))
			turn_away(fd, "malformed pool request");
		else
			serve_request(p, fd, &h);
	}
}

static void on_signal(struct pool *p)
{
	struct signalfd_siginfo si;

	while (read(p->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			hull_pool_reap(p);
		else
			begin_stop(p);
	}
}

static int poll_once(struct pool *p)
{
	struct pollfd fds[MAX_SLOTS + MAX_PENDING + 3];
	bool keeper[MAX_SLOTS + MAX_PENDING + 3];
	nfds_t n = 0;
	int timeout = -1;
	uint64_t now = hull_now_ns();

	fds[n] = (struct pollfd){ .fd = p->sig_fd, .events = POLLIN };
	keeper[n++] = false;
	if (p->ctl_fd >= 0) {
		fds[n] = (struct pollfd){ .fd = p->ctl_fd, .events = POLLIN };
		keeper[n++] = false;
	}
	if (watch_run_socket(p)) {
		fds[n] = (struct pollfd){ .fd = p->listen_fd, .events = POLLIN };
		keeper[n++] = false;
	}
	for (size_t i = 0; i < p->n_slots; i++) {
		if (p->slots[i].fd < 0)
			continue;
		fds[n] = (struct pollfd){ .fd = p->slots[i].fd, .events = POLLIN };
		keeper[n++] = true;
	}
	for (size_t i = 0; i < p->n_pending; i++) {
		fds[n] = (struct pollfd){ .fd = p->pending[i].fd, .events = POLLIN };
		keeper[n++] = false;
		timeout = 1000;
	}
	if (p->stopping)
		timeout =
			now < p->stop_deadline ? (int)((p->stop_deadline - now) / 1000000) + 1 : 0;
	else if (p->retry_at > now)
		timeout = (int)((p->retry_at - now) / 1000000) + 1;
	else if (p->refill_after > now && (timeout < 0 || p->refill_after - now < 1000000000ull))
		timeout = (int)((p->refill_after - now) / 1000000) + 1;
	int ready = poll(fds, n, timeout);
	if (ready < 0)
		return errno == EINTR ? 0 : -errno;
	/* Keepers first: a slot that became ready serves a client below, one
	 * that was taken is no longer counted ready. */
	for (nfds_t i = 0; i < n; i++) {
		if (!keeper[i] || !fds[i].revents)
			continue;
		/* hull_pool_reap() may have moved slots; find it by its fd. */
		for (size_t k = 0; k < p->n_slots; k++)
			if (p->slots[k].fd == fds[i].fd)
				hull_pool_slot_message(p, &p->slots[k]);
	}
	serve_pending(p, fds, n);
	for (nfds_t i = 1; i < n && !keeper[i]; i++) {
		if (!fds[i].revents)
			continue;
		if (fds[i].fd == p->ctl_fd)
			accept_client(p, p->ctl_fd);
		else if (fds[i].fd == p->listen_fd)
			drain_backlog(p);
	}
	if (fds[0].revents)
		on_signal(p);
	return 0;
}

int hull_pool_serve(const struct hull_pool_config *c, int listen_fd, int ctl_fd, int notify_fd)
{
	static struct pool pool;
	struct pool *p = &pool;
	sigset_t set;

	long cpus = sysconf(_SC_NPROCESSORS_ONLN); /* once: it reads sysfs */
	*p = (struct pool){ .c = c,
			    .listen_fd = listen_fd,
			    .ctl_fd = ctl_fd,
			    .direct = !(c->spec->ns_flags & CLONE_NEWUSER),
			    .notify = notify_fd,
			    .stop_conn = -1,
			    .parallel = cpus > 1 ? (size_t)cpus * 2 : 2,
			    .owner = getuid() };
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	p->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (p->sig_fd < 0) {
		hull_pool_notify(p, HULL_POOL_ERROR, "cannot create a signalfd");
		return HULL_EXIT_RUNTIME;
	}
	for (;;) {
		hull_pool_refill(p);
		if (p->stopping && p->n_slots == 0)
			break;
		if (p->stopping && hull_now_ns() >= p->stop_deadline) {
			hull_pool_force_stop(p);
			p->stop_deadline = UINT64_MAX;
		}
		if (poll_once(p) < 0)
			begin_stop(p);
	}
	/* Keepers killed by force_stop left their cgroups: collect them. */
	struct hull_cg_mounts mounts;
	if (hull_limits_any(&c->spec->limits) && hull_cgroup_detect_self(&mounts, NULL) == 0)
		hull_cgroup_gc(&mounts, c->spec->limits.parent, NULL);
	hull_pool_state_remove(c->name);
	hull_pool_notify(p, HULL_POOL_ERROR, p->last_error[0] ? p->last_error : "pool stopped");
	if (p->stop_conn >= 0)
		hull_pool_send_text(p->stop_conn, HULL_POOL_STOPPED, 0, NULL);
	return 0;
}
