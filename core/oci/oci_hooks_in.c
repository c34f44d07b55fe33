/* oci_hooks_in.c — the hooks that run inside the container's namespaces,
 * the state JSON on their stdin, their timeout honoured:
 *
 *   startContainer   one more process in the created container, as `hull
 *                    exec` starts one (container_join.h), its path resolved
 *                    there
 *   createContainer  while the container's process waits after its mounts,
 *                    before its root switch: the executable opened in hull's
 *                    mount namespace (the spec's "runtime namespace"), run in
 *                    the container's namespaces (pid: joined, then forked)
 *                    with the container's pre-switch view of its rootfs as
 *                    cwd, as runc and crun run it
 *
 * See oci_hooks.h. */
#include "oci_hooks.h"
#include "container_join.h"
#include "ns.h"
#include "sync.h"
#include "supervise.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/limits.h>
#include <sched.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* argv: the path, then args[1..] (hull_exec runs argv[0]; args[0] is the
 * hook's name for itself, which the path replaces). */
static char **hook_argv(json_object *h, const char *path)
{
	json_object *args = NULL;
	json_object_object_get_ex(h, "args", &args);
	size_t n = args ? json_object_array_length(args) : 0;
	char **v = calloc(n + 2, sizeof(char *));

	if (!v)
		return NULL;
	v[0] = (char *)path;
	for (size_t i = 1; i < n; i++)
		v[i] = (char *)json_object_get_string(json_object_array_get_idx(args, i));
	return v;
}

/* Wait for pid (our child) at most timeout seconds (0: no bound); its
 * status, or -ETIMEDOUT after killing it. */
