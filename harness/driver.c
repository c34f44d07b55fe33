/* driver.c — prepare a runtime's command line (the table's builder, see
 * runtimes.c) and run one container with captured output; see driver.h.
 *
 * Every runtime is spawned the same way: posix_spawn of its own program
 * by the harness thread that times it, the clock read just before the
 * spawn and just after the reap. A runtime that needs another mount
 * namespace (crun on a hybrid host) gets it by the spawning thread joining
 * it outside the timed span (env.h), never by a wrapper process. */
#include "argv.h"
#include "driver.h"
#include "env.h"
#include "ns.h"
#include "paths.h"
#include "sys.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h> /* PATH_MAX */
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_TIMEOUT_MS 10000

int hh_launch_prepare(const struct hh_launch_config *cfg, struct hh_launch *l, struct hull_err *err)
{
	struct hh_argv a = { 0 };
	char why[256];
	int ret;

	memset(l, 0, sizeof(*l));
	l->id_index = -1;
	l->rt = hh_runtime_lookup(cfg->runtime);
	if (!l->rt)
		return hull_fail(err, 0, "unknown runtime '%s'", cfg->runtime ? cfg->runtime : "");
	if (!cfg->rootfs || cfg->rootfs[0] != '/')
		return hull_fail(err, 0, "rootfs '%s' is not an absolute path",
				 cfg->rootfs ? cfg->rootfs : "");
	if (!cfg->argv || !cfg->argv[0])
		return hull_fail(err, 0, "no command given");
	uint64_t extra = cfg->ns_flags & ~(l->rt->ns_choosable | l->rt->ns_always);
	if (extra) {
		char ns[128];
		hull_ns_format(extra, ns, sizeof(ns));
		return hull_fail(err, 0, "runtime '%s' cannot create namespaces '%s'", l->rt->name,
				 ns);
	}
	if (cfg->chroot && !l->rt->root_choosable)
		return hull_fail(err, 0, "runtime '%s' has no chroot mode", l->rt->name);
	l->cfg = *cfg;
	if (!l->cfg.timeout_ms)
		l->cfg.timeout_ms = DEFAULT_TIMEOUT_MS;
	l->ns_effective = hh_launch_effective_ns(l->rt, cfg->ns_flags);
	l->env = l->rt->cgroup_v1_only && hh_host_is_hybrid() ? HH_ENV_CGROUP_V1 : HH_ENV_HOST;

	if (l->rt->program) {
		l->runtime_bin = hh_runtime_program(l->rt, cfg->bin_dir, why, sizeof(why));
		if (!l->runtime_bin)
			return hull_fail(err, 0, "runtime '%s' is not available: %s", l->rt->name,
					 why);
	}
	ret = l->rt->build_argv(&a, l, err);
	if (ret == 0 && a.oom)
		ret = hull_fail(err, ENOMEM, "cannot build the command line");
	if (ret < 0) {
		hh_strv_free(a.v);
		hh_launch_release(l);
		return ret;
	}
	l->argv = a.v;
	if (l->rt->setup && (ret = l->rt->setup(l, err)) < 0) {
		hh_launch_release(l);
		return ret;
	}
	return 0;
}

void hh_launch_release(struct hh_launch *l)
{
	if (l->rt && l->rt->teardown && l->argv)
		l->rt->teardown(l);
	if (l->tmp_dir)
		hull_remove_tree(l->tmp_dir, NULL);
	free(l->tmp_dir);
	free(l->state_dir);
	free(l->runtime_bin);
	hh_strv_free(l->argv);
	memset(l, 0, sizeof(*l));
	l->id_index = -1;
}

void hh_launch_result_free(struct hh_launch_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
	res->out_len = res->err_len = 0;
}

/* ---- one run --------------------------------------------------------- */

struct capture {
	int fd;
	char *buf;
	size_t len, cap;
};

/* Read what is there; returns false on EOF or error (fd closed). */
static bool drain(struct capture *c)
{
	for (;;) {
		if (c->cap - c->len < 4096) {
			size_t cap = c->cap ? c->cap * 2 : 16384;
			char *b = realloc(c->buf, cap);
			if (!b)
				break;
			c->buf = b;
			c->cap = cap;
		}
		ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0)
			break;
		c->len += (size_t)n;
	}
	close(c->fd);
	c->fd = -1;
	return false;
}

