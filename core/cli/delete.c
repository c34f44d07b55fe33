/* delete.c — `hull delete [--force] ID`: remove a stopped container
 * (--force: kill it first; no container is then no error). */
#include "cli.h"
#include "oci.h"

#include <string.h>

int cli_delete(int argc, char **argv, const struct cli_globals *g)
{
	struct hull_err err = { 0 };
	bool force = false;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--force") == 0 || strcmp(argv[i], "-f") == 0)
			force = true;
		else
			return cli_error(g, "unknown option '%s' to delete", argv[i]);
	}
	if (argc - i != 1)
		return cli_error(g, "delete needs exactly one container id");
	if (hull_oci_delete(g->root, argv[i], force, &err) < 0)
		return cli_fail(g, &err);
	cli_warn_if_any(g, &err);
	return 0;
}
