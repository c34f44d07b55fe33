/* oci_hooks.c — config.json's hooks: checked at parse time, kept in the
 * container's state directory (hooks.json, so a config changed after
 * create has no effect, as the spec asks), and run in the runtime's
 * namespaces with the container's state JSON on stdin.
 *
 *   prestart, createRuntime  by create, once the container exists and
 *                            before its process may run (status created);
 *                            a failure fails create and removes it all
 *   poststart                by start, after the process was let go; a
 *                            failure is reported, the container stays
 *   poststop                 by delete, once the container is gone; a
 *                            failure is reported, delete completes
 *
 *   createContainer          by create, inside the container's namespaces
 *                            while its process waits after its mounts and
 *                            before its root switch (oci_hooks_in.c), its
 *                            path resolved in hull's; prestart and
 *                            createRuntime then run at that stop too, before
 *                            it; a failure fails create and removes it all
 *   startContainer           by start, inside the container's namespaces
 *                            (oci_hooks_in.c, as hull exec joins them), its
 *                            path resolved there, before the process is let
 *                            go; a failure fails start and stops the
 *                            container
 *
 * A hook runs with its path, args and env only; `timeout` (seconds) kills
 * it with SIGKILL and fails it. */
#include "oci_json.h"
#include "oci_hooks.h"
#include "fileio.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const kinds[] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
	NULL
};

static int check_strings(struct oci_ctx *c, json_object *o, const char *key, const char *field)
{
	json_object *list;
	char f[96];
	int ret;

	snprintf(f, sizeof(f), "%s.%s", field, key);
	if ((ret = hull_oci_get(c, o, key, json_type_array, f, &list)) < 0)
		return ret;
	for (size_t i = 0; list && i < json_object_array_length(list); i++)
		if (!json_object_is_type(json_object_array_get_idx(list, i), json_type_string))
			return hull_oci_invalid(c, f, "an array of strings");
	return 0;
}

int hull_oci_parse_hooks(struct oci_ctx *c, json_object *o)
{
	static const char *const hook_keys[] = { "path", "args", "env", "timeout", NULL };
	char field[96];
	int ret;

	if (!o)
		return 0;
	if ((ret = hull_oci_check_keys(c, o, "hooks", kinds)) < 0)
		return ret;
	for (size_t k = 0; kinds[k]; k++) {
		json_object *list;
		snprintf(field, sizeof(field), "hooks.%s", kinds[k]);
		if ((ret = hull_oci_get(c, o, kinds[k], json_type_array, field, &list)) < 0)
			return ret;
		size_t n = list ? json_object_array_length(list) : 0;
		for (size_t i = 0; i < n; i++) {
			json_object *h = json_object_array_get_idx(list, i);
			const char *path;
			bool present;
			int64_t timeout = 0;
			snprintf(field, sizeof(field), "hooks.%s[%zu]", kinds[k], i);
			if (!json_object_is_type(h, json_type_object))
				return hull_oci_invalid(c, field, "an object");
			if ((ret = hull_oci_check_keys(c, h, field, hook_keys)) < 0 ||
			    (ret = hull_oci_get_string(c, h, "path", field, true, &path)) < 0 ||
			    (ret = check_strings(c, h, "args", field)) < 0 ||
			    (ret = check_strings(c, h, "env", field)) < 0 ||
			    (ret = hull_oci_get_i64(c, h, "timeout", field, &present, &timeout)) <
				    0)
				return ret;
			if (path[0] != '/')
				return hull_oci_invalid(c, field, "an absolute path");
			if (present && (timeout < 1 || timeout > 86400))
				return hull_oci_invalid(c, field,
							"a timeout of 1 to 86400 seconds");
		}
	}
	c->cfg->hooks = o;
	return 0;
}

/* NULL-terminated copies of a JSON array of strings (pointers into it). */
static char **strings(json_object *o, const char *key, const char *first)
{
	json_object *list = NULL;
	size_t n;

	json_object_object_get_ex(o, key, &list);
	n = list ? json_object_array_length(list) : 0;
	char **v = calloc(n + 2, sizeof(char *));
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = (char *)json_object_get_string(json_object_array_get_idx(list, i));
	if (!n && first) /* no args: argv[0] is the path, as runc does */
		v[0] = (char *)first;
	return v;
}

