/* isolate.c — the verifier's host side, one probed container, and the
 * `hull-harness isolate` command; see isolate.h. */
#include "isolate.h"
#include "commands.h"
#include "ns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static bool pathf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}

/* Copy with truncation, always terminated. */
static void scopy(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---- cancel on signals ------------------------------------------------ */

static int cancel_pipe[2] = { -1, -1 };
static volatile sig_atomic_t cancelled;

static void on_signal(int sig)
{
	int saved = errno;
	cancelled = sig;
	if (cancel_pipe[1] >= 0)
		(void)!write(cancel_pipe[1], "x", 1);
	errno = saved;
}

int hull_iso_cancel_fd(void)
{
	if (cancel_pipe[0] >= 0)
		return cancel_pipe[0];
	if (pipe2(cancel_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return cancel_pipe[0];
}

bool hull_iso_cancelled(void)
{
	return cancelled != 0;
}

/* ---- the host's mount table ------------------------------------------- */

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] && r[3]) {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

struct mount_ent {
	char mnt[PATH_MAX];
	char src[256];
	bool shared;
};

/* Call fn for every host mount, in mountinfo order (parents first). */
static void for_each_mount(void (*fn)(const struct mount_ent *, void *), void *arg)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[8192];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct mount_ent m = { 0 };
		char *fields[32], *save = NULL;
		int nf = 0;
		for (char *t = strtok_r(line, " \n", &save); t && nf < 32;
		     t = strtok_r(NULL, " \n", &save))
			fields[nf++] = t;
		if (nf < 7)
			continue;
		int i = 6;
		for (; i < nf && strcmp(fields[i], "-") != 0; i++)
			if (strncmp(fields[i], "shared:", 7) == 0)
				m.shared = true;
		if (i + 2 >= nf)
			continue;
		snprintf(m.mnt, sizeof(m.mnt), "%s", fields[4]);
		snprintf(m.src, sizeof(m.src), "%s", fields[i + 2]);
		unescape(m.mnt);
		unescape(m.src);
		fn(&m, arg);
	}
	fclose(f);
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

struct mount_list {
	char **v;
	size_t n, cap;
};

static void list_add(struct mount_list *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof(char *));
		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n] = strdup(s)))
		l->n++;
}

static void list_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Which host mounts belong to a run: its token's tmpfs, and (sweep) any
 * mount under the rootfs that was not there at setup, or any token of
 * ours. Collected first, detached afterwards, children before parents. */
struct leak_scan {
	const struct hull_iso_host *h;
	const char *token; /* this run's; NULL in a sweep */
	bool sweep;	   /* also new mounts under the rootfs */
	struct mount_list found;
	char token_at[256];
	int new_mounts;
	char first_new[256];
};

static bool was_there(const struct hull_iso_host *h, const char *mnt)
{
	for (size_t i = 0; i < h->n_mounts_before; i++)
		if (strcmp(h->mounts_before[i], mnt) == 0)
			return true;
	return false;
}

static void scan_one(const struct mount_ent *m, void *arg)
{
	struct leak_scan *s = arg;
	const struct hull_iso_host *h = s->h;

	if (s->token && strcmp(m->src, s->token) == 0) {
		if (!s->token_at[0])
			scopy(s->token_at, sizeof(s->token_at), m->mnt);
		list_add(&s->found, m->mnt);
		return;
	}
	if (!s->sweep)
		return;
	if (strncmp(m->src, h->token_prefix, strlen(h->token_prefix)) == 0) {
		list_add(&s->found, m->mnt);
		return;
	}
	if (h->rootfs[0] && under(m->mnt, h->rootfs) && strcmp(m->mnt, h->rootfs) != 0 &&
	    !was_there(h, m->mnt)) {
		if (!s->new_mounts++)
			scopy(s->first_new, sizeof(s->first_new), m->mnt);
		list_add(&s->found, m->mnt);
	}
}

