/* isolate_run.c — one probed container (see isolate.h): run the probe
 * with this host's objects on its command line, judge its output against
 * the host's view, compare with the expected verdicts, and remove what
 * the run left on the host. Also the cancel fd that SIGINT/SIGTERM/SIGHUP
 * make readable, so a run (or a matrix of them) stops cleanly. */
#include "isolate.h"
#include "isolate_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- cancel on signals ------------------------------------------------ */

static int cancel_pipe[2] = { -1, -1 };
static volatile sig_atomic_t cancelled;

static void on_signal(int sig)
{
	int saved = errno;
	cancelled = sig;
	if (cancel_pipe[1] >= 0)
		(void)!write(cancel_pipe[1], "x", 1);
	errno = saved;
}

int hh_iso_cancel_fd(void)
{
	if (cancel_pipe[0] >= 0)
		return cancel_pipe[0];
	if (pipe2(cancel_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return cancel_pipe[0];
}

bool hh_iso_cancelled(void)
{
	return cancelled != 0;
}

/* ---- one container ---------------------------------------------------- */

static void drain_listener(int fd)
{
	int c;
	while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0)
		close(c);
}

/* The last non-empty line of the runtime's stderr, for "not started". */
static void last_line(const char *s, char *out, size_t len)
{
	const char *end = s + strlen(s);
	while (end > s && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	const char *start = end;
	while (start > s && start[-1] != '\n')
		start--;
	size_t n = (size_t)(end - start);
	if (n >= len)
		n = len - 1;
	memcpy(out, start, n);
	out[n] = '\0';
}

static uint64_t next_token(void)
{
	static uint64_t counter;
	return __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
}

void hh_iso_cell_free(struct hh_iso_cell *cell)
{
	free(cell->probe_json);
	cell->probe_json = NULL;
}

int hh_iso_run(struct hh_iso_host *h, const struct hh_launch_config *base, bool serial,
	       bool keep_json, struct hh_iso_cell *cell, struct hull_err *err)
{
	char token[64], port[16], key[32];
	struct hh_launch_config cfg = *base;
	struct hh_launch l;
	struct hh_launch_result res;
	struct hull_err lerr = { 0 };
	const struct hh_runtime_info *rt = hh_runtime_lookup(base->runtime);
	int ret;

	memset(cell, 0, sizeof(*cell));
	cell->exit_code = -1;
	for (int i = 0; i < HH_PROP_COUNT; i++) {
		cell->props[i].verdict = HH_ERROR;
		snprintf(cell->props[i].detail, sizeof(cell->props[i].detail), "not started");
		cell->expected[i] = HH_ERROR;
	}
	if (!rt)
		return hull_fail(err, 0, "unknown runtime '%s'",
				 base->runtime ? base->runtime : "");
	cell->runtime = rt->name;
	cell->ns = hh_launch_effective_ns(rt, base->ns_flags);
	cell->chroot = base->chroot;
	cell->spawn_fork = base->spawn_fork;
	cell->pivot = hh_launch_uses_pivot(rt, cell->ns, base->chroot);

	struct hh_expect_ctx ctx = {
		.rt = rt, .ns = cell->ns, .pivot = cell->pivot, .rootfs_shared = h->rootfs_shared
	};
	char why[160];
	cell->expect_started = hh_expect_start(&ctx, why, sizeof(why));
	for (int i = 0; i < HH_PROP_COUNT; i++)
		cell->expected[i] = hh_expected((enum hh_prop)i, &ctx);

	snprintf(token, sizeof(token), "%s%llu", h->token_prefix, (unsigned long long)next_token());
	snprintf(port, sizeof(port), "%d", h->port);
	snprintf(key, sizeof(key), "%ld", h->shm_key);
	char *argv[] = { "/bin/hull-probe",
			 "--marker",
			 h->marker,
			 "--port",
			 port,
			 "--shm-key",
			 key,
			 "--mqueue",
			 h->mqueue,
			 "--mount-test",
			 token,
			 "--escape",
			 NULL };
	cfg.rootfs = h->rootfs;
	cfg.argv = argv;

	ret = hh_launch_prepare(&cfg, &l, &lerr);
	if (ret < 0) {
		hh_scopy(cell->reason, sizeof(cell->reason), lerr.msg);
		cell->mismatches = cell->expect_started ? 1 : 0;
		return 0;
	}
	cell->run = true;
	ret = hh_launch_run(&l, &res, &lerr);
	hh_launch_release(&l);
	if (ret < 0) {
		*err = lerr;
		return ret;
	}

	/* The host's side of the story, then clean up what this run left. */
	struct hh_host_view view = h->view;
	struct leak_scan s = { .h = h, .token = token, .sweep = serial };
	hh_iso_for_each_mount(hh_iso_scan_leak, &s);
	view.mount_seen = s.token_at[0] != '\0';
	snprintf(view.mount_seen_at, sizeof(view.mount_seen_at), "%s", s.token_at);
	view.new_host_mounts = s.new_mounts;
	snprintf(view.new_host_mount, sizeof(view.new_host_mount), "%s", s.first_new);
	hh_iso_detach_all(&s.found, h->token_prefix);
	char dir[PATH_MAX];
	if (hh_pathf(dir, sizeof(dir), "%s/tmp/%s", h->orig_rootfs, token))
		rmdir(dir);
	if (hh_pathf(dir, sizeof(dir), "%s/%s", h->orig_rootfs, token))
		rmdir(dir);
	if (hh_pathf(dir, sizeof(dir), "/tmp/%s", token))
		rmdir(dir); /* bare mounts on the host's /tmp */
	drain_listener(h->listen_fd);

	cell->exit_code = res.exit_code;
	cell->t_ns = res.t_exit_ns - res.t_spawn_ns;
	if (res.cancelled) {
		hh_launch_result_free(&res);
		return hull_fail(err, EINTR, "interrupted");
	}
	if (res.timed_out) {
		snprintf(cell->reason, sizeof(cell->reason), "timed out after %d ms",
			 cfg.timeout_ms ? cfg.timeout_ms : 10000);
	} else if (res.exit_code != 0) {
		char line[200];
		last_line(res.err, line, sizeof(line));
		snprintf(cell->reason, sizeof(cell->reason), "exit status %d%s%s", res.exit_code,
			 line[0] ? ": " : "", line);
	} else if (hh_judge(res.out, &view, cell->props, &lerr) < 0) {
		hh_scopy(cell->reason, sizeof(cell->reason), lerr.msg);
	} else {
		cell->started = true;
	}
	cell->probe_json = strdup(res.out);
	hh_launch_result_free(&res);

	/* Privileges are an input of the rules: judge with what the probe had. */
	if (cell->started &&
	    hh_probe_caps(cell->probe_json ? cell->probe_json : "", &ctx.caps_eff) == 0) {
		ctx.caps_known = true;
		for (int i = 0; i < HH_PROP_COUNT; i++)
			cell->expected[i] = hh_expected((enum hh_prop)i, &ctx);
	}
	if (cell->started != cell->expect_started)
		cell->mismatches++;
	if (!cell->started && cell->expect_started == false && !cell->reason[0])
		snprintf(cell->reason, sizeof(cell->reason), "%s", why);
	if (cell->started)
		for (int i = 0; i < HH_PROP_COUNT; i++)
			if (cell->props[i].verdict != cell->expected[i])
				cell->mismatches++;
	if (!keep_json)
		hh_iso_cell_free(cell);
	return 0;
}
