/* oci_resources.c — linux.resources (config.json) and the resources JSON of
 * `hull update --resources`: memory, cpu, pids and device cgroup rules onto
 * struct hull_limits. A field hull cannot apply is refused by name. */
#include "oci_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_memory(struct oci_ctx *c, json_object *o, struct hull_limits *l)
{
	static const char *const known[] = {
		"limit",  "swap",      "reservation", "swappiness", "disableOOMKiller",
		"kernel", "kernelTCP", NULL
	};
	const char *f = "linux.resources.memory";
	int64_t v;
	uint64_t u = UINT64_MAX;
	bool present;
	int ret;

	if (!o)
		return 0;
	if ((ret = hull_oci_check_keys(c, o, f, known)) < 0 ||
	    (ret = hull_oci_get_i64(c, o, "limit", f, &present, &v)) < 0)
		return ret;
	if (present && v > 0)
		l->memory = v;
	if ((ret = hull_oci_get_i64(c, o, "swap", f, &present, &v)) < 0)
		return ret;
	/* OCI's swap is memory + swap, as --memory-swap. */
	if (present && (v > 0 || v == -1))
		l->memory_swap = v;
	if ((ret = hull_oci_get_i64(c, o, "reservation", f, &present, &v)) < 0)
		return ret;
	if (present && v > 0)
		l->memory_reservation = v;
	if ((ret = hull_oci_get_u64(c, o, "swappiness", f, false, &u)) < 0)
		return ret;
	/* runc and the kernel: 0 to 100; the Go default (-1 as uint64) is unset. */
	if (u != UINT64_MAX) {
		if (u > 100)
			return hull_oci_invalid(c, "linux.resources.memory.swappiness", "0 to 100");
		l->swappiness = (int)u;
		l->swappiness_set = true;
	}
	/* Kernel memory (v1 only; the spec calls kernel NOT RECOMMENDED): -1
	 * is unlimited as in the kernel's files, 0 unset. */
	if ((ret = hull_oci_get_i64(c, o, "kernel", f, &present, &v)) < 0)
		return ret;
	if (present && (v > 0 || v == -1))
		l->memory_kernel = v;
	if ((ret = hull_oci_get_i64(c, o, "kernelTCP", f, &present, &v)) < 0)
		return ret;
	if (present && (v > 0 || v == -1))
		l->memory_kernel_tcp = v;
	return hull_oci_get_bool(c, o, "disableOOMKiller", f, &l->disable_oom_killer);
}

static int parse_cpu(struct oci_ctx *c, json_object *o, struct hull_limits *l)
{
	static const char *const known[] = { "quota",  "period",	  "cpus",	    "mems",
					     "shares", "realtimeRuntime", "realtimePeriod", NULL };
	int64_t quota = 0, rt_runtime = 0;
	uint64_t period = 0, shares = 0, rt_period = 0;
	bool present;
	const char *cpus, *mems;
	int ret;

	if (!o)
		return 0;
	if ((ret = hull_oci_check_keys(c, o, "linux.resources.cpu", known)) < 0 ||
	    (ret = hull_oci_get_i64(c, o, "quota", "linux.resources.cpu", &present, &quota)) < 0 ||
	    (ret = hull_oci_get_u64(c, o, "period", "linux.resources.cpu", false, &period)) < 0 ||
	    (ret = hull_oci_get_u64(c, o, "shares", "linux.resources.cpu", false, &shares)) < 0 ||
	    (ret = hull_oci_get_string(c, o, "cpus", "linux.resources.cpu", false, &cpus)) < 0 ||
	    (ret = hull_oci_get_string(c, o, "mems", "linux.resources.cpu", false, &mems)) < 0 ||
	    (ret = hull_oci_get_i64(c, o, "realtimeRuntime", "linux.resources.cpu", &present,
				    &rt_runtime)) < 0 ||
	    (ret = hull_oci_get_u64(c, o, "realtimePeriod", "linux.resources.cpu", false,
				    &rt_period)) < 0)
		return ret;
	/* The kernel's CFS bounds: 1 ms to 1 s for the period, 1 ms up for the quota. */
	if (period && (period < 1000 || period > 1000000))
		return hull_oci_invalid(c, "linux.resources.cpu.period", "1000 to 1000000 µs");
	if (quota > 0 && quota < 1000)
		return hull_oci_invalid(c, "linux.resources.cpu.quota", "at least 1000 µs");
	if (quota > 0)
		l->cpu_quota_us = (uint64_t)quota;
	l->cpu_period_us = period;
	l->cpu_rt_runtime_us = rt_runtime;
	l->cpu_rt_period_us = rt_period;
	if (mems && mems[0]) {
		if ((ret = hull_check_cpuset(mems, c->err)) < 0)
			return ret;
		l->cpuset_mems = mems;
	}
	/* The kernel's v1 range; CRI sandboxes send 2. */
	if (shares && (shares < 2 || shares > 262144))
		return hull_oci_invalid(c, "linux.resources.cpu.shares", "2 to 262144");
	l->cpu_shares = shares;
	if (cpus && cpus[0]) {
		if ((ret = hull_check_cpuset(cpus, c->err)) < 0)
			return ret;
		l->cpuset = cpus;
	}
	return 0;
}