static void detach_all(struct mount_list *l, const char *token_prefix)
{
	for (size_t i = l->n; i-- > 0;) {
		umount2(l->v[i], MNT_DETACH);
		/* The probe's own mountpoint goes too; nothing else. */
		const char *base = strrchr(l->v[i], '/');
		if (base && strncmp(base + 1, token_prefix, strlen(token_prefix)) == 0)
			rmdir(l->v[i]);
	}
	list_free(l->v, l->n);
	l->v = NULL;
	l->n = l->cap = 0;
}

struct shared_scan {
	const char *path;
	size_t best;
	bool shared;
	struct mount_list below;
};

static void scan_shared(const struct mount_ent *m, void *arg)
{
	struct shared_scan *s = arg;
	size_t n = strlen(m->mnt);
	if (under(s->path, m->mnt) || strcmp(m->mnt, "/") == 0) {
		if (n >= s->best) {
			s->best = n;
			s->shared = m->shared;
		}
	}
	if (under(m->mnt, s->path))
		list_add(&s->below, m->mnt);
}

/* ---- host objects --------------------------------------------------- */

const char *hull_iso_default_rootfs(void)
{
	static char path[PATH_MAX];
	const char *dir = hull_launch_self_dir();
	if (!dir || !pathf(path, sizeof(path), "%s/../rootfs", dir))
		return NULL;
	char *real = realpath(path, NULL);
	if (!real)
		return NULL;
	pathf(path, sizeof(path), "%s", real);
	free(real);
	return path;
}

static int setup_listener(struct hull_iso_host *h, struct hull_err *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	h->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (h->listen_fd < 0)
		return hull_fail(err, errno, "cannot create the loopback listener");
	if (bind(h->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(h->listen_fd, 512) < 0 ||
	    getsockname(h->listen_fd, (struct sockaddr *)&sa, &len) < 0)
		return hull_fail(err, errno, "cannot listen on '127.0.0.1'");
	h->port = ntohs(sa.sin_port);
	return 0;
}

static int setup_ipc(struct hull_iso_host *h, struct hull_err *err)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	long base = (((long)getpid() << 12) ^ (ts.tv_nsec >> 8)) & 0x0fffffff;

	for (int i = 0; i < 64; i++) {
		long key = 0x48000000L | ((base + i) & 0x00ffffff);
		int id = shmget((key_t)key, 4096, IPC_CREAT | IPC_EXCL | 0600);
		if (id >= 0) {
			h->shm_id = id;
			h->shm_key = key;
			break;
		}
		if (errno != EEXIST)
			return hull_fail(err, errno, "cannot create a shm segment");
	}
	if (h->shm_id < 0)
		return hull_fail(err, EEXIST, "cannot create a shm segment");

	snprintf(h->mqueue, sizeof(h->mqueue), "/hull-iso-%d-%lx", (int)getpid(), (long)ts.tv_nsec);
	mqd_t q = mq_open(h->mqueue, O_CREAT | O_EXCL | O_RDONLY | O_CLOEXEC, 0600, NULL);
	if (q == (mqd_t)-1) {
		int e = errno;
		h->mqueue[0] = '\0';
		return hull_fail(err, e, "cannot create a message queue");
	}
	mq_close(q);
	return 0;
}

/* The sentinel: forked (before any thread exists), it drops every
 * capability, stays uid 0 and dumpable, and waits for EOF on a pipe. */
static int setup_sentinel(struct hull_iso_host *h, struct hull_err *err)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return hull_fail(err, errno, "cannot create the sentinel's pipe");
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return hull_fail(err, e, "cannot fork the sentinel");
	}
	if (pid == 0) {
		struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct none[2] = { 0 };
		char c;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[1]);
		if (syscall(SYS_capset, &hdr, none) < 0)
			_exit(1);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	h->sentinel = pid;
	h->sentinel_fd = p[1];
	return 0;
}

int hull_iso_host_setup(struct hull_iso_host *h, const char *rootfs, bool shared_rootfs,
			struct hull_err *err)
{
	char path[PATH_MAX];
	struct utsname u;
	int ret;

	memset(h, 0, sizeof(*h));
	h->listen_fd = -1;
	h->sentinel_fd = -1;
	h->shm_id = -1;
	snprintf(h->token_prefix, sizeof(h->token_prefix), "hull-iso-%d-", (int)getpid());

