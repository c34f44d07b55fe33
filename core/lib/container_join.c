/* container_join.c — one more process in a running container; see
 * container_join.h. The child's last steps are container.c's. */
#include "container_join.h"
#include "container_start.h"
#include "ns.h"
#include "supervise.h"
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int hull_join_open_namespaces(pid_t pid, int fds[HULL_NS_SLOTS], struct hull_err *err)
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
 * moves root and cwd to the container's root, and the paths of the steps
 * before are the host's). */
int hull_join_enter_namespaces(int fds[HULL_NS_SLOTS], struct hull_err *err)
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

static __attribute__((noreturn)) void join_child(struct start *st, struct hull_cgroup *cg)
{
	struct hull_err err;

	hull_sync_keep_child(&st->sync);
	if (st->self_join.armed)
		hull_child_join_cgroup(st);
	else if (cg && hull_cgroup_attach(cg, getpid(), &err) < 0)
		hull_child_fail(st, &err);
	if (hull_join_enter_namespaces(st->ns_fds, &err) < 0)
		hull_child_fail(st, &err);
	if (st->console_fd >= 0 && hull_console_setup(st->console_fd, &err) < 0)
		hull_child_fail(st, &err);
	if (hull_child_finish(st, &err) < 0 || hull_child_drop_privileges(st, &err) < 0)
		hull_child_fail(st, &err);
	hull_child_exec(st);
}

/* Fork the child in the target's pid namespace, then return to ours. */
static pid_t fork_in_pid_namespace(struct start *st, struct hull_err *err)
{
	/* Our own namespace for children, to go back to once the fork has put
	 * the new process in the container's: anything hull forks or clones
	 * afterwards (a sanitizer's tracer thread) must not land in it. */
	int own_pid_ns = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
	int ret = join_one(st->ns_fds, CLONE_NEWPID, err);
	pid_t pid = ret < 0 ? ret : fork();

	if (pid == 0)
		return 0;
	if (own_pid_ns >= 0) {
		setns(own_pid_ns, CLONE_NEWPID);
		close(own_pid_ns);
	}
	if (pid < 0 && ret == 0)
		return hull_fail(err, errno, "cannot create the exec process");
	return pid;
}

int hull_join_spawn(const struct hull_spec *spec, pid_t target, struct hull_cgroup *cg,
		    struct hull_join *j, struct hull_err *err)
{
	struct start st = { .spec = spec, .console_fd = -1, .own_pid_ns = -1 };
	struct hull_err child_err;
	int ret;

	memset(j, 0, sizeof(*j));
	hull_sync_init(&st.sync);
	hull_cg_self_join_init(&st.self_join);
	if (cg)
		hull_cg_self_join_prepare(&st.self_join, cg);
	for (size_t i = 0; i < HULL_NS_SLOTS; i++)
		st.ns_fds[i] = -1;
	if ((ret = hull_seccomp_prepare(spec->seccomp_mode, spec->seccomp_file,
					spec->seccomp_profile, &st.filter, err)) < 0 ||
	    (ret = hull_join_open_namespaces(target, st.ns_fds, err)) < 0 ||
	    (ret = hull_sync_open(&st.sync, err)) < 0)
		goto out;
	if (spec->console_socket &&
	    (ret = st.console_fd = hull_console_connect(spec->console_socket, err)) < 0)
		goto out;
	if ((ret = hull_signals_block(&j->saved_mask, err)) < 0)
		goto out;
	j->signals_blocked = true;
	st.saved_mask = j->saved_mask;
	st.signals_blocked = true;
	st.parent_pid = getpid();

	pid_t pid = fork_in_pid_namespace(&st, err);
	if (pid == 0)
		join_child(&st, cg);
	hull_cg_self_join_close(&st.self_join);
	if ((ret = pid) < 0)
		goto out;
	hull_sync_keep_parent(&st.sync);
	int type = hull_sync_read_report(&st.sync, &child_err, err);
	if (type != HULL_REPORT_EOF) {
		hull_reap(pid);
		if (type == HULL_REPORT_ERROR) {
			*err = child_err;
			j->child_failed = true;
			ret = -(err->errnum ? err->errnum : EINVAL);
		} else {
			ret = type < 0 ? type
				       : hull_fail(err, EPROTO,
						   "unexpected report from the exec process");
		}
		goto out;
	}
	j->pid = pid;
	ret = 0;
out:
	hull_sync_close(&st.sync);
	hull_cg_self_join_close(&st.self_join);
	for (size_t i = 0; i < HULL_NS_SLOTS; i++)
		if (st.ns_fds[i] >= 0)
			close(st.ns_fds[i]);
	if (st.console_fd >= 0)
		close(st.console_fd);
	hull_seccomp_free(&st.filter);
	return ret;
}

int hull_join_wait(struct hull_join *j, struct hull_err *err)
{
	int status = hull_supervise(j->pid, err);
	return status < 0 ? status : hull_exit_status(status);
}

void hull_join_end(struct hull_join *j)
{
	if (j->signals_blocked)
		hull_signals_restore(&j->saved_mask);
	j->signals_blocked = false;
}
