/* isolate.c — `hull-harness isolate`: options, one probed container
 * against a fresh set of host objects, and its verdicts as a table or JSON
 * (hh_iso_cell_json, shared with the matrix). The verifier itself is in
 * isolate_host.c (host objects), isolate_run.c (one container) and
 * isolate_mounts.c (the host's mount table); see isolate.h. */
#include "isolate.h"
#include "commands.h"
#include "ns.h"

#include <getopt.h>
#include <json-c/json.h>
#include <sched.h> /* CLONE_NEW*, for ns.h's HULL_NS_DEFAULT */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- hull-harness isolate --------------------------------------------- */

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " hull-harness isolate [options]\n"
	      "\n"
	      "Run one container with the probe and judge what it is isolated from:\n"
	      "hostname pid mounts root propagation net ipc user cgroup time chroot_escape,\n"
	      "each isolated, shared or error, against the expected verdict of the rules.\n"
	      "\n"
	      "Options:\n"
	      " -r, --runtime NAME     hull (default), seed, bare, floor, unshare, bwrap,\n"
	      "                          crun, crun-cgroupfs or runc\n"
	      "     --ns LIST          namespaces (default mnt,uts,pid,ipc,net; all, none)\n"
	      "     --chroot           hull/floor: chroot instead of pivot_root\n"
	      "     --spawn MODE       hull: clone3 (default) or fork\n"
	      "     --rootfs DIR       root filesystem with /bin/hull-probe (default "
	      "build/rootfs)\n"
	      "     --shared-rootfs    serve the rootfs from a shared bind mount, as on\n"
	      "                          systemd hosts, so propagation leaks show\n"
	      "     --timeout MS       per container (default 10000)\n"
	      "     --json             print the verdicts as JSON\n"
	      " -v, --verbose          print the host objects and the probe's raw JSON\n"
	      " -h, --help             display this help\n"
	      "\n"
	      "Exit status: 0 when every verdict is as expected, 1 when one is not,\n"
	      "3 when the container did not start, 2 on bad usage or a harness error,\n"
	      "130 when interrupted.\n",
	      out);
}

static json_object *cell_props_json(const struct hh_iso_cell *c)
{
	json_object *props = json_object_new_object();
	for (int i = 0; i < HH_PROP_COUNT; i++) {
		json_object *p = json_object_new_object();
		json_object_object_add(
			p, "verdict", json_object_new_string(hh_verdict_name(c->props[i].verdict)));
		json_object_object_add(p, "detail", json_object_new_string(c->props[i].detail));
		json_object_object_add(p, "expected",
				       json_object_new_string(hh_verdict_name(c->expected[i])));
		json_object_object_add(props, hh_prop_names[i], p);
	}
	return props;
}

json_object *hh_iso_cell_json(const struct hh_iso_cell *c)
{
	char ns[128];
	json_object *o = json_object_new_object();

	hull_ns_format(c->ns, ns, sizeof(ns));
	json_object_object_add(o, "runtime", json_object_new_string(c->runtime ? c->runtime : ""));
	json_object_object_add(o, "namespaces", json_object_new_string(ns));
	json_object_object_add(o, "root_mode",
			       json_object_new_string(c->pivot ? "pivot_root" : "chroot"));
	json_object_object_add(o, "spawn",
			       json_object_new_string(c->spawn_fork ? "fork" : "clone3"));
	json_object_object_add(o, "started", json_object_new_boolean(c->started));
	json_object_object_add(o, "expected_started", json_object_new_boolean(c->expect_started));
	json_object_object_add(o, "reason", json_object_new_string(c->reason));
	json_object_object_add(o, "duration_ns", json_object_new_int64((int64_t)c->t_ns));
	json_object_object_add(o, "properties",
			       c->started ? cell_props_json(c) : json_object_new_object());
	json_object_object_add(o, "mismatches", json_object_new_int(c->mismatches));
	return o;
}