	if (!rootfs)
		return hull_fail(err, 0,
				 "no rootfs (build one with make rootfs, or pass --rootfs)");
	char *real = realpath(rootfs, NULL);
	if (!real)
		return hull_fail(err, errno, "cannot use rootfs '%s'", rootfs);
	pathf(h->orig_rootfs, sizeof(h->orig_rootfs), "%s", real);
	pathf(h->rootfs, sizeof(h->rootfs), "%s", real);
	free(real);
	if (!pathf(path, sizeof(path), "%s/bin/hull-probe", h->rootfs) || access(path, X_OK) < 0)
		return hull_fail(err, errno, "cannot use rootfs '%s': no /bin/hull-probe",
				 h->rootfs);

	/* The marker sits outside the rootfs, where only a leak can reach it. */
	const char *tmp = under("/tmp", h->rootfs) ? "/run" : "/tmp";
	pathf(h->dir, sizeof(h->dir), "%s/hull-iso-XXXXXX", tmp);
	if (!mkdtemp(h->dir)) {
		ret = hull_fail(err, errno, "cannot create a directory in '%s'", tmp);
		h->dir[0] = '\0';
		return ret;
	}
	chmod(h->dir, 0755);
	pathf(h->marker, sizeof(h->marker), "%s/marker", h->dir);
	int fd = open(h->marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return hull_fail(err, errno, "cannot create marker '%s'", h->marker);
	(void)!write(fd, "hull isolation marker\n", 22);
	close(fd);

	if (shared_rootfs) {
		/* As on systemd hosts, where / is shared: a runtime that does not
		 * make its mounts private leaks them to this bind. */
		pathf(path, sizeof(path), "%s/root", h->dir);
		if (mkdir(path, 0755) < 0)
			return hull_fail(err, errno, "cannot create '%s'", path);
		if (mount(h->rootfs, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
			ret = hull_fail(err, errno, "cannot bind rootfs '%s' to '%s'", h->rootfs,
					path);
			rmdir(path);
			return ret;
		}
		h->bound = true;
		pathf(h->rootfs, sizeof(h->rootfs), "%s", path);
		if (mount(NULL, path, NULL, MS_SHARED, NULL) < 0)
			return hull_fail(err, errno, "cannot make '%s' shared", path);
	}

	struct shared_scan ss = { .path = h->rootfs };
	for_each_mount(scan_shared, &ss);
	h->rootfs_shared = ss.shared;
	h->mounts_before = ss.below.v;
	h->n_mounts_before = ss.below.n;

	ret = setup_listener(h, err);
	if (ret < 0)
		return ret;
	ret = setup_sentinel(h, err);
	if (ret < 0)
		return ret;
	ret = setup_ipc(h, err);
	if (ret < 0)
		return ret;

	uname(&u);
	snprintf(h->view.hostname, sizeof(h->view.hostname), "%s", u.nodename);
	hull_host_read_ns(h->view.ns);
	h->view.marker = h->marker;
	h->view.port = h->port;
	return 0;
}

/* The probe's mount test directories: <rootfs>/tmp/<token> (or /<token>). */
static void remove_token_dirs(const char *rootfs, const char *prefix)
{
	char dir[PATH_MAX], sub[PATH_MAX];
	const char *where[] = { "/tmp", "" };

	for (size_t i = 0; i < 2; i++) {
		if (!pathf(dir, sizeof(dir), "%s%s", rootfs, where[i]))
			continue;
		DIR *d = opendir(dir);
		struct dirent *e;
		if (!d)
			continue;
		while ((e = readdir(d)))
			if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 &&
			    pathf(sub, sizeof(sub), "%s/%s", dir, e->d_name))
				rmdir(sub);
		closedir(d);
	}
}

void hull_iso_host_cleanup(struct hull_iso_host *h)
{
	char path[PATH_MAX];

	/* Leaked mounts first: they may sit inside the bind. */
	struct leak_scan s = { .h = h, .sweep = true };
	if (h->token_prefix[0]) {
		for_each_mount(scan_one, &s);
		detach_all(&s.found, h->token_prefix);
	}
	if (h->orig_rootfs[0] && h->token_prefix[0]) {
		remove_token_dirs(h->orig_rootfs, h->token_prefix);
		remove_token_dirs("", h->token_prefix); /* bare: the host's /tmp */
	}
	if (h->bound) {
		pathf(path, sizeof(path), "%s/root", h->dir);
		umount2(path, MNT_DETACH);
		h->bound = false;
	}
	if (h->dir[0]) {
		pathf(path, sizeof(path), "%s/root", h->dir);
		rmdir(path);
		if (h->marker[0])
			unlink(h->marker);
		rmdir(h->dir);
		h->dir[0] = '\0';
	}
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	h->listen_fd = -1;
	if (h->sentinel_fd >= 0)
		close(h->sentinel_fd);
	h->sentinel_fd = -1;
	if (h->sentinel > 0) {
		while (waitpid(h->sentinel, NULL, 0) < 0 && errno == EINTR)
			;
		h->sentinel = 0;
	}
	if (h->shm_id >= 0)
		shmctl(h->shm_id, IPC_RMID, NULL);
	h->shm_id = -1;
	if (h->mqueue[0])
		mq_unlink(h->mqueue);
	h->mqueue[0] = '\0';
	list_free(h->mounts_before, h->n_mounts_before);
	h->mounts_before = NULL;
	h->n_mounts_before = 0;
}

/* ---- one container ---------------------------------------------------- */

static void drain_listener(int fd)
{
	int c;
	while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0)
		close(c);
}

