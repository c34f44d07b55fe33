/* oci_lifecycle.c — create, run, start, state, kill, delete, pause and
 * resume of an OCI container; see oci.h. exec is oci_exec.c. */
#include "oci.h"
#include "container.h"
#include "oci_config.h"
#include "oci_hooks.h"
#include "oci_systemd.h"
#include "sys.h"
#include "trace.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void hull_oci_now_rfc3339(char *buf, size_t len)
{
	struct timespec ts = { 0 };
	struct tm tm;

	/* The system call, not the vDSO: hull run --bundle reads no other
	 * clock before its container's exec (unless traced), and the vDSO's
	 * first use looks up its symbols: 3 page faults (~30 us on a PVM
	 * guest) against one system call. Nor strftime, whose locale data
	 * is another page. */
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
}

int hull_oci_write_pid_file(const char *path, pid_t pid, struct hull_err *err)
{
	char tmp[PATH_MAX], text[32];
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.hull-tmp", path) >= (int)sizeof(tmp))
		return hull_fail(err, ENAMETOOLONG, "cannot write pid file '%s'", path);
	snprintf(text, sizeof(text), "%d", (int)pid);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return hull_fail(err, errno, "cannot write pid file '%s'", path);
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	if (n != (ssize_t)strlen(text) || rename(tmp, path) < 0) {
		unlink(tmp);
		return hull_fail(err, errno ? errno : EIO, "cannot write pid file '%s'", path);
	}
	return 0;
}

int hull_oci_parse_signal(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (end != s && !*end)
		return n > 0 && n <= SIGRTMAX ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *name = sigabbrev_np(sig);
		if (name && strcasecmp(name, s) == 0)
			return sig;
	}
	return -1;
}

/* ---- create and run --------------------------------------------------- */

struct started {
	struct hull_oci_state *st;
	const char *pid_file;
	bool unlock;   /* run: a delete --force must not wait for the whole run */
	bool hooks;    /* the config has hooks (saved in the state dir) */
	bool gate;     /* run with hooks: the process waits on the fifo for them */
	bool warned;   /* a poststart hook failed: warn holds it */
	bool recorded; /* the state is written and the runtime hooks ran */
	int *fifo_fd;  /* run: hull's own end, closed before the release */
	struct hull_err warn;
	struct hull_err err;
	int ret;
};

/* Run the saved hooks of kind with the state as it is (status given). */
static int run_hooks(const struct hull_oci_state *st, const char *kind, enum hull_oci_status status,
		     bool all, struct hull_err *err)
{
	char *json = hull_oci_state_json(st, status);
	if (!json)
		return hull_fail(err, ENOMEM, "cannot run the %s hooks", kind);
	int ret = hull_oci_hooks_run(st->dir, kind, json, all, st->pid, err);
	free(json);
	return ret;
}

/* Let a created container's process go: one byte into its exec fifo (it
 * holds the fifo open for reading, so this cannot block). */
static int release(const struct hull_oci_state *st, struct hull_err *err)
{
	char fifo[PATH_MAX + 16];
	int ret = 0;

	hull_oci_fifo_path(st, fifo, sizeof(fifo));
	int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return hull_fail(err, errno, "cannot start container '%s'", st->id);
	/* The fifo goes before the byte, so a state right after says running. */
	unlink(fifo);
	if (write(fd, "", 1) != 1)
		ret = hull_fail(err, errno, "cannot start container '%s'", st->id);
	/* Return once the process has taken the byte and closed the fifo,
	 * right before its execve (no reader left: POLLERR), as runc's start
	 * returns once its init has exec'd. A signal sent right after start
	 * then reaches the command, not hull's code in between (for a pid
	 * namespace's init that has no handler yet, the kernel drops it).
	 * A process that dies closes it too; the bound is for a stuck one. */
	struct pollfd p = { .fd = fd, .events = 0 };
	while (ret == 0 && poll(&p, 1, 10000) < 0 && errno == EINTR)
		;
	close(fd);
	return ret;
}

/* The container exists now: record it where state and kill find it and
 * run the runtime hooks; once, at the stop before its root switch when
 * there are createContainer hooks (on_mounted), else when it is set up. */
