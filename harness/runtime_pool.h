/* runtime_pool.h — the hull-pool runtimes of the table (runtimes.c):
 * their command line, and the pool that prepare starts and release stops
 * (core/lib/POOL.md). */
#ifndef HH_RUNTIME_POOL_H
#define HH_RUNTIME_POOL_H

#include "argv.h"
#include "driver.h"

/* hull run --pool P --wait [--trace-fd N] -- ARGV; names the pool P. */
int hh_build_hull_pool(struct hh_argv *a, struct hh_launch *l, struct hull_err *err);
/* hull pool start P --size N --ns LIST [the runtime's options] ROOTFS,
 * which returns once every slot is ready. */
int hh_setup_hull_pool(struct hh_launch *l, struct hull_err *err);
/* hull pool stop P. */
void hh_teardown_hull_pool(struct hh_launch *l);

#endif
