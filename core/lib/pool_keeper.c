/* pool_keeper.c — a slot's parent (POOL.md): an ordinary hull_run whose
 * container stops before exec; on_ready tells the supervisor the slot is
 * ready (the slot takes a client and reads the request itself, and sends
 * the connection here before its exec); from there the start, supervision
 * and cleanup are hull run's own, and the client gets its exit status from
 * here. After a clean
 * run the keeper offers itself for the next slot (a fresh hull_run: new
 * container, new namespaces), up to KEEPER_MAX_RUNS, which saves the
 * supervisor a fork and the keeper its exit per container. */
#include "container.h"
#include "pool_internal.h"
#include "pool_proto.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define KEEPER_MAX_RUNS 64 /* bounds whatever a run might leave in the keeper */

struct keeper {
	struct hull_spec *spec;
	int sup_fd;  /* to the supervisor */
	int peer_fd; /* to the slot: the client's connection comes on it */
	int conn;    /* the client, once taken */
	bool ready;  /* the slot was offered: it may take a client */
	bool told;   /* the client has its exit status */
	int trace;   /* hull_trace_fd before the start */
};

/* The slot is ready: the supervisor counts it. The slot takes a client
 * itself (from the run socket, or one the supervisor hands it); the keeper
 * does not wait for it here: hull_run goes on to wait for the slot's exec
 * (or its error), and the connection is taken then (take_client), so a
 * request wakes the keeper once, at the exec. A slot that ran in the
 * keeper's memory (the shared-memory spawn) told the supervisor itself:
 * the keeper was suspended until its exec or end, and comes here only
 * then; it takes its trace fd back first (slot.c). */
static int keeper_on_ready(pid_t pid, void *arg, struct hull_err *err)
{
	struct keeper *k = arg;
	struct hull_pool_hdr h = { .type = HULL_POOL_SLOT_READY, .value = pid };

	hull_trace_set_fd(k->trace);
	close(k->spec->command_fd); /* the slot's end */
	if (!hull_slot_told_ready() && hull_pool_send(k->sup_fd, &h, NULL, 0, NULL, 0) < 0)
		return hull_fail(err, ECANCELED, "pool stopped");
	k->ready = true;
	return 0;
}

/* The slot's socket to the supervisor, which came with the client: the
 * supervisor may have handed the slot a queued client meanwhile (it
 * counted the slot ready). Shut for reading first, so that from here a
 * hand-over fails at the supervisor's end; what came before goes back. */
static void report_taken(struct keeper *k, int slot_sock)
{
	struct hull_pool_hdr h = { .type = HULL_POOL_SLOT_TAKEN };
	int back = -1;

	if (slot_sock >= 0) {
		shutdown(slot_sock, SHUT_RD);
		struct hull_pool_hdr m;
		int fd;
		fcntl(slot_sock, F_SETFL, O_NONBLOCK);
		while (hull_pool_recv(slot_sock, &m, NULL, 0, &fd, 1) >= 0 && fd >= 0) {
			if (m.type == HULL_POOL_CONN && back < 0)
				back = fd;
			else
				close(fd);
		}
		close(slot_sock);
	}
	hull_pool_send(k->sup_fd, &h, NULL, 0, &back, back >= 0 ? 1 : 0);
	if (back >= 0)
		close(back);
}

/* The client's connection, which the slot sent before its exec (with the
 * request's timeouts): whenever the slot has exec'd or failed on a
 * request, it is here. Nothing comes when the slot ended unused (the pool
 * stops, or the slot was killed while it waited): the socket is at its
 * end then. */
