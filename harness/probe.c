/* probe.c — hull-probe: runs as a container's command, looks around and
 * prints what it sees as one JSON object on stdout.
 *
 *   hull-probe [--marker PATH] [--port N] [--shm-key K] [--mqueue NAME]
 *              [--mount-test NAME] [--escape] [--stamp]
 *
 * The very first thing main() does is read CLOCK_MONOTONIC: that stamp is
 * "t_entry_ns", the end of a container start for the latency benchmark.
 * `--stamp` prints only {"t_entry_ns":N} and exits 0 at once, with nothing
 * but one write(2) in between, so the benchmark measures the runtime and
 * not the probe.
 *
 * Static, no dynamic libraries, no JSON library: the probe must start fast
 * and run in any rootfs. It works without /proc too (hull mounts none
 * without a mount namespace): namespace identities come from pidfd ioctls
 * (Linux >= 6.11), capabilities from capget/prctl, fds from fcntl.
 *
 * Output schema (schema 1). Every field is always present; a value that
 * could not be observed is null, and "errno" strings name the failure
 * ("ENOENT"), "" when there was none.
 *
 *   t_entry_ns      int     CLOCK_MONOTONIC at entry to main
 *   schema          int     1
 *   pid, ppid       int     as the probe sees them (1 / 0 in a new pid ns)
 *   uid gid euid egid int
 *   hostname        string  uname nodename
 *   domainname      string  uname domainname
 *   ns              object  {"mnt"|"uts"|"pid"|"ipc"|"net"|"user"|"cgroup"|"time":
 *                            {"ino":int,"dev":int,"via":"pidfd"|"proc"} | null}
 *                            identities to compare with the host's (the kernel
 *                            selftests' in_same_namespace(): st_dev + st_ino)
 *   proc            object  {"mounted":bool, "n_pids":int, "pids":[int,...]
 *                            (at most 256), "truncated":bool}
 *   mounts          object  {"readable":bool, "n":int, "list":[{"id","parent",
 *                            "root","mnt","opt","src","fs"}]} from
 *                            /proc/self/mountinfo ("opt": optional fields,
 *                            e.g. "shared:1"; at most 128 entries)
 *   root            object  {"entries":[string] (names in /, at most 64),
 *                            "rootfs_marker":bool (/etc/hull-rootfs exists)}
 *   marker          object  {"path":string|null, "reachable":bool, "errno":str,
 *                            "via_proc_root":bool, "proc_root_pid":int,
 *                            "proc_root_comm":string|null, "proc_root_errno":str}
 *                            whether the host's marker file is reachable at its
 *                            host path, and through /proc/<pid>/root of any
 *                            process /proc shows (0: none)
 *   ifaces          [object] {"name","flags":int,"up":bool,"loopback":bool}
 *   connect         object  {"port":int|null, "ok":bool, "errno":str}
 *                            TCP connect to 127.0.0.1:port (1 s timeout)
 *   shm             object  {"key":int|null, "exists":bool, "errno":str}
 *   mqueue          object  {"name":string|null, "exists":bool, "errno":str}
 *   uid_map gid_map setgroups cgroup timens_offsets
 *                   string|null  contents of the /proc/self file
 *   fds             [int]   open file descriptors (0..1023)
 *   caps            object  {"eff":hex string, "prm":hex, "bnd":hex,
 *                            "no_new_privs":int, "seccomp":int}
 *   mount_test      object  {"name":string|null, "dir":string|null, "ok":bool,
 *                            "errno":str} — a tmpfs whose source is NAME mounted
 *                            on /tmp/NAME and left there: if it shows up in the
 *                            host's mount table, mounts propagate to the host
 *   escape          object  {"attempted":bool, "chroot":bool, "escaped":bool,
 *                            "errno":str, "entries":[string]} — the classic
 *                            chroot escape: chroot into a subdirectory while
 *                            the cwd stays outside it, chdir("..") 256 times,
 *                            chroot("."); "escaped" when the host marker (or,
 *                            without --marker, anything but this rootfs's /)
 *                            is then visible. Done last: it changes the root.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/limits.h> /* not <limits.h>: -Icore has a limits.h */