/* Run one hook; 0, or < 0 with err saying which hook and why. */
static int run_one(json_object *h, const char *kind, size_t i, const char *state_json,
		   struct hull_err *err)
{
	json_object *v;
	const char *path =
		json_object_object_get_ex(h, "path", &v) ? json_object_get_string(v) : "";
	int timeout = json_object_object_get_ex(h, "timeout", &v) ? json_object_get_int(v) : 0;
	char **argv = strings(h, "args", path), **envp = strings(h, "env", NULL);
	int in[2] = { -1, -1 }, ret = 0, status = 0;
	pid_t pid = -1;

	if (!argv || !envp || pipe2(in, O_CLOEXEC) < 0) {
		ret = hull_fail(err, errno ? errno : ENOMEM, "cannot run %s hook #%zu '%s'", kind,
				i, path);
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		ret = hull_fail(err, errno, "cannot run %s hook #%zu '%s'", kind, i, path);
		goto out;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		execve(path, argv, envp);
		_exit(127);
	}
	close(in[0]);
	in[0] = -1;
	/* The state, then EOF; a hook that does not read it gets EPIPE here,
	 * not a SIGPIPE for hull. */
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	(void)!write(in[1], state_json, strlen(state_json));
	close(in[1]);
	in[1] = -1;
	struct timespec zero = { 0, 0 };
	sigtimedwait(&pipe_set, NULL, &zero); /* drop a pending SIGPIPE */
	sigprocmask(SIG_SETMASK, &old, NULL);

	int pidfd = hull_sys_pidfd_open(pid, 0);
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		int n;
		while ((n = poll(&p, 1, timeout > 0 ? timeout * 1000 : -1)) < 0 && errno == EINTR)
			;
		close(pidfd);
		if (n == 0) {
			kill(pid, SIGKILL);
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
			ret = hull_fail(err, ETIMEDOUT, "%s hook #%zu '%s' timed out after %d s",
					kind, i, path, timeout);
			goto out;
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		ret = hull_fail(err, ENOENT, "cannot execute %s hook #%zu '%s'", kind, i, path);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		ret = hull_fail(err, 0, "%s hook #%zu '%s' failed (%s %d)", kind, i, path,
				WIFEXITED(status) ? "exit status" : "signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
out:
	if (in[0] >= 0)
		close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	free(argv);
	free(envp);
	return ret;
}

bool hull_oci_hooks_has(struct json_object *hooks, const char *kind)
{
	json_object *list = NULL;

	return hooks && json_object_object_get_ex(hooks, kind, &list) && list &&
	       json_object_array_length(list) > 0;
}

int hull_oci_hooks_save(const char *state_dir, struct json_object *hooks, struct hull_err *err)
{
	char path[PATH_MAX + 16];

	if (!hooks)
		return 0;
	snprintf(path, sizeof(path), "%s/hooks.json", state_dir);
	return hull_write_file(path, json_object_to_json_string_ext(hooks, JSON_C_TO_STRING_PLAIN),
			       1, err);
}

int hull_oci_hooks_run(const char *state_dir, const char *kind, const char *state_json, bool all,
		       pid_t container, struct hull_err *err)
{
	static char text[1 << 20];
	char path[PATH_MAX + 16];
	json_object *hooks, *list;
	int first = 0;

	snprintf(path, sizeof(path), "%s/hooks.json", state_dir);
	if (access(path, F_OK) < 0)
		return 0; /* no hooks */
	if (hull_read_file(path, text, sizeof(text), err) < 0)
		return -EIO;
	hooks = json_tokener_parse(text);
	if (!hooks)
		return hull_fail(err, EINVAL, "cannot parse '%s'", path);
	if (json_object_object_get_ex(hooks, kind, &list) && list) {
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			struct hull_err one;
			json_object *h = json_object_array_get_idx(list, i);
			struct hull_err *e = first ? &one : err;
			int ret;
			if (strcmp(kind, "startContainer") == 0)
				ret = hull_oci_hook_run_in(h, kind, i, state_json, container, e);
			else if (strcmp(kind, "createContainer") == 0)
				ret = hull_oci_hook_run_before_root(h, kind, i, state_json,
								    container, e);
			else
				ret = run_one(h, kind, i, state_json, e);
			if (ret < 0 && !first)
				first = ret;
			if (ret < 0 && !all)
				break;
		}
	}
	json_object_put(hooks);
	return first;
}
