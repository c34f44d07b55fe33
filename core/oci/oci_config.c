/* oci_config.c — config.json: the top level, process, root, hostname and
 * mounts; the linux section is in oci_linux.c. See oci_config.h. */
#include "oci_config.h"
#include "oci_json.h"
#include "mounts.h"
#include "settings.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

/* ---- process -------------------------------------------------------- */

static int parse_caps(struct oci_ctx *c, json_object *list, const char *field, hull_capset *out)
{
	*out = 0;
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *v = json_object_array_get_idx(list, i);
		if (!json_object_is_type(v, json_type_string))
			return hull_oci_invalid(c, field, "an array of capability names");
		struct hull_err e;
		if (hull_caps_edit(out, json_object_get_string(v), 1, &e) < 0)
			return hull_fail(c->err, 0, "unknown capability '%s' in '%s' of '%s'",
					 json_object_get_string(v), field, c->file);
	}
	return 0;
}

/* hull has one capability set: the bounding set, which root also gets as
 * its effective, permitted and inheritable sets (and as much of it as the
 * config asks for as ambient), and a non-root user gets none of. Other
 * combinations are refused. */
static int parse_capabilities(struct oci_ctx *c, json_object *o, struct hull_spec *spec)
{
	static const char *const known[] = { "bounding",    "effective", "permitted",
					     "inheritable", "ambient",	 NULL };
	static const char *const sets[] = { "effective", "permitted", "inheritable", "ambient" };
	json_object *list;
	hull_capset bounding, set;
	int ret;
	bool root = !spec->user.set || spec->user.uid == 0;

	spec->caps = 0;
	if (!o)
		return 0;
	if ((ret = hull_oci_check_keys(c, o, "process.capabilities", known)) < 0 ||
	    (ret = hull_oci_get(c, o, "bounding", json_type_array, "process.capabilities.bounding",
				&list)) < 0 ||
	    (ret = parse_caps(c, list, "process.capabilities.bounding", &bounding)) < 0)
		return ret;
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		char field[64];
		snprintf(field, sizeof(field), "process.capabilities.%s", sets[i]);
		if ((ret = hull_oci_get(c, o, sets[i], json_type_array, field, &list)) < 0 ||
		    (ret = parse_caps(c, list, field, &set)) < 0)
			return ret;
		bool exact = i < 2; /* effective, permitted: all of bounding */
		/* A non-root user keeps the bounding set across the uid switch
		 * when effective or permitted ask for it (as runc does), or gets
		 * none. */
		bool ok = exact ? (!list || set == bounding || (!root && set == 0))
				: (set & ~bounding) == 0;
		if (!root && exact && set && set == bounding)
			spec->user_keeps_caps = true;
		if (!ok)
			return hull_fail(c->err, 0,
					 "unsupported field '%s' in '%s': hull gives the "
					 "bounding set as the effective and permitted sets "
					 "(a non-root user: all of it or none)",
					 field, c->file);
		if (strcmp(sets[i], "ambient") == 0)
			spec->ambient = set;
	}
	if (!root && !spec->user_keeps_caps && spec->ambient)
		return hull_fail(c->err, 0,
				 "unsupported field 'process.capabilities.ambient' in '%s': a "
				 "non-root user without effective capabilities gets none",
				 c->file);
	spec->caps = bounding;
	return 0;
}

