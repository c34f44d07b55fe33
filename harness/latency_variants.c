/* latency_variants.c — what `hull-harness latency` measures: the variants
 * of each suite (the runtime comparison, hull and the floor per namespace,
 * hull under concurrency, the engine path) and the --runtimes list. */
#include "latency_bench.h"
#include "ns.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The runtime comparison, in the order of the report. */
static const struct {
	const char *label, *runtime;
	bool chroot, fork, traced;
} known_variants[] = {
	{ "bare", "bare", false, false, false },
	{ "floor", "floor", false, false, false },
	{ "hull", "hull", false, false, true },
	{ "hull-fork", "hull", false, true, true },
	{ "hull-chroot", "hull", true, false, true },
	{ "hull-privileged", "hull-privileged", false, false, true },
	{ "hull-limits", "hull-limits", false, false, true },
	{ "hull-pool", "hull-pool", false, false, true },
	{ "hull-pool-limits", "hull-pool-limits", false, false, true },
	{ "hull-oci", "hull-oci", false, false, false },
	{ "seed", "seed", false, false, false },
	{ "unshare", "unshare", false, false, false },
	{ "bwrap", "bwrap", false, false, false },
	{ "crun", "crun", false, false, false },
	{ "crun-cgroupfs", "crun-cgroupfs", false, false, false },
	{ "runc", "runc", false, false, false },
};

bool hh_lat_wanted(const char *list, const char *label)
{
	char t[600];

	if (!list || !*list || strcmp(list, "all") == 0)
		return true;
	for (const char *p = list; hh_runtime_list_next(&p, t, sizeof(t));)
		if (strcmp(t, label) == 0 || strcmp(t, "all") == 0)
			return true;
	return false;
}

/* Every item is a variant label, "all", or an OCI runtime by path
 * (oci:PATH[,name=..][,args=..]), registered here. */
int hh_lat_check_runtime_list(const char *list)
{
	char t[600];

	for (const char *p = list; hh_runtime_list_next(&p, t, sizeof(t));) {
		bool ok = strcmp(t, "all") == 0;
		for (size_t i = 0; i < N_ELEMS(known_variants) && !ok; i++)
			ok = strcmp(t, known_variants[i].label) == 0;
		if (!ok && strncmp(t, "oci:", 4) == 0)
			ok = hh_runtime_lookup(t) != NULL;
		if (!ok) {
			fprintf(stderr, "hull-harness: unknown runtime '%s'\n", t);
			return -1;
		}
	}
	return 0;
}

/* The OCI runtimes given by path, after the known ones, in list order. */
static void add_oci_variants(struct bench *b, const char *list)
{
	char t[600];

	for (const char *p = list; p && hh_runtime_list_next(&p, t, sizeof(t));) {
		const struct hh_runtime_info *rt =
			strncmp(t, "oci:", 4) == 0 ? hh_runtime_lookup(t) : NULL;
		if (rt)
			hh_lat_add_variant(b, SUITE_RUNTIMES, rt->name, t, b->o.ns, false, false,
					   false);
	}
}

/* The engine path: hull's OCI interface, crun with cgroupfs and runc,
 * each with a cgroup of its own per container. */
static const struct {
	const char *label, *runtime;
} lifecycle_variants[] = {
	{ "hull", "hull-oci" },
	{ "crun-cgroupfs", "crun-cgroupfs" },
	{ "runc", "runc" },
};

void hh_lat_add_suites(struct bench *b)
{
	if (b->o.suites[SUITE_RUNTIMES])
		for (size_t i = 0; i < N_ELEMS(known_variants); i++)
			if (hh_lat_wanted(b->o.runtimes, known_variants[i].label))
				hh_lat_add_variant(b, SUITE_RUNTIMES, known_variants[i].label,
						   known_variants[i].runtime, b->o.ns,
						   known_variants[i].chroot, known_variants[i].fork,
						   known_variants[i].traced);
	if (b->o.suites[SUITE_RUNTIMES])
		add_oci_variants(b, b->o.runtimes);
	if (b->o.suites[SUITE_NAMESPACES]) {
		/* none, each namespace alone, the default set: hull and floor. */
		for (int k = -1; k <= (int)hull_ns_count; k++) {
			uint64_t ns = k < 0			? 0
				      : k == (int)hull_ns_count ? HULL_NS_DEFAULT
								: hull_ns_table[k].flag;
			if (k >= 0 && k < (int)hull_ns_count && !(b->o.ns_each & ns))
				continue;
			char label[128], list[96];
			hull_ns_format(ns, list, sizeof(list));
			snprintf(label, sizeof(label), "hull ns=%s", list);
			hh_lat_add_variant(b, SUITE_NAMESPACES, label, "hull", ns, false, false,
					   false);
			snprintf(label, sizeof(label), "floor ns=%s", list);
			hh_lat_add_variant(b, SUITE_NAMESPACES, label, "floor", ns, false, false,
					   false);
		}
	}
	if (b->o.suites[SUITE_CONCURRENCY])
		hh_lat_add_variant(b, SUITE_CONCURRENCY, "hull", "hull", b->o.ns, false, false,
				   false);
	if (b->o.suites[SUITE_LIFECYCLE])
		for (size_t i = 0; i < N_ELEMS(lifecycle_variants); i++) {
			if (!hh_lat_wanted(b->o.runtimes, lifecycle_variants[i].label))
				continue;
			struct variant *v = hh_lat_add_variant(
				b, SUITE_LIFECYCLE, lifecycle_variants[i].label,
				lifecycle_variants[i].runtime, b->o.ns, false, false, false);
			if (v)
				snprintf(v->cgroups_path, sizeof(v->cgroups_path),
					 "/hh-lifecycle-%d-%zu", (int)getpid(), i);
		}
}
