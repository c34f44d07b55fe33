/* oci_linux.c — config.json's linux section: namespaces, id maps,
 * resources (oci_resources.c), devices (oci_devices.c), cgroupsPath, masked and read-only paths,
 * sysctl, rootfsPropagation. See oci_config.h. */
#include "oci_json.h"
#include "ns.h"
#include "settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

/* OCI namespace types, in hull_ns_table's order of names. */
static const struct {
	const char *type, *hull;
} ns_types[] = {
	{ "mount", "mnt" },   { "uts", "uts" },	  { "pid", "pid" },	  { "ipc", "ipc" },
	{ "network", "net" }, { "user", "user" }, { "cgroup", "cgroup" }, { "time", "time" },
};

static int parse_namespaces(struct oci_ctx *c, json_object *list, struct hull_spec *spec)
{
	static const char *const known[] = { "type", "path", NULL };
	char field[64];
	int ret;

	spec->ns_flags = 0; /* OCI: only the listed ones are new */
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		json_object *o = json_object_array_get_idx(list, i);
		const char *type, *path;
		const struct hull_ns *ns = NULL;
		snprintf(field, sizeof(field), "linux.namespaces[%zu]", i);
		if (!json_object_is_type(o, json_type_object))
			return hull_oci_invalid(c, field, "an object");
		if ((ret = hull_oci_check_keys(c, o, field, known)) < 0 ||
		    (ret = hull_oci_get_string(c, o, "type", field, true, &type)) < 0 ||
		    (ret = hull_oci_get_string(c, o, "path", field, false, &path)) < 0)
			return ret;
		for (size_t k = 0; k < sizeof(ns_types) / sizeof(ns_types[0]); k++)
			if (strcmp(ns_types[k].type, type) == 0)
				ns = hull_ns_by_name(ns_types[k].hull);
		if (!ns)
			return hull_fail(c->err, 0,
					 "unknown namespace type '%s' in '%s.type' of '%s'", type,
					 field, c->file);
		size_t slot = (size_t)(ns - hull_ns_table);
		if (!path || !path[0]) {
			spec->ns_flags |= ns->flag;
			continue;
		}
		/* Joining these would change what hull itself does next (its
		 * mounts, its id maps, its clocks): not supported. */
		if (ns->flag == CLONE_NEWUSER || ns->flag == CLONE_NEWTIME) {
			snprintf(field + strlen(field), sizeof(field) - strlen(field), ".path");
			return hull_fail(c->err, 0,
					 "unsupported field '%s' in '%s': hull cannot join an "
					 "existing %s namespace",
					 field, c->file, type);
		}
		spec->ns_paths[slot] = path;
	}
	return 0;
}

static int parse_idmap(struct oci_ctx *c, json_object *list, const char *field,
		       struct hull_idmap *map)
{
	static const char *const known[] = { "containerID", "hostID", "size", NULL };
	size_t n = list ? json_object_array_length(list) : 0;
	uint64_t in = 0, out = 0, size = 0;
	char f0[64];
	int ret;

	if (n == 0)
		return 0;
	if (n > 1)
		return hull_fail(c->err, 0,
				 "unsupported field '%s' in '%s': hull writes one mapping, "
				 "this has %zu",
				 field, c->file, n);
	snprintf(f0, sizeof(f0), "%s[0]", field);
	json_object *o = json_object_array_get_idx(list, 0);
	if (!json_object_is_type(o, json_type_object))
		return hull_oci_invalid(c, f0, "an object");
	if ((ret = hull_oci_check_keys(c, o, f0, known)) < 0 ||
	    (ret = hull_oci_get_u64(c, o, "containerID", f0, true, &in)) < 0 ||
	    (ret = hull_oci_get_u64(c, o, "hostID", f0, true, &out)) < 0 ||
	    (ret = hull_oci_get_u64(c, o, "size", f0, true, &size)) < 0)
		return ret;
	if (size == 0 || in > UINT32_MAX || out > UINT32_MAX || size > UINT32_MAX)
		return hull_oci_invalid(c, f0, "ids and a size from 1 up to 4294967295");
	*map = (struct hull_idmap){ .set = true, .inside = in, .outside = out, .count = size };
	return 0;
}

