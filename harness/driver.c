/* driver.c — command lines and OCI bundles for each runtime, and one
 * container run with captured output; see driver.h. */
#include "driver.h"
#include "ns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <linux/limits.h> /* not <limits.h>: -Icore has a limits.h */
#include <linux/magic.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define NS_OCI_ALL (HULL_NS_ALL)
#define NS_BWRAP                                                                                   \
	(CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER |               \
	 CLONE_NEWCGROUP)
#define DEFAULT_TIMEOUT_MS 10000

const struct hull_runtime_info hull_runtimes[] = {
	{ .name = "bare",
	  .what = "fork+exec of the probe on the host, no isolation (the floor of floors)",
	  .changes_root = false },
	{ .name = "hull",
	  .what = "hull run (build/bin/hull)",
	  .ns_choosable = HULL_NS_ALL,
	  .root_choosable = true,
	  .pivot_root = true,
	  .changes_root = true,
	  .private_mounts = true,
	  .mounts_proc = true },
	{ .name = "hull-privileged",
	  .what = "hull run --privileged: no security profile (the floor's work)",
	  .ns_choosable = HULL_NS_ALL,
	  .pivot_root = true,
	  .changes_root = true,
	  .private_mounts = true,
	  .mounts_proc = true,
	  .bench_only = true },
	{ .name = "hull-limits",
	  .what = "hull run --memory 1g --pids 4096 --cpus 1: a cgroup per container",
	  .ns_choosable = HULL_NS_ALL,
	  .pivot_root = true,
	  .changes_root = true,
	  .private_mounts = true,
	  .mounts_proc = true,
	  .drops_caps = true,
	  .bench_only = true },
	{ .name = "seed",
	  .what = "the tutorial: fork, unshare(mnt|uts), chroot, mount proc, exec",
	  .ns_always = CLONE_NEWNS | CLONE_NEWUTS,
	  .changes_root = true,
	  .mounts_proc = true },
	{ .name = "floor",
	  .what = "raw syscalls only (build/bin/hull-floor), the kernel's price",
	  .ns_choosable = HULL_NS_ALL,
	  .pivot_root = true,
	  .changes_root = true,
	  .private_mounts = true,
	  .mounts_proc = true },
	{ .name = "unshare",
	  .what = "util-linux unshare --fork --mount-proc --root",
	  .ns_choosable = HULL_NS_ALL,
	  .changes_root = true,
	  .private_mounts = true,
	  .mounts_proc = true },
	{ .name = "bwrap",
	  .what = "bubblewrap --bind ROOTFS / --proc /proc --dev /dev",
	  .ns_choosable = NS_BWRAP,
	  .ns_always = CLONE_NEWNS,
	  .pivot_root = true,
	  .changes_root = true,
	  .private_mounts = true,
	  .mounts_proc = true },
	{ .name = "crun",
	  .what = "crun run, OCI bundle, --cgroup-manager=disabled",
	  .ns_choosable = NS_OCI_ALL,
	  .pivot_root = true,
	  .changes_root = true,
	  .private_mounts = true,
	  .mounts_proc = true,
	  .drops_caps = true,
	  .oci = true },
	{ .name = "crun-cgroupfs",
	  .what = "crun run, OCI bundle, --cgroup-manager=cgroupfs",
	  .ns_choosable = NS_OCI_ALL,
	  .pivot_root = true,
	  .changes_root = true,
	  .private_mounts = true,
	  .mounts_proc = true,
	  .drops_caps = true,
	  .oci = true },
	{ .name = "hull-oci",
	  .what = "hull run --bundle, the OCI bundle crun and runc get",
	  .ns_choosable = NS_OCI_ALL,
	  .pivot_root = true,
	  .changes_root = true,
	  .private_mounts = true,
	  .mounts_proc = true,
	  .drops_caps = true,
	  .oci = true,
	  .bench_only = true },
	/* runc 1.1 knows no time namespace ("namespace time does not exist"). */
	{ .name = "runc",
	  .what = "runc run, OCI bundle",
	  .ns_choosable = NS_OCI_ALL & ~CLONE_NEWTIME,
	  .pivot_root = true,
	  .changes_root = true,
	  .private_mounts = true,
	  .mounts_proc = true,
	  .drops_caps = true,
	  .oci = true },
};
const size_t hull_runtime_count = sizeof(hull_runtimes) / sizeof(hull_runtimes[0]);

