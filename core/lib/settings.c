/* settings.c — rlimits and sysctls; see settings.h. */
#include "settings.h"
#include "fileio.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

int hull_rlimit_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
		if (strcmp(name, rlimit_names[i].name) == 0)
			return rlimit_names[i].resource;
	return -1;
}

static const char *rlimit_name(int resource)
{
	for (size_t i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
		if (rlimit_names[i].resource == resource)
			return rlimit_names[i].name;
	return "?";
}

int hull_rlimits_apply(const struct hull_rlimit *r, size_t n, struct hull_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct rlimit rl = { .rlim_cur = r[i].soft, .rlim_max = r[i].hard };
		if (setrlimit(r[i].resource, &rl) < 0)
			return hull_fail(err, errno, "cannot set %s to %llu:%llu",
					 rlimit_name(r[i].resource), r[i].soft, r[i].hard);
	}
	return 0;
}

bool hull_sysctl_allowed(const char *key, uint64_t ns_flags)
{
	if (strncmp(key, "net.", 4) == 0)
		return ns_flags & CLONE_NEWNET;
	if (strncmp(key, "kernel.shm", 10) == 0 || strncmp(key, "kernel.msg", 10) == 0 ||
	    strcmp(key, "kernel.sem") == 0 || strncmp(key, "fs.mqueue.", 10) == 0)
		return ns_flags & CLONE_NEWIPC;
	if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
		return ns_flags & CLONE_NEWUTS;
	return false;
}

int hull_sysctls_apply(const struct hull_sysctl *s, size_t n, struct hull_err *err)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < n; i++) {
		int len = snprintf(path, sizeof(path), "proc/sys/%s", s[i].key);
		if (len < 0 || (size_t)len >= sizeof(path))
			return hull_fail(err, ENAMETOOLONG, "cannot set sysctl '%s'", s[i].key);
		for (char *p = path + 9; *p; p++)
			if (*p == '.')
				*p = '/';
		int ret = hull_write_file(path, s[i].value, 0, NULL);
		if (ret < 0)
			return hull_fail(err, -ret, "cannot set sysctl '%s' to '%s'", s[i].key,
					 s[i].value);
	}
	return 0;
}
