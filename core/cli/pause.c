/* pause.c — `hull pause ID` and `hull resume ID`: freeze or thaw the
 * container's cgroup. */
#include "cli.h"
#include "oci.h"

#include <stdbool.h>

static int pause_resume(int argc, char **argv, const struct cli_globals *g, bool frozen)
{
	struct hull_err err = { 0 };

	if (argc != 2 || argv[1][0] == '-')
		return cli_error(g, "%s needs exactly one container id", argv[0]);
	if ((frozen ? hull_oci_pause : hull_oci_resume)(g->root, argv[1], &err) < 0)
		return cli_fail(g, &err);
	return 0;
}

int cli_pause(int argc, char **argv, const struct cli_globals *g)
{
	return pause_resume(argc, argv, g, true);
}

int cli_resume(int argc, char **argv, const struct cli_globals *g)
{
	return pause_resume(argc, argv, g, false);
}
