/* create.c — `hull create [--bundle DIR] [--pid-file F] [--console-socket S] ID`:
 * set an OCI container up; its process waits for `hull start`. */
#include "cli.h"
#include "oci.h"

#include <getopt.h>
#include <string.h>

int cli_parse_create(int argc, char **argv, struct hull_oci_create_opts *o,
		     const struct cli_globals *g)
{
	enum { OPT_PID_FILE = 256, OPT_CONSOLE, OPT_NO_KEYRING, OPT_PRESERVE };
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE },
		{ "no-new-keyring", no_argument, NULL, OPT_NO_KEYRING },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE },
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
		switch (c) {
		case 'b':
			o->bundle = optarg;
			break;
		case OPT_PID_FILE:
			o->pid_file = optarg;
			break;
		case OPT_CONSOLE:
			o->console_socket = optarg;
			break;
		case OPT_NO_KEYRING:
			break; /* hull never makes a session keyring */
		case OPT_PRESERVE:
			if (strcmp(optarg, "0") != 0)
				return cli_error(g, "unsupported option '--preserve-fds %s' to %s",
						 optarg, argv[0]);
			break;
		case ':':
			return cli_error(g, "option '%s' requires an argument", argv[optind - 1]);
		default:
			return cli_error(g, "unknown option '%s' to %s", argv[optind - 1], argv[0]);
		}
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