static uint64_t next_id(void)
{
	static uint64_t counter;
	return __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
}

/* Run argv to completion from the runtime's mount namespace, discarding
 * its output: the cleanup commands. */
static void run_quietly(const struct hh_launch *l, char *const *argv)
{
	posix_spawn_file_actions_t fa;
	struct hh_env_saved saved;
	pid_t pid;
	int ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (hh_env_enter(l->env, &saved, NULL) == 0) {
		ret = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
		hh_env_leave(&saved);
		if (ret == 0)
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
	}
	posix_spawn_file_actions_destroy(&fa);
}

/* A crun/runc container left behind by a killed runtime: delete it. */
static void oci_cleanup(const struct hh_launch *l, const char *id)
{
	char path[PATH_MAX];
	struct stat st;

	hh_pathf(path, sizeof(path), "%s/%s", l->state_dir, id);
	if (stat(path, &st) < 0)
		return;
	char *argv[] = { l->runtime_bin, "--root",   l->state_dir, "delete",
			 "--force",	 (char *)id, NULL };
	run_quietly(l, argv);
	hull_remove_tree(path, NULL);
}

static int spawn_runtime(const struct hh_launch *l, char **argv, int out_w, int err_w, pid_t *pid,
			 uint64_t *t_spawn, struct hull_err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct hh_env_saved saved;
	sigset_t none, deflt;
	int ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_w, 1);
	posix_spawn_file_actions_adddup2(&fa, err_w, 2);
	/* dup2 onto itself clears FD_CLOEXEC (POSIX 2008, glibc >= 2.29). */
	if (l->cfg.trace_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, l->cfg.trace_fd, l->cfg.trace_fd);
	/* Its own process group, so a timeout can kill the runtime and
	 * whatever it forked; a clean signal state whatever our threads block. */
	sigemptyset(&none);
	sigfillset(&deflt);
	sigdelset(&deflt, SIGKILL);
	sigdelset(&deflt, SIGSTOP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &deflt);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
						POSIX_SPAWN_SETPGROUP);
	/* The runtime's mount namespace is joined before the clock starts and
	 * left after the spawn returned: only the runtime is in the sample. */
	ret = hh_env_enter(l->env, &saved, err);
	if (ret < 0) {
		posix_spawn_file_actions_destroy(&fa);
		posix_spawnattr_destroy(&attr);
		return ret;
	}
	*t_spawn = hull_now_ns();
	ret = posix_spawn(pid, argv[0], &fa, &attr, argv, environ);
	hh_env_leave(&saved);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (ret != 0)
		return hull_fail(err, ret, "cannot start runtime '%s' ('%s')", l->rt->name,
				 argv[0]);
	return 0;
}