static void take_client(struct keeper *k)
{
	struct hull_pool_hdr h;
	int fds[HULL_POOL_MAX_FDS];
	ssize_t n = hull_pool_recv(k->peer_fd, &h, NULL, 0, fds, HULL_POOL_MAX_FDS);

	/* fds: the client's connection, the slot's supervisor socket, and
	 * what the slot left to close here (its epoll, its end of peer_fd). */
	for (int i = 2; n >= 0 && i < HULL_POOL_MAX_FDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (n < 0 || h.type != HULL_POOL_CONN || fds[0] < 0) {
		for (int i = 0; n >= 0 && i < 2; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		return;
	}
	k->conn = fds[0];
	report_taken(k, fds[1]);
	if (h.flags & HULL_POOL_TIMEOUT) {
		k->spec->timeout_ns = h.timeout_ns;
		if (h.kill_after_ns)
			k->spec->kill_after_ns = h.kill_after_ns;
	}
	/* The connection's hang-up (the client died) and the client's
	 * signals (SIGNAL records) reach hull_run's supervision as a SIGHUP
	 * raised for this fd (supervise.h); what came before is seen by its
	 * first check. */
	int conn = k->conn;
	if (fcntl(conn, F_SETOWN, getpid()) == 0 && fcntl(conn, F_SETSIG, SIGHUP) == 0 &&
	    fcntl(conn, F_SETFL, fcntl(conn, F_GETFL) | O_ASYNC) == 0)
		k->spec->hangup_fd = conn;
}

/* The command was executed: the connection is taken for the supervision
 * (the client's hang-up, and the signals it sends on it). The client is
 * not told: it sleeps until the exit status. */
static void keeper_on_started(pid_t pid, void *arg)
{
	struct keeper *k = arg;

	(void)pid;
	hull_slot_forget();
	if (k->ready && k->conn < 0)
		take_client(k);
}

/* The status goes out before the slot's cgroup is read and removed: that
 * teardown is not the caller's to wait for. */
static void keeper_on_exited(int exit_status, void *arg)
{
	struct keeper *k = arg;

	hull_pool_send_text(k->conn, HULL_POOL_EXIT, exit_status, NULL);
	k->told = true;
}

/* The run is over: offer this keeper for another slot. True when the
 * supervisor wants one prepared (fds: the new slot's socket [, the run
 * socket]); false when it lets go (the pool stops, has keepers enough, or
 * is gone). */
static bool prepare_again(int sup_fd, int fds[2])
{
	struct hull_pool_hdr h = { .type = HULL_POOL_SLOT_IDLE };

	if (hull_pool_send(sup_fd, &h, NULL, 0, NULL, 0) < 0)
		return false;
	ssize_t n = hull_pool_recv(sup_fd, &h, NULL, 0, fds, 2);
	if (n >= 0 && h.type == HULL_POOL_SLOT_PREPARE && fds[0] >= 0)
		return true;
	for (int i = 0; n >= 0 && i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return false;
}

/* What the slot needs to wait for a client, queued on its socket before it
 * starts (it reads it before it is ready, slot.c); the keeper keeps none of
 * it: the run socket is held only by the supervisor and the ready slots,
 * so it goes with them. */
static int setup_slot(int peer_fd, int slot_sock, int listen_fd, const char *pool)
{
	struct hull_pool_hdr h = { .type = HULL_POOL_SLOT_SETUP, .value = (int32_t)getuid() };
	int fds[2] = { slot_sock, listen_fd };

	int ret = hull_pool_send(peer_fd, &h, pool, strlen(pool) + 1, fds, listen_fd >= 0 ? 2 : 1);
	close(slot_sock);
	if (listen_fd >= 0)
		close(listen_fd);
	return ret;
}

/* One slot, from prepare to the end of its request. 0 when it ran clean
 * (the keeper may prepare another), < 0 otherwise. */
static int keep_one(struct hull_spec *spec, int sup_fd, const int slot_fds[2], const char *pool,
		    int trace_slot)
{
	struct keeper k = { .spec = spec, .sup_fd = sup_fd, .conn = -1, .trace = hull_trace_fd };
	struct hull_result res;
	struct hull_err err = { 0 };
	int sp[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0 ||
	    setup_slot(sp[1], slot_fds[0], slot_fds[1], pool) < 0) {
		hull_pool_send_text(sup_fd, HULL_POOL_SLOT_FAILED, 0,
				    "cannot prepare a slot: out of memory or descriptors");
		_exit(HULL_EXIT_RUNTIME);
	}
	k.peer_fd = sp[1];
	spec->command_fd = sp[0];
	spec->command_peer_fd = sp[1];
	spec->on_ready = keeper_on_ready;
	spec->on_ready_arg = &k;
	spec->on_started = keeper_on_started;
	spec->on_started_arg = &k;
	spec->on_exited = keeper_on_exited;
	spec->on_exited_arg = &k;
	hull_slot_keeper_fds(sup_fd, trace_slot);

	int ret = hull_run(spec, &res, &err);
	hull_trace_set_fd(k.trace);
	hull_slot_forget();
	/* The slot failed on the request (before the exec): that is the
	 * client's error, and its connection is on its way. */
	if (ret < 0 && k.ready && k.conn < 0)
		take_client(&k);
	if (k.conn < 0) {
		/* No client: the slot failed to prepare (or the pool stopped). */
		if (ret < 0 && err.errnum != ECANCELED && !k.ready)
			hull_pool_send_text(sup_fd, HULL_POOL_SLOT_FAILED, 0, err.msg);
		exit(ret < 0 ? HULL_EXIT_RUNTIME : 0);
	}
	if (ret < 0 && !k.told)
		hull_pool_send_text(k.conn, HULL_POOL_ERROR,
				    err.exit_code ? err.exit_code : HULL_EXIT_RUNTIME, err.msg);
	else if (!k.told)
		hull_pool_send_text(k.conn, HULL_POOL_EXIT, res.exit_status, NULL);
	/* No more hang-up signals from this client: it is not ours any more. */
	fcntl(k.conn, F_SETFL, fcntl(k.conn, F_GETFL) & ~O_ASYNC);
	close(k.conn);
	close(k.peer_fd);
	return ret < 0 || res.timed_out ? -1 : 0;
}

void hull_pool_keeper(struct hull_spec *spec, const char *pool, int sup_fd, int slot_sock,
		      int listen_fd)
{
	/* Each run starts from the pool's spec (a run sets the request's
	 * timeouts and hang-up fd in it). */
	const struct hull_spec pool_spec = *spec;
	int slot_fds[2] = { slot_sock, listen_fd };
	/* Where a slot in the keeper's memory puts the client's trace fd:
	 * the keeper's own marks after that exec land here (slot.c). */
	int trace_slot = open("/dev/null", O_WRONLY | O_CLOEXEC);

	for (int runs = 1;; runs++) {
		*spec = pool_spec;
		if (keep_one(spec, sup_fd, slot_fds, pool, trace_slot) < 0 ||
		    runs >= KEEPER_MAX_RUNS || !prepare_again(sup_fd, slot_fds))
			break;
	}
	exit(0); /* as the supervisor (pool_client.c) */
}
