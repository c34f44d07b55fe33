/* supervise.h — hull's side while the command runs: forward signals to the
 * container, reap it, map its wait status to hull's exit status.
 *
 * The forwarded signals (and SIGCHLD) are blocked before the container is
 * created and taken with sigwaitinfo(), so none is lost between clone and
 * the first wait; the child restores the caller's mask before exec. */
#ifndef HULL_SUPERVISE_H
#define HULL_SUPERVISE_H

#include "error.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* SIGINT SIGTERM SIGHUP SIGQUIT SIGUSR1 SIGUSR2 */
extern const int hull_forwarded_signals[];
extern const int hull_forwarded_signals_count;

/* Block forwarded signals and SIGCHLD; the previous mask goes to *saved. */
int hull_signals_block(sigset_t *saved, struct hull_err *err);
void hull_signals_restore(const sigset_t *saved);

/* What hull_supervise_ex watches and how. */
struct hull_supervision {
	pid_t pid;     /* the process whose end ends the supervision */
	bool reap_all; /* as the container's init (--init): reap every child */
	/* pid is the init of a pid namespace, running the command itself: the
	 * kernel drops a signal it has no handler for. A forwarded signal whose
	 * default action would end the command then becomes SIGKILL, so Ctrl-C
	 * and SIGTERM stop `hull run ... sleep 100` as they stop `sleep 100`. */
	bool emulate_pid1;
	uint64_t timeout_ns; /* 0: none; else SIGTERM after it... */
	uint64_t grace_ns;   /* ...and SIGKILL this much later */
	/* A pool client's connection (POOL.md), set up O_ASYNC with F_SETSIG
	 * SIGHUP: when it hangs up, the container is SIGKILLed; a SIGNAL
	 * record on it (pool_proto.h) is forwarded as a signal sent to hull
	 * is (a SIGHUP sent by someone is forwarded as usual). */
	bool watch_hangup;
	int hangup_fd;
	/* results */
	bool timed_out;
	int emulated_signal; /* the signal that was turned into SIGKILL, or 0 */
};

/* Forward signals until sv->pid ends; returns its wait status (>= 0). */
int hull_supervise_ex(struct hull_supervision *sv, struct hull_err *err);

/* hull_supervise_ex with only forwarding. */
int hull_supervise(pid_t pid, struct hull_err *err);

/* The exit status hull reports for a supervised end: 124 after a timeout
 * (as timeout(1)), 128+N for an emulated signal N, else hull_exit_status. */
int hull_supervised_exit_status(const struct hull_supervision *sv, int wstatus);

/* Wait for pid without forwarding (after a setup failure). */
int hull_reap(pid_t pid);

/* The command's exit code, or 128+N when it died of signal N. */
int hull_exit_status(int wstatus);

#endif
