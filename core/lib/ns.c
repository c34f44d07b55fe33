/* ns.c — the namespace table and list parsing; see ns.h. */

#include "ns.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

const struct hull_ns hull_ns_table[] = {
	{ "mnt", CLONE_NEWNS, "mnt" },		 { "uts", CLONE_NEWUTS, "uts" },
	{ "pid", CLONE_NEWPID, "pid" },		 { "ipc", CLONE_NEWIPC, "ipc" },
	{ "net", CLONE_NEWNET, "net" },		 { "user", CLONE_NEWUSER, "user" },
	{ "cgroup", CLONE_NEWCGROUP, "cgroup" }, { "time", CLONE_NEWTIME, "time" },
};
const size_t hull_ns_count = sizeof(hull_ns_table) / sizeof(hull_ns_table[0]);

const struct hull_ns *hull_ns_by_name(const char *name)
{
	for (size_t i = 0; i < hull_ns_count; i++)
		if (strcmp(hull_ns_table[i].name, name) == 0)
			return &hull_ns_table[i];
	return NULL;
}

const struct hull_ns *hull_ns_by_flag(uint64_t flag)
{
	for (size_t i = 0; i < hull_ns_count; i++)
		if (hull_ns_table[i].flag == flag)
			return &hull_ns_table[i];
	return NULL;
}

int hull_ns_parse_list(const char *list, uint64_t *flags, struct hull_err *err)
{
	char word[32];
	uint64_t out = 0;
	const char *p = list;

	if (!list || !*list)
		return hull_fail(err, 0, "empty namespace list");
	if (strcmp(list, "all") == 0) {
		*flags = HULL_NS_ALL;
		return 0;
	}
	if (strcmp(list, "none") == 0) {
		*flags = 0;
		return 0;
	}
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == 0 || n >= sizeof(word))
			return hull_fail(err, 0, "invalid namespace list '%s'", list);
		memcpy(word, p, n);
		word[n] = '\0';
		const struct hull_ns *ns = hull_ns_by_name(word);
		if (!ns)
			return hull_fail(err, 0, "unknown namespace '%s'", word);
		out |= ns->flag;
		p += n;
		if (*p == ',') {
			p++;
			if (!*p)
				return hull_fail(err, 0, "invalid namespace list '%s'", list);
		}
	}
	*flags = out;
	return 0;
}

void hull_ns_format(uint64_t flags, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < hull_ns_count; i++) {
		if (!(flags & hull_ns_table[i].flag))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
				 hull_ns_table[i].name);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
	if (used == 0)
		snprintf(buf, len, "none");
}
