/* lifecycle.c — see lifecycle.h. */
#include "lifecycle.h"
#include "argv.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h> /* PATH_MAX */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const hh_lc_step_names[HH_LC_N] = { "create", "start", "delete", "sum" };

/* PROGRAM --root STATE [OPTIONS] VERB [ARGS...] ID */
static char **step_argv(const struct hh_launch *l, const char *verb, const char *const *args,
			const char *id)
{
	struct hh_argv a = { 0 };
	hh_argv_add(&a, l->runtime_bin);
	hh_argv_add(&a, "--root");
	hh_argv_add(&a, l->state_dir);
	hh_argv_add_all(&a, l->rt->options);
	hh_argv_add(&a, verb);
	hh_argv_add_all(&a, args);
	hh_argv_add(&a, id);
	if (a.oom) {
		hh_strv_free(a.v);
		return NULL;
	}
	return a.v;
}

/* One step; false (with out->error) when it could not run or failed. */
static bool step(const struct hh_launch *l, int which, const char *verb, const char *const *args,
		 const char *id, struct hh_lifecycle *out)
{
	struct hh_step_result r;
	struct hull_err err = { 0 };
	char **argv = step_argv(l, verb, args, id);

	if (!argv) {
		snprintf(out->error, sizeof(out->error), "%s: out of memory", verb);
		return false;
	}
	int ret = hh_launch_step(l, argv, &r, &err);
	hh_strv_free(argv);
	if (ret < 0) {
		snprintf(out->error, sizeof(out->error), "%s: %.200s", verb, err.msg);
		return false;
	}
	if (r.exit_code != 0) {
		r.err[strcspn(r.err, "\n")] = '\0';
		if (r.exit_code < 0)
			snprintf(out->error, sizeof(out->error), "%s: timed out", verb);
		else
			snprintf(out->error, sizeof(out->error), "%s: exit status %d: %.200s", verb,
				 r.exit_code, r.err);
		return false;
	}
	out->ns[which] = r.t_exit_ns - r.t_spawn_ns;
	out->ns[HH_LC_SUM] += out->ns[which];
	return true;
}

/* Wait (untimed) until the container's process has exited: its pid from
 * the pid file create wrote, watched through a pidfd. */
static bool wait_exited(const struct hh_launch *l, const char *pid_file, struct hh_lifecycle *out)
{
	char buf[32] = "";
	int fd = open(pid_file, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	pid_t pid = n > 0 ? (pid_t)strtol(buf, NULL, 10) : 0;
	if (pid <= 0) {
		snprintf(out->error, sizeof(out->error), "create: no pid in '%.200s'", pid_file);
		return false;
	}
	int pidfd = hull_sys_pidfd_open(pid, 0);
	if (pidfd < 0)
		return errno == ESRCH; /* already gone */
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int r;
	do
		r = poll(&p, 1, l->cfg.timeout_ms);
	while (r < 0 && errno == EINTR);
	close(pidfd);
	if (r <= 0) {
		snprintf(out->error, sizeof(out->error), "the container did not exit after start");
		return false;
	}
	return true;
}

int hh_lifecycle_run(const struct hh_launch *l, struct hh_lifecycle *out)
{
	static uint64_t counter;
	char id[64], pid_file[PATH_MAX];

	memset(out, 0, sizeof(*out));
	if (!l->rt->oci || !l->state_dir) {
		snprintf(out->error, sizeof(out->error), "runtime '%s' is not an OCI runtime",
			 l->rt->name);
		return -1;
	}
	snprintf(id, sizeof(id), "hh-lc-%d-%llu", (int)getpid(),
		 (unsigned long long)__atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
	snprintf(pid_file, sizeof(pid_file), "%s/%s.pid", l->tmp_dir, id);
	const char *const create_args[] = { "--bundle", l->tmp_dir, "--pid-file", pid_file, NULL };
	const char *const none[] = { NULL };
	bool ok = step(l, HH_LC_CREATE, "create", create_args, id, out) &&
		  step(l, HH_LC_START, "start", none, id, out) && wait_exited(l, pid_file, out) &&
		  step(l, HH_LC_DELETE, "delete", none, id, out);
	if (!ok) {
		/* Whatever state it is in: gone, untimed. */
		struct hh_lifecycle ignored = { 0 };
		const char *const force[] = { "--force", NULL };
		step(l, HH_LC_DELETE, "delete", force, id, &ignored);
	}
	unlink(pid_file);
	return ok ? 0 : -1;
}