/* "/a/b/c" -> parent "a/b", name "c"; systemd's "slice:prefix:name" ->
 * parent "slice", name "prefix-name" (hull writes cgroupfs itself). */
static int parse_cgroups_path(struct oci_ctx *c, const char *path, struct hull_spec *spec)
{
	struct hull_oci_config *cfg = c->cfg;
	const char *colon = strchr(path, ':');

	while (*path == '/')
		path++;
	if (colon) {
		const char *second = strchr(colon + 1, ':');
		if (!second || strchr(second + 1, ':') || !second[1])
			return hull_oci_invalid(c, "linux.cgroupsPath",
						"'slice:prefix:name' or a path");
		cfg->cgroup_parent = strndup(path, (size_t)(colon - path));
		if (asprintf(&cfg->cgroup_name, "%.*s-%s", (int)(second - colon - 1), colon + 1,
			     second + 1) < 0)
			cfg->cgroup_name = NULL;
	} else {
		const char *slash = strrchr(path, '/');
		cfg->cgroup_parent = slash ? strndup(path, (size_t)(slash - path)) : strdup("");
		cfg->cgroup_name = strdup(slash ? slash + 1 : path);
	}
	if (!cfg->cgroup_parent || !cfg->cgroup_name)
		return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
	if (!cfg->cgroup_name[0] || strstr(path, ".."))
		return hull_oci_invalid(c, "linux.cgroupsPath", "a cgroup path without '..'");
	spec->limits.parent = cfg->cgroup_parent;
	spec->cgroup_name = cfg->cgroup_name;
	return 0;
}

static int parse_paths(struct oci_ctx *c, json_object *list, const char *field, const char ***out)
{
	size_t n = list ? json_object_array_length(list) : 0;
	const char **paths = calloc(n + 1, sizeof(char *));
	int ret;

	if (!paths)
		return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
	*out = paths;
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(list, i);
		if (!json_object_is_type(v, json_type_string))
			return hull_oci_invalid(c, field, "an array of paths");
		if ((ret = hull_oci_rel_path(c, json_object_get_string(v), field, &paths[i])) < 0)
			return ret;
	}
	return 0;
}

static int parse_sysctl(struct oci_ctx *c, json_object *o, struct hull_spec *spec)
{
	size_t n = o ? (size_t)json_object_object_length(o) : 0, i = 0;
	uint64_t ns = spec->ns_flags;

	if (!n)
		return 0;
	c->cfg->sysctls = calloc(n, sizeof(*c->cfg->sysctls));
	if (!c->cfg->sysctls)
		return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
	for (size_t k = 0; k < hull_ns_count && k < HULL_NS_SLOTS; k++)
		if (spec->ns_paths[k])
			ns |= hull_ns_table[k].flag;
	json_object_object_foreach(o, key, val)
	{
		if (!json_object_is_type(val, json_type_string))
			return hull_oci_invalid(c, "linux.sysctl", "strings as values");
		if (strstr(key, "..") || strchr(key, '/') || !hull_sysctl_allowed(key, ns))
			return hull_fail(c->err, 0,
					 "unsupported sysctl '%s' in 'linux.sysctl' of '%s': not "
					 "namespaced by the container's namespaces",
					 key, c->file);
		c->cfg->sysctls[i].key = key;
		c->cfg->sysctls[i++].value = json_object_get_string(val);
	}
	spec->sysctls = c->cfg->sysctls;
	spec->n_sysctls = i;
	return 0;
}

static int parse_propagation(struct oci_ctx *c, const char *p, struct hull_spec *spec)
{
	if (!p || !p[0])
		return 0;
	if (strcmp(p, "private") == 0)
		spec->rootfs_propagation = MS_PRIVATE;
	else if (strcmp(p, "rprivate") == 0)
		spec->rootfs_propagation = MS_REC | MS_PRIVATE;
	else if (strcmp(p, "slave") == 0)
		spec->rootfs_propagation = MS_SLAVE;
	else if (strcmp(p, "rslave") == 0)
		spec->rootfs_propagation = MS_REC | MS_SLAVE;
	else if (strcmp(p, "shared") == 0)
		spec->rootfs_propagation = MS_SHARED;
	else if (strcmp(p, "rshared") == 0)
		spec->rootfs_propagation = MS_REC | MS_SHARED;
	else if (strcmp(p, "unbindable") == 0)
		spec->rootfs_propagation = MS_UNBINDABLE;
	else if (strcmp(p, "runbindable") == 0)
		spec->rootfs_propagation = MS_REC | MS_UNBINDABLE;
	else
		return hull_fail(c->err, 0,
				 "unsupported value '%s' of 'linux.rootfsPropagation' in '%s' "
				 "((r)private, (r)slave, (r)shared or (r)unbindable)",
				 p, c->file);
	return 0;
}

