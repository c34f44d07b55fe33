/* options.c — getopt_long parsing of `hull run`; see options.h.
 *
 * The optstring starts with "+" so parsing stops at the rootfs: everything
 * after it belongs to the command, options included. Long-only options are
 * numbered from CHAR_MAX + 1, as util-linux does. */
#include "options.h"
#include "ns.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_NS = CHAR_MAX + 1,
	OPT_HOSTNAME,
	OPT_CHROOT,
	OPT_SPAWN,
	OPT_NO_PROC,
	OPT_ENV,
	OPT_CWD,
	OPT_TRACE_FD,
	OPT_MEMORY,
	OPT_MEMORY_SWAP,
	OPT_CPUS,
	OPT_PIDS,
	OPT_CPUSET,
	OPT_CGROUP_PARENT,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_ALLOW_NEW_PRIVS,
	OPT_SECCOMP,
	OPT_READ_ONLY,
	OPT_USER,
	OPT_UIDMAP,
	OPT_GIDMAP,
	OPT_PRIVILEGED,
	OPT_INIT,
	OPT_TIMEOUT,
	OPT_KILL_AFTER,
	OPT_EPHEMERAL,
	OPT_NETWORK,
	OPT_IP,
	OPT_SUBNET,
	OPT_NET_RATE,
	OPT_MAC,
};

static const struct option run_options[] = {
	{ "ns", required_argument, NULL, OPT_NS },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "chroot", no_argument, NULL, OPT_CHROOT },
	{ "spawn", required_argument, NULL, OPT_SPAWN },
	{ "no-proc", no_argument, NULL, OPT_NO_PROC },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "cwd", required_argument, NULL, OPT_CWD },
	{ "trace-fd", required_argument, NULL, OPT_TRACE_FD },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "pids", required_argument, NULL, OPT_PIDS },
	{ "cpuset", required_argument, NULL, OPT_CPUSET },
	{ "cgroup-parent", required_argument, NULL, OPT_CGROUP_PARENT },
	{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
	{ "cap-drop", required_argument, NULL, OPT_CAP_DROP },
	{ "allow-new-privs", no_argument, NULL, OPT_ALLOW_NEW_PRIVS },
	{ "seccomp", required_argument, NULL, OPT_SECCOMP },
	{ "read-only", no_argument, NULL, OPT_READ_ONLY },
	{ "user", required_argument, NULL, OPT_USER },
	{ "uidmap", required_argument, NULL, OPT_UIDMAP },
	{ "gidmap", required_argument, NULL, OPT_GIDMAP },
	{ "privileged", no_argument, NULL, OPT_PRIVILEGED },
	{ "init", no_argument, NULL, OPT_INIT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "kill-after", required_argument, NULL, OPT_KILL_AFTER },
	{ "ephemeral", no_argument, NULL, OPT_EPHEMERAL },
	{ "network", required_argument, NULL, OPT_NETWORK },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "subnet", required_argument, NULL, OPT_SUBNET },
	{ "net-rate", required_argument, NULL, OPT_NET_RATE },
	{ "mac", required_argument, NULL, OPT_MAC },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* "10", "0.5": seconds, more than 0, at most a year. */
static int parse_seconds(const char *opt, const char *arg, uint64_t *ns, struct hull_err *err)
{
	char *end = NULL;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || !end || *end || end == arg || !(v > 0) || v > 365.0 * 24 * 3600 ||
	    !(arg[0] >= '0' && arg[0] <= '9'))
		return hull_fail(err, 0, "invalid %s '%s' (expected seconds greater than 0)", opt,
				 arg);
	*ns = (uint64_t)(v * 1e9);
	if (*ns == 0) /* 0 means "no timeout": never let a tiny value become that */
		return hull_fail(err, 0, "invalid %s '%s' (expected seconds greater than 0)", opt,
				 arg);
	return 0;
}

/* --network, --ip, --subnet, --net-rate, --mac (net.h parses each). */
static int parse_network_option(int opt, const char *arg, struct hull_net_opts *net,
				struct hull_err *err)
{
	switch (opt) {
	case OPT_NETWORK:
		return hull_net_parse_mode(arg, net, err);
	case OPT_IP:
		net->ip_set = true;
		return hull_net_parse_ipv4(arg, &net->ip, err);
	case OPT_SUBNET:
		net->subnet_set = true;
		return hull_net_parse_cidr(arg, &net->subnet, err);
	case OPT_NET_RATE:
		return hull_net_parse_rate(arg, &net->rate_bps, err);
	default:
		net->mac_set = true;
		return hull_net_parse_mac(arg, net->mac, err);
	}
}

static int parse_fd(const char *arg, int *fd, struct hull_err *err)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || !end || *end || end == arg || v < 0 || v > INT_MAX)
		return hull_fail(err, 0, "invalid file descriptor '%s'", arg);
	*fd = (int)v;
	return 0;
}

static int parse(int argc, char **argv, struct hull_spec *spec, bool want_command,
		 struct hull_err *err)
{
	int c, ret;

