/* exec.c — `hull exec [--detach] [--pid-file F] [--tty --console-socket S]
 * (--process JSON | [-e K=V] [--cwd D]) ID [CMD...]`: one more process in a
 * running container. */
#include "cli.h"
#include "oci.h"

#include <getopt.h>
#include <string.h>

static int parse_exec(int argc, char **argv, struct hull_oci_exec_opts *o,
		      const struct cli_globals *g)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "detach", no_argument, NULL, 'd' },
		{ "tty", no_argument, NULL, 't' },
		{ "env", required_argument, NULL, 'e' },
		{ "cwd", required_argument, NULL, CLI_OPT_VERB },
		CLI_PROCESS_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->root = g->root;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:p:dte:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->process = optarg;
			break;
		case 'd':
			o->detach = true;
			break;
		case 't':
			o->tty = true;
			break;
		case 'e':
			if (o->n_env >= HULL_MAX_ENV)
				return cli_error(g, "too many --env options (at most %d)",
						 HULL_MAX_ENV);
			o->env[o->n_env++] = optarg;
			break;
		case CLI_OPT_VERB: /* --cwd */
			o->cwd = optarg;
			break;
		default:
			if (cli_process_option(c, argv, &o->pid_file, &o->console_socket, g) != 0)
				return CLI_EXIT_FAIL;
		}
	}
	if (optind >= argc)
		return cli_error(g, "exec needs a container id");
	o->id = argv[optind++];
	o->argv = argv + optind;
	o->argc = argc - optind;
	if (!o->process && o->argc == 0)
		return cli_error(g, "exec needs --process FILE or a command after the id");
	if (o->process && o->argc)
		return cli_error(g, "exec takes --process FILE or a command, not both");
	return 0;
}

int cli_exec(int argc, char **argv, const struct cli_globals *g)
{
	struct hull_oci_exec_opts o;
	struct hull_err err = { 0 };

	if (parse_exec(argc, argv, &o, g) != 0)
		return CLI_EXIT_FAIL;
	int status = hull_oci_exec(&o, &err);
	if (status < 0) {
		cli_fail(g, &err);
		return err.exit_code ? err.exit_code : CLI_EXIT_FAIL;
	}
	return status;
}
