/* pool_cli.c — `hull pool start|status|stop` and `hull run --pool`
 * (core/lib/POOL.md): the verb `pool` of main.c's table, its own table of
 * sub-verbs, and the request form of `hull run`. */
#include "cli.h"
#include "options.h"
#include "pool.h"
#include "pool_proto.h"
#include "spec.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage_pool(FILE *out)
{
	fputs("Usage:\n"
	      " hull pool start NAME [--size N] [run options] ROOTFS\n"
	      " hull pool status NAME [--json]\n"
	      " hull pool stop NAME\n"
	      " hull run --pool NAME [--env K=V] [--cwd DIR] [--timeout S] [--kill-after S]\n"
	      "          [--wait | --no-fallback] [--trace-fd N] [-v] [--] COMMAND [ARG...]\n"
	      "\n"
	      "Keep N containers (default 4) prepared up to the exec, each used once by\n"
	      "'hull run --pool'. Run options are those of 'hull run' (see hull run --help);\n"
	      "every slot gets a throw-away writable layer over ROOTFS (--ephemeral).\n"
	      "A run that finds no slot ready waits for one the pool prepares for it (-v says\n"
	      "so); while the pool's refills fail it starts normally instead, unless --wait\n"
	      "(wait) or --no-fallback (fail).\n",
	      out);
}

static int fail(const struct hull_err *err)
{
	fprintf(stderr, "hull: %s\n", err->msg);
	return err->exit_code ? err->exit_code : HULL_EXIT_RUNTIME;
}

static int fail_msg(const char *msg, const char *arg)
{
	fprintf(stderr, "hull: %s '%s'\n", msg, arg);
	return HULL_EXIT_RUNTIME;
}

static int pool_start(int argc, char **argv, const struct cli_globals *g)
{
	(void)g;
	struct hull_pool_config c = { .size = HULL_POOL_DEFAULT_SIZE };
	struct hull_spec spec;
	struct hull_err err = { 0 };
	static char *opts[1024];
	int n = 0, ret;

	if (argc < 2 || argv[1][0] == '-')
		return fail_msg("expected a pool name after", "pool start");
	c.name = argv[1];
	/* --size is ours; everything else is hull run's. */
	opts[n++] = "pool start";
	for (int i = 2; i < argc && n < 1023; i++) {
		if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);
			if (*end || v < 1 || v > HULL_POOL_MAX_SIZE)
				return fail_msg("invalid pool size", argv[i]);
			c.size = (unsigned)v;
		} else {
			opts[n++] = argv[i];
		}
	}
	opts[n] = NULL;
	hull_spec_init(&spec);
	ret = hull_options_parse_pool(n, opts, &spec, &err);
	if (ret == HULL_OPTIONS_HELP) {
		usage_pool(stdout);
		return 0;
	}
	/* The slots' command comes with each request; this one is never run. */
	static char *placeholder[] = { "/pool-slot", NULL };
	spec.argv = placeholder;
	spec.argc = 1;
	if (ret < 0 || (ret = hull_spec_validate(&spec, &err)) < 0 ||
	    (ret = hull_pool_check_spec(&spec, &err)) < 0) {
		hull_spec_free(&spec);
		return fail(&err);
	}
	/* The options between "pool start" and ROOTFS, for the fallback. */
	c.args = opts + 1;
	for (c.nargs = 0; opts[1 + c.nargs] != spec.rootfs_arg; c.nargs++)
		;
	c.spec = &spec;
	fflush(NULL);
	pid_t pid;
	ret = hull_pool_start(&c, &pid, &err);
	if (ret == 0 && spec.verbose)
		fprintf(stderr, "hull: pool '%s' started: %u slots, supervisor pid %d\n", c.name,
			c.size, (int)pid);
	hull_spec_free(&spec);
	return ret < 0 ? fail(&err) : 0;
}

static void print_status(json_object *o)
{
	json_object *v;
#define S(k) (json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "?")
#define I(k) (json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : -1)
	printf("pool %s: supervisor pid %lld, rootfs %s\n", S("name"), (long long)I("pid"),
	       S("rootfs"));
	printf("slots: %lld ready, %lld starting, %lld busy (size %lld)\n", (long long)I("ready"),
	       (long long)I("starting"), (long long)I("busy"), (long long)I("size"));
	printf("served %lld (%lld by a ready slot, %lld queued for one), sent back %lld, "
	       "refill failures %lld\n",
	       (long long)I("served"), (long long)I("served_ready"), (long long)I("served_queued"),
	       (long long)I("sent_back"), (long long)I("failures"));
	if (json_object_object_get_ex(o, "last_error", &v) && v)
		printf("last error: %s\n", json_object_get_string(v));
	printf("memory per idle slot: %lld KiB (PSS of keeper and slot)\n",
	       (long long)I("idle_slot_pss_kib"));
#undef S
#undef I
}

