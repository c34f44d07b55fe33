/* oci_cli.c — the OCI lifecycle: run --bundle, create, start, state,
 * kill, delete; see oci_cli.h. The other commands are in oci_cli_more.c. */
#include "oci_cli.h"
#include "oci_cli_impl.h"
#include "container.h"
#include "oci_config.h"
#include "oci_state.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define OCI_EXIT_FAIL 1 /* what runc and crun exit with when a command fails */

int oci_error(const struct hull_oci_global *g, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "hull: %s\n", msg);
	FILE *log = g->log ? fopen(g->log, "ae") : NULL;
	if (log) {
		if (g->log_json) {
			char when[40];
			oci_now_rfc3339(when, sizeof(when));
			json_object *o = json_object_new_object();
			json_object_object_add(o, "level", json_object_new_string("error"));
			json_object_object_add(o, "msg", json_object_new_string(msg));
			json_object_object_add(o, "time", json_object_new_string(when));
			fprintf(log, "%s\n",
				json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
			json_object_put(o);
		} else {
			fprintf(log, "hull: %s\n", msg);
		}
		fclose(log);
	}
	return OCI_EXIT_FAIL;
}

void oci_now_rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char sec[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09ldZ", sec, ts.tv_nsec);
}

/* Write the pid file as runc does: whole, via a rename. */
int oci_write_pid_file(const char *path, pid_t pid, struct hull_err *err)
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

/* ---- create and run --bundle ---------------------------------------- */

struct create_opts {
	const char *bundle, *pid_file, *console_socket, *id;
};

static int parse_create(int argc, char **argv, struct create_opts *o,
			const struct hull_oci_global *g)
{
	enum { OPT_PID_FILE = 256, OPT_CONSOLE, OPT_NO_KEYRING, OPT_PRESERVE };
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE },
		{ "no-new-keyring", no_argument, NULL, OPT_NO_KEYRING },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->bundle = ".";
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:b:", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->bundle = optarg;
			break;
		case OPT_PID_FILE:
			o->pid_file = optarg;
			break;
		case OPT_CONSOLE:
			o->console_socket = optarg;
			break;
		case OPT_NO_KEYRING:
			break; /* hull never makes a session keyring */
		case OPT_PRESERVE:
			if (strcmp(optarg, "0") != 0)
				return oci_error(g, "unsupported option '--preserve-fds %s' to %s",
						 optarg, argv[0]);
			break;
		case ':':
			return oci_error(g, "option '%s' requires an argument", argv[optind - 1]);
		default:
			return oci_error(g, "unknown option '%s' to %s", argv[optind - 1], argv[0]);
		}
	}
	if (optind != argc - 1)
		return oci_error(g, "%s needs exactly one container id", argv[0]);
	o->id = argv[optind];
	return 0;
}

struct started {
	struct hull_oci_state *st;
	const char *pid_file;
	bool unlock; /* run: a delete --force must not wait for the whole run */
	struct hull_err err;
	int ret;
};

/* The container exists now: record it where state and kill find it. */
static void on_started(pid_t pid, void *arg)
{
	struct started *s = arg;

	s->st->pid = pid;
	s->st->start_time = hull_oci_pid_start_time(pid);
	s->ret = hull_oci_state_write(s->st, &s->err);
	if (s->ret == 0 && s->pid_file)
		s->ret = oci_write_pid_file(s->pid_file, pid, &s->err);
	if (s->unlock && s->st->lock_fd >= 0) {
		close(s->st->lock_fd);
		s->st->lock_fd = -1;
	}
}