static int parse_rlimits(struct oci_ctx *c, json_object *list, struct hull_spec *spec)
{
	static const char *const known[] = { "type", "soft", "hard", NULL };
	size_t n = list ? json_object_array_length(list) : 0;
	char field[64];
	int ret;

	if (!n)
		return 0;
	c->cfg->rlimits = calloc(n, sizeof(*c->cfg->rlimits));
	if (!c->cfg->rlimits)
		return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(list, i);
		const char *type;
		uint64_t soft, hard;
		struct hull_rlimit *rl = &c->cfg->rlimits[i];
		snprintf(field, sizeof(field), "process.rlimits[%zu]", i);
		if (!json_object_is_type(r, json_type_object))
			return hull_oci_invalid(c, field, "an object");
		if ((ret = hull_oci_check_keys(c, r, field, known)) < 0 ||
		    (ret = hull_oci_get_string(c, r, "type", field, true, &type)) < 0 ||
		    (ret = hull_oci_get_u64(c, r, "soft", field, true, &soft)) < 0 ||
		    (ret = hull_oci_get_u64(c, r, "hard", field, true, &hard)) < 0)
			return ret;
		rl->soft = soft;
		rl->hard = hard;
		rl->resource = hull_rlimit_by_name(type);
		if (rl->resource < 0)
			return hull_fail(c->err, 0, "unknown rlimit '%s' in '%s.type' of '%s'",
					 type, field, c->file);
	}
	spec->rlimits = c->cfg->rlimits;
	spec->n_rlimits = n;
	return 0;
}

static int parse_user(struct oci_ctx *c, json_object *u, struct hull_spec *spec)
{
	static const char *const known[] = { "uid", "gid", "umask", "additionalGids", NULL };
	uint64_t uid = 0, gid = 0, mask;
	json_object *groups, *v;
	int ret;

	if (!u)
		return hull_oci_invalid(c, "process.user", "an object with uid and gid");
	if ((ret = hull_oci_check_keys(c, u, "process.user", known)) < 0 ||
	    (ret = hull_oci_get_u64(c, u, "uid", "process.user", true, &uid)) < 0 ||
	    (ret = hull_oci_get_u64(c, u, "gid", "process.user", true, &gid)) < 0 ||
	    (ret = hull_oci_get(c, u, "additionalGids", json_type_array,
				"process.user.additionalGids", &groups)) < 0)
		return ret;
	if (uid > UINT32_MAX - 1 || gid > UINT32_MAX - 1)
		return hull_oci_invalid(c, "process.user", "uid and gid below 4294967295");
	spec->user.set = true;
	spec->user.uid = (uid_t)uid;
	spec->user.gid = (gid_t)gid;
	if (json_object_object_get_ex(u, "umask", &v) && v) {
		if ((ret = hull_oci_get_u64(c, u, "umask", "process.user", true, &mask)) < 0)
			return ret;
		if (mask > 0777)
			return hull_oci_invalid(c, "process.user.umask", "a mode up to 0777");
		spec->umask = (int)mask;
	}
	size_t n = groups ? json_object_array_length(groups) : 0;
	if (n > HULL_MAX_GROUPS)
		return hull_fail(c->err, 0,
				 "too many groups in 'process.user.additionalGids' of "
				 "'%s' (at most %d)",
				 c->file, HULL_MAX_GROUPS);
	for (size_t i = 0; i < n; i++) {
		v = json_object_array_get_idx(groups, i);
		int64_t g = json_object_get_int64(v);
		if (!json_object_is_type(v, json_type_int) || g < 0 || g >= UINT32_MAX)
			return hull_oci_invalid(c, "process.user.additionalGids",
						"an array of gids");
		spec->user.groups[spec->user.n_groups++] = (gid_t)g;
	}
	return 0;
}

