/* oci_seccomp.c — config.json's linux.seccomp (the OCI seccomp format)
 * onto struct hull_seccomp_profile: defaultAction, defaultErrnoRet,
 * architectures, flags and syscalls [{names, action, errnoRet, args
 * [{index, value, valueTwo, op}]}]. Unknown actions, operators,
 * architectures and flags are refused with the field's name; unknown
 * syscall names are left to the build, which skips them. */
#include "oci_json.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif

/* "SCMP_ACT_ERRNO" with its errno; -1 for an unknown name. */
static int64_t action(const char *name, uint32_t errnum)
{
	static const struct {
		const char *name;
		uint32_t act;
	} plain[] = {
		{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW },
		{ "SCMP_ACT_KILL", SCMP_ACT_KILL },
		{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL },
		{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS },
		{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP },
		{ "SCMP_ACT_LOG", SCMP_ACT_LOG },
	};
	if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
		return SCMP_ACT_ERRNO(errnum);
	if (strcmp(name, "SCMP_ACT_TRACE") == 0)
		return SCMP_ACT_TRACE(errnum);
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(plain[i].name, name) == 0)
			return plain[i].act;
	return -1;
}

static int get_action(struct oci_ctx *c, json_object *o, const char *key, const char *errno_key,
		      uint32_t default_errno, const char *prefix, uint32_t *out)
{
	const char *name;
	uint64_t errnum = default_errno;
	char field[96];
	int ret;

	if ((ret = hull_oci_get_string(c, o, key, prefix, true, &name)) < 0 ||
	    (ret = hull_oci_get_u64(c, o, errno_key, prefix, false, &errnum)) < 0)
		return ret;
	if (errnum > 0xffff) {
		snprintf(field, sizeof(field), "%s.%s", prefix, errno_key);
		return hull_oci_invalid(c, field, "an errno below 65536");
	}
	int64_t act = action(name, (uint32_t)errnum);
	if (act < 0) {
		snprintf(field, sizeof(field), "%s.%s", prefix, key);
		return hull_fail(c->err, 0, "unsupported seccomp action '%s' in '%s' of '%s'", name,
				 field, c->file);
	}
	*out = (uint32_t)act;
	return 0;
}

static int parse_arg(struct oci_ctx *c, json_object *a, const char *field,
		     struct hull_seccomp_arg *out)
{
	static const char *const known[] = { "index", "value", "valueTwo", "op", NULL };
	static const struct {
		const char *name;
		int op;
	} ops[] = {
		{ "SCMP_CMP_NE", SCMP_CMP_NE },
		{ "SCMP_CMP_LT", SCMP_CMP_LT },
		{ "SCMP_CMP_LE", SCMP_CMP_LE },
		{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
		{ "SCMP_CMP_GE", SCMP_CMP_GE },
		{ "SCMP_CMP_GT", SCMP_CMP_GT },
		{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	};
	uint64_t index = 0;
	const char *op;
	int ret;

	if (!json_object_is_type(a, json_type_object))
		return hull_oci_invalid(c, field, "an object");
	memset(out, 0, sizeof(*out));
	if ((ret = hull_oci_check_keys(c, a, field, known)) < 0 ||
	    (ret = hull_oci_get_u64(c, a, "index", field, true, &index)) < 0 ||
	    (ret = hull_oci_get_u64(c, a, "value", field, false, &out->value)) < 0 ||
	    (ret = hull_oci_get_u64(c, a, "valueTwo", field, false, &out->value_two)) < 0 ||
	    (ret = hull_oci_get_string(c, a, "op", field, true, &op)) < 0)
		return ret;
	if (index >= HULL_SECCOMP_MAX_ARGS) {
		char f[160];
		snprintf(f, sizeof(f), "%s.index", field);
		return hull_oci_invalid(c, f, "an argument index from 0 to 5");
	}
	out->index = (unsigned int)index;
	out->op = -1;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].name, op) == 0)
			out->op = ops[i].op;
	if (out->op < 0)
		return hull_fail(c->err, 0, "unsupported seccomp operator '%s' in '%s.op' of '%s'",
				 op, field, c->file);
	return 0;
}

static int parse_rule(struct oci_ctx *c, json_object *o, size_t i, uint32_t default_errno,
		      struct hull_seccomp_rule *r)
{
	static const char *const known[] = { "names", "name",	 "action", "errnoRet",
					     "args",  "comment", NULL };
	json_object *names, *args, *v;
	char field[64], f2[128];
	int ret;

