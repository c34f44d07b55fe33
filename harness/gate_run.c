/* gate_run.c — the gate's measurements: this program's own subcommands
 * (latency, isolate, matrix) run as child processes, each with its own
 * signal handling and clean-up, under a timeout; the isolation runs in a
 * private mount namespace with a fresh tmpfs where the verifier makes its
 * host objects, so a broken build's leaked mounts vanish with it. */
#include "driver.h"
#include "gate_priv.h"
#include "paths.h"
#include "report.h"
#include "sys.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/limits.h> /* PATH_MAX */
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- child processes ------------------------------------------------------- */

/* Wait for pid at most timeout_ms; -1 with errno ETIMEDOUT when it is still
 * running. */
static int wait_for(pid_t pid, int pidfd, int timeout_ms, int *status)
{
	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		int r;
		while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
			;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* In the child: a private mount namespace, a fresh tmpfs on scratch, and
 * the keep paths under scratch bound back from the old scratch. */
static int private_scratch(const char *scratch, const char *const *keep)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	if (!scratch)
		return 0;
	int old = open(scratch, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (old < 0 || mount("hull-gate", scratch, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
		return -1;
	size_t n = strlen(scratch);
	for (; keep && *keep; keep++) {
		char src[PATH_MAX + 64];
		if (strncmp(*keep, scratch, n) != 0 || (*keep)[n] != '/')
			continue;
		snprintf(src, sizeof(src), "/proc/self/fd/%d/%s", old, *keep + n + 1);
		if (hull_mkdir_p(*keep, 0755, NULL) < 0 ||
		    mount(src, *keep, NULL, MS_BIND | MS_REC, NULL) < 0)
			return -1;
	}
	close(old);
	return 0;
}

/* Run this program with argv (argv[0] is ignored), stdout to out_path (or
 * inherited). With private_ns, in a private mount namespace; with scratch
 * too, with a fresh tmpfs on scratch there, where the isolation verifier makes its host objects:
 * what a broken build leaks there (mounts that keep its directories busy) goes away with the
 * namespace instead of staying on the host. The paths in keep (NULL-terminated) that lie under
 * scratch are bound back in place. Returns the exit status (128+N for a signal), or -1 when it
 * could not run or timed out (then why says so). */
static int run_self(char **argv, const char *out_path, bool private_ns, const char *scratch,
		    const char *const *keep, int timeout_s, char *why, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int status;

	if (n <= 0) {
		snprintf(why, len, "cannot find this program: %s", strerror(errno));
		return -1;
	}
	self[n] = '\0';
	argv[0] = self;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(why, len, "cannot fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* The output first: it may be under scratch. */
		if (out_path) {
			int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0) {
				fprintf(stderr, "hull-harness: cannot write '%s': %s\n", out_path,
					strerror(errno));
				_exit(125);
			}
		}
		if (private_ns && private_scratch(scratch, keep) < 0) {
			fprintf(stderr, "hull-harness: cannot make a private mount namespace: %s\n",
				strerror(errno));
			_exit(125);
		}
		execv(self, argv);
		fprintf(stderr, "hull-harness: cannot run '%s': %s\n", self, strerror(errno));
		_exit(125);
	}
	int pidfd = hull_sys_pidfd_open(pid, 0);
	if (wait_for(pid, pidfd, timeout_s * 1000, &status) < 0) {
		/* Too long: ask it to clean up (every subcommand removes its
		 * host objects on SIGTERM), then insist. */
		kill(pid, SIGTERM);
		if (wait_for(pid, pidfd, 10000, &status) < 0) {
			kill(pid, SIGKILL);
			wait_for(pid, -1, 0, &status);
		}
		if (pidfd >= 0)
			close(pidfd);
		snprintf(why, len, "'%s %s' took longer than %d s", "hull-harness", argv[1],
			 timeout_s);
		return -1;
	}
	if (pidfd >= 0)
		close(pidfd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- latency ------------------------------------------------------------------ */

json_object *hh_gate_measure_latency(const struct gate_opts *o, const char *raw, char *why,
				     size_t len)
{
	char path[PATH_MAX + 32], n[16], w[16], runtimes[700];
	bool hull = strcmp(o->runtime, "hull") == 0;
	snprintf(runtimes, sizeof(runtimes), "bare,floor,%s", o->runtime);
	snprintf(path, sizeof(path), "%s/gate-latency.json", raw);
	snprintf(n, sizeof(n), "%d", o->iterations);
	snprintf(w, sizeof(w), "%d", o->warmup);
	char *argv[32] = { NULL,
			   "latency",
			   "--runtimes",
			   runtimes,
			   "--suites",
			   hull ? "runtimes,namespaces" : "runtimes",
			   "--ns-each",
			   HH_GATE_NS_EACH,
			   "-n",
			   n,
			   "-w",
			   w,
			   "--json",
			   path,
			   "-q",
			   "--rootfs",
			   (char *)o->rootfs };
	int k = 17;
	if (o->commit) {
		argv[k++] = "--commit";
		argv[k++] = (char *)o->commit;
	}
	unlink(path);
	if (!o->quiet)
		fprintf(stderr, "gate: latency, %d starts per runtime (bare, floor, %s%s%s)\n",
			o->iterations, o->runtime, hull ? "; alone: " : "",
			hull ? HH_GATE_NS_EACH : "");
	int st = run_self(argv, "/dev/null", false, NULL, NULL, 1200, why, len);
	json_object *doc = json_object_from_file(path);
	if (!doc && why[0] == '\0')
		snprintf(why, len, "hull-harness latency wrote no report (exit status %d)", st);
	/* Exit 1 means hull or the floor failed every start: the metrics
	 * that need them come out unmeasured, the others still count. */
	return doc;
}

/* ---- isolation ------------------------------------------------------------------ */

static void add_first(struct iso *iso, const char *why)
{
	if (json_object_array_length(iso->first) < MAX_FIRST_MISMATCHES)
		json_object_array_add(iso->first, json_object_new_string(why));
}

void hh_gate_judge_matrix(json_object *doc, int exit_status, struct iso *iso)
{
	char why[512];
	json_object *cells = hh_json_get(doc, "cells");

	if (!cells || !json_object_is_type(cells, json_type_array) ||
	    json_object_array_length(cells) == 0) {
		iso->verdict = HH_GATE_UNMEASURED;
		snprintf(iso->note, sizeof(iso->note), "the matrix gave no cells (exit status %d)",
			 exit_status);
		return;
	}
	iso->cells = (int64_t)json_object_array_length(cells);
	for (size_t i = 0; i < (size_t)iso->cells; i++) {
		json_object *c = json_object_array_get_idx(cells, i);
		int m = hh_gate_cell_mismatches(c, why, sizeof(why));
		iso->started += json_object_get_boolean(hh_json_get(c, "started"));
		iso->mismatches += m;
		iso->mismatch_cells += m > 0;
		if (m)
			add_first(iso, why);
	}
	if (iso->mismatches > 0) {
		iso->verdict = HH_GATE_REGRESSION;
	} else if (exit_status != 0 && exit_status != 1) {
		iso->verdict = HH_GATE_UNMEASURED;
		snprintf(iso->note, sizeof(iso->note), "the matrix did not finish (exit status %d)",
			 exit_status);
	} else if (exit_status == 1) {
		/* The matrix saw a mismatch its JSON does not show. */
		iso->verdict = HH_GATE_REGRESSION;
		snprintf(iso->note, sizeof(iso->note), "the matrix reported a mismatch");
	} else {
		iso->verdict = HH_GATE_PASS;
	}
}

void hh_gate_measure_isolation(const struct gate_opts *o, const char *raw, struct iso *iso)
{
	char path[PATH_MAX + 32], why[512] = "";
	static const char *const modes[] = { "pivot_root", "chroot" };
	/* The verifier's host directory: /tmp, or /run when the rootfs is /tmp
	 * or above it (isolate_host.c). */
	const char *scratch = strncmp("/tmp", o->rootfs, strlen(o->rootfs)) == 0 ? "/run" : "/tmp";
	const char *const keep[] = { o->rootfs, hh_self_dir(), NULL };
	const struct hh_runtime_info *rt = hh_runtime_lookup(o->runtime);
	if (!o->quiet)
		fprintf(stderr, "gate: isolation smoke check (%s, shared rootfs)\n", o->runtime);
	/* chroot only where the runtime has a chroot mode (hull). */
	for (int i = 0; i < (rt && rt->root_choosable ? 2 : 1); i++) {
		snprintf(path, sizeof(path), "%s/gate-smoke-%s.json", raw, modes[i]);
		char *argv[] = { NULL,
				 "isolate",
				 "-r",
				 (char *)o->runtime,
				 "--shared-rootfs",
				 "--json",
				 "--rootfs",
				 (char *)o->rootfs,
				 i ? "--chroot" : NULL,
				 NULL };
		why[0] = '\0';
		int st = run_self(argv, path, true, scratch, keep, 120, why, sizeof(why));
		json_object *cell = json_object_from_file(path);
		json_object *s = json_object_new_object();
		json_object_object_add(s, "root_mode", json_object_new_string(modes[i]));
		json_object_object_add(s, "exit_status", json_object_new_int(st));
		int m = 0;
		if (cell && hh_json_get(cell, "started"))
			m = hh_gate_cell_mismatches(cell, why, sizeof(why));
		else if (st == 1 || st == 3)
			m = 1, snprintf(why, sizeof(why), "%.100s %s: isolate exit status %d",
					o->runtime, modes[i], st);
		json_object_object_add(s, "mismatches", json_object_new_int(m));
		json_object_array_add(iso->smoke, s);
		json_object_put(cell);
		if (m) {
			iso->mismatches += m;
			iso->verdict = HH_GATE_REGRESSION;
			add_first(iso, why);
		} else if (st != 0) {
			if (iso->verdict != HH_GATE_REGRESSION)
				iso->verdict = HH_GATE_UNMEASURED;
			snprintf(iso->note, sizeof(iso->note), "smoke check (%s) failed: %.200s",
				 modes[i], why[0] ? why : "harness error");
		}
	}
	if (iso->verdict != HH_GATE_PASS) {
		if (iso->verdict == HH_GATE_REGRESSION)
			snprintf(iso->note, sizeof(iso->note),
				 "smoke check failed; matrix not run (a leaking build would flood "
				 "the mount table)");
		return;
	}

	if (!o->quiet)
		fprintf(stderr, "gate: isolation matrix (%s, shared rootfs)\n", o->runtime);
	snprintf(path, sizeof(path), "%s/gate-matrix.json", raw);
	char *argv[] = { NULL,	   "matrix", "-r",	 (char *)o->runtime, "--shared-rootfs",
			 "--json", "-q",     "--rootfs", (char *)o->rootfs,  NULL };
	why[0] = '\0';
	int st = run_self(argv, path, true, scratch, keep, 600, why, sizeof(why));
	json_object *doc = json_object_from_file(path);
	if (st < 0 && !doc) {
		iso->verdict = HH_GATE_UNMEASURED;
		snprintf(iso->note, sizeof(iso->note), "%.250s", why);
		return;
	}
	hh_gate_judge_matrix(doc, st, iso);
	json_object_put(doc);
}