static int parse_process(struct oci_ctx *c, json_object *p, struct hull_spec *spec)
{
	static const char *const known[] = {
		"terminal",
		"consoleSize",
		"user",
		"args",
		"env",
		"cwd",
		"capabilities",
		"rlimits",
		"noNewPrivileges",
		"oomScoreAdj",
		"apparmorProfile",
		"selinuxLabel",
		NULL,
	};
	json_object *args, *env, *user, *caps, *rlimits;
	const char *cwd;
	int64_t oom;
	bool oom_given;
	int ret;

	if (!p)
		return hull_oci_invalid(c, "process", "an object");
	if ((ret = hull_oci_check_keys(c, p, "process", known)) < 0 ||
	    (ret = hull_oci_get_bool(c, p, "terminal", "process", &c->cfg->terminal)) < 0 ||
	    (ret = hull_oci_get_bool(c, p, "noNewPrivileges", "process", &spec->no_new_privs)) <
		    0 ||
	    (ret = hull_oci_get_string(c, p, "cwd", "process", true, &cwd)) < 0 ||
	    (ret = hull_oci_get(c, p, "args", json_type_array, "process.args", &args)) < 0 ||
	    (ret = hull_oci_get(c, p, "env", json_type_array, "process.env", &env)) < 0 ||
	    (ret = hull_oci_get(c, p, "user", json_type_object, "process.user", &user)) < 0 ||
	    (ret = hull_oci_get(c, p, "capabilities", json_type_object, "process.capabilities",
				&caps)) < 0 ||
	    (ret = hull_oci_get(c, p, "rlimits", json_type_array, "process.rlimits", &rlimits)) <
		    0 ||
	    (ret = hull_oci_get_i64(c, p, "oomScoreAdj", "process", &oom_given, &oom)) < 0 ||
	    (ret = hull_oci_check_label(c, p, "apparmorProfile", "process", HULL_LSM_APPARMOR)) <
		    0 ||
	    (ret = hull_oci_check_label(c, p, "selinuxLabel", "process", HULL_LSM_SELINUX)) < 0)
		return ret;
	spec->cwd = cwd;
	if (oom_given && (oom < -1000 || oom > 1000))
		return hull_oci_invalid(c, "process.oomScoreAdj", "-1000 to 1000");
	if (oom_given) {
		spec->oom_score_adj = (int)oom;
		spec->oom_score_adj_set = true;
	}

	size_t n = args ? json_object_array_length(args) : 0;
	if (n == 0)
		return hull_oci_invalid(c, "process.args", "a non-empty array of strings");
	c->cfg->argv = calloc(n + 1, sizeof(char *));
	if (!c->cfg->argv)
		return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
	for (size_t i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(args, i);
		if (!json_object_is_type(a, json_type_string))
			return hull_oci_invalid(c, "process.args", "a non-empty array of strings");
		c->cfg->argv[i] = (char *)json_object_get_string(a);
	}
	spec->argv = c->cfg->argv;
	spec->argc = (int)n;

	spec->env_exact = true;
	for (size_t i = 0; env && i < json_object_array_length(env); i++) {
		json_object *e = json_object_array_get_idx(env, i);
		if (!json_object_is_type(e, json_type_string))
			return hull_oci_invalid(c, "process.env", "an array of NAME=VALUE strings");
		struct hull_err e2;
		if (hull_spec_add_env(spec, json_object_get_string(e), &e2) < 0)
			return hull_fail(c->err, 0, "%s in 'process.env' of '%s'", e2.msg, c->file);
	}
	if ((ret = parse_user(c, user, spec)) < 0 || (ret = parse_capabilities(c, caps, spec)) < 0)
		return ret;
	return parse_rlimits(c, rlimits, spec);
}

/* ---- root and mounts ------------------------------------------------ */

static int parse_root(struct oci_ctx *c, json_object *r, struct hull_spec *spec)
{
	static const char *const known[] = { "path", "readonly", NULL };
	const char *path;
	int ret;

	if (!r)
		return hull_oci_invalid(c, "root", "an object with a path");
	if ((ret = hull_oci_check_keys(c, r, "root", known)) < 0 ||
	    (ret = hull_oci_get_string(c, r, "path", "root", true, &path)) < 0 ||
	    (ret = hull_oci_get_bool(c, r, "readonly", "root", &spec->read_only)) < 0)
		return ret;
	spec->read_only_tmp = false;
	c->cfg->rootfs = hull_oci_bundle_path(c, path);
	if (!c->cfg->rootfs)
		return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
	spec->rootfs_arg = c->cfg->rootfs;
	return 0;
}

/* The mounts hull makes itself (proc, sysfs, its minimal /dev with devpts)
 * take the place of the config's; the rest are made as given. */
