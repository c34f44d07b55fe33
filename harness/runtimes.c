/* runtimes.c — the runtime table: what each runtime can do and the builder
 * of its command line, and oci:PATH runtimes added at run time; see
 * driver.h. */
#include "argv.h"
#include "runtime_pool.h"
#include "driver.h"
#include "env.h"
#include "ns.h"
#include "paths.h"

#include <linux/limits.h> /* PATH_MAX */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NS_BWRAP                                                                                   \
	(CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER |               \
	 CLONE_NEWCGROUP)
#define MAX_OCI_RUNTIMES 16

/* ---- command lines ----------------------------------------------------- */

/* The container's program, straight from the rootfs. */
static int build_bare(struct hh_argv *a, struct hh_launch *l, struct hull_err *err)
{
	(void)err;
	hh_argv_addf(a, "%s%s", l->cfg.rootfs, l->cfg.argv[0]);
	hh_argv_add_all(a, (const char *const *)l->cfg.argv + 1);
	return 0;
}

static int build_hull(struct hh_argv *a, struct hh_launch *l, struct hull_err *err)
{
	const struct hh_launch_config *c = &l->cfg;
	char ns[128];

	(void)err;
	hull_ns_format(l->ns_effective, ns, sizeof(ns));
	hh_argv_add(a, l->runtime_bin);
	hh_argv_add(a, "run");
	hh_argv_add_all(a, l->rt->options);
	hh_argv_add(a, "--ns");
	hh_argv_add(a, ns);
	if (c->chroot)
		hh_argv_add(a, "--chroot");
	if (c->spawn_fork) {
		hh_argv_add(a, "--spawn");
		hh_argv_add(a, "fork");
	}
	if (c->hostname && (l->ns_effective & CLONE_NEWUTS)) {
		hh_argv_add(a, "--hostname");
		hh_argv_add(a, c->hostname);
	}
	if (c->trace_fd >= 0) {
		hh_argv_add(a, "--trace-fd");
		hh_argv_addf(a, "%d", c->trace_fd);
	}
	hh_argv_add(a, c->rootfs);
	hh_argv_add(a, "--");
	hh_argv_add_all(a, (const char *const *)c->argv);
	return 0;
}

static int build_seed(struct hh_argv *a, struct hh_launch *l, struct hull_err *err)
{
	(void)err;
	hh_argv_add(a, l->runtime_bin);
	hh_argv_add(a, l->cfg.rootfs);
	hh_argv_add_all(a, (const char *const *)l->cfg.argv);
	return 0;
}

static int build_floor(struct hh_argv *a, struct hh_launch *l, struct hull_err *err)
{
	const struct hh_launch_config *c = &l->cfg;
	char ns[128];

	(void)err;
	hull_ns_format(l->ns_effective, ns, sizeof(ns));
	hh_argv_add(a, l->runtime_bin);
	hh_argv_add(a, "--ns");
	hh_argv_add(a, ns);
	if (c->chroot)
		hh_argv_add(a, "--chroot");
	if (c->hostname && (l->ns_effective & CLONE_NEWUTS)) {
		hh_argv_add(a, "--hostname");
		hh_argv_add(a, c->hostname);
	}
	hh_argv_add(a, c->rootfs);
	hh_argv_add_all(a, (const char *const *)c->argv);
	return 0;
}

static int build_unshare(struct hh_argv *a, struct hh_launch *l, struct hull_err *err)
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
	(void)err;
	hh_argv_add(a, l->runtime_bin);
	hh_argv_add(a, "--fork");
	hh_argv_add(a, "--kill-child");
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (l->ns_effective & opts[i].flag)
			hh_argv_add(a, opts[i].opt);
	if (l->ns_effective & CLONE_NEWUSER)
		hh_argv_add(a, "--map-root-user");
	/* --mount-proc implies a mount namespace; without one it would mount
	 * over the host's /proc. */
	if (l->ns_effective & CLONE_NEWNS)
		hh_argv_add(a, "--mount-proc");
	hh_argv_addf(a, "--root=%s", l->cfg.rootfs);
	hh_argv_add_all(a, (const char *const *)l->cfg.argv);
	return 0;
}

