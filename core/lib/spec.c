/* spec.c — defaults and validation of struct hull_spec; see spec.h. */

#include "spec.h"
#include "masks.h"
#include "ns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void hull_spec_init(struct hull_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->ns_flags = HULL_NS_DEFAULT;
	spec->hostname = HULL_DEFAULT_HOSTNAME;
	spec->root_mode = HULL_ROOT_PIVOT;
	spec->spawn_mode = HULL_SPAWN_CLONE3;
	spec->mount_proc = true;
	spec->mount_dev = true;
	spec->cwd = "/";
	spec->trace_fd = -1;
	spec->limits.parent = HULL_DEFAULT_CGROUP_PARENT;
	spec->caps = hull_caps_default();
	spec->no_new_privs = true;
	spec->seccomp_mode = HULL_SECCOMP_DEFAULT;
	spec->mask_paths = true;
	spec->kill_after_ns = HULL_DEFAULT_KILL_AFTER_NS;
	spec->masked_paths = hull_masked_paths;
	spec->readonly_paths = hull_readonly_paths;
	spec->mount_sys = true;
	spec->exec_fifo_fd = -1;
	spec->command_fd = -1;
	spec->command_peer_fd = -1;
	spec->hangup_fd = -1;
	spec->read_only_tmp = true;
	spec->umask = -1;
}

static int validate_security(struct hull_spec *spec, struct hull_err *err)
{
	if (spec->privileged) {
		spec->caps = hull_caps_all();
		spec->no_new_privs = false;
		spec->seccomp_mode = HULL_SECCOMP_OFF;
		spec->mask_paths = false;
	}
	if (spec->seccomp_mode == HULL_SECCOMP_FILE) {
		int ret = hull_seccomp_check_denylist(spec->seccomp_file, err);
		if (ret < 0)
			return ret;
	}
	if (!(spec->ns_flags & CLONE_NEWUSER)) {
		if (spec->uidmap.set || spec->gidmap.set)
			return hull_fail(
				err, 0,
				"--uidmap and --gidmap require the user namespace (--ns ...,user)");
		return 0;
	}
	if (!spec->uidmap.set)
		hull_idmap_default("/etc/subuid", geteuid(), geteuid(), &spec->uidmap);
	if (!spec->gidmap.set)
		hull_idmap_default("/etc/subgid", geteuid(), getegid(), &spec->gidmap);
	return 0;
}

static bool env_name_valid(const char *kv, size_t name_len)
{
	if (name_len == 0)
		return false;
	for (size_t i = 0; i < name_len; i++)
		if (kv[i] == '\0' || kv[i] == '=')
			return false;
	return true;
}

int hull_spec_add_env(struct hull_spec *spec, const char *kv, struct hull_err *err)
{
	const char *eq = strchr(kv, '=');

	if (!eq || !env_name_valid(kv, (size_t)(eq - kv)))
		return hull_fail(err, 0, "invalid environment variable '%s': expected NAME=VALUE",
				 kv);
	if (spec->n_env_args >= HULL_MAX_ENV)
		return hull_fail(err, 0, "too many environment variables (at most %d)",
				 HULL_MAX_ENV);
	spec->env_args[spec->n_env_args++] = kv;
	return 0;
}

/* Replace the entry with the same NAME, or append. */
static void env_put(char **envp, size_t *n, char *kv)
{
	size_t name_len = strcspn(kv, "=");

	for (size_t i = 0; i < *n; i++) {
		if (strncmp(envp[i], kv, name_len + 1) == 0) {
			free(envp[i]);
			envp[i] = kv;
			return;
		}
	}
	envp[(*n)++] = kv;
}

static void hull_spec_free_env(struct hull_spec *spec);

int hull_spec_build_env(struct hull_spec *spec, struct hull_err *err)
{
	/* PATH, HOME, TERM, HOSTNAME, then every --env. */
	size_t cap = 4 + spec->n_env_args + 1, n = 0;
	char **envp = calloc(cap, sizeof(char *));
	const char *term = getenv("TERM");
	char *kv = NULL;

	if (!envp)
		return hull_fail(err, ENOMEM, "cannot build the environment");
	if (spec->env_exact)
		goto args; /* OCI: process.env is the whole environment */
	if (asprintf(&kv, "PATH=%s", HULL_DEFAULT_PATH) < 0)
		goto oom;
	env_put(envp, &n, kv);
	if (!(kv = strdup("HOME=/")))
		goto oom;
	env_put(envp, &n, kv);
	if (term) {
		if (asprintf(&kv, "TERM=%s", term) < 0)
			goto oom;
		env_put(envp, &n, kv);
	}
	if (hull_spec_has_utsns(spec) && spec->hostname) {
		if (asprintf(&kv, "HOSTNAME=%s", spec->hostname) < 0)
			goto oom;
		env_put(envp, &n, kv);
	}
args:
	for (size_t i = 0; i < spec->n_env_args; i++) {
		if (!(kv = strdup(spec->env_args[i])))
			goto oom;
		env_put(envp, &n, kv);
	}
	envp[n] = NULL;
	hull_spec_free_env(spec);
	spec->envp = envp;
	return 0;
oom:
	for (size_t i = 0; i < n; i++)
		free(envp[i]);
	free(envp);
	return hull_fail(err, ENOMEM, "cannot build the environment");
}

