/* isolate.h — the verifier: host-side objects, one container with the
 * probe, verdicts. `hull-harness isolate` runs one; the matrix runs many
 * against one set of host objects.
 *
 * Host side (hh_iso_host_setup):
 *   - a unique marker file outside the rootfs   (root, chroot_escape)
 *   - a listening TCP socket on 127.0.0.1       (net)
 *   - a SysV shm segment and a POSIX mqueue      (ipc)
 *   - the host's hostname and namespace identities
 *   - a sentinel: a root process with no capabilities, on the host's root,
 *     as any host may run (bwrap's monitor is one). A container that sees
 *     the host's /proc without a user ns can walk into the host through
 *     its /proc/<pid>/root; the sentinel makes that finding deterministic
 *   - optionally (--shared-rootfs) the rootfs served from a shared bind
 *     mount, as on systemd hosts, so mount propagation leaks can show
 * After each container the verifier looks for the probe's tmpfs (named by a
 * per-run token) in the host's mount table, then removes it. Everything is
 * removed by hh_iso_host_cleanup(), which is safe to call at any point
 * after setup began, failed or not. */
#ifndef HH_ISOLATE_H
#define HH_ISOLATE_H

#include "driver.h"
#include "error.h"
#include "verdict.h"

#include <json-c/json.h>

#include <linux/limits.h> /* PATH_MAX */
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct hh_iso_host {
	char dir[PATH_MAX]; /* private temp dir holding the marker (and the shared bind) */
	char marker[PATH_MAX];
	char rootfs[PATH_MAX]; /* the rootfs the containers get */
	char orig_rootfs[PATH_MAX];
	bool bound;	    /* rootfs is our shared bind under dir */
	bool rootfs_shared; /* the rootfs's mount propagates (shared:N) */
	pid_t sentinel;	    /* a capability-less root process on the host */
	int sentinel_fd;    /* closing it ends the sentinel */
	int listen_fd;
	int port;
	int shm_id;
	long shm_key;
	char mqueue[64];
	char token_prefix[48]; /* every per-run mount token starts with it */
	struct hh_host_view view;
	char **mounts_before; /* host mount points under the rootfs at setup */
	size_t n_mounts_before;
};

/* One container's result. */
struct hh_iso_cell {
	const char *runtime;
	uint64_t ns; /* what the container got (effective) */
	bool pivot;  /* root switch: pivot_root, else chroot (or none) */
	bool chroot; /* as asked (hull --chroot) */
	bool spawn_fork;
	bool run;     /* a container was attempted */
	bool started; /* the probe ran and reported */
	bool expect_started;
	char reason[256]; /* not started: why */
	int exit_code;
	uint64_t t_ns; /* spawn to reap */
	struct hh_judgement props[HH_PROP_COUNT];
	enum hh_verdict expected[HH_PROP_COUNT];
	int mismatches;	  /* observed != expected (start counts as one) */
	char *probe_json; /* raw output, when kept */
};

int hh_iso_host_setup(struct hh_iso_host *h, const char *rootfs, bool shared_rootfs,
		      struct hull_err *err);
void hh_iso_host_cleanup(struct hh_iso_host *h);

/* Run one container of cfg (runtime, ns, chroot, spawn, hostname, cancel
 * fd; rootfs and argv are filled in here) with the probe, judge it and
 * compare with the rules. `serial`: no other container runs meanwhile, so
 * any new host mount under the rootfs is this one's leak. Returns 0 when the
 * cell was filled (started or not), < 0 on a harness failure or cancel. */
int hh_iso_run(struct hh_iso_host *h, const struct hh_launch_config *cfg, bool serial,
	       bool keep_json, struct hh_iso_cell *cell, struct hull_err *err);

void hh_iso_cell_free(struct hh_iso_cell *cell);

/* {runtime, namespaces, root_mode, spawn, started, expected_started, reason,
 *  duration_ns, properties: {name: {verdict, detail, expected}}, mismatches} */
json_object *hh_iso_cell_json(const struct hh_iso_cell *cell);

/* The rootfs next to the harness (build/rootfs), or NULL. */
const char *hh_iso_default_rootfs(void);

/* SIGINT/SIGTERM/SIGHUP make this fd readable; for cfg.cancel_fd. */
int hh_iso_cancel_fd(void);
bool hh_iso_cancelled(void);

#endif
