/* oci_json.h — the json-c helpers config.json's parsers share (internal to
 * oci_config.c and oci_linux.c). Each names the field it reads in its
 * errors: "invalid field 'process.cwd' in '/b/config.json': expected a
 * string". */
#ifndef HULL_OCI_JSON_H
#define HULL_OCI_JSON_H

#include "lsm.h"
#include "oci_config.h"

#include <json-c/json.h>
#include <stdint.h>

struct oci_ctx {
	struct hull_oci_config *cfg;
	struct hull_err *err;
	const char *file;
};

int hull_oci_unsupported(struct oci_ctx *c, const char *field);
int hull_oci_invalid(struct oci_ctx *c, const char *field, const char *expected);

/* A value that asks for nothing: null, false, 0, "", [] or {}. */
bool hull_oci_empty(json_object *v);

/* Refuse every key of o outside known (NULL-terminated) that asks for
 * something; prefix names o ("linux", or NULL for the top level). */
int hull_oci_check_keys(struct oci_ctx *c, json_object *o, const char *prefix,
			const char *const *known);

/* A security label (process.apparmorProfile, process.selinuxLabel,
 * linux.mountLabel): accepted without effect where the host does not
 * enable that module (as runc and crun), refused by name where it does
 * (hull cannot apply one). */
int hull_oci_check_label(struct oci_ctx *c, json_object *o, const char *key, const char *prefix,
			 enum hull_lsm lsm);

/* o[key] of the given type, or *out = NULL when absent or null. */
int hull_oci_get(struct oci_ctx *c, json_object *o, const char *key, json_type type,
		 const char *field, json_object **out);
int hull_oci_get_string(struct oci_ctx *c, json_object *o, const char *key, const char *prefix,
			bool required, const char **out);
int hull_oci_get_bool(struct oci_ctx *c, json_object *o, const char *key, const char *prefix,
		      bool *out);
/* Unsigned integers; absent leaves *out as it is unless required. */
int hull_oci_get_u64(struct oci_ctx *c, json_object *o, const char *key, const char *prefix,
		     bool required, uint64_t *out);
int hull_oci_get_i64(struct oci_ctx *c, json_object *o, const char *key, const char *prefix,
		     bool *present, int64_t *out);

/* path made absolute against the bundle (owned by the caller). */
char *hull_oci_bundle_path(struct oci_ctx *c, const char *path);
/* An absolute path inside the container as a relative one ("/proc/kcore"
 * -> "proc/kcore"), refusing ".." and the root itself. */
int hull_oci_rel_path(struct oci_ctx *c, const char *path, const char *field, const char **out);
/* Keep s until hull_oci_config_free. */
int hull_oci_own(struct oci_ctx *c, char *s);

/* linux.resources (oci_resources.c) onto l. */
int hull_oci_parse_resources(struct oci_ctx *c, json_object *o, struct hull_limits *l);
/* blockIO, hugepageLimits, rdma (oci_blkio.c) onto l. */
int hull_oci_parse_blkio(struct oci_ctx *c, json_object *o, struct hull_limits *l);
int hull_oci_parse_hugetlb(struct oci_ctx *c, json_object *list, struct hull_limits *l);
int hull_oci_parse_rdma(struct oci_ctx *c, json_object *o, struct hull_limits *l);
/* linux.devices (oci_devices.c) onto spec->devices. */
int hull_oci_parse_devices(struct oci_ctx *c, json_object *list, struct hull_spec *spec);

/* hooks (oci_hooks.c): checked; cfg->hooks set. */
int hull_oci_parse_hooks(struct oci_ctx *c, json_object *o);

/* linux.seccomp (oci_seccomp.c); sets spec's HULL_SECCOMP_PROFILE. */
int hull_oci_parse_seccomp(struct oci_ctx *c, json_object *o, struct hull_spec *spec);
void hull_oci_seccomp_free(struct hull_seccomp_profile *p);

int hull_oci_parse_linux(struct oci_ctx *c, json_object *o, struct hull_spec *spec);

#endif