#include <linux/capability.h>
#include <mqueue.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef PIDFS_IOCTL_MAGIC
#define PIDFS_IOCTL_MAGIC 0xFF
#endif

#define PROBE_SCHEMA 1
#define MAX_PIDS     256
#define MAX_MOUNTS   128
#define MAX_ENTRIES  64
#define ESCAPE_STEPS 256

/* The namespaces in the order of core/ns.h's table, with the pidfd ioctl
 * that returns an fd for each (linux/pidfd.h, 6.11). The probe is a
 * standalone static program, so it spells them out. */
static const struct {
	const char *name;
	unsigned long ioctl;
} namespaces[] = {
	{ "mnt", _IO(PIDFS_IOCTL_MAGIC, 3) },	 { "uts", _IO(PIDFS_IOCTL_MAGIC, 10) },
	{ "pid", _IO(PIDFS_IOCTL_MAGIC, 5) },	 { "ipc", _IO(PIDFS_IOCTL_MAGIC, 2) },
	{ "net", _IO(PIDFS_IOCTL_MAGIC, 4) },	 { "user", _IO(PIDFS_IOCTL_MAGIC, 9) },
	{ "cgroup", _IO(PIDFS_IOCTL_MAGIC, 1) }, { "time", _IO(PIDFS_IOCTL_MAGIC, 7) },
};

struct opts {
	const char *marker;
	int port;	   /* -1: none */
	long long shm_key; /* -1: none */
	const char *mqueue;
	const char *mount_test;
	bool escape;
};

/* ---- --stamp: the latency benchmark's fast path ---------------------- */

static __attribute__((noreturn)) void stamp_and_exit(uint64_t t)
{
	char buf[48], digits[24];
	size_t n = 0, d = 0;

	do {
		digits[d++] = (char)('0' + t % 10);
		t /= 10;
	} while (t);
	memcpy(buf, "{\"t_entry_ns\":", 14);
	n = 14;
	while (d)
		buf[n++] = digits[--d];
	buf[n++] = '}';
	buf[n++] = '\n';
	_exit(write(STDOUT_FILENO, buf, n) == (ssize_t)n ? 0 : 1);
}

/* ---- JSON output ----------------------------------------------------- */

static bool first = true; /* no comma before the next member */

static void sep(void)
{
	if (!first)
		putchar(',');
	first = false;
}

static void jstr(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				printf("\\u%04x", *p); /* bytes, not UTF-8: stay valid */
			else
				putchar(*p);
		}
	}
	putchar('"');
}

static void key(const char *k)
{
	sep();
	jstr(k);
	putchar(':');
}

static void open_obj(const char *k)
{
	if (k)
		key(k);
	else
		sep();
	putchar('{');
	first = true;
}

static void open_arr(const char *k)
{
	key(k);
	putchar('[');
	first = true;
}

static void close_obj(void)
{
	putchar('}');
	first = false;
}

static void close_arr(void)
{
	putchar(']');
	first = false;
}

static void kint(const char *k, long long v)
{
	key(k);
	printf("%lld", v);
}

static void kstr(const char *k, const char *v)
{
	key(k);
	jstr(v);
}

static void kbool(const char *k, bool v)
{
	key(k);
	fputs(v ? "true" : "false", stdout);
}

static void knull(const char *k)
{
	key(k);
	fputs("null", stdout);
}

static const char *errname(int e)
{
	const char *s = e ? strerrorname_np(e) : "";
	return s ? s : "E?";
}

static void kerr(const char *k, int e)
{
	kstr(k, errname(e));
}

/* ---- observations ---------------------------------------------------- */

