/* pool_slots.c — a pool's keepers, from the supervisor's side (POOL.md):
 * fork a keeper per slot, or give an idle keeper the next one; keep the
 * pool at its size plus one slot per queued request; take the keepers'
 * messages (ready, busy, idle, failed); reap them. */
#include "pool_supervisor.h"
#include "pool_proto.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* fd moved to number want in a child about to close the rest (with
 * close_range): first out of the way of the others, then into place. */
static int fd_above(int fd)
{
	return fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 16);
}

/* A slot's socket to the supervisor: the slot holds one end (the keeper
 * passes it on), the supervisor the other as slot_fd, whose close lets the
 * slot go. */
static bool slot_socket(struct slot *s, int *slot_end)
{
	int sq[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sq) < 0)
		return false;
	s->slot_fd = sq[1];
	*slot_end = sq[0];
	return true;
}

/* The run socket for a slot to accept on, where slots do. */
static int slot_listen_fd(const struct pool *p)
{
	return p->direct ? p->listen_fd : -1;
}

static void spawn_keeper(struct pool *p)
{
	int sp[2], slot_end;
	pid_t pid;
	struct slot s = { .fd = -1, .slot_fd = -1, .state = SLOT_STARTING };

	if (p->n_slots >= MAX_SLOTS)
		return;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return;
	if (!slot_socket(&s, &slot_end)) {
		close(sp[0]);
		close(sp[1]);
		return;
	}
	pid = fork();
	if (pid < 0) {
		char msg[128];
		snprintf(msg, sizeof(msg), "cannot fork a keeper: %s", strerror(errno));
		close(sp[0]);
		close(sp[1]);
		close(slot_end);
		close(s.slot_fd);
		hull_pool_refill_failed(p, msg);
		return;
	}
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* Nothing of the supervisor but its own socket, the slot's and
		 * the run socket (passed to the slot, then closed). */
		int sup = fd_above(sp[1]), slot = fd_above(slot_end),
		    listen = fd_above(slot_listen_fd(p));
		if (sup < 0 || slot < 0 || dup2(sup, 3) < 0 || dup2(slot, 4) < 0 ||
		    (listen >= 0 && dup2(listen, 5) < 0))
			_exit(HULL_EXIT_RUNTIME);
		close_range(listen >= 0 ? 6 : 5, ~0U, 0);
		for (int fd = 3; fd <= 5; fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
		hull_pool_keeper(p->c->spec, p->c->name, 3, 4, listen >= 0 ? 5 : -1);
	}
	close(sp[1]);
	close(slot_end);
	s.keeper = pid;
	s.fd = sp[0];
	p->slots[p->n_slots++] = s;
}

/* How many keepers may wait idle: the pool's size plus one per command
 * running now. While K clients start containers back to back, each
 * finished run's keeper is the one the next request's replacement slot
 * needs; ending it there and forking another a moment later cost the
 * supervisor a fork and the keeper its exit (at 16 at once one slot in
 * five came from a new keeper). As the runs end, the surplus is let go
 * (trim_idle), back to the pool's size. */
static size_t idle_cap(const struct pool *p)
{
	return p->c->size + count(p, SLOT_HANDING) + count(p, SLOT_BUSY);
}

static void release(struct slot *s)
{
	close(s->fd); /* the keeper sees it when it asks, and ends; reaped soon */
	s->fd = -1;
	s->state = SLOT_BUSY;
}

static void trim_idle(struct pool *p)
{
	size_t idle = count(p, SLOT_IDLE), cap = idle_cap(p);

	for (size_t i = 0; i < p->n_slots && idle > cap; i++) {
		if (p->slots[i].state == SLOT_IDLE) {
			release(&p->slots[i]);
			idle--;
		}
	}
}

/* An idle keeper prepares the next slot: no fork. */
static bool reuse_keeper(struct pool *p)
{
	for (size_t i = 0; i < p->n_slots; i++) {
		struct slot *s = &p->slots[i];
		int fds[2], slot_end;
		if (s->state != SLOT_IDLE)
			continue;
		if (!slot_socket(s, &slot_end))
			return false;
		fds[0] = slot_end;
		fds[1] = slot_listen_fd(p);
		struct hull_pool_hdr h = { .type = HULL_POOL_SLOT_PREPARE };
		int ret = hull_pool_send(s->fd, &h, NULL, 0, fds, fds[1] >= 0 ? 2 : 1);
		close(slot_end);
		if (ret == 0) {
			s->state = SLOT_STARTING;
			p->reused++;
			return true;
		}
		close(s->slot_fd);
		s->slot_fd = -1;
		release(s); /* gone */
	}
	return false;
}

