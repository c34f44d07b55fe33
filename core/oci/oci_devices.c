/* oci_devices.c — linux.devices: device nodes made in the container's /dev
 * (path, type, major, minor, fileMode, uid, gid). Only paths under /dev are
 * accepted: a node elsewhere in the rootfs would outlive the container in
 * the bundle's (the user's) files. */
#include "oci_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_node(struct oci_ctx *c, json_object *o, const char *field, struct hull_dev_node *d)
{
	static const char *const known[] = { "path",	 "type", "major", "minor",
					     "fileMode", "uid",	 "gid",	  NULL };
	const char *path, *type, *rel;
	uint64_t mode = 0666, uid = 0, gid = 0;
	bool present;
	int ret;

	if (!json_object_is_type(o, json_type_object))
		return hull_oci_invalid(c, field, "an object");
	*d = (struct hull_dev_node){ .major = 0, .minor = 0 };
	if ((ret = hull_oci_check_keys(c, o, field, known)) < 0 ||
	    (ret = hull_oci_get_string(c, o, "path", field, true, &path)) < 0 ||
	    (ret = hull_oci_get_string(c, o, "type", field, true, &type)) < 0 ||
	    (ret = hull_oci_get_i64(c, o, "major", field, &present, &d->major)) < 0 ||
	    (ret = hull_oci_get_i64(c, o, "minor", field, &present, &d->minor)) < 0 ||
	    (ret = hull_oci_get_u64(c, o, "fileMode", field, false, &mode)) < 0 ||
	    (ret = hull_oci_get_u64(c, o, "uid", field, false, &uid)) < 0 ||
	    (ret = hull_oci_get_u64(c, o, "gid", field, false, &gid)) < 0)
		return ret;
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return hull_oci_invalid(c, field, "type 'c', 'b', 'u' or 'p'");
	d->type = type[0] == 'u' ? 'c' : type[0];
	if (d->type != 'p' &&
	    (d->major < 0 || d->major > 0xfff || d->minor < 0 || d->minor > 0xfffff))
		return hull_oci_invalid(c, field, "major and minor device numbers");
	if (mode > 07777 || uid > UINT32_MAX || gid > UINT32_MAX)
		return hull_oci_invalid(c, field, "a fileMode up to 07777 and 32-bit ids");
	if ((ret = hull_oci_rel_path(c, path, field, &rel)) < 0)
		return ret;
	if (strncmp(rel, "dev/", 4) != 0 || !rel[4])
		return hull_fail(c->err, 0,
				 "unsupported value '%s' of '%s.path' in '%s': hull makes "
				 "devices under /dev only",
				 path, field, c->file);
	d->path = rel;
	d->mode = (mode_t)mode;
	d->uid = (uid_t)uid;
	d->gid = (gid_t)gid;
	return 0;
}

int hull_oci_parse_devices(struct oci_ctx *c, json_object *list, struct hull_spec *spec)
{
	size_t n = list ? json_object_array_length(list) : 0;
	char field[64];

	if (!n)
		return 0;
	c->cfg->devices = calloc(n, sizeof(*c->cfg->devices));
	if (!c->cfg->devices)
		return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
	for (size_t i = 0; i < n; i++) {
		snprintf(field, sizeof(field), "linux.devices[%zu]", i);
		int ret = parse_node(c, json_object_array_get_idx(list, i), field,
				     &c->cfg->devices[i]);
		if (ret < 0)
			return ret;
	}
	if (!hull_spec_has_mntns(spec))
		return hull_fail(c->err, 0,
				 "field 'linux.devices' in '%s' needs a new mount namespace",
				 c->file);
	spec->devices = c->cfg->devices;
	spec->n_devices = n;
	return 0;
}
