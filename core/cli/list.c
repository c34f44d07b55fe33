/* list.c — `hull list [--format table|json] [-q]`: the containers under
 * --root. */
#include "cli.h"
#include "oci.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

struct listing {
	bool json, quiet;
	json_object *all;
};

static void list_one(const struct hull_oci_state *st, enum hull_oci_status s, void *arg)
{
	struct listing *l = arg;

	if (l->json) {
		char *text = hull_oci_state_json(st, s);
		json_object_array_add(l->all, json_tokener_parse(text));
		free(text);
	} else if (l->quiet) {
		printf("%s\n", st->id);
	} else {
		printf("%-20s %-8d %-8s %-30s %s\n", st->id,
		       s == HULL_OCI_STOPPED ? 0 : (int)st->pid, hull_oci_status_name(s),
		       st->bundle, st->created);
	}
}

int cli_list(int argc, char **argv, const struct cli_globals *g)
{
	struct listing l = { 0 };

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)
			l.quiet = true;
		else if ((strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0) &&
			 i + 1 < argc &&
			 (strcmp(argv[i + 1], "json") == 0 || strcmp(argv[i + 1], "table") == 0))
			l.json = strcmp(argv[++i], "json") == 0;
		else
			return cli_error(g, "unknown argument '%s' to list", argv[i]);
	}
	l.all = json_object_new_array();
	if (!l.json && !l.quiet)
		printf("%-20s %-8s %-8s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
	hull_oci_for_each(g->root, list_one, &l);
	if (l.json)
		printf("%s\n",
		       json_object_to_json_string_ext(
			       l.all, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(l.all);
	return 0;
}
