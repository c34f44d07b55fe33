/* update.c — `hull update --resources FILE|- ID`: new limits for the
 * container's cgroup from a linux.resources object, as containerd's runc
 * shim (and CRI's UpdateContainerResources) sends it on stdin. runc's
 * per-limit flags are refused with a pointer to --resources. */
#include "cli.h"
#include "oci.h"
#include "oci_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_stream(FILE *in)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	while (buf) {
		if (len + 1 >= cap) {
			char *more = realloc(buf, cap *= 2);
			if (!more || cap > (1 << 24)) {
				free(more ? more : buf);
				return NULL;
			}
			buf = more;
		}
		size_t got = fread(buf + len, 1, cap - len - 1, in);
		len += got;
		if (got == 0) {
			buf[len] = '\0';
			return ferror(in) ? (free(buf), NULL) : buf;
		}
	}
	return NULL;
}

int cli_update(int argc, char **argv, const struct cli_globals *g)
{
	struct hull_oci_config cfg;
	struct hull_limits limits = { 0 };
	struct hull_err err = { 0 };
	const char *file = NULL;
	int i = 1, ret = 0;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if ((strcmp(argv[i], "--resources") == 0 || strcmp(argv[i], "-r") == 0) &&
		    i + 1 < argc)
			file = argv[++i];
		else if (strncmp(argv[i], "--resources=", 12) == 0)
			file = argv[i] + 12;
		else
			return cli_error(g,
					 "unsupported option '%s' to update: hull takes the "
					 "resources as JSON (--resources FILE|-)",
					 argv[i]);
	}
	if (argc - i != 1 || !file)
		return cli_error(g, "usage: hull update --resources FILE|- ID");
	FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "re");
	if (!in)
		return cli_error(g, "cannot open '%s': %s", file, strerror(errno));
	char *text = read_stream(in);
	if (in != stdin)
		fclose(in);
	if (!text)
		return cli_error(g, "cannot read '%s'", file);
	const char *name = strcmp(file, "-") == 0 ? "<stdin>" : file;
	if (hull_oci_resources_parse(text, name, &cfg, &limits, &err) < 0)
		ret = cli_error(g, "%s", err.msg);
	else if (hull_oci_update(g->root, argv[i], &limits, &err) < 0)
		ret = cli_fail(g, &err);
	hull_oci_config_free(&cfg);
	free(text);
	return ret;
}
