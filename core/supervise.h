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
#include <sys/types.h>

/* SIGINT SIGTERM SIGHUP SIGQUIT SIGUSR1 SIGUSR2 */
extern const int hull_forwarded_signals[];
extern const int hull_forwarded_signals_count;

/* Block forwarded signals and SIGCHLD; the previous mask goes to *saved. */
int hull_signals_block(sigset_t *saved, struct hull_err *err);
void hull_signals_restore(const sigset_t *saved);

/* Forward signals to pid until it ends; returns its wait status (>= 0). */
int hull_supervise(pid_t pid, struct hull_err *err);

/* Wait for pid without forwarding (after a setup failure). */
int hull_reap(pid_t pid);

/* The command's exit code, or 128+N when it died of signal N. */
int hull_exit_status(int wstatus);

#endif