/* The last non-empty line of the runtime's stderr, for "not started". */
static void last_line(const char *s, char *out, size_t len)
{
	const char *end = s + strlen(s);
	while (end > s && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	const char *start = end;
	while (start > s && start[-1] != '\n')
		start--;
	size_t n = (size_t)(end - start);
	if (n >= len)
		n = len - 1;
	memcpy(out, start, n);
	out[n] = '\0';
}

static uint64_t next_token(void)
{
	static uint64_t counter;
	return __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
}

void hull_iso_cell_free(struct hull_iso_cell *cell)
{
	free(cell->probe_json);
	cell->probe_json = NULL;
}

int hull_iso_run(struct hull_iso_host *h, const struct hull_launch_config *base, bool serial,
		 bool keep_json, struct hull_iso_cell *cell, struct hull_err *err)
{
	char token[64], port[16], key[32];
	struct hull_launch_config cfg = *base;
	struct hull_launch l;
	struct hull_launch_result res;
	struct hull_err lerr = { 0 };
	const struct hull_runtime_info *rt = hull_runtime_lookup(base->runtime);
	int ret;

	memset(cell, 0, sizeof(*cell));
	cell->exit_code = -1;
	for (int i = 0; i < HULL_PROP_COUNT; i++) {
		cell->props[i].verdict = HULL_ERROR;
		snprintf(cell->props[i].detail, sizeof(cell->props[i].detail), "not started");
		cell->expected[i] = HULL_ERROR;
	}
	if (!rt)
		return hull_fail(err, 0, "unknown runtime '%s'",
				 base->runtime ? base->runtime : "");
	cell->runtime = rt->name;
	cell->ns = hull_launch_effective_ns(rt, base->ns_flags);
	cell->chroot = base->chroot;
	cell->spawn_fork = base->spawn_fork;
	cell->pivot = hull_launch_uses_pivot(rt, cell->ns, base->chroot);

	struct hull_expect_ctx ctx = {
		.rt = rt, .ns = cell->ns, .pivot = cell->pivot, .rootfs_shared = h->rootfs_shared
	};
	char why[160];
	cell->expect_started = hull_expect_start(&ctx, why, sizeof(why));
	for (int i = 0; i < HULL_PROP_COUNT; i++)
		cell->expected[i] = hull_expected((enum hull_prop)i, &ctx);

	snprintf(token, sizeof(token), "%s%llu", h->token_prefix, (unsigned long long)next_token());
	snprintf(port, sizeof(port), "%d", h->port);
	snprintf(key, sizeof(key), "%ld", h->shm_key);
	char *argv[] = { "/bin/hull-probe",
			 "--marker",
			 h->marker,
			 "--port",
			 port,
			 "--shm-key",
			 key,
			 "--mqueue",
			 h->mqueue,
			 "--mount-test",
			 token,
			 "--escape",
			 NULL };
	cfg.rootfs = h->rootfs;
	cfg.argv = argv;

	ret = hull_launch_prepare(&cfg, &l, &lerr);
	if (ret < 0) {
		scopy(cell->reason, sizeof(cell->reason), lerr.msg);
		cell->mismatches = cell->expect_started ? 1 : 0;
		return 0;
	}
	cell->run = true;
	ret = hull_launch_run(&l, &res, &lerr);
	hull_launch_release(&l);
	if (ret < 0) {
		*err = lerr;
		return ret;
	}

	/* The host's side of the story, then clean up what this run left. */
	struct hull_host_view view = h->view;
	struct leak_scan s = { .h = h, .token = token, .sweep = serial };
	for_each_mount(scan_one, &s);
	view.mount_seen = s.token_at[0] != '\0';
	snprintf(view.mount_seen_at, sizeof(view.mount_seen_at), "%s", s.token_at);
	view.new_host_mounts = s.new_mounts;
	snprintf(view.new_host_mount, sizeof(view.new_host_mount), "%s", s.first_new);
	detach_all(&s.found, h->token_prefix);
	char dir[PATH_MAX];
	if (pathf(dir, sizeof(dir), "%s/tmp/%s", h->orig_rootfs, token))
		rmdir(dir);
	if (pathf(dir, sizeof(dir), "%s/%s", h->orig_rootfs, token))
		rmdir(dir);
	if (pathf(dir, sizeof(dir), "/tmp/%s", token))
		rmdir(dir); /* bare mounts on the host's /tmp */
	drain_listener(h->listen_fd);

	cell->exit_code = res.exit_code;
	cell->t_ns = res.t_exit_ns - res.t_spawn_ns;
	if (res.cancelled) {
		hull_launch_result_free(&res);
		return hull_fail(err, EINTR, "interrupted");
	}
	if (res.timed_out) {
		snprintf(cell->reason, sizeof(cell->reason), "timed out after %d ms",
			 cfg.timeout_ms ? cfg.timeout_ms : 10000);
	} else if (res.exit_code != 0) {
		char line[200];
		last_line(res.err, line, sizeof(line));
		snprintf(cell->reason, sizeof(cell->reason), "exit status %d%s%s", res.exit_code,
			 line[0] ? ": " : "", line);
	} else if (hull_judge(res.out, &view, cell->props, &lerr) < 0) {
		scopy(cell->reason, sizeof(cell->reason), lerr.msg);
	} else {
		cell->started = true;
	}
	cell->probe_json = strdup(res.out);
	hull_launch_result_free(&res);

	/* Privileges are an input of the rules: judge with what the probe had. */
	if (cell->started &&
	    hull_probe_caps(cell->probe_json ? cell->probe_json : "", &ctx.caps_eff) == 0) {
		ctx.caps_known = true;
		for (int i = 0; i < HULL_PROP_COUNT; i++)
			cell->expected[i] = hull_expected((enum hull_prop)i, &ctx);
	}
	if (cell->started != cell->expect_started)
		cell->mismatches++;
	if (!cell->started && cell->expect_started == false && !cell->reason[0])
		snprintf(cell->reason, sizeof(cell->reason), "%s", why);
	if (cell->started)
		for (int i = 0; i < HULL_PROP_COUNT; i++)
			if (cell->props[i].verdict != cell->expected[i])
				cell->mismatches++;
	if (!keep_json)
		hull_iso_cell_free(cell);
	return 0;
}

/* ---- hull-harness isolate --------------------------------------------- */

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " hull-harness isolate [options]\n"
	      "\n"
	      "Run one container with the probe and judge what it is isolated from:\n"
	      "hostname pid mounts root propagation net ipc user cgroup time chroot_escape,\n"
	      "each isolated, shared or error, against the expected verdict of the rules.\n"
	      "\n"
	      "Options:\n"
	      " -r, --runtime NAME     hull (default), seed, bare, floor, unshare, bwrap,\n"
	      "                          crun, crun-cgroupfs or runc\n"
	      "     --ns LIST          namespaces (default mnt,uts,pid,ipc,net; all, none)\n"
	      "     --chroot           hull/floor: chroot instead of pivot_root\n"
	      "     --spawn MODE       hull: clone3 (default) or fork\n"
	      "     --rootfs DIR       root filesystem with /bin/hull-probe (default "
	      "build/rootfs)\n"
	      "     --shared-rootfs    serve the rootfs from a shared bind mount, as on\n"
	      "                          systemd hosts, so propagation leaks show\n"
	      "     --timeout MS       per container (default 10000)\n"
	      "     --json             print the verdicts as JSON\n"
	      " -v, --verbose          print the host objects and the probe's raw JSON\n"
	      " -h, --help             display this help\n"
	      "\n"
	      "Exit status: 0 when every verdict is as expected, 1 when one is not,\n"
	      "3 when the container did not start, 2 on bad usage or a harness error,\n"
	      "130 when interrupted.\n",
	      out);
}

