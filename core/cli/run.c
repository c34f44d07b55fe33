/* run.c — `hull run`: the flag form (hull run [options] ROOTFS [--]
 * COMMAND [ARG...]) and the OCI form (hull run --bundle DIR ID). */
#include "cli.h"
#include "container.h"
#include "ns.h"
#include "oci.h"
#include "options.h"
#include "spec.h"
#include "trace.h"

#include <stdio.h>
#include <string.h>

static void usage_run(FILE *out)
{
	fputs("Usage:\n"
	      " hull run [options] ROOTFS [--] COMMAND [ARG...]\n"
	      "\n"
	      "Run COMMAND in a new container whose root is ROOTFS.\n"
	      "\n"
	      "Options:\n"
	      "     --ns LIST          namespaces: mnt,uts,pid,ipc,net,user,cgroup,time,\n"
	      "                          all or none (default mnt,uts,pid,ipc,net)\n"
	      "     --hostname NAME    hostname in the uts namespace (default hull)\n"
	      "     --chroot           chroot instead of pivot_root (escapable; for comparison)\n"
	      "     --spawn MODE       clone3 (default) or fork (fork + unshare)\n"
	      "     --no-proc          do not mount /proc\n"
	      "     --env K=V          add or override an environment variable (repeatable)\n"
	      "     --cwd DIR          working directory inside the container (default /)\n"
	      "     --trace-fd N       write phase marks as JSON lines to fd N\n"
	      "     --init             run a tiny init as PID 1 (reaps, forwards signals)\n"
	      "     --timeout SECS     SIGTERM the command after SECS, then exit 124\n"
	      "     --kill-after SECS  SIGKILL that long after the timeout's SIGTERM (10)\n"
	      "     --ephemeral        writable layer over ROOTFS, thrown away at the end\n"
	      "     --pool NAME        run in a prepared slot of pool NAME (hull pool --help)\n"
	      "\n"
	      "Network (lo is up in every new net namespace):\n"
	      "     --network MODE     none (default: own namespace, lo only), host,\n"
	      "                          veth (eth0 + a host-side peer, a /30 each),\n"
	      "                          bridge[:NAME] (eth0 in bridge NAME, default hull0),\n"
	      "                          ns:PATH (join), cni:CONFLIST (CNI plugins)\n"
	      "     --ip ADDR          the container's address (veth, bridge)\n"
	      "     --subnet CIDR      addresses from here (veth 198.19.0.0/16,\n"
	      "                          bridge 198.18.0.0/16, gateway its first address)\n"
	      "     --net-rate RATE    shape both directions, e.g. 10mbit, 1gbit\n"
	      "     --mac MAC          eth0's MAC address\n"
	      "\n"
	      "Resource limits (one cgroup per container; cgroup v1, v2 or hybrid):\n"
	      "     --memory SIZE      memory limit, e.g. 64m, 1g\n"
	      "     --memory-swap SIZE memory + swap limit (-1: unlimited; default 2x memory)\n"
	      "     --cpus N           CPU quota in CPUs, e.g. 0.5\n"
	      "     --pids N           maximum number of processes\n"
	      "     --cpuset LIST      CPUs to run on, e.g. 0-1,3\n"
	      "     --cgroup-parent P  parent cgroup, from the hierarchy root (default hull)\n"
	      "\n"
	      "Security (default: docker's capabilities, no_new_privs, seccomp, masked paths):\n"
	      "     --cap-add CAP      add a capability (NET_ADMIN, ALL); repeatable\n"
	      "     --cap-drop CAP     drop a capability; repeatable\n"
	      "     --allow-new-privs  do not set no_new_privs\n"
	      "     --seccomp PROFILE  off, default, or a file of system calls to deny\n"
	      "     --read-only        read-only rootfs with a tmpfs /tmp\n"
	      "     --user UID[:GID]   run the command as this user\n"
	      "     --uidmap IN:OUT:N  uid map of the user namespace\n"
	      "     --gidmap IN:OUT:N  gid map of the user namespace\n"
	      "     --privileged       none of the default security profile\n"
	      "\n"
	      " -v, --verbose          say what hull does\n"
	      " -h, --help             display this help\n"
	      "\n"
	      "Exit status: the command's; 128+N if it died of signal N; 125 if hull\n"
	      "failed; 126 if COMMAND is not executable; 127 if it was not found.\n",
	      out);
}

