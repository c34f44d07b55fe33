/* verdict.h — isolation properties, how the verifier judges them from the
 * probe's JSON and the host's view, and the one table of expected verdicts.
 *
 * A property is `isolated`, `shared` or `error` (could not be judged), each
 * with a one-line detail saying what was seen. Namespace identities are
 * compared like the kernel selftests' in_same_namespace(): st_dev + st_ino
 * of the nsfs inode, the container's (from the probe) against the host's.
 * Where the namespace alone is not the whole story the probe's behavioural
 * evidence decides too: a reachable host port makes `net` shared, a visible
 * shm segment makes `ipc` shared, a host mount appearing makes
 * `propagation` shared, the host marker seen after the chroot escape or via
 * /proc/1/root makes `chroot_escape` shared.
 *
 * Expected verdicts follow from rules over (runtime traits, namespaces, root
 * switch, host propagation). They live in hull_rules[] below, the one table
 * the matrix, `isolate` and the tests all read. */
#ifndef HULL_HARNESS_VERDICT_H
#define HULL_HARNESS_VERDICT_H

#include "driver.h"
#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hull_prop {
	HULL_PROP_HOSTNAME,
	HULL_PROP_PID,
	HULL_PROP_MOUNTS,
	HULL_PROP_ROOT,
	HULL_PROP_PROPAGATION,
	HULL_PROP_NET,
	HULL_PROP_IPC,
	HULL_PROP_USER,
	HULL_PROP_CGROUP,
	HULL_PROP_TIME,
	HULL_PROP_CHROOT_ESCAPE,
	HULL_PROP_COUNT
};

enum hull_verdict {
	HULL_ISOLATED,
	HULL_SHARED,
	HULL_ERROR,
};

/* "hostname" ... "chroot_escape", indexed by enum hull_prop. */
extern const char *const hull_prop_names[HULL_PROP_COUNT];
const char *hull_verdict_name(enum hull_verdict v);
/* -1 when unknown. */
int hull_prop_by_name(const char *name);
int hull_verdict_by_name(const char *name);

struct hull_judgement {
	enum hull_verdict verdict;
	char detail[200];
};

/* One namespace identity; ok=false when it could not be read. */
struct hull_ns_id {
	bool ok;
	uint64_t dev, ino;
};

/* What the host looks like, and what the verifier found on the host after
 * the run. Namespaces are indexed like hull_ns_table[]. */
struct hull_host_view {
	struct hull_ns_id ns[8];
	char hostname[65];
	const char *marker; /* host path the probe looks for */
	int port;	    /* loopback listener */
	/* after the run: */
	bool mount_seen;	  /* the probe's token mount is on the host */
	char mount_seen_at[256];  /* where */
	int new_host_mounts;	  /* other new mounts under the rootfs (serial runs) */
	char new_host_mount[256]; /* the first of them */
};

/* Read the host's namespace identities from /proc/self/ns. */
void hull_host_read_ns(struct hull_ns_id ns[8]);

/* Judge every property from the probe's JSON output. Returns 0, or < 0 when
 * the output is not the probe's JSON (then every verdict is `error`). */
int hull_judge(const char *probe_json, const struct hull_host_view *host,
	       struct hull_judgement out[HULL_PROP_COUNT], struct hull_err *err);

/* ---- expected verdicts -------------------------------------------------- */

/* The inputs of the rules. The privilege-dependent properties (can the
 * container mount, chroot, ptrace-read a host process?) follow from the
 * command's effective capabilities, which are an input like the namespaces:
 * the probe reports them (caps_known), else the runtime's traits stand in. */
struct hull_expect_ctx {
	const struct hull_runtime_info *rt;
	uint64_t ns;	    /* namespaces the container really gets */
	bool pivot;	    /* root switched with pivot_root (else chroot, or none) */
	bool rootfs_shared; /* the rootfs sits on a shared mount on the host */
	bool caps_known;    /* caps_eff is the probe's CapEff */
	uint64_t caps_eff;
};

/* The probe's effective capabilities ("caps.eff"); < 0 when absent. */
int hull_probe_caps(const char *probe_json, uint64_t *eff);

struct hull_rule {
	enum hull_prop prop;
	const char *text; /* the rule, for people: "isolated iff uts" */
	enum hull_verdict (*expect)(const struct hull_expect_ctx *ctx);
};

extern const struct hull_rule hull_rules[HULL_PROP_COUNT];

enum hull_verdict hull_expected(enum hull_prop prop, const struct hull_expect_ctx *ctx);

/* Whether the runtime is expected to start this container at all; when
 * not, why (one line). Part of the rules: hull cannot mount a fresh /proc
 * from a new user namespace into the host's pid namespace. */
bool hull_expect_start(const struct hull_expect_ctx *ctx, char *why, size_t len);

#endif