/* The whole of a small /proc file, or NULL. */
static char *slurp(const char *path)
{
	static char bufs[6][4096];
	static int next;
	char *buf = bufs[next++ % 6];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t r = read(fd, buf + n, sizeof(bufs[0]) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == sizeof(bufs[0]) - 1)
			break;
	}
	close(fd);
	buf[n] = '\0';
	return buf;
}

static void emit_ns(void)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);

	open_obj("ns");
	for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
		struct stat st;
		const char *via = "pidfd";
		int fd = pidfd >= 0 ? ioctl(pidfd, namespaces[i].ioctl, 0) : -1;
		int ok;

		if (fd >= 0) {
			ok = fstat(fd, &st) == 0;
			close(fd);
		} else {
			char path[64];
			snprintf(path, sizeof(path), "/proc/self/ns/%s", namespaces[i].name);
			via = "proc";
			ok = stat(path, &st) == 0;
		}
		if (!ok) {
			knull(namespaces[i].name);
			continue;
		}
		open_obj(namespaces[i].name);
		kint("ino", (long long)st.st_ino);
		kint("dev", (long long)st.st_dev);
		kstr("via", via);
		close_obj();
	}
	close_obj();
	if (pidfd >= 0)
		close(pidfd);
}

static void emit_proc(void)
{
	DIR *d = opendir("/proc");
	struct stat st;
	int n = 0;
	bool mounted = stat("/proc/self/stat", &st) == 0;

	open_obj("proc");
	kbool("mounted", mounted);
	open_arr("pids");
	if (d && mounted) {
		struct dirent *e;
		while ((e = readdir(d))) {
			char *end;
			long pid = strtol(e->d_name, &end, 10);
			if (*end || pid <= 0)
				continue;
			if (n < MAX_PIDS) {
				sep();
				printf("%ld", pid);
			}
			n++;
		}
	}
	close_arr();
	kint("n_pids", n);
	kbool("truncated", n > MAX_PIDS);
	close_obj();
	if (d)
		closedir(d);
}

/* mountinfo: "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw" */
static void emit_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];
	int n = 0;

	open_obj("mounts");
	kbool("readable", f != NULL);
	open_arr("list");
	while (f && fgets(line, sizeof(line), f)) {
		char *fields[16], *save = NULL, *tok;
		int nf = 0;
		char opt[128] = "";
		const char *fs = "", *src = "";

		for (tok = strtok_r(line, " \n", &save); tok && nf < 16;
		     tok = strtok_r(NULL, " \n", &save))
			fields[nf++] = tok;
		if (nf < 7)
			continue;
		int i = 6;
		for (; i < nf && strcmp(fields[i], "-") != 0; i++) {
			if (opt[0])
				strncat(opt, " ", sizeof(opt) - strlen(opt) - 1);
			strncat(opt, fields[i], sizeof(opt) - strlen(opt) - 1);
		}
		if (i + 2 < nf) {
			fs = fields[i + 1];
			src = fields[i + 2];
		}
		if (n++ >= MAX_MOUNTS)
			continue;
		open_obj(NULL);
		kint("id", atoll(fields[0]));
		kint("parent", atoll(fields[1]));
		kstr("root", fields[3]);
		kstr("mnt", fields[4]);
		kstr("opt", opt);
		kstr("src", src);
		kstr("fs", fs);
		close_obj();
	}
	close_arr();
	kint("n", n);
	close_obj();
	if (f)
		fclose(f);
}

static void emit_entries(const char *k, const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;

	open_arr(k);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) && n < MAX_ENTRIES) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			sep();
			jstr(e->d_name);
			n++;
		}
		closedir(d);
	}
	close_arr();
}

static void emit_root(void)
{
	open_obj("root");
	emit_entries("entries", "/");
	kbool("rootfs_marker", access("/etc/hull-rootfs", F_OK) == 0);
	close_obj();
}