static json_object *cell_props_json(const struct hull_iso_cell *c)
{
	json_object *props = json_object_new_object();
	for (int i = 0; i < HULL_PROP_COUNT; i++) {
		json_object *p = json_object_new_object();
		json_object_object_add(
			p, "verdict",
			json_object_new_string(hull_verdict_name(c->props[i].verdict)));
		json_object_object_add(p, "detail", json_object_new_string(c->props[i].detail));
		json_object_object_add(p, "expected",
				       json_object_new_string(hull_verdict_name(c->expected[i])));
		json_object_object_add(props, hull_prop_names[i], p);
	}
	return props;
}

json_object *hull_iso_cell_json(const struct hull_iso_cell *c)
{
	char ns[128];
	json_object *o = json_object_new_object();

	hull_ns_format(c->ns, ns, sizeof(ns));
	json_object_object_add(o, "runtime", json_object_new_string(c->runtime ? c->runtime : ""));
	json_object_object_add(o, "namespaces", json_object_new_string(ns));
	json_object_object_add(o, "root_mode",
			       json_object_new_string(c->pivot ? "pivot_root" : "chroot"));
	json_object_object_add(o, "spawn",
			       json_object_new_string(c->spawn_fork ? "fork" : "clone3"));
	json_object_object_add(o, "started", json_object_new_boolean(c->started));
	json_object_object_add(o, "expected_started", json_object_new_boolean(c->expect_started));
	json_object_object_add(o, "reason", json_object_new_string(c->reason));
	json_object_object_add(o, "duration_ns", json_object_new_int64((int64_t)c->t_ns));
	json_object_object_add(o, "properties",
			       c->started ? cell_props_json(c) : json_object_new_object());
	json_object_object_add(o, "mismatches", json_object_new_int(c->mismatches));
	return o;
}

