/* netcheck.c — `hull-harness network`: what hull's --network modes give a
 * container, judged from inside it by the probe (--reach ADDR:PORT):
 *
 *   lo_works                   a service on the container's 127.0.0.1 answers
 *   veth_reaches_host          the host side's peer address answers (veth)
 *   bridge_reaches_host        the bridge's gateway answers (bridge)
 *   host_loopback_unreachable  a host service bound to 127.0.0.1 only does not
 *   bridge_neighbours_reach    two containers on one bridge reach each other
 *   veth_neighbours_isolated   two containers on separate veths do not
 *
 * Safety: everything runs in a child that first makes a network namespace
 * of its own (the containers' "host"), with addresses from 198.18.0.0/15;
 * its links, bridge and listeners go with it. Every command has a timeout. */
#include "commands.h"
#include "net.h"
#include "paths.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOST_PORT     7101 /* on 0.0.0.0 of the test's host namespace */
#define LOOPBACK_PORT 7102 /* on its 127.0.0.1 only */
#define TIMEOUT_MS    20000

struct net_check {
	const char *name;
	bool expect; /* reachable */
	bool seen;
	bool ran;
	char detail[160];
};

enum { LO, VETH_HOST, BRIDGE_HOST, HOST_LOOPBACK, BRIDGE_NEIGHBOURS, VETH_NEIGHBOURS, N_CHECKS };

static struct net_check checks[N_CHECKS] = {
	[LO] = { "lo_works", true },
	[VETH_HOST] = { "veth_reaches_host", true },
	[BRIDGE_HOST] = { "bridge_reaches_host", true },
	[HOST_LOOPBACK] = { "host_loopback_unreachable", false },
	[BRIDGE_NEIGHBOURS] = { "bridge_neighbours_reach", true },
	[VETH_NEIGHBOURS] = { "veth_neighbours_isolated", false },
};

struct proc {
	pid_t pid;
	int out; /* its stdout */
};

