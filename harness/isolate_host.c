/* isolate_host.c — the verifier's host objects (see isolate.h): the
 * marker, the loopback listener, the shm segment and mqueue, the sentinel,
 * the optional shared bind of the rootfs and the host's own view; set up
 * once, removed by hh_iso_host_cleanup() at any point, failed or not. */
#include "isolate.h"
#include "isolate_priv.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *hh_iso_default_rootfs(void)
{
	static char path[PATH_MAX];
	const char *dir = hh_self_dir();
	if (!dir || !hh_pathf(path, sizeof(path), "%s/../rootfs", dir))
		return NULL;
	char *real = realpath(path, NULL);
	if (!real)
		return NULL;
	hh_pathf(path, sizeof(path), "%s", real);
	free(real);
	return path;
}

static int setup_listener(struct hh_iso_host *h, struct hull_err *err)
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

static int setup_ipc(struct hh_iso_host *h, struct hull_err *err)
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
 * capability, stays uid 0 and dumpable, and waits for EOF on a pipe.
 * Setup returns only once the capabilities are gone: a container started
 * before that (the fork's child may not have run yet on a busy machine)
 * would meet a process with full capabilities, whose /proc/<pid>/root a
 * capability-less probe may not read, and find no way out where there is
 * one (a "shared" cell judged isolated). */
static int setup_sentinel(struct hh_iso_host *h, struct hull_err *err)
{
	int p[2], ready[2];
	char c;

	if (pipe2(p, O_CLOEXEC) < 0)
		return hull_fail(err, errno, "cannot create the sentinel's pipe");
	if (pipe2(ready, O_CLOEXEC) < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return hull_fail(err, e, "cannot create the sentinel's pipe");
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		close(ready[0]);
		close(ready[1]);
		return hull_fail(err, e, "cannot fork the sentinel");
	}
	if (pid == 0) {
		struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct none[2] = { 0 };
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[1]);
		close(ready[0]);
		if (syscall(SYS_capset, &hdr, none) < 0)
			_exit(1);
		if (write(ready[1], "", 1) != 1)
			_exit(1);
		close(ready[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(p[0]);
	close(ready[1]);
	ssize_t n;
	while ((n = read(ready[0], &c, 1)) < 0 && errno == EINTR)
		;
	close(ready[0]);
	h->sentinel = pid;
	h->sentinel_fd = p[1];
	if (n != 1) /* it exited: capset refused */
		return hull_fail(err, EPERM, "the sentinel could not drop its capabilities");
	return 0;
}

/* Whether any user may walk down to path: every directory above it is
 * searchable by others. */
static bool walkable_by_anyone(const char *path)
{
	char dir[PATH_MAX];
	struct stat st;

	if (!hh_pathf(dir, sizeof(dir), "%s", path))
		return false;
	for (char *slash = strrchr(dir, '/'); slash; slash = strrchr(dir, '/')) {
		slash[slash == dir] = '\0'; /* keep "/" itself */
		if (stat(dir, &st) < 0 || !(st.st_mode & S_IXOTH))
			return false;
		if (slash == dir)
			break;
	}
	return true;
}

int hh_iso_host_setup(struct hh_iso_host *h, const char *rootfs, bool shared_rootfs,
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
	hh_pathf(h->orig_rootfs, sizeof(h->orig_rootfs), "%s", real);
	hh_pathf(h->rootfs, sizeof(h->rootfs), "%s", real);
	free(real);
	if (!hh_pathf(path, sizeof(path), "%s/bin/hull-probe", h->rootfs) || access(path, X_OK) < 0)
		return hull_fail(err, errno, "cannot use rootfs '%s': no /bin/hull-probe",
				 h->rootfs);

	/* The marker sits outside the rootfs, where only a leak can reach it. */
	const char *tmp = hh_iso_under("/tmp", h->rootfs) ? "/run" : "/tmp";
	hh_pathf(h->dir, sizeof(h->dir), "%s/hull-iso-XXXXXX", tmp);
	if (!mkdtemp(h->dir)) {
		ret = hull_fail(err, errno, "cannot create a directory in '%s'", tmp);
		h->dir[0] = '\0';
		return ret;
	}
	chmod(h->dir, 0755);
	hh_pathf(h->marker, sizeof(h->marker), "%s/marker", h->dir);
	int fd = open(h->marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return hull_fail(err, errno, "cannot create marker '%s'", h->marker);
	(void)!write(fd, "hull isolation marker\n", 22);
	close(fd);

	/* A container's root in a user namespace is an unprivileged host uid:
	 * below a directory it may not walk through (a checkout in /root, mode
	 * 0700) the chroot escape stops at that directory, and the verdicts
	 * would tell where the checkout lives rather than what the runtime
	 * isolates. Then the containers get the rootfs bound under our temp
	 * dir, with the propagation its own mount has. */
	struct shared_scan orig = { .path = h->rootfs };
	hh_iso_for_each_mount(hh_iso_scan_shared, &orig);
	hh_iso_list_free(orig.below.v, orig.below.n);
	bool rebind = !shared_rootfs && !walkable_by_anyone(h->rootfs);

	if (shared_rootfs || rebind) {
		/* Shared: as on systemd hosts, where / is shared, a runtime that
		 * does not make its mounts private leaks them to this bind. */
		hh_pathf(path, sizeof(path), "%s/root", h->dir);
		if (mkdir(path, 0755) < 0)
			return hull_fail(err, errno, "cannot create '%s'", path);
		if (mount(h->rootfs, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
			ret = hull_fail(err, errno, "cannot bind rootfs '%s' to '%s'", h->rootfs,
					path);
			rmdir(path);
			return ret;
		}
		h->bound = true;
		hh_pathf(h->rootfs, sizeof(h->rootfs), "%s", path);
		bool shared = shared_rootfs || orig.shared;
		if (mount(NULL, path, NULL, shared ? MS_SHARED : MS_PRIVATE, NULL) < 0)
			return hull_fail(err, errno, "cannot make '%s' %s", path,
					 shared ? "shared" : "private");
	}

	struct shared_scan ss = { .path = h->rootfs };
	hh_iso_for_each_mount(hh_iso_scan_shared, &ss);
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
	hh_host_read_ns(h->view.ns);
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
		if (!hh_pathf(dir, sizeof(dir), "%s%s", rootfs, where[i]))
			continue;
		DIR *d = opendir(dir);
		struct dirent *e;
		if (!d)
			continue;
		while ((e = readdir(d)))
			if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 &&
			    hh_pathf(sub, sizeof(sub), "%s/%s", dir, e->d_name))
				rmdir(sub);
		closedir(d);
	}
}

void hh_iso_host_cleanup(struct hh_iso_host *h)
{
	char path[PATH_MAX];

	/* Leaked mounts first: they may sit inside the bind. */
	struct leak_scan s = { .h = h, .sweep = true };
	if (h->token_prefix[0]) {
		hh_iso_for_each_mount(hh_iso_scan_leak, &s);
		hh_iso_detach_all(&s.found, h->token_prefix);
	}
	if (h->orig_rootfs[0] && h->token_prefix[0]) {
		remove_token_dirs(h->orig_rootfs, h->token_prefix);
		remove_token_dirs("", h->token_prefix); /* bare: the host's /tmp */
	}
	if (h->bound) {
		hh_pathf(path, sizeof(path), "%s/root", h->dir);
		umount2(path, MNT_DETACH);
		h->bound = false;
	}
	if (h->dir[0]) {
		hh_pathf(path, sizeof(path), "%s/root", h->dir);
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
	hh_iso_list_free(h->mounts_before, h->n_mounts_before);
	h->mounts_before = NULL;
	h->n_mounts_before = 0;
}