static int validate_rootfs(struct hull_spec *spec, struct hull_err *err)
{
	struct stat st;

	if (!spec->rootfs_arg || !*spec->rootfs_arg)
		return hull_fail(err, 0, "no rootfs given");
	if (stat(spec->rootfs_arg, &st) < 0)
		return hull_fail(err, errno, "cannot use rootfs '%s'", spec->rootfs_arg);
	if (!S_ISDIR(st.st_mode))
		return hull_fail(err, ENOTDIR, "cannot use rootfs '%s'", spec->rootfs_arg);
	free(spec->rootfs);
	spec->rootfs = realpath(spec->rootfs_arg, NULL);
	if (!spec->rootfs)
		return hull_fail(err, errno, "cannot resolve rootfs '%s'", spec->rootfs_arg);
	if (strcmp(spec->rootfs, "/") == 0)
		return hull_fail(err, 0, "cannot use rootfs '%s': it is the host's root",
				 spec->rootfs_arg);
	return 0;
}

/* --network host leaves the net namespace out, ns:PATH joins one (as an
 * OCI namespace path); the rest is net.c's to check. */
static int validate_network(struct hull_spec *spec, struct hull_err *err)
{
	struct hull_net_opts *net = &spec->net;

	if (net->mode == HULL_NET_HOST || net->mode == HULL_NET_NS)
		spec->ns_flags &= ~(uint64_t)CLONE_NEWNET;
	if (net->mode == HULL_NET_NS) {
		if (access(net->path, R_OK) < 0)
			return hull_fail(err, errno, "cannot open namespace '%s'", net->path);
		for (size_t i = 0; i < hull_ns_count && i < HULL_NS_SLOTS; i++)
			if (hull_ns_table[i].flag == CLONE_NEWNET)
				spec->ns_paths[i] = net->path;
	}
	return hull_net_validate(net, (spec->ns_flags & CLONE_NEWNET) != 0, err);
}

int hull_spec_validate(struct hull_spec *spec, struct hull_err *err)
{
	int ret;

	ret = validate_rootfs(spec, err);
	if (ret < 0)
		return ret;
	if (spec->argc < 1 || !spec->argv || !spec->argv[0] || !spec->argv[0][0])
		return hull_fail(err, 0, "no command given");

	if (spec->hostname_given && !hull_spec_has_utsns(spec))
		return hull_fail(err, 0, "--hostname requires the uts namespace (--ns ...,uts)");
	if (spec->hostname && !spec->hostname[0])
		return hull_fail(err, 0, "empty hostname");
	if (spec->hostname && strlen(spec->hostname) > HULL_HOSTNAME_MAX)
		return hull_fail(err, 0, "hostname '%s' is longer than %d bytes", spec->hostname,
				 HULL_HOSTNAME_MAX);

	if (!spec->cwd || spec->cwd[0] != '/')
		return hull_fail(err, 0, "working directory '%s' is not an absolute path",
				 spec->cwd ? spec->cwd : "");

	if (spec->trace_fd >= 0 && fcntl(spec->trace_fd, F_GETFD) < 0)
		return hull_fail(err, errno, "cannot use trace fd '%d'", spec->trace_fd);

	if (geteuid() != 0 && !(spec->ns_flags & CLONE_NEWUSER))
		return hull_fail(err, EPERM,
				 "cannot run as uid %u without a user namespace (run as root or "
				 "add --ns user)",
				 (unsigned)geteuid());

	ret = validate_security(spec, err);
	if (ret < 0)
		return ret;
	ret = validate_network(spec, err);
	if (ret < 0)
		return ret;

	if (hull_limits_any(&spec->limits)) {
		ret = hull_limits_validate(&spec->limits, err);
		if (ret < 0)
			return ret;
		if (geteuid() != 0)
			return hull_fail(err, EPERM,
					 "cannot set resource limits as uid %u: cgroups need root",
					 (unsigned)geteuid());
	}

	/* The kernel lets a user namespace mount proc only for a pid namespace
	 * it owns (and a bind of the host's /proc would show every host
	 * process): say so now rather than fail half-way. */
	if (spec->mount_proc && hull_spec_has_mntns(spec) && (spec->ns_flags & CLONE_NEWUSER) &&
	    !(spec->ns_flags & CLONE_NEWPID))
		return hull_fail(
			err, 0,
			"cannot mount /proc in a user namespace without a pid namespace (add pid "
			"to --ns, or --no-proc)");

	if (spec->read_only && !hull_spec_has_mntns(spec))
		return hull_fail(err, 0, "--read-only requires the mount namespace (--ns ...,mnt)");
	if (spec->ephemeral && !hull_spec_has_mntns(spec))
		return hull_fail(err, 0, "--ephemeral requires the mount namespace (--ns ...,mnt)");

	if ((spec->n_mounts || spec->n_sysctls) && !hull_spec_has_mntns(spec))
		return hull_fail(err, 0, "mounts and sysctls require the mount namespace");

	/* Without a mount namespace every mount would land on the host. */
	if (!hull_spec_has_mntns(spec)) {
		spec->root_mode = HULL_ROOT_CHROOT;
		spec->mount_proc = false;
		spec->mount_dev = false;
		spec->mount_sys = false;
	}
	return hull_spec_build_env(spec, err);
}

static void hull_spec_free_env(struct hull_spec *spec)
{
	if (spec->envp) {
		for (char **e = spec->envp; *e; e++)
			free(*e);
		free(spec->envp);
		spec->envp = NULL;
	}
}

void hull_spec_free(struct hull_spec *spec)
{
	hull_spec_free_env(spec);
	hull_net_opts_free(&spec->net);
	free(spec->rootfs);
	spec->rootfs = NULL;
}