/* A process outside the container's root, seen in /proc, is a way out:
 * /proc/<pid>/root is its root directory for whoever may ptrace-read it.
 * Returns the first pid through which the marker is reachable, or 0 with
 * *e the errno of the last attempt. */
static long marker_via_proc(const char *marker, int *e)
{
	DIR *d = opendir("/proc");
	struct dirent *ent;
	long self = getpid(), found = 0;
	int tries = 0;
	char path[PATH_MAX];

	*e = ENOENT;
	if (!d)
		return 0;
	while (!found && (ent = readdir(d)) && tries < 4096) {
		char *end;
		long pid = strtol(ent->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue;
		tries++;
		snprintf(path, sizeof(path), "/proc/%ld/root%s", pid, marker);
		if (access(path, F_OK) == 0)
			found = pid;
		else if (*e != EACCES || errno != ENOENT)
			*e = errno; /* report the most telling failure */
	}
	closedir(d);
	if (found)
		*e = 0;
	return found;
}

static void emit_marker(const struct opts *o)
{
	open_obj("marker");
	kstr("path", o->marker);
	if (o->marker) {
		int e1 = access(o->marker, F_OK) == 0 ? 0 : errno, e2;
		long pid = marker_via_proc(o->marker, &e2);
		kbool("reachable", e1 == 0);
		kerr("errno", e1);
		kbool("via_proc_root", pid > 0);
		kint("proc_root_pid", pid);
		char comm[64] = "", *c = NULL;
		if (pid > 0) {
			snprintf(comm, sizeof(comm), "/proc/%ld/comm", pid);
			c = slurp(comm);
			if (c)
				c[strcspn(c, "\n")] = '\0';
		}
		kstr("proc_root_comm", c);
		kerr("proc_root_errno", e2);
	} else {
		kbool("reachable", false);
		kstr("errno", "");
		kbool("via_proc_root", false);
		kint("proc_root_pid", 0);
		knull("proc_root_comm");
		kstr("proc_root_errno", "");
	}
	close_obj();
}

static void emit_ifaces(void)
{
	struct if_nameindex *ifs = if_nameindex();
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	open_arr("ifaces");
	for (struct if_nameindex *i = ifs; i && i->if_index; i++) {
		struct ifreq ifr = { 0 };
		int flags = -1;
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->if_name);
		if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0)
			flags = ifr.ifr_flags;
		open_obj(NULL);
		kstr("name", i->if_name);
		kint("flags", flags);
		kbool("up", flags >= 0 && (flags & IFF_UP));
		kbool("loopback", flags >= 0 && (flags & IFF_LOOPBACK));
		close_obj();
	}
	close_arr();
	if (ifs)
		if_freenameindex(ifs);
	if (s >= 0)
		close(s);
}

/* 0 when connected, else the errno. Non-blocking with a 1 s bound, so a
 * filtered port cannot hang the probe. */
static int try_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int e = 0;

	if (s < 0)
		return errno;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		if (e == EINPROGRESS) {
			struct pollfd p = { .fd = s, .events = POLLOUT };
			int r;
			do
				r = poll(&p, 1, 1000);
			while (r < 0 && errno == EINTR);
			socklen_t len = sizeof(e);
			if (r == 0)
				e = ETIMEDOUT;
			else if (getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
				e = errno;
		}
	}
	close(s);
	return e;
}

static void emit_connect(const struct opts *o)
{
	open_obj("connect");
	if (o->port >= 0) {
		int e = try_connect(o->port);
		kint("port", o->port);
		kbool("ok", e == 0);
		kerr("errno", e);
	} else {
		knull("port");
		kbool("ok", false);
		kstr("errno", "");
	}
	close_obj();
}