void hull_pool_refill(struct pool *p)
{
	uint64_t now = hull_now_ns();

	p->refill_after = 0;
	if (p->stopping || now < p->retry_at)
		return;
	/* While a request is on its way to its exec and half the slots are
	 * still ready, the refill waits: on a small machine it would compete
	 * with that request for the CPU. */
	uint64_t handing_until = 0;
	for (size_t i = 0; i < p->n_slots; i++) {
		struct slot *s = &p->slots[i];
		if (s->state != SLOT_HANDING)
			continue;
		if (now - s->handed_at >= HANDING_NS)
			s->state = SLOT_BUSY;
		else if (s->handed_at + HANDING_NS > handing_until)
			handing_until = s->handed_at + HANDING_NS;
	}
	size_t ready = count(p, SLOT_READY);
	if (handing_until && ready * 2 >= p->c->size && ready > 0) {
		p->refill_after = handing_until;
		return;
	}
	/* The pool grows with demand: one slot more for each queued request
	 * (at most MAX_WAITERS beyond its size); the surplus serves later
	 * requests and is not replaced. A few slots prepare at once (a start
	 * waits on the kernel as much as it computes), not more: they compete
	 * with requests for the CPU. While requests wait, nothing else needs
	 * the CPU, and each waiting request gets its slot started at once. */
	size_t want = p->c->size + p->n_waiters;
	size_t parallel = p->n_waiters > p->parallel ? p->n_waiters : p->parallel;
	/* After a failed refill, one at a time until one succeeds: where a
	 * limit (pids, memory) leaves room for one slot, two started together
	 * can both fail, and again at every retry. */
	if (p->consecutive_failures)
		parallel = 1;
	while (count(p, SLOT_READY) + count(p, SLOT_STARTING) < want &&
	       count(p, SLOT_STARTING) < parallel) {
		if (reuse_keeper(p))
			continue;
		size_t before = p->n_slots;
		if (p->n_slots < MAX_SLOTS)
			spawn_keeper(p);
		if (p->n_slots == before)
			break;
	}
	if (!p->n_waiters)
		trim_idle(p);
}

struct slot *hull_pool_ready_slot(struct pool *p)
{
	for (size_t i = 0; i < p->n_slots; i++)
		if (p->slots[i].state == SLOT_READY)
			return &p->slots[i];
	return NULL;
}

/* The keeper says its slot took a client (at the exec, or as the slot
 * failed on the request): it is not ready any more; the refill replaces
 * it. back: a client this supervisor handed it meanwhile, not taken. */
static void slot_taken(struct pool *p, struct slot *s, int back)
{
	bool queued = s->handed && s->handed_queued && back < 0;

	if (s->slot_fd >= 0) {
		close(s->slot_fd);
		s->slot_fd = -1;
	}
	p->served++;
	if (queued)
		p->served_queued++;
	else
		p->served_ready++;
	s->handed = false;
	if (back >= 0) {
		p->given_back++;
		hull_pool_requeue(p, back, &s->handed_rq);
	}
	if (s->state == SLOT_READY || s->state == SLOT_HANDING) {
		s->state = SLOT_HANDING; /* on its way to the exec, about */
		s->handed_at = hull_now_ns();
	}
	/* Taken while the pool stops: as the busy ones then. */
	if (p->stopping)
		kill(s->keeper, SIGTERM);
	hull_pool_serve_waiters(p);
}

void hull_pool_slot_message(struct pool *p, struct slot *s)
{
	struct hull_pool_hdr h;
	char msg[sizeof(p->last_error)];
	int fd;
	ssize_t n = hull_pool_recv(s->fd, &h, msg, sizeof(msg) - 1, &fd, 1);

	if (n < 0) {
		/* The keeper ended (or spoke nonsense): it is reaped soon. */
		close(s->fd);
		s->fd = -1;
		s->state = SLOT_BUSY;
		return;
	}
	msg[n] = '\0';
	if (h.type == HULL_POOL_SLOT_TAKEN) {
		slot_taken(p, s, fd);
	} else if (h.type == HULL_POOL_SLOT_READY && s->state == SLOT_STARTING) {
		s->state = SLOT_READY;
		s->container = h.value;
		p->consecutive_failures = 0;
		if (fd >= 0)
			close(fd);
		hull_pool_serve_waiters(p);
		if (count(p, SLOT_READY) >= p->c->size)
			hull_pool_notify(p, HULL_POOL_STARTED, NULL);
	} else if (h.type == HULL_POOL_SLOT_IDLE &&
		   (s->state == SLOT_BUSY || s->state == SLOT_HANDING) && !p->stopping &&
		   count(p, SLOT_IDLE) < idle_cap(p)) {
		s->state = SLOT_IDLE; /* hull_pool_refill() gives it the next slot */
	} else {
		if (fd >= 0)
			close(fd);
		if (h.type == HULL_POOL_SLOT_FAILED)
			hull_pool_refill_failed(p, msg);
		if (h.type == HULL_POOL_SLOT_IDLE) {
			/* Keepers enough: this one ends. */
			close(s->fd);
			s->fd = -1;
		}
	}
}

void hull_pool_reap(struct pool *p)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < p->n_slots; i++) {
			if (p->slots[i].keeper != pid)
				continue;
			if (p->slots[i].fd >= 0)
				close(p->slots[i].fd);
			if (p->slots[i].slot_fd >= 0)
				close(p->slots[i].slot_fd);
			p->slots[i] = p->slots[--p->n_slots];
			break;
		}
	}
}

/* Past the stop's grace: kill what is left; their cgroups, named after
 * dead keepers, are collected as any killed hull run's. */
void hull_pool_force_stop(struct pool *p)
{
	for (size_t i = 0; i < p->n_slots; i++)
		kill(p->slots[i].keeper, SIGKILL);
}