const struct hull_runtime_info *hull_runtime_lookup(const char *name)
{
	for (size_t i = 0; name && i < hull_runtime_count; i++)
		if (strcmp(hull_runtimes[i].name, name) == 0)
			return &hull_runtimes[i];
	return NULL;
}

uint64_t hull_launch_effective_ns(const struct hull_runtime_info *rt, uint64_t ns_flags)
{
	return (ns_flags & rt->ns_choosable) | rt->ns_always;
}

bool hull_launch_uses_pivot(const struct hull_runtime_info *rt, uint64_t ns_effective, bool chroot)
{
	if (rt->root_choosable || strcmp(rt->name, "floor") == 0)
		return !chroot && (ns_effective & CLONE_NEWNS);
	return rt->pivot_root && (ns_effective & CLONE_NEWNS);
}

/* ---- finding programs ------------------------------------------------ */

/* snprintf for paths: false when it did not fit. */
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

static char self_dir[PATH_MAX];
static pthread_once_t self_dir_once = PTHREAD_ONCE_INIT;

static void find_self_dir(void)
{
	ssize_t n = readlink("/proc/self/exe", self_dir, sizeof(self_dir) - 1);
	if (n <= 0) {
		self_dir[0] = '\0';
		return;
	}
	self_dir[n] = '\0';
	char *slash = strrchr(self_dir, '/');
	if (slash)
		*slash = '\0';
}

const char *hull_launch_self_dir(void)
{
	pthread_once(&self_dir_once, find_self_dir);
	return self_dir[0] ? self_dir : NULL;
}

static bool is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* $PATH, then the sbin directories a root shell would have (runc lives in
 * /usr/sbin on Debian). malloc'ed, or NULL. */
static char *find_in_path(const char *prog)
{
	const char *env = getenv("PATH");
	char *dirs = NULL, *save = NULL, path[PATH_MAX];

	if (asprintf(&dirs, "%s:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		     env ? env : "") < 0)
		return NULL;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if (!*d)
			continue;
		pathf(path, sizeof(path), "%s/%s", d, prog);
		if (is_executable(path)) {
			free(dirs);
			return strdup(path);
		}
	}
	free(dirs);
	return NULL;
}

/* The program that runs a container of this runtime, malloc'ed, or NULL
 * with why filled. bare has none (its "program" is in the rootfs). */
static char *runtime_program(const struct hull_runtime_info *rt, const char *bin_dir, char *why,
			     size_t len)
{
	static const struct {
		const char *runtime, *prog;
		bool built;
	} progs[] = {
		{ "hull", "hull", true },	 { "hull-privileged", "hull", true },
		{ "hull-oci", "hull", true },	 { "hull-limits", "hull", true },
		{ "seed", "hull-seed", true },	 { "floor", "hull-floor", true },
		{ "unshare", "unshare", false }, { "bwrap", "bwrap", false },
		{ "crun", "crun", false },	 { "crun-cgroupfs", "crun", false },
		{ "runc", "runc", false },
	};
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		if (strcmp(progs[i].runtime, rt->name) != 0)
			continue;
		if (!progs[i].built) {
			char *p = find_in_path(progs[i].prog);
			if (!p && why)
				snprintf(why, len, "%s is not installed (make deps)",
					 progs[i].prog);
			return p;
		}
		char path[PATH_MAX];
		const char *dir = bin_dir ? bin_dir : hull_launch_self_dir();
		pathf(path, sizeof(path), "%s/%s", dir ? dir : ".", progs[i].prog);
		if (is_executable(path))
			return strdup(path);
		if (why)
			snprintf(why, len, "'%s' is not built", path);
		return NULL;
	}
	if (why)
		snprintf(why, len, "runtime '%s' has no program", rt->name);
	return NULL;
}