static bool builtin_mount(const char *dest, const char *type, struct hull_spec *spec)
{
	if (!type)
		return false;
	if (strcmp(dest, "proc") == 0 && strcmp(type, "proc") == 0)
		return (spec->mount_proc = true);
	if (strcmp(dest, "sys") == 0 && strcmp(type, "sysfs") == 0) {
		spec->sys_after_mounts = spec->n_mounts + 1; /* in the config's order */
		return (spec->mount_sys = true);
	}
	if (strcmp(dest, "dev") == 0 && strcmp(type, "tmpfs") == 0)
		return (spec->mount_dev = true);
	/* /dev/shm is only a directory of hull's own /dev: a config's tmpfs
	 * there is mounted as asked. */
	if (spec->mount_dev && strcmp(dest, "dev/pts") == 0 && strcmp(type, "devpts") == 0)
		return true;
	return false;
}

static int parse_mount(struct oci_ctx *c, json_object *o, size_t i, struct hull_spec *spec)
{
	static const char *const known[] = { "destination", "type", "source", "options", NULL };
	static const char *const types[] = { "bind",   "tmpfs",	 "proc",    "sysfs",
					     "devpts", "mqueue", "cgroup2", NULL };
	struct hull_mount *m = &c->cfg->mounts[spec->n_mounts];
	const char *dest, *type, *source;
	json_object *opts;
	char field[64], data[1024] = "";
	int ret;

	snprintf(field, sizeof(field), "mounts[%zu]", i);
	if (!json_object_is_type(o, json_type_object))
		return hull_oci_invalid(c, field, "an object");
	if ((ret = hull_oci_check_keys(c, o, field, known)) < 0 ||
	    (ret = hull_oci_get_string(c, o, "destination", field, true, &dest)) < 0 ||
	    (ret = hull_oci_get_string(c, o, "type", field, false, &type)) < 0 ||
	    (ret = hull_oci_get_string(c, o, "source", field, false, &source)) < 0 ||
	    (ret = hull_oci_get(c, o, "options", json_type_array, field, &opts)) < 0)
		return ret;
	memset(m, 0, sizeof(*m));
	if ((ret = hull_oci_rel_path(c, dest, field, &m->dest)) < 0)
		return ret;
	for (size_t k = 0; opts && k < json_object_array_length(opts); k++) {
		json_object *v = json_object_array_get_idx(opts, k);
		const char *opt = json_object_get_string(v);
		if (!json_object_is_type(v, json_type_string))
			return hull_oci_invalid(c, field, "options as strings");
		if (hull_mount_flag(opt, &m->flags, &m->propagation))
			continue;
		if (strlen(data) + strlen(opt) + 2 > sizeof(data))
			return hull_oci_invalid(c, field, "shorter options");
		if (data[0])
			strcat(data, ",");
		strcat(data, opt);
	}
	if (type && strcmp(type, "bind") == 0)
		m->flags |= MS_BIND;
	if (m->flags & MS_BIND) {
		if (!source)
			return hull_oci_invalid(c, field, "a source for a bind mount");
		/* Filesystem data ("mode=755") go to mount(2) with the bind,
		 * as runc passes them; the kernel has no use for them there. */
		if (data[0]) {
			char *d = strdup(data);
			if (!d || hull_oci_own(c, d) < 0)
				return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
			m->data = d;
		}
		char *abs = hull_oci_bundle_path(c, source);
		if (!abs)
			return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
		m->source = abs;
		spec->n_mounts++;
		return 0;
	}
	if (!type)
		return hull_oci_invalid(c, field, "a type or a bind option");
	if (builtin_mount(m->dest, type, spec))
		return 0;
	bool known_type = false;
	for (const char *const *t = types; *t; t++)
		known_type |= strcmp(*t, type) == 0;
	if (strcmp(type, "cgroup") == 0)
		type = "cgroup2"; /* the unified hierarchy; hull has no v1 view */
	else if (!known_type)
		return hull_fail(c->err, 0, "unsupported mount type '%s' in '%s.type' of '%s'",
				 type, field, c->file);
	m->type = type;
	m->source = source ? source : type;
	if (strcmp(type, "cgroup2") == 0)
		m->source = "cgroup2";
	if (data[0]) {
		char *d = strdup(data);
		if (!d || hull_oci_own(c, d) < 0)
			return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
		m->data = d;
	}
	spec->n_mounts++;
	return 0;
}