int hh_launch_run(const struct hh_launch *l, struct hh_launch_result *res, struct hull_err *err)
{
	struct capture out = { .fd = -1 }, errc = { .fd = -1 };
	int out_p[2] = { -1, -1 }, err_p[2] = { -1, -1 };
	char **argv = NULL;
	pid_t pid = -1;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	if (!l->argv)
		return hull_fail(err, 0, "launch is not prepared");

	/* A private argv: only the container id differs between runs. */
	size_t n = 0;
	while (l->argv[n])
		n++;
	argv = calloc(n + 1, sizeof(char *));
	if (!argv)
		return hull_fail(err, ENOMEM, "cannot start runtime '%s'", l->rt->name);
	memcpy(argv, l->argv, n * sizeof(char *));
	if (l->id_index >= 0) {
		snprintf(res->id, sizeof(res->id), "hull-%d-%llu", (int)getpid(),
			 (unsigned long long)next_id());
		argv[l->id_index] = res->id;
	}

	if (pipe2(out_p, O_CLOEXEC) < 0 || pipe2(err_p, O_CLOEXEC) < 0) {
		ret = hull_fail(err, errno, "cannot create pipes");
		for (int i = 0; i < 2; i++) {
			if (out_p[i] >= 0)
				close(out_p[i]);
			if (err_p[i] >= 0)
				close(err_p[i]);
		}
		goto out;
	}
	ret = spawn_runtime(l, argv, out_p[1], err_p[1], &pid, &res->t_spawn_ns, err);
	close(out_p[1]);
	close(err_p[1]);
	out.fd = out_p[0];
	errc.fd = err_p[0];
	if (ret < 0)
		goto out;
	fcntl(out.fd, F_SETFL, O_NONBLOCK);
	fcntl(errc.fd, F_SETFL, O_NONBLOCK);

	/* Read both pipes until the runtime and everything it started have
	 * closed them, or the deadline / a cancel comes. */
	uint64_t deadline = res->t_spawn_ns + (uint64_t)l->cfg.timeout_ms * 1000000ULL;
	bool killed = false;
	while (out.fd >= 0 || errc.fd >= 0) {
		struct pollfd p[3];
		int np = 0, io = -1, ie = -1, ic = -1;
		if (out.fd >= 0) {
			io = np;
			p[np++] = (struct pollfd){ .fd = out.fd, .events = POLLIN };
		}
		if (errc.fd >= 0) {
			ie = np;
			p[np++] = (struct pollfd){ .fd = errc.fd, .events = POLLIN };
		}
		if (l->cfg.cancel_fd >= 0 && !killed) {
			ic = np;
			p[np++] = (struct pollfd){ .fd = l->cfg.cancel_fd, .events = POLLIN };
		}
		uint64_t now = hull_now_ns();
		int wait_ms = now >= deadline ? 0 : (int)((deadline - now) / 1000000ULL) + 1;
		if (killed)
			wait_ms = 1000; /* the group is dead; its pipes close at once */
		int r = poll(p, (nfds_t)np, wait_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || (ic >= 0 && (p[ic].revents & POLLIN))) {
			if (killed)
				break; /* someone outside the group holds the pipe */
			if (r == 0)
				res->timed_out = true;
			else
				res->cancelled = true;
			kill(-pid, SIGKILL);
			killed = true;
			continue;
		}
		if (io >= 0 && p[io].revents)
			drain(&out);
		if (ie >= 0 && p[ie].revents)
			drain(&errc);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ret = hull_fail(err, errno, "cannot wait for runtime '%s'", l->rt->name);
			pid = -1;
			goto out;
		}
	}
	res->t_exit_ns = hull_now_ns();
	pid = -1;
	res->wait_status = status;
	res->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	if (pid > 0) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (out.fd >= 0)
		close(out.fd);
	if (errc.fd >= 0)
		close(errc.fd);
	if (l->id_index >= 0 && res->id[0])
		oci_cleanup(l, res->id);
	/* drain() always leaves room for the NUL. */
	res->out = out.buf ? out.buf : calloc(1, 1);
	res->out_len = out.buf ? out.len : 0;
	if (res->out)
		res->out[res->out_len] = '\0';
	res->err = errc.buf ? errc.buf : calloc(1, 1);
	res->err_len = errc.buf ? errc.len : 0;
	if (res->err)
		res->err[res->err_len] = '\0';
	free(argv);
	return ret;
}

int hh_launch_step(const struct hh_launch *l, char *const *argv, struct hh_step_result *res,
		   struct hull_err *err)
{
	int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int errfd = memfd_create("hh-step-stderr", MFD_CLOEXEC);
	int pidfd = -1, status = 0, ret;
	pid_t pid = -1;

	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	if (out < 0 || errfd < 0) {
		ret = hull_fail(err, errno, "cannot start runtime '%s'", l->rt->name);
		goto out;
	}
	ret = spawn_runtime(l, (char **)argv, out, errfd, &pid, &res->t_spawn_ns, err);
	if (ret < 0)
		goto out;
	/* Wait for the runtime only: its pidfd, not its pipes, which a
	 * container it created may hold open. */
	pidfd = hull_sys_pidfd_open(pid, 0);
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;
	do
		r = pidfd >= 0 ? poll(&p, 1, l->cfg.timeout_ms) : 1;
	while (r < 0 && errno == EINTR);
	if (r == 0)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			ret = hull_fail(err, errno, "cannot wait for runtime '%s'", l->rt->name);
			goto out;
		}
	res->t_exit_ns = hull_now_ns();
	if (r != 0)
		res->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	ssize_t n = pread(errfd, res->err, sizeof(res->err) - 1, 0);
	res->err[n > 0 ? n : 0] = '\0';
out:
	if (pidfd >= 0)
		close(pidfd);
	if (out >= 0)
		close(out);
	if (errfd >= 0)
		close(errfd);
	return ret;
}
