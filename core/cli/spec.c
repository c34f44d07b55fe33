/* spec.c — `hull spec [--bundle DIR] [--rootfs PATH]`: write a default
 * config.json (what `hull run` gives a container). */
#include "cli.h"
#include "oci_config.h"

#include <string.h>

int cli_spec(int argc, char **argv, const struct cli_globals *g)
{
	const char *bundle = ".", *rootfs = "rootfs";
	struct hull_err err = { 0 };

	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "--bundle") == 0 || strcmp(argv[i], "-b") == 0) &&
		    i + 1 < argc)
			bundle = argv[++i];
		else if (strcmp(argv[i], "--rootfs") == 0 && i + 1 < argc)
			rootfs = argv[++i];
		else
			return cli_error(g, "unknown argument '%s' to spec", argv[i]);
	}
	if (hull_oci_write_default_config(bundle, rootfs, &err) < 0)
		return cli_fail(g, &err);
	return 0;
}
