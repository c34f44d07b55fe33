/* caps.c — capability sets with libcap; see caps.h. */
#include "caps.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>

/* docker's default set (moby's oci/caps/defaults.go lists the same 14). */
static const cap_value_t default_caps[] = {
	CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,	     CAP_FOWNER,
	CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,	     CAP_SETUID,
	CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
	CAP_KILL,    CAP_AUDIT_WRITE,
};

static int last_cap(void)
{
	/* The running kernel may know more than our headers, or fewer.
	 * libcap finds out with a binary search of prctl calls each time it
	 * is asked: ask once. */
	static int last = -1;
	if (last < 0) {
		last = (int)cap_max_bits() - 1;
		if (last > 63)
			last = 63;
	}
	return last;
}

hull_capset hull_caps_default(void)
{
	hull_capset set = 0;
	for (size_t i = 0; i < sizeof(default_caps) / sizeof(default_caps[0]); i++)
		set |= 1ull << default_caps[i];
	return set;
}

hull_capset hull_caps_all(void)
{
	int last = last_cap();
	return last >= 63 ? ~0ull : (1ull << (last + 1)) - 1;
}

int hull_caps_edit(hull_capset *set, const char *name, int add, struct hull_err *err)
{
	cap_value_t cap;

	if (strcasecmp(name, "all") == 0) {
		*set = add ? hull_caps_all() : 0;
		return 0;
	}
	/* libcap knows "cap_net_admin"; accept NET_ADMIN and CAP_NET_ADMIN too. */
	char lower[64];
	const char *p = strncasecmp(name, "cap_", 4) == 0 ? name + 4 : name;
	int n = snprintf(lower, sizeof(lower), "cap_%s", p);
	if (n <= 4 || (size_t)n >= sizeof(lower))
		return hull_fail(err, 0, "unknown capability '%s'", name);
	for (char *c = lower; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	if (cap_from_name(lower, &cap) < 0 || cap > last_cap())
		return hull_fail(err, 0, "unknown capability '%s'", name);
	if (add)
		*set |= 1ull << cap;
	else
		*set &= ~(1ull << cap);
	return 0;
}

void hull_caps_format(hull_capset set, char *buf, unsigned len)
{
	unsigned used = 0;

	buf[0] = '\0';
	for (int c = 0; c <= last_cap() && used < len; c++) {
		if (!(set & (1ull << c)))
			continue;
		char *name = cap_to_name((cap_value_t)c);
		int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
				 name ? name : "?");
		cap_free(name);
		if (n < 0)
			break;
		used += (unsigned)n;
	}
}

int hull_caps_drop_bounding(hull_capset set, struct hull_err *err)
{
	for (int c = 0; c <= last_cap(); c++) {
		if (set & (1ull << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return hull_fail(err, errno,
					 "cannot drop capability %d from the bounding set", c);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return hull_fail(err, errno, "cannot clear the ambient capabilities");
	return 0;
}

int hull_caps_apply(hull_capset set, int keep, struct hull_err *err)
{
	cap_t caps = cap_init(); /* all sets empty */
	cap_value_t list[64];
	int n = 0, ret = 0;

	if (!caps)
		return hull_fail(err, errno, "cannot allocate capability state");
	/* Only what is still in the bounding set can be permitted: "all" on a
	 * host whose own bounding set lacks some means all that is left. The
	 * set as asked usually fits; ask the kernel about each capability (a
	 * prctl each) only when it does not. */
	for (int pass = 0; pass < 2 && ret == 0; pass++) {
		n = 0;
		if (keep)
			for (int c = 0; c <= last_cap(); c++)
				if ((set & (1ull << c)) &&
				    (pass == 0 || cap_get_bound((cap_value_t)c) == 1))
					list[n++] = (cap_value_t)c;
		cap_clear(caps);
		if (n && (cap_set_flag(caps, CAP_PERMITTED, n, list, CAP_SET) < 0 ||
			  cap_set_flag(caps, CAP_EFFECTIVE, n, list, CAP_SET) < 0 ||
			  cap_set_flag(caps, CAP_INHERITABLE, n, list, CAP_SET) < 0))
			ret = hull_fail(err, errno, "cannot build the capability sets");
		else if (cap_set_proc(caps) == 0)
			break;
		else if (errno != EPERM || pass == 1)
			ret = hull_fail(err, errno, "cannot set capabilities");
	}
	cap_free(caps);
	return ret;
}

int hull_caps_raise_ambient(hull_capset set, struct hull_err *err)
{
	for (int c = 0; set && c <= last_cap(); c++) {
		if (!(set & (1ull << c)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			return hull_fail(err, errno, "cannot raise ambient capability %d", c);
	}
	return 0;
}
