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
 * `lo` is a network fact in the same words: the probe opens a listener on
 * 127.0.0.1 inside and connects to it. `isolated`: that works on a
 * loopback of the container's own (own net ns, lo brought up); `shared`:
 * it works, on the host's lo (no net ns); `error`: no usable loopback
 * (a new net ns whose lo nobody brought up, as unshare(1) leaves it).
 *
 * Expected verdicts follow from rules over (runtime traits, namespaces, root
 * switch, host propagation). They live in hh_rules[] below, the one table
 * the matrix, `isolate` and the tests all read. */
#ifndef HH_VERDICT_H
#define HH_VERDICT_H

#include "driver.h"
#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hh_prop {
	HH_PROP_HOSTNAME,
	HH_PROP_PID,
	HH_PROP_MOUNTS,
	HH_PROP_ROOT,
	HH_PROP_PROPAGATION,
	HH_PROP_NET,
	HH_PROP_IPC,
	HH_PROP_USER,
	HH_PROP_CGROUP,
	HH_PROP_TIME,
	HH_PROP_CHROOT_ESCAPE,
	HH_PROP_LO,
	HH_PROP_COUNT
};

enum hh_verdict {
	HH_ISOLATED,
	HH_SHARED,
	HH_ERROR,
};

/* "hostname" ... "chroot_escape", "lo", indexed by enum hh_prop. */
extern const char *const hh_prop_names[HH_PROP_COUNT];
const char *hh_verdict_name(enum hh_verdict v);
/* -1 when unknown. */
int hh_prop_by_name(const char *name);
int hh_verdict_by_name(const char *name);

struct hh_judgement {
	enum hh_verdict verdict;
	char detail[200];
};

/* One namespace identity; ok=false when it could not be read. */
struct hh_ns_id {
	bool ok;
	uint64_t dev, ino;
};

/* What the host looks like, and what the verifier found on the host after
 * the run. Namespaces are indexed like hull_ns_table[]. */
struct hh_host_view {
	struct hh_ns_id ns[8];
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
void hh_host_read_ns(struct hh_ns_id ns[8]);

/* Judge every property from the probe's JSON output. Returns 0, or < 0 when
 * the output is not the probe's JSON (then every verdict is `error`). */
int hh_judge(const char *probe_json, const struct hh_host_view *host,
	     struct hh_judgement out[HH_PROP_COUNT], struct hull_err *err);

/* ---- expected verdicts -------------------------------------------------- */

/* The inputs of the rules. The privilege-dependent properties (can the
 * container mount, chroot, ptrace-read a host process?) follow from the
 * command's effective capabilities, which are an input like the namespaces:
 * the probe reports them (caps_known), else the runtime's traits stand in. */
struct hh_expect_ctx {
	const struct hh_runtime_info *rt;
	uint64_t ns;	    /* namespaces the container really gets */
	bool pivot;	    /* root switched with pivot_root (else chroot, or none) */
	bool rootfs_shared; /* the rootfs sits on a shared mount on the host */
	bool caps_known;    /* caps_eff is the probe's CapEff */
	uint64_t caps_eff;
};

/* The probe's effective capabilities ("caps.eff"); < 0 when absent. */
int hh_probe_caps(const char *probe_json, uint64_t *eff);

struct hh_rule {
	enum hh_prop prop;
	const char *text; /* the rule, for people: "isolated iff uts" */
	enum hh_verdict (*expect)(const struct hh_expect_ctx *ctx);
};

extern const struct hh_rule hh_rules[HH_PROP_COUNT];

enum hh_verdict hh_expected(enum hh_prop prop, const struct hh_expect_ctx *ctx);

/* Whether the runtime is expected to start this container at all; when
 * not, why (one line). Part of the rules: hull cannot mount a fresh /proc
 * from a new user namespace into the host's pid namespace. */
bool hh_expect_start(const struct hh_expect_ctx *ctx, char *why, size_t len);

#endif