int hull_oci_parse_linux(struct oci_ctx *c, json_object *o, struct hull_spec *spec)
{
	static const char *const known[] = {
		"namespaces",  "uidMappings",	"gidMappings", "resources",	    "cgroupsPath",
		"maskedPaths", "readonlyPaths", "sysctl",      "rootfsPropagation", "seccomp",
		"devices",     "mountLabel",	NULL,
	};
	json_object *v;
	const char *s;
	int ret;

	spec->ns_flags = 0;
	spec->mask_paths = true;
	if ((ret = parse_paths(c, NULL, "", &c->cfg->masked)) < 0 ||
	    (ret = parse_paths(c, NULL, "", &c->cfg->readonly)) < 0)
		return ret;
	spec->masked_paths = c->cfg->masked;
	spec->readonly_paths = c->cfg->readonly;
	if (!o)
		return 0;
	if ((ret = hull_oci_check_keys(c, o, "linux", known)) < 0 ||
	    (ret = hull_oci_get(c, o, "namespaces", json_type_array, "linux.namespaces", &v)) < 0 ||
	    (ret = parse_namespaces(c, v, spec)) < 0 ||
	    (ret = hull_oci_get(c, o, "uidMappings", json_type_array, "linux.uidMappings", &v)) <
		    0 ||
	    (ret = parse_idmap(c, v, "linux.uidMappings", &spec->uidmap)) < 0 ||
	    (ret = hull_oci_get(c, o, "gidMappings", json_type_array, "linux.gidMappings", &v)) <
		    0 ||
	    (ret = parse_idmap(c, v, "linux.gidMappings", &spec->gidmap)) < 0 ||
	    (ret = hull_oci_get(c, o, "resources", json_type_object, "linux.resources", &v)) < 0 ||
	    (ret = hull_oci_parse_resources(c, v, &spec->limits)) < 0 ||
	    (ret = hull_oci_get(c, o, "devices", json_type_array, "linux.devices", &v)) < 0 ||
	    (ret = hull_oci_parse_devices(c, v, spec)) < 0 ||
	    (ret = hull_oci_get_string(c, o, "cgroupsPath", "linux", false, &s)) < 0 ||
	    (s && s[0] && (c->cfg->cgroups_path = s, ret = parse_cgroups_path(c, s, spec)) < 0) ||
	    (ret = hull_oci_get(c, o, "sysctl", json_type_object, "linux.sysctl", &v)) < 0 ||
	    (ret = parse_sysctl(c, v, spec)) < 0 ||
	    (ret = hull_oci_get_string(c, o, "rootfsPropagation", "linux", false, &s)) < 0 ||
	    (ret = parse_propagation(c, s, spec)) < 0 ||
	    (ret = hull_oci_check_label(c, o, "mountLabel", "linux", HULL_LSM_SELINUX)) < 0 ||
	    (ret = hull_oci_get(c, o, "seccomp", json_type_object, "linux.seccomp", &v)) < 0 ||
	    (ret = hull_oci_parse_seccomp(c, v, spec)) < 0)
		return ret;
	free(c->cfg->masked);
	free(c->cfg->readonly);
	c->cfg->masked = c->cfg->readonly = NULL;
	if ((ret = hull_oci_get(c, o, "maskedPaths", json_type_array, "linux.maskedPaths", &v)) <
		    0 ||
	    (ret = parse_paths(c, v, "linux.maskedPaths", &c->cfg->masked)) < 0 ||
	    (ret = hull_oci_get(c, o, "readonlyPaths", json_type_array, "linux.readonlyPaths",
				&v)) < 0 ||
	    (ret = parse_paths(c, v, "linux.readonlyPaths", &c->cfg->readonly)) < 0)
		return ret;
	spec->masked_paths = c->cfg->masked;
	spec->readonly_paths = c->cfg->readonly;
	return 0;
}
