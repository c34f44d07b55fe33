/* ps.c — `hull ps [--format table|json] ID [PS ARGS]`, as containerd's runc
 * shim calls it: json is a JSON array of the container's pids (`ctr task
 * ps`), table the host's `ps ARGS` (default -ef) filtered to them, as runc
 * prints it. */
#include "cli.h"
#include "oci.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* The host's `ps ARGS` (default -ef): its header, then the lines whose PID
 * column is one of pids, as runc does. */
static int ps_table(const pid_t *pids, size_t n, char **args, int nargs,
		    const struct cli_globals *g)
{
	char *argv[64] = { "ps" };
	int fds[2], k = 1, pid_col = -1, status, ret = 0;
	char line[4096];

	if (nargs > 62)
		return cli_error(g, "too many ps arguments");
	if (nargs == 0)
		argv[k++] = "-ef";
	for (int i = 0; i < nargs; i++)
		argv[k++] = args[i];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return cli_error(g, "cannot run ps: %s", strerror(errno));
	pid_t child = fork();
	if (child < 0)
		return cli_error(g, "cannot run ps: %s", strerror(errno));
	if (child == 0) {
		dup2(fds[1], 1);
		execvp("ps", argv);
		_exit(127);
	}
	close(fds[1]);
	FILE *in = fdopen(fds[0], "re");
	for (bool header = true; in && fgets(line, sizeof(line), in); header = false) {
		char copy[sizeof(line)], *save = NULL, *tok;
		int col = 0;
		snprintf(copy, sizeof(copy), "%s", line);
		for (tok = strtok_r(copy, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save), col++) {
			if (header && strcmp(tok, "PID") == 0)
				pid_col = col;
			if (!header && col == pid_col)
				break;
		}
		if (header) {
			if (pid_col < 0) {
				ret = cli_error(g, "cannot find a PID column in the output of ps");
				break;
			}
			fputs(line, stdout);
		} else if (tok && has_pid(pids, n, strtol(tok, NULL, 10))) {
			fputs(line, stdout);
		}
	}
	if (in)
		fclose(in);
	else
		close(fds[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (ret == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		ret = cli_error(g, "ps failed (exit status %d)",
				WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return ret;
}

int cli_ps(int argc, char **argv, const struct cli_globals *g)
{
	struct hull_err err = { 0 };
	bool json = false;
	pid_t *pids;
	size_t n;
	int i = 1, ret;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *f = NULL;
		if ((strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0) &&
		    i + 1 < argc)
			f = argv[++i];
		else if (strncmp(argv[i], "--format=", 9) == 0)
			f = argv[i] + 9;
		else
			return cli_error(g, "unknown option '%s' to ps", argv[i]);
		if (strcmp(f, "json") != 0 && strcmp(f, "table") != 0)
			return cli_error(g, "invalid format '%s' to ps (table or json)", f);
		json = strcmp(f, "json") == 0;
	}
	if (i >= argc)
		return cli_error(g, "usage: hull ps [--format table|json] ID [PS ARGS...]");
	if (hull_oci_ps(g->root, argv[i], &pids, &n, &err) < 0)
		return cli_fail(g, &err);
	if (json) {
		putchar('[');
		for (size_t k = 0; k < n; k++)
			printf("%s%d", k ? "," : "", (int)pids[k]);
		puts("]");
		ret = 0;
	} else {
		ret = ps_table(pids, n, argv + i + 1, argc - i - 1, g);
	}
	free(pids);
	return ret;
}
