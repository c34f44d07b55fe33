/* signal_reset.c — see signal_reset.h. */
#include "signal_reset.h"

#include <signal.h>
#include <stddef.h>

void hull_signals_reset(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t empty;

	/* Only the ignored ones need a second call (execve resets handlers);
	 * glibc refuses its two internal signals, which nobody ignores. */
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction old;
		if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			sigaction(sig, &dfl, NULL);
	}
	sigemptyset(&empty);
	sigprocmask(SIG_SETMASK, &empty, NULL);
}
