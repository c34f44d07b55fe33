/* oci_json.c — json-c helpers for config.json; see oci_json.h. */
#include "oci_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void join(char *buf, size_t len, const char *prefix, const char *key)
{
	if (prefix && prefix[0])
		snprintf(buf, len, "%s.%s", prefix, key);
	else
		snprintf(buf, len, "%s", key);
}

int hull_oci_unsupported(struct oci_ctx *c, const char *field)
{
	return hull_fail(c->err, 0, "unsupported field '%s' in '%s'", field, c->file);
}

int hull_oci_invalid(struct oci_ctx *c, const char *field, const char *expected)
{
	return hull_fail(c->err, 0, "invalid field '%s' in '%s': expected %s", field, c->file,
			 expected);
}

bool hull_oci_empty(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return true;
	case json_type_boolean:
		return !json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) == 0;
	case json_type_double:
		return json_object_get_double(v) == 0;
	case json_type_string:
		return json_object_get_string_len(v) == 0;
	case json_type_array:
		return json_object_array_length(v) == 0;
	case json_type_object:
		return json_object_object_length(v) == 0;
	}
	return false;
}

int hull_oci_check_keys(struct oci_ctx *c, json_object *o, const char *prefix,
			const char *const *known)
{
	json_object_object_foreach(o, key, val)
	{
		bool ok = false;
		for (const char *const *k = known; *k && !ok; k++)
			ok = strcmp(*k, key) == 0;
		if (!ok && !hull_oci_empty(val)) {
			char field[256];
			join(field, sizeof(field), prefix, key);
			return hull_oci_unsupported(c, field);
		}
	}
	return 0;
}

static const char *type_word(json_type type)
{
	switch (type) {
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	case json_type_boolean:
		return "true or false";
	default:
		return "a number";
	}
}

int hull_oci_get(struct oci_ctx *c, json_object *o, const char *key, json_type type,
		 const char *field, json_object **out)
{
	json_object *v = NULL;

	*out = NULL;
	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (!json_object_is_type(v, type))
		return hull_oci_invalid(c, field, type_word(type));
	*out = v;
	return 0;
}

int hull_oci_get_string(struct oci_ctx *c, json_object *o, const char *key, const char *prefix,
			bool required, const char **out)
{
	char field[256];
	json_object *v;

	join(field, sizeof(field), prefix, key);
	int ret = hull_oci_get(c, o, key, json_type_string, field, &v);
	if (ret < 0)
		return ret;
	if (!v && required)
		return hull_oci_invalid(c, field, "a string");
	*out = v ? json_object_get_string(v) : NULL;
	return 0;
}

int hull_oci_get_bool(struct oci_ctx *c, json_object *o, const char *key, const char *prefix,
		      bool *out)
{
	char field[256];
	json_object *v;

	join(field, sizeof(field), prefix, key);
	int ret = hull_oci_get(c, o, key, json_type_boolean, field, &v);
	if (ret == 0 && v)
		*out = json_object_get_boolean(v);
	return ret;
}

int hull_oci_get_u64(struct oci_ctx *c, json_object *o, const char *key, const char *prefix,
		     bool required, uint64_t *out)
{
	char field[256];
	json_object *v;

	join(field, sizeof(field), prefix, key);
	int ret = hull_oci_get(c, o, key, json_type_int, field, &v);
	if (ret < 0)
		return ret;
	if (!v) {
		if (required)
			return hull_oci_invalid(c, field, "a number");
		return 0;
	}
	/* json-c keeps integers up to UINT64_MAX; a negative one is refused. */
	errno = 0;
	if (json_object_get_int64(v) < 0)
		return hull_oci_invalid(c, field, "a number not below 0");
	*out = json_object_get_uint64(v);
	return 0;
}

int hull_oci_get_i64(struct oci_ctx *c, json_object *o, const char *key, const char *prefix,
		     bool *present, int64_t *out)
{
	char field[256];
	json_object *v;

	join(field, sizeof(field), prefix, key);
	int ret = hull_oci_get(c, o, key, json_type_int, field, &v);
	*present = v != NULL;
	if (ret == 0 && v)
		*out = json_object_get_int64(v);
	return ret;
}

int hull_oci_own(struct oci_ctx *c, char *s)
{
	char **more = realloc(c->cfg->owned, (c->cfg->n_owned + 1) * sizeof(char *));
	if (!more) {
		free(s);
		return -ENOMEM;
	}
	c->cfg->owned = more;
	c->cfg->owned[c->cfg->n_owned++] = s;
	return 0;
}

char *hull_oci_bundle_path(struct oci_ctx *c, const char *path)
{
	char *abs = NULL;

	if (path[0] == '/')
		abs = strdup(path);
	else if (asprintf(&abs, "%s/%s", c->cfg->bundle, path) < 0)
		abs = NULL;
	if (abs && hull_oci_own(c, abs) < 0)
		return NULL;
	return abs;
}

int hull_oci_rel_path(struct oci_ctx *c, const char *path, const char *field, const char **out)
{
	while (*path == '/')
		path++;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && strncmp(p, "..", 2) == 0)
			return hull_oci_invalid(c, field, "a path without '..'");
		p += n;
		while (*p == '/')
			p++;
	}
	if (!*path)
		return hull_oci_invalid(c, field, "a path below '/'");
	*out = path;
	return 0;
}

int hull_oci_check_label(struct oci_ctx *c, json_object *o, const char *key, const char *prefix,
			 enum hull_lsm lsm)
{
	char field[256];
	const char *label;
	int ret = hull_oci_get_string(c, o, key, prefix, false, &label);

	if (ret < 0 || !label || !label[0] || !hull_lsm_enabled(lsm))
		return ret;
	join(field, sizeof(field), prefix, key);
	return hull_fail(c->err, 0,
			 "unsupported field '%s' in '%s': %s is enabled here and hull cannot "
			 "apply its labels",
			 field, c->file, hull_lsm_name(lsm));
}