int hull_harness_isolate(int argc, char **argv)
{
	enum { OPT_NS = 256, OPT_CHROOT, OPT_SPAWN, OPT_ROOTFS, OPT_SHARED, OPT_TIMEOUT, OPT_JSON };
	static const struct option longopts[] = {
		{ "runtime", required_argument, NULL, 'r' },
		{ "ns", required_argument, NULL, OPT_NS },
		{ "chroot", no_argument, NULL, OPT_CHROOT },
		{ "spawn", required_argument, NULL, OPT_SPAWN },
		{ "rootfs", required_argument, NULL, OPT_ROOTFS },
		{ "shared-rootfs", no_argument, NULL, OPT_SHARED },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hull_launch_config cfg = {
		.runtime = "hull", .ns_flags = HULL_NS_DEFAULT, .trace_fd = -1, .cancel_fd = -1
	};
	const char *rootfs = NULL;
	bool shared = false, json = false, ns_given = false;
	int verbose = 0, c;
	struct hull_err err = { 0 };
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+r:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			cfg.runtime = optarg;
			break;
		case OPT_NS:
			if (hull_ns_parse_list(optarg, &cfg.ns_flags, &err) < 0) {
				fprintf(stderr, "hull-harness: %s\n", err.msg);
				return 2;
			}
			ns_given = true;
			break;
		case OPT_CHROOT:
			cfg.chroot = true;
			break;
		case OPT_SPAWN:
			if (strcmp(optarg, "fork") == 0)
				cfg.spawn_fork = true;
			else if (strcmp(optarg, "clone3") != 0) {
				fprintf(stderr, "hull-harness: unknown spawn mode '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_ROOTFS:
			rootfs = optarg;
			break;
		case OPT_SHARED:
			shared = true;
			break;
		case OPT_TIMEOUT:
			cfg.timeout_ms = (int)strtol(optarg, &end, 10);
			if (*end || cfg.timeout_ms <= 0) {
				fprintf(stderr, "hull-harness: invalid timeout '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "hull-harness: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	const struct hull_runtime_info *rt = hull_runtime_lookup(cfg.runtime);
	char why[256];
	if (!hull_runtime_available(cfg.runtime, why, sizeof(why))) {
		fprintf(stderr, "hull-harness: runtime '%s' is not available: %s\n", cfg.runtime,
			why);
		return 2;
	}
	/* Runtimes with a fixed set: take theirs unless asked otherwise. */
	if (!ns_given)
		cfg.ns_flags &= rt->ns_choosable | rt->ns_always;
	if (!rootfs)
		rootfs = hull_iso_default_rootfs();
	cfg.cancel_fd = hull_iso_cancel_fd();

	struct hull_iso_host host;
	struct hull_iso_cell cell = { 0 };
	int status = 2;
	if (hull_iso_host_setup(&host, rootfs, shared, &err) < 0) {
		fprintf(stderr, "hull-harness: %s\n", err.msg);
		hull_iso_host_cleanup(&host);
		return 2;
	}
	if (verbose)
		fprintf(stderr,
			"isolate: host objects: marker %s, port %d, shm key %ld, mqueue %s, "
			"mount token prefix %s, rootfs %s%s\n",
			host.marker, host.port, host.shm_key, host.mqueue, host.token_prefix,
			host.rootfs, host.rootfs_shared ? " (shared mount)" : "");

	int ret = hull_iso_run(&host, &cfg, true, true, &cell, &err);
	hull_iso_host_cleanup(&host);
	if (ret < 0) {
		hull_iso_cell_free(&cell);
		if (hull_iso_cancelled()) {
			fputs("hull-harness: interrupted\n", stderr);
			return 130;
		}
		fprintf(stderr, "hull-harness: %s\n", err.msg);
		return 2;
	}
	if (verbose && cell.probe_json)
		fprintf(stderr, "isolate: probe output: %s", cell.probe_json);

	char ns[128];
	hull_ns_format(cell.ns, ns, sizeof(ns));
	if (json) {
		json_object *o = hull_iso_cell_json(&cell);
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		printf("runtime %s, namespaces %s, root %s%s%s\n", cell.runtime, ns,
		       cell.pivot ? "pivot_root" : "chroot",
		       strcmp(cell.runtime, "hull") == 0 ? ", spawn " : "",
		       strcmp(cell.runtime, "hull") == 0 ? (cell.spawn_fork ? "fork" : "clone3")
							 : "");
		if (!cell.started) {
			printf("not started: %s%s\n", cell.reason,
			       cell.expect_started ? ""
						   : " (expected: the rules say it cannot start)");
		} else {
			printf("%-14s %-9s %-9s %s\n", "property", "verdict", "expected", "detail");
			for (int i = 0; i < HULL_PROP_COUNT; i++)
				printf("%-14s %-9s %-9s%s%s\n", hull_prop_names[i],
				       hull_verdict_name(cell.props[i].verdict),
				       hull_verdict_name(cell.expected[i]),
				       cell.props[i].verdict != cell.expected[i] ? "! " : "  ",
				       cell.props[i].detail);
			printf("%d of %d properties as expected (%.1f ms)\n",
			       HULL_PROP_COUNT - cell.mismatches, HULL_PROP_COUNT,
			       (double)cell.t_ns / 1e6);
		}
	}
	if (!cell.started)
		status = cell.expect_started ? 3 : 0;
	else
		status = cell.mismatches ? 1 : 0;
	hull_iso_cell_free(&cell);
	return status;
}
