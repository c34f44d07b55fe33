/* oci_config.h — an OCI bundle's config.json onto struct hull_spec.
 *
 * Parsed with Debian's json-c. Every field hull can honour is mapped onto
 * the same struct hull_spec the flag CLI fills (so both share validation
 * and the container start); every field it cannot is refused with its name
 * ("unsupported field 'linux.intelRdt' in '/b/config.json'"), never
 * ignored. A field that asks for nothing (null, false, "", [] or {}) is not
 * a request and passes. */
#ifndef HULL_OCI_CONFIG_H
#define HULL_OCI_CONFIG_H

#include "error.h"
#include "spec.h"

#include <stdbool.h>

struct json_object;
struct json_tokener;

struct hull_oci_config {
	struct json_object *root; /* owns every string the spec points to */
	char *bundle;		  /* absolute */
	char *file;		  /* <bundle>/config.json, for messages */
	char *rootfs;		  /* root.path made absolute (in owned) */
	char **argv;		  /* process.args, NULL-terminated */
	struct hull_mount *mounts;
	struct hull_rlimit *rlimits;
	struct hull_sysctl *sysctls;
	const char **masked, **readonly; /* NULL-terminated, relative */
	char **owned;			 /* strings made here (bind sources...) */
	size_t n_owned;
	struct json_object *annotations;      /* borrowed from root, or NULL */
	struct hull_seccomp_profile *seccomp; /* linux.seccomp, or NULL */
	bool terminal;
	char *cgroup_parent, *cgroup_name; /* from linux.cgroupsPath, or NULL */
	const char *cgroups_path;	   /* linux.cgroupsPath as given, or NULL */
	struct hull_dev_rule *dev_rules;   /* linux.resources.devices */
	struct hull_dev_node *devices;	   /* linux.devices */
	struct json_object *hooks;	   /* borrowed from root, or NULL */
	struct json_tokener *tok;	   /* root's parser, freed with it */
};

/* Read <bundle>/config.json into cfg and spec (hull_spec_init'ed first by
 * the caller; spec then points into cfg, which must outlive it). */
int hull_oci_config_load(const char *bundle, struct hull_oci_config *cfg, struct hull_spec *spec,
			 struct hull_err *err);

/* A process.user that is hull's own ids already (real, effective and
 * saved uid and gid, and membership of exactly its gid and
 * additionalGids: the supplementary groups plus the gid), with no user
 * namespace in between, is no switch:
 * unset, so the container's process makes no setgroups, setgid and setuid
 * (each a signal-blocked round of musl's set*id: 12 system calls before
 * the exec of every `runc spec`-style container that root starts). */
void hull_oci_skip_noop_user_switch(struct hull_spec *spec);

/* The same from text (tests, fuzzing); bundle names the directory that
 * relative paths are taken from. */
int hull_oci_config_parse(const char *text, const char *bundle, struct hull_oci_config *cfg,
			  struct hull_spec *spec, struct hull_err *err);

/* A process object alone (hull exec --process): args, env, cwd, user,
 * capabilities, rlimits, noNewPrivileges, terminal; file names it in
 * messages. */
int hull_oci_process_parse(const char *text, const char *file, struct hull_oci_config *cfg,
			   struct hull_spec *spec, struct hull_err *err);

/* The resources JSON of `hull update --resources` (a linux.resources
 * object) onto l: what it leaves out stays unset (0). Device rules are
 * checked, not returned. */
int hull_oci_resources_parse(const char *text, const char *file, struct hull_oci_config *cfg,
			     struct hull_limits *l, struct hull_err *err);

void hull_oci_config_free(struct hull_oci_config *cfg);

/* The default config.json `hull spec` writes: a shell in rootfs, the
 * namespaces, masks and capabilities of hull run. Caller frees. */
char *hull_oci_default_config(const char *rootfs);

/* Write it as <bundle>/config.json, which must not exist yet. */
int hull_oci_write_default_config(const char *bundle, const char *rootfs, struct hull_err *err);

#endif