/* One of linux.resources.devices: {allow, type, major, minor, access}. */
static int parse_dev_rule(struct oci_ctx *c, json_object *d, const char *field,
			  struct hull_dev_rule *r)
{
	static const char *const known[] = { "allow", "access", "type", "major", "minor", NULL };
	const char *type = NULL, *access = NULL;
	bool present;
	int ret;

	if (!json_object_is_type(d, json_type_object))
		return hull_oci_invalid(c, field, "an object");
	*r = (struct hull_dev_rule){ .type = 'a', .major = -1, .minor = -1 };
	if ((ret = hull_oci_check_keys(c, d, field, known)) < 0 ||
	    (ret = hull_oci_get_bool(c, d, "allow", field, &r->allow)) < 0 ||
	    (ret = hull_oci_get_string(c, d, "type", field, false, &type)) < 0 ||
	    (ret = hull_oci_get_string(c, d, "access", field, false, &access)) < 0 ||
	    (ret = hull_oci_get_i64(c, d, "major", field, &present, &r->major)) < 0 ||
	    (!present && (r->major = -1, 0)) ||
	    (ret = hull_oci_get_i64(c, d, "minor", field, &present, &r->minor)) < 0 ||
	    (!present && (r->minor = -1, 0)))
		return ret;
	if (type && type[0]) {
		if (strlen(type) != 1 || !strchr("acbu", type[0]))
			return hull_oci_invalid(c, field, "type 'a', 'c' or 'b'");
		/* "u" (unbuffered) is the kernel's 'c'. */
		r->type = type[0] == 'u' ? 'c' : type[0];
	}
	if (r->major < -1 || r->major > 0xfff || r->minor < -1 || r->minor > 0xfffff)
		return hull_oci_invalid(c, field, "major and minor device numbers");
	if (access && access[0]) {
		if (strlen(access) > 3 || strspn(access, "rwm") != strlen(access))
			return hull_oci_invalid(c, field, "access of 'r', 'w' and 'm'");
		snprintf(r->access, sizeof(r->access), "%s", access);
	} else {
		snprintf(r->access, sizeof(r->access), "rwm");
	}
	return 0;
}

/* Appended after the config's rules, as runc does: the nodes hull's own /dev
 * holds stay usable (a config that denies everything still gets a working
 * /dev/null), and mknod alone is allowed (it opens nothing). */
static const struct hull_dev_rule default_rules[] = {
	{ true, 'c', -1, -1, "m" },    { true, 'b', -1, -1, "m" }, { true, 'c', 1, 3, "rwm" },
	{ true, 'c', 1, 5, "rwm" },    { true, 'c', 1, 7, "rwm" }, { true, 'c', 1, 8, "rwm" },
	{ true, 'c', 1, 9, "rwm" },    { true, 'c', 5, 0, "rwm" }, { true, 'c', 5, 2, "rwm" },
	{ true, 'c', 136, -1, "rwm" },
};
#define N_DEFAULT_RULES (sizeof(default_rules) / sizeof(default_rules[0]))