	snprintf(field, sizeof(field), "linux.seccomp.syscalls[%zu]", i);
	if (!json_object_is_type(o, json_type_object))
		return hull_oci_invalid(c, field, "an object");
	if ((ret = hull_oci_check_keys(c, o, field, known)) < 0 ||
	    (ret = get_action(c, o, "action", "errnoRet", default_errno, field, &r->action)) < 0 ||
	    (ret = hull_oci_get(c, o, "names", json_type_array, field, &names)) < 0 ||
	    (ret = hull_oci_get(c, o, "args", json_type_array, field, &args)) < 0)
		return ret;
	size_t n = names ? json_object_array_length(names) : 0;
	bool one = json_object_object_get_ex(o, "name", &v) &&
		   json_object_is_type(v, json_type_string);
	r->names = calloc(n + 1, sizeof(char *));
	if (!r->names)
		return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
	for (size_t k = 0; k < n; k++) {
		v = json_object_array_get_idx(names, k);
		if (!json_object_is_type(v, json_type_string))
			return hull_oci_invalid(c, field, "names as strings");
		r->names[r->n_names++] = json_object_get_string(v);
	}
	if (one)
		r->names[r->n_names++] = json_object_get_string(v);
	size_t na = args ? json_object_array_length(args) : 0;
	if (na > HULL_SECCOMP_MAX_ARGS) {
		snprintf(f2, sizeof(f2), "%s.args", field);
		return hull_oci_invalid(c, f2, "at most 6 conditions");
	}
	for (size_t k = 0; k < na; k++) {
		snprintf(f2, sizeof(f2), "%s.args[%zu]", field, k);
		if ((ret = parse_arg(c, json_object_array_get_idx(args, k), f2, &r->args[k])) < 0)
			return ret;
		r->n_args++;
	}
	return 0;
}

static int parse_arches(struct oci_ctx *c, json_object *list, struct hull_seccomp_profile *p)
{
	size_t n = list ? json_object_array_length(list) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(list, i);
		const char *name = json_object_get_string(v);
		char lower[32];
		size_t k = 0;
		if (!json_object_is_type(v, json_type_string))
			return hull_oci_invalid(c, "linux.seccomp.architectures",
						"architecture names");
		if (strncmp(name, "SCMP_ARCH_", 10) == 0)
			name += 10;
		for (; name[k] && k < sizeof(lower) - 1; k++)
			lower[k] =
				(char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
		lower[k] = '\0';
		uint32_t arch = seccomp_arch_resolve_name(lower);
		if (!arch)
			return hull_fail(c->err, 0,
					 "unsupported architecture '%s' in "
					 "'linux.seccomp.architectures' of '%s'",
					 json_object_get_string(v), c->file);
		if (p->n_arches < sizeof(p->arches) / sizeof(p->arches[0]))
			p->arches[p->n_arches++] = arch;
	}
	return 0;
}

static int parse_flags(struct oci_ctx *c, json_object *list, struct hull_seccomp_profile *p)
{
	static const struct {
		const char *name;
		unsigned int flag;
	} flags[] = {
		{ "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
		{ "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
		{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
	};
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(list, i));
		bool found = false;
		for (size_t k = 0; name && k < sizeof(flags) / sizeof(flags[0]); k++)
			if (strcmp(flags[k].name, name) == 0) {
				p->flags |= flags[k].flag;
				found = true;
			}
		if (!found)
			return hull_fail(c->err, 0,
					 "unsupported seccomp flag '%s' in 'linux.seccomp.flags' "
					 "of '%s'",
					 name ? name : "", c->file);
	}
	return 0;
}

int hull_oci_parse_seccomp(struct oci_ctx *c, json_object *o, struct hull_spec *spec)
{
	static const char *const known[] = { "defaultAction", "defaultErrnoRet", "architectures",
					     "flags",	      "syscalls",	 NULL };
	struct hull_seccomp_profile *p;
	json_object *v;
	uint64_t default_errno = EPERM;
	int ret;

	if (!o)
		return 0;
	p = c->cfg->seccomp = calloc(1, sizeof(*p));
	if (!p)
		return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
	if ((ret = hull_oci_check_keys(c, o, "linux.seccomp", known)) < 0 ||
	    (ret = hull_oci_get_u64(c, o, "defaultErrnoRet", "linux.seccomp", false,
				    &default_errno)) < 0 ||
	    (ret = get_action(c, o, "defaultAction", "defaultErrnoRet", EPERM, "linux.seccomp",
			      &p->default_action)) < 0 ||
	    (ret = hull_oci_get(c, o, "architectures", json_type_array,
				"linux.seccomp.architectures", &v)) < 0 ||
	    (ret = parse_arches(c, v, p)) < 0 ||
	    (ret = hull_oci_get(c, o, "flags", json_type_array, "linux.seccomp.flags", &v)) < 0 ||
	    (ret = parse_flags(c, v, p)) < 0 ||
	    (ret = hull_oci_get(c, o, "syscalls", json_type_array, "linux.seccomp.syscalls", &v)) <
		    0)
		return ret;
	size_t n = v ? json_object_array_length(v) : 0;
	p->rules = calloc(n + 1, sizeof(*p->rules));
	if (!p->rules)
		return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
	for (size_t i = 0; i < n; i++) {
		/* A rule's errno defaults to EPERM; defaultErrnoRet is the
		 * default action's only. */
		ret = parse_rule(c, json_object_array_get_idx(v, i), i, EPERM, &p->rules[i]);
		p->n_rules = i + 1; /* freed even when half parsed */
		if (ret < 0)
			return ret;
	}
	spec->seccomp_mode = HULL_SECCOMP_PROFILE;
	spec->seccomp_profile = p;
	return 0;
}

void hull_oci_seccomp_free(struct hull_seccomp_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_rules; i++)
		free(p->rules[i].names);
	free(p->rules);
	free(p);
}