	optind = 0; /* full reset: parse may run more than once (tests) */
	opterr = 0; /* errors are ours to word */
	while ((c = getopt_long(argc, argv, "+:vh", run_options, NULL)) != -1) {
		switch (c) {
		case OPT_NS:
			ret = hull_ns_parse_list(optarg, &spec->ns_flags, err);
			if (ret < 0)
				return ret;
			break;
		case OPT_HOSTNAME:
			spec->hostname = optarg;
			spec->hostname_given = true;
			break;
		case OPT_CHROOT:
			spec->root_mode = HULL_ROOT_CHROOT;
			break;
		case OPT_SPAWN:
			if (strcmp(optarg, "clone3") == 0)
				spec->spawn_mode = HULL_SPAWN_CLONE3;
			else if (strcmp(optarg, "fork") == 0)
				spec->spawn_mode = HULL_SPAWN_FORK;
			else
				return hull_fail(err, 0, "unknown spawn mode '%s' (clone3 or fork)",
						 optarg);
			break;
		case OPT_NO_PROC:
			spec->mount_proc = false;
			break;
		case OPT_ENV:
			ret = hull_spec_add_env(spec, optarg, err);
			if (ret < 0)
				return ret;
			break;
		case OPT_CWD:
			spec->cwd = optarg;
			break;
		case OPT_TRACE_FD:
			ret = parse_fd(optarg, &spec->trace_fd, err);
			if (ret < 0)
				return ret;
			break;
		case OPT_MEMORY:
			ret = hull_parse_size(optarg, &spec->limits.memory, err);
			if (ret < 0)
				return ret;
			break;
		case OPT_MEMORY_SWAP:
			ret = hull_parse_memory_swap(optarg, &spec->limits.memory_swap, err);
			if (ret < 0)
				return ret;
			break;
		case OPT_CPUS:
			ret = hull_parse_cpus(optarg, sysconf(_SC_NPROCESSORS_ONLN),
					      &spec->limits.cpu_quota_us, err);
			if (ret < 0)
				return ret;
			break;
		case OPT_PIDS:
			ret = hull_parse_pids(optarg, &spec->limits.pids, err);
			if (ret < 0)
				return ret;
			break;
		case OPT_CPUSET:
			ret = hull_check_cpuset(optarg, err);
			if (ret < 0)
				return ret;
			spec->limits.cpuset = optarg;
			break;
		case OPT_CGROUP_PARENT:
			/* The hierarchy's root itself is no parent for hull's
			 * per-run cgroups (hull gc would sweep it). */
			if (!optarg[0])
				return hull_fail(err, 0, "invalid cgroup parent ''");
			spec->limits.parent = optarg;
			break;
		case OPT_CAP_ADD:
		case OPT_CAP_DROP:
			ret = hull_caps_edit(&spec->caps, optarg, c == OPT_CAP_ADD, err);
			if (ret < 0)
				return ret;
			break;
		case OPT_ALLOW_NEW_PRIVS:
			spec->no_new_privs = false;
			break;
		case OPT_SECCOMP:
			if (strcmp(optarg, "off") == 0) {
				spec->seccomp_mode = HULL_SECCOMP_OFF;
			} else if (strcmp(optarg, "default") == 0) {
				spec->seccomp_mode = HULL_SECCOMP_DEFAULT;
			} else if (optarg[0]) {
				spec->seccomp_mode = HULL_SECCOMP_FILE;
				spec->seccomp_file = optarg;
			} else {
				return hull_fail(err, 0,
						 "empty seccomp profile (off, default or a file)");
			}
			break;
		case OPT_READ_ONLY:
			spec->read_only = true;
			break;
		case OPT_USER:
			ret = hull_user_parse(optarg, &spec->user, err);
			if (ret < 0)
				return ret;
			break;
		case OPT_UIDMAP:
		case OPT_GIDMAP:
			ret = hull_idmap_parse(
				optarg, c == OPT_UIDMAP ? &spec->uidmap : &spec->gidmap, err);
			if (ret < 0)
				return ret;
			break;
		case OPT_PRIVILEGED:
			spec->privileged = true;
			break;
		case OPT_INIT:
			spec->init = true;
			break;
		case OPT_EPHEMERAL:
			spec->ephemeral = true;
			break;
		case OPT_TIMEOUT:
			ret = parse_seconds("timeout", optarg, &spec->timeout_ns, err);
			if (ret < 0)
				return ret;
			break;
		case OPT_KILL_AFTER:
			ret = parse_seconds("kill-after", optarg, &spec->kill_after_ns, err);
			if (ret < 0)
				return ret;
			break;
		case OPT_NETWORK:
		case OPT_IP:
		case OPT_SUBNET:
		case OPT_NET_RATE:
		case OPT_MAC:
			ret = parse_network_option(c, optarg, &spec->net, err);
			if (ret < 0)
				return ret;
			break;
		case 'v':
			spec->verbose++;
			break;
		case 'h':
			return HULL_OPTIONS_HELP;
		case ':':
			return hull_fail(err, 0, "option '%s' requires an argument",
					 argv[optind - 1]);
		default:
			if (optopt && optopt < CHAR_MAX)
				return hull_fail(err, 0, "unknown option '-%c'", optopt);
			return hull_fail(err, 0, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return hull_fail(err, 0, "no rootfs given");
	spec->rootfs_arg = argv[optind++];
	if (!want_command) {
		if (optind < argc)
			return hull_fail(err, 0, "unexpected argument '%s' after the rootfs",
					 argv[optind]);
		return HULL_OPTIONS_RUN;
	}
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	spec->argv = &argv[optind];
	spec->argc = argc - optind;
	if (spec->argc < 1)
		return hull_fail(err, 0, "no command given");
	return HULL_OPTIONS_RUN;
}

int hull_options_parse_run(int argc, char **argv, struct hull_spec *spec, struct hull_err *err)
{
	return parse(argc, argv, spec, true, err);
}

int hull_options_parse_pool(int argc, char **argv, struct hull_spec *spec, struct hull_err *err)
{
	return parse(argc, argv, spec, false, err);
}

bool hull_options_is_run_option(const char *arg)
{
	if (strncmp(arg, "--", 2) != 0)
		return false;
	size_t len = strcspn(arg + 2, "=");
	for (const struct option *o = run_options; o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, arg + 2, len) == 0)
			return true;
	return false;
}