bool hull_runtime_available(const char *name, char *why, size_t len)
{
	const struct hull_runtime_info *rt = hull_runtime_lookup(name);

	if (why && len)
		why[0] = '\0';
	if (!rt) {
		if (why)
			snprintf(why, len, "unknown runtime '%s'", name ? name : "");
		return false;
	}
	if (strcmp(rt->name, "bare") == 0)
		return true;
	if (geteuid() != 0 && strcmp(rt->name, "bwrap") != 0 && strcmp(rt->name, "unshare") != 0) {
		/* hull (for now), seed, floor, crun and runc need root; bwrap and
		 * unshare(1) may manage with a user namespace. */
		if (why)
			snprintf(why, len, "%s needs root", rt->name);
		return false;
	}
	char *p = runtime_program(rt, NULL, why, len);
	free(p);
	return p != NULL;
}

bool hull_cgroup_is_hybrid(void)
{
	struct statfs top, unified;

	return statfs("/sys/fs/cgroup", &top) == 0 && top.f_type == TMPFS_MAGIC &&
	       statfs("/sys/fs/cgroup/unified", &unified) == 0 &&
	       unified.f_type == CGROUP2_SUPER_MAGIC;
}

/* ---- argv building --------------------------------------------------- */

struct argv_buf {
	char **v;
	size_t n, cap;
	bool oom;
};

static void add(struct argv_buf *a, const char *s)
{
	if (a->oom)
		return;
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 32;
		char **v = realloc(a->v, cap * sizeof(char *));
		if (!v) {
			a->oom = true;
			return;
		}
		a->v = v;
		a->cap = cap;
	}
	if (!(a->v[a->n] = strdup(s))) {
		a->oom = true;
		return;
	}
	a->v[++a->n] = NULL;
}