static int create_or_run(int argc, char **argv, const struct hull_oci_global *g, bool create)
{
	struct create_opts o;
	struct hull_oci_config cfg;
	struct hull_spec spec;
	struct hull_oci_state st = { .lock_fd = -1 };
	struct hull_result res;
	struct hull_err err = { 0 };
	struct started started = { .st = &st };
	char fifo[PATH_MAX + 16];
	int ret, status = OCI_EXIT_FAIL;
	bool made = false;

	if (parse_create(argc, argv, &o, g) != 0)
		return OCI_EXIT_FAIL;
	if (hull_oci_check_id(o.id, &err) < 0)
		return oci_error(g, "%s", err.msg);
	hull_spec_init(&spec);
	ret = hull_oci_config_load(o.bundle, &cfg, &spec, &err);
	if (ret == 0 && cfg.terminal && !o.console_socket)
		ret = hull_fail(&err, 0, "process.terminal needs --console-socket");
	if (ret == 0 && cfg.terminal)
		spec.console_socket = o.console_socket;
	if (ret == 0 && !spec.cgroup_name)
		spec.cgroup_name =
			o.id; /* under hull-oci: apart from the per-run cgroups hull gc collects */
	if (ret == 0 && !cfg.cgroup_parent)
		spec.limits.parent = "hull-oci";
	/* run keeps hull's flag-path cost: a cgroup only when asked for. */
	if (!create && !cfg.cgroup_parent)
		spec.cgroup_always = false;
	if (ret == 0)
		ret = hull_spec_validate(&spec, &err);
	if (ret == 0 && (ret = hull_oci_state_new(g->root, o.id, &st, &err)) == 0)
		made = true;
	if (ret < 0)
		goto out;

	snprintf(st.bundle, sizeof(st.bundle), "%s", cfg.bundle);
	oci_now_rfc3339(st.created, sizeof(st.created));
	snprintf(st.cgroup_parent, sizeof(st.cgroup_parent), "%s", spec.limits.parent);
	snprintf(st.cgroup_name, sizeof(st.cgroup_name), "%s",
		 spec.cgroup_always || hull_limits_any(&spec.limits) ? spec.cgroup_name : "");
	if (cfg.annotations)
		st.annotations = strdup(
			json_object_to_json_string_ext(cfg.annotations, JSON_C_TO_STRING_PLAIN));
	if (create) {
		hull_oci_fifo_path(&st, fifo, sizeof(fifo));
		if (mkfifo(fifo, 0600) < 0 ||
		    (spec.exec_fifo_fd = open(fifo, O_RDWR | O_CLOEXEC)) < 0) {
			ret = hull_fail(&err, errno, "cannot create '%s'", fifo);
			goto out;
		}
		spec.detach = true;
	}
	started.pid_file = o.pid_file;
	started.unlock = !create;
	spec.on_started = on_started;
	spec.on_started_arg = &started;
	fflush(NULL);
	ret = hull_run(&spec, &res, &err);
	if (ret == 0 && started.ret < 0) {
		err = started.err;
		ret = started.ret;
		if (create && res.pid > 0)
			kill(res.pid, SIGKILL);
	}
	if (ret < 0 || create)
		goto out;
	status = res.exit_status;
out:
	if (spec.exec_fifo_fd >= 0)
		close(spec.exec_fifo_fd);
	if (ret < 0) {
		status = err.exit_code && !create ? err.exit_code : OCI_EXIT_FAIL;
		oci_error(g, "%s", err.msg);
	}
	/* run: the container is gone; create: only a failure removes it. */
	if (made && (ret < 0 || !create)) {
		if (ret < 0 && st.cgroup_name[0]) {
			struct hull_cgroup cg;
			struct hull_limits limits;
			if (hull_oci_cgroup(&st, &cg, &limits, NULL) == 0)
				hull_cgroup_destroy(&cg, NULL);
		}
		hull_oci_state_remove(&st, NULL);
	} else if (ret == 0 && status == 0 && create) {
		status = 0;
	}
	hull_oci_state_close(&st);
	hull_spec_free(&spec);
	hull_oci_config_free(&cfg);
	return ret < 0 ? status : (create ? 0 : status);
}

/* ---- start, state, kill, delete ------------------------------------- */

static const char *one_id(int argc, char **argv, const struct hull_oci_global *g)
{
	if (argc != 2 || argv[1][0] == '-') {
		if (argc >= 2 && argv[1][0] == '-')
			oci_error(g, "unknown option '%s' to %s", argv[1], argv[0]);
		else
			oci_error(g, "%s needs exactly one container id", argv[0]);
		return NULL;
	}
	return argv[1];
}

static int cmd_start(int argc, char **argv, const struct hull_oci_global *g)
{
	const char *id = one_id(argc, argv, g);
	struct hull_oci_state st;
	struct hull_err err;
	char fifo[PATH_MAX + 16];
	int ret = OCI_EXIT_FAIL;

	if (!id)
		return OCI_EXIT_FAIL;
	if (hull_oci_state_open(g->root, id, &st, &err) < 0) {
		hull_oci_state_close(&st);
		return oci_error(g, "%s", err.msg);
	}
	enum hull_oci_status s = hull_oci_status(&st);
	hull_oci_fifo_path(&st, fifo, sizeof(fifo));
	if (s != HULL_OCI_CREATED) {
		oci_error(g, "cannot start container '%s': it is %s, not created", id,
			  hull_oci_status_name(s));
		goto out;
	}
	/* The container holds the fifo open for reading: this cannot block.
	 * The fifo goes before the byte, so a state right after says running. */
	int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		oci_error(g, "cannot start container '%s': %s", id, strerror(errno));
		goto out;
	}
	unlink(fifo);
	if (write(fd, "", 1) != 1)
		oci_error(g, "cannot start container '%s': %s", id, strerror(errno));
	else
		ret = 0;
	close(fd);
out:
	hull_oci_state_close(&st);
	return ret;
}

static int cmd_state(int argc, char **argv, const struct hull_oci_global *g)
{
	const char *id = one_id(argc, argv, g);
	struct hull_oci_state st;
	struct hull_err err;

	if (!id)
		return OCI_EXIT_FAIL;
	if (hull_oci_state_read(g->root, id, &st, &err) < 0) {
		hull_oci_state_close(&st);
		return oci_error(g, "%s", err.msg);
	}
	char *text = hull_oci_state_json(&st, hull_oci_status(&st));
	printf("%s\n", text);
	free(text);
	hull_oci_state_close(&st);
	return 0;
}

/* "9", "KILL", "SIGKILL", "kill": a signal number, or -1. */
int oci_parse_signal(const char *s)
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

