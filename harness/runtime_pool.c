/* runtime_pool.c — the hull-pool runtimes: a pool started once per
 * prepared launch, each container one `hull run --pool`; see
 * runtime_pool.h. */
#include "runtime_pool.h"
#include "ns.h"
#include "pool.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* hull-pool: the command goes to a slot of the pool setup started. */
int hh_build_hull_pool(struct hh_argv *a, struct hh_launch *l, struct hull_err *err)
{
	static unsigned counter;
	const struct hh_launch_config *c = &l->cfg;

	(void)err;
	snprintf(l->pool, sizeof(l->pool), "hh-%d-%u", (int)getpid(),
		 __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
	hh_argv_add(a, l->runtime_bin);
	hh_argv_add(a, "run");
	hh_argv_add(a, "--pool");
	hh_argv_add(a, l->pool);
	hh_argv_add(a, "--wait");
	if (c->trace_fd >= 0) {
		hh_argv_add(a, "--trace-fd");
		hh_argv_addf(a, "%d", c->trace_fd);
	}
	hh_argv_add(a, "--");
	hh_argv_add_all(a, (const char *const *)c->argv);
	return 0;
}

int hh_setup_hull_pool(struct hh_launch *l, struct hull_err *err)
{
	const struct hh_launch_config *c = &l->cfg;
	struct hh_step_result res;
	char ns[128], size[16];
	char *argv[32];
	int n = 0;

	hull_ns_format(l->ns_effective, ns, sizeof(ns));
	snprintf(size, sizeof(size), "%u", c->pool_size ? c->pool_size : HULL_POOL_DEFAULT_SIZE);
	argv[n++] = l->runtime_bin;
	argv[n++] = "pool";
	argv[n++] = "start";
	argv[n++] = l->pool;
	argv[n++] = "--size";
	argv[n++] = size;
	argv[n++] = "--ns";
	argv[n++] = ns;
	for (const char *const *o = l->rt->options; o && *o && n < 24; o++)
		argv[n++] = (char *)*o;
	if (c->hostname && (l->ns_effective & CLONE_NEWUTS)) {
		argv[n++] = "--hostname";
		argv[n++] = (char *)c->hostname;
	}
	argv[n++] = (char *)c->rootfs;
	argv[n] = NULL;
	/* `pool start` returns once every slot is ready: each is a full
	 * start, so a big pool on a loaded machine takes a while. */
	int per_run_ms = l->cfg.timeout_ms;
	l->cfg.timeout_ms =
		60000 + 500 * (int)(c->pool_size ? c->pool_size : HULL_POOL_DEFAULT_SIZE);
	int ret = hh_launch_step(l, argv, &res, err);
	l->cfg.timeout_ms = per_run_ms;
	if (ret < 0)
		return ret;
	if (res.exit_code != 0) {
		res.err[strcspn(res.err, "\n")] = '\0';
		return hull_fail(err, 0, "cannot start pool '%s': %s", l->pool, res.err);
	}
	return 0;
}

void hh_teardown_hull_pool(struct hh_launch *l)
{
	struct hh_step_result res;
	struct hull_err err;
	char *argv[] = { l->runtime_bin, "pool", "stop", l->pool, NULL };

	if (l->pool[0])
		hh_launch_step(l, argv, &res, &err);
}