static void addf(struct argv_buf *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(struct argv_buf *a, const char *fmt, ...)
{
	char buf[PATH_MAX + 64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	add(a, buf);
}

static void add_cmd(struct argv_buf *a, char *const *argv)
{
	for (char *const *p = argv; *p; p++)
		add(a, *p);
}

static void free_strv(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static void build_hull(struct argv_buf *a, const struct hull_launch *l)
{
	const struct hull_launch_config *c = &l->cfg;
	char ns[128];

	hull_ns_format(l->ns_effective, ns, sizeof(ns));
	add(a, l->runtime_bin);
	add(a, "run");
	if (strcmp(l->rt->name, "hull-privileged") == 0)
		add(a, "--privileged");
	if (strcmp(l->rt->name, "hull-limits") == 0) {
		static const char *const limits[] = { "--memory", "1g",	    "--pids",
						      "4096",	  "--cpus", "1" };
		for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
			add(a, limits[i]);
	}
	add(a, "--ns");
	add(a, ns);
	if (c->chroot)
		add(a, "--chroot");
	if (c->spawn_fork) {
		add(a, "--spawn");
		add(a, "fork");
	}
	if (c->hostname && (l->ns_effective & CLONE_NEWUTS)) {
		add(a, "--hostname");
		add(a, c->hostname);
	}
	if (c->trace_fd >= 0) {
		add(a, "--trace-fd");
		addf(a, "%d", c->trace_fd);
	}
	add(a, c->rootfs);
	add(a, "--");
	add_cmd(a, c->argv);
}

static void build_floor(struct argv_buf *a, const struct hull_launch *l)
{
	const struct hull_launch_config *c = &l->cfg;
	char ns[128];

	hull_ns_format(l->ns_effective, ns, sizeof(ns));
	add(a, l->runtime_bin);
	add(a, "--ns");
	add(a, ns);
	if (c->chroot)
		add(a, "--chroot");
	if (c->hostname && (l->ns_effective & CLONE_NEWUTS)) {
		add(a, "--hostname");
		add(a, c->hostname);
	}
	add(a, c->rootfs);
	add_cmd(a, c->argv);
}

static void build_unshare(struct argv_buf *a, const struct hull_launch *l)
{
	static const struct {
		uint64_t flag;
		const char *opt;
	} opts[] = {
		{ CLONE_NEWNS, "--mount" },	 { CLONE_NEWUTS, "--uts" },
		{ CLONE_NEWPID, "--pid" },	 { CLONE_NEWIPC, "--ipc" },
		{ CLONE_NEWNET, "--net" },	 { CLONE_NEWUSER, "--user" },
		{ CLONE_NEWCGROUP, "--cgroup" }, { CLONE_NEWTIME, "--time" },
	};
	add(a, l->runtime_bin);
	add(a, "--fork");
	add(a, "--kill-child");
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (l->ns_effective & opts[i].flag)
			add(a, opts[i].opt);
	if (l->ns_effective & CLONE_NEWUSER)
		add(a, "--map-root-user");
	/* --mount-proc implies a mount namespace; without one it would mount
	 * over the host's /proc. */
	if (l->ns_effective & CLONE_NEWNS)
		add(a, "--mount-proc");
	addf(a, "--root=%s", l->cfg.rootfs);
	add_cmd(a, l->cfg.argv);
}

static void build_bwrap(struct argv_buf *a, const struct hull_launch *l)
{
	static const struct {
		uint64_t flag;
		const char *opt;
	} opts[] = {
		{ CLONE_NEWUTS, "--unshare-uts" },   { CLONE_NEWPID, "--unshare-pid" },
		{ CLONE_NEWIPC, "--unshare-ipc" },   { CLONE_NEWNET, "--unshare-net" },
		{ CLONE_NEWUSER, "--unshare-user" }, { CLONE_NEWCGROUP, "--unshare-cgroup" },
	};
	add(a, l->runtime_bin);
	add(a, "--die-with-parent");
	add(a, "--bind");
	add(a, l->cfg.rootfs);
	add(a, "/");
	add(a, "--proc");
	add(a, "/proc");
	add(a, "--dev");
	add(a, "/dev");
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (l->ns_effective & opts[i].flag)
			add(a, opts[i].opt);
	if (l->ns_effective & CLONE_NEWUSER) {
		add(a, "--uid");
		add(a, "0");
		add(a, "--gid");
		add(a, "0");
	}
	if ((l->ns_effective & CLONE_NEWUTS) && l->cfg.hostname) {
		add(a, "--hostname");
		add(a, l->cfg.hostname);
	}
	add(a, "--");
	add_cmd(a, l->cfg.argv);
}

/* crun or runc; the last argument is the container id, set per run. */
static int build_oci(struct argv_buf *a, struct hull_launch *l, struct hull_err *err)
{
	bool crun = strncmp(l->rt->name, "crun", 4) == 0;

	if (crun && hull_cgroup_is_hybrid()) {
		char *unshare = find_in_path("unshare");
		if (!unshare)
			return hull_fail(err, 0, "crun needs unshare(1) on a hybrid cgroup host");
		add(a, unshare);
		free(unshare);
		add(a, "-m");
		add(a, "sh");
		add(a, "-c");
		add(a, "umount /sys/fs/cgroup/unified 2>/dev/null; exec \"$0\" \"$@\"");
	}
	add(a, l->runtime_bin);
	add(a, "--root");
	add(a, l->state_dir);
	if (crun)
		add(a, strcmp(l->rt->name, "crun") == 0 ? "--cgroup-manager=disabled"
							: "--cgroup-manager=cgroupfs");
	add(a, "run");
	add(a, "--bundle");
	add(a, l->tmp_dir);
	add(a, "ID");
	l->id_index = (int)a->n - 1;
	return 0;
}

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
static json_object *oci_config(const struct hull_launch *l)
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
	json_object_object_add(linux_, "maskedPaths", strarray(masked));
	json_object_object_add(linux_, "readonlyPaths", strarray(readonly));
	json_object_object_add(cfg, "linux", linux_);
	return cfg;
}

static int write_bundle(struct hull_launch *l, struct hull_err *err)
{
	const char *base = l->cfg.scratch_dir;
	char path[PATH_MAX];

	if (!base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	pathf(path, sizeof(path), "%s/hull-oci-XXXXXX", base);
	if (!mkdtemp(path))
		return hull_fail(err, errno, "cannot create a bundle directory in '%s'", base);
	l->tmp_dir = strdup(path);
	pathf(path, sizeof(path), "%s/state", l->tmp_dir);
	l->state_dir = strdup(path);
	if (!l->tmp_dir || !l->state_dir)
		return hull_fail(err, ENOMEM, "cannot prepare a bundle");
	if (mkdir(l->state_dir, 0700) < 0)
		return hull_fail(err, errno, "cannot create '%s'", l->state_dir);

	json_object *cfg = oci_config(l);
	pathf(path, sizeof(path), "%s/config.json", l->tmp_dir);
	int ret = json_object_to_file_ext(path, cfg, JSON_C_TO_STRING_PRETTY);
	json_object_put(cfg);
	if (ret < 0)
		return hull_fail(err, EIO, "cannot write '%s'", path);
	return 0;
}

/* rm -r of a directory we made; it only ever holds a few levels. */
static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d))) {
			char sub[PATH_MAX];
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			pathf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			if (e->d_type == DT_DIR)
				remove_tree(sub);
			else
				unlink(sub);
		}
		closedir(d);
	}
	rmdir(path);
}

