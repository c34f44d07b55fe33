/* hull-pool-run — `hull run --pool` without the cost of hull's own exec.
 *
 *   hull-pool-run --pool NAME [--env K=V] [--cwd DIR] [--timeout S]
 *                 [--kill-after S] [--wait] [--no-fallback] [--trace-fd N]
 *                 [--] CMD [ARG...]
 *
 * takes exactly the arguments `hull run` takes after "run" in pool mode.
 * It is linked statically against musl (core/pool-run/pool-run.mk): glibc's
 * static startup probes the CPU with dozens of cpuid instructions, each a
 * trap on a VM whose KVM traps cpuid (~1.3 ms on the build VM), musl's does
 * not. The request path is core/lib/pool_run.c, the very file the hull
 * binary compiles: one protocol, two builds.
 *
 * Whenever the pool cannot serve the request as sent (no such pool, the
 * pool sends it back, an option or value this client does not parse, -v,
 * --help), nothing has reached a slot yet, and it execs the `hull` next to
 * itself with "run" and the same arguments, so the semantics are hull's
 * (errors, the fallback to a normal start, --wait, -v). Once a slot took
 * the request, the outcome is reported here as hull reports it. */
#include "pool.h"
#include "pool_proto.h"
#include "trace.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ENV 1024

/* exec "<dir of this binary>/hull run ARGS": hull decides. It gets this
 * client's start for its trace, and writes every mark itself (this client
 * wrote none: the pool did not take the request). */
static __attribute__((noreturn)) void exec_hull(int argc, char **argv, uint64_t t_start)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - sizeof("/hull"));
	char **args = calloc((size_t)argc + 2, sizeof(*args));

	if (n <= 0 || !args) {
		fprintf(stderr, "hull-pool-run: cannot find the hull binary next to it\n");
		_exit(HULL_EXIT_RUNTIME);
	}
	path[n] = '\0';
	char *slash = strrchr(path, '/');
	strcpy(slash ? slash + 1 : path, "hull");
	char t[32];
	snprintf(t, sizeof(t), "%llu", (unsigned long long)t_start);
	setenv(HULL_POOL_CLIENT_START_ENV, t, 1);
	args[0] = "hull";
	args[1] = "run";
	for (int i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	execv(path, args);
	fprintf(stderr, "hull-pool-run: cannot execute '%s': %s\n", path, strerror(errno));
	_exit(HULL_EXIT_RUNTIME);
}

/* As hull parses seconds (core/cli/pool_cli.c); anything else goes to hull. */
static bool parse_seconds(const char *arg, uint64_t *ns)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || *end || end == arg || !(v > 0) || v > 365.0 * 24 * 3600)
		return false;
	*ns = (uint64_t)(v * 1e9);
	return *ns > 0;
}

static bool parse_fd(const char *arg, int *fd)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (*end || end == arg || v < 0 || v > INT_MAX || fcntl((int)v, F_GETFD) < 0)
		return false;
	*fd = (int)v;
	return true;
}

/* The options hull's pool run takes, in their separate-argument form only;
 * false for anything else (hull handles it, with its own message). */
static bool parse(int argc, char **argv, struct hull_pool_request *rq, const char **env,
		  size_t env_cap, int *trace_fd, int *cmd)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(o, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(o, "--wait") == 0) {
			rq->flags |= HULL_POOL_WAIT;
			continue;
		}
		if (strcmp(o, "--no-fallback") == 0)
			continue; /* a request sent back goes to hull, which honours it */
		if (!arg)
			return false;
		i++;
		if (strcmp(o, "--pool") == 0)
			rq->name = arg;
		else if (strcmp(o, "--env") == 0 && strchr(arg, '=') && arg[0] != '=' &&
			 rq->envc < env_cap)
			env[rq->envc++] = arg;
		else if (strcmp(o, "--cwd") == 0 && arg[0] == '/')
			rq->cwd = arg;
		else if (strcmp(o, "--timeout") == 0 && parse_seconds(arg, &rq->timeout_ns))
			rq->flags |= HULL_POOL_TIMEOUT;
		else if (strcmp(o, "--kill-after") == 0 && parse_seconds(arg, &rq->kill_after_ns))
			rq->flags |= HULL_POOL_TIMEOUT;
		else if (!(strcmp(o, "--trace-fd") == 0 && parse_fd(arg, trace_fd)))
			return false;
	}
	if (i >= argc || !rq->name || hull_pool_check_name(rq->name, NULL) < 0)
		return false;
	if (rq->timeout_ns == 0 && rq->kill_after_ns)
		rq->flags &= ~HULL_POOL_TIMEOUT; /* --kill-after alone changes nothing */
	*cmd = i;
	return true;
}

int main(int argc, char **argv)
{
	uint64_t t_start = hull_now_ns();
	/* On the stack, sized to what the options can hold (an --env takes two
	 * arguments): a static array of MAX_ENV was 8 KiB of .bss, which
	 * pushed libc's own variables onto a page of their own (a fault). */
	const char *env[argc / 2 + 1 < MAX_ENV ? argc / 2 + 1 : MAX_ENV];
	struct hull_pool_request rq = { .env = env };
	struct hull_err err = { 0 };
	bool sent = false;
	int trace_fd = -1, cmd, status;

	if (!parse(argc, argv, &rq, env, sizeof(env) / sizeof(env[0]), &trace_fd, &cmd))
		exec_hull(argc, argv, t_start);
	rq.argv = argv + cmd;
	rq.sent = &sent;
	hull_trace_set_fd(trace_fd);
	rq.t_start = t_start;
	rq.t_parsed = hull_now_ns();

	int ret = hull_pool_run(&rq, &status, &err);
	/* No slot took it: hull asks once more, then starts normally, waits
	 * or refuses (--no-fallback), or says why the pool cannot serve. */
	if (ret == HULL_POOL_RUN_EMPTY || (ret < 0 && !sent))
		exec_hull(argc, argv, t_start);
	if (ret < 0) {
		fprintf(stderr, "hull: %s\n", err.msg);
		return err.exit_code ? err.exit_code : HULL_EXIT_RUNTIME;
	}
	return status;
}