static int parse_mounts(struct oci_ctx *c, json_object *list, struct hull_spec *spec)
{
	size_t n = list ? json_object_array_length(list) : 0;
	int ret;

	/* OCI: only the mounts listed; hull's own come back when listed. */
	spec->mount_proc = spec->mount_sys = spec->mount_dev = false;
	if (!n)
		return 0;
	c->cfg->mounts = calloc(n, sizeof(*c->cfg->mounts));
	if (!c->cfg->mounts)
		return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
	for (size_t i = 0; i < n; i++)
		if ((ret = parse_mount(c, json_object_array_get_idx(list, i), i, spec)) < 0)
			return ret;
	spec->mounts = c->cfg->mounts;
	return 0;
}

/* ---- the whole file ------------------------------------------------- */

/* The spec's extensibility rule: a property the spec does not define is
 * ignored ("runtimes MUST NOT generate an error if they encounter an
 * unknown property"); one it defines and hull cannot honour is refused by
 * name. Below the top level every object hull parses is checked against
 * its own list (the spec's members there are all known to hull). */
static int check_top_keys(struct oci_ctx *c, json_object *o, const char *const *known)
{
	static const char *const spec_only[] = { "domainname", "solaris", "windows", "vm",
						 "zos",	       "freebsd", NULL };
	json_object *defined = json_object_new_object();
	int ret;

	if (!defined)
		return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
	for (const char *const *k = spec_only; *k; k++) {
		json_object *v;
		if (json_object_object_get_ex(o, *k, &v))
			json_object_object_add(defined, *k, json_object_get(v));
	}
	ret = hull_oci_check_keys(c, defined, NULL, known);
	json_object_put(defined);
	return ret;
}

/* text into cfg->root. The parser is kept until hull_oci_config_free:
 * freed here, its memory went back to the kernel at once (musl unmaps a
 * malloc group left empty), an munmap of ~10-30 us on a PVM guest on the
 * way to the container's clone; at the end it goes with the rest. */
static int parse_text(const char *text, struct hull_oci_config *cfg, const char *file,
		      struct hull_err *err)
{
	cfg->tok = json_tokener_new();
	if (!cfg->tok)
		return hull_fail(err, ENOMEM, "cannot parse '%s'", file);
	cfg->root = json_tokener_parse_ex(cfg->tok, text, -1);
	enum json_tokener_error jerr = json_tokener_get_error(cfg->tok);
	if (jerr != json_tokener_success) {
		if (cfg->root)
			json_object_put(cfg->root);
		cfg->root = NULL;
		return hull_fail(err, 0, "cannot parse '%s': %s", file,
				 json_tokener_error_desc(jerr));
	}
	if (!cfg->root || !json_object_is_type(cfg->root, json_type_object))
		return hull_fail(err, 0, "cannot parse '%s': not a JSON object", file);
	return 0;
}

int hull_oci_config_parse(const char *text, const char *bundle, struct hull_oci_config *cfg,
			  struct hull_spec *spec, struct hull_err *err)
{
	static const char *const known[] = { "ociVersion", "process", "root",
					     "hostname",   "mounts",  "annotations",
					     "linux",	   "hooks",   NULL };
	struct oci_ctx c = { .cfg = cfg, .err = err };
	json_object *o;
	const char *version, *hostname;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->bundle = strdup(bundle);
	if (!cfg->bundle || asprintf(&cfg->file, "%s/config.json", bundle) < 0)
		return hull_fail(err, ENOMEM, "cannot parse config.json");
	c.file = cfg->file;