static int record_created(struct started *s, pid_t pid)
{
	if (s->recorded)
		return s->ret;
	s->recorded = true;
	s->st->pid = pid;
	s->st->start_time = hull_proc_start_time(pid, true);
	s->ret = hull_oci_state_write(s->st, &s->err);
	if (s->ret == 0 && s->pid_file)
		s->ret = hull_oci_write_pid_file(s->pid_file, pid, &s->err);
	hull_trace_mark("state_written");
	/* The runtime hooks: the container exists, its process has not run.
	 * Their state says "created": the spec's lifecycle runs them after
	 * step 2, and "created" is the status after step 2 until the process
	 * runs the program ("creating" is step 2 itself); a `hull state` from
	 * the hook observes the same (crun passes "created", runc
	 * "creating"). */
	if (s->ret == 0 && s->hooks &&
	    (s->ret = run_hooks(s->st, "prestart", HULL_OCI_CREATED, false, &s->err)) == 0)
		s->ret = run_hooks(s->st, "createRuntime", HULL_OCI_CREATED, false, &s->err);
	return s->ret;
}

/* createContainer hooks: the container's mounts are done, its root not
 * yet switched (the spec's order: after createRuntime, in the container's
 * namespaces). A failure fails the start (hull_run kills the process). */
static int on_mounted(pid_t pid, void *arg, struct hull_err *err)
{
	struct started *s = arg;

	if (record_created(s, pid) == 0)
		s->ret = run_hooks(s->st, "createContainer", HULL_OCI_CREATED, false, &s->err);
	if (s->ret < 0)
		*err = s->err;
	return s->ret;
}

/* The container is set up and waits on its fifo. */
static void on_started(pid_t pid, void *arg)
{
	struct started *s = arg;

	if (record_created(s, pid) < 0 ||
	    (s->gate &&
	     (s->ret = run_hooks(s->st, "startContainer", HULL_OCI_CREATED, false, &s->err)) < 0)) {
		/* create_or_run kills it after create; run waits for it. */
		if (s->gate)
			kill(pid, SIGKILL);
		return;
	}
	/* A failed poststart hook is a warning (the spec: the lifecycle goes
	 * on as if it had succeeded). */
	/* release waits until no reader is left: hull's own end goes first. */
	if (s->gate && *s->fifo_fd >= 0) {
		close(*s->fifo_fd);
		*s->fifo_fd = -1;
	}
	if (s->ret == 0 && s->gate && (s->ret = release(s->st, &s->err)) == 0)
		s->warned = run_hooks(s->st, "poststart", HULL_OCI_RUNNING, true, &s->warn) < 0;
	if (s->unlock && s->st->lock_fd >= 0) {
		close(s->st->lock_fd);
		s->st->lock_fd = -1;
	}
}

/* The spec from config.json, with what create and run add to it. */
static int load_spec(const struct hull_oci_create_opts *o, bool create, struct hull_oci_config *cfg,
		     struct hull_spec *spec, struct hull_err *err)
{
	int ret = hull_oci_config_load(o->bundle, cfg, spec, err);

	if (ret < 0)
		return ret;
	hull_oci_skip_noop_user_switch(spec);
	if (cfg->terminal && !o->console_socket)
		return hull_fail(err, 0, "process.terminal needs --console-socket");
	if (cfg->terminal)
		spec->console_socket = o->console_socket;
	/* --systemd-cgroup (refused where systemd runs): the unit's path. */
	if (o->systemd_cgroup) {
		char *parent, *name;
		if ((ret = hull_oci_systemd_path(cfg->cgroups_path, o->id, &parent, &name, err)) <
		    0)
			return ret;
		free(cfg->cgroup_parent);
		free(cfg->cgroup_name);
		cfg->cgroup_parent = parent;
		cfg->cgroup_name = name;
		spec->limits.parent = parent;
		spec->cgroup_name = name;
	}
	/* Under hull-oci: apart from the per-run cgroups hull gc collects. */
	if (!spec->cgroup_name)
		spec->cgroup_name = o->id;
	if (!cfg->cgroup_parent)
		spec->limits.parent = "hull-oci";
	/* run keeps hull's flag-path cost: a cgroup only when asked for. */
	if (!create && !cfg->cgroup_parent)
		spec->cgroup_always = false;
	return hull_spec_validate(spec, err);
}

