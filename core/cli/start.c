/* start.c — `hull start ID`: run a created container's command. */
#include "cli.h"
#include "oci.h"

int cli_start(int argc, char **argv, const struct cli_globals *g)
{
	const char *id = cli_one_id(argc, argv, g);
	struct hull_err err = { 0 };

	if (!id)
		return CLI_EXIT_FAIL;
	if (hull_oci_start(g->root, id, &err) < 0)
		return cli_fail(g, &err);
	cli_warn_if_any(g, &err);
	return 0;
}
