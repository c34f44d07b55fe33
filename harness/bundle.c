/* bundle.c — the OCI bundle every OCI runtime gets: `runc spec`'s
 * defaults over the harness's rootfs and command, the namespaces asked for;
 * see driver.h. */
#include "driver.h"
#include "paths.h"

#include <errno.h>
#include <json-c/json.h>
#include <linux/limits.h> /* PATH_MAX */
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the OCI bundle -------------------------------------------------- */

static json_object *strarray(const char *const *s)
{
	json_object *a = json_object_new_array();
	for (; *s; s++)
		json_object_array_add(a, json_object_new_string(*s));
	return a;
}

/* `runc spec`'s defaults, which is what a container gets on any OCI
 * runtime unless someone changes them: Docker's capability set, masked and
 * read-only /proc paths, /proc and a tmpfs /dev. */
static json_object *oci_config(const struct hh_launch *l)
{
	static const char *const caps[] = {
		"CAP_CHOWN",
		"CAP_DAC_OVERRIDE",
		"CAP_FSETID",
		"CAP_FOWNER",
		"CAP_MKNOD",
		"CAP_NET_RAW",
		"CAP_SETGID",
		"CAP_SETUID",
		"CAP_SETFCAP",
		"CAP_SETPCAP",
		"CAP_NET_BIND_SERVICE",
		"CAP_SYS_CHROOT",
		"CAP_KILL",
		"CAP_AUDIT_WRITE",
		NULL,
	};
	static const char *const masked[] = {
		"/proc/acpi",
		"/proc/asound",
		"/proc/kcore",
		"/proc/keys",
		"/proc/latency_stats",
		"/proc/timer_list",
		"/proc/timer_stats",
		"/proc/sched_debug",
		"/sys/firmware",
		"/proc/scsi",
		NULL,
	};
	static const char *const readonly[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
	};
	static const struct {
		uint64_t flag;
		const char *type;
	} nstypes[] = {
		{ CLONE_NEWPID, "pid" },       { CLONE_NEWNET, "network" },
		{ CLONE_NEWIPC, "ipc" },       { CLONE_NEWUTS, "uts" },
		{ CLONE_NEWNS, "mount" },      { CLONE_NEWUSER, "user" },
		{ CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWTIME, "time" },
	};
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", NULL
	};
	json_object *cfg = json_object_new_object();
	json_object *proc = json_object_new_object();
	json_object *user = json_object_new_object();
	json_object *capo = json_object_new_object();
	json_object *root = json_object_new_object();
	json_object *linux_ = json_object_new_object();
	json_object *nss = json_object_new_array();
	json_object *mounts = json_object_new_array();
	json_object *m;
	json_object *args = json_object_new_array();

	json_object_object_add(cfg, "ociVersion", json_object_new_string("1.0.2"));
	for (char *const *p = l->cfg.argv; *p; p++)
		json_object_array_add(args, json_object_new_string(*p));
	json_object_object_add(proc, "terminal", json_object_new_boolean(0));
	json_object_object_add(user, "uid", json_object_new_int(0));
	json_object_object_add(user, "gid", json_object_new_int(0));
	json_object_object_add(proc, "user", user);
	json_object_object_add(proc, "args", args);
	json_object_object_add(proc, "env", strarray(env));
	json_object_object_add(proc, "cwd", json_object_new_string("/"));
	json_object_object_add(capo, "bounding", strarray(caps));
	json_object_object_add(capo, "effective", strarray(caps));
	json_object_object_add(capo, "permitted", strarray(caps));
	json_object_object_add(proc, "capabilities", capo);
	json_object_object_add(proc, "noNewPrivileges", json_object_new_boolean(1));
	json_object_object_add(cfg, "process", proc);

	json_object_object_add(root, "path", json_object_new_string(l->cfg.rootfs));
	json_object_object_add(root, "readonly", json_object_new_boolean(0));
	json_object_object_add(cfg, "root", root);
	if (l->ns_effective & CLONE_NEWUTS)
		json_object_object_add(
			cfg, "hostname",
			json_object_new_string(l->cfg.hostname ? l->cfg.hostname : "oci"));

	m = json_object_new_object();
	json_object_object_add(m, "destination", json_object_new_string("/proc"));
	json_object_object_add(m, "type", json_object_new_string("proc"));
	json_object_object_add(m, "source", json_object_new_string("proc"));
	json_object_array_add(mounts, m);
	m = json_object_new_object();
	json_object_object_add(m, "destination", json_object_new_string("/dev"));
	json_object_object_add(m, "type", json_object_new_string("tmpfs"));
	json_object_object_add(m, "source", json_object_new_string("tmpfs"));
	json_object_object_add(m, "options",
			       strarray((const char *const[]){ "nosuid", "strictatime", "mode=755",
							       "size=65536k", NULL }));
	json_object_array_add(mounts, m);
	json_object_object_add(cfg, "mounts", mounts);

	for (size_t i = 0; i < sizeof(nstypes) / sizeof(nstypes[0]); i++) {
		if (!(l->ns_effective & nstypes[i].flag))
			continue;
		json_object *ns = json_object_new_object();
		json_object_object_add(ns, "type", json_object_new_string(nstypes[i].type));
		json_object_array_add(nss, ns);
	}
	json_object_object_add(linux_, "namespaces", nss);
	if (l->ns_effective & CLONE_NEWUSER) {
		/* Like hull for now: container root is host uid/gid 0, one id. */
		for (int g = 0; g < 2; g++) {
			json_object *maps = json_object_new_array(),
				    *map = json_object_new_object();
			json_object_object_add(map, "containerID", json_object_new_int(0));
			json_object_object_add(map, "hostID", json_object_new_int(0));
			json_object_object_add(map, "size", json_object_new_int(1));
			json_object_array_add(maps, map);
			json_object_object_add(linux_, g ? "gidMappings" : "uidMappings", maps);
		}
	}
	if (l->cfg.cgroups_path)
		json_object_object_add(linux_, "cgroupsPath",
				       json_object_new_string(l->cfg.cgroups_path));
	json_object_object_add(linux_, "maskedPaths", strarray(masked));
	json_object_object_add(linux_, "readonlyPaths", strarray(readonly));
	json_object_object_add(cfg, "linux", linux_);
	return cfg;
}

int hh_bundle_write(struct hh_launch *l, struct hull_err *err)
{
	const char *base = l->cfg.scratch_dir;
	char path[PATH_MAX];

	if (!base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	hh_pathf(path, sizeof(path), "%s/hull-oci-XXXXXX", base);
	if (!mkdtemp(path))
		return hull_fail(err, errno, "cannot create a bundle directory in '%s'", base);
	l->tmp_dir = strdup(path);
	hh_pathf(path, sizeof(path), "%s/state", l->tmp_dir);
	l->state_dir = strdup(path);
	if (!l->tmp_dir || !l->state_dir)
		return hull_fail(err, ENOMEM, "cannot prepare a bundle");
	if (mkdir(l->state_dir, 0700) < 0)
		return hull_fail(err, errno, "cannot create '%s'", l->state_dir);

	json_object *cfg = oci_config(l);
	hh_pathf(path, sizeof(path), "%s/config.json", l->tmp_dir);
	int ret = json_object_to_file_ext(path, cfg, JSON_C_TO_STRING_PRETTY);
	json_object_put(cfg);
	if (ret < 0)
		return hull_fail(err, EIO, "cannot write '%s'", path);
	return 0;
}