static int pool_status(int argc, char **argv, const struct cli_globals *g)
{
	(void)g;
	struct hull_err err = { 0 };
	bool json = false;
	const char *name = NULL;
	char *text;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (!name && argv[i][0] != '-')
			name = argv[i];
		else
			return fail_msg("unknown argument to pool status", argv[i]);
	}
	if (!name)
		return fail_msg("missing pool name for", "pool status");
	if (hull_pool_status(name, &text, &err) < 0)
		return fail(&err);
	if (json) {
		printf("%s\n", text);
	} else {
		json_object *o = json_tokener_parse(text);
		if (!o) {
			free(text);
			return fail_msg("unreadable status of pool", name);
		}
		print_status(o);
		json_object_put(o);
	}
	free(text);
	return 0;
}

static int pool_stop(int argc, char **argv, const struct cli_globals *g)
{
	(void)g;
	struct hull_err err = { 0 };

	if (argc != 2)
		return fail_msg("expected one pool name for", "pool stop");
	if (hull_pool_stop(argv[1], &err) < 0)
		return fail(&err);
	return 0;
}

/* The pool's sub-verbs; argv[0] is the sub-verb. */
static const struct {
	const char *name;
	cli_verb *fn;
} pool_verbs[] = {
	{ "start", pool_start },
	{ "status", pool_status },
	{ "stop", pool_stop },
};

int cli_pool(int argc, char **argv, const struct cli_globals *g)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage_pool(argc < 2 ? stderr : stdout);
		return argc < 2 ? HULL_EXIT_RUNTIME : 0;
	}
	for (size_t i = 0; i < sizeof(pool_verbs) / sizeof(pool_verbs[0]); i++)
		if (strcmp(argv[1], pool_verbs[i].name) == 0)
			return pool_verbs[i].fn(argc - 1, argv + 1, g);
	return fail_msg("unknown pool command", argv[1]);
}

/* ---- hull run --pool ---------------------------------------------- */

bool cli_run_is_pool(int argc, char **argv)
{
	/* Options of a pool run that take a separate argument. */
	static const char *const with_arg[] = { "--env",	"--cwd",      "--timeout",
						"--kill-after", "--trace-fd", NULL };

	for (int i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--pool") == 0 || strncmp(argv[i], "--pool=", 7) == 0)
			return true;
		for (const char *const *w = with_arg; *w; w++)
			if (strcmp(argv[i], *w) == 0) {
				i++;
				break;
			}
	}
	return false;
}

enum {
	OPT_POOL = CHAR_MAX + 1,
	OPT_ENV,
	OPT_CWD,
	OPT_TIMEOUT,
	OPT_KILL_AFTER,
	OPT_WAIT,
	OPT_NO_FALLBACK,
	OPT_TRACE_FD
};

static const struct option pool_run_options[] = {
	{ "pool", required_argument, NULL, OPT_POOL },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "cwd", required_argument, NULL, OPT_CWD },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "kill-after", required_argument, NULL, OPT_KILL_AFTER },
	{ "wait", no_argument, NULL, OPT_WAIT },
	{ "no-fallback", no_argument, NULL, OPT_NO_FALLBACK },
	{ "trace-fd", required_argument, NULL, OPT_TRACE_FD },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static bool parse_seconds(const char *arg, uint64_t *ns)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || *end || end == arg || !(v > 0) || v > 365.0 * 24 * 3600)
		return false;
	*ns = (uint64_t)(v * 1e9);
	return *ns > 0;
}

/* HULL_POOL_CLIENT_START (hull-pool-run's, when it hands over to this
 * hull): the CLOCK_MONOTONIC ns its main started, so that a trace begins
 * once, at the client's start. Anything else: t_start. */
static uint64_t client_start(uint64_t t_start)
{
	const char *v = getenv(HULL_POOL_CLIENT_START_ENV);
	char *end;

	if (!v)
		return t_start;
	errno = 0;
	unsigned long long t = strtoull(v, &end, 10);
	unsetenv(HULL_POOL_CLIENT_START_ENV);
	return errno || *end || end == v || t == 0 || t > t_start ? t_start : (uint64_t)t;
}

/* The pool is empty: start normally with the pool's own options. */
static int fallback(struct hull_pool_request *rq, const char *const *run_opts, int n_opts,
		    int (*run_normal)(int, char **, uint64_t), uint64_t t_start)
{
	struct hull_err err = { 0 };
	char **args;
	size_t nargs;
	static char *argv[4096];
	int n = 0;

	if (hull_pool_read_args(rq->name, &args, &nargs, &err) < 0)
		return fail(&err);
	argv[n++] = "run";
	argv[n++] = "--ephemeral";
	for (size_t i = 1; i < nargs && n < 2000; i++)
		argv[n++] = args[i];
	for (int i = 0; i < n_opts && n < 3000; i++)
		argv[n++] = (char *)run_opts[i];
	argv[n++] = args[0];
	argv[n++] = "--";
	for (size_t i = 0; rq->argv[i] && n < 4095; i++)
		argv[n++] = rq->argv[i];
	argv[n] = NULL;
	int ret = run_normal(n, argv, t_start);
	hull_pool_args_free(args);
	return ret;
}

