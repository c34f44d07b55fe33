/* matrix_cells.c — which cells the matrix runs: for hull all 256
 * namespace subsets x {pivot_root, chroot}, for every other runtime a
 * chosen set of namespace combinations, deduplicated by what the runtime
 * would actually get; and which runtimes take part. */
#include "matrix.h"
#include "ns.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void push(struct spec_list *l, struct cell_spec s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v) {
			perror("hull-harness");
			exit(2);
		}
	}
	l->v[l->n++] = s;
}

static void add_hull_cells(struct spec_list *l)
{
	for (uint64_t combo = 0; combo < (1u << hull_ns_count); combo++) {
		uint64_t ns = 0;
		for (size_t b = 0; b < hull_ns_count; b++)
			if (combo & (1u << b))
				ns |= hull_ns_table[b].flag;
		for (int chroot = 0; chroot < 2; chroot++) {
			struct cell_spec s = { .runtime = "hull", .ns = ns, .chroot = chroot };
			if (!chroot && !(ns & CLONE_NEWNS)) {
				s.skip = true;
				s.skip_why = "pivot_root needs a mount namespace (hull falls back "
					     "to chroot)";
			}
			push(l, s);
		}
	}
}

/* A runtime that needs some namespaces (hull-pool: mnt and pid) gets
 * hull's subsets, pivot_root only: those without them are listed, not
 * run (the refusal itself is checked by hull-harness isolate and the
 * pool's tests). */
static void add_required_ns_cells(struct spec_list *l, const struct hh_runtime_info *rt)
{
	for (uint64_t combo = 0; combo < (1u << hull_ns_count); combo++) {
		uint64_t ns = 0;
		for (size_t b = 0; b < hull_ns_count; b++)
			if (combo & (1u << b))
				ns |= hull_ns_table[b].flag;
		struct cell_spec s = { .runtime = rt->name, .ns = ns };
		if ((ns & rt->ns_required) != rt->ns_required) {
			s.skip = true;
			s.skip_why =
				"a pool needs mnt and pid namespaces (hull pool start refuses)";
		}
		push(l, s);
	}
}

static void add_other_cells(struct spec_list *l, const struct hh_runtime_info *rt)
{
	const uint64_t sets[] = {
		HULL_NS_DEFAULT,
		CLONE_NEWNS,
		HULL_NS_DEFAULT & ~CLONE_NEWPID,
		HULL_NS_DEFAULT | CLONE_NEWUSER,
		HULL_NS_DEFAULT | CLONE_NEWCGROUP,
		HULL_NS_ALL,
		0,
	};
	uint64_t seen[8];
	size_t nseen = 0;
	uint64_t can = rt->ns_choosable | rt->ns_always;

	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		uint64_t want = sets[i] & can;
		/* "none" only where it means something: unshare with --root alone. */
		if (sets[i] == 0 && strcmp(rt->name, "unshare") != 0)
			continue;
		uint64_t eff = hh_launch_effective_ns(rt, want);
		bool dup = false;
		for (size_t j = 0; j < nseen; j++)
			dup |= seen[j] == eff;
		if (dup)
			continue;
		seen[nseen++] = eff;
		push(l, (struct cell_spec){ .runtime = rt->name, .ns = want });
	}
}

/* Whether rt is named in the -r list (by its name or its oci: spec). */
static bool listed(const char *runtimes, const struct hh_runtime_info *rt)
{
	char t[600];
	for (const char *p = runtimes; hh_runtime_list_next(&p, t, sizeof(t));)
		if (hh_runtime_lookup(t) == rt)
			return true;
	return false;
}

int hh_matrix_collect_cells(const char *runtimes, bool quiet, struct spec_list *specs)
{
	char why[256], t[600];

	/* Every name asked for must exist; oci: specs are registered here. */
	for (const char *p = runtimes; p && hh_runtime_list_next(&p, t, sizeof(t));)
		if (!hh_runtime_lookup(t)) {
			fprintf(stderr, "hull-harness: unknown runtime '%s'\n", t);
			free(specs->v);
			specs->v = NULL;
			return 2;
		}
	/* The cells, runtime by runtime in the order of the runtime table. */
	size_t nrt = hh_runtime_count();
	for (size_t r = 0; r < nrt; r++) {
		const struct hh_runtime_info *rt = hh_runtime_at(r);
		bool wanted = runtimes ? listed(runtimes, rt)
				       : strcmp(rt->name, "floor") != 0 && !rt->bench_only;
		if (!wanted)
			continue;
		if (!hh_runtime_available(rt->name, why, sizeof(why))) {
			if (runtimes || strcmp(rt->name, "hull") == 0) {
				fprintf(stderr, "hull-harness: runtime '%s' is not available: %s\n",
					rt->name, why);
				free(specs->v);
				specs->v = NULL;
				return 2;
			}
			if (!quiet)
				fprintf(stderr, "matrix: skipping %s: %s\n", rt->name, why);
			continue;
		}
		if (strcmp(rt->name, "hull") == 0)
			add_hull_cells(specs);
		else if (rt->ns_required)
			add_required_ns_cells(specs, rt);
		else
			add_other_cells(specs, rt);
	}
	if (!specs->n) {
		fputs("hull-harness: no cells to run\n", stderr);
		free(specs->v);
		specs->v = NULL;
		return 2;
	}
	return 0;
}
