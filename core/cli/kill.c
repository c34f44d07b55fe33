/* kill.c — `hull kill [--all] ID [SIGNAL]`: signal the container (15, TERM
 * or SIGTERM; default SIGTERM), or with --all every process in its cgroup. */
#include "cli.h"
#include "oci.h"

#include <signal.h>
#include <string.h>

int cli_kill(int argc, char **argv, const struct cli_globals *g)
{
	struct hull_err err = { 0 };
	bool all = false;
	int i = 1, sig = SIGTERM;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--all") == 0 || strcmp(argv[i], "-a") == 0)
			all = true;
		else
			return cli_error(g, "unknown option '%s' to kill", argv[i]);
	}
	if (i >= argc || argc - i > 2)
		return cli_error(g, "usage: hull kill [--all] ID [SIGNAL]");
	if (argc - i == 2 && (sig = hull_oci_parse_signal(argv[i + 1])) < 0)
		return cli_error(g, "unknown signal '%s'", argv[i + 1]);
	if (hull_oci_kill(g->root, argv[i], sig, all, &err) < 0)
		return cli_fail(g, &err);
	return 0;
}
