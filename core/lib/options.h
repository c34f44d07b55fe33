/* options.h — `hull run` command-line options into a struct hull_spec.
 * Parsing only: the CLI prints usage and errors. */
#ifndef HULL_OPTIONS_H
#define HULL_OPTIONS_H

#include "error.h"
#include "spec.h"

enum hull_options_result {
	HULL_OPTIONS_RUN = 0,  /* spec filled, go on */
	HULL_OPTIONS_HELP = 1, /* --help was asked for */
};

/* Parse argv of `hull run` (argv[0] is "run"). Returns HULL_OPTIONS_* or a
 * negative value with err filled. Does not validate: call
 * hull_spec_validate() next. */
int hull_options_parse_run(int argc, char **argv, struct hull_spec *spec, struct hull_err *err);

#endif