static void emit_ipc(const struct opts *o)
{
	open_obj("shm");
	if (o->shm_key >= 0) {
		int id = shmget((key_t)o->shm_key, 0, 0);
		kint("key", o->shm_key);
		kbool("exists", id >= 0);
		kerr("errno", id >= 0 ? 0 : errno);
	} else {
		knull("key");
		kbool("exists", false);
		kstr("errno", "");
	}
	close_obj();

	open_obj("mqueue");
	kstr("name", o->mqueue);
	if (o->mqueue) {
		mqd_t q = mq_open(o->mqueue, O_RDONLY | O_CLOEXEC);
		kbool("exists", q != (mqd_t)-1);
		kerr("errno", q != (mqd_t)-1 ? 0 : errno);
		if (q != (mqd_t)-1)
			mq_close(q);
	} else {
		kbool("exists", false);
		kstr("errno", "");
	}
	close_obj();
}

static void emit_files(void)
{
	static const char *files[][2] = {
		{ "uid_map", "/proc/self/uid_map" },
		{ "gid_map", "/proc/self/gid_map" },
		{ "setgroups", "/proc/self/setgroups" },
		{ "cgroup", "/proc/self/cgroup" },
		{ "timens_offsets", "/proc/self/timens_offsets" },
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		kstr(files[i][0], slurp(files[i][1]));
}

static void emit_fds(void)
{
	open_arr("fds");
	for (int fd = 0; fd < 1024; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		sep();
		printf("%d", fd);
	}
	close_arr();
}

static void emit_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };
	uint64_t bnd = 0;
	char buf[24];

	open_obj("caps");
	if (syscall(SYS_capget, &h, d) == 0) {
		snprintf(buf, sizeof(buf), "%016llx",
			 (unsigned long long)d[0].effective | (unsigned long long)d[1].effective
								      << 32);
		kstr("eff", buf);
		snprintf(buf, sizeof(buf), "%016llx",
			 (unsigned long long)d[0].permitted | (unsigned long long)d[1].permitted
								      << 32);
		kstr("prm", buf);
	} else {
		knull("eff");
		knull("prm");
	}
	for (int c = 0; c < 64; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			bnd |= 1ULL << c;
	snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)bnd);
	kstr("bnd", buf);
	kint("no_new_privs", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	kint("seccomp", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	close_obj();
}

/* Mount a tmpfs named after the token and leave it: the host checks its own
 * mount table for it after the container is gone. */
static void emit_mount_test(const struct opts *o)
{
	char dir[PATH_MAX];
	int e = 0;

	open_obj("mount_test");
	kstr("name", o->mount_test);
	if (!o->mount_test) {
		knull("dir");
		kbool("ok", false);
		kstr("errno", "");
		close_obj();
		return;
	}
	snprintf(dir, sizeof(dir), "%s/%s", access("/tmp", W_OK) == 0 ? "/tmp" : "", o->mount_test);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		e = errno;
	else if (mount(o->mount_test, dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k") <
		 0)
		e = errno;
	kstr("dir", dir);
	kbool("ok", e == 0);
	kerr("errno", e);
	close_obj();
}

/* The escape is only judged by what becomes visible, so it needs a sign of
 * the host: the marker when given, else "the old / had /etc/hull-rootfs and
 * the new one does not". */
static void emit_escape(const struct opts *o)
{
	int e = 0;
	bool chrooted = false, escaped = false;

	open_obj("escape");
	kbool("attempted", o->escape);
	if (!o->escape) {
		kbool("chroot", false);
		kbool("escaped", false);
		kstr("errno", "");
		open_arr("entries");
		close_arr();
		close_obj();
		return;
	}
	/* Any subdirectory will do; /etc exists in every rootfs and needs no
	 * write access (mkdir of a new one fails on read-only roots). The cwd
	 * stays at the old root, outside the new one, so ".." climbs on. */
	bool had_rootfs = access("/etc/hull-rootfs", F_OK) == 0;
	if (chdir("/") < 0 || chroot("/etc") < 0) {
		e = errno;
	} else {
		chrooted = true;
		for (int i = 0; i < ESCAPE_STEPS; i++)
			if (chdir("..") < 0)
				break;
		if (chroot(".") < 0)
			e = errno;
		else if (o->marker)
			escaped = access(o->marker, F_OK) == 0;
		else
			escaped = had_rootfs && access("/etc/hull-rootfs", F_OK) != 0;
	}
	kbool("chroot", chrooted);
	kbool("escaped", escaped);
	kerr("errno", e);
	emit_entries("entries", chrooted ? "/" : "/nonexistent");
	close_obj();
}

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " hull-probe [options]\n"
	      "\n"
	      "Look around from inside a container and print one JSON object.\n"
	      "\n"
	      "Options:\n"
	      "     --marker PATH      host file whose reachability shows a root leak\n"
	      "     --port N           host loopback TCP port to try to connect to\n"
	      "     --shm-key K        SysV shm key to look for\n"
	      "     --mqueue NAME      POSIX message queue to look for (\"/name\")\n"
	      "     --mount-test NAME  mount a tmpfs named NAME on /tmp/NAME and leave it\n"
	      "     --escape           try the chroot escape (last; changes the root)\n"
	      "     --stamp            print only {\"t_entry_ns\":N} and exit\n"
	      " -h, --help             display this help\n",
	      out);
}

