/* gc.c — `hull gc [--cgroup-parent PATH]`: remove the cgroups of hull runs
 * whose hull process is gone (e.g. SIGKILLed), killing anything still
 * inside them, the state of pools whose supervisor is gone, and the
 * address leases of killed hulls (their links went with their net
 * namespaces). */
#include "cli.h"
#include "cgroup.h"
#include "net.h"
#include "pool.h"

#include <string.h>

int cli_gc(int argc, char **argv, const struct cli_globals *g)
{
	struct hull_cg_mounts mounts;
	struct hull_err err = { 0 };
	const char *parent = HULL_DEFAULT_CGROUP_PARENT;

	(void)g;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--cgroup-parent") == 0 && i + 1 < argc) {
			parent = argv[++i];
		} else {
			fprintf(stderr, "hull: unknown argument '%s' to gc\n", argv[i]);
			return HULL_EXIT_RUNTIME;
		}
	}
	if (hull_cgroup_detect_self(&mounts, &err) < 0) {
		fprintf(stderr, "hull: %s\n", err.msg);
		return HULL_EXIT_RUNTIME;
	}
	int removed = hull_cgroup_gc(&mounts, parent, &err);
	printf("hull: removed %d stale cgroup%s\n", removed, removed == 1 ? "" : "s");
	if (!err.msg[0]) {
		int pools = hull_pool_gc(&err);
		if (pools > 0)
			printf("hull: removed the state of %d stopped pool%s\n", pools,
			       pools == 1 ? "" : "s");
	}
	int leases = hull_net_gc(HULL_NET_STATE_DIR, err.msg[0] ? NULL : &err);
	if (leases > 0)
		printf("hull: removed %d stale address lease%s\n", leases, leases == 1 ? "" : "s");
	if (err.msg[0]) {
		fprintf(stderr, "hull: %s\n", err.msg);
		return HULL_EXIT_RUNTIME;
	}
	return 0;
}