static void describe(const struct hull_spec *spec)
{
	char ns[128];

	hull_ns_format(spec->ns_flags, ns, sizeof(ns));
	fprintf(stderr, "hull: rootfs '%s', namespaces %s, %s, spawn %s\n", spec->rootfs, ns,
		spec->root_mode == HULL_ROOT_PIVOT ? "pivot_root" : "chroot",
		spec->spawn_mode == HULL_SPAWN_CLONE3 ? "clone3" : "fork");
	if (hull_spec_has_mntns(spec) && spec->mount_proc && !(spec->ns_flags & CLONE_NEWPID))
		fputs("hull: no pid namespace: /proc shows the host's processes, and "
		      "/proc/<pid>/root "
		      "of an unprivileged one leads to the host's root\n",
		      stderr);
	if (!hull_spec_has_mntns(spec))
		fputs("hull: no mount namespace: using chroot, not mounting /proc or /dev\n",
		      stderr);
}

/* What the kernel did to the container, said in the user's terms. */
static void report_result(const struct hull_spec *spec, const struct hull_result *res)
{
	char size[32];

	if (res->oom_killed && res->exit_status == 128 + 9) {
		hull_format_size(spec->limits.memory, size, sizeof(size));
		fprintf(stderr, "hull: container killed: out of memory (limit %s)\n", size);
	}
	if (spec->verbose && res->has_cgroup) {
		hull_format_size((int64_t)res->memory_peak, size, sizeof(size));
		fprintf(stderr, "hull: peak memory %s (%llu bytes), cpu time %.3f s\n", size,
			res->memory_peak, (double)res->cpu_ns / 1e9);
	}
}

/* The flag form: hull run [options] ROOTFS [--] COMMAND [ARG...]. */
static int run_flags(int argc, char **argv, uint64_t t_start)
{
	struct hull_spec spec;
	struct hull_err err = { 0 };
	struct hull_result res;
	int ret;

	if (cli_run_is_pool(argc, argv))
		return cli_run_pool(argc, argv, run_flags, t_start);
	hull_spec_init(&spec);
	ret = hull_options_parse_run(argc, argv, &spec, &err);
	if (ret == HULL_OPTIONS_HELP) {
		usage_run(stdout);
		return 0;
	}
	if (ret < 0)
		goto fail;
	ret = hull_spec_validate(&spec, &err);
	if (ret < 0)
		goto fail;
	hull_trace_set_fd(spec.trace_fd);
	hull_trace_mark_at("start", t_start);
	hull_trace_mark("parsed");
	if (spec.verbose)
		describe(&spec);
	/* Nothing buffered may be flushed twice by parent and child. */
	fflush(NULL);

	ret = hull_run(&spec, &res, &err);
	if (ret < 0)
		goto fail;
	report_result(&spec, &res);
	hull_spec_free(&spec);
	return res.exit_status;
fail:
	fprintf(stderr, "hull: %s\n", err.msg);
	hull_spec_free(&spec);
	return err.exit_code ? err.exit_code : HULL_EXIT_RUNTIME;
}

static int run_bundle(int argc, char **argv, const struct cli_globals *g)
{
	struct hull_oci_create_opts o;
	struct hull_err err = { 0 };

	if (cli_parse_create(argc, argv, &o, g) != 0)
		return CLI_EXIT_FAIL;
	int status = hull_oci_run(&o, &err);
	if (status < 0) {
		cli_fail(g, &err);
		return err.exit_code ? err.exit_code : CLI_EXIT_FAIL;
	}
	cli_warn_if_any(g, &err);
	return status;
}

bool cli_run_is_oci(int argc, char **argv)
{
	/* Options before the first operand; the flag form has no -b. */
	for (int i = 1; i < argc && argv[i][0] == '-'; i++)
		if (strcmp(argv[i], "-b") == 0 || strcmp(argv[i], "--bundle") == 0 ||
		    strncmp(argv[i], "--bundle=", 9) == 0)
			return true;
	return false;
}

int cli_run(int argc, char **argv, const struct cli_globals *g)
{
	if (cli_run_is_oci(argc, argv))
		return run_bundle(argc, argv, g);
	return run_flags(argc, argv, g->t_start);
}
