/* options.h — `hull run` command-line options into a struct hull_spec.
 * Parsing only: the CLI prints usage and errors. */
#ifndef HULL_OPTIONS_H
#define HULL_OPTIONS_H

#include "error.h"
#include "spec.h"

#include <stdbool.h>

enum hull_options_result {
	HULL_OPTIONS_RUN = 0,  /* spec filled, go on */
	HULL_OPTIONS_HELP = 1, /* --help was asked for */
};

/* Parse argv of `hull run` (argv[0] is "run"). Returns HULL_OPTIONS_* or a
 * negative value with err filled. Does not validate: call
 * hull_spec_validate() next. */
int hull_options_parse_run(int argc, char **argv, struct hull_spec *spec, struct hull_err *err);

/* `hull pool start`'s run options: the same, ending with the ROOTFS and
 * no command. */
int hull_options_parse_pool(int argc, char **argv, struct hull_spec *spec, struct hull_err *err);

/* Whether arg ("--memory", "--memory=64m") is one of hull run's long
 * options. */
bool hull_options_is_run_option(const char *arg);

#endif