/* What state and kill need to know, before the process exists. */
static int record_state(struct hull_oci_state *st, const struct hull_oci_config *cfg,
			const struct hull_spec *spec, struct hull_err *err)
{
	st->bundle = strdup(cfg->bundle);
	hull_oci_now_rfc3339(st->created, sizeof(st->created));
	st->cgroup_parent = strdup(spec->limits.parent ? spec->limits.parent : "");
	snprintf(st->cgroup_name, sizeof(st->cgroup_name), "%s",
		 spec->cgroup_always || hull_limits_any(&spec->limits) ? spec->cgroup_name : "");
	if (cfg->annotations)
		st->annotations = strdup(
			json_object_to_json_string_ext(cfg->annotations, JSON_C_TO_STRING_PLAIN));
	if (!st->bundle || !st->cgroup_parent || (cfg->annotations && !st->annotations))
		return hull_fail(err, ENOMEM, "cannot record container '%s'", st->id);
	return 0;
}

/* The exec fifo the process waits on until start (create, or run with
 * hooks). Not inlined, nor destroy_cgroup: their buffers (a path; a
 * cgroup of 13 KB) would sit in create_or_run's frame on every run,
 * pushing hull_run's frames onto pages never touched otherwise (a page
 * fault each, ~10 us on a PVM guest). */
static __attribute__((noinline)) int make_fifo(const struct hull_oci_state *st,
					       struct hull_spec *spec, struct hull_err *err)
{
	char fifo[PATH_MAX + 16];

	hull_oci_fifo_path(st, fifo, sizeof(fifo));
	if (mkfifo(fifo, 0600) < 0 || (spec->exec_fifo_fd = open(fifo, O_RDWR | O_CLOEXEC)) < 0)
		return hull_fail(err, errno, "cannot create '%s'", fifo);
	return 0;
}

static __attribute__((noinline)) void destroy_cgroup(const struct hull_oci_state *st)
{
	struct hull_cgroup cg;
	struct hull_limits limits;

	if (st->cgroup_name[0] && hull_oci_cgroup(st, &cg, &limits, NULL) == 0)
		hull_cgroup_destroy(&cg, NULL);
}

/* Returns 0 (create) or the exit status (run), < 0 on failure. */
static int create_or_run(const struct hull_oci_create_opts *o, bool create, struct hull_err *err)
{
	struct hull_oci_config cfg;
	struct hull_spec spec;
	struct hull_oci_state st = { .lock_fd = -1 };
	struct hull_result res;
	struct started started = { .st = &st, .pid_file = o->pid_file, .unlock = !create };
	bool made = false;
	int ret;

	if ((ret = hull_oci_check_id(o->id, err)) < 0)
		return ret;
	hull_spec_init(&spec);
	ret = load_spec(o, create, &cfg, &spec, err);
	hull_trace_mark("config_loaded");
	if (ret == 0 && (ret = hull_oci_state_new(o->root, o->id, &st, err)) == 0)
		made = true;
	if (ret < 0)
		goto out;
	hull_trace_mark("state_dir_made");
	if ((ret = record_state(&st, &cfg, &spec, err)) < 0)
		goto out;
	started.hooks = cfg.hooks != NULL;
	started.gate = !create && started.hooks;
	if (started.hooks && (ret = hull_oci_hooks_save(st.dir, cfg.hooks, err)) < 0)
		goto out;
	if (create || started.gate) {
		if ((ret = make_fifo(&st, &spec, err)) < 0)
			goto out;
		spec.detach = create;
		hull_trace_mark("fifo_made");
	}
	started.fifo_fd = &spec.exec_fifo_fd;
	spec.on_started = on_started;
	spec.on_started_arg = &started;
	if (hull_oci_hooks_has(cfg.hooks, "createContainer")) {
		spec.on_mounted = on_mounted;
		spec.on_mounted_arg = &started;
	}
	fflush(NULL);
	ret = hull_run(&spec, &res, err);
	if (ret == 0 && started.ret < 0) {
		*err = started.err;
		ret = started.ret;
		if (create && res.pid > 0)
			kill(res.pid, SIGKILL);
	}
	/* run: the container is gone; its poststop hooks, as delete's (a
	 * failure of these or of poststart is a warning: err with ret >= 0). */
	if (made && !create && started.hooks && res.pid > 0) {
		struct hull_err post;
		if (run_hooks(&st, "poststop", HULL_OCI_STOPPED, true, &post) < 0 &&
		    !started.warned) {
			started.warn = post;
			started.warned = true;
		}
		if (ret >= 0) /* only the warning, if any: err is for the caller to show */
			*err = started.warned ? started.warn : (struct hull_err){ 0 };
	}
	if (ret == 0 && !create)
		ret = res.exit_status;
out:
	if (spec.exec_fifo_fd >= 0)
		close(spec.exec_fifo_fd);
	if (ret < 0 && create)
		err->exit_code = 0; /* runc's status for a failed create: 1, not 125 */
	/* run: the container is gone; create: only a failure removes it. */
	if (made && (ret < 0 || !create)) {
		if (ret < 0)
			destroy_cgroup(&st);
		hull_oci_state_remove(&st, NULL);
	}
	hull_oci_state_close(&st);
	hull_spec_free(&spec);
	hull_oci_config_free(&cfg);
	hull_trace_mark("done");
	return ret;
}

