/* options_parse.h — parsing helpers test_options.c and test_options_argv.c
 * share: PARSE() an argv literal and check how it failed or what stayed
 * default. */
#ifndef HULL_TEST_OPTIONS_PARSE_H
#define HULL_TEST_OPTIONS_PARSE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ns.h"
#include "options.h"
#include "spec.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

/* argv as getopt wants it: mutable pointers, NULL-terminated. A compound
 * literal lives until the end of the enclosing block, so PARSE() is an
 * expression, not a do/while block: spec.argv points into the array and must
 * stay valid for the assertions that follow. */
#define ARGV(...)     ((char *[]){ __VA_ARGS__, NULL })
#define PARSE(p, ...) parse_v((p), ARGV(__VA_ARGS__))

struct parsed {
	struct hull_spec spec;
	struct hull_err err;
	int ret;
};

static void parse(struct parsed *p, int argc, char **argv)
{
	hull_spec_init(&p->spec);
	hull_err_clear(&p->err);
	p->ret = hull_options_parse_run(argc, argv, &p->spec, &p->err);
}

static void parse_v(struct parsed *p, char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	parse(p, argc, argv);
}

/* Fails with -EINVAL, exit 125 and exactly this message. */
static void assert_fails(const struct parsed *p, const char *msg)
{
	assert_int_equal(p->ret, -EINVAL);
	assert_string_equal(p->err.msg, msg);
	assert_int_equal(p->err.exit_code, 125);
	assert_int_equal(p->err.errnum, 0);
}

/* The spec still has every default (except what the caller names). */
static void assert_defaults(const struct hull_spec *s)
{
	assert_int_equal(s->ns_flags, HULL_NS_DEFAULT);
	assert_string_equal(s->hostname, "hull");
	assert_false(s->hostname_given);
	assert_int_equal(s->root_mode, HULL_ROOT_PIVOT);
	assert_int_equal(s->spawn_mode, HULL_SPAWN_CLONE3);
	assert_true(s->mount_proc);
	assert_true(s->mount_dev);
	assert_int_equal(s->n_env_args, 0);
	assert_string_equal(s->cwd, "/");
	assert_int_equal(s->trace_fd, -1);
	assert_int_equal(s->verbose, 0);
}

#endif