int main(int argc, char **argv)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t t_entry = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;

	if (argc == 2 && strcmp(argv[1], "--stamp") == 0)
		stamp_and_exit(t_entry);

	enum { OPT_MARKER = 256, OPT_PORT, OPT_SHM, OPT_MQ, OPT_MOUNT, OPT_ESCAPE, OPT_STAMP };
	static const struct option longopts[] = {
		{ "marker", required_argument, NULL, OPT_MARKER },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "shm-key", required_argument, NULL, OPT_SHM },
		{ "mqueue", required_argument, NULL, OPT_MQ },
		{ "mount-test", required_argument, NULL, OPT_MOUNT },
		{ "escape", no_argument, NULL, OPT_ESCAPE },
		{ "stamp", no_argument, NULL, OPT_STAMP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .port = -1, .shm_key = -1 };
	int c;
	char *end;

	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_MARKER:
			o.marker = optarg;
			break;
		case OPT_PORT:
			o.port = (int)strtol(optarg, &end, 10);
			if (*end || o.port <= 0 || o.port > 65535)
				goto bad;
			break;
		case OPT_SHM:
			o.shm_key = strtoll(optarg, &end, 0);
			if (*end || o.shm_key < 0 || o.shm_key > 0x7fffffff)
				goto bad;
			break;
		case OPT_MQ:
			o.mqueue = optarg;
			break;
		case OPT_MOUNT:
			if (!*optarg || strchr(optarg, '/'))
				goto bad;
			o.mount_test = optarg;
			break;
		case OPT_ESCAPE:
			o.escape = true;
			break;
		case OPT_STAMP:
			stamp_and_exit(t_entry);
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "hull-probe: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}

	struct utsname u;
	uname(&u);
	putchar('{');
	kint("t_entry_ns", (long long)t_entry);
	kint("schema", PROBE_SCHEMA);
	kint("pid", getpid());
	kint("ppid", getppid());
	kint("uid", getuid());
	kint("gid", getgid());
	kint("euid", geteuid());
	kint("egid", getegid());
	kstr("hostname", u.nodename);
	kstr("domainname", u.domainname);
	emit_ns();
	emit_proc();
	emit_mounts();
	emit_root();
	emit_marker(&o);
	emit_ifaces();
	emit_connect(&o);
	emit_ipc(&o);
	emit_files();
	emit_fds();
	emit_caps();
	emit_mount_test(&o);
	emit_escape(&o);
	putchar('}');
	putchar('\n');
	return fflush(stdout) == 0 ? 0 : 1;
bad:
	fprintf(stderr, "hull-probe: invalid value '%s'\n", optarg);
	return 2;
}