int hull_oci_create(const struct hull_oci_create_opts *o, struct hull_err *err)
{
	return create_or_run(o, true, err);
}

int hull_oci_run(const struct hull_oci_create_opts *o, struct hull_err *err)
{
	return create_or_run(o, false, err);
}

/* ---- start, state, kill ----------------------------------------------- */

static void kill_and_wait(const struct hull_oci_state *st);

int hull_oci_start(const char *root, const char *id, struct hull_err *err)
{
	struct hull_oci_state st;
	int ret;

	if ((ret = hull_oci_state_open(root, id, &st, err)) < 0)
		goto out;
	enum hull_oci_status s = hull_oci_status(&st);
	hull_trace_mark("state_opened");
	if (s != HULL_OCI_CREATED) {
		ret = hull_fail(err, 0, "cannot start container '%s': it is %s, not created", id,
				hull_oci_status_name(s));
		goto out;
	}
	/* startContainer hooks inside the container, before its process goes
	 * on; a failure fails start and stops the container (the spec: the
	 * lifecycle continues at delete). */
	if ((ret = run_hooks(&st, "startContainer", HULL_OCI_CREATED, false, err)) < 0) {
		kill_and_wait(&st);
		goto out;
	}
	/* A failed poststart hook is a warning in err (ret 0): the spec has the
	 * lifecycle go on as if it had succeeded (runc stops the container). */
	if ((ret = release(&st, err)) == 0) {
		hull_trace_mark("released");
		run_hooks(&st, "poststart", HULL_OCI_RUNNING, true, err);
	}
out:
	hull_oci_state_close(&st);
	hull_trace_mark("done");
	return ret;
}

int hull_oci_state(const char *root, const char *id, char **json, struct hull_err *err)
{
	struct hull_oci_state st;
	int ret = hull_oci_state_read(root, id, &st, err);

	*json = NULL;
	if (ret == 0 && !(*json = hull_oci_state_json(&st, hull_oci_status(&st))))
		ret = hull_fail(err, ENOMEM, "cannot describe container '%s'", id);
	hull_oci_state_close(&st);
	return ret;
}

int hull_oci_kill(const char *root, const char *id, int sig, bool all, struct hull_err *err)
{
	struct hull_oci_state st;
	struct hull_cgroup cg;
	struct hull_limits limits;
	int ret;

	if ((ret = hull_oci_state_read(root, id, &st, err)) < 0)
		goto out;
	enum hull_oci_status status = hull_oci_status(&st);
	/* As runc, whose words containerd's shim matches: --all signals what is
	 * left in the cgroup whatever the state (a stopped init in a shared pid
	 * namespace leaves children); without --all a stopped container is
	 * "container not running" (the shim's not-found). */
	if (all && st.cgroup_name[0]) {
		if ((ret = hull_oci_cgroup(&st, &cg, &limits, err)) < 0) {
			if (status == HULL_OCI_STOPPED) {
				hull_err_clear(err);
				ret = 0;
			}
		} else {
			hull_cgroup_signal_all(&cg, sig);
			/* A frozen process dies only once thawed. */
			if (sig == SIGKILL && status == HULL_OCI_PAUSED)
				hull_cgroup_freeze(&cg, false, NULL);
		}
	} else if (status == HULL_OCI_STOPPED) {
		if (!all)
			ret = hull_fail(err, 0, "cannot kill container '%s': container not running",
					st.id);
	} else if (kill(st.pid, sig) < 0) {
		ret = hull_fail(err, errno, "cannot kill container '%s'", st.id);
	}
out:
	hull_oci_state_close(&st);
	return ret;
}