int hull_launch_prepare(const struct hull_launch_config *cfg, struct hull_launch *l,
			struct hull_err *err)
{
	struct argv_buf a = { 0 };
	char why[256];
	int ret;

	memset(l, 0, sizeof(*l));
	l->id_index = -1;
	l->rt = hull_runtime_lookup(cfg->runtime);
	if (!l->rt)
		return hull_fail(err, 0, "unknown runtime '%s'", cfg->runtime ? cfg->runtime : "");
	if (!cfg->rootfs || cfg->rootfs[0] != '/')
		return hull_fail(err, 0, "rootfs '%s' is not an absolute path",
				 cfg->rootfs ? cfg->rootfs : "");
	if (!cfg->argv || !cfg->argv[0])
		return hull_fail(err, 0, "no command given");
	uint64_t extra = cfg->ns_flags & ~(l->rt->ns_choosable | l->rt->ns_always);
	if (extra) {
		char ns[128];
		hull_ns_format(extra, ns, sizeof(ns));
		return hull_fail(err, 0, "runtime '%s' cannot create namespaces '%s'", l->rt->name,
				 ns);
	}
	if (cfg->chroot && !l->rt->root_choosable && strcmp(l->rt->name, "floor") != 0)
		return hull_fail(err, 0, "runtime '%s' has no chroot mode", l->rt->name);
	l->cfg = *cfg;
	if (!l->cfg.timeout_ms)
		l->cfg.timeout_ms = DEFAULT_TIMEOUT_MS;
	l->ns_effective = hull_launch_effective_ns(l->rt, cfg->ns_flags);

	if (strcmp(l->rt->name, "bare") != 0) {
		l->runtime_bin = runtime_program(l->rt, cfg->bin_dir, why, sizeof(why));
		if (!l->runtime_bin)
			return hull_fail(err, 0, "runtime '%s' is not available: %s", l->rt->name,
					 why);
	}

