/* supervise.c — signal forwarding and reaping; see supervise.h. */
#include "supervise.h"

#include <errno.h>
#include <sys/wait.h>

const int hull_forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
const int hull_forwarded_signals_count =
	(int)(sizeof(hull_forwarded_signals) / sizeof(hull_forwarded_signals[0]));

static void supervised_set(sigset_t *set)
{
	sigemptyset(set);
	for (int i = 0; i < hull_forwarded_signals_count; i++)
		sigaddset(set, hull_forwarded_signals[i]);
	sigaddset(set, SIGCHLD);
}

int hull_signals_block(sigset_t *saved, struct hull_err *err)
{
	sigset_t set;
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	/* An inherited SIG_IGN for SIGCHLD would make the kernel reap the
	 * container itself and waitpid() would never see its status. */
	if (sigaction(SIGCHLD, &dfl, NULL) < 0)
		return hull_fail(err, errno, "cannot reset SIGCHLD");
	supervised_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, saved) < 0)
		return hull_fail(err, errno, "cannot block signals");
	return 0;
}

void hull_signals_restore(const sigset_t *saved)
{
	sigprocmask(SIG_SETMASK, saved, NULL);
}

int hull_reap(pid_t pid)
{
	int status;
	pid_t r;
	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	return r == pid ? status : -ECHILD;
}

int hull_supervise(pid_t pid, struct hull_err *err)
{
	sigset_t set;
	supervised_set(&set);

	for (;;) {
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return hull_fail(err, errno, "cannot wait for the container");

		/* SIGCHLD stays blocked, so one that arrives after the waitpid
		 * above is pending here and wakes us: no lost wake-up. */
		int sig = sigwaitinfo(&set, NULL);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			return hull_fail(err, errno, "cannot wait for signals");
		}
		if (sig != SIGCHLD)
			kill(pid, sig);
	}
}

int hull_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return HULL_EXIT_RUNTIME;
}