int cli_run_pool(int argc, char **argv, int (*run_normal)(int, char **, uint64_t), uint64_t t_start)
{
	struct hull_pool_request rq = { 0 };
	struct hull_err err = { 0 };
	static const char *env[HULL_MAX_ENV];
	static const char *passed[2 * HULL_MAX_ENV + 8]; /* for a normal start */
	int n_passed = 0, verbose = 0, c, status;
	bool no_fallback = false, queued = false;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", pool_run_options, NULL)) != -1) {
		switch (c) {
		case OPT_POOL:
			rq.name = optarg;
			break;
		case OPT_ENV:
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return fail_msg("invalid environment variable", optarg);
			if (rq.envc >= HULL_MAX_ENV)
				return fail_msg("too many environment variables at", optarg);
			env[rq.envc++] = optarg;
			passed[n_passed++] = "--env";
			passed[n_passed++] = optarg;
			break;
		case OPT_CWD:
			if (optarg[0] != '/')
				return fail_msg("working directory is not an absolute path:",
						optarg);
			rq.cwd = optarg;
			passed[n_passed++] = "--cwd";
			passed[n_passed++] = optarg;
			break;
		case OPT_TIMEOUT:
		case OPT_KILL_AFTER:
			if (!parse_seconds(optarg,
					   c == OPT_TIMEOUT ? &rq.timeout_ns : &rq.kill_after_ns))
				return fail_msg(c == OPT_TIMEOUT ? "invalid timeout"
								 : "invalid kill-after",
						optarg);
			rq.flags |= HULL_POOL_TIMEOUT;
			passed[n_passed++] = c == OPT_TIMEOUT ? "--timeout" : "--kill-after";
			passed[n_passed++] = optarg;
			break;
		case OPT_WAIT:
			rq.flags |= HULL_POOL_WAIT;
			break;
		case OPT_NO_FALLBACK:
			no_fallback = true;
			break;
		case OPT_TRACE_FD: {
			/* The client's side of the request path (the slot's
			 * phases were done before the request). */
			char *end;
			long fd = strtol(optarg, &end, 10);
			if (*end || end == optarg || fd < 0 || fd > INT_MAX ||
			    fcntl((int)fd, F_GETFD) < 0)
				return fail_msg("cannot use trace fd", optarg);
			hull_trace_set_fd((int)fd);
			passed[n_passed++] = "--trace-fd";
			passed[n_passed++] = optarg;
			break;
		}
		case 'v':
			verbose++;
			break;
		case 'h':
			usage_pool(stdout);
			return 0;
		case ':':
			return fail_msg("option requires an argument:", argv[optind - 1]);
		default:
			if (hull_options_is_run_option(argv[optind - 1])) {
				fprintf(stderr,
					"hull: option '%s' cannot be honoured by a prepared slot: "
					"set it with 'hull pool start'\n",
					argv[optind - 1]);
				return 125;
			}
			return fail_msg("unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (optind >= argc)
		return fail_msg("no command given to pool", rq.name ? rq.name : "");
	if (hull_pool_check_name(rq.name, &err) < 0)
		return fail(&err);
	if (rq.timeout_ns == 0 && rq.kill_after_ns)
		rq.flags &= ~HULL_POOL_TIMEOUT; /* --kill-after alone changes nothing */
	rq.argv = argv + optind;
	rq.env = env;
	rq.queued = &queued;
	/* The trace starts where the user's command started: hull-pool-run's
	 * main when it handed the request to this hull. */
	rq.t_start = client_start(t_start);
	rq.t_parsed = hull_now_ns();

	int ret = hull_pool_run(&rq, &status, &err);
	if (ret < 0)
		return fail(&err);
	if (ret == HULL_POOL_RUN_EMPTY) {
		if (no_fallback)
			return fail_msg("no slot ready in pool", rq.name);
		if (verbose)
			fprintf(stderr, "hull: pool '%s' has no slot ready: starting normally\n",
				rq.name);
		fflush(NULL);
		/* No mark of the attempt was written: the normal start marks
		 * start and parsed itself. */
		return fallback(&rq, passed, n_passed, run_normal, rq.t_start);
	}
	if (verbose && queued)
		fprintf(stderr,
			"hull: pool '%s' had no slot ready: ran in a slot prepared for the "
			"request\n",
			rq.name);
	else if (verbose)
		fprintf(stderr, "hull: ran in a slot of pool '%s'\n", rq.name);
	return status;
}
