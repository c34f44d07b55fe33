/* oci_exec.c — `hull exec`: one more process in a running container
 * (what podman exec calls).
 *
 *   hull exec                                  child
 *   ---------                                  -----
 *   read the state, the container's config
 *   (its seccomp) and the process (--process
 *   JSON, or the config's with ARGS)
 *   open the /proc/<pid>/ns entries that differ from ours
 *   join its pid namespace (children only)
 *   fork ─────────────────────────────────────► join its cgroup, then setns:
 *                                              user first, the others, mnt
 *                                              last (it also sets root+cwd)
 *                                              cwd, rlimits, caps, user,
 *                                              no_new_privs, seccomp
 *   EOF on the report pipe = exec'd ◄───────── exec (errors go back)
 *   pid file; --detach: return; else forward
 *   signals and exit with its status
 *
 * The fork after the pid namespace's setns is what puts the process in it
 * (setns on a pid namespace applies to children only). */
#include "oci_cli_impl.h"
#include "container_start.h"
#include "ns.h"
#include "oci_config.h"
#include "oci_state.h"
#include "fileio.h"
#include "supervise.h"
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct exec_opts {
	const char *process, *pid_file, *console_socket, *cwd, *id;
	bool detach, tty;
	char **args; /* the command after ID, when there is no --process */
	int n_args;
	const char *env[HULL_MAX_ENV];
	size_t n_env;
};

static int parse_exec(int argc, char **argv, struct exec_opts *o, const struct hull_oci_global *g)
{
	enum { OPT_PROCESS = 256, OPT_PID_FILE, OPT_CONSOLE, OPT_CWD, OPT_IGNORED, OPT_PRESERVE };
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "detach", no_argument, NULL, 'd' },
		{ "tty", no_argument, NULL, 't' },
		{ "env", required_argument, NULL, 'e' },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE },
		{ "cwd", required_argument, NULL, OPT_CWD },
		{ "no-new-keyring", no_argument, NULL, OPT_IGNORED },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:p:dte:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->process = optarg;
			break;
		case 'd':
			o->detach = true;
			break;
		case 't':
			o->tty = true;
			break;
		case 'e':
			if (o->n_env >= HULL_MAX_ENV)
				return oci_error(g, "too many --env options (at most %d)",
						 HULL_MAX_ENV);
			o->env[o->n_env++] = optarg;
			break;
		case OPT_PID_FILE:
			o->pid_file = optarg;
			break;
		case OPT_CONSOLE:
			o->console_socket = optarg;
			break;
		case OPT_CWD:
			o->cwd = optarg;
			break;
		case OPT_IGNORED:
			break;
		case OPT_PRESERVE:
			if (strcmp(optarg, "0") != 0)
				return oci_error(g,
						 "unsupported option '--preserve-fds %s' to exec",
						 optarg);
			break;
		case ':':
			return oci_error(g, "option '%s' requires an argument", argv[optind - 1]);
		default:
			return oci_error(g, "unknown option '%s' to exec", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return oci_error(g, "exec needs a container id");
	o->id = argv[optind++];
	o->args = argv + optind;
	o->n_args = argc - optind;
	if (!o->process && o->n_args == 0)
		return oci_error(g, "exec needs --process FILE or a command after the id");
	if (o->process && o->n_args)
		return oci_error(g, "exec takes --process FILE or a command, not both");
	return 0;
}

/* The container's namespaces that are not ours, opened now (before we
 * change anything): fds[i] for hull_ns_table[i], -1 for the same. */
