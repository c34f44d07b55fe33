/* latency_trace.c — the timestamp chain of one container start: hull's
 * trace lines, the probe's stamp, checks and per-phase durations; see
 * latency.h. */
#include "latency.h"
#include "report.h"

#include <errno.h>
#include <string.h>

const struct hh_lat_mark_info hh_lat_marks_info[HH_LAT_N_MARKS] = {
	[HH_LAT_SPAWN] = { NULL, NULL },
	[HH_LAT_START] = { "start", "exec hull" },
	[HH_LAT_PARSED] = { "parsed", "parse + validate" },
	[HH_LAT_CONNECTED] = { "connected", "connect to the pool's socket" },
	[HH_LAT_REQUEST_SENT] = { "request_sent", "send the request (argv, env, stdio)" },
	[HH_LAT_SLOT_WOKEN] = { "slot_woken", "a slot takes the client, has its request" },
	[HH_LAT_REQUEST_READ] = { "request_read", "slot reads the request" },
	[HH_LAT_CGROUP] = { "cgroup_created", "cgroup: create, write limits" },
	[HH_LAT_CHILD] = { "child_entered", "clone + namespaces" },
	[HH_LAT_PRIVATE] = { "mounts_private", "sync, signals, lo up + private mounts" },
	[HH_LAT_PROC] = { "proc_mounted", "bind rootfs + /proc" },
	[HH_LAT_DEV] = { "dev_ready", "/dev" },
	[HH_LAT_MASKED] = { "paths_masked", "mask /proc paths" },
	[HH_LAT_ROOT] = { "root_switched", "pivot_root / chroot" },
	[HH_LAT_HOSTNAME] = { "hostname_set", "hostname" },
	[HH_LAT_GO] = { "go_received", "wait for go (hull: lo up, /dev)" },
	[HH_LAT_DEV_LATE] = { "dev_attached", "/dev: attach hull's" },
	[HH_LAT_CAPS] = { "caps_set", "drop capabilities" },
	[HH_LAT_SECCOMP] = { "seccomp_installed", "install seccomp filter" },
	[HH_LAT_EXEC] = { "exec", "cwd, fds, signals" },
	[HH_LAT_ENTRY] = { NULL, "execve -> probe main" },
	[HH_LAT_EXITED] = { "exited", "probe runs, exits, reaped" },
	[HH_LAT_RETURN] = { NULL, "hull exits, reaped" },
};

static int mark_by_trace_name(const char *name)
{
	for (int i = 0; i < HH_LAT_N_MARKS; i++)
		if (hh_lat_marks_info[i].trace_name &&
		    strcmp(hh_lat_marks_info[i].trace_name, name) == 0)
			return i;
	return -1;
}

int hh_lat_parse_trace(const char *buf, size_t len, struct hh_lat_marks *m, struct hull_err *err)
{
	const char *p = buf, *end = buf + len;
	int lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		lineno++;
		if (n == 0) {
			p += 1;
			continue;
		}
		json_tokener *tok = json_tokener_new();
		json_object *o = tok ? json_tokener_parse_ex(tok, p, (int)n) : NULL;
		int complete = tok && json_tokener_get_error(tok) == json_tokener_success;
		json_tokener_free(tok);
		const char *phase = hh_json_get_string(o, "phase", NULL);
		int64_t t = hh_json_get_int(o, "t_ns", -1);
		if (!complete || !phase || t <= 0) {
			json_object_put(o);
			return hull_fail(err, EPROTO, "cannot read trace line %d '%.*s'", lineno,
					 (int)(n > 80 ? 80 : n), p);
		}
		int i = mark_by_trace_name(phase);
		/* Where hull has work of its own first (id maps, cgroup, network)
		 * the child waits for go at its start: that wait stays in "sync, ...
		 * private mounts". Otherwise it waits after the root switch, while
		 * hull brings lo up and builds /dev; the child attaches that /dev
		 * after go, or builds its own there should attaching fail: its
		 * dev_ready then ends the late /dev phase. */
		if (i == HH_LAT_GO && !m->t[HH_LAT_ROOT])
			i = -1;
		if (i == HH_LAT_DEV && m->t[HH_LAT_GO])
			i = HH_LAT_DEV_LATE;
		if (i >= 0)
			m->t[i] = (uint64_t)t;
		json_object_put(o);
		p += n + (nl ? 1 : 0);
	}
	return 0;
}

int hh_lat_parse_stamp(const char *buf, uint64_t *t_entry, struct hull_err *err)
{
	json_object *o = buf ? json_tokener_parse(buf) : NULL;
	int64_t t = hh_json_get_int(o, "t_entry_ns", -1);

	json_object_put(o);
	if (t <= 0)
		return hull_fail(err, EPROTO, "no probe stamp in '%.80s'", buf ? buf : "");
	*t_entry = (uint64_t)t;
	return 0;
}

const char *hh_lat_mark_until(int i)
{
	if (i <= HH_LAT_SPAWN || i >= HH_LAT_N_MARKS)
		return NULL;
	if (hh_lat_marks_info[i].trace_name)
		return hh_lat_marks_info[i].trace_name;
	return i == HH_LAT_ENTRY ? "probe_entry" : "return";
}

uint32_t hh_lat_marks_present(const struct hh_lat_marks *m)
{
	uint32_t mask = 0;
	for (int i = 0; i < HH_LAT_N_MARKS; i++)
		if (m->t[i])
			mask |= 1u << i;
	return mask;
}

static const char *mark_name(int i)
{
	static const char *const names[HH_LAT_N_MARKS] = {
		[HH_LAT_SPAWN] = "spawn",
		[HH_LAT_ENTRY] = "probe entry",
		[HH_LAT_RETURN] = "return",
	};
	return names[i] ? names[i] : hh_lat_marks_info[i].trace_name;
}

int hh_lat_marks_check(const struct hh_lat_marks *m, struct hull_err *err)
{
	int prev = -1;
	for (int i = 0; i < HH_LAT_N_MARKS; i++) {
		if (!m->t[i])
			continue;
		if (prev >= 0 && m->t[i] < m->t[prev])
			return hull_fail(err, ERANGE, "mark '%s' is %llu ns before '%s'",
					 mark_name(i), (unsigned long long)(m->t[prev] - m->t[i]),
					 mark_name(prev));
		prev = i;
	}
	return 0;
}

void hh_lat_phase_durations(const struct hh_lat_marks *m, uint64_t d[HH_LAT_N_MARKS])
{
	int prev = -1;
	for (int i = 0; i < HH_LAT_N_MARKS; i++) {
		d[i] = 0;
		if (!m->t[i])
			continue;
		if (prev >= 0 && m->t[i] >= m->t[prev])
			d[i] = m->t[i] - m->t[prev];
		prev = i;
	}
}