static int parse_devices(struct oci_ctx *c, json_object *list, struct hull_limits *l)
{
	size_t n = list ? json_object_array_length(list) : 0;
	char field[64];
	int ret;

	if (!n)
		return 0;
	free(c->cfg->dev_rules);
	c->cfg->dev_rules = calloc(n + N_DEFAULT_RULES, sizeof(*c->cfg->dev_rules));
	if (!c->cfg->dev_rules)
		return hull_fail(c->err, ENOMEM, "cannot parse '%s'", c->file);
	for (size_t i = 0; i < n; i++) {
		snprintf(field, sizeof(field), "linux.resources.devices[%zu]", i);
		ret = parse_dev_rule(c, json_object_array_get_idx(list, i), field,
				     &c->cfg->dev_rules[i]);
		if (ret < 0)
			return ret;
	}
	memcpy(c->cfg->dev_rules + n, default_rules, sizeof(default_rules));
	l->dev_rules = c->cfg->dev_rules;
	l->n_dev_rules = n + N_DEFAULT_RULES;
	return 0;
}

int hull_oci_parse_resources(struct oci_ctx *c, json_object *o, struct hull_limits *l)
{
	static const char *const known[] = { "memory",	       "cpu",  "pids", "devices", "blockIO",
					     "hugepageLimits", "rdma", NULL };
	static const char *const pids_known[] = { "limit", NULL };
	json_object *v;
	int64_t pids = 0;
	bool present;
	int ret;

	if (!o)
		return 0;
	if ((ret = hull_oci_check_keys(c, o, "linux.resources", known)) < 0 ||
	    (ret = hull_oci_get(c, o, "memory", json_type_object, "linux.resources.memory", &v)) <
		    0 ||
	    (ret = parse_memory(c, v, l)) < 0 ||
	    (ret = hull_oci_get(c, o, "cpu", json_type_object, "linux.resources.cpu", &v)) < 0 ||
	    (ret = parse_cpu(c, v, l)) < 0 ||
	    (ret = hull_oci_get(c, o, "devices", json_type_array, "linux.resources.devices", &v)) <
		    0 ||
	    (ret = parse_devices(c, v, l)) < 0 ||
	    (ret = hull_oci_get(c, o, "blockIO", json_type_object, "linux.resources.blockIO", &v)) <
		    0 ||
	    (ret = hull_oci_parse_blkio(c, v, l)) < 0 ||
	    (ret = hull_oci_get(c, o, "hugepageLimits", json_type_array,
				"linux.resources.hugepageLimits", &v)) < 0 ||
	    (ret = hull_oci_parse_hugetlb(c, v, l)) < 0 ||
	    (ret = hull_oci_get(c, o, "rdma", json_type_object, "linux.resources.rdma", &v)) < 0 ||
	    (ret = hull_oci_parse_rdma(c, v, l)) < 0 ||
	    (ret = hull_oci_get(c, o, "pids", json_type_object, "linux.resources.pids", &v)) < 0)
		return ret;
	if (v &&
	    ((ret = hull_oci_check_keys(c, v, "linux.resources.pids", pids_known)) < 0 ||
	     (ret = hull_oci_get_i64(c, v, "limit", "linux.resources.pids", &present, &pids)) < 0))
		return ret;
	if (pids > 0)
		l->pids = pids;
	return 0;
}

int hull_oci_resources_parse(const char *text, const char *file, struct hull_oci_config *cfg,
			     struct hull_limits *l, struct hull_err *err)
{
	struct oci_ctx c = { .cfg = cfg, .err = err, .file = file };
	enum json_tokener_error jerr;

	memset(cfg, 0, sizeof(*cfg));
	cfg->root = json_tokener_parse_verbose(text, &jerr);
	if (!cfg->root)
		return hull_fail(err, 0, "cannot parse '%s': %s", file,
				 json_tokener_error_desc(jerr));
	if (!json_object_is_type(cfg->root, json_type_object))
		return hull_fail(err, 0, "cannot parse '%s': not a JSON object", file);
	int ret = hull_oci_parse_resources(&c, cfg->root, l);
	/* Device rules are checked but stay as created: containerd's CRI sends
	 * the container's whole resources back, rules included, and runc's
	 * update leaves them alone too (documented in core/oci/README.md). */
	l->dev_rules = NULL;
	l->n_dev_rules = 0;
	return ret;
}
