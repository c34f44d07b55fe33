/* supervise.c — signal forwarding and reaping; see supervise.h. */
#include "supervise.h"

#include "fileio.h"
#include "pool_proto.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* Whether pid catches or explicitly ignores sig (SigCgt/SigIgn in its
 * /proc status): then the signal is its business, as sent. */
static bool handles_signal(pid_t pid, int sig)
{
	char path[64], buf[4096];
	unsigned long long caught = 0, ignored = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (hull_read_file(path, buf, sizeof(buf), NULL) <= 0)
		return true; /* cannot tell: leave it to the kernel */
	const char *c = strstr(buf, "SigCgt:");
	const char *i = strstr(buf, "SigIgn:");
	if (c)
		caught = strtoull(c + 7, NULL, 16);
	if (i)
		ignored = strtoull(i + 7, NULL, 16);
	return ((caught | ignored) >> (sig - 1)) & 1;
}

static void forward(struct hull_supervision *sv, int sig)
{
	if (sv->emulate_pid1 && !handles_signal(sv->pid, sig)) {
		/* Every forwarded signal's default action ends the process. */
		sv->emulated_signal = sig;
		kill(sv->pid, SIGKILL);
		return;
	}
	kill(sv->pid, sig);
}

/* Reap what has ended; returns 1 with *status once sv->pid has. */
static int reap(struct hull_supervision *sv, int *status, struct hull_err *err)
{
	for (;;) {
		int st;
		pid_t r = waitpid(sv->reap_all ? -1 : sv->pid, &st, WNOHANG);
		if (r == sv->pid) {
			*status = st;
			return 1;
		}
		if (r > 0)
			continue; /* an orphan the init adopted */
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return hull_fail(err, errno, "cannot wait for the container");
		return 0;
	}
}

static bool is_forwarded(int sig)
{
	for (int i = 0; i < hull_forwarded_signals_count; i++)
		if (hull_forwarded_signals[i] == sig)
			return true;
	return false;
}

/* The pool client's connection: its end means nobody waits for this
 * container any more (SIGKILL); a SIGNAL record is a signal the client
 * got, forwarded as one sent to hull is. Whatever is there is taken: the
 * F_SETSIG signal is a standard one, so several records may have raised
 * it once, and records sent before the fd was watched raised none. */
static void check_hangup(struct hull_supervision *sv)
{
	while (sv->watch_hangup) {
		struct pollfd pfd = { .fd = sv->hangup_fd, .events = POLLIN | POLLRDHUP };
		if (poll(&pfd, 1, 0) <= 0)
			return;
		ssize_t n = -EPIPE;
		struct hull_pool_hdr h;
		int fd = -1;
		if (!(pfd.revents & (POLLHUP | POLLRDHUP | POLLERR | POLLNVAL)))
			n = hull_pool_recv(sv->hangup_fd, &h, NULL, 0, &fd, 1);
		if (fd >= 0)
			close(fd);
		if (n == -EPIPE) {
			sv->watch_hangup = false;
			kill(sv->pid, SIGKILL);
			return;
		}
		if (n == -EPROTO)
			continue; /* not a record of ours: dropped */
		if (n < 0)
			return;
		if (h.type == HULL_POOL_SIGNAL && is_forwarded(h.value))
			forward(sv, h.value);
	}
}

/* A signal the kernel raised for I/O on a descriptor (F_SETSIG), not one
 * somebody sent. */
static bool from_hangup_fd(const struct hull_supervision *sv, int sig, const siginfo_t *info)
{
	return sv->watch_hangup && sig == SIGHUP && info->si_code > 0 &&
	       info->si_code < SI_KERNEL && info->si_fd == sv->hangup_fd;
}

int hull_supervise_ex(struct hull_supervision *sv, struct hull_err *err)
{
	sigset_t set;
	siginfo_t info;
	uint64_t deadline = sv->timeout_ns ? hull_now_ns() + sv->timeout_ns : 0;

	supervised_set(&set);
	check_hangup(sv);
	for (;;) {
		int status = 0, ret = reap(sv, &status, err);
		if (ret < 0)
			return ret;
		if (ret == 1)
			return status;

		/* SIGCHLD stays blocked, so one that arrives after the waitpid
		 * above is pending here and wakes us: no lost wake-up. */
		int sig;
		if (deadline) {
			uint64_t now = hull_now_ns();
			uint64_t left = deadline > now ? deadline - now : 0;
			struct timespec ts = { (time_t)(left / 1000000000ull),
					       (long)(left % 1000000000ull) };
			sig = sigtimedwait(&set, &info, &ts);
			if (sig < 0 && errno == EAGAIN) {
				if (!sv->timed_out) {
					sv->timed_out = true;
					forward(sv, SIGTERM);
					deadline =
						hull_now_ns() + (sv->grace_ns ? sv->grace_ns : 1);
				} else {
					kill(sv->pid, SIGKILL);
					deadline = 0;
				}
				continue;
			}
		} else {
			sig = sigwaitinfo(&set, &info);
		}
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			return hull_fail(err, errno, "cannot wait for signals");
		}
		if (from_hangup_fd(sv, sig, &info))
			check_hangup(sv);
		else if (sig != SIGCHLD)
			forward(sv, sig);
	}
}

int hull_supervise(pid_t pid, struct hull_err *err)
{
	struct hull_supervision sv = { .pid = pid };
	return hull_supervise_ex(&sv, err);
}

int hull_supervised_exit_status(const struct hull_supervision *sv, int wstatus)
{
	if (sv->timed_out)
		return 124;
	if (sv->emulated_signal && WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
		return 128 + sv->emulated_signal;
	return hull_exit_status(wstatus);
}

int hull_exit_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return HULL_EXIT_RUNTIME;
}
