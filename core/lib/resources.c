/* resources.c — parsing and checking resource limits; see resources.h. */
#include "resources.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hull_parse_size(const char *s, int64_t *out, struct hull_err *err)
{
	char *end = NULL;
	unsigned long long v;
	int shift = 0;

	if (!s || !isdigit((unsigned char)s[0]))
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		goto bad;
	switch (tolower((unsigned char)*end)) {
	case '\0':
	case 'b':
		shift = 0;
		break;
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	default:
		goto bad;
	}
	if (*end && end[1] != '\0')
		goto bad;
	if (v == 0)
		return hull_fail(err, 0, "invalid size '%s': must be greater than 0", s);
	if (v > (unsigned long long)(INT64_MAX >> shift))
		goto bad;
	*out = (int64_t)(v << shift);
	return 0;
bad:
	return hull_fail(err, 0,
			 "invalid size '%s' (expected a number with an optional b, k, m or g)",
			 s ? s : "");
}

int hull_parse_memory_swap(const char *s, int64_t *out, struct hull_err *err)
{
	if (s && strcmp(s, "-1") == 0) {
		*out = -1;
		return 0;
	}
	return hull_parse_size(s, out, err);
}

int hull_parse_cpus(const char *s, long online_cpus, uint64_t *quota_us, struct hull_err *err)
{
	char *end = NULL;
	double v;

	if (!s || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
		return hull_fail(err, 0, "invalid cpu count '%s'", s ? s : "");
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end)
		return hull_fail(err, 0, "invalid cpu count '%s'", s);
	/* The kernel's smallest quota is 1 ms per 100 ms period. */
	if (v < 0.01)
		return hull_fail(err, 0, "invalid cpu count '%s': must be at least 0.01", s);
	if (online_cpus > 0 && v > (double)online_cpus)
		return hull_fail(err, 0, "invalid cpu count '%s': only %ld cpus are online", s,
				 online_cpus);
	*quota_us = (uint64_t)(v * HULL_CPU_PERIOD_US + 0.5);
	return 0;
}

int hull_parse_pids(const char *s, int64_t *out, struct hull_err *err)
{
	char *end = NULL;
	long long v;

	if (!s || !isdigit((unsigned char)s[0]))
		return hull_fail(err, 0, "invalid pids limit '%s'", s ? s : "");
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return hull_fail(err, 0, "invalid pids limit '%s'", s);
	if (v <= 0)
		return hull_fail(err, 0, "invalid pids limit '%s': must be greater than 0", s);
	*out = v;
	return 0;
}

int hull_check_cpuset(const char *s, struct hull_err *err)
{
	const char *p = s;

	if (!s || !*s)
		return hull_fail(err, 0, "invalid cpuset ''");
	while (*p) {
		char *end;
		unsigned long lo, hi;
		if (!isdigit((unsigned char)*p))
			goto bad;
		lo = strtoul(p, &end, 10);
		hi = lo;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				goto bad;
			hi = strtoul(end + 1, &end, 10);
		}
		if (hi < lo || hi > 4095)
			goto bad;
		p = end;
		if (*p == ',') {
			p++;
			if (!*p)
				goto bad;
		} else if (*p) {
			goto bad;
		}
	}
	return 0;
bad:
	return hull_fail(err, 0, "invalid cpuset '%s' (expected e.g. 0-1,3)", s);
}

bool hull_limits_any(const struct hull_limits *l)
{
	return l->memory || l->memory_swap || l->cpu_quota_us || l->pids || l->cpuset ||
	       l->cpu_shares || l->cpu_period_us || l->cpuset_mems || l->cpu_rt_runtime_us ||
	       l->cpu_rt_period_us || l->n_dev_rules || l->memory_reservation ||
	       l->swappiness_set || l->disable_oom_killer || l->memory_kernel ||
	       l->memory_kernel_tcp || hull_limits_io_hugetlb_rdma(l);
}

int hull_limits_validate(const struct hull_limits *l, struct hull_err *err)
{
	char a[32], b[32];

	if (l->memory_swap && !l->memory)
		return hull_fail(err, 0, "--memory-swap requires --memory");
	if (l->memory_swap > 0 && l->memory_swap < l->memory) {
		hull_format_size(l->memory_swap, a, sizeof(a));
		hull_format_size(l->memory, b, sizeof(b));
		return hull_fail(err, 0, "--memory-swap %s is less than --memory %s", a, b);
	}
	/* "" is the hierarchy's root (an OCI cgroupsPath "/name"). */
	if (!l->parent || strstr(l->parent, ".."))
		return hull_fail(err, 0, "invalid cgroup parent '%s'", l->parent ? l->parent : "");
	return 0;
}

void hull_format_size(int64_t bytes, char *buf, unsigned len)
{
	static const struct {
		int shift;
		const char *unit;
	} units[] = { { 30, "GiB" }, { 20, "MiB" }, { 10, "KiB" } };

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		int64_t unit = (int64_t)1 << units[i].shift;
		if (bytes >= unit && bytes % unit == 0) {
			snprintf(buf, len, "%lld %s", (long long)(bytes / unit), units[i].unit);
			return;
		}
	}
	snprintf(buf, len, "%lld bytes", (long long)bytes);
}
