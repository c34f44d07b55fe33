/* pool_proto.h — the messages between `hull run --pool`, a pool's
 * supervisor, its keepers and slots (POOL.md).
 *
 * Every message is one SOCK_SEQPACKET record: a fixed header, a payload,
 * and up to four fds (SCM_RIGHTS). A run request's payload is
 * NUL-separated strings: the cwd ("" for the pool's own), argc argv
 * strings, envc "K=V" strings. The same bytes go from the client to the
 * keeper and on to the slot, which decodes them after its privileges
 * are gone. */
#ifndef HULL_POOL_PROTO_H
#define HULL_POOL_PROTO_H

#include "error.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HULL_POOL_MAGIC	      0x6c6c7568u /* "hull" */
#define HULL_POOL_MAX_PAYLOAD (128 * 1024)
#define HULL_POOL_MAX_FDS     4

enum hull_pool_msg {
	HULL_POOL_RUN = 1,	/* client -> slot; fds 0-2 [, trace fd] */
	HULL_POOL_STATUS,	/* client -> supervisor; answered by STATUS (JSON) */
	HULL_POOL_STOP,		/* client -> supervisor; answered by STOPPED */
	HULL_POOL_STARTED,	/* supervisor -> `pool start`: the pool is full */
	HULL_POOL_EXIT,		/* keeper -> client: value = exit status */
	HULL_POOL_ERROR,	/* -> client: value = exit code, payload = message */
	HULL_POOL_EMPTY,	/* supervisor -> client: no slot is ready */
	HULL_POOL_STOPPED,	/* supervisor -> client: the pool is gone */
	HULL_POOL_SLOT_READY,	/* keeper -> supervisor: value = the slot's pid */
	HULL_POOL_SLOT_FAILED,	/* keeper -> supervisor: payload = why */
	HULL_POOL_CONN,		/* supervisor -> slot: fd = a queued client's connection;
				 * slot -> keeper: fds = the client's connection and the
				 * slot's supervisor socket, with the request's flags and
				 * timeouts */
	HULL_POOL_QUEUED,	/* supervisor -> client (no --wait): no slot was ready, one
				 * is prepared for the request */
	HULL_POOL_SLOT_IDLE,	/* keeper -> supervisor: done, can prepare another slot */
	HULL_POOL_SLOT_PREPARE, /* supervisor -> idle keeper: prepare another slot; fds
				 * as for SLOT_SETUP */
	HULL_POOL_SLOT_SETUP,	/* keeper -> its slot, before the start: fds = the slot's
				 * socket to the supervisor [, the pool's listening
				 * socket]; value = the pool's owner, payload = its name */
	HULL_POOL_SLOT_TAKEN,	/* keeper -> supervisor: the slot took a client; fd: a
				 * queued client the supervisor handed it meanwhile,
				 * back to the queue */
	HULL_POOL_SIGNAL,	/* client -> keeper, on the run connection after the
				 * request: value = a signal the client got, for the
				 * command (forwarded as hull run forwards it) */
};

/* Run request flags. */
#define HULL_POOL_WAIT	  0x1u /* wait for a slot rather than get EMPTY */
#define HULL_POOL_TIMEOUT 0x2u /* timeout_ns/kill_after_ns are set */
#define HULL_POOL_TRACE	  0x4u /* a 4th fd: the client's --trace-fd, for the slot's marks */

struct hull_pool_hdr {
	uint32_t magic;
	uint16_t type;
	uint16_t nfds;
	int32_t value;
	uint32_t flags;
	uint32_t argc, envc;
	uint64_t timeout_ns, kill_after_ns;
};

/* One record; fds are sent, not closed. Returns 0 or -errno. */
int hull_pool_send(int sock, struct hull_pool_hdr *h, const void *payload, size_t len,
		   const int *fds, int nfds);
/* A message of type with a text payload (NUL included). */
int hull_pool_send_text(int sock, int type, int value, const char *text);

/* Receive one record: the header, up to cap payload bytes, up to maxfds
 * fds (O_CLOEXEC, -1 where none came). Returns the payload length, -EPIPE
 * at end of stream, -EPROTO for a malformed record (its fds closed). */
ssize_t hull_pool_recv(int sock, struct hull_pool_hdr *h, void *payload, size_t cap, int *fds,
		       int maxfds);

/* The request, decoded in place: the strings point into the payload. */
struct hull_pool_run {
	const char *cwd; /* NULL: the pool's */
	char **argv;	 /* NULL-terminated array (malloc'd by hull_pool_decode_run) */
	char **env;	 /* NULL-terminated array (malloc'd by hull_pool_decode_run) */
};

/* Encode cwd (NULL for none), argv and env into buf; h gets type, argc,
 * envc. */
int hull_pool_encode_run(struct hull_pool_hdr *h, const char *cwd, char *const argv[],
			 const char *const env[], size_t envc, char *buf, size_t cap, size_t *len,
			 struct hull_err *err);
int hull_pool_decode_run(const struct hull_pool_hdr *h, char *buf, size_t len,
			 struct hull_pool_run *run, struct hull_err *err);
void hull_pool_run_free(struct hull_pool_run *run);
/* The same into the caller's arrays of argc + 1 and envc + 1 pointers
 * (a slot in its keeper's memory must not use the keeper's heap). */
int hull_pool_decode_run_into(const struct hull_pool_hdr *h, char *buf, size_t len,
			      struct hull_pool_run *run, char **argv, char **env,
			      struct hull_err *err);

/* base with every "K=V" of extra put over it (same K replaced, else
 * appended): a malloc'd NULL-terminated array of the same pointers. */
char **hull_env_merge(char *const base[], char *const extra[]);
/* The same into out (room for base's and extra's entries and a NULL);
 * returns the entries written. */
size_t hull_env_merge_into(char *const base[], char *const extra[], char **out);

/* A pool name: 1-64 of [A-Za-z0-9_.-], not starting with '.'. */
int hull_pool_check_name(const char *name, struct hull_err *err);

#endif
