/* common.c — printing errors the way every verb does, and the options
 * create and exec share; see cli.h. */
#include "cli.h"
#include "oci.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One line on stderr and into --log, at level ("error" or "warning"). */
static void report(const struct cli_globals *g, const char *level, const char *msg)
{
	bool warning = level[0] == 'w';
	fprintf(stderr, "hull: %s%s\n", warning ? "warning: " : "", msg);
	FILE *log = g->log ? fopen(g->log, "ae") : NULL;
	if (!log)
		return;
	if (g->log_json) {
		char when[40];
		hull_oci_now_rfc3339(when, sizeof(when));
		json_object *o = json_object_new_object();
		json_object_object_add(o, "level", json_object_new_string(level));
		json_object_object_add(o, "msg", json_object_new_string(msg));
		json_object_object_add(o, "time", json_object_new_string(when));
		fprintf(log, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		fprintf(log, "hull: %s%s\n", warning ? "warning: " : "", msg);
	}
	fclose(log);
}

int cli_error(const struct cli_globals *g, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(g, "error", msg);
	return CLI_EXIT_FAIL;
}

void cli_warn_if_any(const struct cli_globals *g, const struct hull_err *err)
{
	if (err->msg[0])
		report(g, "warning", err->msg);
}

int cli_fail(const struct cli_globals *g, const struct hull_err *err)
{
	return cli_error(g, "%s", err->msg);
}

const char *cli_one_id(int argc, char **argv, const struct cli_globals *g)
{
	if (argc == 2 && argv[1][0] != '-')
		return argv[1];
	if (argc >= 2 && argv[1][0] == '-')
		cli_error(g, "unknown option '%s' to %s", argv[1], argv[0]);
	else
		cli_error(g, "%s needs exactly one container id", argv[0]);
	return NULL;
}

int cli_process_option(int c, char **argv, const char **pid_file, const char **console_socket,
		       const struct cli_globals *g)
{
	switch (c) {
	case CLI_OPT_PID_FILE:
		*pid_file = optarg;
		return 0;
	case CLI_OPT_CONSOLE:
		*console_socket = optarg;
		return 0;
	case CLI_OPT_NO_KEYRING:
		return 0;
	case CLI_OPT_PRESERVE:
		if (strcmp(optarg, "0") != 0)
			return cli_error(g, "unsupported option '--preserve-fds %s' to %s", optarg,
					 argv[0]);
		return 0;
	case ':':
		return cli_error(g, "option '%s' requires an argument", argv[optind - 1]);
	default:
		return cli_error(g, "unknown option '%s' to %s", argv[optind - 1], argv[0]);
	}
}
