/* oci_exec.c — one more process in an OCI container (hull exec, what
 * podman exec calls); see oci.h. This file finds the container and the
 * process to run; container_join.c runs it. */
#include "oci.h"
#include "container_join.h"
#include "fileio.h"
#include "oci_config.h"
#include "supervise.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* The process to run: o->process, or the container's own with the
 * command, env and cwd given here. */
static int load_process(const struct hull_oci_exec_opts *o, struct hull_oci_config *pcfg,
			struct hull_spec *spec, struct hull_err *err)
{
	static char text[1 << 20];
	int ret;

	if (o->process) {
		ssize_t n = hull_read_file(o->process, text, sizeof(text), err);
		if (n < 0)
			return (int)n;
		if ((size_t)n >= sizeof(text) - 1)
			return hull_fail(err, EFBIG, "cannot read '%s'", o->process);
		/* Only the process fields are taken: the rest stays the
		 * container's (its seccomp among them). */
		spec->user.set = false;
		spec->umask = -1;
		spec->n_env_args = 0;
		spec->n_rlimits = 0;
		ret = hull_oci_process_parse(text, o->process, pcfg, spec, err);
		if (ret < 0)
			return ret;
	} else {
		spec->argv = o->argv;
		spec->argc = o->argc;
	}
	for (size_t i = 0; i < o->n_env; i++)
		if ((ret = hull_spec_add_env(spec, o->env[i], err)) < 0)
			return ret;
	if (o->cwd)
		spec->cwd = o->cwd;
	if (!spec->cwd)
		spec->cwd = "/";
	return hull_spec_build_env(spec, err);
}

/* Start the process, write the pid file, wait unless detached. */
static int run_process(const struct hull_oci_exec_opts *o, const struct hull_spec *spec,
		       pid_t target, struct hull_cgroup *cg, struct hull_err *err)
{
	struct hull_join j;
	int ret;

	fflush(NULL);
	ret = hull_join_spawn(spec, target, cg, &j, err);
	if (ret == 0 && o->pid_file &&
	    (ret = hull_oci_write_pid_file(o->pid_file, j.pid, err)) < 0) {
		kill(j.pid, SIGKILL);
		hull_reap(j.pid);
	}
	/* Detached, the process goes to whoever reaps our orphans. */
	if (ret == 0 && !o->detach)
		ret = hull_join_wait(&j, err);
	hull_join_end(&j);
	/* Only the child's own failure (an exec: 126, 127) passes its status
	 * on, and only to a caller that waits; the rest is runc's 1. */
	if (ret < 0 && (o->detach || !j.child_failed))
		err->exit_code = 0;
	return ret;
}

int hull_oci_exec(const struct hull_oci_exec_opts *o, struct hull_err *err)
{
	struct hull_oci_state state = { .lock_fd = -1 };
	struct hull_oci_config ccfg, pcfg;
	struct hull_spec spec;
	struct hull_cgroup cg;
	struct hull_limits limits;
	bool has_cgroup = false;
	int ret;

	memset(&ccfg, 0, sizeof(ccfg));
	memset(&pcfg, 0, sizeof(pcfg));
	hull_spec_init(&spec);
	if (o->tty && !o->console_socket) {
		ret = hull_fail(err, 0, "exec --tty needs --console-socket");
		goto out;
	}
	if ((ret = hull_oci_state_read(o->root, o->id, &state, err)) < 0)
		goto out;
	enum hull_oci_status s = hull_oci_status(&state);
	if (s != HULL_OCI_RUNNING && s != HULL_OCI_CREATED) {
		ret = hull_fail(err, 0, "cannot exec in container '%s': it is %s", o->id,
				hull_oci_status_name(s));
		goto out;
	}
	/* The container's config: its seccomp profile and the process the
	 * command line form starts from. */
	if ((ret = hull_oci_config_load(state.bundle, &ccfg, &spec, err)) < 0 ||
	    (ret = load_process(o, &pcfg, &spec, err)) < 0)
		goto out;
	if (pcfg.terminal && !o->tty && !o->console_socket) {
		ret = hull_fail(err, 0, "process.terminal needs --console-socket");
		goto out;
	}
	spec.console_socket = o->tty || pcfg.terminal ? o->console_socket : NULL;
	spec.detach = true; /* no deathsig tie to hull exec */
	if (state.cgroup_name[0] && hull_oci_cgroup(&state, &cg, &limits, NULL) == 0)
		has_cgroup = true;
	ret = run_process(o, &spec, state.pid, has_cgroup ? &cg : NULL, err);
	if (ret >= 0)
		ret = o->detach ? 0 : ret;
	goto done;
out:
	err->exit_code = 0;
done:
	hull_oci_state_close(&state);
	hull_spec_free(&spec);
	hull_oci_config_free(&pcfg);
	hull_oci_config_free(&ccfg);
	return ret;
}
