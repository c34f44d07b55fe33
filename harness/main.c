/* main.c — hull-harness: isolation verdicts, the namespace matrix and
 * startup latency, one subcommand each. */
#include "commands.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *what;
} commands[] = {
	{ "isolate", hh_cmd_isolate, "run one container with the probe and judge its isolation" },
	{ "matrix", hh_cmd_matrix, "isolation verdicts over namespace combinations and runtimes" },
	{ "latency", hh_cmd_latency, "startup latency statistics across runtimes" },
	{ "gate", hh_cmd_gate, "CI regression gate: latency ratios and isolation vs a baseline" },
	{ "network", hh_cmd_network,
	  "hull's --network modes checked from inside (own net namespace)" },
};

static void usage(FILE *out)
{
	fputs("Usage:\n hull-harness COMMAND [options]\n\nCommands:\n", out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, " %-10s %s\n", commands[i].name, commands[i].what);
	fputs("\nRun 'hull-harness COMMAND --help' for its options.\n", out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "hull-harness: unknown command '%s'\n", argv[1]);
	return 2;
}
