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
	enum { OPT_PROCESS = 256, OPT_PID_FILE, OPT_CONSOLE, OPT_CWD, OPT_IGNORED, OPT_PRESERVE };
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "detach", no_argument, NULL, 'd' },
		{ "tty", no_argument, NULL, 't' },
		{ "env", required_argument, NULL, 'e' },
		{ "pid-file", required_argument, NULL, OPT_PID_FILE },
		{ "console-socket", required_argument, NULL, OPT_CONSOLE },
		{ "cwd", required_argument, NULL, OPT_CWD },
		{ "no-new-keyring", no_argument, NULL, OPT_IGNORED },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE },
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
		case OPT_PID_FILE:
			o->pid_file = optarg;
			break;
		case OPT_CONSOLE:
			o->console_socket = optarg;
			break;
		case OPT_CWD:
			o->cwd = optarg;
			break;
		case OPT_IGNORED:
			break;
		case OPT_PRESERVE:
			if (strcmp(optarg, "0") != 0)
				return cli_error(g,
						 "unsupported option '--preserve-fds %s' to exec",
						 optarg);
			break;
		case ':':
			return cli_error(g, "option '%s' requires an argument", argv[optind - 1]);
		default:
			return cli_error(g, "unknown option '%s' to exec", argv[optind - 1]);
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
