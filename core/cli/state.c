/* state.c — `hull state ID`: the OCI state JSON on stdout. */
#include "cli.h"
#include "oci.h"

#include <stdlib.h>

int cli_state(int argc, char **argv, const struct cli_globals *g)
{
	const char *id = cli_one_id(argc, argv, g);
	struct hull_err err = { 0 };
	char *json;

	if (!id)
		return CLI_EXIT_FAIL;
	if (hull_oci_state(g->root, id, &json, &err) < 0)
		return cli_fail(g, &err);
	printf("%s\n", json);
	free(json);
	return 0;
}