static int build_bwrap(struct hh_argv *a, struct hh_launch *l, struct hull_err *err)
{
	static const struct {
		uint64_t flag;
		const char *opt;
	} opts[] = {
		{ CLONE_NEWUTS, "--unshare-uts" },   { CLONE_NEWPID, "--unshare-pid" },
		{ CLONE_NEWIPC, "--unshare-ipc" },   { CLONE_NEWNET, "--unshare-net" },
		{ CLONE_NEWUSER, "--unshare-user" }, { CLONE_NEWCGROUP, "--unshare-cgroup" },
	};
	(void)err;
	hh_argv_add(a, l->runtime_bin);
	hh_argv_add(a, "--die-with-parent");
	hh_argv_add(a, "--bind");
	hh_argv_add(a, l->cfg.rootfs);
	hh_argv_add(a, "/");
	hh_argv_add(a, "--proc");
	hh_argv_add(a, "/proc");
	hh_argv_add(a, "--dev");
	hh_argv_add(a, "/dev");
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (l->ns_effective & opts[i].flag)
			hh_argv_add(a, opts[i].opt);
	if (l->ns_effective & CLONE_NEWUSER) {
		hh_argv_add(a, "--uid");
		hh_argv_add(a, "0");
		hh_argv_add(a, "--gid");
		hh_argv_add(a, "0");
	}
	if ((l->ns_effective & CLONE_NEWUTS) && l->cfg.hostname) {
		hh_argv_add(a, "--hostname");
		hh_argv_add(a, l->cfg.hostname);
	}
	hh_argv_add(a, "--");
	hh_argv_add_all(a, (const char *const *)l->cfg.argv);
	return 0;
}

/* Any OCI runtime: PROGRAM --root STATE [OPTIONS] run --bundle BUNDLE ID.
 * The id is the last argument, set per run. */
static int build_oci(struct hh_argv *a, struct hh_launch *l, struct hull_err *err)
{
	int ret = hh_bundle_write(l, err);
	if (ret < 0)
		return ret;
	hh_argv_add(a, l->runtime_bin);
	hh_argv_add(a, "--root");
	hh_argv_add(a, l->state_dir);
	hh_argv_add_all(a, l->rt->options);
	hh_argv_add(a, "run");
	hh_argv_add(a, "--bundle");
	hh_argv_add(a, l->tmp_dir);
	hh_argv_add(a, "ID");
	l->id_index = (int)a->n - 1;
	return 0;
}

/* ---- the table ---------------------------------------------------------- */

static const char *const opts_privileged[] = { "--privileged", NULL };
/* hull-pool, hull-pool-limits: the request goes through hull-pool-run,
 * hull's static musl client (core/pool-run/), where it was built next to
 * hull: the same arguments as `hull run --pool` without "run", and no
 * glibc startup (cpuid probing) in the sample. Without it, hull run
 * --pool. The pool itself is started and stopped by hull either way. */
static int build_hull_pool(struct hh_argv *a, struct hh_launch *l, struct hull_err *err)
{
	size_t base = a->n;
	int ret = hh_build_hull_pool(a, l, err);
	const char *slash = strrchr(l->runtime_bin, '/');
	char client[PATH_MAX], *dup;

	if (ret < 0 || a->oom || a->n < base + 2 || !slash ||
	    !hh_pathf(client, sizeof(client), "%.*s/hull-pool-run", (int)(slash - l->runtime_bin),
		      l->runtime_bin) ||
	    !hh_is_executable(client) || !(dup = strdup(client)))
		return ret;
	free(a->v[base]);
	free(a->v[base + 1]); /* "run" */
	a->v[base] = dup;
	memmove(&a->v[base + 1], &a->v[base + 2], (a->n - base - 1) * sizeof(char *));
	a->n--;
	return 0;
}

static const char *const opts_limits[] = {
	"--memory", "1g", "--pids", "4096", "--cpus", "1", NULL
};
static const char *const opts_crun[] = { "--cgroup-manager=disabled", NULL };
static const char *const opts_crun_cgroupfs[] = { "--cgroup-manager=cgroupfs", NULL };

/* What every OCI runtime given by path is assumed to do: what runc does. */
#define OCI_RUNTIME                                                                                \
	.pivot_root = true, .changes_root = true, .private_mounts = true, .mounts_proc = true,     \
	.drops_caps = true, .lo_up = true, .oci = true, .build_argv = build_oci
#define HH_RUNTIME                                                                                 \
	.program = "hull", .built = true, .ns_choosable = HULL_NS_ALL, .pivot_root = true,         \
	.changes_root = true, .private_mounts = true, .mounts_proc = true, .lo_up = true

