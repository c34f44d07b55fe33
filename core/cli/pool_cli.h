/* pool_cli.h — `hull pool start|status|stop` and `hull run --pool`
 * (core/lib/POOL.md). */
#ifndef HULL_POOL_CLI_H
#define HULL_POOL_CLI_H

#include <stdbool.h>
#include <stdint.h>

/* argv[0] is "pool". */
int hull_cli_pool(int argc, char **argv);

/* Whether `hull run` was given --pool (before its command). */
bool hull_cli_is_pool_run(int argc, char **argv);
/* argv[0] is "run"; normal starts (the fallback) go through run_normal. */
int hull_cli_run_pool(int argc, char **argv, int (*run_normal)(int, char **, uint64_t),
		      uint64_t t_start);

#endif