	if (strcmp(l->rt->name, "bare") == 0) {
		/* The container's program, straight from the rootfs. */
		addf(&a, "%s%s", cfg->rootfs, cfg->argv[0]);
		for (char *const *p = cfg->argv + 1; *p; p++)
			add(&a, *p);
	} else if (strcmp(l->rt->name, "hull") == 0 ||
		   strcmp(l->rt->name, "hull-privileged") == 0 ||
		   strcmp(l->rt->name, "hull-limits") == 0) {
		build_hull(&a, l);
	} else if (strcmp(l->rt->name, "seed") == 0) {
		add(&a, l->runtime_bin);
		add(&a, cfg->rootfs);
		add_cmd(&a, cfg->argv);
	} else if (strcmp(l->rt->name, "floor") == 0) {
		build_floor(&a, l);
	} else if (strcmp(l->rt->name, "unshare") == 0) {
		build_unshare(&a, l);
	} else if (strcmp(l->rt->name, "bwrap") == 0) {
		build_bwrap(&a, l);
	} else if (l->rt->oci) {
		ret = write_bundle(l, err);
		if (ret < 0) {
			hull_launch_release(l);
			return ret;
		}
		ret = build_oci(&a, l, err);
		if (ret < 0) {
			free_strv(a.v);
			hull_launch_release(l);
			return ret;
		}
	}
	if (a.oom) {
		free_strv(a.v);
		hull_launch_release(l);
		return hull_fail(err, ENOMEM, "cannot build the command line");
	}
	l->argv = a.v;
	return 0;
}

void hull_launch_release(struct hull_launch *l)
{
	if (l->tmp_dir)
		remove_tree(l->tmp_dir);
	free(l->tmp_dir);
	free(l->state_dir);
	free(l->runtime_bin);
	free_strv(l->argv);
	memset(l, 0, sizeof(*l));
	l->id_index = -1;
}

void hull_launch_result_free(struct hull_launch_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
	res->out_len = res->err_len = 0;
}

/* ---- one run --------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct capture {
	int fd;
	char *buf;
	size_t len, cap;
};

/* Read what is there; returns false on EOF or error (fd closed). */
static bool drain(struct capture *c)
{
	for (;;) {
		if (c->cap - c->len < 4096) {
			size_t cap = c->cap ? c->cap * 2 : 16384;
			char *b = realloc(c->buf, cap);
			if (!b)
				break;
			c->buf = b;
			c->cap = cap;
		}
		ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0)
			break;
		c->len += (size_t)n;
	}
	close(c->fd);
	c->fd = -1;
	return false;
}

static uint64_t next_id(void)
{
	static uint64_t counter;
	return __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
}

/* Run argv to completion, discarding its output: the cleanup commands. */
static void run_quietly(char *const *argv)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) == 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	posix_spawn_file_actions_destroy(&fa);
}

/* A crun/runc container left behind by a killed runtime: delete it. */
static void oci_cleanup(const struct hull_launch *l, const char *id)
{
	char path[PATH_MAX];
	struct stat st;

	pathf(path, sizeof(path), "%s/%s", l->state_dir, id);
	if (stat(path, &st) < 0)
		return;
	char *argv[] = { l->runtime_bin, "--root",   l->state_dir, "delete",
			 "--force",	 (char *)id, NULL };
	run_quietly(argv);
	remove_tree(path);
}

static int spawn_runtime(const struct hull_launch *l, char **argv, int out_w, int err_w, pid_t *pid,
			 uint64_t *t_spawn, struct hull_err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, deflt;
	int ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_w, 1);
	posix_spawn_file_actions_adddup2(&fa, err_w, 2);
	/* dup2 onto itself clears FD_CLOEXEC (POSIX 2008, glibc >= 2.29). */
	if (l->cfg.trace_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, l->cfg.trace_fd, l->cfg.trace_fd);
	/* Its own process group, so a timeout can kill the runtime and
	 * whatever it forked; a clean signal state whatever our threads block. */
	sigemptyset(&none);
	sigfillset(&deflt);
	sigdelset(&deflt, SIGKILL);
	sigdelset(&deflt, SIGSTOP);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &deflt);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
						POSIX_SPAWN_SETPGROUP);
	*t_spawn = now_ns();
	ret = posix_spawn(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (ret != 0)
		return hull_fail(err, ret, "cannot start runtime '%s' ('%s')", l->rt->name,
				 argv[0]);
	return 0;
}

int hull_launch_run(const struct hull_launch *l, struct hull_launch_result *res,
		    struct hull_err *err)
{
	struct capture out = { .fd = -1 }, errc = { .fd = -1 };
	int out_p[2] = { -1, -1 }, err_p[2] = { -1, -1 };
	char **argv = NULL;
	pid_t pid = -1;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	if (!l->argv)
		return hull_fail(err, 0, "launch is not prepared");