static int spawn(char *const argv[], struct proc *p)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	p->pid = fork();
	if (p->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (p->pid == 0) {
		dup2(fds[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	p->out = fds[0];
	return 0;
}

/* Read p's stdout until EOF (or until a line when one_line), within the
 * timeout; NUL-terminated. */
static void read_out(struct proc *p, char *buf, size_t cap, bool one_line)
{
	size_t len = 0;
	struct timespec t0, now;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	buf[0] = '\0';
	while (len + 1 < cap) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = TIMEOUT_MS - ((now.tv_sec - t0.tv_sec) * 1000 +
					  (now.tv_nsec - t0.tv_nsec) / 1000000);
		struct pollfd pfd = { p->out, POLLIN, 0 };
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		ssize_t n = read(p->out, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (one_line && strchr(buf, '\n'))
			break;
	}
}

/* kill_it: SIGTERM, which hull forwards, so it still removes its links
 * and releases its address (a SIGKILLed hull would leave a lease for gc). */
static int finish(struct proc *p, bool kill_it)
{
	int status = -1;
	if (kill_it)
		kill(p->pid, SIGTERM);
	close(p->out);
	while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* Run argv to its end; the probe's JSON -> reach[i].ok into seen[]. */
static void probe_reach(char *const argv[], bool *seen, int n, char *detail, size_t dlen)
{
	struct proc p;
	char out[65536];

	for (int i = 0; i < n; i++)
		seen[i] = false;
	if (spawn(argv, &p) < 0) {
		snprintf(detail, dlen, "cannot run %s", argv[0]);
		return;
	}
	read_out(&p, out, sizeof(out), false);
	int status = finish(&p, true);
	json_object *o = json_tokener_parse(out), *reach = NULL;
	if (!o || !json_object_object_get_ex(o, "reach", &reach)) {
		snprintf(detail, dlen, "no probe output (status %d)", status);
		json_object_put(o);
		return;
	}
	detail[0] = '\0';
	for (int i = 0; i < n && i < (int)json_object_array_length(reach); i++) {
		json_object *r = json_object_array_get_idx(reach, (size_t)i), *v;
		seen[i] = json_object_object_get_ex(r, "ok", &v) && json_object_get_boolean(v);
		const char *e =
			json_object_object_get_ex(r, "errno", &v) ? json_object_get_string(v) : "?";
		size_t used = strlen(detail);
		snprintf(detail + used, dlen - used, "%s%s:%d %s", used ? ", " : "",
			 json_object_get_string(json_object_object_get(r, "addr")),
			 json_object_get_int(json_object_object_get(r, "port")),
			 seen[i] ? "connected" : e);
	}
	json_object_put(o);
}

static void set(int c, bool seen, const char *detail)
{
	checks[c].ran = true;
	checks[c].seen = seen;
	hh_scopy(checks[c].detail, sizeof(checks[c].detail), detail);
}

/* A container serving on 0.0.0.0:7000 (hull-net), once it listens. */
static int serve(const char *hull, const char *rootfs, const char *mode, const char *subnet,
		 const char *ip, struct proc *p)
{
	char *argv[] = { (char *)hull,	 "run",	    "--network", (char *)mode,	 "--subnet",
			 (char *)subnet, "--ip",    (char *)ip,	 (char *)rootfs, "/bin/hull-net",
			 "serve",	 "0.0.0.0", "7000",	 "greet",	 NULL };
	char line[128];
	if (spawn(argv, p) < 0)
		return -1;
	read_out(p, line, sizeof(line), true);
	if (strncmp(line, "listening", 9) != 0) {
		finish(p, true);
		return -1;
	}
	return 0;
}

static int listen_on(uint32_t addr, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa.sin_addr.s_addr = htonl(addr);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0)
		return -1;
	return fd; /* no accept needed: the kernel completes the handshake */
}

/* In the child, in its own network namespace. */
static void run_checks(const char *hull, const char *rootfs)
{
	char host_peer[32], host_lo[32], detail[160];
	bool seen[4];
	struct proc a;

	snprintf(host_peer, sizeof(host_peer), "198.19.0.1:%d", HOST_PORT);
	snprintf(host_lo, sizeof(host_lo), "198.19.0.1:%d", LOOPBACK_PORT);
	char lo_cmd[] = "/bin/hull-net serve 127.0.0.1 7000 greet | "
			"(read l; /bin/hull-probe --reach 127.0.0.1:7000)";
	char *lo[] = { (char *)hull, "run", (char *)rootfs, "/bin/sh", "-c", lo_cmd, NULL };
	probe_reach(lo, seen, 1, detail, sizeof(detail));
	set(LO, seen[0], detail);

	char lo_direct[32];
	snprintf(lo_direct, sizeof(lo_direct), "127.0.0.1:%d", LOOPBACK_PORT);
	char *veth[] = {
		(char *)hull,	 "run",	    "--network",  "veth",	  "--subnet",
		"198.19.0.0/24", "--ip",    "198.19.0.2", (char *)rootfs, "/bin/hull-probe",
		"--reach",	 host_peer, "--reach",	  host_lo,	  "--reach",
		lo_direct,	 NULL
	};
	probe_reach(veth, seen, 3, detail, sizeof(detail));
	set(VETH_HOST, seen[0], detail);
	set(HOST_LOOPBACK, seen[1] || seen[2], detail);

	char gw[32];
	snprintf(gw, sizeof(gw), "198.18.200.1:%d", HOST_PORT);
	char *bridge[] = { (char *)hull,
			   "run",
			   "--network",
			   "bridge:hhnet0",
			   "--subnet",
			   "198.18.200.0/24",
			   "--ip",
			   "198.18.200.2",
			   (char *)rootfs,
			   "/bin/hull-probe",
			   "--reach",
			   gw,
			   NULL };
	probe_reach(bridge, seen, 1, detail, sizeof(detail));
	set(BRIDGE_HOST, seen[0], detail);

	if (serve(hull, rootfs, "bridge:hhnet0", "198.18.200.0/24", "198.18.200.3", &a) == 0) {
		char *b[] = { (char *)hull,
			      "run",
			      "--network",
			      "bridge:hhnet0",
			      "--subnet",
			      "198.18.200.0/24",
			      "--ip",
			      "198.18.200.4",
			      (char *)rootfs,
			      "/bin/hull-probe",
			      "--reach",
			      "198.18.200.3:7000",
			      NULL };
		probe_reach(b, seen, 1, detail, sizeof(detail));
		set(BRIDGE_NEIGHBOURS, seen[0], detail);
		finish(&a, !seen[0]);
	} else {
		hh_scopy(checks[BRIDGE_NEIGHBOURS].detail, sizeof(detail), "server did not start");
	}

	if (serve(hull, rootfs, "veth", "198.19.0.0/24", "198.19.0.6", &a) == 0) {
		char *b[] = { (char *)hull,
			      "run",
			      "--network",
			      "veth",
			      "--subnet",
			      "198.19.0.0/24",
			      "--ip",
			      "198.19.0.10",
			      (char *)rootfs,
			      "/bin/hull-probe",
			      "--reach",
			      "198.19.0.6:7000",
			      NULL };
		probe_reach(b, seen, 1, detail, sizeof(detail));
		set(VETH_NEIGHBOURS, seen[0], detail);
		finish(&a, true);
	} else {
		hh_scopy(checks[VETH_NEIGHBOURS].detail, sizeof(detail), "server did not start");
	}
}

static json_object *checks_json(void)
{
	json_object *arr = json_object_new_array();
	for (int i = 0; i < N_CHECKS; i++) {
		json_object *o = json_object_new_object();
		const struct net_check *c = &checks[i];
		json_object_object_add(o, "name", json_object_new_string(c->name));
		json_object_object_add(
			o, "expected",
			json_object_new_string(c->expect ? "reachable" : "unreachable"));
		json_object_object_add(o, "seen",
				       json_object_new_string(!c->ran	? "error"
							      : c->seen ? "reachable"
									: "unreachable"));
		json_object_object_add(o, "ok",
				       json_object_new_boolean(c->ran && c->seen == c->expect));
		json_object_object_add(o, "detail", json_object_new_string(c->detail));
		json_object_array_add(arr, o);
	}
	return arr;
}

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " hull-harness network [--rootfs DIR] [--json]\n"
	      "\n"
	      "Check hull's --network modes from inside containers (lo, veth, bridge,\n"
	      "neighbours, the host's loopback), in a network namespace of its own.\n"
	      "Exit status 0 when every check sees what it expects.\n",
	      out);
}

int hh_cmd_network(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rootfs", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rootfs = NULL;
	bool json = false;
	char hull[4096], rootfs_buf[4096];
	int c, fds[2];

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'r')
			rootfs = optarg;
		else if (c == 'j')
			json = true;
		else {
			usage(c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	const char *dir = hh_self_dir();
	if (!dir || !hh_pathf(hull, sizeof(hull), "%s/hull", dir) || !hh_is_executable(hull)) {
		fprintf(stderr, "hull-harness: cannot find hull next to hull-harness\n");
		return 2;
	}
	if (!rootfs && hh_pathf(rootfs_buf, sizeof(rootfs_buf), "%s/../rootfs", dir))
		rootfs = rootfs_buf;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return 2;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		/* The containers' host: a net namespace of this child's own. */
		struct hull_err err;
		if (unshare(CLONE_NEWNET) < 0 || hull_net_lo_up(&err) < 0)
			_exit(3);
		int l1 = listen_on(INADDR_ANY, HOST_PORT);
		int l2 = listen_on(INADDR_LOOPBACK, LOOPBACK_PORT);
		if (l1 < 0 || l2 < 0)
			_exit(3);
		run_checks(hull, rootfs);
		json_object *a = checks_json();
		const char *s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
		_exit(write(fds[1], s, strlen(s)) == (ssize_t)strlen(s) ? 0 : 3);
	}
	close(fds[1]);
	struct proc child = { pid, fds[0] };
	static char out[65536];
	read_out(&child, out, sizeof(out), false);
	/* bounded by the checks' own timeouts; a hung child is killed */
	finish(&child, true);
	json_object *arr = json_tokener_parse(out);
	if (!arr || !json_object_is_type(arr, json_type_array)) {
		fprintf(stderr, "hull-harness: the network checks did not finish\n");
		json_object_put(arr);
		return 2;
	}
	bool all = true;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		all = all && json_object_get_boolean(json_object_object_get(
				     json_object_array_get_idx(arr, i), "ok"));
	if (json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "schema_version", json_object_new_int(1));
		json_object_object_add(o, "checks", json_object_get(arr));
		json_object_object_add(o, "ok", json_object_new_boolean(all));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
	} else {
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *r = json_object_array_get_idx(arr, i);
#define S(k) json_object_get_string(json_object_object_get(r, k))
			printf("%-26s %-4s expected %-11s seen %-11s %s\n", S("name"),
			       json_object_get_boolean(json_object_object_get(r, "ok")) ? "ok"
											: "FAIL",
			       S("expected"), S("seen"), S("detail"));
#undef S
		}
	}
	json_object_put(arr);
	return all ? 0 : 1;
}