static const struct hh_runtime_info builtin[] = {
	{ .name = "bare",
	  .what = "fork+exec of the probe on the host, no isolation (the floor of floors)",
	  .changes_root = false,
	  .build_argv = build_bare },
	{ .name = "hull",
	  .what = "hull run (build/bin/hull)",
	  HH_RUNTIME,
	  .root_choosable = true,
	  .build_argv = build_hull },
	{ .name = "hull-privileged",
	  .what = "hull run --privileged: no security profile (the floor's work)",
	  HH_RUNTIME,
	  .bench_only = true,
	  .options = opts_privileged,
	  .build_argv = build_hull },
	{ .name = "hull-limits",
	  .what = "hull run --memory 1g --pids 4096 --cpus 1: a cgroup per container",
	  HH_RUNTIME,
	  .drops_caps = true,
	  .bench_only = true,
	  .options = opts_limits,
	  .build_argv = build_hull },
	{ .name = "hull-pool",
	  .what = "hull run --pool: a slot prepared before the request (mnt and pid needed), "
		  "asked by hull-pool-run (musl) where built",
	  HH_RUNTIME,
	  .root_choosable = false,
	  .ns_required = CLONE_NEWNS | CLONE_NEWPID,
	  .drops_caps = true,
	  .bench_only = true,
	  .build_argv = build_hull_pool,
	  .setup = hh_setup_hull_pool,
	  .teardown = hh_teardown_hull_pool },
	{ .name = "hull-pool-limits",
	  .what = "hull run --pool, its slots with hull-limits' cgroup limits, "
		  "asked by hull-pool-run (musl) where built",
	  HH_RUNTIME,
	  .root_choosable = false,
	  .ns_required = CLONE_NEWNS | CLONE_NEWPID,
	  .drops_caps = true,
	  .bench_only = true,
	  .options = opts_limits,
	  .build_argv = build_hull_pool,
	  .setup = hh_setup_hull_pool,
	  .teardown = hh_teardown_hull_pool },
	{ .name = "seed",
	  .what = "the tutorial: fork, unshare(mnt|uts), chroot, mount proc, exec",
	  .program = "hull-seed",
	  .built = true,
	  .ns_always = CLONE_NEWNS | CLONE_NEWUTS,
	  .changes_root = true,
	  .mounts_proc = true,
	  .build_argv = build_seed },
	{ .name = "floor",
	  .what = "raw syscalls only (build/bin/hull-floor), the kernel's price",
	  .program = "hull-floor",
	  .built = true,
	  .ns_choosable = HULL_NS_ALL,
	  .root_choosable = true,
	  .pivot_root = true,
	  .changes_root = true,
	  .private_mounts = true,
	  .mounts_proc = true,
	  .build_argv = build_floor },
	{ .name = "unshare",
	  .what = "util-linux unshare --fork --mount-proc --root",
	  .program = "unshare",
	  .ns_choosable = HULL_NS_ALL,
	  .changes_root = true,
	  .private_mounts = true,
	  .mounts_proc = true,
	  .rootless_ok = true,
	  .build_argv = build_unshare },
	{ .name = "bwrap",
	  .what = "bubblewrap --bind ROOTFS / --proc /proc --dev /dev",
	  .program = "bwrap",
	  .ns_choosable = NS_BWRAP,
	  .ns_always = CLONE_NEWNS,
	  .pivot_root = true,
	  .lo_up = true,
	  .changes_root = true,
	  .private_mounts = true,
	  .mounts_proc = true,
	  .rootless_ok = true,
	  .build_argv = build_bwrap },
	{ .name = "crun",
	  .what = "crun run, OCI bundle, --cgroup-manager=disabled",
	  .program = "crun",
	  OCI_RUNTIME,
	  .ns_choosable = HULL_NS_ALL,
	  .cgroup_v1_only = true,
	  .options = opts_crun },
	{ .name = "crun-cgroupfs",
	  .what = "crun run, OCI bundle, --cgroup-manager=cgroupfs",
	  .program = "crun",
	  OCI_RUNTIME,
	  .ns_choosable = HULL_NS_ALL,
	  .cgroup_v1_only = true,
	  .options = opts_crun_cgroupfs },
	{ .name = "hull-oci",
	  .what = "hull run --bundle, the OCI bundle crun and runc get",
	  .program = "hull",
	  .built = true,
	  OCI_RUNTIME,
	  .ns_choosable = HULL_NS_ALL,
	  .bench_only = true },
	/* runc 1.1 knows no time namespace ("namespace time does not exist"). */
	{ .name = "runc",
	  .what = "runc run, OCI bundle",
	  .program = "runc",
	  OCI_RUNTIME,
	  .ns_choosable = HULL_NS_ALL & ~CLONE_NEWTIME },
};
#define N_BUILTIN (sizeof(builtin) / sizeof(builtin[0]))