static int wait_bounded(pid_t pid, int timeout, int *status)
{
	int pidfd = hull_sys_pidfd_open(pid, 0);
	if (pidfd >= 0 && timeout > 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		int n;
		while ((n = poll(&p, 1, timeout * 1000)) < 0 && errno == EINTR)
			;
		if (n == 0) {
			kill(pid, SIGKILL);
			close(pidfd);
			hull_reap(pid);
			return -ETIMEDOUT;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* Wait for hook #i (our child pid) within its timeout; 0 when it exited
 * with status 0, else the one-line failure. */
static int wait_hook(pid_t pid, int timeout, const char *kind, size_t i, const char *path,
		     struct hull_err *err)
{
	int status, ret = wait_bounded(pid, timeout, &status);

	if (ret == -ETIMEDOUT)
		return hull_fail(err, ETIMEDOUT, "%s hook #%zu '%s' timed out after %d s", kind, i,
				 path, timeout);
	if (ret < 0)
		return hull_fail(err, -ret, "cannot wait for %s hook #%zu '%s'", kind, i, path);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return hull_fail(err, 0, "%s hook #%zu '%s' failed (%s %d)", kind, i, path,
				 WIFEXITED(status) ? "exit status" : "signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}

int hull_oci_hook_run_in(json_object *h, const char *kind, size_t i, const char *state_json,
			 pid_t target, struct hull_err *err)
{
	json_object *v, *env = NULL;
	const char *path =
		json_object_object_get_ex(h, "path", &v) ? json_object_get_string(v) : "";
	int timeout = json_object_object_get_ex(h, "timeout", &v) ? json_object_get_int(v) : 0;
	struct hull_spec spec;
	struct hull_join j = { .pid = -1 };
	int in[2] = { -1, -1 }, saved_stdin = -1, ret;
	char **argv = hook_argv(h, path);

	hull_spec_init(&spec);
	spec.seccomp_mode = HULL_SECCOMP_OFF;
	spec.no_new_privs = false;
	spec.detach = true;
	spec.env_exact = true;
	json_object_object_get_ex(h, "env", &env);
	ret = argv ? 0 : hull_fail(err, ENOMEM, "cannot run %s hook #%zu '%s'", kind, i, path);
	for (size_t k = 0; ret == 0 && env && k < json_object_array_length(env); k++)
		ret = hull_spec_add_env(
			&spec, json_object_get_string(json_object_array_get_idx(env, k)), err);
	if (ret == 0)
		ret = hull_spec_build_env(&spec, err);
	if (ret < 0)
		goto out;
	spec.argv = argv;
	for (spec.argc = 0; argv[spec.argc]; spec.argc++)
		;
	/* The state on stdin: a pipe (the state is far below its buffer)
	 * that stands in for hull's stdin while the hook is forked. */
	if (pipe2(in, O_CLOEXEC) < 0 ||
	    write(in[1], state_json, strlen(state_json)) != (ssize_t)strlen(state_json) ||
	    (saved_stdin = fcntl(0, F_DUPFD_CLOEXEC, 3)) < 0 || dup2(in[0], 0) < 0) {
		ret = hull_fail(err, errno, "cannot run %s hook #%zu '%s'", kind, i, path);
		goto out;
	}
	close(in[1]);
	in[1] = -1;
	fflush(NULL);
	ret = hull_join_spawn(&spec, target, NULL, &j, err);
	dup2(saved_stdin, 0);
	if (ret < 0) {
		hull_join_end(&j);
		goto out;
	}
	ret = wait_hook(j.pid, timeout, kind, i, path, err);
	hull_join_end(&j);
out:
	if (saved_stdin >= 0)
		close(saved_stdin);
	if (in[0] >= 0)
		close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	spec.argv = NULL;
	hull_spec_free(&spec);
	free(argv);
	return ret;
}

/* execveat(fd, "", AT_EMPTY_PATH) by number: musl has no wrapper. */
static void exec_fd(int fd, char **argv, char **envp)
{
	syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
}

/* In a joined user namespace, its root, as the container's process is at
 * this point (runc runs the hook from that process); where the namespace
 * maps no 0, hull's ids stay (shown as the overflow ids). */
static int become_ns_root(const int ns_fds[], struct hull_err *err)
{
	const struct hull_ns *user = hull_ns_by_flag(CLONE_NEWUSER);

	size_t slot = user ? (size_t)(user - hull_ns_table) : HULL_NS_SLOTS;

	if (slot >= HULL_NS_SLOTS || ns_fds[slot] < 0)
		return 0;
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		return hull_fail(err, errno, "cannot clear supplementary groups");
	if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
		return hull_fail(err, errno, "cannot become gid 0 in the user namespace");
	if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
		return hull_fail(err, errno, "cannot become uid 0 in the user namespace");
	return 0;
}

/* The createContainer hook's process (forked in the container's pid
 * namespace): the rest of the container's namespaces, the container's
 * pre-switch view of its rootfs as cwd, the state on stdin, then the
 * executable hull opened in its own mount namespace. Errors go back on
 * the report pipe; EOF there means it executed. */
static __attribute__((noreturn)) void before_root_child(struct hull_sync *sync, int ns_fds[],
							int exe, int cwd, int in, char **argv,
							char **envp, const char *what)
{
	struct hull_err err;
	sigset_t none;

	hull_sync_keep_child(sync);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* hull blocks some while it runs a start */
	if (dup2(in, 0) < 0) {
		hull_fail(&err, errno, "cannot give the state to %s", what);
	} else if (hull_join_enter_namespaces(ns_fds, &err) < 0) {
		/* err says which */
	} else if (become_ns_root(ns_fds, &err) < 0) {
		/* err says which */
	} else if (fchdir(cwd) < 0) {
		hull_fail(&err, errno, "cannot change to the container's rootfs for %s", what);
	} else {
		exec_fd(exe, argv, envp);
		/* A script's interpreter opens it as /dev/fd/N: that needs an
		 * fd that survives the exec (close-on-exec gives ENOENT). */
		int kept = errno == ENOENT ? dup(exe) : -1;
		if (kept >= 0)
			exec_fd(kept, argv, envp);
		hull_fail(&err, errno, "cannot execute %s", what);
		err.exit_code = 127;
	}
	hull_sync_report_error(sync, &err);
	_exit(127);
}

/* argv as the hook's args give it (args[0] its name for itself), or the
 * path alone; env exactly as given. */
static char **strings_of(json_object *h, const char *key, const char *first)
{
	json_object *list = NULL;
	json_object_object_get_ex(h, key, &list);
	size_t n = list ? json_object_array_length(list) : 0;
	char **v = calloc(n + 2, sizeof(char *));

	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = (char *)json_object_get_string(json_object_array_get_idx(list, i));
	if (!n && first)
		v[0] = (char *)first;
	return v;
}

/* The state, then EOF; a hook that does not read it gets EPIPE here, not
 * a SIGPIPE for hull. */
static void give_state(int fd, const char *state_json)
{
	sigset_t pipe_set, old;
	struct timespec zero = { 0, 0 };

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	(void)!write(fd, state_json, strlen(state_json));
	sigtimedwait(&pipe_set, NULL, &zero); /* drop a pending SIGPIPE */
	sigprocmask(SIG_SETMASK, &old, NULL);
}

int hull_oci_hook_run_before_root(json_object *h, const char *kind, size_t i,
				  const char *state_json, pid_t target, struct hull_err *err)
{
	json_object *v;
	const char *path =
		json_object_object_get_ex(h, "path", &v) ? json_object_get_string(v) : "";
	int timeout = json_object_object_get_ex(h, "timeout", &v) ? json_object_get_int(v) : 0;
	char **argv = strings_of(h, "args", path), **envp = strings_of(h, "env", NULL);
	int ns_fds[HULL_NS_SLOTS], in[2] = { -1, -1 }, exe = -1, cwd = -1, own_pid_ns = -1;
	int pid_slot = -1, ret;
	struct hull_sync sync;
	struct hull_err child_err;
	char where[64], what[PATH_MAX + 64];
	pid_t pid = -1;

	hull_sync_init(&sync);
	for (size_t k = 0; k < HULL_NS_SLOTS; k++)
		ns_fds[k] = -1;
	if (!argv || !envp) {
		ret = hull_fail(err, ENOMEM, "cannot run %s hook #%zu '%s'", kind, i, path);
		goto out;
	}
	/* The path resolves in hull's mount namespace, the spec's "runtime
	 * namespace"; the container's cwd right now is its rootfs as it sees
	 * it before the switch (the bound rootfs or the overlay). */
	exe = open(path, O_PATH | O_CLOEXEC);
	if (exe < 0) {
		ret = hull_fail(err, errno, "cannot execute %s hook #%zu '%s'", kind, i, path);
		goto out;
	}
	snprintf(where, sizeof(where), "/proc/%d/cwd", (int)target);
	cwd = open(where, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cwd < 0) {
		ret = hull_fail(err, errno, "cannot run %s hook #%zu '%s'", kind, i, path);
		goto out;
	}
	if ((ret = hull_join_open_namespaces(target, ns_fds, err)) < 0 ||
	    (ret = hull_sync_open(&sync, err)) < 0)
		goto out;
	if (pipe2(in, O_CLOEXEC) < 0) {
		ret = hull_fail(err, errno, "cannot run %s hook #%zu '%s'", kind, i, path);
		goto out;
	}
	/* setns on a pid namespace applies to children: join, fork, return. */
	for (size_t k = 0; k < hull_ns_count && k < HULL_NS_SLOTS; k++)
		if (hull_ns_table[k].flag == CLONE_NEWPID)
			pid_slot = (int)k;
	if (pid_slot >= 0 && ns_fds[pid_slot] >= 0) {
		own_pid_ns = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
		if (own_pid_ns < 0 || setns(ns_fds[pid_slot], CLONE_NEWPID) < 0) {
			ret = hull_fail(err, errno, "cannot join the container's pid namespace");
			goto out;
		}
	}
	snprintf(what, sizeof(what), "%s hook #%zu '%s'", kind, i, path);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		before_root_child(&sync, ns_fds, exe, cwd, in[0], argv, envp, what);
	if (own_pid_ns >= 0)
		setns(own_pid_ns, CLONE_NEWPID);
	if (pid < 0) {
		ret = hull_fail(err, errno, "cannot run %s hook #%zu '%s'", kind, i, path);
		goto out;
	}
	hull_sync_keep_parent(&sync);
	close(in[0]);
	in[0] = -1;
	give_state(in[1], state_json);
	close(in[1]);
	in[1] = -1;
	int type = hull_sync_read_report(&sync, &child_err, err);
	if (type == HULL_REPORT_ERROR) {
		hull_reap(pid);
		pid = -1;
		*err = child_err;
		ret = child_err.errnum ? -child_err.errnum : -EINVAL;
		goto out;
	}
	ret = wait_hook(pid, timeout, kind, i, path, err);
	pid = -1;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		hull_reap(pid);
	}
	hull_sync_close(&sync);
	for (size_t k = 0; k < HULL_NS_SLOTS; k++)
		if (ns_fds[k] >= 0)
			close(ns_fds[k]);
	for (int k = 0; k < 2; k++)
		if (in[k] >= 0)
			close(in[k]);
	if (exe >= 0)
		close(exe);
	if (cwd >= 0)
		close(cwd);
	if (own_pid_ns >= 0)
		close(own_pid_ns);
	free(argv);
	free(envp);
	return ret;
}