	/* A private argv: only the container id differs between runs. */
	size_t n = 0;
	while (l->argv[n])
		n++;
	argv = calloc(n + 1, sizeof(char *));
	if (!argv)
		return hull_fail(err, ENOMEM, "cannot start runtime '%s'", l->rt->name);
	memcpy(argv, l->argv, n * sizeof(char *));
	if (l->id_index >= 0) {
		snprintf(res->id, sizeof(res->id), "hull-%d-%llu", (int)getpid(),
			 (unsigned long long)next_id());
		argv[l->id_index] = res->id;
	}

	if (pipe2(out_p, O_CLOEXEC) < 0 || pipe2(err_p, O_CLOEXEC) < 0) {
		ret = hull_fail(err, errno, "cannot create pipes");
		for (int i = 0; i < 2; i++) {
			if (out_p[i] >= 0)
				close(out_p[i]);
			if (err_p[i] >= 0)
				close(err_p[i]);
		}
		goto out;
	}
	ret = spawn_runtime(l, argv, out_p[1], err_p[1], &pid, &res->t_spawn_ns, err);
	close(out_p[1]);
	close(err_p[1]);
	out.fd = out_p[0];
	errc.fd = err_p[0];
	if (ret < 0)
		goto out;
	fcntl(out.fd, F_SETFL, O_NONBLOCK);
	fcntl(errc.fd, F_SETFL, O_NONBLOCK);

	/* Read both pipes until the runtime and everything it started have
	 * closed them, or the deadline / a cancel comes. */
	uint64_t deadline = res->t_spawn_ns + (uint64_t)l->cfg.timeout_ms * 1000000ULL;
	bool killed = false;
	while (out.fd >= 0 || errc.fd >= 0) {
		struct pollfd p[3];
		int np = 0, io = -1, ie = -1, ic = -1;
		if (out.fd >= 0) {
			io = np;
			p[np++] = (struct pollfd){ .fd = out.fd, .events = POLLIN };
		}
		if (errc.fd >= 0) {
			ie = np;
			p[np++] = (struct pollfd){ .fd = errc.fd, .events = POLLIN };
		}
		if (l->cfg.cancel_fd >= 0 && !killed) {
			ic = np;
			p[np++] = (struct pollfd){ .fd = l->cfg.cancel_fd, .events = POLLIN };
		}
		uint64_t now = now_ns();
		int wait_ms = now >= deadline ? 0 : (int)((deadline - now) / 1000000ULL) + 1;
		if (killed)
			wait_ms = 1000; /* the group is dead; its pipes close at once */
		int r = poll(p, (nfds_t)np, wait_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || (ic >= 0 && (p[ic].revents & POLLIN))) {
			if (killed)
				break; /* someone outside the group holds the pipe */
			if (r == 0)
				res->timed_out = true;
			else
				res->cancelled = true;
			kill(-pid, SIGKILL);
			killed = true;
			continue;
		}
		if (io >= 0 && p[io].revents)
			drain(&out);
		if (ie >= 0 && p[ie].revents)
			drain(&errc);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ret = hull_fail(err, errno, "cannot wait for runtime '%s'", l->rt->name);
			pid = -1;
			goto out;
		}
	}
	res->t_exit_ns = now_ns();
	pid = -1;
	res->wait_status = status;
	res->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	if (pid > 0) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (out.fd >= 0)
		close(out.fd);
	if (errc.fd >= 0)
		close(errc.fd);
	if (l->id_index >= 0 && res->id[0])
		oci_cleanup(l, res->id);
	/* drain() always leaves room for the NUL. */
	res->out = out.buf ? out.buf : calloc(1, 1);
	res->out_len = out.buf ? out.len : 0;
	if (res->out)
		res->out[res->out_len] = '\0';
	res->err = errc.buf ? errc.buf : calloc(1, 1);
	res->err_len = errc.buf ? errc.len : 0;
	if (res->err)
		res->err[res->err_len] = '\0';
	free(argv);
	return ret;
}
