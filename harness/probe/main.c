/* main.c — hull-probe: runs as a container's command, looks around and
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
 *   lo              object  {"port":int, "ok":bool, "errno":str} TCP connect
 *                            to a listener the probe opened on 127.0.0.1:0
 *                            inside (1 s): is there a usable loopback
 *   reach           [object] {"addr","port":int,"ok":bool,"errno":str}
 *                            each --reach ADDR:PORT, a TCP connect (1 s)
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
 *
 * Files (harness/probe/, linked only into the static hull-probe, never
 * into libharness): main.c options, --stamp and the order of the output;
 * jsonw.c the JSON writer; namespaces.c, mounts.c, escape.c, network.c,
 * ipc.c and process.c the looks (probe.h).
 */
#include "jsonw.h"
#include "probe.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define PROBE_SCHEMA 1

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
	      "     --reach ADDR:PORT  try a TCP connect there (1 s; up to 4 times)\n"
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

	enum {
		OPT_MARKER = 256,
		OPT_PORT,
		OPT_SHM,
		OPT_MQ,
		OPT_MOUNT,
		OPT_ESCAPE,
		OPT_STAMP,
		OPT_REACH
	};
	static const struct option longopts[] = {
		{ "marker", required_argument, NULL, OPT_MARKER },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "shm-key", required_argument, NULL, OPT_SHM },
		{ "mqueue", required_argument, NULL, OPT_MQ },
		{ "mount-test", required_argument, NULL, OPT_MOUNT },
		{ "escape", no_argument, NULL, OPT_ESCAPE },
		{ "stamp", no_argument, NULL, OPT_STAMP },
		{ "reach", required_argument, NULL, OPT_REACH },
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
		case OPT_REACH:
			if (o.n_reach == 4 || !strchr(optarg, ':'))
				goto bad;
			o.reach[o.n_reach++] = optarg;
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
	emit_lo();
	emit_reach(&o);
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