static int cmd_kill(int argc, char **argv, const struct hull_oci_global *g)
{
	struct hull_oci_state st;
	struct hull_err err;
	bool all = false;
	int i = 1, sig = SIGTERM;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--all") == 0 || strcmp(argv[i], "-a") == 0)
			all = true;
		else
			return oci_error(g, "unknown option '%s' to kill", argv[i]);
	}
	if (i >= argc || argc - i > 2)
		return oci_error(g, "usage: hull kill [--all] ID [SIGNAL]");
	if (argc - i == 2 && (sig = oci_parse_signal(argv[i + 1])) < 0)
		return oci_error(g, "unknown signal '%s'", argv[i + 1]);
	if (hull_oci_state_read(g->root, argv[i], &st, &err) < 0) {
		hull_oci_state_close(&st);
		return oci_error(g, "%s", err.msg);
	}
	int ret = 0;
	if (hull_oci_status(&st) == HULL_OCI_STOPPED) {
		ret = oci_error(g, "cannot kill container '%s': it is not running", st.id);
	} else if (all && st.cgroup_name[0]) {
		struct hull_cgroup cg;
		struct hull_limits limits;
		if (hull_oci_cgroup(&st, &cg, &limits, &err) < 0)
			ret = oci_error(g, "%s", err.msg);
		else
			hull_cgroup_signal_all(&cg, sig);
	} else if (kill(st.pid, sig) < 0) {
		ret = oci_error(g, "cannot kill container '%s': %s", st.id, strerror(errno));
	}
	hull_oci_state_close(&st);
	return ret;
}

/* SIGKILL the container's process and wait (pidfd: it need not be our
 * child) until it is gone. */
static void kill_and_wait(const struct hull_oci_state *st)
{
	if (!hull_oci_alive(st))
		return;
	int pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	kill(st->pid, SIGKILL);
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		while (poll(&p, 1, 5000) < 0 && errno == EINTR)
			;
		close(pidfd);
	}
}

static int cmd_delete(int argc, char **argv, const struct hull_oci_global *g)
{
	struct hull_oci_state st;
	struct hull_err err;
	bool force = false;
	int i = 1, ret = 0;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--force") == 0 || strcmp(argv[i], "-f") == 0)
			force = true;
		else
			return oci_error(g, "unknown option '%s' to delete", argv[i]);
	}
	if (argc - i != 1)
		return oci_error(g, "delete needs exactly one container id");
	if (hull_oci_state_open(g->root, argv[i], &st, &err) < 0) {
		hull_oci_state_close(&st);
		if (force && err.errnum == ENOENT)
			return 0;
		return oci_error(g, "%s", err.msg);
	}
	enum hull_oci_status s = hull_oci_status(&st);
	/* The runtime spec: deleting a container that is not stopped must fail
	 * (crun refuses a created one too); --force kills it first. */
	if (s != HULL_OCI_STOPPED && !force) {
		ret = oci_error(g,
				"cannot delete container '%s': it is %s (stop it first, or "
				"--force)",
				st.id, hull_oci_status_name(s));
		goto out;
	}
	kill_and_wait(&st);
	if (st.cgroup_name[0]) {
		struct hull_cgroup cg;
		struct hull_limits limits;
		if (hull_oci_cgroup(&st, &cg, &limits, &err) == 0 &&
		    hull_cgroup_destroy(&cg, &err) < 0)
			ret = oci_error(g, "%s", err.msg);
	}
	if (hull_oci_state_remove(&st, &err) < 0)
		ret = oci_error(g, "%s", err.msg);
out:
	hull_oci_state_close(&st);
	return ret;
}

/* ---- dispatch ------------------------------------------------------- */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv, const struct hull_oci_global *g);
} commands[] = {
	{ "start", cmd_start },		  { "state", cmd_state },     { "kill", cmd_kill },
	{ "delete", cmd_delete },	  { "list", oci_cmd_list },   { "spec", oci_cmd_spec },
	{ "features", oci_cmd_features }, { "pause", oci_cmd_pause }, { "resume", oci_cmd_resume },
	{ "exec", oci_cmd_exec },
};

bool hull_oci_is_command(const char *cmd, int argc, char **argv)
{
	if (strcmp(cmd, "create") == 0)
		return true;
	if (strcmp(cmd, "run") == 0) {
		/* Options before the first operand; the flag path has no -b. */
		for (int i = 1; i < argc && argv[i][0] == '-'; i++)
			if (strcmp(argv[i], "-b") == 0 || strcmp(argv[i], "--bundle") == 0 ||
			    strncmp(argv[i], "--bundle=", 9) == 0)
				return true;
		return false;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return true;
	return false;
}

int hull_oci_main(int argc, char **argv, const struct hull_oci_global *g)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		hull_oci_usage(stdout);
		return 0;
	}
	if (strcmp(argv[0], "create") == 0 || strcmp(argv[0], "run") == 0)
		return create_or_run(argc, argv, g, strcmp(argv[0], "create") == 0);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			return commands[i].fn(argc, argv, g);
	return oci_error(g, "unknown command '%s'", argv[0]);
}
