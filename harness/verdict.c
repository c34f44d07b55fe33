/* verdict.c — judging the probe's view against the host's, and the rules
 * of what to expect; see verdict.h. */
#include "verdict.h"
#include "ns.h"

#include <errno.h>
#include <json-c/json.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const hh_prop_names[HH_PROP_COUNT] = {
	[HH_PROP_HOSTNAME] = "hostname",
	[HH_PROP_PID] = "pid",
	[HH_PROP_MOUNTS] = "mounts",
	[HH_PROP_ROOT] = "root",
	[HH_PROP_PROPAGATION] = "propagation",
	[HH_PROP_NET] = "net",
	[HH_PROP_IPC] = "ipc",
	[HH_PROP_USER] = "user",
	[HH_PROP_CGROUP] = "cgroup",
	[HH_PROP_TIME] = "time",
	[HH_PROP_CHROOT_ESCAPE] = "chroot_escape",
	[HH_PROP_LO] = "lo",
};

static const char *const verdict_names[] = { "isolated", "shared", "error" };

const char *hh_verdict_name(enum hh_verdict v)
{
	return (unsigned)v < 3 ? verdict_names[v] : "error";
}

int hh_prop_by_name(const char *name)
{
	for (int i = 0; name && i < HH_PROP_COUNT; i++)
		if (strcmp(hh_prop_names[i], name) == 0)
			return i;
	return -1;
}

int hh_verdict_by_name(const char *name)
{
	for (int i = 0; name && i < 3; i++)
		if (strcmp(verdict_names[i], name) == 0)
			return i;
	return -1;
}

void hh_host_read_ns(struct hh_ns_id ns[8])
{
	for (size_t i = 0; i < 8; i++) {
		char path[64];
		struct stat st;
		ns[i].ok = false;
		if (i >= hull_ns_count)
			continue;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", hull_ns_table[i].proc_name);
		if (stat(path, &st) == 0) {
			ns[i].ok = true;
			ns[i].dev = st.st_dev;
			ns[i].ino = st.st_ino;
		}
	}
}

/* ---- reading the probe's JSON ----------------------------------------- */

static json_object *get(json_object *o, const char *path)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, k, &o))
			return NULL;
	return o;
}

static bool get_bool(json_object *o, const char *path)
{
	json_object *v = get(o, path);
	return v && json_object_get_boolean(v);
}

static int64_t get_int(json_object *o, const char *path, int64_t dflt)
{
	json_object *v = get(o, path);
	return v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : dflt;
}

static const char *get_str(json_object *o, const char *path, const char *dflt)
{
	json_object *v = get(o, path);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : dflt;
}