/* ---- delete, pause, resume -------------------------------------------- */

/* SIGKILL the container's process and wait (pidfd: it need not be our
 * child) until it is gone. */
static void kill_and_wait(const struct hull_oci_state *st)
{
	if (!hull_oci_alive(st))
		return;
	int pidfd = hull_sys_pidfd_open(st->pid, 0);
	kill(st->pid, SIGKILL);
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		while (poll(&p, 1, 5000) < 0 && errno == EINTR)
			;
		close(pidfd);
	}
}

int hull_oci_delete(const char *root, const char *id, bool force, struct hull_err *err)
{
	struct hull_oci_state st;
	struct hull_cgroup cg;
	struct hull_limits limits;
	int ret;

	if ((ret = hull_oci_state_open(root, id, &st, err)) < 0) {
		if (force && err->errnum == ENOENT) {
			hull_err_clear(err);
			ret = 0; /* runc: delete --force of no container is done */
		}
		goto out;
	}
	enum hull_oci_status s = hull_oci_status(&st);
	hull_trace_mark("state_opened");
	/* The runtime spec: deleting a container that is not stopped must fail
	 * (crun refuses a created one too); force kills it first. */
	if (s != HULL_OCI_STOPPED && !force) {
		ret = hull_fail(err, 0,
				"cannot delete container '%s': it is %s (stop it first, or "
				"--force)",
				st.id, hull_oci_status_name(s));
		goto out;
	}
	kill_and_wait(&st);
	hull_trace_mark("killed");
	struct hull_err none; /* a cgroup already gone is no failure of delete */
	if (st.cgroup_name[0] && hull_oci_cgroup(&st, &cg, &limits, &none) == 0)
		ret = hull_cgroup_destroy(&cg, err);
	hull_trace_mark("cgroup_removed");
	/* The container is gone: its poststop hooks, every one; a failure is
	 * a warning in err (ret 0), as the spec asks. */
	struct hull_err post;
	run_hooks(&st, "poststop", HULL_OCI_STOPPED, true, ret < 0 ? &post : err);
	int removed = hull_oci_state_remove(&st, ret < 0 ? NULL : err);
	hull_trace_mark("state_removed");
	if (ret == 0)
		ret = removed;
out:
	hull_oci_state_close(&st);
	hull_trace_mark("done");
	return ret;
}

static int freeze(const char *root, const char *id, bool frozen, struct hull_err *err)
{
	struct hull_oci_state st;
	struct hull_cgroup cg;
	struct hull_limits limits;
	int ret;

	if ((ret = hull_oci_state_open(root, id, &st, err)) < 0)
		goto out;
	enum hull_oci_status s = hull_oci_status(&st);
	if (s != (frozen ? HULL_OCI_RUNNING : HULL_OCI_PAUSED))
		ret = hull_fail(err, 0, "cannot %s container '%s': it is %s",
				frozen ? "pause" : "resume", st.id, hull_oci_status_name(s));
	else if (!st.cgroup_name[0])
		ret = hull_fail(err, 0, "container has no cgroup");
	else if ((ret = hull_oci_cgroup(&st, &cg, &limits, err)) == 0)
		ret = hull_cgroup_freeze(&cg, frozen, err);
out:
	hull_oci_state_close(&st);
	return ret;
}

int hull_oci_pause(const char *root, const char *id, struct hull_err *err)
{
	return freeze(root, id, true, err);
}

int hull_oci_resume(const char *root, const char *id, struct hull_err *err)
{
	return freeze(root, id, false, err);
}