	if ((ret = parse_text(text, cfg, cfg->file, err)) < 0 ||
	    (ret = check_top_keys(&c, cfg->root, known)) < 0 ||
	    (ret = hull_oci_get_string(&c, cfg->root, "ociVersion", "", true, &version)) < 0)
		return ret;
	if (strncmp(version, "1.", 2) != 0)
		return hull_fail(err, 0, "unsupported ociVersion '%s' in '%s' (1.x)", version,
				 cfg->file);

	/* OCI defaults, where they differ from hull run's: no seccomp filter
	 * unless asked, masks only as listed, a cgroup always (pause, kill
	 * --all and delete need one). */
	spec->seccomp_mode = HULL_SECCOMP_OFF;
	spec->no_new_privs = false;
	spec->masked_paths = spec->readonly_paths = NULL;
	spec->hostname = NULL;
	spec->cgroup_always = true;

	if ((ret = hull_oci_get(&c, cfg->root, "root", json_type_object, "root", &o)) < 0 ||
	    (ret = parse_root(&c, o, spec)) < 0 ||
	    /* linux first: process.capabilities depends on nothing there, but
	     * the namespaces decide what hostname and mounts may do. */
	    (ret = hull_oci_get(&c, cfg->root, "linux", json_type_object, "linux", &o)) < 0 ||
	    (ret = hull_oci_parse_linux(&c, o, spec)) < 0 ||
	    (ret = hull_oci_get(&c, cfg->root, "process", json_type_object, "process", &o)) < 0 ||
	    (ret = parse_process(&c, o, spec)) < 0 ||
	    (ret = hull_oci_get(&c, cfg->root, "mounts", json_type_array, "mounts", &o)) < 0 ||
	    (ret = parse_mounts(&c, o, spec)) < 0 ||
	    (ret = hull_oci_get_string(&c, cfg->root, "hostname", "", false, &hostname)) < 0 ||
	    (ret = hull_oci_get(&c, cfg->root, "annotations", json_type_object, "annotations",
				&cfg->annotations)) < 0 ||
	    (ret = hull_oci_get(&c, cfg->root, "hooks", json_type_object, "hooks", &o)) < 0 ||
	    (ret = hull_oci_parse_hooks(&c, o)) < 0)
		return ret;
	if (hostname && hostname[0]) {
		spec->hostname = hostname;
		spec->hostname_given = true;
		if (!hull_spec_has_utsns(spec))
			return hull_fail(err, 0,
					 "field 'hostname' in '%s' needs a new uts namespace",
					 cfg->file);
	}
	return 0;
}

int hull_oci_process_parse(const char *text, const char *file, struct hull_oci_config *cfg,
			   struct hull_spec *spec, struct hull_err *err)
{
	struct oci_ctx c = { .cfg = cfg, .err = err };

	memset(cfg, 0, sizeof(*cfg));
	cfg->file = strdup(file);
	if (!cfg->file)
		return hull_fail(err, ENOMEM, "cannot parse '%s'", file);
	c.file = cfg->file;
	int ret = parse_text(text, cfg, file, err);
	if (ret < 0)
		return ret;
	spec->no_new_privs = false;
	return parse_process(&c, cfg->root, spec);
}

void hull_oci_config_free(struct hull_oci_config *cfg)
{
	if (cfg->root)
		json_object_put(cfg->root);
	if (cfg->tok)
		json_tokener_free(cfg->tok);
	for (size_t i = 0; i < cfg->n_owned; i++)
		free(cfg->owned[i]);
	free(cfg->owned);
	free(cfg->bundle);
	free(cfg->file);
	free(cfg->argv);
	free(cfg->mounts);
	free(cfg->rlimits);
	free(cfg->sysctls);
	free(cfg->masked);
	free(cfg->readonly);
	free(cfg->cgroup_parent);
	free(cfg->cgroup_name);
	free(cfg->dev_rules);
	free(cfg->devices);
	hull_oci_seccomp_free(cfg->seccomp);
	memset(cfg, 0, sizeof(*cfg));
}