/* ---- oci:PATH runtimes --------------------------------------------------- */

struct oci_runtime {
	struct hh_runtime_info info;
	char spec[512]; /* as given: oci:PATH,... */
	char name[128]; /* name=, or oci:BASENAME */
	char path[PATH_MAX];
	char what[PATH_MAX + 64];
	char args_buf[256];
	const char *args[17];
};

static struct oci_runtime oci_runtimes[MAX_OCI_RUNTIMES];
static size_t n_oci;
static pthread_mutex_t oci_lock = PTHREAD_MUTEX_INITIALIZER;

size_t hh_runtime_count(void)
{
	pthread_mutex_lock(&oci_lock);
	size_t n = N_BUILTIN + n_oci;
	pthread_mutex_unlock(&oci_lock);
	return n;
}

const struct hh_runtime_info *hh_runtime_at(size_t i)
{
	if (i < N_BUILTIN)
		return &builtin[i];
	pthread_mutex_lock(&oci_lock);
	const struct hh_runtime_info *rt =
		i - N_BUILTIN < n_oci ? &oci_runtimes[i - N_BUILTIN].info : NULL;
	pthread_mutex_unlock(&oci_lock);
	return rt;
}

/* oci:PATH[,name=NAME][,args=OPT OPT...][,ns=NS+NS...][,env=v1] into r;
 * false if malformed. */