static void set(struct hh_judgement *j, enum hh_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set(struct hh_judgement *j, enum hh_verdict v, const char *fmt, ...)
{
	va_list ap;
	j->verdict = v;
	va_start(ap, fmt);
	vsnprintf(j->detail, sizeof(j->detail), fmt, ap);
	va_end(ap);
}

/* First line of s, at most n bytes, for details. */
static const char *first_line(const char *s, char *buf, size_t n)
{
	size_t len = s ? strcspn(s, "\n") : 0;
	if (len >= n)
		len = n - 1;
	if (s)
		memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

/* Runs of blanks to one space: /proc's column padding reads badly inline. */
static void squeeze(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++)
		if (!(*r == ' ' && w > s && w[-1] == ' '))
			*w++ = *r;
	*w = '\0';
}

enum ns_cmp { NS_SAME, NS_OWN, NS_UNKNOWN };

static enum ns_cmp compare_ns(json_object *probe, const struct hh_host_view *host, int idx,
			      uint64_t *ino)
{
	char path[32];
	snprintf(path, sizeof(path), "ns.%s", hull_ns_table[idx].name);
	json_object *n = get(probe, path);
	*ino = 0;
	if (!n || !json_object_is_type(n, json_type_object) || !host->ns[idx].ok)
		return NS_UNKNOWN;
	*ino = (uint64_t)get_int(n, "ino", 0);
	uint64_t dev = (uint64_t)get_int(n, "dev", 0);
	return dev == host->ns[idx].dev && *ino == host->ns[idx].ino ? NS_SAME : NS_OWN;
}

/* The common shape: the namespace decides, `what` says what was seen. */
static void judge_ns(struct hh_judgement *j, json_object *probe, const struct hh_host_view *host,
		     int idx, const char *what)
{
	uint64_t ino;
	const char *name = hull_ns_table[idx].name;

	switch (compare_ns(probe, host, idx, &ino)) {
	case NS_OWN:
		set(j, HH_ISOLATED, "own %s ns %llu (host %llu); %s", name, (unsigned long long)ino,
		    (unsigned long long)host->ns[idx].ino, what);
		break;
	case NS_SAME:
		set(j, HH_SHARED, "host's %s ns %llu; %s", name, (unsigned long long)ino, what);
		break;
	default:
		set(j, HH_ERROR, "%s ns identity not readable (no pidfd ns ioctl, no /proc); %s",
		    name, what);
	}
}

static int ns_index(uint64_t flag)
{
	for (size_t i = 0; i < hull_ns_count; i++)
		if (hull_ns_table[i].flag == flag)
			return (int)i;
	return 0;
}

/* lo: the probe's connect to a listener it opened on 127.0.0.1 inside.
 * Works: the net namespace says whose loopback it is. Fails: no usable
 * loopback, whatever the namespace (lo down in a fresh net ns). */
static void judge_lo(struct hh_judgement *j, json_object *probe, const struct hh_host_view *host)
{
	json_object *ifs = get(probe, "ifaces");
	const char *state = "absent";
	char what[160];

	for (size_t i = 0; ifs && i < json_object_array_length(ifs); i++) {
		json_object *iface = json_object_array_get_idx(ifs, i);
		if (strcmp(get_str(iface, "name", ""), "lo") == 0)
			state = get_bool(iface, "up") ? "up" : "down";
	}
	if (!get(probe, "lo")) {
		set(j, HH_ERROR, "the probe made no loopback check (lo %s)", state);
		return;
	}
	if (!get_bool(probe, "lo.ok")) {
		set(j, HH_ERROR, "no usable loopback: lo %s; listener on 127.0.0.1 inside: %s",
		    state, get_str(probe, "lo.errno", "?"));
		return;
	}
	snprintf(what, sizeof(what), "lo %s; connected to its own 127.0.0.1:%lld listener", state,
		 (long long)get_int(probe, "lo.port", 0));
	judge_ns(j, probe, host, ns_index(CLONE_NEWNET), what);
}

int hh_judge(const char *probe_json, const struct hh_host_view *host,
	     struct hh_judgement out[HH_PROP_COUNT], struct hull_err *err)
{
	enum json_tokener_error jerr = json_tokener_success;
	json_object *p = probe_json ? json_tokener_parse_verbose(probe_json, &jerr) : NULL;
	char what[200], line[120];
	uint64_t ino;

	if (!p || !json_object_is_type(p, json_type_object) || !get(p, "t_entry_ns") ||
	    !get(p, "ns")) {
		for (int i = 0; i < HH_PROP_COUNT; i++)
			set(&out[i], HH_ERROR, "no probe output");
		if (p)
			json_object_put(p);
		return hull_fail(err, 0, "probe output is not its JSON: %s",
				 jerr != json_tokener_success ? json_tokener_error_desc(jerr)
							      : "fields missing");
	}

	/* hostname */
	const char *hn = get_str(p, "hostname", "?");
	snprintf(what, sizeof(what), "hostname '%s' (host '%s')", hn, host->hostname);
	judge_ns(&out[HH_PROP_HOSTNAME], p, host, ns_index(CLONE_NEWUTS), what);

	/* pid */
	if (get_bool(p, "proc.mounted"))
		snprintf(what, sizeof(what), "pid %lld, /proc lists %lld pids",
			 (long long)get_int(p, "pid", -1),
			 (long long)get_int(p, "proc.n_pids", -1));
	else
		snprintf(what, sizeof(what), "pid %lld, no /proc",
			 (long long)get_int(p, "pid", -1));
	judge_ns(&out[HH_PROP_PID], p, host, ns_index(CLONE_NEWPID), what);

	/* mounts */
	if (get_bool(p, "mounts.readable"))
		snprintf(what, sizeof(what), "%lld mounts visible",
			 (long long)get_int(p, "mounts.n", 0));
	else
		snprintf(what, sizeof(what), "mountinfo not readable");
	judge_ns(&out[HH_PROP_MOUNTS], p, host, ns_index(CLONE_NEWNS), what);

	/* root: the host's files are not where the host has them */
	if (!host->marker)
		set(&out[HH_PROP_ROOT], HH_ERROR, "no host marker given");
	else if (get_bool(p, "marker.reachable"))
		set(&out[HH_PROP_ROOT], HH_SHARED, "host marker '%s' reachable", host->marker);
	else if (!get_bool(p, "root.rootfs_marker"))
		set(&out[HH_PROP_ROOT], HH_ERROR, "/ is neither the host's nor the rootfs (%s)",
		    "no /etc/hull-rootfs");
	else
		set(&out[HH_PROP_ROOT], HH_ISOLATED, "/ is the rootfs; host marker: %s",
		    get_str(p, "marker.errno", "?"));

	/* propagation: judged on the host after the run */
	if (host->mount_seen)
		set(&out[HH_PROP_PROPAGATION], HH_SHARED,
		    "mount made inside appeared on the host at '%s'", host->mount_seen_at);
	else if (host->new_host_mounts > 0)
		set(&out[HH_PROP_PROPAGATION], HH_SHARED,
		    "%d new host mount(s) under the rootfs, e.g. '%s'", host->new_host_mounts,
		    host->new_host_mount);
	else if (!get_str(p, "mount_test.name", NULL))
		set(&out[HH_PROP_PROPAGATION], HH_ERROR, "no mount test requested");
	else if (get_bool(p, "mount_test.ok"))
		set(&out[HH_PROP_PROPAGATION], HH_ISOLATED,
		    "tmpfs mounted inside on '%s' stayed inside",
		    get_str(p, "mount_test.dir", "?"));
	else
		set(&out[HH_PROP_PROPAGATION], HH_ISOLATED,
		    "cannot mount inside (%s); nothing reached the host",
		    get_str(p, "mount_test.errno", "?"));

	/* net: own namespace, and the host's loopback port out of reach */
	json_object *ifs = get(p, "ifaces");
	char names[128] = "";
	for (size_t i = 0; ifs && i < json_object_array_length(ifs) && i < 6; i++) {
		json_object *iface = json_object_array_get_idx(ifs, i);
		const char *n = get_str(iface, "name", "?");
		size_t used = strlen(names);
		/* up or down: crun, runc and hull bring lo up in a new namespace */
		snprintf(names + used, sizeof(names) - used, "%s%s(%s)", used ? "," : "", n,
			 get_bool(iface, "up") ? "up" : "down");
	}
	bool connected = get_bool(p, "connect.ok");
	snprintf(what, sizeof(what), "interfaces %s; host port %d: %s", names[0] ? names : "none",
		 host->port, connected ? "connected" : get_str(p, "connect.errno", "?"));
	judge_ns(&out[HH_PROP_NET], p, host, ns_index(CLONE_NEWNET), what);
	if (connected && out[HH_PROP_NET].verdict != HH_SHARED)
		set(&out[HH_PROP_NET], HH_SHARED, "reached the host's 127.0.0.1:%d", host->port);

	/* ipc: own namespace, and the host's shm segment and mqueue invisible */
	bool shm = get_bool(p, "shm.exists"), mq = get_bool(p, "mqueue.exists");
	snprintf(what, sizeof(what), "host shm %s, host mqueue %s", shm ? "visible" : "invisible",
		 mq ? "visible" : "invisible");
	judge_ns(&out[HH_PROP_IPC], p, host, ns_index(CLONE_NEWIPC), what);
	if ((shm || mq) && out[HH_PROP_IPC].verdict != HH_SHARED)
		set(&out[HH_PROP_IPC], HH_SHARED, "%s", what);

	/* user */
	const char *map = get_str(p, "uid_map", NULL);
	char mapbuf[64];
	if (map) {
		/* "         0          0          1" -> "0 0 1" */
		unsigned long a = 0, b = 0, c = 0;
		if (sscanf(map, "%lu %lu %lu", &a, &b, &c) == 3)
			snprintf(mapbuf, sizeof(mapbuf), "%lu %lu %lu", a, b, c);
		else
			first_line(map, mapbuf, sizeof(mapbuf));
	}
	snprintf(what, sizeof(what), "uid %lld, uid_map %s", (long long)get_int(p, "uid", -1),
		 map ? mapbuf : "unreadable");
	judge_ns(&out[HH_PROP_USER], p, host, ns_index(CLONE_NEWUSER), what);

	/* cgroup */
	const char *cg = get_str(p, "cgroup", NULL);
	const char *last = cg;
	if (cg) {
		/* The cgroup2 line "0::/path" says the most; it is the last one. */
		const char *z = strstr(cg, "0::");
		if (z)
			last = z;
	}
	snprintf(what, sizeof(what), "%s",
		 cg ? first_line(last, line, sizeof(line)) : "/proc/self/cgroup unreadable");
	judge_ns(&out[HH_PROP_CGROUP], p, host, ns_index(CLONE_NEWCGROUP), what);
	/* The view: in a cgroup namespace of its own, the container's cgroup is
	 * the root of every hierarchy it sees. A path other than "/" means the
	 * namespace was made before the container was put in its cgroup, and
	 * the host's hierarchy above it shows through. */
	if (cg && out[HH_PROP_CGROUP].verdict == HH_ISOLATED) {
		for (const char *l = cg; *l;) {
			const char *nl = strchr(l, '\n');
			size_t n = nl ? (size_t)(nl - l) : strlen(l);
			if (n >= 2 && !(l[n - 1] == '/' && l[n - 2] == ':')) {
				set(&out[HH_PROP_CGROUP], HH_SHARED,
				    "own cgroup ns, but not rooted at its cgroup: '%.*s'", (int)n,
				    l);
				break;
			}
			l += n + (nl ? 1 : 0);
		}
	}

	/* time */
	const char *off = get_str(p, "timens_offsets", NULL);
	snprintf(what, sizeof(what), "offsets %s",
		 off ? first_line(off, line, sizeof(line)) : "unreadable");
	squeeze(what);
	judge_ns(&out[HH_PROP_TIME], p, host, ns_index(CLONE_NEWTIME), what);

	/* chroot_escape */
	if (!get_bool(p, "escape.attempted"))
		set(&out[HH_PROP_CHROOT_ESCAPE], HH_ERROR, "escape not attempted");
	else if (get_bool(p, "escape.escaped"))
		set(&out[HH_PROP_CHROOT_ESCAPE], HH_SHARED,
		    "chroot+chdir(\"..\") escape reached the host's root");
	else if (get_bool(p, "marker.via_proc_root"))
		set(&out[HH_PROP_CHROOT_ESCAPE], HH_SHARED,
		    "host root reachable through /proc/%lld/root (%s)",
		    (long long)get_int(p, "marker.proc_root_pid", 0),
		    get_str(p, "marker.proc_root_comm", "?"));
	else if (!get_bool(p, "escape.chroot"))
		set(&out[HH_PROP_CHROOT_ESCAPE], HH_ISOLATED, "chroot refused (%s)",
		    get_str(p, "escape.errno", "?"));
	else
		set(&out[HH_PROP_CHROOT_ESCAPE], HH_ISOLATED,
		    "chroot escape stayed in the rootfs; /proc/<pid>/root: %s",
		    get_str(p, "marker.proc_root_errno", "?"));

	judge_lo(&out[HH_PROP_LO], p, host);

	(void)ino;
	json_object_put(p);
	return 0;
}

/* ---- the rules ---------------------------------------------------------- */

static enum hh_verdict iff(bool isolated)
{
	return isolated ? HH_ISOLATED : HH_SHARED;
}

static enum hh_verdict e_uts(const struct hh_expect_ctx *c)
{
	return iff(c->ns & CLONE_NEWUTS);
}
static enum hh_verdict e_pid(const struct hh_expect_ctx *c)
{
	return iff(c->ns & CLONE_NEWPID);
}
static enum hh_verdict e_mnt(const struct hh_expect_ctx *c)
{
	return iff(c->ns & CLONE_NEWNS);
}
static enum hh_verdict e_net(const struct hh_expect_ctx *c)
{
	return iff(c->ns & CLONE_NEWNET);
}
static enum hh_verdict e_ipc(const struct hh_expect_ctx *c)
{
	return iff(c->ns & CLONE_NEWIPC);
}
static enum hh_verdict e_user(const struct hh_expect_ctx *c)
{
	return iff(c->ns & CLONE_NEWUSER);
}
static enum hh_verdict e_cgroup(const struct hh_expect_ctx *c)
{
	return iff(c->ns & CLONE_NEWCGROUP);
}
static enum hh_verdict e_time(const struct hh_expect_ctx *c)
{
	return iff(c->ns & CLONE_NEWTIME);
}

/* No net ns: the host's lo. A new one starts with lo down; crun, runc,
 * bwrap and hull bring it up, unshare(1), the seed and the floor do not. */
static enum hh_verdict e_lo(const struct hh_expect_ctx *c)
{
	if (!(c->ns & CLONE_NEWNET))
		return HH_SHARED;
	return c->rt->lo_up ? HH_ISOLATED : HH_ERROR;
}

static enum hh_verdict e_root(const struct hh_expect_ctx *c)
{
	return iff(c->rt->changes_root);
}

#define CAP_BIT(n)	(1ULL << (n))
#define CAP_SYS_CHROOT_ 18
#define CAP_SYS_ADMIN_	21

static bool has_cap(const struct hh_expect_ctx *c, int cap)
{
	if (c->caps_known)
		return (c->caps_eff & CAP_BIT(cap)) != 0;
	/* Runtimes that drop privileges keep docker's set: CAP_SYS_CHROOT
	 * but neither CAP_SYS_ADMIN nor CAP_SYS_PTRACE. */
	return !c->rt->drops_caps || cap == CAP_SYS_CHROOT_;
}

/* A mount made inside reaches the host when the container may mount in the
 * host's mount namespace (no mnt ns, CAP_SYS_ADMIN, no user ns), or when
 * its own mount ns was left shared with a shared host mount. */
static enum hh_verdict e_propagation(const struct hh_expect_ctx *c)
{
	if (!(c->ns & CLONE_NEWNS))
		return iff((c->ns & CLONE_NEWUSER) || !has_cap(c, CAP_SYS_ADMIN_));
	if (c->rt->private_mounts)
		return HH_ISOLATED;
	return iff(!c->rootfs_shared);
}

/* Out of the root: chroot is escaped by a process with CAP_SYS_CHROOT,
 * pivot_root with the old root detached is not. And whatever the root
 * switch, a /proc of the host's pid namespace leads out through
 * /proc/<pid>/root of any host process the container may ptrace-read: with
 * no user ns, container root may read every root process whose
 * capabilities are a subset of its own, and a host always has some (the
 * verifier plants one, as bwrap's monitor is one). */
static enum hh_verdict e_escape(const struct hh_expect_ctx *c)
{
	bool host_proc = !(c->ns & CLONE_NEWPID) && (c->ns & CLONE_NEWNS) && c->rt->mounts_proc;

	if (!c->rt->changes_root)
		return HH_SHARED;
	if (!c->pivot)
		return iff(!has_cap(c, CAP_SYS_CHROOT_));
	return iff(!(host_proc && !(c->ns & CLONE_NEWUSER)));
}

int hh_probe_caps(const char *probe_json, uint64_t *eff)
{
	json_object *p = probe_json ? json_tokener_parse(probe_json) : NULL;
	const char *hex = p ? get_str(p, "caps.eff", NULL) : NULL;
	int ret = -1;
	char *end;

	if (hex) {
		*eff = strtoull(hex, &end, 16);
		ret = *end ? -1 : 0;
	}
	if (p)
		json_object_put(p);
	return ret;
}

const struct hh_rule hh_rules[HH_PROP_COUNT] = {
	{ HH_PROP_HOSTNAME, "isolated iff uts", e_uts },
	{ HH_PROP_PID, "isolated iff pid", e_pid },
	{ HH_PROP_MOUNTS, "isolated iff mnt", e_mnt },
	{ HH_PROP_ROOT, "isolated iff the runtime changes root (all but bare)", e_root },
	{ HH_PROP_PROPAGATION,
	  "with mnt: isolated iff the runtime makes mounts private (or the rootfs's host mount is "
	  "not shared); without mnt: isolated iff user or no CAP_SYS_ADMIN (cannot mount)",
	  e_propagation },
	{ HH_PROP_NET, "isolated iff net", e_net },
	{ HH_PROP_IPC, "isolated iff ipc", e_ipc },
	{ HH_PROP_USER, "isolated iff user", e_user },
	{ HH_PROP_CGROUP, "isolated iff cgroup", e_cgroup },
	{ HH_PROP_TIME, "isolated iff time", e_time },
	{ HH_PROP_CHROOT_ESCAPE,
	  "chroot: isolated iff no CAP_SYS_CHROOT; pivot_root: isolated unless /proc shows host "
	  "processes (mnt without pid) and there is no user ns (root reads a capability-less "
	  "root process's /proc/<pid>/root); no root switch (bare): shared",
	  e_escape },
	{ HH_PROP_LO,
	  "a listener on 127.0.0.1 inside answers: with net, isolated iff the runtime brings lo up "
	  "(hull, crun, runc, bwrap), else error (unshare, seed, floor: lo stays down); without "
	  "net: shared (the host's lo)",
	  e_lo },
};

enum hh_verdict hh_expected(enum hh_prop prop, const struct hh_expect_ctx *ctx)
{
	if ((unsigned)prop >= HH_PROP_COUNT)
		return HH_ERROR;
	return hh_rules[prop].expect(ctx);
}

bool hh_expect_start(const struct hh_expect_ctx *ctx, char *why, size_t len)
{
	const char *reason = NULL;
	bool is_hull = strcmp(ctx->rt->name, "hull") == 0 || strcmp(ctx->rt->name, "floor") == 0;

	/* proc may only be mounted by a process privileged over the pid ns's
	 * owning user ns: from a new user ns into the host's pid ns it is
	 * EPERM, and hull does not fall back to binding the host's /proc. */
	if (is_hull && (ctx->ns & CLONE_NEWNS) && (ctx->ns & CLONE_NEWUSER) &&
	    !(ctx->ns & CLONE_NEWPID))
		reason = "a new user ns cannot mount /proc for the host's pid ns";
	if ((ctx->ns & ctx->rt->ns_required) != ctx->rt->ns_required)
		reason = "a pool needs mnt and pid namespaces (hull pool start refuses)";
	if (why && len)
		snprintf(why, len, "%s", reason ? reason : "");
	return reason == NULL;
}