int hh_cmd_isolate(int argc, char **argv)
{
	enum { OPT_NS = 256, OPT_CHROOT, OPT_SPAWN, OPT_ROOTFS, OPT_SHARED, OPT_TIMEOUT, OPT_JSON };
	static const struct option longopts[] = {
		{ "runtime", required_argument, NULL, 'r' },
		{ "ns", required_argument, NULL, OPT_NS },
		{ "chroot", no_argument, NULL, OPT_CHROOT },
		{ "spawn", required_argument, NULL, OPT_SPAWN },
		{ "rootfs", required_argument, NULL, OPT_ROOTFS },
		{ "shared-rootfs", no_argument, NULL, OPT_SHARED },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hh_launch_config cfg = {
		.runtime = "hull",
		.ns_flags = HULL_NS_DEFAULT,
		.trace_fd = -1,
		.cancel_fd = -1,
		.pool_size = 1, /* hull-pool: one container */
	};
	const char *rootfs = NULL;
	bool shared = false, json = false, ns_given = false;
	int verbose = 0, c;
	struct hull_err err = { 0 };
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+r:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			cfg.runtime = optarg;
			break;
		case OPT_NS:
			if (hull_ns_parse_list(optarg, &cfg.ns_flags, &err) < 0) {
				fprintf(stderr, "hull-harness: %s\n", err.msg);
				return 2;
			}
			ns_given = true;
			break;
		case OPT_CHROOT:
			cfg.chroot = true;
			break;
		case OPT_SPAWN:
			if (strcmp(optarg, "fork") == 0)
				cfg.spawn_fork = true;
			else if (strcmp(optarg, "clone3") != 0) {
				fprintf(stderr, "hull-harness: unknown spawn mode '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_ROOTFS:
			rootfs = optarg;
			break;
		case OPT_SHARED:
			shared = true;
			break;
		case OPT_TIMEOUT:
			cfg.timeout_ms = (int)strtol(optarg, &end, 10);
			if (*end || cfg.timeout_ms <= 0) {
				fprintf(stderr, "hull-harness: invalid timeout '%s'\n", optarg);
				return 2;
			}
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "hull-harness: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	const struct hh_runtime_info *rt = hh_runtime_lookup(cfg.runtime);
	char why[256];
	if (!hh_runtime_available(cfg.runtime, why, sizeof(why))) {
		fprintf(stderr, "hull-harness: runtime '%s' is not available: %s\n", cfg.runtime,
			why);
		return 2;
	}
	/* Runtimes with a fixed set: take theirs unless asked otherwise. */
	if (!ns_given)
		cfg.ns_flags &= rt->ns_choosable | rt->ns_always;
	if (!rootfs)
		rootfs = hh_iso_default_rootfs();
	cfg.cancel_fd = hh_iso_cancel_fd();

	struct hh_iso_host host;
	struct hh_iso_cell cell = { 0 };
	int status = 2;
	if (hh_iso_host_setup(&host, rootfs, shared, &err) < 0) {
		fprintf(stderr, "hull-harness: %s\n", err.msg);
		hh_iso_host_cleanup(&host);
		return 2;
	}
	if (verbose)
		fprintf(stderr,
			"isolate: host objects: marker %s, port %d, shm key %ld, mqueue %s, "
			"mount token prefix %s, rootfs %s%s\n",
			host.marker, host.port, host.shm_key, host.mqueue, host.token_prefix,
			host.rootfs, host.rootfs_shared ? " (shared mount)" : "");

	int ret = hh_iso_run(&host, &cfg, true, true, &cell, &err);
	hh_iso_host_cleanup(&host);
	if (ret < 0) {
		hh_iso_cell_free(&cell);
		if (hh_iso_cancelled()) {
			fputs("hull-harness: interrupted\n", stderr);
			return 130;
		}
		fprintf(stderr, "hull-harness: %s\n", err.msg);
		return 2;
	}
	if (verbose && cell.probe_json)
		fprintf(stderr, "isolate: probe output: %s", cell.probe_json);

	char ns[128];
	hull_ns_format(cell.ns, ns, sizeof(ns));
	if (json) {
		json_object *o = hh_iso_cell_json(&cell);
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		printf("runtime %s, namespaces %s, root %s%s%s\n", cell.runtime, ns,
		       cell.pivot ? "pivot_root" : "chroot",
		       strcmp(cell.runtime, "hull") == 0 ? ", spawn " : "",
		       strcmp(cell.runtime, "hull") == 0 ? (cell.spawn_fork ? "fork" : "clone3")
							 : "");
		if (!cell.started) {
			printf("not started: %s%s\n", cell.reason,
			       cell.expect_started ? ""
						   : " (expected: the rules say it cannot start)");
		} else {
			printf("%-14s %-9s %-9s %s\n", "property", "verdict", "expected", "detail");
			for (int i = 0; i < HH_PROP_COUNT; i++)
				printf("%-14s %-9s %-9s%s%s\n", hh_prop_names[i],
				       hh_verdict_name(cell.props[i].verdict),
				       hh_verdict_name(cell.expected[i]),
				       cell.props[i].verdict != cell.expected[i] ? "! " : "  ",
				       cell.props[i].detail);
			printf("%d of %d properties as expected (%.1f ms)\n",
			       HH_PROP_COUNT - cell.mismatches, HH_PROP_COUNT,
			       (double)cell.t_ns / 1e6);
		}
	}
	if (!cell.started)
		status = cell.expect_started ? 3 : 0;
	else
		status = cell.mismatches ? 1 : 0;
	hh_iso_cell_free(&cell);
	return status;
}