static bool parse_oci_spec(const char *spec, struct oci_runtime *r)
{
	char buf[512];
	char *save = NULL;

	memset(r, 0, sizeof(*r));
	if (strncmp(spec, "oci:", 4) != 0 || strlen(spec) >= sizeof(buf))
		return false;
	hh_scopy(r->spec, sizeof(r->spec), spec);
	hh_scopy(buf, sizeof(buf), spec + 4);
	char *path = strtok_r(buf, ",", &save);
	if (!path || path[0] != '/')
		return false;
	hh_scopy(r->path, sizeof(r->path), path);
	const char *base = strrchr(r->path, '/') + 1;
	snprintf(r->name, sizeof(r->name), "oci:%s", base);
	r->info = (struct hh_runtime_info){ .program = r->path,
					    .ns_choosable = HULL_NS_ALL,
					    OCI_RUNTIME };
	for (char *kv = strtok_r(NULL, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		if (strncmp(kv, "name=", 5) == 0 && kv[5]) {
			hh_scopy(r->name, sizeof(r->name), kv + 5);
		} else if (strncmp(kv, "args=", 5) == 0) {
			char *asave = NULL;
			size_t n = 0;
			hh_scopy(r->args_buf, sizeof(r->args_buf), kv + 5);
			for (char *o = strtok_r(r->args_buf, " ", &asave); o;
			     o = strtok_r(NULL, " ", &asave)) {
				if (n == sizeof(r->args) / sizeof(r->args[0]) - 1)
					return false;
				r->args[n++] = o;
			}
			r->info.options = r->args;
		} else if (strncmp(kv, "ns=", 3) == 0) {
			/* The namespaces it can create, '+'-separated (runc 1.1
			 * has no time namespace): ns=mnt+uts+pid+ipc+net. */
			char list[128];
			uint64_t ns;
			hh_scopy(list, sizeof(list), kv + 3);
			for (char *c = list; *c; c++)
				if (*c == '+')
					*c = ',';
			if (hull_ns_parse_list(list, &ns, NULL) < 0)
				return false;
			r->info.ns_choosable = ns;
		} else if (strcmp(kv, "env=v1") == 0) {
			r->info.cgroup_v1_only = true;
		} else {
			return false;
		}
	}
	snprintf(r->what, sizeof(r->what), "%s run, OCI bundle (given by path)", r->path);
	r->info.name = r->name;
	r->info.what = r->what;
	return true;
}

static const struct hh_runtime_info *register_oci(const char *spec)
{
	const struct hh_runtime_info *rt = NULL;

	pthread_mutex_lock(&oci_lock);
	for (size_t i = 0; i < n_oci && !rt; i++)
		if (strcmp(oci_runtimes[i].spec, spec) == 0)
			rt = &oci_runtimes[i].info;
	/* Parsed in place into the next free slot, taken only when valid and
	 * its name is new. */
	struct oci_runtime *r = &oci_runtimes[n_oci];
	if (!rt && n_oci < MAX_OCI_RUNTIMES && parse_oci_spec(spec, r)) {
		bool taken = false;
		for (size_t i = 0; i < N_BUILTIN; i++)
			taken |= strcmp(builtin[i].name, r->name) == 0;
		for (size_t i = 0; i < n_oci; i++)
			taken |= strcmp(oci_runtimes[i].name, r->name) == 0;
		if (!taken) {
			n_oci++;
			rt = &r->info;
		}
	}
	pthread_mutex_unlock(&oci_lock);
	return rt;
}

const struct hh_runtime_info *hh_runtime_lookup(const char *name)
{
	if (!name)
		return NULL;
	if (strncmp(name, "oci:", 4) == 0 && strchr(name, '/'))
		return register_oci(name);
	size_t n = hh_runtime_count();
	for (size_t i = 0; i < n; i++) {
		const struct hh_runtime_info *rt = hh_runtime_at(i);
		if (rt && strcmp(rt->name, name) == 0)
			return rt;
	}
	return NULL;
}

bool hh_runtime_list_next(const char **p, char *buf, size_t len)
{
	const char *s = *p;
	size_t w;

	while (*s == ',')
		s++;
	if (!*s)
		return false;
	w = strcspn(s, ",");
	if (strncmp(s, "oci:", 4) == 0)
		/* key=value parts after an oci: spec belong to it. */
		while (s[w] == ',' &&
		       (strncmp(s + w + 1, "name=", 5) == 0 ||
			strncmp(s + w + 1, "args=", 5) == 0 || strncmp(s + w + 1, "ns=", 3) == 0 ||
			strncmp(s + w + 1, "env=", 4) == 0))
			w += 1 + strcspn(s + w + 1, ",");
	snprintf(buf, len, "%.*s", (int)w, s);
	*p = s + w;
	return true;
}

const char *hh_runtime_started(const struct hh_runtime_info *rt)
{
	if (!rt->program)
		return "the container's program itself, spawned directly by the harness "
		       "(posix_spawn)";
	return hh_env_describe(rt->cgroup_v1_only && hh_host_is_hybrid() ? HH_ENV_CGROUP_V1
									 : HH_ENV_HOST);
}

uint64_t hh_launch_effective_ns(const struct hh_runtime_info *rt, uint64_t ns_flags)
{
	return (ns_flags & rt->ns_choosable) | rt->ns_always;
}

bool hh_launch_uses_pivot(const struct hh_runtime_info *rt, uint64_t ns_effective, bool chroot)
{
	if (rt->root_choosable)
		return !chroot && (ns_effective & CLONE_NEWNS);
	return rt->pivot_root && (ns_effective & CLONE_NEWNS);
}

/* ---- finding programs ------------------------------------------------- */

char *hh_runtime_program(const struct hh_runtime_info *rt, const char *bin_dir, char *why,
			 size_t len)
{
	char path[PATH_MAX];

	if (!rt->program) {
		if (why)
			snprintf(why, len, "runtime '%s' has no program", rt->name);
		return NULL;
	}
	if (rt->program[0] == '/') {
		if (hh_is_executable(rt->program))
			return strdup(rt->program);
		if (why)
			snprintf(why, len, "'%s' is not an executable file", rt->program);
		return NULL;
	}
	if (!rt->built) {
		char *p = hh_find_in_path(rt->program);
		if (!p && why)
			snprintf(why, len, "%s is not installed (make deps)", rt->program);
		return p;
	}
	const char *dir = bin_dir ? bin_dir : hh_self_dir();
	if (hh_pathf(path, sizeof(path), "%s/%s", dir ? dir : ".", rt->program) &&
	    hh_is_executable(path))
		return strdup(path);
	if (why)
		snprintf(why, len, "'%s' is not built", path);
	return NULL;
}

bool hh_runtime_available(const char *name, char *why, size_t len)
{
	const struct hh_runtime_info *rt = hh_runtime_lookup(name);

	if (why && len)
		why[0] = '\0';
	if (!rt) {
		if (why)
			snprintf(why, len, "unknown runtime '%s'", name ? name : "");
		return false;
	}
	if (!rt->program)
		return true;
	if (geteuid() != 0 && !rt->rootless_ok) {
		/* hull (for now), seed, floor, crun and runc need root; bwrap and
		 * unshare(1) may manage with a user namespace. */
		if (why)
			snprintf(why, len, "%s needs root", rt->name);
		return false;
	}
	char *p = hh_runtime_program(rt, NULL, why, len);
	free(p);
	return p != NULL;
}