static int open_target_namespaces(pid_t pid, int fds[HULL_NS_SLOTS], struct hull_err *err)
{
	for (size_t i = 0; i < hull_ns_count && i < HULL_NS_SLOTS; i++) {
		char path[64], self[64];
		struct stat a, b;
		fds[i] = -1;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid,
			 hull_ns_table[i].proc_name);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", hull_ns_table[i].proc_name);
		if (stat(path, &a) < 0) {
			if (errno == ENOENT)
				continue; /* a namespace type this kernel lacks */
			return hull_fail(err, errno, "cannot open namespace '%s'", path);
		}
		if (stat(self, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			continue;
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			return hull_fail(err, errno, "cannot open namespace '%s'", path);
	}
	return 0;
}

static int join_one(int fds[HULL_NS_SLOTS], uint64_t flag, struct hull_err *err)
{
	for (size_t i = 0; i < hull_ns_count && i < HULL_NS_SLOTS; i++) {
		if (hull_ns_table[i].flag != flag || fds[i] < 0)
			continue;
		if (setns(fds[i], (int)flag) < 0)
			return hull_fail(err, errno, "cannot join the container's %s namespace",
					 hull_ns_table[i].name);
	}
	return 0;
}

/* user first (it grants the rights for the rest), mnt last (setns on it
 * moves root and cwd to the container's root, and the paths of the
 * steps before are the host's). */
static int join_namespaces(int fds[HULL_NS_SLOTS], struct hull_err *err)
{
	static const uint64_t order[] = { CLONE_NEWUSER, CLONE_NEWUTS,	  CLONE_NEWIPC,
					  CLONE_NEWNET,	 CLONE_NEWCGROUP, CLONE_NEWTIME,
					  CLONE_NEWNS };
	int ret;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if ((ret = join_one(fds, order[i], err)) < 0)
			return ret;
	return 0;
}

struct exec_run {
	struct start st; /* spec, report pipe, seccomp filter, saved mask */
	struct hull_oci_state state;
	struct hull_cgroup cg;
	bool has_cgroup;
};

static __attribute__((noreturn)) void exec_child(struct exec_run *r)
{
	struct start *st = &r->st;
	struct hull_err err;

	hull_sync_keep_child(&st->sync);
	if (r->has_cgroup && hull_cgroup_attach(&r->cg, getpid(), &err) < 0)
		hull_child_fail(st, &err);
	if (join_namespaces(st->ns_fds, &err) < 0)
		hull_child_fail(st, &err);
	if (st->console_fd >= 0 && hull_console_setup(st->console_fd, &err) < 0)
		hull_child_fail(st, &err);
	if (hull_child_finish(st, &err) < 0 || hull_child_drop_privileges(st, &err) < 0)
		hull_child_fail(st, &err);
	hull_child_exec(st);
}

/* Returns the exit status of hull exec. */
static int exec_run(struct exec_run *r, const struct exec_opts *o, const struct hull_oci_global *g)
{
	struct start *st = &r->st;
	struct hull_err err = { 0 }, child_err;
	int ret;

	if ((ret = open_target_namespaces(r->state.pid, st->ns_fds, &err)) < 0 ||
	    (ret = hull_sync_open(&st->sync, &err)) < 0)
		return oci_error(g, "%s", err.msg);
	if (o->tty && (st->console_fd = hull_console_connect(o->console_socket, &err)) < 0)
		return oci_error(g, "%s", err.msg);
	if ((ret = hull_signals_block(&st->saved_mask, &err)) < 0)
		return oci_error(g, "%s", err.msg);
	st->signals_blocked = true;
	/* Our own namespace for children, to go back to once the fork has put
	 * the exec'd process in the container's: anything hull forks or clones
	 * afterwards (a sanitizer's tracer thread) must not land in it. */
	int own_pid_ns = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
	if ((ret = join_one(st->ns_fds, CLONE_NEWPID, &err)) < 0) {
		if (own_pid_ns >= 0)
			close(own_pid_ns);
		return oci_error(g, "%s", err.msg);
	}

	st->parent_pid = getpid();
	pid_t pid = fork();
	if (pid == 0)
		exec_child(r);
	if (own_pid_ns >= 0) {
		setns(own_pid_ns, CLONE_NEWPID);
		close(own_pid_ns);
	}
	if (pid < 0)
		return oci_error(g, "cannot create the exec process: %s", strerror(errno));
	hull_sync_keep_parent(&st->sync);
	int type = hull_sync_read_report(&st->sync, &child_err, &err);
	if (type != HULL_REPORT_EOF) {
		hull_reap(pid);
		if (type == HULL_REPORT_ERROR)
			err = child_err;
		oci_error(g, "%s", err.msg);
		return err.exit_code && !o->detach ? err.exit_code : 1;
	}
	if (o->pid_file && oci_write_pid_file(o->pid_file, pid, &err) < 0) {
		kill(pid, SIGKILL);
		hull_reap(pid);
		return oci_error(g, "%s", err.msg);
	}
	if (o->detach)
		return 0; /* the process goes to whoever reaps our orphans */
	int status = hull_supervise(pid, &err);
	if (status < 0)
		return oci_error(g, "%s", err.msg);
	return hull_exit_status(status);
}

/* The process to run: --process FILE, or the container's own with the
 * command, --env and --cwd given here. */
static int load_process(const struct exec_opts *o, struct hull_oci_config *pcfg,
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
		spec->argv = o->args;
		spec->argc = o->n_args;
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

int oci_cmd_exec(int argc, char **argv, const struct hull_oci_global *g)
{
	struct exec_opts o;
	struct exec_run r = { .st.console_fd = -1 };
	struct hull_oci_config ccfg, pcfg;
	struct hull_spec spec;
	struct hull_limits limits;
	struct hull_err err;
	int ret = 1;

	memset(&ccfg, 0, sizeof(ccfg));
	memset(&pcfg, 0, sizeof(pcfg));
	hull_spec_init(&spec);
	hull_sync_init(&r.st.sync);
	for (size_t i = 0; i < HULL_NS_SLOTS; i++)
		r.st.ns_fds[i] = -1;
	r.state.lock_fd = -1;
	if (parse_exec(argc, argv, &o, g) != 0)
		goto out;
	if (o.tty && !o.console_socket) {
		ret = oci_error(g, "exec --tty needs --console-socket");
		goto out;
	}
	if (hull_oci_state_read(g->root, o.id, &r.state, &err) < 0) {
		ret = oci_error(g, "%s", err.msg);
		goto out;
	}
	enum hull_oci_status s = hull_oci_status(&r.state);
	if (s != HULL_OCI_RUNNING && s != HULL_OCI_CREATED) {
		ret = oci_error(g, "cannot exec in container '%s': it is %s", o.id,
				hull_oci_status_name(s));
		goto out;
	}
	/* The container's config: its seccomp profile and the process the
	 * command line form starts from. */
	if (hull_oci_config_load(r.state.bundle, &ccfg, &spec, &err) < 0 ||
	    load_process(&o, &pcfg, &spec, &err) < 0 ||
	    hull_seccomp_prepare(spec.seccomp_mode, spec.seccomp_file, spec.seccomp_profile,
				 &r.st.filter, &err) < 0) {
		ret = oci_error(g, "%s", err.msg);
		goto out;
	}
	if (pcfg.terminal && !o.tty && !o.console_socket) {
		ret = oci_error(g, "process.terminal needs --console-socket");
		goto out;
	}
	o.tty |= pcfg.terminal;
	spec.detach = true; /* no deathsig tie to hull exec */
	r.st.spec = &spec;
	if (r.state.cgroup_name[0] && hull_oci_cgroup(&r.state, &r.cg, &limits, NULL) == 0)
		r.has_cgroup = true;
	fflush(NULL);
	ret = exec_run(&r, &o, g);
out:
	if (r.st.signals_blocked)
		hull_signals_restore(&r.st.saved_mask);
	hull_sync_close(&r.st.sync);
	for (size_t i = 0; i < HULL_NS_SLOTS; i++)
		if (r.st.ns_fds[i] >= 0)
			close(r.st.ns_fds[i]);
	if (r.st.console_fd >= 0)
		close(r.st.console_fd);
	hull_seccomp_free(&r.st.filter);
	hull_oci_state_close(&r.state);
	hull_spec_free(&spec);
	hull_oci_config_free(&pcfg);
	hull_oci_config_free(&ccfg);
	return ret;
}
