/* create.c — `hull create [--bundle DIR] [--pid-file F] [--console-socket S] ID`:
 * set an OCI container up; its process waits for `hull start`. */
#include "cli.h"
#include "oci.h"

#include <getopt.h>
#include <string.h>

int cli_parse_create(int argc, char **argv, struct hull_oci_create_opts *o,
		     const struct cli_globals *g)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		CLI_PROCESS_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->root = g->root;
	o->bundle = ".";
	o->systemd_cgroup = g->systemd_cgroup;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:b:", opts, NULL)) != -1) {
		if (c == 'b')
			o->bundle = optarg;
		else if (cli_process_option(c, argv, &o->pid_file, &o->console_socket, g) != 0)
			return CLI_EXIT_FAIL;
	}
	if (optind != argc - 1)
		return cli_error(g, "%s needs exactly one container id", argv[0]);
	o->id = argv[optind];
	return 0;
}

int cli_create(int argc, char **argv, const struct cli_globals *g)
{
	struct hull_oci_create_opts o;
	struct hull_err err = { 0 };

	if (cli_parse_create(argc, argv, &o, g) != 0)
		return CLI_EXIT_FAIL;
	if (hull_oci_create(&o, &err) < 0)
		return cli_fail(g, &err);
	return 0;
}
