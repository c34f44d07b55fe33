/* oci_hooks_in.c — the hooks that run inside the container's namespaces
 * (startContainer): the hook is one more process in the container, as
 * `hull exec` starts one (container_join.h), with its path resolved there,
 * the state JSON on its stdin and its timeout. See oci_hooks.h. */
#include "oci_hooks.h"
#include "container_join.h"
#include "supervise.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int hull_oci_hook_run_in(json_object *h, const char *kind, size_t i, const char *state_json,
			 pid_t target, struct hull_err *err)
{
	json_object *v, *env = NULL;
	const char *path =
		json_object_object_get_ex(h, "path", &v) ? json_object_get_string(v) : "";
	int timeout = json_object_object_get_ex(h, "timeout", &v) ? json_object_get_int(v) : 0;
	struct hull_spec spec;
	struct hull_join j = { .pid = -1 };
	int in[2] = { -1, -1 }, saved_stdin = -1, status = 0, ret;
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
	ret = wait_bounded(j.pid, timeout, &status);
	hull_join_end(&j);
	if (ret == -ETIMEDOUT)
		ret = hull_fail(err, ETIMEDOUT, "%s hook #%zu '%s' timed out after %d s", kind, i,
				path, timeout);
	else if (ret < 0)
		ret = hull_fail(err, -ret, "cannot wait for %s hook #%zu '%s'", kind, i, path);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		ret = hull_fail(err, 0, "%s hook #%zu '%s' failed (%s %d)", kind, i, path,
				WIFEXITED(status) ? "exit status" : "signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
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
