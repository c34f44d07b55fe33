/* pool_supervisor.h — the supervisor's state, shared by its two files:
 * pool.c (requests: accept, hand over, queue, status, stop) and
 * pool_slots.c (keepers: prepare, reuse, refill, reap). Not exported. */
#ifndef HULL_POOL_SUPERVISOR_H
#define HULL_POOL_SUPERVISOR_H

#include "pool_internal.h"
#include "pool_proto.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define MAX_SLOTS     (HULL_POOL_MAX_SIZE * 4)
#define MAX_WAITERS   64
#define MAX_PENDING   64
#define PENDING_NS    (1000000000ull) /* a client has this long to send its request */
#define STOP_GRACE_NS (10ull * 1000000000ull)

#define HANDING_NS (2000000ull) /* a hand-over's way to the exec, about */

/* READY: waiting for a client, in accept on the run socket (or for one
 * the supervisor hands over); it may have taken one already, which its
 * keeper reports (TAKEN) when the command is executed. HANDING: a client
 * was handed over or taken less than HANDING_NS ago; BUSY: after that;
 * IDLE: a keeper whose run is over, waiting to prepare another slot. */
enum slot_state { SLOT_STARTING, SLOT_READY, SLOT_HANDING, SLOT_BUSY, SLOT_IDLE };

struct slot {
	pid_t keeper;
	pid_t container;
	int fd;	     /* to the keeper; -1 once it is gone */
	int slot_fd; /* to the slot itself (its close lets the slot go); -1 once taken */
	enum slot_state state;
	uint64_t handed_at; /* HANDING since */
	/* A client the supervisor handed over (queued: one that found no slot
	 * ready), until the keeper says the slot took it -- or took another
	 * from the run socket and gives this one back. */
	bool handed, handed_queued;
	struct hull_pool_hdr handed_rq;
};

struct pool {
	const struct hull_pool_config *c;
	int listen_fd, ctl_fd, sig_fd, notify;
	/* The ready slots accept run requests themselves (no user namespace:
	 * their SO_PEERCRED check sees host uids); else the supervisor does. */
	bool direct;
	struct slot slots[MAX_SLOTS];
	size_t n_slots;
	struct {
		int fd;
		struct hull_pool_hdr rq; /* the request's header */
	} waiters[MAX_WAITERS];		 /* requests that found no slot ready, oldest first */
	size_t n_waiters;
	size_t parallel; /* slots prepared at once while nobody waits */
	struct {
		int fd;
		uint64_t since;
	} pending[MAX_PENDING]; /* accepted, request not read yet */
	size_t n_pending;
	/* served = served_ready + served_queued; sent_back: told EMPTY (the
	 * client starts normally or refuses). */
	unsigned long long served, served_ready, served_queued, sent_back;
	/* given_back: queued clients handed to a slot that took another from
	 * the run socket at the same moment, queued again */
	unsigned long long given_back;
	unsigned long long reused; /* slots prepared by a keeper that ran one before */
	unsigned long long failures, consecutive_failures;
	uint64_t retry_at;     /* back-off after a failed refill */
	uint64_t refill_after; /* the refill waits for hand-overs until then; 0: it does not */
	char last_error[sizeof(((struct hull_err *)0)->msg)];
	bool stopping;
	uint64_t stop_deadline;
	int stop_conn;
	uid_t owner;
};

static inline size_t count(const struct pool *p, enum slot_state s)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n_slots; i++)
		n += p->slots[i].state == s;
	return n;
}

/* pool_slots.c */
void hull_pool_refill(struct pool *p);
struct slot *hull_pool_ready_slot(struct pool *p);
void hull_pool_slot_message(struct pool *p, struct slot *s);
void hull_pool_reap(struct pool *p);
void hull_pool_force_stop(struct pool *p);

/* pool.c */
void hull_pool_notify(struct pool *p, int type, const char *msg);
void hull_pool_refill_failed(struct pool *p, const char *msg);
void hull_pool_serve_waiters(struct pool *p);
/* A client handed over but given back (its slot took another): it goes
 * first again. */
void hull_pool_requeue(struct pool *p, int conn, const struct hull_pool_hdr *rq);

#endif
